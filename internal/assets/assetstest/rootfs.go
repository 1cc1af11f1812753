package assetstest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// RootfsWithKey is a small Debian-like root filesystem as a .tar.gz, an image to the scanner,
// with a login key preset for root: the scan rejects it (authorized-keys, and password-policy
// as it has no PAM password stack).
func RootfsWithKey() []byte {
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	add := func(name, content string, mode int64) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(content)), ModTime: time.Unix(1_700_000_000, 0), Typeflag: tar.TypeReg}); err != nil {
			panic(err)
		}
		tw.Write([]byte(content))
	}
	add("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n", 0o644)
	add("etc/passwd", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n", 0o644)
	add("etc/shadow", "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n", 0o640)
	add("root/.ssh/authorized_keys", authorizedKey()+" ops@build\n", 0o600)
	if err := tw.Close(); err != nil {
		panic(err)
	}
	if err := gz.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// authorizedKey is a fresh ed25519 public key in authorized_keys form.
func authorizedKey() string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	var wire []byte
	for _, field := range [][]byte{[]byte("ssh-ed25519"), pub} {
		wire = binary.BigEndian.AppendUint32(wire, uint32(len(field)))
		wire = append(wire, field...)
	}
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(wire)
}
