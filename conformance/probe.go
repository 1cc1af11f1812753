package conformance

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// maxBody caps a response body; a queryInstance answer for 100 instances is some 50 KiB.
const maxBody = 4 << 20

// probe is the state of one Run: the client, the run's unique suffix and every exchange so far.
type probe struct {
	cfg    Config
	client *http.Client
	run    string // random per run, so that reruns against one merchant never share data
	seq    atomic.Int64
	last   atomic.Int64 // the last request timestamp handed out, Unix milliseconds

	mu  sync.Mutex
	log []*exchange
}

func newProbe(cfg Config) *probe {
	return &probe{cfg: cfg, client: newClient(cfg.Client), run: strings.ToLower(randomHex(4))}
}

// exchangesOf returns the exchanges of one case, or of the whole run when id is empty.
func (p *probe) exchangesOf(id string) []*exchange {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*exchange
	for _, x := range p.log {
		if id == "" || x.caseID == id {
			out = append(out, x)
		}
	}
	return out
}

// caseRun is a probe seen from one case, which its exchanges are charged to.
type caseRun struct {
	*probe
	id string
}

func (c *caseRun) exchanges() []*exchange { return c.exchangesOf(c.id) }

// unique returns a value no other call of this run, and no earlier run, has used.
func (p *probe) unique(prefix string) string {
	return fmt.Sprintf("%s%s%04d", prefix, p.run, p.seq.Add(1))
}

// stamp returns the timestamp of a new request: now, but at least a millisecond after the
// previous one. 1.0 and kit v1 requests have no nonce, so two sends of one request within a
// millisecond would be byte-identical — a replay, which a merchant may rightly refuse; KooGallery's
// retries always carry a new timestamp. The drift is bounded by the calls per millisecond.
func (p *probe) stamp() time.Time {
	now := p.cfg.Now().UnixMilli()
	for {
		last := p.last.Load()
		next := max(now, last+1)
		if p.last.CompareAndSwap(last, next) {
			return time.UnixMilli(next)
		}
	}
}

// randomHex returns n random bytes as uppercase hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// newBusinessID returns a fresh businessId in KooGallery's UUID form; each call gets its own,
// retries included (§4.1).
func newBusinessID() string {
	h := strings.ToLower(randomHex(16))
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newNonce returns a nonce in the 64-hex-digit form of KooGallery's examples.
func newNonce() string { return randomHex(32) }

// reply is the outcome of one call.
type reply struct {
	x    *exchange
	resp *kgp.Response // nil when there is no decodable answer
	err  error         // why there is no decodable answer, worded as a violation
}

// code returns the resultCode, or "" when there is none.
func (r *reply) code() kgp.ResultCode {
	if r.resp == nil {
		return ""
	}
	return r.resp.ResultCode
}

// send encodes, signs and sends one request.
func (c *caseRun) send(ctx context.Context, req request, opts ...option) *reply {
	w, err := c.prepare(req, opts...)
	if err != nil {
		return &reply{err: fmt.Errorf("building %s: %w", req.label(c.cfg.Generation), err)}
	}
	return c.sendWire(ctx, w)
}

// sendWire sends a prepared request as is; sending one twice is a replay.
func (c *caseRun) sendWire(ctx context.Context, w *wire) *reply {
	x := &exchange{caseID: c.id, label: w.label, kit: w.kit}
	defer func() {
		c.mu.Lock()
		c.log = append(c.log, x)
		c.mu.Unlock()
	}()
	cctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var (
		connMu sync.Mutex
		conn   net.Conn
	)
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		connMu.Lock()
		conn = info.Conn
		connMu.Unlock()
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(cctx, trace), w.method, w.url, bytes.NewReader(w.body))
	if err != nil {
		x.err = err
		return &reply{x: x, err: err}
	}
	req.Header = w.header
	start := time.Now()
	resp, err := c.client.Do(req)
	if err == nil {
		x.status, x.header = resp.StatusCode, resp.Header
		x.body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
	}
	x.elapsed = time.Since(start)
	connMu.Lock()
	if tc, ok := conn.(*tapConn); ok {
		x.fields, x.tls = tc.fields(), tc.tls
	}
	connMu.Unlock()
	r := &reply{x: x}
	switch {
	case err != nil && ctx.Err() == nil && errors.Is(cctx.Err(), context.DeadlineExceeded):
		x.err = broke("budget", "%s got no complete answer within the %s budget (KooGallery gives up after 5 s, §2)", w.label, c.cfg.Timeout)
		r.err = x.err
	case err != nil:
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is long and says nothing the label does not
		}
		x.err = broke("transport", "%s: %v", w.label, err)
		r.err = x.err
	default:
		r.resp, err = kgp.DecodeResponse(x.body)
		if err != nil {
			r.err = broke("json", "%s answered HTTP %d with %s, not a JSON result with a resultCode", w.label, x.status, quoteBody(x.body))
		}
	}
	c.cfg.Logger.Debug("conformance call", "case", c.id, "call", w.label, "status", x.status,
		"resultCode", r.code(), "elapsed", x.elapsed, "err", r.err)
	return r
}

// quoteBody shows the start of a body in a reason.
func quoteBody(b []byte) string {
	const limit = 80
	if len(b) == 0 {
		return "an empty body"
	}
	if len(b) > limit {
		return fmt.Sprintf("%q…", b[:limit])
	}
	return fmt.Sprintf("%q", b)
}

// describe names a resultCode with its documented meaning, for reasons.
func describe(code kgp.ResultCode) string {
	if m := code.Meaning(); m != "" {
		return fmt.Sprintf("%s (%s)", code, m)
	}
	return fmt.Sprintf("%q", string(code))
}

// expectSuccess requires 000000, or 000004 where asynchronous processing is allowed.
func (r *reply) expectSuccess(rule, what string, async bool) error {
	if r.err != nil {
		return r.err
	}
	if r.code() == kgp.ResultSuccess || async && r.code() == kgp.ResultProcessing {
		return nil
	}
	msg := r.resp.ResultMsg
	if msg != "" {
		msg = fmt.Sprintf(" %q", msg)
	}
	return broke(rule, "%s answered %s%s, want 000000", what, describe(r.code()), msg)
}

// expectRejected requires one of codes.
func (r *reply) expectRejected(rule, what string, codes ...kgp.ResultCode) error {
	if r.err != nil {
		return r.err
	}
	for _, c := range codes {
		if r.code() == c {
			return nil
		}
	}
	want := make([]string, len(codes))
	for i, c := range codes {
		want[i] = string(c)
	}
	return broke(rule, "%s answered %s, want %s", what, describe(r.code()), strings.Join(want, " or "))
}
