package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/enterprise/enterprisetest"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// syncResult is what `bench sync` measures. The authorization is the administrator's
// transaction (the users' authorizations stored, the batches encoded and queued); sending is
// from then until the merchant accepted the last batch, the part bare POSTs do too.
type syncResult struct {
	Engine           string  `json:"engine"`
	Users            int     `json:"users"`
	Departments      int     `json:"departments"`
	Batches          int     `json:"batches"`
	AuthorizeSeconds float64 `json:"authorize_seconds"`
	SendSeconds      float64 `json:"send_seconds"`
	UsersPerSec      float64 `json:"users_per_sec"`
	SendUsersPerSec  float64 `json:"send_users_per_sec"`
	BareSeconds      float64 `json:"bare_posts_seconds"`
	BareUsersPerSec  float64 `json:"bare_users_per_sec"`
	Ratio            float64 `json:"ratio_to_bare_posts"`
	RatioEndToEnd    float64 `json:"ratio_end_to_end"`
	FullSyncBytes    int     `json:"full_sync_body_bytes"`
	FullSyncMS       float64 `json:"full_sync_ms"`
}

func benchSync(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench sync", "[--users N] [--departments N] [--db DSN] [--json]",
		"Authorize N users of an enterprise of D departments on one application and time the authSync batches\n"+
			"(500 users each) until the local merchant (the SDK handler) has accepted all of them. The baseline is\n"+
			"the same bodies, signed afresh, POSTed straight to a fresh copy of the same merchant with the same\n"+
			"concurrency (--calls-per-merchant), in the same run. Then a full department sync: its body size and\n"+
			"the time until it was accepted.", stderr)
	users := fs.Int("users", 20000, "users to authorize")
	depts := fs.Int("departments", 200, "departments the users are spread over")
	dsn := fs.String("db", "", "database (default: SQLite in a temporary directory); PostgreSQL needs an empty schema")
	perMerchant := fs.Int("calls-per-merchant", 4, "merchant calls in flight to the merchant")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	if _, code, ok := parseCommand(fs, args, 0); !ok {
		return code
	}
	if *users < 1 || *depts < 1 || *perMerchant < 1 {
		return usageError(fs, "--users, --departments and --calls-per-merchant must be at least 1")
	}
	dir, err := os.MkdirTemp("", "mercato-bench-sync-")
	if err != nil {
		return fail(stdio{nil, stdout, stderr}, "bench", err)
	}
	defer os.RemoveAll(dir)
	if *dsn == "" {
		*dsn = "sqlite:" + filepath.Join(dir, "sync.db")
	}
	r, err := syncBench(context.Background(), dir, *dsn, *users, *depts, *perMerchant)
	if err != nil {
		return fail(stdio{nil, stdout, stderr}, "bench", err)
	}
	if *asJSON {
		json.NewEncoder(stdout).Encode(r)
		return exitOK
	}
	fmt.Fprintf(stdout, "sync: %d users in %d authSync batches: authorization %.2f s, sending %.2f s (%.0f users/s; %.0f users/s end to end); bare signed POSTs of the same bodies %.2f s (%.0f users/s); ratio %.2f (%.2f end to end); full department sync of %d departments: %d bytes, accepted in %.0f ms (%s)\n",
		r.Users, r.Batches, r.AuthorizeSeconds, r.SendSeconds, r.SendUsersPerSec, r.UsersPerSec, r.BareSeconds, r.BareUsersPerSec, r.Ratio,
		r.RatioEndToEnd, r.Departments, r.FullSyncBytes, r.FullSyncMS, r.Engine)
	return exitOK
}

// syncFixture is the benchmark's marketplace, merchant and enterprise, bound, with an application.
type syncFixture struct {
	s        *server.Server
	m        *enterprisetest.Merchant
	keyPEM   []byte
	admin    market.Viewer
	tenantID string
	binding  string
	app      *market.TenantApp
}

