package main

import (
	"encoding/xml"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

const (
	checkKey    = "basic-2f9c0d1e-check"
	checkKitKey = "kit-7a6b5c4d-check"
)

// checkSetup starts the test merchant with faults and returns its URL and the merchant's
// public key, Base64 DER as KooGallery's console shows it. The key pair is the conformance
// package's test fixture: generating a 3072-bit key per test would cost seconds.
func checkSetup(t *testing.T, faults sdktest.Faults) (url, publicKey string) {
	t.Helper()
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
	m := sdktest.NewServer(t, sdktest.Options{Key: checkKey, KitKey: checkKitKey, ClientKey: priv, EncryptType: kgp.EncryptAES256})
	m.Set(func(k *sdktest.Knobs) { k.Faults = faults })
	return m.URL, pub
}

// junitReport is the part of the JUnit XML the tests read back.
type junitReport struct {
	Suites []struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Cases    []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// TestCheckExitStatus runs the whole suite through the command line against a conforming and a
// broken merchant, on both generations, and reads the JUnit report back.
func TestCheckExitStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		faults     sdktest.Faults
		generation string
		keyInFile  bool
		want       int
		failing    string // a case that must be a <failure> in the JUnit report
	}{
		{"conforming 2.0", sdktest.Faults{}, "2", true, exitOK, ""},
		{"conforming 1.0", sdktest.Faults{}, "1", false, exitOK, ""},
		{"2.0 without nonce cache", sdktest.Faults{NoNonceCheck: true}, "2", false, exitFail, "auth.replay"},
		{"1.0 without Body-Sign", sdktest.Faults{NoBodySign: true}, "1", false, exitFail, "resp.body-sign"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url, pub := checkSetup(t, tt.faults)
			dir := t.TempDir()
			if tt.keyInFile {
				name := filepath.Join(dir, "public.key")
				if err := os.WriteFile(name, []byte(pub), 0o600); err != nil {
					t.Fatal(err)
				}
				pub = name
			}
			junit := filepath.Join(dir, "report.xml")
			code, out, errOut := cli(t, "", "check", "--url", url, "--key", checkKey, "--kit-key", checkKitKey,
				"--kit-public-key", pub, "--generation", tt.generation, "--junit", junit)
			if code != tt.want {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.want, out, errOut)
			}
			if !strings.HasPrefix(out, "CASE") || !strings.Contains(out, "accept.kit.applicationSync   pass") {
				t.Errorf("table:\n%s", out)
			}
			raw, err := os.ReadFile(junit)
			if err != nil {
				t.Fatal(err)
			}
			var rep junitReport
			if err := xml.Unmarshal(raw, &rep); err != nil || len(rep.Suites) != 1 {
				t.Fatalf("JUnit report does not parse (%v):\n%s", err, raw)
			}
			s := rep.Suites[0]
			if s.Tests != len(s.Cases) || (s.Failures == 0) != (tt.want == exitOK) {
				t.Errorf("suite: tests=%d cases=%d failures=%d", s.Tests, len(s.Cases), s.Failures)
			}
			for _, c := range s.Cases {
				switch {
				case c.Name == tt.failing && c.Failure == nil:
					t.Errorf("case %s has no <failure>", c.Name)
				case tt.want == exitOK && c.Failure != nil:
					t.Errorf("case %s: unexpected <failure> %q", c.Name, c.Failure.Message)
				}
			}
		})
	}
}

// TestCheckSelect runs one case by --run: the others are reported as skipped.
func TestCheckSelect(t *testing.T) {
	t.Parallel()
	url, _ := checkSetup(t, sdktest.Faults{})
	code, out, errOut := cli(t, "", "check", "--url", url, "--key", checkKey, "--run", `^idem\.newInstance\.repeat$`)
	if code != exitOK || !strings.Contains(out, "idem.newInstance.repeat      pass") || !strings.Contains(out, "not selected") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

// TestCheckUsage covers command lines that must be refused with exit status 2 before any call.
func TestCheckUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no url", []string{"--key", "k"}, "missing required --url"},
		{"no key", []string{"--url", "https://isv.example.com/produce"}, "missing required --key"},
		{"bad generation", []string{"--url", "https://isv.example.com", "--key", "k", "--generation", "3"}, "want 1 or 2"},
		{"bad timeout", []string{"--url", "https://isv.example.com", "--key", "k", "--timeout", "0s"}, "--timeout must be positive"},
		{"not a URL", []string{"--url", "isv.example.com", "--key", "k"}, "not an absolute http(s) URL"},
		{"bad public key", []string{"--url", "https://isv.example.com", "--key", "k", "--kit-public-key", "nope"}, "--kit-public-key"},
		{"bad regexp", []string{"--url", "https://isv.example.com", "--key", "k", "--run", "("}, "--run"},
		{"positional", []string{"--url", "https://isv.example.com", "--key", "k", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := cli(t, "", append([]string{"check"}, tt.args...)...)
			if code != exitUsage || out != "" || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, out, errOut, tt.want)
			}
		})
	}
}

// TestCheckHelp checks that help goes to stdout with exit 0 and lists the exit statuses.
func TestCheckHelp(t *testing.T) {
	t.Parallel()
	code, out, _ := cli(t, "", "help", "check")
	if code != exitOK || !strings.Contains(out, "--junit") || !strings.Contains(out, "Exit status: 0 when every mandatory case passed") {
		t.Errorf("exit %d, stdout:\n%s", code, out)
	}
}

// TestCheckNamesTheOneCause: a wrong --key or a dead URL fails every case alike; the check ends
// with one hint that names the cause, instead of leaving twenty identical rows to decipher.
func TestCheckNamesTheOneCause(t *testing.T) {
	t.Parallel()
	url, _ := checkSetup(t, sdktest.Faults{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String() + "/produce"
	l.Close()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"wrong key", []string{"--url", url, "--key", "wrong-key-0000000000000000"}, "hint: every signed request was refused with 000001 (authentication failed): is --key"},
		{"wrong kit key", []string{"--url", url, "--key", checkKey, "--kit-key", "wrong-kit-key-00000000000"}, "hint: every signed kit request was refused with 000001"},
		{"dead URL", []string{"--url", dead, "--key", checkKey}, "hint: no request got an answer (newInstance: dial tcp"},
		{"right keys", []string{"--url", url, "--key", checkKey, "--kit-key", checkKitKey}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, out, _ := cli(t, "", append([]string{"check"}, tt.args...)...)
			if tt.want == "" && strings.Contains(out, "hint:") || !strings.Contains(out, tt.want) {
				t.Fatalf("want %q in:\n%s", tt.want, out)
			}
		})
	}
}
