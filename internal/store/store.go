// Package store is the marketplace's database: SQLite (the embedded default) or PostgreSQL (for
// several replicas), one schema and one set of queries for both, and the River job queue that
// shares their transactions.
//
// Every query is written once with $N placeholders, which both modernc's SQLite driver and pgx
// accept, in the SQL subset both dialects share. Times are stored as Unix milliseconds.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect names the database engine.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open marketplace database.
type DB struct {
	Dialect Dialect
	// write takes every transaction. On SQLite it is a single connection: SQLite has one writer,
	// and River's SQLite driver wants the queue to share it.
	write *sql.DB
	// read serves queries outside transactions: a read-only pool on SQLite (WAL lets readers run
	// beside the writer), the same pool as write on PostgreSQL.
	read   *sql.DB
	listen *pgxpool.Pool // PostgreSQL LISTEN/NOTIFY for River's job pickup
	lock   *os.File      // SQLite: held while the database is open
	ckpt   *checkpointer // SQLite: moves the write-ahead log into the database file
	driver riverdriver.Driver[*sql.Tx]
	queue  *river.Client[*sql.Tx]
	stmts  *stmtCache
	Reader
}

// Open opens a database from a DSN: "sqlite:PATH" (or a bare path) for SQLite, "postgres://..."
// for PostgreSQL. It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(strings.TrimPrefix(dsn, "sqlite:"))
}

func openSQLite(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: empty SQLite path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	// The database holds secrets: only its owner may read it. SQLite gives the write-ahead log
	// and shared-memory files the database file's permissions.
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	f.Close()
	lock, err := lockFile(path)
	if err != nil {
		return nil, err
	}
	// busy_timeout first: it must be in force before journal_mode(WAL) takes a lock. The
	// checkpointer, not the writer's commits, moves the log into the file (checkpoint.go).
	const pragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_pragma=cache_size(-65536)&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)"
	uri := "file:" + sqlitePath(path)
	w, err := sql.Open("sqlite", uri+"?"+pragmas+"&_txlock=immediate")
	if err == nil {
		w.SetMaxOpenConns(1)
		err = w.Ping()
	}
	if err != nil {
		closeFile(lock)
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", uri+"?mode=ro&"+pragmas)
	if err != nil {
		w.Close()
		closeFile(lock)
		return nil, fmt.Errorf("store: %w", err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4) // database/sql keeps 2 by default: the others would be reopened, pragmas and all, on every burst
	ckpt, err := startCheckpointer(uri + "?" + pragmas)
	if err != nil {
		w.Close()
		r.Close()
		closeFile(lock)
		return nil, fmt.Errorf("store: %w", err)
	}
	db := &DB{Dialect: SQLite, write: w, read: r, lock: lock, ckpt: ckpt, driver: riversqlite.New(w), stmts: &stmtCache{}}
	db.Reader = Reader{q: r, sqlite: true, reads: newReadCache(r)}
	return db, nil
}

// sqlitePath escapes a file path for a "file:" URI: '%', '?' and '#' would otherwise be read as
// an escape, the query or the fragment ("db#01" would open "db").
func sqlitePath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	w, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	w.SetMaxOpenConns(20)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	cfg.MaxConns = 2
	listen, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	db := &DB{Dialect: Postgres, write: w, read: w, listen: listen, driver: riverdatabasesql.NewWithPgxListener(w, listen), stmts: &stmtCache{}}
	db.Reader = Reader{q: w, reads: newReadCache(w)}
	return db, nil
}

// Close closes the database (the queue must have been stopped).
func (db *DB) Close() error {
	if db.listen != nil {
		db.listen.Close()
	}
	db.stmts.close()
	db.Reader.reads.close()
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	db.ckpt.close()
	closeFile(db.lock)
	return err
}

func closeFile(f *os.File) {
	if f != nil {
		f.Close()
	}
}

