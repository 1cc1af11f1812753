package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

// The demo's joint-operation story: the buyer's enterprise buys and binds the demo product,
// adds an application, authorizes 1,200 users (three authSync batches), moves a department,
// runs a full department sync, a user signs in to the demo merchant through the auth centre,
// and the enterprise unbinds.

// demoRedirect is where the auth centre sends the demo's signed-in user back to: the demo reads
// the code from the redirect itself, as the merchant's callback page would.
const demoRedirect = "https://merchant.demo.invalid/sso/callback"

// uploadKitKey makes the built-in merchant's RSA key pair and uploads the public key to the
// marketplace: applicationSync encrypts client secrets with it.
func (e *demoEnv) uploadKitKey(ctx context.Context) (*rsa.PrivateKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, kgp.MinRSABits)
	if err != nil {
		return nil, err
	}
	pub, err := kgp.MarshalRSAPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	_, err = e.s.Enterprises.PutKitKey(ctx, market.AsSeller(e.merchant.ID), e.merchant.ID, enterprise.KitKeyRequest{PublicKey: pub,
		RedirectURIs: []string{demoRedirect}})
	return priv, err
}

const demoUsers = 1200

func (e *demoEnv) joint(ctx context.Context) (string, error) {
	svc, admin := e.s.Enterprises, market.AsBuyer(e.buyer)
	ent, err := svc.CreateEnterprise(ctx, admin, enterprise.EnterpriseRequest{Name: "Demo Enterprise 示例企业", TenantCode: "demo-ent"})
	if err != nil {
		return "", err
	}
	tid := ent.TenantID
	key, _, err := e.purchase(ctx, false, "OFFIDEMOSTDYEAR", 1)
	if err != nil {
		return "", err
	}
	for _, d := range []enterprise.DepartmentRequest{{OrgCode: "HQ", Name: "Head office"}, {OrgCode: "SALES", Name: "Sales", ParentCode: "HQ"},
		{OrgCode: "RND", Name: "R&D", ParentCode: "HQ"}} {
		if _, err := svc.AddDepartment(ctx, admin, tid, d); err != nil {
			return "", err
		}
	}
	users := []enterprise.UserRequest{{UserName: "demo-admin", Name: "Demo Administrator", OrgCode: "HQ", Role: market.UserRoleAdmin, Password: "demo-password-1"}}
	for i := 1; len(users) < demoUsers; i++ {
		users = append(users, enterprise.UserRequest{UserName: fmt.Sprintf("user%04d", i), Name: fmt.Sprintf("用户 %d", i),
			OrgCode: []string{"SALES", "RND"}[i%2], Email: fmt.Sprintf("user%04d@demo.example", i)})
	}
	if _, err := svc.AddUsers(ctx, admin, tid, users); err != nil {
		return "", err
	}
	if _, err := svc.Bind(ctx, admin, tid, key); err != nil {
		return "", err
	}
	app, err := svc.CreateApp(ctx, admin, tid, key, enterprise.AppRequest{Name: "Demo CRM"})
	if err != nil {
		return "", err
	}
	names := make([]string, len(users))
	for i, u := range users {
		names[i] = u.UserName
	}
	auth, err := svc.Authorize(ctx, admin, tid, enterprise.AuthRequest{InstanceKey: key, AppID: app.AppID, Add: names})
	if err != nil {
		return "", err
	}
	sales := "SALES"
	if _, err := svc.ChangeDepartment(ctx, admin, tid, "RND", enterprise.DepartmentChange{ParentCode: &sales}); err != nil {
		return "", err
	}
	if _, err := svc.SyncDepartments(ctx, admin, tid); err != nil {
		return "", err
	}
	if err := e.settle(ctx); err != nil {
		return "", err
	}
	who, err := e.signOn(ctx, ent)
	if err != nil {
		return "", fmt.Errorf("single sign-on: %w", err)
	}
	if err := svc.Unbind(ctx, admin, tid, key); err != nil {
		return "", err
	}
	if err := e.settle(ctx); err != nil {
		return "", err
	}
	counts, err := e.doneSyncs(ctx, tid)
	if err != nil {
		return "", err
	}
	if auth.Batches != 3 || counts[kgp.KitAuthSync] != 3 || counts[kgp.KitTenantSync] != 2 || counts[kgp.KitAllOrgSync] != 2 {
		return "", fmt.Errorf("%d authorization batches, syncs done %v", auth.Batches, counts)
	}
	return fmt.Sprintf("enterprise %s (domain %s): %d users authorized in %d authSync batches; syncs done %v; %s",
		ent.TenantCode, ent.DomainName, auth.Added, auth.Batches, counts, who), nil
}

