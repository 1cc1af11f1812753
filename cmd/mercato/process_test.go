package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Tests that need real `mercato serve` processes (to SIGKILL one, or to run two) re-execute the
// test binary: with MERCATO_TEST_EXEC set, TestMain runs the command line it holds instead of
// the tests.
func TestMain(m *testing.M) {
	if args := os.Getenv("MERCATO_TEST_EXEC"); args != "" {
		os.Exit(run(strings.Split(args, "\x1f"), os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// proc is a `mercato serve` child process.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	log  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs `mercato serve ARGS` and waits until it answers /healthz.
func startServe(t *testing.T, args ...string) *proc {
	t.Helper()
	addr := freeAddr(t)
	full := append([]string{"serve", "--addr", addr, "--allow-insecure-merchants"}, args...)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "MERCATO_TEST_EXEC="+strings.Join(full, "\x1f"), "MERCATO_OPERATOR_TOKEN="+testOperatorToken)
	return startProc(t, cmd, addr, "/healthz")
}

// freeAddr returns a loopback address nothing listens on, for a child process to listen on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startProc starts cmd, which listens on addr, kills it when the test ends unless it has
// stopped, and waits until it answers GET health.
func startProc(t *testing.T, cmd *exec.Cmd, addr, health string) *proc {
	t.Helper()
	p := &proc{t: t, cmd: cmd, base: "http://" + addr, log: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.base + health)
		if err == nil {
			resp.Body.Close()
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not come up:\n%s", cmd.Path, p.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill stops the process with SIGKILL: no cleanup of any kind.
func (p *proc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

// stop asks the process to shut down gracefully and waits.
func (p *proc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
}

// call makes a JSON API request and decodes the answer.
func (p *proc) call(method, path, token string, body any, out any, hdr ...string) int {
	p.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, p.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// seed creates a merchant (production URL url, access key key), a monthly product and a buyer;
// it returns the buyer's token.
func (p *proc) seed(url, key string) string {
	p.t.Helper()
	if code := p.call("POST", "/api/v1/merchants", testOperatorToken, map[string]any{"name": "Acme", "production_url": url, "access_key": key}, nil); code != 201 {
		p.t.Fatalf("create merchant: %d", code)
	}
	var merchants struct{ Merchants []struct{ ID string } }
	p.call("GET", "/api/v1/merchants", testOperatorToken, nil, &merchants)
	if code := p.call("POST", "/api/v1/products", testOperatorToken, map[string]any{"merchant_id": merchants.Merchants[0].ID, "name": "CRM",
		"specs": []any{map[string]any{"sku_code": "std", "name": "Standard", "charging": "PERIOD",
			"plans": []any{map[string]any{"product_id": "OFFISTDM", "period": "month", "price": "10"}}}}}, nil); code != 201 {
		p.t.Fatalf("create product: %d", code)
	}
	var b struct {
		Token      string
		CustomerID string `json:"customer_id"`
	}
	if code := p.call("POST", "/api/v1/buyers", testOperatorToken, map[string]any{"name": "buyer"}, &b); code != 201 {
		p.t.Fatalf("create buyer: %d", code)
	}
	if code := p.call("POST", "/api/v1/buyers/"+b.CustomerID+"/topup", testOperatorToken, map[string]any{"amount": "1000000", "ref": "test"}, nil); code != 200 {
		p.t.Fatalf("top up: %d", code)
	}
	return b.Token
}

// placeOrders places n one-month orders from 8 concurrent clients, alternating between procs,
// and returns their IDs; every order must be acknowledged.
func placeOrders(t *testing.T, procs []*proc, token string, n int) []string {
	t.Helper()
	ids := make([]string, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range next {
				var o struct{ ID string }
				p := procs[i%len(procs)]
				code := p.call("POST", "/api/v1/orders", token, map[string]any{"items": []any{map[string]any{"product_id": "OFFISTDM", "period_number": 1}}},
					&o, "Idempotency-Key", fmt.Sprintf("order-%d", i))
				if code != 201 {
					t.Errorf("order %d: HTTP %d", i, code)
				}
				ids[i] = o.ID
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return ids
}

type orderList struct {
	Orders []struct{ ID, Status, Reason string }
}

type instanceList struct {
	Instances []struct {
		Key        string
		InstanceID string `json:"instance_id"`
		State      string
	}
}

// waitCompleted polls until every order is COMPLETED.
func waitCompleted(t *testing.T, p *proc, n int, timeout time.Duration) orderList {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var l orderList
		p.call("GET", "/api/v1/orders?limit=500", testOperatorToken, nil, &l)
		done := 0
		for _, o := range l.Orders {
			if o.Status == "COMPLETED" {
				done++
			}
		}
		if len(l.Orders) == n && done == n {
			return l
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d orders completed (%d stored) after %s", done, n, len(l.Orders), timeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
