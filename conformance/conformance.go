// Package conformance checks a live KooGallery merchant endpoint the way the platform's debug
// tool and dial tests do, and stricter: every interface must accept a correctly signed call,
// refuse a wrong signature, a stale timestamp, a replayed nonce and a missing mandatory field with
// the right resultCode and without side effects, stay idempotent under repeats and concurrent
// duplicates, answer signed JSON within KooGallery's 5-second budget, and hand out credentials
// that decrypt with the access key.
//
// Run sends real requests, built and signed with package kgp, to the production URL under test,
// with testFlag=1 and the documented mock orders (kgp.MockOrders). It returns a Report with one
// Result per case; WriteTable and WriteJUnit render it. docs/conformance.md explains every case
// and what a black-box check cannot see. The package imports only kgp and the standard library,
// so a merchant can run it from its own tests.
package conformance

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// DefaultTimeout is KooGallery's per-call timeout (§2.6, §7): a slower answer is a failure.
const DefaultTimeout = 5 * time.Second

// DefaultProvisionWait bounds how long the checker polls queryInstance for the appInfo of an
// instance whose newInstance answered 000004 (asynchronous provisioning).
const DefaultProvisionWait = 30 * time.Second

// Default 1.0 product identifiers, sent in 1.0 newInstance and upgrade calls, which carry the spec
// (2.0 calls carry only order IDs and the merchant looks the rest up).
const (
	DefaultProductID = "MOCKPRODUCT-000001"
	DefaultSkuCode   = "MOCKSKU-000001"
)

// Config says which endpoint to check and how.
type Config struct {
	// URL is the production URL as registered with KooGallery. Kit calls go to URL plus the
	// fixed /produceAPI sub-path.
	URL string
	// Key is the access key bound to the basic interfaces: it signs requests, verifies Body-Sign
	// and decrypts appInfo.
	Key string
	// KitKey is the access key bound to the joint-operation kit interfaces. Kit cases run only
	// when it is set and are skipped otherwise.
	KitKey string
	// KitPublicKey is the merchant's RSA public key as uploaded for its application credential.
	// applicationSync carries a clientSecret encrypted with it, so the applicationSync parts of
	// the kit cases are left out without it.
	KitPublicKey *rsa.PublicKey
	// Generation selects SaaS 2.0 (POST basic interfaces, kit v2; the default) or 1.0 (GET basic
	// interfaces, kit v1).
	Generation kgp.Generation
	// Client sends the requests. Nil means a client like http.DefaultClient. When its Transport
	// is nil or an *http.Transport, the checker uses a clone of it that opens one HTTP/1.1
	// connection per call and records response header names as sent, which the case-sensitive
	// Body-Sign rule needs; net/http would otherwise canonicalise them. With any other
	// RoundTripper header-name case is not observable and the Body-Sign case says so.
	Client *http.Client
	// Timeout is the budget of one call, KooGallery's 5 s by default.
	Timeout time.Duration
	// ProvisionWait bounds polling for asynchronously provisioned instances (000004).
	ProvisionWait time.Duration
	// ProductID and SkuCode fill the 1.0 newInstance and upgrade parameters.
	ProductID, SkuCode string
	// Now is the clock that request timestamps are taken from; nil means time.Now.
	Now func() time.Time
	// Logger receives one debug record per call; nil discards.
	Logger *slog.Logger
	// Select, when set, chooses the cases to run by ID; the others are reported as skipped.
	Select func(id string) bool
}

// Verdict is the outcome of one case.
type Verdict string

// The verdicts of a case.
const (
	Pass Verdict = "pass"
	Fail Verdict = "fail"
	Skip Verdict = "skip"
)

// Result is the verdict of one case with its reason, which names the rule it checks.
type Result struct {
	ID        string        // stable case identifier, e.g. "idem.newInstance.concurrent"
	Rule      string        // the rule the case checks, e.g. "idempotency"
	Title     string        // what the case does, one line
	Spec      string        // the protocol sections the rule comes from
	Mandatory bool          // a failure makes the whole check fail
	Verdict   Verdict       // pass, fail or skip
	Reason    string        // one line; for a failure it starts with the rule broken
	Duration  time.Duration // wall time of the case
	Calls     int           // requests the case sent
}

// Report is the outcome of a Run.
type Report struct {
	URL        string
	Generation kgp.Generation
	Started    time.Time
	Duration   time.Duration
	Results    []Result
}

// Passed reports whether every mandatory case passed, which is what `mercato check` turns into
// exit status 0. Skipped mandatory cases (kit cases without a kit key) do not fail the check.
func (r *Report) Passed() bool {
	for _, res := range r.Results {
		if res.Mandatory && res.Verdict == Fail {
			return false
		}
	}
	return true
}

// Count returns how many results have verdict v, and how many of those are mandatory.
func (r *Report) Count(v Verdict) (all, mandatory int) {
	for _, res := range r.Results {
		if res.Verdict == v {
			all++
			if res.Mandatory {
				mandatory++
			}
		}
	}
	return all, mandatory
}

// Run checks the merchant endpoint of cfg and reports every case; everything the merchant does
// wrong is in the Report. The error is a configuration the checker cannot use (the Report is
// then nil) or ctx's error when the run was cut short (the Report holds the cases run so far).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	p := newProbe(cfg)
	rep := &Report{URL: cfg.URL, Generation: cfg.Generation, Started: time.Now()}
	for _, c := range cases() {
		rep.Results = append(rep.Results, p.runCase(ctx, c))
		if ctx.Err() != nil {
			break // the report so far says what ran
		}
	}
	rep.Duration = time.Since(rep.Started)
	return rep, ctx.Err()
}

// withDefaults validates cfg and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	u, err := url.Parse(cfg.URL)
	switch {
	case cfg.URL == "":
		return cfg, errors.New("conformance: URL is required")
	case err != nil:
		return cfg, fmt.Errorf("conformance: URL: %w", err)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return cfg, fmt.Errorf("conformance: URL %q is not an absolute http(s) URL", cfg.URL)
	case cfg.Key == "":
		return cfg, errors.New("conformance: Key (the access key bound to the basic interfaces) is required")
	case cfg.KitPublicKey != nil && cfg.KitPublicKey.N.BitLen() < kgp.MinRSABits:
		return cfg, fmt.Errorf("conformance: KitPublicKey has %d bits; KooGallery requires at least %d", cfg.KitPublicKey.N.BitLen(), kgp.MinRSABits)
	}
	switch cfg.Generation {
	case 0:
		cfg.Generation = kgp.Gen2
	case kgp.Gen1, kgp.Gen2:
	default:
		return cfg, fmt.Errorf("conformance: generation %d: want 1 or 2", cfg.Generation)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.ProvisionWait <= 0 {
		cfg.ProvisionWait = DefaultProvisionWait
	}
	if cfg.ProductID == "" {
		cfg.ProductID = DefaultProductID
	}
	if cfg.SkuCode == "" {
		cfg.SkuCode = DefaultSkuCode
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	return cfg, nil
}
