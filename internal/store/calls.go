package store

import (
	"context"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

const callCols = `id, merchant_id, activity, instance_key, order_id, form, request, state, attempts, result_code, last_error, deadline, next_attempt_at, job_id, created_at, updated_at`

func scanCall(r rowScanner) (*market.Call, error) {
	var c market.Call
	var req string
	var deadline, next, created, updated int64
	err := r.Scan(&c.ID, &c.MerchantID, &c.Activity, &c.InstanceKey, &c.OrderID, &c.Form, &req, &c.State, &c.Attempts, &c.ResultCode,
		&c.LastError, &deadline, &next, &c.JobID, &created, &updated)
	c.Request = []byte(req)
	c.Deadline, c.NextAttemptAt, c.CreatedAt, c.UpdatedAt = fromMS(deadline), fromMS(next), fromMS(created), fromMS(updated)
	return &c, err
}

// InsertCall stores a merchant call.
func (tx *Tx) InsertCall(ctx context.Context, c *market.Call) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO calls (`+callCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		c.ID, c.MerchantID, c.Activity, c.InstanceKey, c.OrderID, string(c.Form), string(c.Request), string(c.State), c.Attempts, c.ResultCode,
		c.LastError, ms(c.Deadline), ms(c.NextAttemptAt), c.JobID, ms(c.CreatedAt), ms(c.UpdatedAt))
	return err
}

// Call returns a call by ID.
func (r Reader) Call(ctx context.Context, id string) (*market.Call, error) {
	c, err := scanCall(r.q.QueryRowContext(ctx, `SELECT `+callCols+` FROM calls WHERE id = $1`, id))
	return c, notFound(err, "call", id)
}

// CallFilter selects calls to list; empty fields match everything.
type CallFilter struct {
	MerchantID  string
	InstanceKey string
	State       market.CallState
	Page        Page
}

// Calls lists a page of calls, newest first.
func (r Reader) Calls(ctx context.Context, f CallFilter) ([]*market.Call, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+callCols+` FROM calls
		WHERE ($1 = '' OR merchant_id = $1) AND ($2 = '' OR instance_key = $2) AND ($3 = '' OR state = $3)
		AND ($4 = 0 OR created_at < $4 OR created_at = $4 AND id < $5)
		ORDER BY created_at DESC, id DESC LIMIT $6`, f.MerchantID, f.InstanceKey, string(f.State), f.Page.afterMS(), f.Page.After.ID, f.Page.limit()+1)
	list, err := collect(rows, err, scanCall)
	return cut(list, err, f.Page, func(c *market.Call) Cursor { return Cursor{c.CreatedAt, c.ID} })
}

// UpdateCall writes a call's progress if it is still in state from.
func (tx *Tx) UpdateCall(ctx context.Context, c *market.Call, from market.CallState) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE calls SET state = $1, attempts = $2, result_code = $3, last_error = $4, deadline = $5,
		next_attempt_at = $6, job_id = $7, updated_at = $8 WHERE id = $9 AND state = $10`,
		string(c.State), c.Attempts, c.ResultCode, c.LastError, ms(c.Deadline), ms(c.NextAttemptAt), c.JobID, ms(c.UpdatedAt), c.ID, string(from)))
}

// InsertAttempt records one HTTP exchange of a call. A repeat of the same attempt number (a
// worker that crashed after sending) keeps the first record.
func (tx *Tx) InsertAttempt(ctx context.Context, a *market.Attempt) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO call_attempts (call_id, n, at, method, url, request, status, response, response_size, result_code, latency_ms, error)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (call_id, n) DO NOTHING`,
		a.CallID, a.N, ms(a.At), a.Method, a.URL, string(a.Request), a.Status, string(a.Response), a.ResponseSize, a.ResultCode, a.Latency.Milliseconds(), a.Error)
	return err
}

// Attempts lists a call's attempts in order.
func (r Reader) Attempts(ctx context.Context, callID string) ([]*market.Attempt, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT call_id, n, at, method, url, request, status, response, response_size, result_code, latency_ms, error
		FROM call_attempts WHERE call_id = $1 ORDER BY n`, callID)
	return collect(rows, err, func(r rowScanner) (*market.Attempt, error) {
		var a market.Attempt
		var at, latency int64
		var req, resp string
		err := r.Scan(&a.CallID, &a.N, &at, &a.Method, &a.URL, &req, &a.Status, &resp, &a.ResponseSize, &a.ResultCode, &latency, &a.Error)
		a.At, a.Request, a.Response = fromMS(at), []byte(req), []byte(resp)
		a.Latency = time.Duration(latency) * time.Millisecond
		return &a, err
	})
}
