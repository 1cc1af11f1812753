// Package testimage builds the small images the tests scan: a Debian-like
// root filesystem that passes every rule, one violation of each rule to seed
// into it, the formats it is packed in (tar, tar.gz, docker save, OCI, raw
// disk, qcow2, vmdk, zip), and a matching offline OSV database.
package testimage

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/mercato-oss/mercato/scan/internal/clamdtest"
)

// Hashes made with Debian 12's mkpasswd.
const (
	// StrongHash is yescrypt of a random 16-character password.
	StrongHash = "$y$j9T$uN44fFe6AbM6Uby6hyBgO/$c2Do8e/5H7kacRtDChmeisBZj92Y0lpi5hLA2pKJBd."
	// WeakHash is yescrypt of "password".
	WeakHash = "$y$j9T$slkUfHmZS8whcW0rRSA8V/$HNvH8HWgZpjRkEJfxJye4ViqVgGxrls3lP5YraSAo/6"
)

const osRelease = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
`

const passwd = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
sshd:x:100:65534::/run/sshd:/usr/sbin/nologin
alice:x:1000:1000:Alice:/home/alice:/bin/bash
`

const shadow = `root:*:19700:0:99999:7:::
daemon:*:19700:0:99999:7:::
sshd:!:19700::::::
alice:!:19700:0:99999:7:::
`

// dpkg status entries; exampleVersion is patched by the vulnerability seed.
const dpkgStatus = `Package: libexample1
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 100
Maintainer: Example <ex@example.org>
Architecture: amd64
Source: example
Version: 1.0-2
Description: example library

Package: lowpkg
Status: install ok installed
Priority: optional
Section: utils
Installed-Size: 10
Maintainer: Example <ex@example.org>
Architecture: amd64
Version: 2.0-1
Description: a package with a low-severity advisory

Package: base-files
Status: install ok installed
Priority: required
Section: admin
Installed-Size: 300
Maintainer: Santiago Vila <sanvila@debian.org>
Architecture: amd64
Version: 12.4+deb12u5
Description: Debian base system miscellaneous files
`

// ELF machine numbers.
const (
	MachineAMD64 = 62
	MachineARM64 = 183
)

