package market

import "time"

// The auth centre's grants (protocol §8.8). Secrets (session cookies, codes, tokens) are known
// to the marketplace only by their hashes.

// AuthSession is a user signed in on the auth centre's login page: the single sign-on session
// that lets the next application's login pass without the form.
type AuthSession struct {
	Hash      string
	TenantID  string
	UserName  string
	ExpiresAt time.Time
	CreatedAt time.Time
}

// AuthCode is an authorization code: single use, short-lived, for one application.
type AuthCode struct {
	Hash        string
	AppID       string
	TenantID    string
	UserName    string
	RedirectURI string
	SessionHash string
	Used        bool
	ExpiresAt   time.Time
	CreatedAt   time.Time
}

// Token kinds.
const (
	TokenAccess  = "access"
	TokenRefresh = "refresh"
)

// AuthToken is an access or refresh token issued to an application for a user.
type AuthToken struct {
	Hash        string
	Kind        string
	AppID       string
	TenantID    string
	UserName    string
	SessionHash string
	CodeHash    string // the code it was first issued for; its refreshes keep it
	Revoked     bool
	ExpiresAt   time.Time
	CreatedAt   time.Time
}
