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
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// usageResult is what `bench usage` measures.
type usageResult struct {
	Engine         string  `json:"engine"`
	Records        int     `json:"records"`
	Clients        int     `json:"clients"`
	RecordsPerSec  float64 `json:"records_per_sec"`
	CeilingPerSec  float64 `json:"ceiling_records_per_sec"`
	Ratio          float64 `json:"ratio"`
	P50MS          float64 `json:"p50_ms"`
	P99MS          float64 `json:"p99_ms"`
	StoredRecords  int64   `json:"stored_records"`
	RejectedPushes int     `json:"rejected_pushes"`
}

// benchInstances is how many pay-per-use instances the pushes spread over.
const benchInstances = 100

func benchUsage(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench usage", "[--records N] [--clients C] [--db DSN] [--json]",
		"Start the marketplace, push signed 1000-record batches over HTTP from concurrent clients (APIG and body\n"+
			"signatures, every rule checked, durable when answered) and report durable records/s and push latency. The\n"+
			"ceiling is the same rows inserted straight into a fresh database of the same engine, measured in the same run.", stderr)
	n := fs.Int("records", 200_000, "records to push, in batches of 1000")
	clients := fs.Int("clients", 2, "concurrent clients (SQLite has one writer: more clients queue, adding latency, not throughput)")
	dsn := fs.String("db", "", "database (default: SQLite in a temporary directory); PostgreSQL needs an empty schema")
	ceilDSN := fs.String("ceiling-db", "", "database for the ceiling (default: another SQLite file, or the --db one's engine via --db)")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	if _, code, ok := parseCommand(fs, args, 0); !ok {
		return code
	}
	io := stdio{nil, stdout, stderr}
	dir, err := os.MkdirTemp("", "mercato-bench-")
	if err != nil {
		return fail(io, "bench", err)
	}
	defer os.RemoveAll(dir)
	if *dsn == "" {
		*dsn = "sqlite:" + filepath.Join(dir, "usage.db")
	}
	if *ceilDSN == "" {
		*ceilDSN = "sqlite:" + filepath.Join(dir, "ceiling.db")
		if !isSQLite(*dsn) {
			*ceilDSN = *dsn
		}
	}
	batches := max(*n/kgp.MaxUsageRecords, 1)
	r, err := pushUsage(context.Background(), *dsn, batches, *clients)
	if err != nil {
		return fail(io, "bench", err)
	}
	if r.CeilingPerSec, err = usageCeiling(context.Background(), *ceilDSN, batches); err != nil {
		return fail(io, "bench", err)
	}
	r.Ratio = r.RecordsPerSec / r.CeilingPerSec
	if *asJSON {
		json.NewEncoder(stdout).Encode(r)
		return exitOK
	}
	fmt.Fprintf(stdout, "usage: %.0f records/s durable, ceiling %.0f records/s, ratio %.2f, p50 %.0f ms, p99 %.0f ms (%s, %d records, %d clients)\n",
		r.RecordsPerSec, r.CeilingPerSec, r.Ratio, r.P50MS, r.P99MS, r.Engine, r.Records, r.Clients)
	return exitOK
}

// usageFixture is a merchant with benchInstances active pay-per-use instances that started 20
// days ago, so that 20 days of distinct usage windows are valid.
type usageFixture struct {
	merchant  *market.Merchant
	key       *market.APIKey
	instances []*market.Instance
	started   time.Time
}

