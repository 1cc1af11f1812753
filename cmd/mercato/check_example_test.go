package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