// doneSyncs counts an enterprise's syncs by kind, failing on one that did not succeed.
func (e *demoEnv) doneSyncs(ctx context.Context, tid string) (map[string]int, error) {
	list, _, err := e.s.Enterprises.Syncs(ctx, market.AsOperator(), store.SyncFilter{TenantID: tid, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, s := range list {
		if s.State != market.SyncDone {
			return nil, fmt.Errorf("sync %s %s is %s (%s)", s.ID, s.Kind, s.State, s.LastError)
		}
		counts[s.Kind]++
	}
	return counts, nil
}

var demoCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signOn signs demo-admin in to the merchant through the enterprise's auth centre, the way the
// merchant's SSO pages do with the SDK's client: the application's credentials as the merchant
// received them in applicationSync (the secret decrypted with its RSA key), the auth centre's
// login form, the code from the redirect, the token, the user.
func (e *demoEnv) signOn(ctx context.Context, ent *market.Enterprise) (string, error) {
	var app *kgp.ApplicationSync
	for _, r := range e.builtin.Requests() {
		if r.Kit && r.Activity == kgp.KitApplicationSync {
			req, err := kgp.DecodeKit(kgp.KitApplicationSync, r.Generation, r.Body)
			if err != nil {
				return "", err
			}
			a := req.(kgp.ApplicationSync)
			app = &a
		}
	}
	if app == nil {
		return "", fmt.Errorf("the merchant received no applicationSync")
	}
	secret, err := kgp.DecryptClientSecret(e.kitKey, app.ClientSecret)
	if err != nil {
		return "", fmt.Errorf("the clientSecret does not decrypt with the merchant's key: %w", err)
	}
	ac := &sdk.AuthCentre{Domain: ent.DomainName, ClientID: app.ClientID, ClientSecret: secret, RedirectURL: demoRedirect}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(r *http.Request, _ []*http.Request) error {
			if strings.HasPrefix(r.URL.String(), demoRedirect) {
				return http.ErrUseLastResponse // the merchant's callback: read the code here
			}
			return nil
		}}
	resp, err := browser.Get(ac.LoginURL("demo-state"))
	if err != nil {
		return "", err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := demoCSRF.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		return "", fmt.Errorf("login page %s answered %d", resp.Request.URL, resp.StatusCode)
	}
	form := url.Values{"csrf": {string(m[1])}, "userName": {"demo-admin"}, "password": {"demo-password-1"}}
	for k, v := range resp.Request.URL.Query() {
		form[k] = v
	}
	resp, err = browser.PostForm(resp.Request.URL.String(), form)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode/100 != 3 || !strings.HasPrefix(back.String(), demoRedirect) {
		return "", fmt.Errorf("after the form: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	req := httptest.NewRequest(http.MethodGet, back.String(), nil)
	login, err := sdk.ParseLogin(req)
	if err != nil {
		return "", err
	}
	tok, err := ac.Exchange(ctx, login.Code)
	if err != nil {
		return "", err
	}
	user, err := ac.UserInfo(ctx, tok.AccessToken)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("signed in to %s as %s through the auth centre", login.Tenant, user.UserName), nil
}
