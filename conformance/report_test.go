package conformance_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/conformance"
	"github.com/mercato-oss/mercato/kgp"
)

// sample is a report with one result of every kind.
func sample() *conformance.Report {
	return &conformance.Report{URL: "https://isv.example.com/produce", Generation: kgp.Gen1,
		Started: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC), Duration: 1500 * time.Millisecond,
		Results: []conformance.Result{
			{ID: "accept.newInstance", Rule: "acceptance", Mandatory: true, Verdict: conformance.Pass, Reason: "000000"},
			{ID: "auth.replay", Rule: "replay", Mandatory: true, Verdict: conformance.Skip, Reason: "no nonce in 1.0"},
			{ID: "resp.body-sign", Rule: "body-sign", Mandatory: true, Verdict: conformance.Fail, Reason: "body-sign: no <Body-Sign> & co"},
			{ID: "transport.https", Rule: "https", Mandatory: false, Verdict: conformance.Fail, Reason: "https: http://"},
		}}
}

func TestWriteTable(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	if err := conformance.WriteTable(&b, sample()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"CASE ", "accept.newInstance  pass", "auth.replay         skip",
		"resp.body-sign      FAIL             body-sign: no <Body-Sign> & co",
		"transport.https     fail (optional)",
		"4 cases, 1 passed, 2 failed, 1 skipped in 1.5s; does NOT conform: 1 mandatory case(s) failed",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

// TestWriteJUnit reads the XML back: mandatory failures are <failure>, optional failures and
// skips are <skipped>, so that CI goes red exactly when the exit status is 1.
func TestWriteJUnit(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	if err := conformance.WriteJUnit(&b, sample()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Suite struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Skipped  int `xml:"skipped,attr"`
			Props    []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Class   string `xml:"classname,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Type    string `xml:"type,attr"`
				} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	s := got.Suite
	if s.Tests != 4 || s.Failures != 1 || s.Skipped != 2 || len(s.Cases) != 4 || len(s.Props) != 2 || s.Props[0].Value != "https://isv.example.com/produce" {
		t.Fatalf("suite %+v", s)
	}
	c := s.Cases
	switch {
	case c[0].Failure != nil || c[0].Skipped != nil || c[0].Class != "conformance.accept":
		t.Errorf("pass case: %+v", c[0])
	case c[1].Skipped == nil || c[1].Skipped.Message != "no nonce in 1.0":
		t.Errorf("skip case: %+v", c[1])
	case c[2].Failure == nil || c[2].Failure.Message != "body-sign: no <Body-Sign> & co" || c[2].Failure.Type != "body-sign":
		t.Errorf("mandatory failure: %+v", c[2])
	case c[3].Failure != nil || c[3].Skipped == nil || !strings.HasPrefix(c[3].Skipped.Message, "optional case failed: "):
		t.Errorf("optional failure: %+v", c[3])
	}
}

// TestConfigErrors covers configurations Run refuses before sending anything.
func TestConfigErrors(t *testing.T) {
	t.Parallel()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  conformance.Config
		want string
	}{
		{"no URL", conformance.Config{Key: "k"}, "URL is required"},
		{"relative URL", conformance.Config{URL: "/produce", Key: "k"}, "not an absolute"},
		{"ftp URL", conformance.Config{URL: "ftp://isv.example.com", Key: "k"}, "not an absolute"},
		{"no key", conformance.Config{URL: "https://isv.example.com"}, "Key"},
		{"generation 3", conformance.Config{URL: "https://isv.example.com", Key: "k", Generation: 3}, "generation 3"},
		{"short RSA key", conformance.Config{URL: "https://isv.example.com", Key: "k", KitPublicKey: &small.PublicKey}, "1024 bits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep, err := conformance.Run(context.Background(), tt.cfg)
			if rep != nil || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run = %v, %v; want an error containing %q", rep, err, tt.want)
			}
		})
	}
}

// roundTripFunc is a transport the checker cannot tap.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestOpaqueTransport uses a client whose transport the checker cannot clone: the calls still
// work, and the Body-Sign case says that header-name case could not be seen.
func TestOpaqueTransport(t *testing.T) {
	t.Parallel()
	f := setup(t, opts{gen: kgp.Gen1})
	f.cfg.Client = &http.Client{Transport: roundTripFunc(http.DefaultTransport.RoundTrip)}
	f.cfg.Select = func(id string) bool { return id == "accept.newInstance" || strings.HasPrefix(id, "resp.") }
	rep := run(t, f.cfg)
	for _, id := range []string{"accept.newInstance", "resp.json", "resp.body-sign", "resp.body-sign.valid"} {
		if r := result(t, rep, id); r.Verdict != conformance.Pass {
			t.Errorf("%s: %s %s", id, r.Verdict, r.Reason)
		}
	}
	if r := result(t, rep, "resp.body-sign"); !strings.Contains(r.Reason, "not observable") {
		t.Errorf("resp.body-sign reason %q does not say the header-name case was not observable", r.Reason)
	}
	if r := result(t, rep, "auth.signature"); r.Verdict != conformance.Skip || r.Reason != "not selected" {
		t.Errorf("auth.signature: %s %s", r.Verdict, r.Reason)
	}
}

// TestCancelled stops a run through its context: Run returns what it has and the context's error.
func TestCancelled(t *testing.T) {
	t.Parallel()
	f := setup(t, opts{gen: kgp.Gen2})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := conformance.Run(ctx, f.cfg)
	if err == nil || rep == nil || len(rep.Results) == 0 || rep.Passed() {
		t.Errorf("Run = %v, %v; want a partial, failing report and the context's error", rep, err)
	}
}
