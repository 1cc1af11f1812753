package kgp

import "encoding/json"

// The joint-operation auth centre (§8.8): OAuth 2.0 at the enterprise's domainName (the
// tenantSync field). The merchant sends its users to the login page, which returns them with
// ?code=…&tenant=…; the merchant exchanges the code for tokens (form-encoded, client_id and
// client_secret in the body, the secret being applicationSync's decrypted clientSecret) and
// reads the user.

// Auth centre paths, after the domainName.
const (
	AuthPathLogin    = "/api/v1/oauth2/authorize"
	AuthPathToken    = "/api/v1/oauth2/token"
	AuthPathUserInfo = "/api/v1/oauth2/userinfo"
	AuthPathLogout   = "/api/v1/logout"
)

// OAuth grant types the token endpoint takes.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
)

// OAuth error codes (RFC 6749 §5.2, RFC 6750 §3.1), as the token and userinfo endpoints answer.
const (
	OAuthInvalidRequest       = "invalid_request"
	OAuthInvalidClient        = "invalid_client"
	OAuthInvalidGrant         = "invalid_grant"
	OAuthUnauthorizedClient   = "unauthorized_client"
	OAuthUnsupportedGrantType = "unsupported_grant_type"
	OAuthInvalidToken         = "invalid_token"
	OAuthAccessDenied         = "access_denied"
)

// TokenResponse is the token endpoint's answer.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"` // "Bearer"
	ExpiresIn    int64  `json:"expires_in"` // seconds
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// OAuthError is an error answer of the auth centre: {"error":…,"error_description":…}.
type OAuthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func (e *OAuthError) Error() string { return "oauth: " + e.Code + ": " + e.Description }

// UserInfo is the userinfo endpoint's answer: who signed in. Tenant is the enterprise's
// tenantCode, as the login redirect carries it.
type UserInfo struct {
	UserName string `json:"userName"`
	Name     string `json:"name"`
	Tenant   string `json:"tenant"`
	TenantID string `json:"tenantId"`
	Role     string `json:"role"`
	OrgCode  string `json:"orgCode"`
	Email    string `json:"email,omitempty"`
	Mobile   string `json:"mobile,omitempty"`
}

// DecodeOAuthError reads an auth centre error body; nil when body is not one.
func DecodeOAuthError(body []byte) *OAuthError {
	var e OAuthError
	if json.Unmarshal(body, &e) != nil || e.Code == "" {
		return nil
	}
	return &e
}
