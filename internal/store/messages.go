package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// Buyers' in-site messages and expiry policies.

const messageCols = `id, buyer_id, kind, subject, body, created_at, read_at, emailed_at, email_error`

func scanMessage(r rowScanner) (*market.Message, error) {
	var m market.Message
	var created, read, emailed int64
	err := r.Scan(&m.ID, &m.BuyerID, &m.Kind, &m.Subject, &m.Body, &created, &read, &emailed, &m.EmailError)
	m.CreatedAt, m.ReadAt, m.EmailedAt = fromMS(created), fromMS(read), fromMS(emailed)
	return &m, err
}

// InsertMessage stores a message once per dedupe key; it reports whether it stored it.
func (tx *Tx) InsertMessage(ctx context.Context, m *market.Message, dedupe string) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `INSERT INTO buyer_messages (id, buyer_id, kind, dedupe, subject, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`, m.ID, m.BuyerID, m.Kind, dedupe, m.Subject, m.Body, ms(m.CreatedAt)))
}

// Message returns a message.
func (r Reader) Message(ctx context.Context, id string) (*market.Message, error) {
	m, err := scanMessage(r.q.QueryRowContext(ctx, `SELECT `+messageCols+` FROM buyer_messages WHERE id = $1`, id))
	return m, notFound(err, "message", id)
}

// MessageFilter selects a buyer's messages.
type MessageFilter struct {
	BuyerID string
	Kind    string
	Unread  bool
	Page    Page
}

// Messages lists a page of messages, newest first.
func (r Reader) Messages(ctx context.Context, f MessageFilter) ([]*market.Message, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+messageCols+` FROM buyer_messages
		WHERE ($1 = '' OR buyer_id = $1) AND ($2 = '' OR kind = $2) AND (NOT $3 OR read_at = 0)
		AND ($4 = 0 OR created_at < $4 OR created_at = $4 AND id < $5)
		ORDER BY created_at DESC, id DESC LIMIT $6`, f.BuyerID, f.Kind, f.Unread, f.Page.afterMS(), f.Page.After.ID, f.Page.limit()+1)
	list, err := collect(rows, err, scanMessage)
	return cut(list, err, f.Page, func(m *market.Message) Cursor { return Cursor{m.CreatedAt, m.ID} })
}

// MarkMessageRead marks a buyer's message read; it reports false when the buyer has no such message.
func (tx *Tx) MarkMessageRead(ctx context.Context, buyerID, id string, at time.Time) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE buyer_messages SET read_at = CASE WHEN read_at = 0 THEN $1 ELSE read_at END
		WHERE id = $2 AND buyer_id = $3`, ms(at), id, buyerID))
}

// SetEmailed records a message's email sent (err "") or why it could not be.
func (tx *Tx) SetEmailed(ctx context.Context, id string, at time.Time, failure string) error {
	var sent int64
	if failure == "" {
		sent = ms(at)
	}
	_, err := tx.q.ExecContext(ctx, `UPDATE buyer_messages SET emailed_at = $1, email_error = $2 WHERE id = $3`, sent, failure, id)
	return err
}

// SetRenewal stores an instance's expiry policy.
func (tx *Tx) SetRenewal(ctx context.Context, r *market.Renewal) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO expiry_policies (instance_key, buyer_id, policy, period, period_number, renewals_left, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (instance_key) DO UPDATE SET policy = excluded.policy, period = excluded.period,
		period_number = excluded.period_number, renewals_left = excluded.renewals_left, updated_at = excluded.updated_at`,
		r.InstanceKey, r.BuyerID, string(r.Policy), r.Period, r.PeriodNumber, r.RenewalsLeft, ms(r.UpdatedAt))
	return err
}

// Renewal returns an instance's expiry policy (the default when none was set).
func (r Reader) Renewal(ctx context.Context, key string) (*market.Renewal, error) {
	rn := market.Renewal{InstanceKey: key, Policy: market.PolicyDefault}
	var updated int64
	err := r.q.QueryRowContext(ctx, `SELECT buyer_id, policy, period, period_number, renewals_left, updated_at FROM expiry_policies WHERE instance_key = $1`, key).
		Scan(&rn.BuyerID, &rn.Policy, &rn.Period, &rn.PeriodNumber, &rn.RenewalsLeft, &updated)
	rn.UpdatedAt = fromMS(updated)
	if errors.Is(err, sql.ErrNoRows) {
		return &rn, nil
	}
	return &rn, err
}

// UseRenewal counts one auto-renewal made; it reports false when none was left.
func (tx *Tx) UseRenewal(ctx context.Context, key string, at time.Time) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE expiry_policies SET renewals_left = renewals_left - 1, updated_at = $1
		WHERE instance_key = $2 AND policy = 'AUTO_RENEW' AND renewals_left > 0`, ms(at), key))
}
