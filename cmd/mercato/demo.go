package main

import (
	"context"
	"crypto/rsa"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// runDemo starts a marketplace on SQLite in a temporary directory with a demo merchant (or an
// external one) and drives the whole SaaS lifecycle on an accelerated business clock.
func runDemo(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("demo", "[--merchant-url URL --key K [--kit-key K2] [--generation 1|2]] [--stay]",
		"Run the marketplace with a demo merchant and drive a full story on an accelerated clock: a yearly\n"+
			"purchase, an asynchronous (000004) provisioning, a trial converted to formal, a renewal, an upgrade,\n"+
			"a pay-per-use instance, an expiry through freeze and release, and a merchant outage that heals\n"+
			"within the retry window; then a seller publishes a product through review, sells it, hides a spec,\n"+
			"downgrades at renewal (changeInstanceCheck, RENEWAL_CHANGE) and removes a spec with its SKUs.\n"+
			"Exits 0 only if every step happened as the rules say.\n\n"+
			"With --merchant-url the story runs against your production interface instead, so you can rehearse\n"+
			"the lifecycle. A merchant that looks orders up needs the open API's address, AK and SK before the\n"+
			"story starts: fix them with --api-addr, --ak and --sk and configure your merchant with them.", stderr)
	var o demoOptions
	fs.StringVar(&o.merchantURL, "merchant-url", "", "an external merchant's production URL (default: the built-in demo merchant)")
	fs.StringVar(&o.key, "key", "", "access key bound to the external merchant's basic interfaces")
	fs.StringVar(&o.kitKey, "kit-key", "", "access key bound to the external merchant's kit interfaces")
	fs.IntVar(&o.generation, "generation", 2, "interface generation of the merchant: 1 or 2")
	fs.BoolVar(&o.stay, "stay", false, "keep the marketplace running after the story (Ctrl-C stops it)")
	fs.StringVar(&o.addr, "api-addr", "127.0.0.1:0", "listen address of the marketplace, whose open API your merchant queries")
	fs.StringVar(&o.ak, "ak", "", "the external merchant's open-API AK (default: generated and printed)")
	fs.StringVar(&o.sk, "sk", "", "the external merchant's open-API SK (default: generated and printed)")
	fs.BoolVar(&o.verbose, "v", false, "log the marketplace's and the merchant's activity to stderr")
	if _, code, ok := parseCommand(fs, args, 0); !ok {
		return code
	}
	if o.merchantURL != "" && o.key == "" {
		return usageError(fs, "--merchant-url needs --key")
	}
	if o.generation != 1 && o.generation != 2 {
		return usageError(fs, "--generation must be 1 or 2")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	o.out, o.stderr = stdout, stderr
	if err := o.run(ctx); err != nil {
		fmt.Fprintf(stderr, "mercato demo: %v\n", err)
		return exitFail
	}
	return exitOK
}

type demoOptions struct {
	merchantURL, key, kitKey string
	ak, sk                   string
	generation               int
	stay, verbose            bool
	addr                     string
	out, stderr              io.Writer
}

// demoEnv is a running demo: the marketplace, its clock, and the built-in merchant's knobs.
type demoEnv struct {
	s        *server.Server
	clock    *market.FakeClock
	apiURL   string
	merchant *market.Merchant
	buyer    string
	builtin  *sdktest.Merchant // nil for an external merchant
	// kitKey is the built-in merchant's RSA key: applicationSync encrypts client secrets with
	// its public half, which the demo uploads; the joint-operation story signs on with them.
	kitKey *rsa.PrivateKey
	out    io.Writer
	start  time.Time
}

func (o *demoOptions) run(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "mercato-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if o.verbose {
		log = slog.New(slog.NewTextHandler(o.stderr, nil))
	}
	clock := market.NewFakeClock(time.Now().UTC().Truncate(time.Second))
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	// The public address is the listener's: the auth centre's addresses (domainName) are under it.
	s, err := server.New(ctx, server.Config{DB: "sqlite:" + filepath.Join(dir, "mercato.db"), Site: "cn", RetentionDays: 15,
		CallWorkers: 8, AllowInsecureMerchants: true, OperatorToken: "op_" + market.NewSecret(32), Clock: clock, Log: log, Out: io.Discard,
		PublicURL: "http://" + ln.Addr().String()})
	if err != nil {
		ln.Close()
		return err
	}
	defer s.Close()
	serveCtx, stopServe := context.WithCancel(context.Background())
	defer stopServe()
	if err := s.Start(serveCtx); err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(serveCtx, ln) }()
	defer func() { stopServe(); <-served }()

	env := &demoEnv{s: s, clock: clock, apiURL: "http://" + ln.Addr().String(), out: o.out, start: time.Now()}
	err = o.merchantSide(ctx, env, log)
	if env.builtin != nil {
		defer env.builtin.Close()
	}
	if err != nil {
		return err
	}
	b, token, err := s.Identity.CreateBuyer(ctx, market.AsOperator(), identity.BuyerRequest{Name: "Demo Buyer", Email: "buyer@demo.example", Mobile: "13800000000"})
	if err != nil {
		return err
	}
	if _, err := s.Billing.TopUp(ctx, market.AsOperator(), b.CustomerID, 100_000_000, "demo-welcome"); err != nil { // 100,000 CNY
		return err
	}
	env.buyer = b.CustomerID
	fmt.Fprintf(o.out, "mercato demo: marketplace %s, merchant %s (interface %d.0), business clock starts %s\n\n",
		env.apiURL, env.merchant.ProductionURL, env.merchant.Generation, clock.Now().Format(time.DateTime))

	failed := env.story(ctx)
	if failed > 0 {
		fmt.Fprintf(o.out, "\ndemo FAILED: %d step(s) did not happen as the rules say\n", failed)
	} else {
		fmt.Fprintf(o.out, "\ndemo passed: every step happened as the rules say (%.1f s)\n", time.Since(env.start).Seconds())
	}
	if o.stay {
		if err := env.printConsoleLinks(ctx); err != nil {
			return err
		}
		fmt.Fprintf(o.out, "\nstill running (Ctrl-C stops): JSON API %s/api/v1 with operator token %s, buyer token %s\n",
			env.apiURL, s.Cfg.OperatorToken, token)
		<-ctx.Done()
	}
	if failed > 0 {
		return fmt.Errorf("%d step(s) failed", failed)
	}
	return nil
}

