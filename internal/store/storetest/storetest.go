// Package storetest opens real databases for tests: a SQLite file in a temporary directory and a
// fresh schema on the PostgreSQL server named by MERCATO_TEST_POSTGRES (default: the local
// server on 127.0.0.1:5432, database test). Each runs migrated and is removed when the test ends.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// DefaultPostgres is the test server CI starts (trust auth).
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresDSN returns the server tests use.
func PostgresDSN() string {
	if v := os.Getenv("MERCATO_TEST_POSTGRES"); v != "" {
		return v
	}
	return DefaultPostgres
}

// Dialects lists the engines every store test runs on.
var Dialects = []store.Dialect{store.SQLite, store.Postgres}

// Each runs fn as a subtest on a fresh, migrated database of each dialect.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh migrated database of dialect d. A PostgreSQL server that cannot be
// reached fails the test: store tests never skip.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	dsn := DSN(t, d)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	db.UseKeyring(Keyring(t))
	if err := db.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

// DSN returns a DSN for an empty database of dialect d that is dropped when t ends.
func DSN(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "mercato.db")
	}
	schema := "t_" + strings.ToLower(market.NewSecret(12))
	admin, err := sql.Open("pgx", PostgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("PostgreSQL at %s: %v (start it, or set MERCATO_TEST_POSTGRES)", PostgresDSN(), err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", PostgresDSN())
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	dsn, err := store.PostgresSchemaDSN(PostgresDSN(), schema)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// Keyring returns a fresh keyring of one random key, as a key file would hold.
func Keyring(t testing.TB) *store.Keyring {
	t.Helper()
	k, err := store.LoadKeyFile(filepath.Join(t.TempDir(), "test.key"), true)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Name returns a unique name with a prefix, for fixtures.
func Name(prefix string) string {
	return fmt.Sprintf("%s-%s", prefix, strings.ToLower(market.NewSecret(8)))
}

// StartQueue builds the job queue on db for jobs, starts it on clock's time, and stops it when t
// ends.
func StartQueue(t testing.TB, db *store.DB, jobs *store.Jobs, clock market.Clock) *river.Client[*sql.Tx] {
	t.Helper()
	q, err := db.NewQueue(jobs, store.QueueConfig{Clock: clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(stop)
	})
	return q
}