func seedUsage(ctx context.Context, db *store.DB, cat *catalog.Service, now time.Time) (*usageFixture, error) {
	nm, err := cat.CreateMerchant(ctx, market.AsOperator(), catalog.MerchantRequest{Name: "bench", ProductionURL: "https://merchant.bench.example/produce"})
	if err != nil {
		return nil, err
	}
	if _, err := cat.CreateProduct(ctx, market.AsOperator(), catalog.ProductRequest{MerchantID: nm.Merchant.ID, Name: "bench", Specs: []catalog.SpecRequest{
		{SkuCode: "bench-api", Name: "calls", Charging: market.ChargingOnDemand, Plans: []catalog.PlanRequest{{ProductID: "OFFIBENCHAPI", Price: 10}}}}}); err != nil {
		return nil, err
	}
	f := &usageFixture{merchant: nm.Merchant, key: nm.Key, started: now.Add(-20 * 24 * time.Hour).Truncate(time.Hour)}
	buyer := &market.Buyer{CustomerID: market.NewHexID(), Name: "bench", CreatedAt: now}
	err = db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertBuyer(ctx, buyer, market.NewSecret(32)); err != nil {
			return err
		}
		for i := range benchInstances {
			id := market.NewOrderID(now) + fmt.Sprint(i)
			o := &market.Order{ID: id, BuyerID: buyer.CustomerID, MerchantID: nm.Merchant.ID, Type: market.OrderNew, Status: market.OrderCompleted,
				Currency: "CNY", CreatedAt: f.started, UpdatedAt: f.started,
				Lines: []market.OrderLine{{ID: market.LineID(id, 1), OrderID: id, ProductID: "OFFIBENCHAPI", SkuCode: "bench-api", Charging: market.ChargingOnDemand}}}
			in := &market.Instance{Key: o.Lines[0].ID, ID: market.NewUUID(), OrderID: id, MerchantID: nm.Merchant.ID, BuyerID: buyer.CustomerID,
				ProductID: "OFFIBENCHAPI", SkuCode: "bench-api", Charging: market.ChargingOnDemand, State: market.InstanceActive,
				CreatedAt: f.started, UpdatedAt: f.started}
			if _, err := tx.InsertOrder(ctx, o, ""); err != nil {
				return err
			}
			if err := tx.InsertInstance(ctx, in); err != nil {
				return err
			}
			f.instances = append(f.instances, in)
		}
		return nil
	})
	return f, err
}

// batch builds push number b: 1000 records, each in its own one-minute window of one instance.
func (f *usageFixture) batch(b int) kgp.UsagePush {
	p := kgp.UsagePush{UsageRecords: make([]kgp.UsageRecord, kgp.MaxUsageRecords)}
	for i := range p.UsageRecords {
		n := b*kgp.MaxUsageRecords + i
		in := f.instances[n%len(f.instances)]
		begin := f.started.Add(time.Duration(n/len(f.instances)) * time.Minute)
		p.UsageRecords[i] = kgp.UsageRecord{InstanceID: in.ID, MeteringSN: fmt.Sprintf("bench-%09d", n), RecordTime: kgp.FormatSdkDate(begin.Add(time.Minute)),
			BeginTime: kgp.FormatSdkDate(begin), EndTime: kgp.FormatSdkDate(begin.Add(time.Minute)), UsageValue: "1.5"}
	}
	return p
}

