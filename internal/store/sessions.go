package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Sessions keeps the consoles' sessions in the database (migration 00060), so that every
// replica sharing a PostgreSQL sees the same sessions and a restart logs nobody out. It
// implements the Store and CtxStore interfaces of github.com/alexedwards/scs/v2 without
// importing it. Only the SHA-256 of a session token is stored: a copy of the table does not
// let anyone take over a session. Expiry is wall time (the browser's cookie lives in it), not
// business time.
type Sessions struct {
	db  *DB
	now func() time.Time
}

// NewSessions returns the session store over db; now is the wall clock (time.Now when nil).
func NewSessions(db *DB, now func() time.Time) (*Sessions, error) {
	if db == nil {
		return nil, errors.New("store: NewSessions needs a database")
	}
	if now == nil {
		now = time.Now
	}
	return &Sessions{db: db, now: now}, nil
}

func sessionKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// FindCtx returns the session of token, if it exists and has not expired.
func (s *Sessions) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data string
	err := s.db.cachedQueryRow(ctx, `SELECT data FROM web_sessions WHERE token_hash = $1 AND expiry > $2`,
		sessionKey(token), ms(s.now())).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, false, fmt.Errorf("stored session is not base64: %w", err)
	}
	return b, true, nil
}

// touchSlack is how far an unchanged session's stored expiry may lag behind the one asked for
// before a commit writes it. scs commits every request of a session with an idle timeout (to
// move its expiry), which would make every page view a write; reading first and skipping the
// write keeps SQLite's one writer for business, at the price of an idle session ending up to a
// minute early.
const touchSlack = time.Minute

// CommitCtx stores (or replaces) the session of token until expiry, and removes sessions that
// have expired, so that the table holds only live ones without a sweeper of its own. An
// unchanged session whose stored expiry is within touchSlack of expiry is not written again.
func (s *Sessions) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	enc := base64.StdEncoding.EncodeToString(b)
	var stored string
	var storedExpiry int64
	err := s.db.q.QueryRowContext(ctx, `SELECT data, expiry FROM web_sessions WHERE token_hash = $1`, sessionKey(token)).Scan(&stored, &storedExpiry)
	if err == nil && stored == enc && storedExpiry > ms(s.now()) && ms(expiry)-storedExpiry < touchSlack.Milliseconds() {
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read session: %w", err)
	}
	return s.db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM web_sessions WHERE expiry <= $1`, ms(s.now())); err != nil {
			return fmt.Errorf("purge sessions: %w", err)
		}
		_, err := tx.q.ExecContext(ctx, `INSERT INTO web_sessions (token_hash, data, expiry) VALUES ($1, $2, $3)
			ON CONFLICT (token_hash) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`,
			sessionKey(token), enc, ms(expiry))
		if err != nil {
			return fmt.Errorf("commit session: %w", err)
		}
		return nil
	})
}

// DeleteCtx removes the session of token (logout, or a token renewed at login).
func (s *Sessions) DeleteCtx(ctx context.Context, token string) error {
	return s.db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM web_sessions WHERE token_hash = $1`, sessionKey(token)); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		return nil
	})
}

// Find, Commit and Delete are the context-free forms scs's Store interface requires; scs calls
// the Ctx forms when a store has them.
func (s *Sessions) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context.
func (s *Sessions) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a context.
func (s *Sessions) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }
