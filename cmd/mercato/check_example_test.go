package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/kgp"
)

// TestExampleMerchantPassesCheck certifies the example merchant with `mercato check`, kit
// interfaces included, on both interface generations. The example is a program of its own
// (nothing imports examples/), so the test builds it and runs it as a merchant would.
func TestExampleMerchantPassesCheck(t *testing.T) {
	t.Parallel()
	keyFile, err := filepath.Abs("../../conformance/testdata/merchant-rsa.pem")
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := kgp.ParseRSAPrivateKey(string(pem))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := kgp.MarshalRSAPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "merchant")
	if out, err := exec.Command("go", "build", "-o", bin, "../../examples/merchant").CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/merchant: %v\n%s", err, out)
	}
	for _, gen := range []string{"1", "2"} {
		t.Run("generation"+gen, func(t *testing.T) {
			t.Parallel()
			const key, kitKey = "example-basic-access-key-0001", "example-kit-access-key-00002"
			addr := freeAddr(t)
			p := startProc(t, exec.Command(bin, "--addr", addr, "--key", key, "--kit-key", kitKey, "--encrypt-type", "1",
				"--state", t.TempDir(), "--private-key-file", keyFile, "--public-url", "https://merchant.example"), addr, "/-/health")
			code, out, errOut := cli(t, "", "check", "--url", p.base+"/produce", "--key", key, "--kit-key", kitKey,
				"--kit-public-key", pub, "--generation", gen)
			if code != exitOK {
				t.Fatalf("exit %d\n%s\n%s\nmerchant log:\n%s", code, out, errOut, p.log.String())
			}
			if strings.Contains(out, "FAIL") {
				t.Fatalf("a mandatory case failed:\n%s", out)
			}
		})
	}
}

// TestExampleMerchantWithOrderLookupPassesCheck: the merchant guide's recommended setup — the
// SDK looks every new order up in the open API — passes `mercato check` when the merchant's
// open API is the sandbox's, which answers the checker's copies of the mock orders.
func TestExampleMerchantWithOrderLookupPassesCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const key, ak, sk = "example-basic-access-key-0003", "SANDBOXAKLOOKUP00001", "sandbox-secret-key-lookup-000000000000001"
	addr := freeAddr(t)
	cfg := server.DefaultConfig()
	cfg.DB, cfg.KeyFile, cfg.Sandbox, cfg.OperatorToken, cfg.Out = "sqlite:"+filepath.Join(t.TempDir(), "m.db"), filepath.Join(t.TempDir(), "k"), true, testOperatorToken, io.Discard
	cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.SandboxSeed = server.SandboxSeed{URL: "http://" + addr + "/produce", AccessKey: key, AK: ak, SK: sk}
	s, err := server.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	api := httptest.NewServer(s.Handler)
	t.Cleanup(api.Close)
	bin := filepath.Join(t.TempDir(), "merchant")
	if out, err := exec.Command("go", "build", "-o", bin, "../../examples/merchant").CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/merchant: %v\n%s", err, out)
	}
	p := startProc(t, exec.Command(bin, "--addr", addr, "--key", key, "--state", t.TempDir(), "--ak", ak, "--sk", sk, "--api-url", api.URL,
		"--public-url", "https://merchant.example"), addr, "/-/health")
	code, out, errOut := cli(t, "", "check", "--url", p.base+"/produce", "--key", key, "--generation", "2")
	if code != exitOK || strings.Contains(out, "FAIL") {
		t.Fatalf("exit %d\n%s\n%s\nmerchant log:\n%s", code, out, errOut, p.log.String())
	}
}
