package conformance

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// maxRecorded is how many bytes of a response a connection keeps for reading its header names;
// header blocks are far smaller, and the body is read separately.
const maxRecorded = 64 << 10

// headerField is a response header line as it came over the wire.
type headerField struct {
	name, value string
}

// exchange is one request and its answer, kept so that the response cases can examine every
// answer of the run and each case can be charged with its own slow calls.
type exchange struct {
	caseID  string
	label   string // what was called: "newInstance", "1.0 releaseInstance", "kit v2 authSync"
	kit     bool   // a kit call, whose Body-Sign uses the kit key
	elapsed time.Duration
	err     error // a transport failure or an overrun budget: there is no answer
	status  int
	header  http.Header
	body    []byte
	// fields are the header lines as sent; nil when the transport could not record them.
	fields []headerField
	tls    *tls.ConnectionState
}

// tapConn records the first bytes a connection reads, so that header names can be seen as the
// merchant sent them: net/http canonicalises them, and KooGallery matches Body-Sign exactly.
type tapConn struct {
	net.Conn
	mu  sync.Mutex
	buf []byte
	tls *tls.ConnectionState
}

// Read implements net.Conn.
func (c *tapConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	if room := maxRecorded - len(c.buf); room > 0 {
		c.buf = append(c.buf, p[:min(n, room)]...)
	}
	c.mu.Unlock()
	return n, err
}

// fields returns the header lines of the final (non-1xx) response recorded on the connection.
func (c *tapConn) fields() []headerField {
	c.mu.Lock()
	raw := c.buf
	c.mu.Unlock()
	for {
		end := bytes.Index(raw, []byte("\r\n\r\n"))
		if end < 0 {
			return nil
		}
		lines := strings.Split(string(raw[:end]), "\r\n")
		raw = raw[end+4:]
		if status := strings.Fields(lines[0]); len(status) > 1 && strings.HasPrefix(status[1], "1") && status[1] != "101" {
			continue // an interim response; the final one follows
		}
		fields := []headerField{}
		for _, l := range lines[1:] {
			if name, value, ok := strings.Cut(l, ":"); ok {
				fields = append(fields, headerField{name, strings.TrimSpace(value)})
			}
		}
		return fields
	}
}

// newClient returns the client the checker sends with.
// A clone of the base transport is taken so that the caller's client is left as it was: one
// connection per call (so that each connection's bytes belong to one answer), HTTP/1.1 only
// (HTTP/2 lower-cases every header name on the wire, KooGallery speaks HTTP/1.1), no proxy (the
// tapped bytes must be the merchant's), and no redirects (KooGallery does not follow them).
func newClient(base *http.Client) *http.Client {
	var t *http.Transport
	switch rt := base.Transport.(type) {
	case nil:
		t = http.DefaultTransport.(*http.Transport).Clone()
	case *http.Transport:
		t = rt.Clone()
	default:
		c := *base
		c.CheckRedirect = noRedirect
		return &c // header lines are not recorded: the Body-Sign case says so
	}
	dial := t.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: 30 * time.Second}).DialContext
	}
	dialTLS := t.DialTLSContext
	tlsConfig := t.TLSClientConfig
	t.Proxy = nil
	t.DisableKeepAlives = true
	t.ForceAttemptHTTP2 = false
	t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &tapConn{Conn: conn}, nil
	}
	t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dialTLS != nil {
			conn, err := dialTLS(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			tc := &tapConn{Conn: conn}
			if s, ok := conn.(interface{ ConnectionState() tls.ConnectionState }); ok {
				st := s.ConnectionState()
				tc.tls = &st
			}
			return tc, nil
		}
		raw, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		cfg := &tls.Config{}
		if tlsConfig != nil {
			cfg = tlsConfig.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName, _, _ = net.SplitHostPort(addr)
		}
		cfg.NextProtos = []string{"http/1.1"}
		conn := tls.Client(raw, cfg)
		if err := conn.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, err
		}
		st := conn.ConnectionState()
		return &tapConn{Conn: conn, tls: &st}, nil
	}
	c := *base
	c.Transport = t
	c.Timeout = 0 // each call has its own deadline, the budget
	c.CheckRedirect = noRedirect
	return &c
}

// noRedirect hands a redirect back as the answer, which then fails as not being JSON.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
