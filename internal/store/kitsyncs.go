package store

import (
	"context"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// Kit syncs in their binding's order, the merchants' kit keys and the notices of failed syncs.

// A sync's request (an authSync of 500 users is about 150 KB) is read only where it is needed:
// the sequence is walked after every answer, and reading every waiting body each time made a
// large authorization quadratic.
const syncCols = `s.id, s.instance_key, s.tenant_id, s.merchant_id, s.kind, s.flag, s.users, s.grp, s.state, s.call_id, s.form,
	s.created_at, s.updated_at, COALESCE(c.state, ''), COALESCE(c.last_error, '')`

const syncFrom = ` FROM kit_syncs s LEFT JOIN calls c ON c.id = s.call_id AND s.call_id <> ''`

func scanSync(r rowScanner) (*market.KitSync, error) {
	var s market.KitSync
	var created, updated int64
	err := r.Scan(&s.ID, &s.InstanceKey, &s.TenantID, &s.MerchantID, &s.Kind, &s.Flag, &s.Users, &s.Group, &s.State, &s.CallID, &s.Form,
		&created, &updated, &s.CallState, &s.LastError)
	s.CreatedAt, s.UpdatedAt = fromMS(created), fromMS(updated)
	return &s, err
}

// SyncRequest returns the encoded request of a sync.
func (r Reader) SyncRequest(ctx context.Context, id string) ([]byte, error) {
	var req string
	err := r.q.QueryRowContext(ctx, `SELECT request FROM kit_syncs WHERE id = $1`, id).Scan(&req)
	return []byte(req), notFound(err, "sync", id)
}

// InsertSync stores a sync.
func (tx *Tx) InsertSync(ctx context.Context, s *market.KitSync) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO kit_syncs (id, instance_key, tenant_id, merchant_id, kind, flag, users, grp, state, call_id,
		form, request, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		s.ID, s.InstanceKey, s.TenantID, s.MerchantID, s.Kind, s.Flag, s.Users, s.Group, string(s.State), s.CallID, string(s.Form),
		string(s.Request), ms(s.CreatedAt), ms(s.UpdatedAt))
	return err
}

// OpenSyncs lists a binding's syncs that are not done, in their order, without their requests.
func (r Reader) OpenSyncs(ctx context.Context, key string) ([]*market.KitSync, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+syncCols+syncFrom+` WHERE s.instance_key = $1 AND s.state <> $2
		ORDER BY s.grp, s.created_at, s.id`, key, string(market.SyncDone))
	return collect(rows, err, scanSync)
}

// SetSyncState moves a sync on (and records its call when it is sent).
func (tx *Tx) SetSyncState(ctx context.Context, id string, state market.SyncState, callID string, at time.Time) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE kit_syncs SET state = $2, call_id = CASE WHEN $3 = '' THEN call_id ELSE $3 END, updated_at = $4
		WHERE id = $1`, id, string(state), callID, ms(at))
	return err
}

// SyncByCall returns the sync a call sends.
func (r Reader) SyncByCall(ctx context.Context, callID string) (*market.KitSync, error) {
	s, err := scanSync(r.q.QueryRowContext(ctx, `SELECT `+syncCols+syncFrom+` WHERE s.call_id = $1`, callID))
	return s, notFound(err, "sync of call", callID)
}

// Sync returns a sync by ID, without its request.
func (r Reader) Sync(ctx context.Context, id string) (*market.KitSync, error) {
	s, err := scanSync(r.q.QueryRowContext(ctx, `SELECT `+syncCols+syncFrom+` WHERE s.id = $1`, id))
	return s, notFound(err, "sync", id)
}

// SyncFilter selects syncs of an enterprise.
type SyncFilter struct {
	TenantID    string
	InstanceKey string
	Page        Page
}

// Syncs lists a page of an enterprise's syncs, newest first, without their requests.
func (r Reader) Syncs(ctx context.Context, f SyncFilter) ([]*market.KitSync, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+syncCols+syncFrom+` WHERE s.tenant_id = $1 AND ($2 = '' OR s.instance_key = $2)
		AND ($3 = 0 OR s.created_at < $3 OR s.created_at = $3 AND s.id < $4) ORDER BY s.created_at DESC, s.id DESC LIMIT $5`,
		f.TenantID, f.InstanceKey, f.Page.afterMS(), f.Page.After.ID, f.Page.limit()+1)
	list, err := collect(rows, err, scanSync)
	return cut(list, err, f.Page, func(s *market.KitSync) Cursor { return Cursor{s.CreatedAt, s.ID} })
}

// PutKitKey stores a merchant's kit key, replacing the previous one.
func (tx *Tx) PutKitKey(ctx context.Context, k *market.KitKey) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO merchant_kit_keys (merchant_id, public_key, bits, redirect_uris, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (merchant_id) DO UPDATE SET public_key = $2, bits = $3, redirect_uris = $4, updated_at = $5`,
		k.MerchantID, k.PublicKey, k.Bits, strings.Join(k.RedirectURIs, "\n"), ms(k.UpdatedAt))
	return err
}

// KitKey returns a merchant's kit key.
func (r Reader) KitKey(ctx context.Context, merchantID string) (*market.KitKey, error) {
	var k market.KitKey
	var uris string
	var updated int64
	err := r.q.QueryRowContext(ctx, `SELECT merchant_id, public_key, bits, redirect_uris, updated_at FROM merchant_kit_keys WHERE merchant_id = $1`,
		merchantID).Scan(&k.MerchantID, &k.PublicKey, &k.Bits, &uris, &updated)
	if uris != "" {
		k.RedirectURIs = strings.Split(uris, "\n")
	}
	k.UpdatedAt = fromMS(updated)
	return &k, notFound(err, "kit key of merchant", merchantID)
}

// InsertKitNotice records that a merchant was notified of a failed sync.
func (tx *Tx) InsertKitNotice(ctx context.Context, n *market.KitNotice) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO kit_notices (id, merchant_id, tenant_id, call_id, message, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		n.ID, n.MerchantID, n.TenantID, n.CallID, n.Message, ms(n.CreatedAt))
	return err
}

// KitNotices lists a page of notices, newest first ("" merchant: every merchant's).
func (r Reader) KitNotices(ctx context.Context, merchantID string, p Page) ([]*market.KitNotice, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT id, merchant_id, tenant_id, call_id, message, created_at FROM kit_notices
		WHERE ($1 = '' OR merchant_id = $1) AND ($2 = 0 OR created_at < $2 OR created_at = $2 AND id < $3)
		ORDER BY created_at DESC, id DESC LIMIT $4`, merchantID, p.afterMS(), p.After.ID, p.limit()+1)
	list, err := collect(rows, err, func(r rowScanner) (*market.KitNotice, error) {
		var n market.KitNotice
		var created int64
		err := r.Scan(&n.ID, &n.MerchantID, &n.TenantID, &n.CallID, &n.Message, &created)
		n.CreatedAt = fromMS(created)
		return &n, err
	})
	return cut(list, err, p, func(n *market.KitNotice) Cursor { return Cursor{n.CreatedAt, n.ID} })
}

// CountOpenSyncs counts a binding's syncs that are not done.
func (r Reader) CountOpenSyncs(ctx context.Context, key string) (int, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM kit_syncs WHERE instance_key = $1 AND state <> $2`, key, string(market.SyncDone)).Scan(&n)
	return n, err
}
