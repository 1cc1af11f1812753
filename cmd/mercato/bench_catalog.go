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
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/internal/store"
)

// catalogResult is what `bench catalog` measures.
type catalogResult struct {
	Engine      string  `json:"engine"`
	Products    int     `json:"products"`
	Plans       int     `json:"plans"`
	Clients     int     `json:"clients"`
	Requests    int     `json:"requests"`
	SeedSeconds float64 `json:"seed_seconds"`
	// The storefront over HTTP (the JSON API, as a shop front calls it): half listing pages
	// filtered by category at random depths, half full-text searches by name.
	PerSec      float64 `json:"storefront_per_sec"`
	P50MS       float64 `json:"storefront_p50_ms"`
	P99MS       float64 `json:"storefront_p99_ms"`
	SearchP99MS float64 `json:"search_p99_ms"`
	// The same requests' queries, through the catalog service without HTTP; and each half
	// alone, the listing pages and the searches.
	QueryPerSec       float64 `json:"query_per_sec"`
	QueryP99MS        float64 `json:"query_p99_ms"`
	ListingQueryPerS  float64 `json:"listing_query_per_sec"`
	SearchQueryPerSec float64 `json:"search_query_per_sec"`
	// The bare indexed SELECT of each request's page (the same size, no joins or filters).
	BaselinePerSec float64 `json:"baseline_per_sec"`
	BaselineP99MS  float64 `json:"baseline_p99_ms"`
	// Ratio is the storefront queries' rate over the bare SELECT's; HTTPRatio the storefront
	// over HTTP's.
	Ratio     float64 `json:"ratio"`
	HTTPRatio float64 `json:"http_ratio"`
}

// catalogWords name the bench's products, two per name, so that a word finds about one product
// in twenty.
var catalogWords = []string{"crm", "invoicing", "ledger", "payroll", "analytics", "backup", "monitor", "mail", "chat", "storage",
	"firewall", "search", "forms", "survey", "helpdesk", "wiki", "kanban", "calendar", "signature", "translation"}

// catalogCategories spread the products over ten categories, the listing's filter.
var catalogCategories = []string{"crm", "finance", "hr", "data", "ops", "security", "office", "service", "dev", "ai"}

func benchCatalog(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench catalog", "[--products N] [--requests N] [--clients C] [--db DSN] [--json]",
		"Seed N products with 3 specs each, on sale, then serve storefront requests over HTTP from concurrent clients —\n"+
			"half listing pages filtered by category at random depths, half full-text searches by name (SQLite FTS5,\n"+
			"PostgreSQL to_tsvector) — and report requests/s and p99 beside the bare indexed SELECT of each request's page\n"+
			"(the same size, no joins, filters or HTTP), measured in the same run. Target: p99 under 50 ms, ratio 0.5 or more.", stderr)
	n := fs.Int("products", 10_000, "products to seed, with 3 specs (one monthly plan each)")
	requests := fs.Int("requests", 4000, "storefront requests (and as many baseline SELECTs)")
	clients := fs.Int("clients", 4, "concurrent clients")
	dsn := fs.String("db", "", "database (default: SQLite in a temporary directory); PostgreSQL needs an empty schema")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	if _, code, ok := parseCommand(fs, args, 0); !ok {
		return code
	}
	io := stdio{nil, stdout, stderr}
	db, cleanup, err := benchDB(*dsn, "catalog.db")
	if err != nil {
		return fail(io, "bench", err)
	}
	defer cleanup()
	*dsn = db
	r, err := storefront(context.Background(), *dsn, *n, *requests, max(*clients, 1))
	if err != nil {
		return fail(io, "bench", err)
	}
	if *asJSON {
		json.NewEncoder(stdout).Encode(r)
		return exitOK
	}
	fmt.Fprintf(stdout, "catalog: HTTP %.0f requests/s, p50 %.1f ms, p99 %.1f ms (search p99 %.1f ms); queries %.0f/s (listing %.0f/s, search %.0f/s), p99 %.1f ms; bare SELECT %.0f/s, p99 %.1f ms; ratio %.2f (listing %.2f, search %.2f, HTTP %.2f) (%s, %d products, %d plans, %d clients)\n",
		r.PerSec, r.P50MS, r.P99MS, r.SearchP99MS, r.QueryPerSec, r.ListingQueryPerS, r.SearchQueryPerSec, r.QueryP99MS, r.BaselinePerSec, r.BaselineP99MS,
		r.Ratio, r.ListingQueryPerS/r.BaselinePerSec, r.SearchQueryPerSec/r.BaselinePerSec, r.HTTPRatio, r.Engine, r.Products, r.Plans, r.Clients)
	return exitOK
}

