package store

import (
	"context"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// The auth centre's sessions, codes and tokens, by hash.

// InsertAuthSession stores a sign-in session.
func (tx *Tx) InsertAuthSession(ctx context.Context, s *market.AuthSession) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO authc_sessions (hash, tenant_id, user_name, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)`,
		s.Hash, s.TenantID, s.UserName, ms(s.ExpiresAt), ms(s.CreatedAt))
	return err
}

// AuthSession returns a session by hash.
func (r Reader) AuthSession(ctx context.Context, hash string) (*market.AuthSession, error) {
	var s market.AuthSession
	var exp, created int64
	err := r.q.QueryRowContext(ctx, `SELECT hash, tenant_id, user_name, expires_at, created_at FROM authc_sessions WHERE hash = $1`, hash).
		Scan(&s.Hash, &s.TenantID, &s.UserName, &exp, &created)
	s.ExpiresAt, s.CreatedAt = fromMS(exp), fromMS(created)
	return &s, notFound(err, "session", "")
}

// EndAuthSession deletes a session and revokes the tokens issued under it.
func (tx *Tx) EndAuthSession(ctx context.Context, hash string) error {
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM authc_sessions WHERE hash = $1`, hash); err != nil {
		return err
	}
	_, err := tx.q.ExecContext(ctx, `UPDATE authc_tokens SET revoked = TRUE WHERE session_hash = $1`, hash)
	return err
}

// InsertAuthCode stores an authorization code.
func (tx *Tx) InsertAuthCode(ctx context.Context, c *market.AuthCode) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO authc_codes (hash, app_id, tenant_id, user_name, redirect_uri, session_hash, used, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		c.Hash, c.AppID, c.TenantID, c.UserName, c.RedirectURI, c.SessionHash, c.Used, ms(c.ExpiresAt), ms(c.CreatedAt))
	return err
}

// UseAuthCode marks a code used and returns it; first reports whether this was its first use.
// The guarded UPDATE makes the use single even when two requests present the code at once.
func (tx *Tx) UseAuthCode(ctx context.Context, hash string) (c *market.AuthCode, first bool, err error) {
	first, err = affected(tx.q.ExecContext(ctx, `UPDATE authc_codes SET used = TRUE WHERE hash = $1 AND used = FALSE`, hash))
	if err != nil {
		return nil, false, err
	}
	var code market.AuthCode
	var exp, created int64
	err = tx.q.QueryRowContext(ctx, `SELECT hash, app_id, tenant_id, user_name, redirect_uri, session_hash, used, expires_at, created_at
		FROM authc_codes WHERE hash = $1`, hash).Scan(&code.Hash, &code.AppID, &code.TenantID, &code.UserName, &code.RedirectURI, &code.SessionHash,
		&code.Used, &exp, &created)
	code.ExpiresAt, code.CreatedAt = fromMS(exp), fromMS(created)
	return &code, first, notFound(err, "code", "")
}

// InsertAuthToken stores an access or refresh token.
func (tx *Tx) InsertAuthToken(ctx context.Context, t *market.AuthToken) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO authc_tokens (hash, kind, app_id, tenant_id, user_name, session_hash, code_hash, revoked, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		t.Hash, t.Kind, t.AppID, t.TenantID, t.UserName, t.SessionHash, t.CodeHash, t.Revoked, ms(t.ExpiresAt), ms(t.CreatedAt))
	return err
}

// AuthToken returns a token by hash.
func (r Reader) AuthToken(ctx context.Context, hash string) (*market.AuthToken, error) {
	var t market.AuthToken
	var exp, created int64
	err := r.q.QueryRowContext(ctx, `SELECT hash, kind, app_id, tenant_id, user_name, session_hash, code_hash, revoked, expires_at, created_at
		FROM authc_tokens WHERE hash = $1`, hash).Scan(&t.Hash, &t.Kind, &t.AppID, &t.TenantID, &t.UserName, &t.SessionHash, &t.CodeHash,
		&t.Revoked, &exp, &created)
	t.ExpiresAt, t.CreatedAt = fromMS(exp), fromMS(created)
	return &t, notFound(err, "token", "")
}

// RevokeAuthToken revokes one token; it reports whether it was live (single use of a refresh
// token: only one of two concurrent refreshes gets true).
func (tx *Tx) RevokeAuthToken(ctx context.Context, hash string) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE authc_tokens SET revoked = TRUE WHERE hash = $1 AND revoked = FALSE`, hash))
}

// RevokeCodeTokens revokes every token issued for a code (a code presented twice is stolen).
func (tx *Tx) RevokeCodeTokens(ctx context.Context, codeHash string) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE authc_tokens SET revoked = TRUE WHERE code_hash = $1`, codeHash)
	return err
}

// PurgeAuthCentre deletes sessions, codes and tokens that expired before t.
func (tx *Tx) PurgeAuthCentre(ctx context.Context, t time.Time) error {
	for _, q := range []string{`DELETE FROM authc_sessions WHERE expires_at < $1`, `DELETE FROM authc_codes WHERE expires_at < $1`,
		`DELETE FROM authc_tokens WHERE expires_at < $1`} {
		if _, err := tx.q.ExecContext(ctx, q, ms(t)); err != nil {
			return err
		}
	}
	return nil
}
