package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/openapi"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/kgp"
)

// heartbeatResult is what `bench heartbeat` measures.
type heartbeatResult struct {
	Engine         string  `json:"engine"`
	Licenses       int     `json:"licenses"`
	Clients        int     `json:"clients"`
	Seconds        float64 `json:"seconds"`
	PerSec         float64 `json:"heartbeats_per_sec"`
	P50MS          float64 `json:"p50_ms"`
	P99MS          float64 `json:"p99_ms"`
	BaselinePerSec float64 `json:"baseline_req_per_sec"`
	Ratio          float64 `json:"ratio"`
	Acknowledged   int64   `json:"acknowledged"`
	Stored         int64   `json:"stored"`
	MeanBatch      float64 `json:"mean_batch"`
	// WriterBusy is the share of the run the group commit spent committing: near 1, the one
	// writer is the limit.
	WriterBusy float64 `json:"writer_busy"`
}

func benchHeartbeat(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench heartbeat", "[--licenses N] [--clients C] [--duration D] [--db DSN] [--json]",
		"Start the marketplace, buy N license instances, receive and activate their codes, then send signed license\n"+
			"heartbeats (v1) over HTTP keep-alive connections from C clients for D, and report the heartbeats/s answered\n"+
			"92020000 (each durable when answered) with their latency. The baseline is the same signed requests, in the\n"+
			"same run, to a handler that only verifies the APIG signature (SK from memory) and answers a fixed body.", stderr)
	n := fs.Int("licenses", 1000, "license instances the heartbeats spread over")
	requests := fs.Int("requests", 400_000, "distinct signed heartbeats prepared before the run: each is sent once (a request sent again is a replay, answered but not stored)")
	clients := fs.Int("clients", 256, "concurrent clients, one connection each")
	duration := fs.Duration("duration", 5*time.Second, "how long each of the two runs lasts (at most 10m: requests are signed once)")
	dsn := fs.String("db", "", "database (default: SQLite in a temporary directory); PostgreSQL needs an empty schema")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	if _, code, ok := parseCommand(fs, args, 0); !ok {
		return code
	}
	io := stdio{nil, stdout, stderr}
	if *n < 1 || *clients < 1 || *requests < *n || *duration <= 0 || *duration > 10*time.Minute {
		return fail(io, "bench heartbeat", errors.New("--licenses and --clients must be positive, --requests at least --licenses, --duration 0 to 10m"))
	}
	db, cleanup, err := benchDB(*dsn, "heartbeat.db")
	if err != nil {
		return fail(io, "bench", err)
	}
	defer cleanup()
	*dsn = db
	r, err := runHeartbeatBench(context.Background(), *dsn, *n, *requests, *clients, *duration)
	if err != nil {
		return fail(io, "bench heartbeat", err)
	}
	if *asJSON {
		json.NewEncoder(stdout).Encode(r)
		return exitOK
	}
	fmt.Fprintf(stdout, "heartbeat: %.0f heartbeats/s durable, p50 %.1f ms, p99 %.1f ms; baseline %.0f req/s (the same signed requests to a handler that only verifies the signature); ratio %.2f (%s, %d licenses, %d clients, mean batch %.1f, writer busy %.0f%%)\n",
		r.PerSec, r.P50MS, r.P99MS, r.BaselinePerSec, r.Ratio, r.Engine, r.Licenses, r.Clients, r.MeanBatch, 100*r.WriterBusy)
	return exitOK
}

