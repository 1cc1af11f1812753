package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// Service supervision: supervised specs, service flows and appeals.

// SetSupervised makes a spec supervised with a flow template, or ("" template) unsupervised.
func (tx *Tx) SetSupervised(ctx context.Context, skuCode string, template market.FlowTemplate, at time.Time) error {
	if template == "" {
		_, err := tx.q.ExecContext(ctx, `DELETE FROM supervised_specs WHERE sku_code = $1`, skuCode)
		return err
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO supervised_specs (sku_code, template, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (sku_code) DO UPDATE SET template = excluded.template, updated_at = excluded.updated_at`, skuCode, string(template), ms(at))
	return err
}

// Supervision returns a spec's flow template; "" when the spec is not supervised.
func (r Reader) Supervision(ctx context.Context, skuCode string) (market.FlowTemplate, error) {
	var t market.FlowTemplate
	err := r.q.QueryRowContext(ctx, `SELECT template FROM supervised_specs WHERE sku_code = $1`, skuCode).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return t, err
}

const flowCols = `id, instance_key, order_id, buyer_id, merchant_id, sku_code, delivery, template, state, frozen, requirement_rejections,
	delivery_rejections, state_since, accepted_at, completed_at, created_at, updated_at`

func scanFlow(r rowScanner) (*market.Flow, error) {
	var f market.Flow
	var since, accepted, completed, created, updated int64
	err := r.Scan(&f.ID, &f.InstanceKey, &f.OrderID, &f.BuyerID, &f.MerchantID, &f.SkuCode, &f.Delivery, &f.Template, &f.State, &f.Frozen,
		&f.RequirementRejections, &f.DeliveryRejections, &since, &accepted, &completed, &created, &updated)
	f.StateSince, f.AcceptedAt, f.CompletedAt, f.CreatedAt, f.UpdatedAt = fromMS(since), fromMS(accepted), fromMS(completed), fromMS(created), fromMS(updated)
	return &f, err
}

// InsertFlow stores a new service flow.
func (tx *Tx) InsertFlow(ctx context.Context, f *market.Flow) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO service_flows (`+flowCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		f.ID, f.InstanceKey, f.OrderID, f.BuyerID, f.MerchantID, f.SkuCode, string(f.Delivery), string(f.Template), string(f.State), f.Frozen,
		f.RequirementRejections, f.DeliveryRejections, ms(f.StateSince), ms(f.AcceptedAt), ms(f.CompletedAt), ms(f.CreatedAt), ms(f.UpdatedAt))
	return err
}

// Flow returns a service flow.
func (r Reader) Flow(ctx context.Context, id string) (*market.Flow, error) {
	f, err := scanFlow(r.q.QueryRowContext(ctx, `SELECT `+flowCols+` FROM service_flows WHERE id = $1`, id))
	return f, notFound(err, "service flow", id)
}

// FlowOf returns an instance's service flow (not found when it is not supervised).
func (r Reader) FlowOf(ctx context.Context, instanceKey string) (*market.Flow, error) {
	f, err := scanFlow(r.q.QueryRowContext(ctx, `SELECT `+flowCols+` FROM service_flows WHERE instance_key = $1`, instanceKey))
	return f, notFound(err, "service flow of instance", instanceKey)
}

// FlowFilter selects flows; empty fields match everything.
type FlowFilter struct {
	BuyerID    string
	MerchantID string
	State      market.FlowState
	Page       Page
}

// Flows lists a page of flows, newest first.
func (r Reader) Flows(ctx context.Context, f FlowFilter) ([]*market.Flow, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+flowCols+` FROM service_flows
		WHERE ($1 = '' OR buyer_id = $1) AND ($2 = '' OR merchant_id = $2) AND ($3 = '' OR state = $3)
		AND ($4 = 0 OR created_at < $4 OR created_at = $4 AND id < $5)
		ORDER BY created_at DESC, id DESC LIMIT $6`, f.BuyerID, f.MerchantID, string(f.State), f.Page.afterMS(), f.Page.After.ID, f.Page.limit()+1)
	list, err := collect(rows, err, scanFlow)
	return cut(list, err, f.Page, func(f *market.Flow) Cursor { return Cursor{f.CreatedAt, f.ID} })
}

