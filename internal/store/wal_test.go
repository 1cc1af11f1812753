package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/store"
)

// TestSQLitePathIsNotAURI: a path with '#', '?' or '%' opens that very file ("db#01" once
// opened "db", so two tests could share one database).
func TestSQLitePathIsNotAURI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"a#01.db", "b?x=1.db", "c%20.db"} {
		path := filepath.Join(dir, name)
		db, err := store.Open(context.Background(), "sqlite:"+path)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if n := e.Name(); n == "a" || n == "b" || strings.HasPrefix(n, "c ") {
			t.Errorf("opened %q instead", n)
		}
	}
}

// TestWALIsBounded: a burst of writes far past the log limit does not leave a large
// write-ahead log behind; the checkpointer truncates it while the database stays open.
func TestWALIsBounded(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "wal.db")
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetWALLimit(256) // 1 MiB
	blob := strings.Repeat("x", 64<<10)
	if err := db.Write(ctx, func(tx *store.Tx) error {
		return tx.ExecForTest(ctx, `CREATE TABLE burst (b TEXT)`)
	}); err != nil {
		t.Fatal(err)
	}
	for range 400 { // 25 MiB of log
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.ExecForTest(ctx, `INSERT INTO burst (b) VALUES ($1)`, blob)
		}); err != nil {
			t.Fatal(err)
		}
	}
	size := func() int64 {
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	deadline := time.Now().Add(5 * time.Second)
	for size() > 2<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("write-ahead log still %d bytes 5 s after the burst", size())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
