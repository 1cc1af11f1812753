package conformance_test

import (
	"context"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/conformance"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

const (
	testKey    = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
	testKitKey = "kit-5f0e1d2c-3b4a-4958-8776-655443322110"
)

// fixture is a merchant under test and a checker configuration aimed at it.
type fixture struct {
	srv *httptest.Server
	cfg conformance.Config
}

// opts are the knobs of setup; the zero value is a conforming 2.0 merchant over plain HTTP with
// a kit key, sending appInfo credentials in plaintext.
type opts struct {
	gen     kgp.Generation
	faults  sdktest.Faults
	slow    time.Duration   // newInstance answers this late
	encrypt kgp.EncryptType // empty: plaintext credentials without encryptType
	tls     bool
	noKit   bool
	timeout time.Duration
	frozen  bool // the checker's clock stands still: each call must still get its own timestamp
}

// setup starts the test merchant (with o.faults) and returns the configuration that checks it.
func setup(t *testing.T, o opts) fixture {
	t.Helper()
	pem, err := os.ReadFile("testdata/merchant-rsa.pem")
	if err != nil {
		t.Fatal(err)
	}
	priv, err := kgp.ParseRSAPrivateKey(string(pem))
	if err != nil {
		t.Fatal(err)
	}
	m, err := sdktest.New(sdktest.Options{Key: testKey, KitKey: testKitKey, ClientKey: priv, EncryptType: o.encrypt})
	if err != nil {
		t.Fatal(err)
	}
	m.Set(func(k *sdktest.Knobs) {
		k.Faults, k.PlaintextAppInfo = o.faults, o.encrypt == ""
		if o.slow > 0 {
			k.Delay[kgp.ActivityNewInstance] = o.slow
		}
	})
	srv := httptest.NewUnstartedServer(m)
	if o.tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	t.Cleanup(m.Close) // first: it ends the delays the server would wait for
	cfg := conformance.Config{URL: srv.URL + "/saasproduce", Key: testKey, KitKey: testKitKey,
		KitPublicKey: &priv.PublicKey, Generation: o.gen, Client: srv.Client(), Timeout: o.timeout}
	if o.noKit {
		cfg.KitKey, cfg.KitPublicKey = "", nil
	}
	if o.frozen {
		start := time.Now()
		cfg.Now = func() time.Time { return start }
	}
	return fixture{srv, cfg}
}

func run(t *testing.T, cfg conformance.Config) *conformance.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	rep, err := conformance.Run(ctx, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

func result(t *testing.T, rep *conformance.Report, id string) conformance.Result {
	t.Helper()
	for _, r := range rep.Results {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no case %q in the report", id)
	return conformance.Result{}
}

func table(t *testing.T, rep *conformance.Report) string {
	var b strings.Builder
	if err := conformance.WriteTable(&b, rep); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestTestMerchantConforms runs the whole suite against the test merchant without faults: every
// case passes, except those that cannot apply (replay in 1.0, HTTPS over a plain listener).
func TestTestMerchantConforms(t *testing.T) {
	t.Parallel()
	change := []string{"accept.changeInstanceCheck", "change.unknown", "change.missing-field"} // 2.0 only
	tests := []struct {
		name string
		o    opts
		skip []string // cases that must be skipped
		fail []string // optional cases that must fail
	}{
		{"2.0 AES-256 over TLS", opts{gen: kgp.Gen2, encrypt: kgp.EncryptAES256, tls: true}, nil, nil},
		{"1.0 AES-128 over TLS", opts{gen: kgp.Gen1, encrypt: kgp.EncryptAES128, tls: true}, append([]string{"auth.replay", "kit.replay"}, change...), nil},
		// The test merchant (the SDK) refuses a byte-identical 1.0 or kit v1 request as a replay,
		// so repeats sent within one millisecond must differ in their timestamp.
		{"1.0 with a frozen clock", opts{gen: kgp.Gen1, encrypt: kgp.EncryptAES256, frozen: true}, append([]string{"auth.replay", "kit.replay"}, change...),
			[]string{"transport.https"}},
		{"2.0 plaintext appInfo over HTTP", opts{gen: kgp.Gen2}, nil, []string{"transport.https"}},
		{"2.0 without kit key", opts{gen: kgp.Gen2, encrypt: kgp.EncryptAES256, tls: true, noKit: true}, []string{
			"accept.kit.tenantSync", "accept.kit.applicationSync", "accept.kit.authSync", "accept.kit.singleOrgSync",
			"accept.kit.allOrgSync", "kit.signature", "kit.timestamp.stale", "kit.replay", "kit.missing-field",
			"kit.add.repeat", "kit.delete.repeat", "kit.delete.unknown", "kit.authSync.500", "kit.authSync.501"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, tt.o)
			rep := run(t, f.cfg)
			for _, r := range rep.Results {
				want := conformance.Pass
				switch {
				case contains(tt.skip, r.ID):
					want = conformance.Skip
				case contains(tt.fail, r.ID):
					want = conformance.Fail
				}
				if r.Verdict != want {
					t.Errorf("%s: %s (%s), want %s", r.ID, r.Verdict, r.Reason, want)
				}
			}
			if !rep.Passed() {
				t.Errorf("Passed() = false")
			}
			if t.Failed() {
				t.Log("\n" + table(t, rep))
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
