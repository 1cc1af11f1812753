// Package sqlitestore is the SQLite implementation of the merchant SDK's sdk.Store and
// sdk.UsageStore: one database file in a state directory, with the pure-Go modernc.org/sqlite
// driver. It is a package of its own so that a merchant that keeps the SDK's state in its own
// database (implementing sdk.Store) links no SQLite.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"

	"github.com/mercato-oss/mercato/sdk"
)

// File is the name of the SQLite database inside a state directory.
const File = "mercato-sdk.db"

// Store is an sdk.Store and sdk.UsageStore: one SQLite database in a state directory, in
// WAL mode, with one writer connection (SQLite allows one writer at a time; queueing writers in
// Go is cheaper than retrying on SQLITE_BUSY) and a small pool of readers. Idempotency rests on
// UNIQUE keys and INSERT ... ON CONFLICT, so it holds even if the writer were not serialised.
type Store struct {
	w, r *sql.DB
	lock *os.File
	// Statements of the request hot path, prepared once: parsing SQL costs more than running
	// these lookups.
	byLine, byID *sql.Stmt
}

var (
	_ sdk.Store      = (*Store)(nil)
	_ sdk.UsageStore = (*Store)(nil)
)

// schema is applied on every open; each statement is idempotent. The tables carry an sdk_
// prefix so that a merchant may keep its own tables in the same database file.
const schema = `
CREATE TABLE IF NOT EXISTS sdk_instances (
	id            TEXT PRIMARY KEY,
	idem_key      TEXT NOT NULL UNIQUE,
	order_id      TEXT NOT NULL,
	order_line_id TEXT NOT NULL,
	product_id    TEXT NOT NULL,
	provision     TEXT NOT NULL,
	attempt       INTEGER NOT NULL,
	fail_code     TEXT NOT NULL DEFAULT '',
	fail_msg      TEXT NOT NULL DEFAULT '',
	status        TEXT NOT NULL,
	version       INTEGER NOT NULL DEFAULT 0,
	expire_time   TEXT NOT NULL DEFAULT '',
	app_info      TEXT NOT NULL DEFAULT '',
	encrypt_type  TEXT NOT NULL DEFAULT '',
	call_json     BLOB NOT NULL,
	created_ms    INTEGER NOT NULL,
	updated_ms    INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS sdk_instances_pending ON sdk_instances(created_ms) WHERE provision = 'pending';
CREATE TABLE IF NOT EXISTS sdk_order_lines (
	order_id      TEXT NOT NULL,
	order_line_id TEXT NOT NULL,
	instance_id   TEXT NOT NULL,
	PRIMARY KEY (order_id, order_line_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sdk_ops (
	key         TEXT PRIMARY KEY,
	instance_id TEXT NOT NULL,
	state       TEXT NOT NULL,
	updated_ms  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sdk_kit (
	kind       TEXT NOT NULL,
	key        TEXT NOT NULL,
	hash       TEXT NOT NULL,
	updated_ms INTEGER NOT NULL,
	PRIMARY KEY (kind, key)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sdk_usage (
	instance_id TEXT NOT NULL,
	hour_ms     INTEGER NOT NULL,
	value       INTEGER NOT NULL,
	relate_pkg  TEXT NOT NULL DEFAULT '',
	metering_sn TEXT NOT NULL UNIQUE,
	state       TEXT NOT NULL DEFAULT 'open',
	reason      TEXT NOT NULL DEFAULT '',
	done_ms     INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (instance_id, hour_ms)
) STRICT;
CREATE INDEX IF NOT EXISTS sdk_usage_open ON sdk_usage(hour_ms) WHERE state = 'open';
PRAGMA user_version = 1;
`

// Open opens (creating if needed) the SQLite store in dir. It takes an advisory lock on the
// directory, so that a second process cannot resume the same pending provisioning; the lock is
// released by Close.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("sqlitestore: state directory not set")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sqlitestore: state directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s := &Store{lock: lock}
	path := filepath.Join(dir, File)
	// busy_timeout first, so that the pragmas after it wait rather than fail while another
	// connection holds the database.
	wdsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	rdsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=query_only(1)"
	if s.w, err = sql.Open("sqlite", wdsn); err != nil {
		s.Close()
		return nil, err
	}
	s.w.SetMaxOpenConns(1)
	if _, err := s.w.Exec(schema); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlitestore: store schema: %w", err)
	}
	if s.r, err = sql.Open("sqlite", rdsn); err != nil {
		s.Close()
		return nil, err
	}
	s.r.SetMaxOpenConns(4)
	s.r.SetMaxIdleConns(4)
	if s.byLine, err = s.r.Prepare(`SELECT ` + instanceColumns + ` FROM sdk_instances WHERE id =
		(SELECT instance_id FROM sdk_order_lines WHERE order_id = ? AND order_line_id = ?)`); err != nil {
		s.Close()
		return nil, err
	}
	if s.byID, err = s.r.Prepare(`SELECT ` + instanceColumns + ` FROM sdk_instances WHERE id = ?`); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database and releases the directory lock.
func (s *Store) Close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.byLine, s.byID} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	for _, db := range []*sql.DB{s.r, s.w} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	if s.lock != nil {
		errs = append(errs, unlockDir(s.lock))
		s.lock = nil
	}
	return errors.Join(errs...)
}

// tx runs fn in a write transaction (BEGIN IMMEDIATE, from the DSN), committing when fn
// succeeds.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// placeholders returns "?,?,...,?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func nowMillis() int64 { return time.Now().UnixMilli() } // bookkeeping only, no deadline reads it