// merchantSide registers the merchant with the marketplace: the external one given by the flags,
// or the built-in one, the SDK's test merchant (sdk/sdktest) on its own local listener.
func (o *demoOptions) merchantSide(ctx context.Context, env *demoEnv, log *slog.Logger) error {
	req := catalog.MerchantRequest{Name: "Demo merchant", Generation: o.generation, AccessKey: o.key, KitKey: o.kitKey, ProductionURL: o.merchantURL,
		AK: o.ak, SK: o.sk}
	if o.merchantURL == "" {
		m, err := sdktest.Start(sdktest.Options{Key: market.NewSecret(32), KitKey: market.NewSecret(32), EncryptType: kgp.EncryptAES256,
			ProvisionBudget: 300 * time.Millisecond, Logger: log})
		if err != nil {
			return err
		}
		env.builtin = m
		req.ProductionURL, req.AccessKey, req.KitKey = m.URL, m.Key, m.KitKey
	}
	nm, err := env.s.Catalog.CreateMerchant(ctx, market.AsOperator(), req)
	if err != nil {
		return err
	}
	env.merchant = nm.Merchant
	if env.builtin == nil {
		fmt.Fprintf(env.out, "merchant open-API credentials: --api-url %s --ak %s --sk %s\n", env.apiURL, nm.Key.AK, nm.Key.SK)
	} else if env.kitKey, err = env.uploadKitKey(ctx); err != nil {
		return err
	}
	return env.seedCatalog(ctx)
}

// seedCatalog gives the demo merchant a product with the specs the story buys.
func (e *demoEnv) seedCatalog(ctx context.Context) error {
	_, err := e.s.Catalog.CreateProduct(ctx, market.AsOperator(), catalog.ProductRequest{ID: "p-demo-crm", MerchantID: e.merchant.ID, Name: "Demo CRM",
		Specs: []catalog.SpecRequest{
			{SkuCode: "demo-standard", Name: "Standard", Charging: market.ChargingPeriod, TrialDays: 7, Plans: []catalog.PlanRequest{
				{ProductID: "OFFIDEMOSTDMONTH", Period: market.PeriodMonth, Price: 99_000},
				{ProductID: "OFFIDEMOSTDYEAR", Period: market.PeriodYear, Price: 990_000}}},
			{SkuCode: "demo-pro", Name: "Professional", Charging: market.ChargingPeriod, Plans: []catalog.PlanRequest{
				{ProductID: "OFFIDEMOPROMONTH", Period: market.PeriodMonth, Price: 199_000},
				{ProductID: "OFFIDEMOPROYEAR", Period: market.PeriodYear, Price: 1_990_000}}},
			{SkuCode: "demo-enterprise-slow", Name: "Enterprise (provisioned asynchronously)", Charging: market.ChargingPeriod, Plans: []catalog.PlanRequest{
				{ProductID: "OFFIDEMOENTYEAR", Period: market.PeriodYear, Price: 9_900_000}}},
			{SkuCode: "demo-api", Name: "API calls", Charging: market.ChargingOnDemand, Plans: []catalog.PlanRequest{
				{ProductID: "OFFIDEMOAPICALLS", Price: 10}}},
		}})
	if err != nil {
		return err
	}
	// Upgrades follow the product's rules (rules §1.7): Standard may become Professional.
	_, err = e.s.Orders.SetUpgradeRules(ctx, market.AsOperator(), "p-demo-crm", []order.RuleRequest{
		{Source: market.SKURef{SkuCode: "demo-standard"}, Target: market.SKURef{SkuCode: "demo-pro"}}})
	return err
}

// printConsoleLinks prints, for each role, a one-time link that signs in to its console: the
// operator, an admin seller user of the demo's merchant, and the demo's buyer.
func (e *demoEnv) printConsoleLinks(ctx context.Context) error {
	op := market.AsOperator()
	u, _, err := e.s.Identity.CreateSellerUser(ctx, op, e.merchant.ID, identity.SellerUserRequest{Name: "demo-admin", Role: market.SellerAdmin})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "\nconsoles (each link signs in once, within a day):\n")
	for _, r := range []struct {
		name string
		p    identity.Principal
	}{
		{"operator", identity.Principal{Role: market.RoleOperator}},
		{"seller", identity.Principal{Role: market.RoleSeller, ID: u.ID}},
		{"buyer", identity.Principal{Role: market.RoleBuyer, ID: e.buyer}},
	} {
		code, err := e.s.Identity.NewLoginLink(ctx, op, r.p, 24*time.Hour)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.out, "  %-8s %s/login/link/%s\n", r.name, e.apiURL, code)
	}
	return nil
}
