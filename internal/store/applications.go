package store

import (
	"context"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// Applications and their recorded transitions (rules §1.3).

const appCols = `id, merchant_id, product_id, type, target, state, payload, comment, submitted_at, due_at, created_by, created_at, updated_at`

func scanApplication(r rowScanner) (*market.Application, error) {
	var a market.Application
	var payload string
	var submitted, due, created, updated int64
	err := r.Scan(&a.ID, &a.MerchantID, &a.ProductID, &a.Type, &a.Target, &a.State, &payload, &a.Comment, &submitted, &due,
		&a.CreatedBy, &created, &updated)
	a.Payload = []byte(payload)
	a.SubmittedAt, a.DueAt, a.CreatedAt, a.UpdatedAt = fromMS(submitted), fromMS(due), fromMS(created), fromMS(updated)
	return &a, err
}

// InsertApplication stores a new application. A second pending application of the same type for
// the same product and target violates a unique index: the caller gets a conflict.
func (tx *Tx) InsertApplication(ctx context.Context, a *market.Application) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO applications (`+appCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		a.ID, a.MerchantID, a.ProductID, string(a.Type), a.Target, string(a.State), string(a.Payload), a.Comment, ms(a.SubmittedAt),
		ms(a.DueAt), a.CreatedBy, ms(a.CreatedAt), ms(a.UpdatedAt))
	return pendingConflict(err, a)
}

// RecordApplication stores an application with its transitions, for an application that is
// created and decided at once (the operator's direct release, a removal without review).
func (tx *Tx) RecordApplication(ctx context.Context, a *market.Application, target string, ts []market.Transition) error {
	a.Target = target
	if err := tx.InsertApplication(ctx, a); err != nil {
		return err
	}
	for i := range ts {
		ts[i].ApplicationID = a.ID
		if err := tx.AddTransition(ctx, &ts[i]); err != nil {
			return err
		}
	}
	return nil
}

// pendingConflict turns a violation of the one-pending-application index into a conflict.
func pendingConflict(err error, a *market.Application) error {
	if err != nil && a.State == market.AppPending && isUniqueViolation(err) {
		return market.Errorf(market.CodeConflict, "product %s already has a %s application under review", a.ProductID, a.Type)
	}
	return err
}

// Application returns an application by ID.
func (r Reader) Application(ctx context.Context, id string) (*market.Application, error) {
	a, err := scanApplication(r.q.QueryRowContext(ctx, `SELECT `+appCols+` FROM applications WHERE id = $1`, id))
	return a, notFound(err, "application", id)
}

// UpdateApplication writes an application's state, payload, comment and times if its state is
// still from: of two concurrent decisions (approve and withdraw) exactly one succeeds.
func (tx *Tx) UpdateApplication(ctx context.Context, a *market.Application, from market.ApplicationState) (bool, error) {
	ok, err := affected(tx.q.ExecContext(ctx, `UPDATE applications SET state = $1, payload = $2, comment = $3, submitted_at = $4, due_at = $5,
		updated_at = $6 WHERE id = $7 AND state = $8`, string(a.State), string(a.Payload), a.Comment, ms(a.SubmittedAt), ms(a.DueAt),
		ms(a.UpdatedAt), a.ID, string(from)))
	return ok, pendingConflict(err, a)
}

// ApplicationFilter selects applications to list; empty fields match everything. Deleted
// applications are listed only when State asks for them.
type ApplicationFilter struct {
	MerchantID string
	ProductID  string
	Type       market.ApplicationType
	State      market.ApplicationState
	// Queue lists oldest submission first (the review queue) instead of newest created first.
	Queue bool
	Page  Page
}

// Applications lists a page of applications.
func (r Reader) Applications(ctx context.Context, f ApplicationFilter) ([]*market.Application, Cursor, error) {
	where := `WHERE ($1 = '' OR merchant_id = $1) AND ($2 = '' OR product_id = $2) AND ($3 = '' OR type = $3)
		AND ($4 = '' AND state <> 'DELETED' OR state = $4)`
	q := `SELECT ` + appCols + ` FROM applications ` + where + ` AND ($5 = 0 OR created_at < $5 OR created_at = $5 AND id < $6)
		ORDER BY created_at DESC, id DESC LIMIT $7`
	key := func(a *market.Application) Cursor { return Cursor{a.CreatedAt, a.ID} }
	if f.Queue {
		q = `SELECT ` + appCols + ` FROM applications ` + where + ` AND ($5 = 0 OR submitted_at > $5 OR submitted_at = $5 AND id > $6)
			ORDER BY submitted_at, id LIMIT $7`
		key = func(a *market.Application) Cursor { return Cursor{a.SubmittedAt, a.ID} }
	}
	rows, err := r.q.QueryContext(ctx, q, f.MerchantID, f.ProductID, string(f.Type), string(f.State), f.Page.afterMS(), f.Page.After.ID,
		f.Page.limit()+1)
	list, err := collect(rows, err, scanApplication)
	return cut(list, err, f.Page, key)
}

// LatestApplication returns the newest application of a type for a product (any state but
// DELETED), or a not-found error.
func (r Reader) LatestApplication(ctx context.Context, productID string, typ market.ApplicationType) (*market.Application, error) {
	a, err := scanApplication(r.q.QueryRowContext(ctx, `SELECT `+appCols+` FROM applications WHERE product_id = $1 AND type = $2
		AND state <> 'DELETED' ORDER BY created_at DESC, id DESC LIMIT 1`, productID, string(typ)))
	return a, notFound(err, "application", productID+"/"+string(typ))
}

// AddTransition records a state change of an application as its next transition.
func (tx *Tx) AddTransition(ctx context.Context, t *market.Transition) error {
	if err := tx.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(n), 0) + 1 FROM application_transitions WHERE application_id = $1`,
		t.ApplicationID).Scan(&t.N); err != nil {
		return err
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO application_transitions (application_id, n, from_state, to_state, by_user, comment, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.ApplicationID, t.N, string(t.From), string(t.To), t.By, t.Comment, ms(t.At))
	return err
}

// Transitions lists an application's transitions, oldest first.
func (r Reader) Transitions(ctx context.Context, appID string) ([]*market.Transition, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT application_id, n, from_state, to_state, by_user, comment, at FROM application_transitions
		WHERE application_id = $1 ORDER BY n`, appID)
	return collect(rows, err, func(r rowScanner) (*market.Transition, error) {
		var t market.Transition
		var at int64
		err := r.Scan(&t.ApplicationID, &t.N, &t.From, &t.To, &t.By, &t.Comment, &at)
		t.At = fromMS(at)
		return &t, err
	})
}

// LastApplicationAt returns when the product's newest application was created (zero if none).
func (r Reader) LastApplicationAt(ctx context.Context, productID string) (time.Time, error) {
	var v int64
	err := r.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(created_at), 0) FROM applications WHERE product_id = $1`, productID).Scan(&v)
	return fromMS(v), err
}
