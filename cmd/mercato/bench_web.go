package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/internal/store"
)

// webResult is what `bench web` measures: each console page beside the JSON API's answer for the
// same data, in the same run.
type webResult struct {
	Engine    string      `json:"engine"`
	Orders    int         `json:"orders"`
	Instances int         `json:"instances"`
	Requests  int         `json:"requests_per_page"`
	Clients   int         `json:"clients"`
	Pages     []webFigure `json:"pages"`
}

type webFigure struct {
	Role      string  `json:"role"`
	Page      string  `json:"page"`
	API       string  `json:"api"`
	PerSec    float64 `json:"page_per_sec"`
	P95MS     float64 `json:"page_p95_ms"`
	APIPerSec float64 `json:"api_per_sec"`
	APIP95MS  float64 `json:"api_p95_ms"`
	// Ratio is the page's rate over the JSON API's.
	Ratio float64 `json:"ratio"`
}

func benchWeb(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench web", "[--orders N] [--instances N] [--requests N] [--clients C] [--db DSN] [--json]",
		"Seed one buyer and one seller with N orders and M active instances, then render the consoles' main pages\n"+
			"over HTTP (signed in, as a browser would) and, in the same run, ask the JSON API for the same data\n"+
			"with the same page size. Reports requests/s and p95 of each, and the ratio. Target: p95 under 100 ms,\n"+
			"ratio 0.5 or more.", stderr)
	orders := fs.Int("orders", 10_000, "orders of the buyer (all at the one seller)")
	instances := fs.Int("instances", 1000, "active instances among them")
	requests := fs.Int("requests", 1000, "requests per page (and as many to the JSON API)")
	clients := fs.Int("clients", 4, "concurrent clients")
	dsn := fs.String("db", "", "database (default: SQLite in a temporary directory); PostgreSQL needs an empty schema")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the run (seeding left out) to this file")
	if _, code, ok := parseCommand(fs, args, 0); !ok {
		return code
	}
	io := stdio{nil, stdout, stderr}
	db, cleanup, err := benchDB(*dsn, "web.db")
	if err != nil {
		return fail(io, "bench", err)
	}
	defer cleanup()
	*dsn = db
	r, err := consolePages(context.Background(), *dsn, *orders, min(*instances, *orders), max(*requests, 1), max(*clients, 1), *profile)
	if err != nil {
		return fail(io, "bench", err)
	}
	if *asJSON {
		json.NewEncoder(stdout).Encode(r)
		return exitOK
	}
	fmt.Fprintf(stdout, "web: %s, %d orders, %d instances, %d requests per page, %d clients\n", r.Engine, r.Orders, r.Instances, r.Requests, r.Clients)
	for _, p := range r.Pages {
		fmt.Fprintf(stdout, "  %-6s %-22s %6.0f/s p95 %5.1f ms | JSON API %6.0f/s p95 %5.1f ms | ratio %.2f | %s\n",
			p.Role, p.Page, p.PerSec, p.P95MS, p.APIPerSec, p.APIP95MS, p.Ratio, p.API)
	}
	return exitOK
}

// webSeed is what the bench seeded: who signs in, and an order and instance to read.
type webSeed struct {
	buyer, buyerToken, sellerUser, sellerToken string
	order, instance                            string
}

