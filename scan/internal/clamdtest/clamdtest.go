// Package clamdtest starts a private clamd for tests, on a temporary unix
// socket, with a signature database built here (the EICAR test file and one
// custom signature), so that malware tests run offline and never depend on
// freshclam or the machine's own clamd.
package clamdtest

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/scan/clamd"
	"github.com/mercato-oss/mercato/scan/internal/tooltest"
)

// EICAR is the standard antivirus test file.
const EICAR = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// CustomMarker is matched anywhere in a file by the custom .ndb signature
// "Mercato.Test.Custom-1"; EICAR by the .hdb signature "Mercato.Test.EICAR".
const CustomMarker = "mercato-scan custom malware marker 7f3a"

// Signature names as clamd reports them.
const (
	EICARSignature  = "Mercato.Test.EICAR.UNOFFICIAL"
	CustomSignature = "Mercato.Test.Custom-1.UNOFFICIAL"
)

// Start runs clamd until the test ends and returns its address.
func Start(t testing.TB) string {
	t.Helper()
	bin := tooltest.Need(t, "clamd")[0]
	dir, err := os.MkdirTemp("", "mercato-clamd-") // short path: unix sockets are limited to 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	db := filepath.Join(dir, "db")
	if err := os.Mkdir(db, 0o755); err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum([]byte(EICAR))
	hdb := fmt.Sprintf("%s:%d:Mercato.Test.EICAR\n", hex.EncodeToString(sum[:]), len(EICAR))
	ndb := fmt.Sprintf("Mercato.Test.Custom-1:0:*:%s\n", hex.EncodeToString([]byte(CustomMarker)))
	write(t, filepath.Join(db, "mercato.hdb"), hdb)
	write(t, filepath.Join(db, "mercato.ndb"), ndb)
	sock := filepath.Join(dir, "clamd.sock")
	conf := filepath.Join(dir, "clamd.conf")
	write(t, conf, fmt.Sprintf(`LocalSocket %s
DatabaseDirectory %s
TemporaryDirectory %s
LogFile %s
Foreground yes
StreamMaxLength 64M
MaxThreads 4
ReadTimeout 60
Bytecode no
`, sock, db, dir, filepath.Join(dir, "clamd.log")))
	cmd := exec.Command(bin, "--config-file="+conf)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	c := &clamd.Client{Addr: sock, Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if err := c.Ping(context.Background()); err == nil {
			return sock
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "clamd.log"))
			t.Fatalf("clamd did not start: %s\n%s", out.String(), log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func write(t testing.TB, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
