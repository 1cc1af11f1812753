package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/mercato-oss/mercato/internal/market"
)

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Reader runs the read queries: DB has one on its read pool, Tx one inside its transaction.
// Write queries are methods of *Tx only, so that a write outside a transaction does not compile
// (on SQLite, DB's pool is read-only).
type Reader struct {
	q querier
	// sqlite selects anonymous "?" placeholders in generated multi-row statements: SQLite keeps
	// "$N" (and "?N") as parameter names, and binding looks each one up in a list, which is
	// quadratic in a 3000-parameter INSERT. Hand-written queries keep "$N", which both engines
	// accept.
	sqlite bool
	// tx and stmts, inside a write transaction, run the generated statements prepared once.
	tx    *sql.Tx
	stmts *stmtCache
	// keys seals and opens the columns that hold secrets; nil stores them in clear.
	keys *Keyring
	// reads, outside transactions, prepares the hottest reads once (readcache.go).
	reads *readCache
}

// stmtCache holds the big generated statements (a full 500-row usage INSERT has 6000
// parameters), prepared once on the write pool when the database opens, so that SQLite parses
// them once instead of on every batch. They are prepared outside any transaction: SQLite's write
// pool has one connection, which a transaction holds.
type stmtCache struct {
	m map[string]*sql.Stmt
}

func newStmtCache(ctx context.Context, db *sql.DB, queries ...string) (*stmtCache, error) {
	c := &stmtCache{m: map[string]*sql.Stmt{}}
	for _, q := range queries {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			c.close()
			return nil, err
		}
		c.m[q] = st
	}
	return c, nil
}

func (c *stmtCache) close() {
	for _, st := range c.m {
		st.Close()
	}
}

// queryPrepared runs a generated statement, through its prepared form in a transaction when
// there is one.
func (r Reader) queryPrepared(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st, ok := r.stmts.m[query]; ok && r.tx != nil {
		return r.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return r.q.QueryContext(ctx, query, args...)
}

// ms converts a time to the stored Unix milliseconds; the zero time is 0.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS converts stored milliseconds back; 0 is the zero time.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// notFound turns sql.ErrNoRows into a market not-found error.
func notFound(err error, what, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return market.Errorf(market.CodeNotFound, "%s %s not found", what, id)
	}
	return err
}

// affected reports whether an UPDATE or INSERT ... ON CONFLICT DO NOTHING changed a row.
func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// rowScanner is *sql.Row or *sql.Rows.
type rowScanner interface {
	Scan(dest ...any) error
}

// collect scans every row with scan.
func collect[T any](rows *sql.Rows, err error, scan func(rowScanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// isUniqueViolation reports whether err is a UNIQUE constraint failure of either engine
// (PostgreSQL's SQLSTATE 23505; SQLite's extended code SQLITE_CONSTRAINT_UNIQUE, 2067).
func isUniqueViolation(err error) bool {
	if pg, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pg.Code == "23505"
	}
	if lite, ok := errors.AsType[*sqlite.Error](err); ok {
		return lite.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || lite.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}