func consolePages(ctx context.Context, dsn string, orders, instances, requests, clients int, profile string) (*webResult, error) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := server.New(ctx, server.Config{DB: dsn, Site: "cn", CallWorkers: 4, OperatorToken: testOperatorToken, Log: log, Out: io.Discard})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	seed, err := seedWeb(ctx, s, orders, instances)
	if err != nil {
		return nil, err
	}
	if err := s.DB.Analyze(ctx); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: s.Handler}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}

	r := &webResult{Engine: string(s.DB.Dialect), Orders: orders, Instances: instances, Requests: requests, Clients: clients}
	for _, role := range []struct {
		name  string
		p     identity.Principal
		token string
		// pages are each console page with the JSON API requests a client makes for the same
		// data (several, when the page shows what several endpoints answer).
		pages []webPage
	}{
		{"buyer", identity.Principal{Role: market.RoleBuyer, ID: seed.buyer}, seed.buyerToken, []webPage{
			{"/my/", []string{"/api/v1/buyers/" + seed.buyer + "/account", "/api/v1/orders?limit=5", "/api/v1/instances?limit=5"}},
			{"/my/orders", []string{"/api/v1/orders?limit=20"}},
			{"/my/orders/" + seed.order, []string{"/api/v1/orders/" + seed.order, "/api/v1/instances?order_id=" + seed.order}},
			{"/my/instances", []string{"/api/v1/instances?limit=20"}},
			{"/my/instances/" + seed.instance, []string{"/api/v1/instances/" + seed.instance, "/api/v1/instances/" + seed.instance + "/unsubscribe",
				"/api/v1/catalog/specs/bench-web-basic"}},
		}},
		{"seller", identity.Principal{Role: market.RoleSeller, ID: seed.sellerUser}, seed.sellerToken, []webPage{
			{"/seller/orders", []string{"/api/v1/orders?limit=20"}},
			{"/seller/orders/" + seed.order, []string{"/api/v1/orders/" + seed.order, "/api/v1/instances?order_id=" + seed.order}},
			{"/seller/instances", []string{"/api/v1/instances?limit=20"}},
			{"/seller/calls", []string{"/api/v1/calls?limit=20"}},
		}},
	} {
		console, err := signedInClient(ctx, s, base, role.p, clients)
		if err != nil {
			return nil, err
		}
		api := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
		for _, pg := range role.pages {
			// Figures name the pages by their patterns, not the seeded IDs.
			label := strings.NewReplacer(seed.order, "{id}", seed.instance, "{key}", seed.buyer, "{buyer}")
			f := webFigure{Role: role.name, Page: label.Replace(pg.page), API: label.Replace(strings.Join(pg.api, " + "))}
			// The two alternate in halves, so that both meet the same machine.
			var pageLat, apiLat []float64
			var pageSec, apiSec float64
			for range 2 {
				lat, sec, err := measure(requests/2, clients, func(int) error { return fetch(console, base+pg.page, "", "</html>") })
				if err != nil {
					return nil, fmt.Errorf("page %s: %w", pg.page, err)
				}
				pageLat, pageSec = append(pageLat, lat...), pageSec+sec
				lat, sec, err = measure(requests/2, clients, func(int) error {
					for _, u := range pg.api {
						if err := fetch(api, base+u, role.token, "{"); err != nil {
							return fmt.Errorf("API %s: %w", u, err)
						}
					}
					return nil
				})
				if err != nil {
					return nil, err
				}
				apiLat, apiSec = append(apiLat, lat...), apiSec+sec
			}
			f.PerSec, f.P95MS = float64(len(pageLat))/pageSec, percentile(pageLat, 95)
			f.APIPerSec, f.APIP95MS = float64(len(apiLat))/apiSec, percentile(apiLat, 95)
			f.Ratio = f.PerSec / f.APIPerSec
			r.Pages = append(r.Pages, f)
		}
	}
	return r, nil
}

// webPage is a console page and the JSON API requests that answer the same data.
type webPage struct {
	page string
	api  []string
}

// signedInClient is a browser-like client signed in to the consoles as p, through a one-time
// link.
func signedInClient(ctx context.Context, s *server.Server, base string, p identity.Principal, clients int) (*http.Client, error) {
	code, err := s.Identity.NewLoginLink(ctx, market.AsOperator(), p, time.Hour)
	if err != nil {
		return nil, err
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	if err := fetch(c, base+"/login/link/"+code, "", "</html>"); err != nil {
		return nil, fmt.Errorf("sign in as %s: %w", p.Role, err)
	}
	return c, nil
}

// fetch GETs url and reads the answer whole; it must be 200 and hold want.
func fetch(c *http.Client, url, token, want string) error {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(want)) {
		return fmt.Errorf("HTTP %d, %.200s, %v", resp.StatusCode, body, err)
	}
	return nil
}

