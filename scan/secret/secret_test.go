package secret

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// Keys returns PEM private keys in each format a leaked key takes.
func keys(t testing.TB) map[string][]byte {
	t.Helper()
	_, edk, _ := ed25519.GenerateKey(rand.Reader)
	eck, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 1024)
	openssh, err := ssh.MarshalPrivateKey(edk, "c")
	if err != nil {
		t.Fatal(err)
	}
	p8, _ := x509.MarshalPKCS8PrivateKey(eck)
	sec1, _ := x509.MarshalECPrivateKey(eck)
	return map[string][]byte{
		"OPENSSH PRIVATE KEY":   pem.EncodeToMemory(openssh),
		"PRIVATE KEY":           pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}),
		"EC PRIVATE KEY":        pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}),
		"RSA PRIVATE KEY":       pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)}),
		"ENCRYPTED PRIVATE KEY": pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte("opaque pbes2 blob")}),
	}
}

func TestScanPrivateKeys(t *testing.T) {
	t.Parallel()
	for typ, k := range keys(t) {
		data := append(append([]byte("some config\n"), k...), "trailer"...)
		hits := ScanPrivateKeys(bytes.NewReader(data), int64(len(data)), nil)
		if len(hits) != 1 || !strings.HasPrefix(hits[0].Evidence, typ) {
			t.Errorf("%s: got %+v", typ, hits)
		}
		if typ != "ENCRYPTED PRIVATE KEY" && !strings.Contains(hits[0].Evidence, "SHA256:") {
			t.Errorf("%s: no fingerprint: %s", typ, hits[0].Evidence)
		}
	}
	// A key straddling the chunk boundary of a big file is still found.
	k := keys(t)["PRIVATE KEY"]
	big := make([]byte, chunk-10)
	big = append(big, k...)
	if hits := ScanPrivateKeys(onlyReaderAt{bytes.NewReader(big)}, int64(len(big)), nil); len(hits) != 1 {
		t.Errorf("boundary key: %d hits", len(hits))
	}
	// Marker text in code or docs is not a key; neither is a public key.
	for _, s := range []string{
		`const hdr = "-----BEGIN RSA PRIVATE KEY-----"`,
		"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n",
		"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
	} {
		if hits := ScanPrivateKeys(strings.NewReader(s), int64(len(s)), nil); len(hits) != 0 {
			t.Errorf("false positive on %q: %+v", s, hits)
		}
	}
}

func TestScanAuthorizedKeys(t *testing.T) {
	t.Parallel()
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	sp, _ := ssh.NewPublicKey(pub)
	line := string(ssh.MarshalAuthorizedKey(sp))
	data := "# managed\n\n" + strings.TrimSpace(line) + " ops@example\n"
	hits := ScanAuthorizedKeys([]byte(data))
	if len(hits) != 1 || hits[0].Line != 3 || !strings.Contains(hits[0].Evidence, "ssh-ed25519 SHA256:") || !strings.Contains(hits[0].Evidence, "ops@example") {
		t.Fatalf("got %+v", hits)
	}
	if hits := ScanAuthorizedKeys([]byte("# nothing here\n\n")); len(hits) != 0 {
		t.Errorf("comment-only file: %+v", hits)
	}
	if !IsAuthorizedKeys("root/.ssh/authorized_keys") || !IsAuthorizedKeys("home/a/.ssh/authorized_keys2") || IsAuthorizedKeys("x/authorized_keys.bak") {
		t.Error("IsAuthorizedKeys")
	}
}

func TestScanPasswords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, data string
		want       int
	}{
		{"root/.bash_history", "ls\necho 'root:S3cret!' | chpasswd\ncd /\n", 1},
		{"root/.bash_history", "echo hunter2 | passwd --stdin root\n", 1},
		{"home/u/.bash_history", "mysql -uroot -pTopSecret db\nsshpass -p 'pw123' ssh host\n", 2},
		{"home/u/.bash_history", "export DB_PASSWORD=abc123\ncurl --password=xyz\n", 2},
		{"home/u/.bash_history", "passwd\nls -la\nexport PASSWORD=$1\nmysql -p\n", 0},
		{"home/u/.zsh_history", ": 1700000000:0;useradd -p $6$x bob\n", 0},
		{"var/lib/cloud/instance/user-data.txt", "#cloud-config\npassword: Passw0rd\nchpasswd: { expire: False }\n", 1},
		{"etc/cloud/cloud.cfg.d/99-users.cfg", "users:\n  - name: ops\n    plain_text_passwd: 'ops-pass'\n", 1},
		{"etc/cloud/cloud.cfg.d/50-chpasswd.cfg", "chpasswd:\n  list: |\n    root:rootpw\n    ubuntu:RANDOM\n  expire: false\nruncmd:\n  - ls\n", 1},
		{"etc/cloud/cloud.cfg", "users:\n  - default\ndisable_root: true\nssh_pwauth: false\n", 0},
	}
	for _, tt := range tests {
		hits := ScanPasswords(tt.path, []byte(tt.data))
		if len(hits) != tt.want {
			t.Errorf("%s %q: %d hits %+v, want %d", tt.path, tt.data, len(hits), hits, tt.want)
		}
		for _, h := range hits {
			for _, secret := range []string{"S3cret", "hunter2", "TopSecret", "pw123", "abc123", "xyz", "Passw0rd", "ops-pass", "rootpw"} {
				if strings.Contains(h.Evidence, secret) {
					t.Errorf("evidence leaks the password: %s", h.Evidence)
				}
			}
		}
	}
	if !IsHistory("root/.bash_history") || IsHistory("root/bash_history") || !IsCloudInit("var/lib/cloud/instances/i-1/user-data.txt") {
		t.Error("name predicates")
	}
}

func FuzzSecrets(f *testing.F) {
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte("ssh-rsa AAAA x\n# c\n"))
	f.Add([]byte("chpasswd:\n list: |\n  a:b\npassword: x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = ScanPrivateKeys(bytes.NewReader(data), int64(len(data)), nil)
		_ = ScanAuthorizedKeys(data)
		for _, h := range ScanPasswords("etc/cloud/cloud.cfg", data) {
			if h.Line < 1 {
				t.Fatal("hit without a line")
			}
		}
		_ = ScanPasswords("root/.bash_history", data)
	})
}

// onlyReaderAt hides bytes.Reader so that the chunked path is tested.
type onlyReaderAt struct{ r *bytes.Reader }

func (o onlyReaderAt) ReadAt(p []byte, off int64) (int, error) { return o.r.ReadAt(p, off) }
