package store

import (
	"context"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// Debug runs and dial tests (rules §1.3, protocol §0.2).

const runCols = `id, product_id, merchant_id, kind, round_at, state, started_at, finished_at`

func scanRun(r rowScanner) (*market.DebugRun, error) {
	var d market.DebugRun
	var round, started, finished int64
	err := r.Scan(&d.ID, &d.ProductID, &d.MerchantID, &d.Kind, &round, &d.State, &started, &finished)
	d.RoundAt, d.StartedAt, d.FinishedAt = fromMS(round), fromMS(started), fromMS(finished)
	return &d, err
}

// InsertDebugRun stores a new run; it reports false (and stores nothing) for a dial run when the
// product already has one for the round.
func (tx *Tx) InsertDebugRun(ctx context.Context, d *market.DebugRun) (bool, error) {
	var key any // NULL: seller's debug runs are not unique
	if d.Kind == market.DebugDial {
		key = d.ProductID + "/" + d.RoundAt.UTC().Format(time.RFC3339)
	}
	return affected(tx.q.ExecContext(ctx, `INSERT INTO debug_runs (`+runCols+`, dial_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (dial_key) DO NOTHING`, d.ID, d.ProductID, d.MerchantID, string(d.Kind), ms(d.RoundAt), string(d.State),
		ms(d.StartedAt), ms(d.FinishedAt), key))
}

// FinishDebugRun stores a run's cases and outcome, if it is still running.
func (tx *Tx) FinishDebugRun(ctx context.Context, d *market.DebugRun) (bool, error) {
	ok, err := affected(tx.q.ExecContext(ctx, `UPDATE debug_runs SET state = $1, finished_at = $2 WHERE id = $3 AND state = 'RUNNING'`,
		string(d.State), ms(d.FinishedAt), d.ID))
	if err != nil || !ok {
		return ok, err
	}
	for _, c := range d.Cases {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO debug_cases (run_id, n, name, activity, request, status, response, result_code,
			latency_ms, error, passed, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, d.ID, c.N, c.Name, c.Activity,
			string(c.Request), c.Status, string(c.Response), c.ResultCode, c.Latency.Milliseconds(), c.Error, c.Passed, ms(c.At)); err != nil {
			return false, err
		}
	}
	return true, nil
}

// DebugRun returns a run with its cases.
func (r Reader) DebugRun(ctx context.Context, id string) (*market.DebugRun, error) {
	d, err := scanRun(r.q.QueryRowContext(ctx, `SELECT `+runCols+` FROM debug_runs WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "debug run", id)
	}
	return d, r.runCases(ctx, d)
}

func (r Reader) runCases(ctx context.Context, d *market.DebugRun) error {
	rows, err := r.q.QueryContext(ctx, `SELECT n, name, activity, request, status, response, result_code, latency_ms, error, passed, at
		FROM debug_cases WHERE run_id = $1 ORDER BY n`, d.ID)
	d.Cases, err = collect(rows, err, func(r rowScanner) (market.DebugCase, error) {
		var c market.DebugCase
		var req, resp string
		var latency, at int64
		err := r.Scan(&c.N, &c.Name, &c.Activity, &req, &c.Status, &resp, &c.ResultCode, &latency, &c.Error, &c.Passed, &at)
		c.Request, c.Response, c.Latency, c.At = []byte(req), []byte(resp), time.Duration(latency)*time.Millisecond, fromMS(at)
		return c, err
	})
	return err
}

// SavedDebugRun returns a product's saved debug cases: its latest passed seller's debug run.
func (r Reader) SavedDebugRun(ctx context.Context, productID string) (*market.DebugRun, error) {
	d, err := scanRun(r.q.QueryRowContext(ctx, `SELECT `+runCols+` FROM debug_runs WHERE product_id = $1 AND kind = 'DEBUG' AND state = 'PASSED'
		ORDER BY started_at DESC, id DESC LIMIT 1`, productID))
	if err != nil {
		return nil, notFound(err, "saved debug cases of product", productID)
	}
	return d, r.runCases(ctx, d)
}

// DebugRuns lists a page of a product's runs of a kind ("" for both), newest first, without cases.
func (r Reader) DebugRuns(ctx context.Context, productID string, kind market.DebugKind, p Page) ([]*market.DebugRun, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+runCols+` FROM debug_runs WHERE product_id = $1 AND ($2 = '' OR kind = $2)
		AND ($3 = 0 OR started_at < $3 OR started_at = $3 AND id < $4) ORDER BY started_at DESC, id DESC LIMIT $5`,
		productID, string(kind), p.afterMS(), p.After.ID, p.limit()+1)
	list, err := collect(rows, err, scanRun)
	return cut(list, err, p, func(d *market.DebugRun) Cursor { return Cursor{d.StartedAt, d.ID} })
}

// DialOutcomes returns, for each of a product's dial runs since from, its round and whether it
// passed, oldest first.
func (r Reader) DialOutcomes(ctx context.Context, productID string, from time.Time) ([]*market.DebugRun, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+runCols+` FROM debug_runs WHERE product_id = $1 AND kind = 'DIAL' AND round_at >= $2
		AND state <> 'RUNNING' ORDER BY round_at`, productID, ms(from))
	return collect(rows, err, scanRun)
}

// StartDialRound records that a dial round started; it reports false if one had.
func (tx *Tx) StartDialRound(ctx context.Context, round, at time.Time) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `INSERT INTO dial_rounds (round_at, started_at) VALUES ($1, $2) ON CONFLICT (round_at) DO NOTHING`,
		ms(round), ms(at)))
}

// LastDialRound returns the latest round that started, or the zero time.
func (r Reader) LastDialRound(ctx context.Context) (time.Time, error) {
	var v int64
	err := r.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(round_at), 0) FROM dial_rounds`).Scan(&v)
	return fromMS(v), err
}

// FailedOrders counts a product's orders in [from, to) that failed because of the merchant's
// interface: a create, its polling or an upgrade that was given up on, so that the order was
// refunded (rules §1.6, protocol §7).
func (r Reader) FailedOrders(ctx context.Context, productID string, from, to time.Time) (int, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT c.order_id) FROM calls c
		JOIN instances i ON i.line_id = c.instance_key JOIN specs s ON s.sku_code = i.sku_code JOIN orders o ON o.id = c.order_id
		WHERE s.product_id = $1 AND c.state = 'FAILED' AND o.status = 'REFUNDED'
		AND c.activity IN ('newInstance', 'queryInstance', 'upgradeInstance', 'upgrade')
		AND c.updated_at >= $2 AND c.updated_at < $3`, productID, ms(from), ms(to)).Scan(&n)
	return n, err
}