// seedWeb stores a merchant with one product, its admin seller user, a buyer, and orders of the
// buyer at the merchant, the first instances of them active; 500 orders a transaction, straight
// into the store (the pages read them; how they came to be is not what is measured).
func seedWeb(ctx context.Context, s *server.Server, orders, instances int) (*webSeed, error) {
	op := market.AsOperator()
	nm, err := s.Catalog.CreateMerchant(ctx, op, catalog.MerchantRequest{Name: "bench", ProductionURL: "https://merchant.bench.example/produce"})
	if err != nil {
		return nil, err
	}
	m := nm.Merchant
	p, err := s.Catalog.Build(catalog.ProductRequest{ID: "p-bench-web", MerchantID: m.ID, Category: "office", Name: "Bench office suite",
		Specs: []catalog.SpecRequest{{SkuCode: "bench-web-basic", Name: "basic", Charging: market.ChargingPeriod,
			Plans: []catalog.PlanRequest{{ProductID: "OFFIBENCHWEB0", Period: market.PeriodMonth, Price: 10_000}}}}}, market.StatusOnSalePublic, time.Now())
	if err != nil {
		return nil, err
	}
	if err := s.DB.Write(ctx, func(tx *store.Tx) error { return s.Catalog.Insert(ctx, tx, p, []byte(`{"public":true}`)) }); err != nil {
		return nil, err
	}
	b, buyerToken, err := s.Identity.CreateBuyer(ctx, op, identity.BuyerRequest{Name: "Bench buyer"})
	if err != nil {
		return nil, err
	}
	u, sellerToken, err := s.Identity.CreateSellerUser(ctx, op, m.ID, identity.SellerUserRequest{Name: "bench-admin", Role: market.SellerAdmin})
	if err != nil {
		return nil, err
	}
	seed := &webSeed{buyer: b.CustomerID, buyerToken: buyerToken, sellerUser: u.ID, sellerToken: sellerToken}
	start := time.Now().Add(-time.Duration(orders) * time.Minute)
	for from := 0; from < orders; from += 500 {
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			for i := from; i < min(from+500, orders); i++ {
				at := start.Add(time.Duration(i) * time.Minute)
				id := market.NewOrderID(at)
				line := market.OrderLine{ID: fmt.Sprintf("%s-1", id), OrderID: id, ProductID: "OFFIBENCHWEB0", SkuCode: "bench-web-basic",
					Charging: market.ChargingPeriod, Period: market.PeriodMonth, PeriodNumber: 1, Amount: 10_000, StartsAt: at, ExpireAt: at.AddDate(0, 1, 0)}
				o := &market.Order{ID: id, BuyerID: b.CustomerID, MerchantID: m.ID, Type: market.OrderNew, Status: market.OrderCompleted, Amount: 10_000,
					Currency: "CNY", CreatedAt: at, UpdatedAt: at, Lines: []market.OrderLine{line}}
				if _, err := tx.InsertOrder(ctx, o, ""); err != nil {
					return err
				}
				seed.order = id
				if i < instances {
					in := &market.Instance{Key: line.ID, ID: strings.ToLower(market.NewHexID()), OrderID: id, MerchantID: m.ID, BuyerID: b.CustomerID,
						ProductID: line.ProductID, SkuCode: line.SkuCode, Charging: line.Charging, Period: line.Period, State: market.InstanceActive,
						Delivery: market.DeliverySaaS, ExpireAt: line.ExpireAt, CreatedAt: at, UpdatedAt: at,
						AppInfoJSON: []byte(`{"frontEndUrl":"https://app.bench.example/","adminUrl":"https://app.bench.example/admin"}`)}
					if err := tx.InsertInstance(ctx, in); err != nil {
						return err
					}
					seed.instance = in.Key
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return seed, nil
}
