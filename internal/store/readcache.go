package store

import (
	"context"
	"database/sql"
	"sync"
)

// readCache keeps prepared statements for the hottest reads outside transactions (the
// storefront, order and instance lists, the consoles' session and viewer reads), so that a page costs its execution, not its parsing: a storefront query with
// its joins takes longer for SQLite to parse than to run.
type readCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// maxCachedReads bounds the cache; queries beyond it are run unprepared.
const maxCachedReads = 64

func newReadCache(db *sql.DB) *readCache { return &readCache{db: db, m: map[string]*sql.Stmt{}} }

// stmt is q's prepared statement, prepared on first use; nil once the cache is full.
func (c *readCache) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[q]
	if !ok && len(c.m) < maxCachedReads {
		var err error
		if st, err = c.db.PrepareContext(ctx, q); err != nil {
			return nil, err
		}
		c.m[q] = st
	}
	return st, nil
}

// query runs q through its prepared statement.
func (c *readCache) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return c.db.QueryContext(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

func (c *readCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = map[string]*sql.Stmt{}
}

// cachedQuery runs a hot read: prepared once on the read pool outside a transaction, as is
// inside one.
func (r Reader) cachedQuery(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if r.reads == nil {
		return r.q.QueryContext(ctx, q, args...)
	}
	return r.reads.query(ctx, q, args...)
}

// Analyze refreshes the planner's statistics (ANALYZE on both engines), as autovacuum does on
// PostgreSQL and `PRAGMA optimize` on SQLite: after a bulk load, so that plans fit the data.
func (db *DB) Analyze(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, `ANALYZE`)
	return err
}

// cachedQueryRow is cachedQuery for a read of one row (the consoles' session and viewer reads
// at every page). A statement that fails to prepare runs unprepared, which reports the error.
func (r Reader) cachedQueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if r.reads != nil {
		if st, err := r.reads.stmt(ctx, q); err == nil && st != nil {
			return st.QueryRowContext(ctx, args...)
		}
	}
	return r.q.QueryRowContext(ctx, q, args...)
}