func syncBench(ctx context.Context, dir, dsn string, users, depts, perMerchant int) (*syncResult, error) {
	f, err := newSyncFixture(ctx, dir, dsn, users, depts, perMerchant)
	if err != nil {
		return nil, err
	}
	defer f.close(ctx)
	names := make([]string, users)
	for i := range names {
		names[i] = fmt.Sprintf("u%06d", i)
	}
	start := time.Now()
	auth, err := f.s.Enterprises.Authorize(ctx, f.admin, f.tenantID, enterprise.AuthRequest{InstanceKey: f.binding, AppID: f.app.AppID, Add: names})
	if err != nil {
		return nil, err
	}
	queued := time.Now()
	if err := f.awaitSynced(ctx); err != nil {
		return nil, err
	}
	r := &syncResult{Engine: string(f.s.DB.Dialect), Users: users, Departments: depts, Batches: auth.Batches,
		AuthorizeSeconds: queued.Sub(start).Seconds(), SendSeconds: time.Since(queued).Seconds()}
	r.UsersPerSec, r.SendUsersPerSec = float64(users)/(r.AuthorizeSeconds+r.SendSeconds), float64(users)/r.SendSeconds
	if r.BareSeconds, err = f.barePosts(ctx, dir, perMerchant); err != nil {
		return nil, err
	}
	r.BareUsersPerSec, r.Ratio = float64(users)/r.BareSeconds, r.BareSeconds/r.SendSeconds
	r.RatioEndToEnd = r.BareSeconds / (r.AuthorizeSeconds + r.SendSeconds)
	start = time.Now()
	if _, err := f.s.Enterprises.SyncDepartments(ctx, f.admin, f.tenantID); err != nil {
		return nil, err
	}
	if err := f.awaitSynced(ctx); err != nil {
		return nil, err
	}
	r.FullSyncMS = float64(time.Since(start).Microseconds()) / 1000
	list, _, err := f.s.DB.Syncs(ctx, store.SyncFilter{TenantID: f.tenantID, Page: store.Page{Limit: 1}})
	if err != nil || len(list) == 0 || list[0].Kind != kgp.KitAllOrgSync {
		return nil, fmt.Errorf("the full sync is not the last sync: %v", err)
	}
	body, err := f.s.DB.SyncRequest(ctx, list[0].ID)
	r.FullSyncBytes = len(body)
	return r, err
}

func newSyncFixture(ctx context.Context, dir, dsn string, users, depts, perMerchant int) (*syncFixture, error) {
	priv, err := rsa.GenerateKey(rand.Reader, kgp.MinRSABits)
	if err != nil {
		return nil, err
	}
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	f := &syncFixture{keyPEM: []byte(base64.StdEncoding.EncodeToString(der))}
	if f.m, err = enterprisetest.StartIn(filepath.Join(dir, "merchant"), f.keyPEM); err != nil {
		return nil, err
	}
	f.m.OneReading = true
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.s, err = server.New(ctx, server.Config{DB: dsn, KeyFile: benchKeyFile(), Site: "cn", CallWorkers: 20, CallsPerMerchant: perMerchant, AllowInsecureMerchants: true,
		OperatorToken: testOperatorToken, Log: log, Out: io.Discard})
	if err != nil {
		f.m.Close()
		return nil, err
	}
	if err := f.s.Start(ctx); err != nil {
		f.close(ctx)
		return nil, err
	}
	return f, f.seed(ctx, users, depts)
}

func (f *syncFixture) close(ctx context.Context) {
	f.s.Queue.Stop(ctx)
	f.s.Close()
	f.m.Close()
}

// seed makes the merchant, its product, a buyer's active instance, and the enterprise with its
// departments and users, bound, with an application; it waits until the merchant has it all.
func (f *syncFixture) seed(ctx context.Context, users, depts int) error {
	s, op := f.s, market.AsOperator()
	nm, err := s.Catalog.CreateMerchant(ctx, op, catalog.MerchantRequest{Name: "bench", ProductionURL: f.m.URL, Generation: 2, AccessKey: f.m.Key, KitKey: f.m.KitKey})
	if err != nil {
		return err
	}
	if _, err := s.Enterprises.PutKitKey(ctx, op, nm.Merchant.ID, enterprise.KitKeyRequest{PublicKey: f.m.PublicKey}); err != nil {
		return err
	}
	if _, err := s.Catalog.CreateProduct(ctx, op, catalog.ProductRequest{MerchantID: nm.Merchant.ID, Name: "bench", Specs: []catalog.SpecRequest{
		{SkuCode: "bench-joint", Name: "team", Charging: market.ChargingPeriod,
			Plans: []catalog.PlanRequest{{ProductID: "OFFIBENCHJOINT", Period: market.PeriodYear, Price: 1000}}}}}); err != nil {
		return err
	}
	b, _, err := s.Identity.CreateBuyer(ctx, op, identity.BuyerRequest{Name: "bench"})
	if err != nil {
		return err
	}
	if _, err := s.Billing.TopUp(ctx, op, b.CustomerID, market.MaxAmount, "bench"); err != nil {
		return err
	}
	f.admin = market.AsBuyer(b.CustomerID)
	o, err := s.Orders.Purchase(ctx, f.admin, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFIBENCHJOINT", PeriodNumber: 1}}})
	if err != nil {
		return err
	}
	f.binding = o.Lines[0].ID
	for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		if in, err := s.DB.Instance(ctx, f.binding); err == nil && in.State == market.InstanceActive {
			break
		}
		if time.Since(start) > time.Minute {
			return fmt.Errorf("the benchmark's instance did not become active")
		}
	}
	e, err := s.Enterprises.CreateEnterprise(ctx, f.admin, enterprise.EnterpriseRequest{Name: "Bench", TenantCode: "bench"})
	if err != nil {
		return err
	}
	f.tenantID = e.TenantID
	for i := range depts {
		d := enterprise.DepartmentRequest{OrgCode: fmt.Sprintf("D%04d", i), Name: fmt.Sprintf("Department %d", i)}
		if i > 0 {
			d.ParentCode = "D0000"
		}
		if _, err := s.Enterprises.AddDepartment(ctx, f.admin, f.tenantID, d); err != nil {
			return err
		}
	}
	for start := 0; start < users; start += enterprise.MaxUsersPerRequest {
		var batch []enterprise.UserRequest
		for i := start; i < min(start+enterprise.MaxUsersPerRequest, users); i++ {
			batch = append(batch, enterprise.UserRequest{UserName: fmt.Sprintf("u%06d", i), Name: fmt.Sprintf("User %d", i),
				OrgCode: fmt.Sprintf("D%04d", i%depts), Email: fmt.Sprintf("u%06d@bench.example", i), Mobile: "13800000000"})
		}
		if _, err := s.Enterprises.AddUsers(ctx, f.admin, f.tenantID, batch); err != nil {
			return err
		}
	}
	if _, err := s.Enterprises.Bind(ctx, f.admin, f.tenantID, f.binding); err != nil {
		return err
	}
	if f.app, err = s.Enterprises.CreateApp(ctx, f.admin, f.tenantID, f.binding, enterprise.AppRequest{Name: "bench"}); err != nil {
		return err
	}
	return f.awaitSynced(ctx)
}