// runHeartbeatBench runs the marketplace on dsn with n activated licenses and measures both runs,
// the marketplace's with requests distinct signed heartbeats.
func runHeartbeatBench(ctx context.Context, dsn string, n, requests, clients int, d time.Duration) (*heartbeatResult, error) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := server.New(ctx, server.Config{DB: dsn, KeyFile: benchKeyFile(), Site: "cn", CallWorkers: 1, OperatorToken: testOperatorToken, Log: log, Out: io.Discard})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if err := s.Start(ctx); err != nil {
		return nil, err
	}
	key, codes, err := seedLicenses(ctx, s, n)
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()

	// The baseline: the same requests, verified and answered with nothing else.
	base, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	bsrv := &http.Server{Handler: verifyOnlyHandler(map[string]string{key.AK: key.SK})}
	go bsrv.Serve(base)
	defer bsrv.Close()

	basePool, err := signHeartbeats(base.Addr().String(), key, codes, len(codes))
	if err != nil {
		return nil, err
	}
	pool, err := signHeartbeats(ln.Addr().String(), key, codes, requests)
	if err != nil {
		return nil, err
	}
	b, err := heartbeatLoad(base.Addr().String(), basePool, clients, d)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	batches0, rows0, busy0 := s.Licenses.RecorderStats()
	began := time.Now()
	m, err := heartbeatLoad(ln.Addr().String(), pool, clients, d)
	if err != nil {
		return nil, err
	}
	batches, rows, busy := s.Licenses.RecorderStats()
	elapsed := time.Since(began)
	stop()
	if err := <-served; err != nil {
		return nil, err
	}
	stored, err := s.DB.CountHeartbeats(context.Background(), "")
	if err != nil {
		return nil, err
	}
	// Every acknowledged heartbeat must be stored (the activations stored none), and none may
	// have been a replay, which is answered without being stored.
	if m.acked > int64(len(pool)) {
		return nil, fmt.Errorf("%d heartbeats sent but only %d distinct ones prepared: raise --requests", m.acked, len(pool))
	}
	if stored < m.acked {
		return nil, fmt.Errorf("%d heartbeats acknowledged but only %d stored", m.acked, stored)
	}
	r := &heartbeatResult{Engine: string(s.DB.Dialect), Licenses: n, Clients: clients, Seconds: d.Seconds(), PerSec: m.perSec,
		P50MS: m.p50, P99MS: m.p99, BaselinePerSec: b.perSec, Ratio: m.perSec / b.perSec, Acknowledged: m.acked, Stored: stored}
	if batches > batches0 {
		r.MeanBatch = float64(rows-rows0) / float64(batches-batches0)
	}
	r.WriterBusy = (busy - busy0).Seconds() / elapsed.Seconds()
	return r, nil
}

// seedLicenses creates a merchant with a monthly license plan and a buyer who buys n licenses,
// receives and activates them. It returns the merchant's AK/SK and the codes.
func seedLicenses(ctx context.Context, s *server.Server, n int) (*market.APIKey, []string, error) {
	nm, err := s.Catalog.CreateMerchant(ctx, market.AsOperator(), catalog.MerchantRequest{Name: "bench", ProductionURL: "https://merchant.bench.example/produce"})
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.Catalog.CreateProduct(ctx, market.AsOperator(), catalog.ProductRequest{MerchantID: nm.Merchant.ID, Name: "bench", Specs: []catalog.SpecRequest{
		{SkuCode: "bench-seat", Name: "seat", Charging: market.ChargingPeriod, Delivery: market.DeliveryLicense,
			Plans: []catalog.PlanRequest{{ProductID: "OFFIBENCHSEAT", Period: market.PeriodMonth, Price: 1000}}}}}); err != nil {
		return nil, nil, err
	}
	b, _, err := s.Identity.CreateBuyer(ctx, market.AsOperator(), identity.BuyerRequest{Name: "bench"})
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.Billing.TopUp(ctx, market.AsOperator(), b.CustomerID, market.MaxAmount, "bench"); err != nil {
		return nil, nil, err
	}
	// One item per order (an order has one instance per productId), from a few goroutines.
	codes := make([]string, n)
	errs := make(chan error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range next {
				errs <- func() error {
					o, err := s.Orders.Purchase(ctx, market.AsBuyer(b.CustomerID), order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFIBENCHSEAT", PeriodNumber: 1}}})
					if err != nil {
						return err
					}
					ls, err := s.Licenses.Receive(ctx, market.AsBuyer(b.CustomerID), o.Lines[0].ID)
					if err != nil {
						return err
					}
					codes[i] = ls[0].Code
					_, err = s.Licenses.Activate(ctx, market.AsSeller(nm.Merchant.ID), ls[0].Code, nil)
					return err
				}()
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	return nm.Key, codes, nil
}

// signHeartbeats builds total distinct ready-to-send HTTP/1.1 heartbeat requests, round-robin
// over the codes, signed for host: the measurement is the server's work, not the client's signing.
func signHeartbeats(host string, key *market.APIKey, codes []string, total int) ([][]byte, error) {
	u := &url.URL{Scheme: "http", Host: host, Path: kgp.PathLicenseHeartbeat}
	pool := make([][]byte, total)
	for i := range total {
		c := codes[i%len(codes)]
		body, err := json.Marshal(kgp.LicenseRequest{License: c, HeartbeatInfo: &kgp.HeartbeatInfo{
			ThirdPartyAccount: "user-" + strconv.Itoa(i), IP: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)}})
		if err != nil {
			return nil, err
		}
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		h.Set(kgp.HeaderSdkDate, kgp.FormatSdkDate(time.Now()))
		authz, err := kgp.SignAPIG(key.AK, key.SK, &kgp.APIGRequest{Method: http.MethodPost, URL: u, Host: host, Header: h, Body: body}, "content-type", "host")
		if err != nil {
			return nil, err
		}
		pool[i] = fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%s: %s\r\nAuthorization: %s\r\nContent-Length: %d\r\n\r\n%s",
			u.Path, host, kgp.HeaderSdkDate, h.Get(kgp.HeaderSdkDate), authz, len(body), body)
	}
	return pool, nil
}

// verifyOnlyHandler is the baseline handler: the open API's authentication without the database.
func verifyOnlyHandler(secrets map[string]string) http.Handler {
	ok := []byte(`{"error_code":"92020000","error_msg":"success"}` + "\n")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, openapi.MaxLicenseBody))
		a, aerr := kgp.ParseAPIGAuthorization(r.Header.Get("Authorization"))
		sk, known := secrets[a.Access]
		if err != nil || aerr != nil || !known || kgp.CheckSdkDate(r.Header.Get(kgp.HeaderSdkDate), time.Now(), openapi.SdkDateWindow) != nil ||
			kgp.VerifyAPIG(sk, a, &kgp.APIGRequest{Method: r.Method, URL: r.URL, Host: r.Host, Header: r.Header, Body: body}) != nil {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.Write(ok)
	})
}

