package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/examples/merchant/merchantapp"
	"github.com/mercato-oss/mercato/kgp"
)

// TestExampleMerchantPassesCheck certifies the SDK's example merchant with `mercato check`, kit
// interfaces included, on both interface generations.
func TestExampleMerchantPassesCheck(t *testing.T) {
	t.Parallel()
	pem, err := os.ReadFile("../../conformance/testdata/merchant-rsa.pem")
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
	for _, gen := range []string{"1", "2"} {
		t.Run("generation"+gen, func(t *testing.T) {
			t.Parallel()
			const key, kitKey = "example-basic-access-key-0001", "example-kit-access-key-00002"
			app, closer, err := merchantapp.New(merchantapp.Config{Key: key, KitKey: kitKey, EncryptType: kgp.EncryptAES256,
				StateDir: t.TempDir(), PrivateKey: string(pem), PublicURL: "https://merchant.example"})
			if err != nil {
				t.Fatal(err)
			}
			defer closer.Close()
			srv := httptest.NewServer(app)
			defer srv.Close()
			var out, errb bytes.Buffer
			code := run([]string{"check", "--url", srv.URL + "/produce", "--key", key, "--kit-key", kitKey,
				"--kit-public-key", pub, "--generation", gen}, nil, &out, &errb)
			if code != exitOK {
				t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
			}
			if strings.Contains(out.String(), "FAIL") {
				t.Fatalf("a mandatory case failed:\n%s", out.String())
			}
		})
	}
}