func pushUsage(ctx context.Context, dsn string, batches, clients int) (*usageResult, error) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := server.New(ctx, server.Config{DB: dsn, KeyFile: benchKeyFile(), Site: "cn", CallWorkers: 4, OperatorToken: testOperatorToken, Log: log, Out: io.Discard})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	f, err := seedUsage(ctx, s.DB, s.Catalog, time.Now())
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: s.Handler}
	go srv.Serve(ln)
	defer srv.Close()

	// Sign every push before the clock starts: the measurement is the marketplace's work.
	reqs := make([]*signedPush, batches)
	for b := range reqs {
		if reqs[b], err = signPush(ln.Addr().String(), f, b); err != nil {
			return nil, err
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	lat := make([]float64, batches)
	var rejected int
	var mu sync.Mutex
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for b := range next {
				t := time.Now()
				ok := reqs[b].send(client)
				lat[b] = float64(time.Since(t).Microseconds()) / 1000
				if !ok {
					mu.Lock()
					rejected++
					mu.Unlock()
				}
			}
		})
	}
	for b := range batches {
		next <- b
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	stored, _, err := countUsage(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	slices.Sort(lat)
	return &usageResult{Engine: string(s.DB.Dialect), Records: batches * kgp.MaxUsageRecords, Clients: clients,
		RecordsPerSec: float64(stored) / elapsed, P50MS: lat[len(lat)/2], P99MS: lat[len(lat)*99/100], StoredRecords: stored,
		RejectedPushes: rejected}, nil
}

func countUsage(ctx context.Context, db *store.DB) (int64, market.Quantity, error) {
	return db.CountUsage(ctx)
}

// signedPush is a ready-to-send usage push.
type signedPush struct {
	url    string
	header http.Header
	body   []byte
}

func signPush(host string, f *usageFixture, b int) (*signedPush, error) {
	raw, err := json.Marshal(f.batch(b))
	if err != nil {
		return nil, err
	}
	body, err := kgp.CanonicalJSON(raw)
	if err != nil {
		return nil, err
	}
	u := &url.URL{Scheme: "http", Host: host, Path: kgp.PathUsagePush}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(kgp.HeaderSdkDate, kgp.FormatSdkDate(time.Now()))
	ts, nonce := kgp.FormatEpochMillis(time.Now()), market.NewUUID()
	sig, err := kgp.SignUsage(f.merchant.AccessKey, ts, nonce, body)
	if err != nil {
		return nil, err
	}
	h.Set("signature", sig)
	h.Set("ts", ts)
	h.Set("nonce", nonce)
	authz, err := kgp.SignAPIG(f.key.AK, f.key.SK, &kgp.APIGRequest{Method: http.MethodPost, URL: u, Host: host, Header: h, Body: body}, "content-type", "host")
	if err != nil {
		return nil, err
	}
	h.Set("Authorization", authz)
	return &signedPush{url: u.String(), header: h, body: body}, nil
}

func (p *signedPush) send(c *http.Client) bool {
	req, _ := http.NewRequest(http.MethodPost, p.url, bytes.NewReader(p.body))
	req.Header = p.header.Clone()
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var r kgp.ErrorResponse
	json.NewDecoder(resp.Body).Decode(&r)
	return resp.StatusCode == http.StatusOK && r.ErrorCode == kgp.MKTSuccess
}

// usageCeiling inserts the same rows straight into a fresh database, one batch per transaction,
// with no HTTP, signatures, decoding or checks: the most the store can take.
func usageCeiling(ctx context.Context, dsn string, batches int) (float64, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if err := db.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		return 0, err
	}
	now := time.Now()
	f := &usageFixture{started: now.Add(-20 * 24 * time.Hour).Truncate(time.Hour)}
	for i := range benchInstances {
		f.instances = append(f.instances, &market.Instance{Key: fmt.Sprintf("ceiling-%03d", i), ID: market.NewUUID()})
	}
	keys := map[string]string{}
	for _, in := range f.instances {
		keys[in.ID] = in.Key
	}
	rows := make([][]market.UsageRecord, batches)
	for b := range rows {
		for _, r := range f.batch(b).UsageRecords {
			begin, _ := kgp.ParseSdkDate(r.BeginTime)
			end, _ := kgp.ParseSdkDate(r.EndTime)
			rows[b] = append(rows[b], market.UsageRecord{MerchantID: "m-ceiling", MeteringSN: r.MeteringSN, InstanceKey: keys[r.InstanceID],
				BuyerID: "b", ProductID: "OFFIBENCHAPI", BeginAt: begin, EndAt: end, RecordAt: end, Quantity: 15_000, ReceivedAt: now, CycleAt: end})
		}
	}
	start := time.Now()
	for _, batch := range rows {
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.InsertUsage(ctx, batch)
			return err
		}); err != nil {
			return 0, err
		}
	}
	return float64(batches*kgp.MaxUsageRecords) / time.Since(start).Seconds(), nil
}
