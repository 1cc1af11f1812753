package main

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"time"

	"github.com/mercato-oss/mercato/conformance"
	"github.com/mercato-oss/mercato/kgp"
)

const checkAbout = `Runs the conformance suite against a live merchant production URL: the calls KooGallery's
debug tool makes (documented mock orders, testFlag=1) and stricter ones — wrong signatures,
stale timestamps, replayed nonces, missing fields, concurrent duplicates, unknown instances,
Body-Sign, the 5-second budget. Each case prints pass, FAIL (mandatory), fail (optional) or
skip, with the rule behind it; docs/conformance.md describes every case.

The checker creates test instances and kit data on the merchant, named uniquely per run, so
runs do not interfere with each other.

Exit status: 0 when every mandatory case passed, 1 otherwise, 2 for a usage error.
--junit writes the same results as JUnit XML for CI; optional failures appear there as
skipped test cases so that the CI status follows the exit status.`

// checkFlags are the command line of `mercato check`.
type checkFlags struct {
	url, key, kitKey, kitPublicKey, junit, run, productID, skuCode *string
	generation                                                     *int
	timeout                                                        *time.Duration
	insecure, verbose                                              *bool
}

// runCheck is `mercato check`.
func runCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s := stdio{stdin, stdout, stderr}
	fs := newFlagSet("check", "--url URL --key K [--kit-key K2] [--generation 1|2] [--junit FILE] [--timeout 5s]",
		checkAbout, stderr)
	f := checkFlags{
		url:          fs.String("url", "", "the merchant's production URL, as registered with KooGallery"),
		key:          fs.String("key", "", "access key bound to the basic interfaces"),
		kitKey:       fs.String("kit-key", "", "access key bound to the kit interfaces; kit cases run only with it"),
		kitPublicKey: fs.String("kit-public-key", "", "the merchant's RSA public key for applicationSync: a file, or Base64 DER / PEM"),
		generation:   fs.Int("generation", 2, "interface generation: 2 (POST, kit v2) or 1 (GET, kit v1)"),
		junit:        fs.String("junit", "", "also write the results as JUnit XML to this file"),
		run:          fs.String("run", "", "run only the cases whose ID matches this regular expression"),
		productID:    fs.String("product-id", conformance.DefaultProductID, "productId of 1.0 newInstance and upgrade calls"),
		skuCode:      fs.String("sku-code", conformance.DefaultSkuCode, "skuCode of 1.0 newInstance and upgrade calls"),
		timeout:      fs.Duration("timeout", conformance.DefaultTimeout, "budget of one call (KooGallery's is 5s)"),
		insecure:     fs.Bool("insecure", false, "accept any TLS certificate (local testing; KooGallery does not)"),
		verbose:      fs.Bool("v", false, "log every call to stderr"),
	}
	pos, code, ok := parseCommand(fs, args, -1, "url", "key")
	if !ok {
		return code
	}
	cfg, err := f.config(s)
	switch {
	case len(pos) > 0:
		return usageError(fs, "unexpected argument %q", pos[0])
	case err != nil:
		return usageError(fs, "%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := conformance.Run(ctx, cfg)
	if rep == nil {
		return usageError(fs, "%v", err) // only a configuration the checker cannot use
	}
	if werr := conformance.WriteTable(stdout, rep); werr != nil {
		return fail(s, "check", werr)
	}
	if *f.junit != "" {
		if werr := writeJUnit(*f.junit, rep); werr != nil {
			return fail(s, "check", werr)
		}
	}
	if err != nil { // interrupted: the table shows what ran
		return fail(s, "check", err)
	}
	if !rep.Passed() {
		return exitFail
	}
	return exitOK
}

// config turns the flags into a conformance.Config.
func (f checkFlags) config(s stdio) (conformance.Config, error) {
	cfg := conformance.Config{URL: *f.url, Key: *f.key, KitKey: *f.kitKey, Generation: kgp.Generation(*f.generation),
		Timeout: *f.timeout, ProductID: *f.productID, SkuCode: *f.skuCode}
	switch {
	case *f.generation != 1 && *f.generation != 2:
		return cfg, fmt.Errorf("--generation %d: want 1 or 2", *f.generation)
	case *f.timeout <= 0:
		return cfg, fmt.Errorf("--timeout must be positive")
	}
	if *f.kitPublicKey != "" {
		pub, err := readPublicKey(*f.kitPublicKey)
		if err != nil {
			return cfg, fmt.Errorf("--kit-public-key: %w", err)
		}
		cfg.KitPublicKey = pub
	}
	if *f.run != "" {
		re, err := regexp.Compile(*f.run)
		if err != nil {
			return cfg, fmt.Errorf("--run: %w", err)
		}
		cfg.Select = re.MatchString
	}
	if *f.insecure {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		cfg.Client = &http.Client{Transport: t}
	}
	if *f.verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return cfg, nil
}

// readPublicKey takes a file name or the key itself, in the forms KooGallery's console shows.
func readPublicKey(v string) (*rsa.PublicKey, error) {
	if b, err := os.ReadFile(v); err == nil {
		v = string(b)
	}
	return kgp.ParseRSAPublicKey(v)
}

// writeJUnit writes the JUnit report to a file.
func writeJUnit(name string, rep *conformance.Report) error {
	file, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := conformance.WriteJUnit(file, rep); err != nil {
		file.Close()
		return err
	}
	return file.Close()
}
