package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// OperatorTokenExists reports whether an operator token with this hash is stored.
func (r Reader) OperatorTokenExists(ctx context.Context, hash string) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT 1 FROM operator_tokens WHERE hash = $1`, hash).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// CountOperatorTokens counts the stored operator tokens.
func (r Reader) CountOperatorTokens(ctx context.Context) (int, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM operator_tokens`).Scan(&n)
	return n, err
}

// ReplaceOperatorTokens removes every stored operator token and stores hash instead.
func (tx *Tx) ReplaceOperatorTokens(ctx context.Context, hash string, at time.Time) error {
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM operator_tokens`); err != nil {
		return err
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO operator_tokens (hash, created_at) VALUES ($1, $2)`, hash, ms(at))
	return err
}
