package fulfil

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// TestSendChecksAnswers: what counts as an answer, per generation.
func TestSendChecksAnswers(t *testing.T) {
	t.Parallel()
	const key = "caller-test-key"
	body := []byte(`{"resultCode":"000000","resultMsg":"success.","instanceId":"i-1"}`)
	for _, tc := range []struct {
		name    string
		gen     int
		strict  bool
		handler http.HandlerFunc
		err     string // "" when the answer must be accepted
	}{
		{"2.0 without Body-Sign", 2, false, func(w http.ResponseWriter, r *http.Request) { w.Write(body) }, ""},
		{"2.0 strict without Body-Sign", 2, true, func(w http.ResponseWriter, r *http.Request) { w.Write(body) }, "bodySign is empty"},
		{"2.0 with a wrong Body-Sign", 2, false, func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Body-Sign"] = []string{kgp.BodySign("other", body)}
			w.Write(body)
		}, "Body-Sign"},
		{"1.0 with Body-Sign", 1, false, func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Body-Sign"] = []string{kgp.BodySign(key, body)}
			w.Write(body)
		}, ""},
		{"1.0 without Body-Sign", 1, false, func(w http.ResponseWriter, r *http.Request) { w.Write(body) }, "bodySign is empty"},
		{"HTTP 500", 2, false, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) }, "HTTP 500"},
		{"redirect", 2, false, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/elsewhere", http.StatusFound) }, "HTTP 302"},
		{"not JSON", 2, false, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) }, "not a KooGallery response"},
		{"no resultCode", 2, false, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"resultMsg":"?"}`)) }, "resultCode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			m := &market.Merchant{ID: "m", ProductionURL: srv.URL + "/produce", Generation: tc.gen, AccessKey: key, RequireBodySign: tc.strict}
			var req any = kgp.NewInstance{OrderID: "o", OrderLineID: "o-1", BusinessID: "b"}
			if tc.gen == 1 {
				req = kgp.LegacyNewInstance{CustomerID: "c", OrderID: "o", SkuCode: "s", ProductID: "p", BusinessID: "b"}
			}
			call, err := NewCall(m, req)
			if err != nil {
				t.Fatal(err)
			}
			c := &Caller{HTTP: NewHTTPClient(true), Clock: market.NewFakeClock(time.Unix(1e9, 0))}
			out := c.Send(context.Background(), m, call, 1)
			if tc.err == "" {
				if out.Failed() != "" || out.Response == nil || out.Response.InstanceID != "i-1" {
					t.Fatalf("rejected: %s", out.Failed())
				}
				return
			}
			if out.Response != nil || !strings.Contains(out.Failed(), tc.err) {
				t.Fatalf("error %q, want %q", out.Failed(), tc.err)
			}
		})
	}
}

// TestSendSignsFreshly: every attempt is a new signature, nonce and businessId, verifiable by
// the merchant.
func TestSendSignsFreshly(t *testing.T) {
	t.Parallel()
	const key = "caller-test-key"
	seen := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		q := r.URL.Query()
		if err := kgp.VerifyBasic(key, q.Get("signature"), q.Get("timestamp"), q.Get("nonce"), b); err != nil {
			t.Errorf("signature: %v", err)
		}
		req, err := kgp.DecodeBasic(b)
		if err != nil {
			t.Errorf("body: %v", err)
		} else if bid := req.(kgp.NewInstance).BusinessID; seen[bid] || seen[q.Get("nonce")] {
			t.Error("businessId or nonce repeated")
		} else {
			seen[bid], seen[q.Get("nonce")] = true, true
		}
		w.Write([]byte(`{"resultCode":"000004","instanceId":"i"}`))
	}))
	defer srv.Close()
	m := &market.Merchant{ID: "m", ProductionURL: srv.URL + "/produce?tenant=x", Generation: 2, AccessKey: key}
	c := &Caller{HTTP: NewHTTPClient(true), Clock: market.SystemClock{}}
	call, err := NewCall(m, kgp.NewInstance{OrderID: "o", OrderLineID: "o-1", BusinessID: "b"})
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 3; n++ {
		if out := c.Send(context.Background(), m, call, n); out.Failed() != "" || out.Attempt.ResultCode != "000004" ||
			!strings.Contains(out.Attempt.URL, "tenant=x") {
			t.Fatalf("attempt %d: %+v", n, out.Attempt)
		}
	}
}

// TestBodySignAfterRotation: an answer signed with the key rotated away is accepted for
// market.RotationGrace after the rotation, and refused later.
func TestBodySignAfterRotation(t *testing.T) {
	t.Parallel()
	body := []byte(`{"resultCode":"000000","resultMsg":"success.","instanceId":"i-1"}`)
	h := http.Header{kgp.BodySignHeader: {kgp.BodySign("old-key-0123456789", body)}}
	rotated := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := &market.Merchant{AccessKey: "new-key-0123456789", PreviousAccessKey: "old-key-0123456789", KeysRotatedAt: rotated}
	if err := checkBodySign(m, market.FormBasic, h, body, rotated.Add(time.Hour)); err != nil {
		t.Fatalf("within the grace: %v", err)
	}
	if err := checkBodySign(m, market.FormBasic, h, body, rotated.Add(market.RotationGrace+time.Second)); err == nil {
		t.Fatal("the old key verified an answer after the grace")
	}
	if err := checkBodySign(m, market.FormKitV2, h, body, rotated.Add(time.Hour)); err == nil {
		t.Fatal("the basic interfaces' old key verified a kit answer")
	}
}
