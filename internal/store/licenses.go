package store

import (
	"context"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// A license is read with its instance's state, expiry and productId: its status follows them.
const licenseSelect = `SELECT l.code, l.instance_key, l.merchant_id, l.buyer_id, l.order_id, l.received_at, l.activated_at, l.created_at,
	i.state, i.expire_at, i.product_id FROM licenses l JOIN instances i ON i.line_id = l.instance_key`

func scanLicense(r rowScanner) (*market.License, error) {
	var l market.License
	var received, activated, created, expire int64
	err := r.Scan(&l.Code, &l.InstanceKey, &l.MerchantID, &l.BuyerID, &l.OrderID, &received, &activated, &created,
		&l.State, &expire, &l.ProductID)
	l.ReceivedAt, l.ActivatedAt, l.CreatedAt, l.ExpireAt = fromMS(received), fromMS(activated), fromMS(created), fromMS(expire)
	return &l, err
}

// InsertLicense stores a newly issued license code. An instance has at most one (UNIQUE).
func (tx *Tx) InsertLicense(ctx context.Context, l *market.License) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO licenses (code, instance_key, merchant_id, buyer_id, order_id, received_at, activated_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		l.Code, l.InstanceKey, l.MerchantID, l.BuyerID, l.OrderID, ms(l.ReceivedAt), ms(l.ActivatedAt), ms(l.CreatedAt))
	return err
}

// License returns a license code with its instance's state: two primary-key lookups.
func (r Reader) License(ctx context.Context, code string) (*market.License, error) {
	l, err := scanLicense(r.q.QueryRowContext(ctx, licenseSelect+` WHERE l.code = $1`, code))
	return l, notFound(err, "license", code)
}

// codeChunk bounds the codes of one IN list (anonymous placeholders on SQLite, see placeholders).
const codeChunk = 200

// LicensesByCode returns the licenses among codes (duplicates allowed) by code; unknown codes
// are absent. It is the group commit's lookup: one indexed read per chunk of codes.
func (r Reader) LicensesByCode(ctx context.Context, codes []string) (map[string]*market.License, error) {
	out := make(map[string]*market.License, len(codes))
	uniq := make([]any, 0, len(codes))
	for _, c := range codes {
		if _, ok := out[c]; !ok {
			out[c] = nil
			uniq = append(uniq, c)
		}
	}
	clear(out)
	for len(uniq) > 0 {
		n := min(len(uniq), codeChunk)
		var b strings.Builder
		b.WriteString(licenseSelect + ` WHERE l.code IN `)
		r.placeholders(&b, 0, n)
		rows, err := r.q.QueryContext(ctx, b.String(), uniq[:n]...)
		ls, err := collect(rows, err, scanLicense)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			out[l.Code] = l
		}
		uniq = uniq[n:]
	}
	return out, nil
}

// LicensesOf lists the license codes of an instance.
func (r Reader) LicensesOf(ctx context.Context, instanceKey string) ([]*market.License, error) {
	rows, err := r.q.QueryContext(ctx, licenseSelect+` WHERE l.instance_key = $1 ORDER BY l.created_at, l.code`, instanceKey)
	return collect(rows, err, scanLicense)
}

// ReceiveLicenses records that the buyer received an instance's codes; a code received before
// keeps its first time. It reports how many codes it marked.
func (tx *Tx) ReceiveLicenses(ctx context.Context, instanceKey string, at int64) (int64, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE licenses SET received_at = $1 WHERE instance_key = $2 AND received_at = 0`, at, instanceKey)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ActivateLicense sets a code's activation time unless it has one, and reports whether it did.
func (tx *Tx) ActivateLicense(ctx context.Context, code string, at int64) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE licenses SET activated_at = $1 WHERE code = $2 AND activated_at = 0`, at, code))
}

// heartbeatChunk bounds the rows of one INSERT, 5 parameters each: far below both engines'
// parameter limits.
const heartbeatChunk = 200

// InsertHeartbeats appends heartbeats, in multi-row INSERTs: a batch of a group commit costs a
// few statements, not one per heartbeat.
func (tx *Tx) InsertHeartbeats(ctx context.Context, hbs []market.Heartbeat) error {
	for len(hbs) > 0 {
		n := min(len(hbs), heartbeatChunk)
		var b strings.Builder
		b.WriteString(`INSERT INTO license_heartbeats (license_code, at, kind, third_party_account, ip) VALUES `)
		args := make([]any, 0, 5*n)
		for i, h := range hbs[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			tx.placeholders(&b, len(args), 5)
			args = append(args, h.LicenseCode, ms(h.At), string(h.Kind), h.ThirdPartyAccount, h.IP)
		}
		if _, err := tx.q.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		hbs = hbs[n:]
	}
	return nil
}

// Heartbeats lists a code's heartbeats, newest first, at most limit (default 100).
func (r Reader) Heartbeats(ctx context.Context, code string, limit int) ([]market.Heartbeat, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := r.q.QueryContext(ctx, `SELECT license_code, at, kind, third_party_account, ip FROM license_heartbeats
		WHERE license_code = $1 ORDER BY at DESC LIMIT $2`, code, limit)
	return collect(rows, err, func(r rowScanner) (market.Heartbeat, error) {
		var h market.Heartbeat
		var at int64
		err := r.Scan(&h.LicenseCode, &at, &h.Kind, &h.ThirdPartyAccount, &h.IP)
		h.At = fromMS(at)
		return h, err
	})
}

// CountHeartbeats counts the heartbeats of a code, or of every code when code is "".
func (r Reader) CountHeartbeats(ctx context.Context, code string) (int64, error) {
	var n int64
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM license_heartbeats WHERE $1 = '' OR license_code = $1`, code).Scan(&n)
	return n, err
}

// ClaimRequests records signed requests as served at at, and returns those that were not
// already: a signature claimed before is a replay.
func (tx *Tx) ClaimRequests(ctx context.Context, signatures []string, at time.Time) (map[string]bool, error) {
	fresh := map[string]bool{}
	for len(signatures) > 0 {
		n := min(len(signatures), heartbeatChunk)
		var b strings.Builder
		b.WriteString(`INSERT INTO request_claims (signature, at) VALUES `)
		args := make([]any, 0, 2*n)
		for i, s := range signatures[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			tx.placeholders(&b, len(args), 2)
			args = append(args, s, ms(at))
		}
		b.WriteString(` ON CONFLICT (signature) DO NOTHING RETURNING signature`)
		rows, err := tx.q.QueryContext(ctx, b.String(), args...)
		claimed, err := collect(rows, err, func(r rowScanner) (string, error) {
			var s string
			return s, r.Scan(&s)
		})
		if err != nil {
			return nil, err
		}
		for _, s := range claimed {
			fresh[s] = true
		}
		signatures = signatures[n:]
	}
	return fresh, nil
}

// PurgeRequestClaims forgets the requests claimed before before; it returns how many.
func (tx *Tx) PurgeRequestClaims(ctx context.Context, before time.Time) (int64, error) {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM request_claims WHERE at < $1`, ms(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
