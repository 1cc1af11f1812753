// Package assetstest helps tests of the asset centre: it builds the real mercato-scan from the
// repository's scan module, and makes the small packages the tests upload.
package assetstest

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// BuildScanner builds mercato-scan from the repository's scan/ module into dir and returns its
// path. Call it once from TestMain: the build is cached by Go, but takes minutes when cold.
func BuildScanner(dir string) (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("assetstest: cannot locate the repository")
	}
	scan := filepath.Join(filepath.Dir(file), "..", "..", "..", "scan")
	out := filepath.Join(dir, "mercato-scan")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/mercato-scan")
	cmd.Dir = scan
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("assetstest: building mercato-scan in %s: %v\n%s", scan, err, b)
	}
	return out, nil
}

// Zip returns a zip of the named files, in the order given (name, content, name, content...).
func Zip(pairs ...string) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for i := 0; i+1 < len(pairs); i += 2 {
		f, err := w.Create(pairs[i])
		if err != nil {
			panic(err)
		}
		f.Write([]byte(pairs[i+1]))
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// CleanPackage is a software package that passes the scan.
func CleanPackage() []byte {
	return Zip("app/README.txt", "Acme app 1.0: run ./start.sh\n", "app/start.sh", "#!/bin/sh\nexec ./acme --port 8080\n")
}

// KeyPackage is a software package with a private key in it: the scan rejects it (private-key).
func KeyPackage() []byte {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		panic(err)
	}
	key := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	return Zip("app/README.txt", "Acme app 1.0\n", "app/conf/server.key", string(key))
}

// SHA256 is the lowercase hex SHA-256 of b.
func SHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