// heartbeatLoadResult is one run's figures.
type heartbeatLoadResult struct {
	perSec, p50, p99 float64
	acked            int64 // every request answered 92020000, warm-up included
}

// heartbeatLoad sends the pool round-robin from clients connections for a warm-up second and then d,
// and measures the requests that started and ended inside d.
func heartbeatLoad(addr string, pool [][]byte, clients int, d time.Duration) (*heartbeatLoadResult, error) {
	warm := time.Now().Add(time.Second)
	end := warm.Add(d)
	var acked, next atomic.Int64
	var mu sync.Mutex
	var lat []float64
	var firstErr error
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			mine, err := heartbeatClient(addr, pool, &next, warm, end, &acked)
			mu.Lock()
			defer mu.Unlock()
			lat = append(lat, mine...)
			if err != nil && firstErr == nil {
				firstErr = err
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if len(lat) == 0 {
		return nil, errors.New("no request completed")
	}
	slices.Sort(lat)
	return &heartbeatLoadResult{perSec: float64(len(lat)) / d.Seconds(), p50: lat[len(lat)/2], p99: lat[len(lat)*99/100], acked: acked.Load()}, nil
}

var heartbeatOK = []byte(`"error_code":"92020000"`)

// heartbeatClient is one keep-alive connection sending requests until end, each the pool's next
// one; it returns the latencies (ms) of those that started after warm and finished by end.
func heartbeatClient(addr string, pool [][]byte, next *atomic.Int64, warm, end time.Time, acked *atomic.Int64) ([]float64, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	br := bufio.NewReaderSize(conn, 8<<10)
	var lat []float64
	for {
		start := time.Now()
		if !start.Before(end) {
			return lat, nil
		}
		i := next.Add(1) - 1
		if _, err := conn.Write(pool[i%int64(len(pool))]); err != nil {
			return lat, err
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return lat, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return lat, err
		}
		if resp.StatusCode != http.StatusOK || !bytes.Contains(body, heartbeatOK) {
			return lat, fmt.Errorf("heartbeat answered %d %s", resp.StatusCode, body)
		}
		acked.Add(1)
		if done := time.Now(); !start.Before(warm) && !done.After(end) {
			lat = append(lat, float64(done.Sub(start).Microseconds())/1000)
		}
	}
}
