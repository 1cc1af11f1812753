package fulfil

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Interface messages (生产接口消息) as sellers and the operator see them: a merchant's calls are
// its sellers' and the operator's; buyers see none.

// Calls lists calls, newest first: the operator's choice of merchant, a seller's own merchant's.
func (d *Dispatcher) Calls(ctx context.Context, v market.Viewer, f store.CallFilter) ([]*market.Call, store.Cursor, error) {
	var ok bool
	if _, f.MerchantID, ok = v.Scope("", f.MerchantID); !ok || v.Role == market.RoleBuyer {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "interface messages are for sellers and the operator")
	}
	return d.db.Calls(ctx, f)
}

// Call returns a call and its attempts, if v sees them.
func (d *Dispatcher) Call(ctx context.Context, v market.Viewer, id string) (*market.Call, []*market.Attempt, error) {
	c, err := d.db.Call(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if err := v.Check("call", id, "", c.MerchantID); err != nil {
		return nil, nil, err
	}
	atts, err := d.db.Attempts(ctx, id)
	return c, atts, err
}

// visible loads a call in tx for v to act on: the operator, or a seller of its merchant with
// the operations (or admin) role.
func visible(ctx context.Context, tx *store.Tx, v market.Viewer, id string) (*market.Call, error) {
	c, err := tx.Call(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := v.Check("call", id, "", c.MerchantID); err != nil {
		return nil, err
	}
	if err := v.MustActAs("call", id, c.MerchantID, market.SellerOperations); err != nil {
		return nil, err
	}
	return c, nil
}

// Restart puts a failed call back in the queue with a fresh window, as the seller console's
// "restart" does, if its activity allows it.
func (d *Dispatcher) Restart(ctx context.Context, v market.Viewer, id string) (*market.Call, error) {
	var call *market.Call
	err := d.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if call, err = visible(ctx, tx, v, id); err != nil {
			return err
		}
		if call.State != market.CallFailed {
			return market.Errorf(market.CodeConflict, "call %s is %s; only a failed call can be restarted", id, call.State)
		}
		a, err := d.activity(call.Activity)
		if err != nil {
			return err
		}
		if a.Restartable != nil {
			if err := a.Restartable(ctx, tx, call); err != nil {
				return err
			}
		}
		now := d.clock.Now()
		call.State, call.Deadline, call.UpdatedAt, call.NextAttemptAt = market.CallPending, now.Add(a.Window), now, now
		if call.JobID, err = tx.EnqueueJob(ctx, CallArgs{CallID: call.ID, Deadline: call.Deadline}, nil); err != nil {
			return err
		}
		_, err = tx.UpdateCall(ctx, call, market.CallFailed)
		return err
	})
	return call, err
}

// RetryNow makes a pending call's next attempt now instead of at its scheduled time; its window
// stays as it was. An attempt already under way is left to finish.
func (d *Dispatcher) RetryNow(ctx context.Context, v market.Viewer, id string) (*market.Call, error) {
	var call *market.Call
	err := d.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if call, err = visible(ctx, tx, v, id); err != nil {
			return err
		}
		if call.State != market.CallPending {
			return market.Errorf(market.CodeConflict, "call %s is %s; only a pending call can be retried now (restart a failed one)", id, call.State)
		}
		now := d.clock.Now()
		if call.NextAttemptAt.After(now) {
			call.NextAttemptAt, call.UpdatedAt = now, now
			if _, err := tx.UpdateCall(ctx, call, market.CallPending); err != nil {
				return err
			}
		}
		return tx.RetryJob(ctx, call.JobID)
	})
	return call, err
}
