package store

import (
	"context"
	"database/sql"
	"time"
)

// ExecForTest runs a statement in the transaction, for tests that set up what the store's own
// methods never write (a value stored in clear by an older version).
func (tx *Tx) ExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := tx.q.ExecContext(ctx, query, args...)
	return err
}

// QueryForTest runs a query in the transaction and hands its rows to fn, for tests that read
// raw columns.
func (tx *Tx) QueryForTest(ctx context.Context, query string, fn func(*sql.Rows) error) error {
	rows, err := tx.q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	return fn(rows)
}

// SetWALLimit sets the log size, in pages, past which the checkpointer truncates the log.
func (db *DB) SetWALLimit(pages int64) { db.ckpt.limit.Store(pages) }

// CountSessions counts the rows of web_sessions.
func CountSessions(ctx context.Context, db *DB) (int, error) {
	var n int
	err := db.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM web_sessions`).Scan(&n)
	return n, err
}

// SessionStoredAs reports whether a session row holds token itself as its key.
func SessionStoredAs(ctx context.Context, db *DB, token string) (bool, error) {
	var n int
	err := db.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM web_sessions WHERE token_hash = $1`, token).Scan(&n)
	return n > 0, err
}

// SessionExpiry is the stored expiry of token's session.
func SessionExpiry(ctx context.Context, db *DB, token string) (time.Time, error) {
	var at int64
	err := db.q.QueryRowContext(ctx, `SELECT expiry FROM web_sessions WHERE token_hash = $1`, sessionKey(token)).Scan(&at)
	return time.UnixMilli(at).UTC(), err
}
