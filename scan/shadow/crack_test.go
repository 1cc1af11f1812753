package shadow

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/scan/internal/tooltest"
)

// Golden hashes of "Secret#42" made on Debian 12 by mkpasswd (whois
// 5.5.17) and openssl 3.0: the library must agree with libxcrypt and OpenSSL.
var golden = []struct{ tool, hash string }{
	{"mkpasswd -m yescrypt", "$y$j9T$HTCIZC6mLczEdmi1g36ap.$jBzm8Wur8kSSm1vql5Zlb3yi1Na5acm1zN872C.nSIA"},
	{"mkpasswd -m sha512crypt", "$6$kp2vauNDyw2kDQUE$L3QgNLBpaQ6cpJPHk27zcSNdZBKpKSWOc7/XQg1ECBq//ZYBaBpczgFSd5YTYhaX93L6s4ZrR0TLsUWbe96J//"},
	{"mkpasswd -m sha256crypt", "$5$wv/iGsxB0OIdrxfE$PMLCEa2UuKbDo9luQXfa4VrPo8g.f2FUs2.Yfa6UKPB"},
	{"mkpasswd -m bcrypt", "$2b$05$g25QagduKSP6KDxhP9pdSeIBIgSfqJDUltF9Ew.WUXb57B4.AQOwa"},
	{"mkpasswd -m md5crypt", "$1$sd1PdwFt$eYUFlmKw/jQtL32IS1Z5J."},
	{"openssl passwd -1", "$1$CG7pUtXp$op8CpmXsSSyVceyZQNsQs1"},
	{"openssl passwd -5", "$5$ZJqB1UmWw3Jr8mH5$QzrAwDqFQie.QV4m1PrHGT6a3aXBp9MK2yzo1a8a.62"},
	{"openssl passwd -6", "$6$SOF2j1ORYmnM2r4i$6WevqGDlh4BixjBqYzVBhAjXHY8HFGLkTI1dMt/Inat6qeau8TGkwVNMSJ6BVSGr3R4m/Iqeu4TNDQyURB2H6/"},
}

func TestVerifierGolden(t *testing.T) {
	t.Parallel()
	for _, g := range golden {
		t.Run(g.tool, func(t *testing.T) {
			t.Parallel()
			v, err := NewVerifier(g.hash)
			if err != nil {
				t.Fatal(err)
			}
			if !v.Match("Secret#42") {
				t.Errorf("%s hash not matched by its password", g.tool)
			}
			if v.Match("Secret#43") {
				t.Errorf("%s hash matched a wrong password", g.tool)
			}
		})
	}
}

// TestVerifierLiveTools hashes fresh passwords with Debian's own tools, so
// that a libxcrypt or OpenSSL change on the build machine is caught too.
func TestVerifierLiveTools(t *testing.T) {
	t.Parallel()
	paths := tooltest.Need(t, "mkpasswd", "openssl")
	mk, ossl := paths[0], paths[1]
	cases := [][]string{
		{mk, "-m", "yescrypt"}, {mk, "-m", "yescrypt", "-R", "7"}, {mk, "-m", "sha512crypt"},
		{mk, "-m", "sha256crypt"}, {mk, "-m", "bcrypt"}, {mk, "-m", "bcrypt-a"}, {mk, "-m", "md5crypt"},
		{ossl, "passwd", "-1"}, {ossl, "passwd", "-5"}, {ossl, "passwd", "-6"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c[1:], " "), func(t *testing.T) {
			t.Parallel()
			pw := "Tr0ub4dor&3 x"
			out, err := exec.Command(c[0], append(c[1:], pw)...).Output()
			if err != nil {
				t.Fatal(err)
			}
			hash := strings.TrimSpace(string(out))
			v, err := NewVerifier(hash)
			if err != nil {
				t.Fatalf("%s: %v", hash, err)
			}
			if !v.Match(pw) || v.Match(pw+"!") {
				t.Errorf("%s: wrong verdict", hash)
			}
		})
	}
}

func TestCrack(t *testing.T) {
	t.Parallel()
	words := []string{"alpha", "beta", "Secret#42", "gamma"}
	for _, g := range golden[:5] {
		pw, ok, err := Crack(context.Background(), g.hash, Candidates("bob", words))
		if err != nil || !ok || pw != "Secret#42" {
			t.Errorf("%s: got %q %v %v", g.tool, pw, ok, err)
		}
		if _, ok, _ := Crack(context.Background(), g.hash, []string{"nope", "secret#42"}); ok {
			t.Errorf("%s: cracked with wrong words", g.tool)
		}
	}
	if _, _, err := Crack(context.Background(), "$7$CU..../....abc$def", words); !errors.Is(err, ErrUnsupported) {
		t.Errorf("scrypt: err %v, want ErrUnsupported", err)
	}
	if _, _, err := Crack(context.Background(), "abJnggxhB/yWI", words); !errors.Is(err, ErrUnsupported) {
		t.Errorf("descrypt: err %v, want ErrUnsupported", err)
	}
}

func TestCandidatesStartWithName(t *testing.T) {
	t.Parallel()
	c := Candidates("admin", []string{"admin", "x"})
	if c[0] != "admin" || c[1] != "Admin" {
		t.Fatalf("got %v", c[:2])
	}
	n := 0
	for _, w := range c {
		if w == "admin" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("duplicate candidates: %v", c)
	}
	if len(DefaultWords()) < 200 {
		t.Errorf("built-in dictionary has %d words", len(DefaultWords()))
	}
}