// UpdateFlow writes a flow's mutable fields if it is still in state from and its frozen flag is
// wasFrozen, so that two actions racing on a flow cannot both apply. It reports whether it did.
func (tx *Tx) UpdateFlow(ctx context.Context, f *market.Flow, from market.FlowState, wasFrozen bool) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE service_flows SET state = $1, frozen = $2, requirement_rejections = $3, delivery_rejections = $4,
		state_since = $5, accepted_at = $6, completed_at = $7, updated_at = $8 WHERE id = $9 AND state = $10 AND frozen = $11`,
		string(f.State), f.Frozen, f.RequirementRejections, f.DeliveryRejections, ms(f.StateSince), ms(f.AcceptedAt), ms(f.CompletedAt),
		ms(f.UpdatedAt), f.ID, string(from), wasFrozen))
}

// OpenFlows counts an order's service flows not yet completed or closed: such an order is still
// processing, whatever its instances' states.
func (r Reader) OpenFlows(ctx context.Context, orderID string) (int, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM service_flows WHERE order_id = $1 AND state NOT IN ('COMPLETED', 'CLOSED')`, orderID).Scan(&n)
	return n, err
}

const appealCols = `id, flow_id, by_role, by_id, reason, demand, state, outcome, resume_at, refund, note, due_at, created_at, decided_at`

func scanAppeal(r rowScanner) (*market.Appeal, error) {
	var a market.Appeal
	var due, created, decided int64
	err := r.Scan(&a.ID, &a.FlowID, &a.ByRole, &a.ByID, &a.Reason, &a.Demand, &a.State, &a.Outcome, &a.ResumeAt, &a.Refund, &a.Note,
		&due, &created, &decided)
	a.DueAt, a.CreatedAt, a.DecidedAt = fromMS(due), fromMS(created), fromMS(decided)
	return &a, err
}

// InsertAppeal stores an appeal; a flow has at most one open appeal (a conflict otherwise).
func (tx *Tx) InsertAppeal(ctx context.Context, a *market.Appeal) error {
	ok, err := affected(tx.q.ExecContext(ctx, `INSERT INTO appeals (`+appealCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT DO NOTHING`, a.ID, a.FlowID, string(a.ByRole), a.ByID, a.Reason, a.Demand, string(a.State), string(a.Outcome), string(a.ResumeAt),
		int64(a.Refund), a.Note, ms(a.DueAt), ms(a.CreatedAt), ms(a.DecidedAt)))
	if err == nil && !ok {
		err = market.Errorf(market.CodeConflict, "service flow %s already has an open appeal", a.FlowID)
	}
	return err
}

// Appeal returns an appeal.
func (r Reader) Appeal(ctx context.Context, id string) (*market.Appeal, error) {
	a, err := scanAppeal(r.q.QueryRowContext(ctx, `SELECT `+appealCols+` FROM appeals WHERE id = $1`, id))
	return a, notFound(err, "appeal", id)
}

// AppealFilter selects appeals; empty fields match everything.
type AppealFilter struct {
	FlowID     string
	BuyerID    string
	MerchantID string
	State      market.AppealState
	Page       Page
}

// Appeals lists a page of appeals, newest first.
func (r Reader) Appeals(ctx context.Context, f AppealFilter) ([]*market.Appeal, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+appealCols+` FROM appeals a
		WHERE ($1 = '' OR flow_id = $1) AND ($2 = '' OR state = $2)
		AND ($3 = '' OR flow_id IN (SELECT id FROM service_flows WHERE buyer_id = $3))
		AND ($4 = '' OR flow_id IN (SELECT id FROM service_flows WHERE merchant_id = $4))
		AND ($5 = 0 OR created_at < $5 OR created_at = $5 AND id < $6)
		ORDER BY created_at DESC, id DESC LIMIT $7`, f.FlowID, string(f.State), f.BuyerID, f.MerchantID, f.Page.afterMS(), f.Page.After.ID, f.Page.limit()+1)
	list, err := collect(rows, err, scanAppeal)
	return cut(list, err, f.Page, func(a *market.Appeal) Cursor { return Cursor{a.CreatedAt, a.ID} })
}

// DecideAppeal records the operator's decision on an open appeal; it reports false when the
// appeal was decided meanwhile.
func (tx *Tx) DecideAppeal(ctx context.Context, a *market.Appeal) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE appeals SET state = $1, outcome = $2, resume_at = $3, refund = $4, note = $5, decided_at = $6
		WHERE id = $7 AND state = 'OPEN'`, string(a.State), string(a.Outcome), string(a.ResumeAt), int64(a.Refund), a.Note, ms(a.DecidedAt), a.ID))
}
