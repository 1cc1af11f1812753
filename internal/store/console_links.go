package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// InsertConsoleLink stores a one-time sign-in link (migration 00069) by the hash of its code, and
// drops links that expired before now.
func (tx *Tx) InsertConsoleLink(ctx context.Context, codeHash, role, subject string, expires, now time.Time) error {
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM console_links WHERE expires_at <= $1`, ms(now)); err != nil {
		return fmt.Errorf("purge console links: %w", err)
	}
	if _, err := tx.q.ExecContext(ctx, `INSERT INTO console_links (code_hash, role, subject, expires_at) VALUES ($1, $2, $3, $4)`,
		codeHash, role, subject, ms(expires)); err != nil {
		return fmt.Errorf("insert console link: %w", err)
	}
	return nil
}

// ClaimConsoleLink marks the link of codeHash used and returns whom it signs in. ok is false for
// an unknown, expired or already used link: of two concurrent requests only one gets ok.
func (tx *Tx) ClaimConsoleLink(ctx context.Context, codeHash string, now time.Time) (role, subject string, ok bool, err error) {
	err = tx.q.QueryRowContext(ctx, `UPDATE console_links SET used_at = $1
		WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING role, subject`, ms(now), codeHash).Scan(&role, &subject)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("claim console link: %w", err)
	}
	return role, subject, true, nil
}