// awaitSynced waits until every sync of the binding is done.
func (f *syncFixture) awaitSynced(ctx context.Context) error {
	for start := time.Now(); ; time.Sleep(2 * time.Millisecond) {
		n, err := f.s.DB.CountOpenSyncs(ctx, f.binding)
		if err != nil || n == 0 {
			return err
		}
		if time.Since(start) > 10*time.Minute {
			return fmt.Errorf("%d syncs still open after 10 minutes", n)
		}
	}
}

// barePosts sends the authSync bodies the marketplace stored, each stamped and signed afresh as
// fulfil does, straight to a fresh copy of the merchant, perMerchant at a time.
func (f *syncFixture) barePosts(ctx context.Context, dir string, perMerchant int) (float64, error) {
	fresh, err := enterprisetest.StartIn(filepath.Join(dir, "bare"), f.keyPEM)
	if err != nil {
		return 0, err
	}
	defer fresh.Close()
	fresh.OneReading = true
	list, _, err := f.s.DB.Syncs(ctx, store.SyncFilter{TenantID: f.tenantID, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		return 0, err
	}
	var bodies [][]byte
	for _, s := range list {
		if s.Kind == kgp.KitAuthSync {
			b, err := f.s.DB.SyncRequest(ctx, s.ID)
			if err != nil {
				return 0, err
			}
			bodies = append(bodies, b)
		}
	}
	client := &http.Client{Timeout: 30 * time.Second}
	url := fresh.URL + kgp.KitPath(kgp.KitAuthSync, kgp.Gen2)
	next := make(chan []byte)
	errs := make(chan error, perMerchant)
	var wg sync.WaitGroup
	start := time.Now()
	for range perMerchant {
		wg.Go(func() {
			for stored := range next {
				if err := postKit(client, url, f.m.KitKey, stored); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for _, b := range bodies {
		next <- b
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return elapsed, nil
}

// postKit stamps, signs and posts one stored kit v2 body, and checks the answer.
func postKit(c *http.Client, url, kitKey string, stored []byte) error {
	req, err := kgp.DecodeKit(kgp.KitAuthSync, kgp.Gen2, stored)
	if err != nil {
		return err
	}
	now := time.Now()
	body, err := kgp.EncodeKit(kgp.StampKit(req, kgp.FormatKitTimeStamp(now)), kgp.Gen2)
	if err != nil {
		return err
	}
	hr, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	ts, nonce := kgp.FormatEpochMillis(now), market.NewSecret(32)
	hr.Header.Set("Content-Type", "application/json")
	hr.Header["x-timestamp"], hr.Header["x-nonce"], hr.Header["x-sign"] = []string{ts}, []string{nonce}, []string{kgp.SignKit(kitKey, ts, nonce, body)}
	resp, err := c.Do(hr)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if r, err := kgp.DecodeResponse(answer); err != nil || r.ResultCode != kgp.ResultSuccess {
		return fmt.Errorf("bare POST answered %s", answer)
	}
	return nil
}
