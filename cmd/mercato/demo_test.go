package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// TestDemo runs the README's main command end to end: marketplace, SDK merchant, whole story.
func TestDemo(t *testing.T) {
	t.Parallel()
	for _, gen := range []string{"1", "2"} {
		t.Run("generation"+gen, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			if code := run([]string{"demo", "--generation", gen}, nil, &out, &errb); code != exitOK {
				t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
			}
			if got := strings.Count(out.String(), "] ok "); got != 17 || !strings.Contains(out.String(), "demo passed") {
				t.Fatalf("%d steps passed:\n%s", got, out.String())
			}
		})
	}
}

func TestDemoFlags(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if code := run([]string{"demo", "--merchant-url", "http://x"}, nil, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "--key") {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if code := run([]string{"demo", "--generation", "3"}, nil, &out, &errb); code != exitUsage {
		t.Fatalf("exit %d", code)
	}
}

// TestDemoExternalMerchantFailingFirst rehearses a merchant whose first attempt of every
// activity fails and that provisions asynchronously: every step waits for the retries and
// passes; what an external merchant cannot show is marked skip, not ok.
func TestDemoExternalMerchantFailingFirst(t *testing.T) {
	t.Parallel()
	m := sdktest.NewServer(t, sdktest.Options{Key: "external-demo-access-key-01", ProvisionBudget: 200 * time.Millisecond})
	m.Set(func(k *sdktest.Knobs) {
		for _, a := range []kgp.Activity{kgp.ActivityNewInstance, kgp.ActivityQueryInstance, kgp.ActivityRefreshInstance,
			kgp.ActivityUpgradeInstance, kgp.ActivityUpdateInstanceStatus, kgp.ActivityReleaseInstance} {
			k.Fail[a] = 1
		}
		k.ProvisionDelay = 600 * time.Millisecond
	})
	var out, errb bytes.Buffer
	if code := run([]string{"demo", "--merchant-url", m.URL, "--key", m.Key}, nil, &out, &errb); code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	if strings.Count(out.String(), "] ok ") != 15 || !strings.Contains(out.String(), "] skip merchant outage") {
		t.Fatalf("steps:\n%s", out.String())
	}
}

// TestDemoExternalMerchantLooksOrdersUp rehearses the example merchant configured, before the
// story starts, with the open-API address, AK and SK the demo is told to use.
func TestDemoExternalMerchantLooksOrdersUp(t *testing.T) {
	t.Parallel()
	const key, ak, sk = "example-demo-access-key-0001", "DEMOAKLOOKUP00000001", "demo-secret-key-lookup-0000000000000000001"
	bin := filepath.Join(t.TempDir(), "merchant")
	if out, err := exec.Command("go", "build", "-o", bin, "../../examples/merchant").CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/merchant: %v\n%s", err, out)
	}
	api, addr := freeAddr(t), freeAddr(t)
	p := startProc(t, exec.Command(bin, "--addr", addr, "--key", key, "--state", t.TempDir(), "--ak", ak, "--sk", sk,
		"--api-url", "http://"+api), addr, "/-/health")
	var out, errb bytes.Buffer
	if code := run([]string{"demo", "--merchant-url", p.base + "/produce", "--key", key, "--api-addr", api, "--ak", ak, "--sk", sk}, nil, &out, &errb); code != exitOK {
		t.Fatalf("exit %d\n%s\n%s\nmerchant log:\n%s", code, out.String(), errb.String(), p.log.String())
	}
	if strings.Contains(out.String(), "FAIL") {
		t.Fatalf("steps:\n%s", out.String())
	}
}