// RecoverOrphans makes jobs left running by a crashed process available again. Only SQLite can
// know that every running job is an orphan (the file lock proves this process is the only one);
// on PostgreSQL River's rescuer finds them once they are older than RescueStuckJobsAfter.
func (db *DB) RecoverOrphans(ctx context.Context) (int64, error) {
	if db.Dialect != SQLite {
		return 0, nil
	}
	res, err := db.write.ExecContext(ctx, `UPDATE river_job SET state = 'available' WHERE state = 'running'`)
	if err != nil {
		return 0, fmt.Errorf("store: recover orphaned jobs: %w", err)
	}
	return res.RowsAffected()
}

// Migrate applies the marketplace's migrations and River's. It is safe when several replicas
// start at once on PostgreSQL (goose takes an advisory lock; River's migrations are idempotent).
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	// Features are developed side by side, each with its own range of migration numbers; a
	// database that has a later one may still lack an earlier one.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true), goose.WithGoMigrations(searchMigration(db.Dialect == SQLite))}
	if db.Dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db.write, sub, opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, r := range res {
		log.Info("migrated", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	m, err := rivermigrate.New(db.driver, &rivermigrate.Config{Logger: log})
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("store: migrate job queue: %w", err)
	}
	// The tables exist now: prepare the hot generated statements.
	db.stmts.close()
	if db.stmts, err = newStmtCache(ctx, db.write, usageInsertSQL(usageChunk, db.Dialect == SQLite)); err != nil {
		return fmt.Errorf("store: prepare: %w", err)
	}
	db.Reader.stmts = db.stmts
	return nil
}

// UseKeyring makes the database seal the secrets it stores with k, and open them with it.
func (db *DB) UseKeyring(k *Keyring) { db.Reader.keys = k }

// Driver returns the River driver over this database, for building the queue client.
func (db *DB) Driver() riverdriver.Driver[*sql.Tx] { return db.driver }

// SetQueue attaches the River client that Tx.Enqueue inserts jobs with. The server builds the
// client after every feature package has registered its workers, then attaches it here.
func (db *DB) SetQueue(c *river.Client[*sql.Tx]) { db.queue = c }

// Queue returns the attached River client.
func (db *DB) Queue() *river.Client[*sql.Tx] { return db.queue }

// Tx is a write transaction. Jobs enqueued through it commit or roll back with it.
type Tx struct {
	tx *sql.Tx
	db *DB
	Reader
}

// Write runs fn in a transaction and commits it when fn returns nil.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{tx: sqlTx, db: db, Reader: Reader{q: sqlTx, sqlite: db.Dialect == SQLite, tx: sqlTx, stmts: db.stmts, keys: db.Reader.keys}}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// Enqueue inserts a job in the transaction: it runs only if the transaction commits.
func (tx *Tx) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := tx.EnqueueJob(ctx, args, opts)
	return err
}

// EnqueueJob is Enqueue that returns the job's ID, for a job that may be retried early (RetryJob).
func (tx *Tx) EnqueueJob(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (int64, error) {
	if tx.db.queue == nil {
		return 0, errors.New("store: no job queue attached")
	}
	res, err := tx.db.queue.InsertTx(ctx, tx.tx, args, opts)
	if err != nil {
		return 0, fmt.Errorf("store: enqueue %s: %w", args.Kind(), err)
	}
	return res.Job.ID, nil
}

// RetryJob makes a scheduled or retrying job available now, when the transaction commits. A job
// that is running is left alone.
func (tx *Tx) RetryJob(ctx context.Context, id int64) error {
	if _, err := tx.db.queue.JobRetryTx(ctx, tx.tx, id); err != nil && !errors.Is(err, river.ErrNotFound) {
		return fmt.Errorf("store: retry job %d: %w", id, err)
	}
	return nil
}

// DSN helpers for tests and tools.

// PostgresSchemaDSN returns dsn with its search_path set to schema, so that each test (or each
// demo) gets its own tables in one database.
func PostgresSchemaDSN(dsn, schema string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
