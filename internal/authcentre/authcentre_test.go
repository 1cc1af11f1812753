package authcentre_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/api"
	"github.com/mercato-oss/mercato/internal/authcentre"
	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/enterprise/enterprisetest"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

const callback = "https://app.example/sso/callback"

// centre is a marketplace whose auth centre is served over HTTP, with an enterprise bound to a
// joint-operation merchant: alice is authorized on the application, bob is not.
type centre struct {
	t      *testing.T
	e      *marketplacetest.Env
	f      *enterprisetest.Fixture
	client *sdk.AuthCentre
	http   *http.Client // a browser: cookies, redirects not followed
}

func newCentre(t *testing.T, e *marketplacetest.Env, srvURL string) *centre {
	t.Helper()
	f := enterprisetest.New(t, e, 2)
	ctx, svc, admin, tid := e.Ctx, e.Enterprises, f.Buyer, f.Enterprise.TenantID
	if _, err := svc.AddDepartment(ctx, admin, tid, enterprise.DepartmentRequest{OrgCode: "HQ", Name: "HQ"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddUsers(ctx, admin, tid, []enterprise.UserRequest{
		{UserName: "alice", Name: "Alice", OrgCode: "HQ", Role: "admin", Password: "correct horse"},
		{UserName: "bob", Name: "Bob", OrgCode: "HQ", Password: "battery staple"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Bind(ctx, admin, tid, f.InstanceKey); err != nil {
		t.Fatal(err)
	}
	app, err := svc.CreateApp(ctx, admin, tid, f.InstanceKey, enterprise.AppRequest{Name: "CRM"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authorize(ctx, admin, tid, enterprise.AuthRequest{InstanceKey: f.InstanceKey, AppID: app.AppID, Add: []string{"alice"}}); err != nil {
		t.Fatal(err)
	}
	var secret string
	for _, s := range f.Syncs(t) {
		if s.Kind == kgp.KitApplicationSync {
			secret = s.Secret // as the merchant decrypted it
		}
	}
	if !strings.HasPrefix(f.Enterprise.DomainName, srvURL) {
		t.Fatalf("domainName %s is not on the test server %s", f.Enterprise.DomainName, srvURL)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &centre{t: t, e: e, f: f, http: browser,
		client: &sdk.AuthCentre{Domain: f.Enterprise.DomainName, ClientID: app.ClientID, ClientSecret: secret, RedirectURL: callback}}
}

// serve runs a marketplace of dialect d whose auth centre is served over HTTP (guarded by
// guard), with newCentre's enterprise.
func serve(t *testing.T, d store.Dialect, guard authcentre.Guard) *centre {
	t.Helper()
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	e := marketplacetest.New(t, d, marketplacetest.Options{Config: func(c *marketplace.Config) { c.Enterprise.AuthURL = srv.URL + "/authc" }})
	mux := http.NewServeMux()
	e.AuthCentre.Routes(mux, "/authc", guard)
	handler = mux
	return newCentre(t, e, srv.URL)
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	userField = regexp.MustCompile(`name="userName" value="[^"]*"`)
)

// strip removes from a login page what differs between any two renderings: the CSRF token and
// the user name typed.
func strip(page string) string {
	return userField.ReplaceAllString(csrfField.ReplaceAllString(page, ""), "")
}

// login signs in on the login page as a browser would and returns the redirect's Location
// (empty when the page answered instead) and the status.
func (c *centre) login(user, password string) (*url.URL, int, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.client.LoginURL("st-1"))
	if err != nil {
		c.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusFound { // signed in already
		loc, _ := url.Parse(resp.Header.Get("Location"))
		return loc, resp.StatusCode, ""
	}
	m := csrfField.FindSubmatch(body)
	if m == nil {
		c.t.Fatalf("login page %d without a form: %s", resp.StatusCode, body)
	}
	form := url.Values{"client_id": {c.client.ClientID}, "redirect_uri": {callback}, "state": {"st-1"}, "csrf": {string(m[1])},
		"userName": {user}, "password": {password}}
	resp, err = c.http.PostForm(c.client.LoginURL("st-1"), form)
	if err != nil {
		c.t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return nil, resp.StatusCode, string(body)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return loc, resp.StatusCode, ""
}

func (c *centre) code(user, password string) string {
	c.t.Helper()
	loc, status, body := c.login(user, password)
	if loc == nil {
		c.t.Fatalf("login as %s: %d %s", user, status, body)
	}
	r := &http.Request{URL: loc}
	l, err := sdk.ParseLogin(r)
	if err != nil || l.Tenant != c.f.Enterprise.TenantCode || l.State != "st-1" || !strings.HasPrefix(loc.String(), callback+"?") {
		c.t.Fatalf("redirect %s: %+v %v", loc, l, err)
	}
	return l.Code
}

func oauthCode(err error) string {
	if e, ok := errors.AsType[*kgp.OAuthError](err); ok {
		return e.Code
	}
	return "not an OAuth error: " + errString(err)
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// TestSingleSignOn runs the SDK client's login, refresh, userinfo and logout against the auth
// centre, and checks what it must refuse: a code used twice, a wrong secret, expired tokens
// and codes, a user who is not authorized, and a wrong password that says no more than a
// missing user.
func TestSingleSignOn(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testSignOn(t, serve(t, d, nil))
		})
	}
}

func testSignOn(t *testing.T, c *centre) {
	ctx := context.Background()
	ac := c.client

	// A wrong password and an unknown user get the same page.
	_, s1, b1 := c.login("alice", "wrong password")
	_, s2, b2 := c.login("nobody", "wrong password")
	if s1 != http.StatusUnauthorized || s1 != s2 || !strings.Contains(b1, "Incorrect user name or password.") || strip(b1) != strip(b2) {
		t.Fatalf("wrong password %d, unknown user %d; pages differ or say too much", s1, s2)
	}
	if _, s, b := c.login("bob", "battery staple"); s != http.StatusForbidden || !strings.Contains(b, "may not use CRM") {
		t.Fatalf("bob, not authorized: %d", s)
	}

	// A code works once; its second use is refused and revokes what the first gave.
	code := c.code("alice", "correct horse")
	tok, err := ac.Exchange(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if tok.TokenType != "Bearer" || tok.RefreshToken == "" || tok.Scope == "" || time.Until(tok.Expiry) < 119*time.Minute {
		t.Fatalf("token %+v", tok)
	}
	if _, err := ac.Exchange(ctx, code); oauthCode(err) != kgp.OAuthInvalidGrant {
		t.Fatalf("code reused: %v", err)
	}
	if _, err := ac.UserInfo(ctx, tok.AccessToken); oauthCode(err) != kgp.OAuthInvalidToken {
		t.Fatalf("token of a reused code: %v", err)
	}

	// A wrong secret, another tenant's client: invalid_client.
	bad := *ac
	bad.ClientSecret = "not the secret"
	if _, err := bad.Exchange(ctx, c.code("alice", "correct horse")); oauthCode(err) != kgp.OAuthInvalidClient {
		t.Fatalf("wrong secret: %v", err)
	}

	// The session signs alice in without the form; a new code, tokens, userinfo.
	tok, err = ac.Exchange(ctx, c.code("alice", ""))
	if err != nil {
		t.Fatal(err)
	}
	info, err := ac.UserInfo(ctx, tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	want := kgp.UserInfo{UserName: "alice", Name: "Alice", Tenant: c.f.Enterprise.TenantCode, TenantID: c.f.Enterprise.TenantID, Role: "admin", OrgCode: "HQ"}
	if *info != want {
		t.Fatalf("userinfo %+v, want %+v", info, want)
	}
	// The JSON API takes the access token as the enterprise user's.
	if v, err := c.e.Identity.Authenticate(ctx, tok.AccessToken); err != nil || v.Role != market.RoleEnterpriseUser || v.UserID != "alice" {
		t.Fatalf("API viewer of the access token: %+v %v", v, err)
	}

	// Refresh: a new pair; the old refresh token is spent.
	next, err := ac.Refresh(ctx, tok.RefreshToken)
	if err != nil || next.AccessToken == tok.AccessToken || next.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh: %+v %v", next, err)
	}
	if _, err := ac.Refresh(ctx, tok.RefreshToken); oauthCode(err) != kgp.OAuthInvalidGrant {
		t.Fatalf("spent refresh token: %v", err)
	}

	// Access tokens last 2 hours, refresh tokens 30 days, codes 5 minutes.
	c.e.Clock.Advance(2*time.Hour + time.Second)
	if _, err := ac.UserInfo(ctx, next.AccessToken); oauthCode(err) != kgp.OAuthInvalidToken {
		t.Fatalf("expired access token: %v", err)
	}
	if next, err = ac.Refresh(ctx, next.RefreshToken); err != nil {
		t.Fatalf("refresh after the access token expired: %v", err)
	}
	c.e.Clock.Advance(30*24*time.Hour + time.Second)
	if _, err := ac.Refresh(ctx, next.RefreshToken); oauthCode(err) != kgp.OAuthInvalidGrant {
		t.Fatalf("expired refresh token: %v", err)
	}
	code = c.code("alice", "correct horse") // the session expired too
	c.e.Clock.Advance(5*time.Minute + time.Second)
	if _, err := ac.Exchange(ctx, code); oauthCode(err) != kgp.OAuthInvalidGrant {
		t.Fatalf("expired code: %v", err)
	}

	// Logout ends the session and revokes its tokens, and returns to the application.
	tok, err = ac.Exchange(ctx, c.code("alice", ""))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.http.Get(ac.LogoutURL("https://app.example/bye"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://app.example/bye" {
		t.Fatalf("logout: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := ac.UserInfo(ctx, tok.AccessToken); oauthCode(err) != kgp.OAuthInvalidToken {
		t.Fatalf("token after logout: %v", err)
	}
	if loc, status, _ := c.login("alice", ""); loc != nil || status != http.StatusUnauthorized {
		t.Fatalf("after logout the form is back: %v %d", loc, status)
	}
	// A logout asking to go elsewhere stays on the auth centre.
	resp, err = c.http.Get(ac.LogoutURL("https://evil.example/"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("logout to a foreign address: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestTokenEndpointErrors: the exact error bodies and statuses of the token endpoint.
func TestTokenEndpointErrors(t *testing.T) {
	t.Parallel()
	c := serve(t, store.SQLite, nil)
	tokenURL := c.f.Enterprise.DomainName + kgp.AuthPathToken
	creds := "&client_id=" + c.client.ClientID + "&client_secret=" + url.QueryEscape(c.client.ClientSecret)
	cases := []struct {
		name, contentType, body string
		status                  int
		want                    string
	}{
		{"bad code", "application/x-www-form-urlencoded", "grant_type=authorization_code&code=nope" + creds, 400,
			`{"error":"invalid_grant","error_description":"Invalid authorization code"}`},
		{"bad secret", "application/x-www-form-urlencoded", "grant_type=authorization_code&code=nope&client_id=" + c.client.ClientID + "&client_secret=x", 401,
			`{"error":"invalid_client","error_description":"Client authentication failed"}`},
		{"unknown client", "application/x-www-form-urlencoded", "grant_type=authorization_code&code=nope&client_id=x&client_secret=x", 401,
			`{"error":"invalid_client","error_description":"Client authentication failed"}`},
		{"grant type", "application/x-www-form-urlencoded", "grant_type=password" + creds, 400,
			`{"error":"unsupported_grant_type","error_description":"Unsupported grant_type password"}`},
		{"bad refresh", "application/x-www-form-urlencoded", "grant_type=refresh_token&refresh_token=nope" + creds, 400,
			`{"error":"invalid_grant","error_description":"Invalid refresh token"}`},
		{"json body", "application/json", `{"grant_type":"authorization_code"}`, 400,
			`{"error":"invalid_request","error_description":"The request must be application/x-www-form-urlencoded"}`},
		{"repeated parameter", "application/x-www-form-urlencoded", "grant_type=refresh_token&grant_type=refresh_token" + creds, 400,
			`{"error":"invalid_request","error_description":"Parameter grant_type is repeated"}`},
	}
	for _, tc := range cases {
		resp, err := http.Post(tokenURL, tc.contentType, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || strings.TrimSpace(string(body)) != tc.want || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d %s, want %d %s", tc.name, resp.StatusCode, body, tc.status, tc.want)
		}
	}
}

// TestGuessingIsSlowedDown: an address that keeps presenting wrong secrets or passwords is
// refused for a while.
func TestGuessingIsSlowedDown(t *testing.T) {
	t.Parallel()
	c := serve(t, store.SQLite, api.NewFailureLimiter(time.Hour, 3))
	bad := *c.client
	bad.ClientSecret = "guess"
	for i := range 3 {
		if _, err := bad.Exchange(context.Background(), "x"); oauthCode(err) != kgp.OAuthInvalidClient {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if _, err := c.client.Exchange(context.Background(), "x"); oauthCode(err) != "temporarily_unavailable" {
		t.Fatalf("after three wrong secrets even the right one waits: %v", err)
	}
	if _, status, _ := c.login("alice", "correct horse"); status != http.StatusTooManyRequests {
		t.Fatalf("login from the same address: %d", status)
	}
}