// Rootfs writes a clean tree into dir: it passes every rule.
func Rootfs(t testing.TB, dir string) {
	t.Helper()
	files := map[string]string{
		"usr/lib/os-release":               osRelease,
		"etc/os-release":                   osRelease,
		"etc/hostname":                     "mercato-test\n",
		"etc/passwd":                       passwd,
		"etc/shadow":                       shadow,
		"etc/login.defs":                   "MAIL_DIR /var/mail\nPASS_MAX_DAYS 99999\nPASS_MIN_LEN 8\nENCRYPT_METHOD YESCRYPT\n",
		"etc/pam.d/passwd":                 "@include common-password\n",
		"etc/pam.d/common-password":        "password requisite pam_pwquality.so retry=3\npassword [success=1 default=ignore] pam_unix.so obscure use_authtok try_first_pass yescrypt\npassword requisite pam_deny.so\npassword required pam_permit.so\n",
		"etc/security/pwquality.conf":      "minlen = 8\nminclass = 2\n",
		"etc/cloud/cloud.cfg":              "users:\n  - default\ndisable_root: true\nssh_pwauth: false\n",
		"var/lib/dpkg/status":              dpkgStatus,
		"home/alice/.bash_history":         "ls -la\nsudo apt-get update\n",
		"home/alice/.ssh/known_hosts":      "",
		"usr/share/doc/libssl/example.txt": "-----BEGIN RSA PRIVATE KEY----- is how a PKCS#1 key starts\n",
		"opt/app/README":                   "hello\n",
		"opt/app/bundle.zip":               string(Zip(t, map[string]string{"lib/app.js": "console.log(1)\n"})),
	}
	for name, data := range files {
		Write(t, dir, name, data)
	}
	Write(t, dir, "bin/sh", string(ELF(MachineAMD64)))
	Write(t, dir, "usr/bin/ls", string(ELF(MachineAMD64)))
	if err := os.Chmod(filepath.Join(dir, "bin/sh"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// Write creates dir/name with data, making parent directories.
func Write(t testing.TB, dir, name, data string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ELF returns the header of a 64-bit little-endian executable for machine.
func ELF(machine uint16) []byte {
	h := make([]byte, 128)
	copy(h, "\x7fELF\x02\x01\x01")
	binary.LittleEndian.PutUint16(h[16:], 2) // ET_EXEC
	binary.LittleEndian.PutUint16(h[18:], machine)
	binary.LittleEndian.PutUint32(h[20:], 1)
	return h
}

// Violation is one rule break seeded into a clean tree.
type Violation struct {
	// Name is the violation's name; Rule the report rule id it must raise.
	Name, Rule string
	// Path is where the finding must point (inside the image).
	Path string
	// Seed modifies the tree at dir.
	Seed func(t testing.TB, dir string)
}

// Violations lists one seed per rule that is checked from file contents.
func Violations() []Violation {
	return []Violation{
		{"eicar", "malware", "opt/app/eicar.com", func(t testing.TB, d string) { Write(t, d, "opt/app/eicar.com", clamdtest.EICAR) }},
		{"nested-malware", "malware", "opt/app/plugins.zip!/deep/inner.tar.gz!/payload.bin", func(t testing.TB, d string) {
			inner := TarGz(t, map[string]string{"payload.bin": "prefix " + clamdtest.CustomMarker + " suffix"})
			Write(t, d, "opt/app/plugins.zip", string(Zip(t, map[string]string{"deep/inner.tar.gz": string(inner)})))
		}},
		{"vulnerable-package", "vulnerability", "var/lib/dpkg/status", func(t testing.TB, d string) {
			Write(t, d, "var/lib/dpkg/status", strings.Replace(dpkgStatus, "Version: 1.0-2", "Version: 1.0-1", 1))
		}},
		{"preset-password", "preset-password", "etc/shadow", func(t testing.TB, d string) {
			Write(t, d, "etc/shadow", strings.Replace(shadow, "alice:!:", "alice:"+StrongHash+":", 1))
		}},
		{"weak-password", "weak-password", "etc/shadow", func(t testing.TB, d string) {
			Write(t, d, "etc/shadow", strings.Replace(shadow, "root:*:", "root:"+WeakHash+":", 1))
		}},
		{"authorized-keys", "authorized-keys", "root/.ssh/authorized_keys", func(t testing.TB, d string) {
			Write(t, d, "root/.ssh/authorized_keys", string(ssh.MarshalAuthorizedKey(PublicKey(t))))
		}},
		{"private-key", "private-key", "home/alice/.ssh/id_ed25519", func(t testing.TB, d string) {
			Write(t, d, "home/alice/.ssh/id_ed25519", string(PrivateKeyPEM(t)))
		}},
		{"password-in-history", "password-in-file", "home/alice/.bash_history", func(t testing.TB, d string) {
			Write(t, d, "home/alice/.bash_history", "ls\necho 'alice:Summer2024!' | sudo chpasswd\n")
		}},
		{"password-policy", "password-policy", "etc/pam.d/common-password", func(t testing.TB, d string) {
			Write(t, d, "etc/pam.d/common-password", "password [success=1 default=ignore] pam_unix.so obscure yescrypt\npassword requisite pam_deny.so\n")
		}},
		{"kunpeng-outside-region", "arch-region", "", func(t testing.TB, d string) {
			Write(t, d, "bin/sh", string(ELF(MachineARM64)))
			Write(t, d, "usr/bin/ls", string(ELF(MachineARM64)))
		}},
	}
}

// PublicKey returns a fresh SSH public key.
func PublicKey(t testing.TB) ssh.PublicKey {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// PrivateKeyPEM returns a fresh OpenSSH private key file.
func PrivateKeyPEM(t testing.TB) []byte {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ssh.MarshalPrivateKey(priv, "alice@build")
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(b)
}
