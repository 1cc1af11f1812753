package store

import (
	"context"
	"database/sql"
	"sync"
)

// readCache keeps prepared statements for the hottest reads outside transactions (the
// storefront), so that a page costs its execution, not its parsing: a storefront query with
// its joins takes longer for SQLite to parse than to run.
type readCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// maxCachedReads bounds the cache; queries beyond it are run unprepared.
const maxCachedReads = 64

func newReadCache(db *sql.DB) *readCache { return &readCache{db: db, m: map[string]*sql.Stmt{}} }

// query runs q through its prepared statement, preparing it on first use.
func (c *readCache) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	c.mu.Lock()
	st, ok := c.m[q]
	if !ok && len(c.m) < maxCachedReads {
		var err error
		if st, err = c.db.PrepareContext(ctx, q); err != nil {
			c.mu.Unlock()
			return nil, err
		}
		c.m[q] = st
	}
	c.mu.Unlock()
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