// seedCatalog stores n products of one merchant, 3 specs each, 250 products a transaction. It
// goes through the catalog's builder and insert, as an approved release does.
func seedCatalog(ctx context.Context, s *server.Server, n int) (int, error) {
	nm, err := s.Catalog.CreateMerchant(ctx, market.AsOperator(), catalog.MerchantRequest{Name: "bench", ProductionURL: "https://merchant.bench.example/produce"})
	if err != nil {
		return 0, err
	}
	plans := 0
	for from := 0; from < n; from += 250 {
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			for i := from; i < min(from+250, n); i++ {
				w := len(catalogWords)
				r := catalog.ProductRequest{ID: fmt.Sprintf("p-bench-%05d", i), MerchantID: nm.Merchant.ID, Category: catalogCategories[i%len(catalogCategories)],
					Name: fmt.Sprintf("%s %s %05d", catalogWords[i%w], catalogWords[(i/w+i)%w], i)}
				for j, spec := range []string{"basic", "pro", "enterprise"} {
					r.Specs = append(r.Specs, catalog.SpecRequest{SkuCode: fmt.Sprintf("bench-%05d-%s", i, spec), Name: spec, Charging: market.ChargingPeriod,
						Plans: []catalog.PlanRequest{{ProductID: fmt.Sprintf("OFFIBENCH%05d%d", i, j), Period: market.PeriodMonth, Price: market.Money(10_000 * (j + 1))}}})
				}
				p, err := s.Catalog.Build(r, market.StatusOnSalePublic, time.Now())
				if err != nil {
					return err
				}
				if err := s.Catalog.Insert(ctx, tx, p, []byte(`{"public":true}`)); err != nil {
					return err
				}
				plans += len(p.Plans)
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return plans, nil
}

// shopperRequest is one storefront request, its filter, and the page its baseline reads.
type shopperRequest struct {
	query  url.Values
	filter store.StorefrontFilter
	after  store.Cursor
	search bool
}

func storefront(ctx context.Context, dsn string, n, requests, clients int) (*catalogResult, error) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := server.New(ctx, server.Config{DB: dsn, Site: "cn", CallWorkers: 4, OperatorToken: testOperatorToken, Log: log, Out: io.Discard})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	start := time.Now()
	plans, err := seedCatalog(ctx, s, n)
	if err != nil {
		return nil, err
	}
	// A live database has statistics (autovacuum's ANALYZE on PostgreSQL); a freshly seeded one
	// gets them now, or the planner guesses from empty tables.
	if err := s.DB.Analyze(ctx); err != nil {
		return nil, err
	}
	r := &catalogResult{Engine: string(s.DB.Dialect), Products: n, Plans: plans, Clients: clients, Requests: requests,
		SeedSeconds: time.Since(start).Seconds()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: s.Handler}
	go srv.Serve(ln)
	defer srv.Close()
	reqs := make([]shopperRequest, requests)
	for i := range reqs {
		q, f := url.Values{"limit": {"100"}}, store.StorefrontFilter{Page: store.Page{Limit: 100}}
		if i%2 == 0 {
			// A page at a random depth: the storefront from product k on, its baseline from k's
			// first plan on.
			k := (i * 7919) % max(1, n*8/10) // deep, but with a full page of the category left
			f.Category, f.Page.After = catalogCategories[i%len(catalogCategories)], store.Cursor{ID: fmt.Sprintf("p-bench-%05d\n", k)}
			q.Set("category", f.Category)
			q.Set("cursor", f.Page.After.String())
			reqs[i].after = store.Cursor{ID: fmt.Sprintf("OFFIBENCH%05d0", k)}
		} else {
			f.Query = catalogWords[(i/2)%len(catalogWords)]
			q.Set("q", f.Query)
			reqs[i].search = true
		}
		reqs[i].query, reqs[i].filter = q, f
	}
	base := "http://" + ln.Addr().String() + "/api/v1/catalog?"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	lat, elapsed, err := measure(requests, clients, func(i int) error {
		req, _ := http.NewRequest(http.MethodGet, base+reqs[i].query.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+testOperatorToken)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		// The page is read whole, not decoded: the client's JSON work is not the marketplace's.
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"product_id"`)) {
			return fmt.Errorf("storefront %s: HTTP %d, %.200s, %v", reqs[i].query.Encode(), resp.StatusCode, body, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var search []float64
	for i, l := range lat {
		if reqs[i].search {
			search = append(search, l)
		}
	}
	r.PerSec, r.P50MS, r.P99MS, r.SearchP99MS = float64(requests)/elapsed, percentile(lat, 50), percentile(lat, 99), percentile(search, 99)
	lat, elapsed, err = measure(requests, clients, func(i int) error {
		page, _, err := s.Catalog.Catalog(ctx, reqs[i].filter)
		if err == nil && len(page) == 0 {
			err = fmt.Errorf("an empty storefront page")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	r.QueryPerSec, r.QueryP99MS = float64(requests)/elapsed, percentile(lat, 99)
	for _, search := range []bool{false, true} {
		var half []shopperRequest
		for _, q := range reqs {
			if q.search == search {
				half = append(half, q)
			}
		}
		_, elapsed, err := measure(len(half), clients, func(i int) error {
			_, _, err := s.Catalog.Catalog(ctx, half[i].filter)
			return err
		})
		if err != nil {
			return nil, err
		}
		if search {
			r.SearchQueryPerSec = float64(len(half)) / elapsed
		} else {
			r.ListingQueryPerS = float64(len(half)) / elapsed
		}
	}
	lat, elapsed, err = measure(requests, clients, func(i int) error {
		page, _, err := s.DB.PlanPage(ctx, store.Page{Limit: 100, After: reqs[i].after})
		if err == nil && len(page) == 0 {
			err = fmt.Errorf("an empty baseline page")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	r.BaselinePerSec, r.BaselineP99MS = float64(requests)/elapsed, percentile(lat, 99)
	r.Ratio, r.HTTPRatio = r.QueryPerSec/r.BaselinePerSec, r.PerSec/r.BaselinePerSec
	return r, nil
}

// measure runs do for 0..n-1 on clients goroutines and returns each call's latency (ms, by
// index) and the seconds the whole took.
func measure(n, clients int, do func(i int) error) ([]float64, float64, error) {
	lat := make([]float64, n)
	next := make(chan int)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for i := range next {
				t := time.Now()
				err := do(i)
				lat[i] = float64(time.Since(t).Microseconds()) / 1000
				if err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return lat, time.Since(start).Seconds(), first
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// percentile is the p-th percentile of xs (which it sorts).
func percentile(xs []float64, p int) float64 {
	if len(xs) == 0 {
		return 0
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs[min(len(xs)-1, len(xs)*p/100)]
}
