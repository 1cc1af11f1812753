package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// Provisioning. A newInstance first reserves its instance under the idempotency key (a UNIQUE
// row, state pending); only the request that inserted the row calls the merchant. The row is
// the durable job: the work runs in a goroutine of this process, the answer waits for it up to
// the budget and then says 000004, and a Handler started after a crash finds the row still
// pending and runs it again with the same instance ID.

// flight is a provisioning attempt running in this process; done closes when out is set.
type flight struct {
	done chan struct{}
	out  ProvisionOutcome
}

// idemKey builds the idempotency key of an order line or, for pay-per-use, of the order's
// product. The separator cannot appear in KooGallery IDs.
func idemKey(orderID, kind, id string) string { return orderID + "\x1f" + kind + "\x1f" + id }

func (h *Handler) newInstance(ctx context.Context, call *NewInstanceCall) *kgp.Response {
	deadline := time.Now().Add(h.cfg.ProvisionBudget)
	if call.OrderLineID != "" { // a redelivery of a known line needs neither the order nor a write
		in, err := h.store.InstanceByLine(ctx, call.OrderID, call.OrderLineID)
		if err != nil {
			return h.storeFailed(err)
		}
		if in != nil {
			return h.existing(ctx, in, call.Generation, deadline)
		}
	}
	key, resp := h.resolveKey(ctx, call, deadline)
	if resp != nil {
		return resp
	}
	call.InstanceID, call.Attempt = h.cfg.NewInstanceID(call), 1
	raw, err := json.Marshal(call)
	if err != nil {
		return h.storeFailed(err)
	}
	in := &Instance{ID: call.InstanceID, Key: key, OrderID: call.OrderID, OrderLineID: call.OrderLineID,
		ProductID: call.ProductID, Provision: ProvisionPending, Attempt: 1, Status: StatusActive, Call: raw,
		Created: h.cfg.Now()}
	stored, inserted, err := h.store.Reserve(ctx, in)
	if err != nil {
		return h.storeFailed(err)
	}
	if !inserted {
		return h.existing(ctx, stored, call.Generation, deadline)
	}
	h.log.Info("provisioning", "instance", stored.ID, "order", call.OrderID, "line", call.OrderLineID)
	return h.await(ctx, stored, h.start(call), call.Generation, deadline)
}

// resolveKey picks the idempotency key. 1.0 has no order lines: its key is the product of
// the order. 2.0 keys the order line unless Config.Orders shows a pay-per-use line, which is
// keyed by its product so that billing items of one product share an instance.
func (h *Handler) resolveKey(ctx context.Context, call *NewInstanceCall, deadline time.Time) (string, *kgp.Response) {
	if call.Generation == kgp.Gen1 {
		return idemKey(call.OrderID, "product", call.ProductID), nil
	}
	if h.cfg.Orders == nil {
		return idemKey(call.OrderID, "line", call.OrderLineID), nil
	}
	// The order query, retries included, must fit in the budget: an answer after KooGallery's
	// 5 s is a failure whatever it says, and the redelivery will ask again.
	qctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	order, err := h.cfg.Orders.QueryOrder(qctx, call.OrderID, call.OrderLineID)
	if err != nil {
		h.log.Error("order query failed", "order", call.OrderID, "line", call.OrderLineID, "err", err)
		return "", failure(kgp.ResultInternalError, "order query failed; retry")
	}
	call.Order = order
	for i := range order.OrderLine {
		if order.OrderLine[i].OrderLineID == call.OrderLineID {
			call.Line = &order.OrderLine[i]
		}
	}
	if call.Line == nil {
		// The debug tool and checkers use fresh lines of the mock orders, which the order query
		// does not list; refusing them would fail a correct merchant. Key the line itself.
		h.log.Warn("order line not in the order; keyed by the line", "order", call.OrderID, "line", call.OrderLineID)
		return idemKey(call.OrderID, "line", call.OrderLineID), nil
	}
	call.ChargingMode = call.Line.ChargingMode
	if len(call.Line.ProductInfo) > 0 {
		call.ProductID = call.Line.ProductInfo[0].ProductID
	}
	if call.ChargingMode == kgp.ChargingOnDemand && call.ProductID != "" {
		return idemKey(call.OrderID, "product", call.ProductID), nil
	}
	return idemKey(call.OrderID, "line", call.OrderLineID), nil
}

// existing answers a delivery whose instance is already reserved.
func (h *Handler) existing(ctx context.Context, in *Instance, g kgp.Generation, deadline time.Time) *kgp.Response {
	switch in.Provision {
	case ProvisionReady:
		return h.created(in.ID, in.AppInfo, in.EncryptType, g)
	case ProvisionFailed: // a redelivery after a failure is the retry KooGallery intends
		retried, err := h.store.RetryProvision(ctx, in.ID)
		if err != nil {
			return h.storeFailed(err)
		}
		if retried {
			call, err := storedCall(in)
			if err != nil {
				return h.storeFailed(err)
			}
			call.Attempt = in.Attempt + 1
			return h.await(ctx, in, h.start(call), g, deadline)
		}
	}
	h.mu.Lock()
	f := h.flights[in.ID]
	h.mu.Unlock()
	if f == nil { // the attempt may have ended between the read and the lookup
		if found, err := h.store.Instances(ctx, in.ID); err == nil && found[in.ID] != nil {
			if now := found[in.ID]; now.Provision == ProvisionReady {
				return h.created(now.ID, now.AppInfo, now.EncryptType, g)
			}
		}
	}
	return h.await(ctx, in, f, g, deadline)
}

// await waits for f until deadline and answers with its outcome, or 000004 with the instance
// ID while it is still running (or running elsewhere, f nil).
func (h *Handler) await(ctx context.Context, in *Instance, f *flight, g kgp.Generation, deadline time.Time) *kgp.Response {
	pending := &kgp.Response{ResultCode: kgp.ResultProcessing, ResultMsg: "processing", InstanceID: in.ID}
	if f == nil {
		return pending
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-f.done:
	case <-t.C:
		return pending
	case <-ctx.Done():
		return pending
	}
	switch f.out.State {
	case ProvisionReady:
		return h.created(in.ID, f.out.AppInfo, f.out.EncryptType, g)
	case ProvisionFailed:
		return failure(f.out.Code, f.out.Msg)
	}
	return pending // the Handler closed before the attempt ended
}

// created answers a provisioned instance. 1.0 returns appInfo with newInstance; 2.0 returns
// the ID only, and KooGallery reads appInfo with queryInstance.
func (h *Handler) created(id string, sealed *kgp.AppInfo, et kgp.EncryptType, g kgp.Generation) *kgp.Response {
	resp := success()
	resp.InstanceID = id
	if g == kgp.Gen1 && sealed != nil {
		resp.AppInfo, resp.EncryptType = h.present(sealed, et)
	}
	return resp
}

// start runs provisioning in the background and returns its flight, or nil when the Handler
// is closing (the instance stays pending for the next Handler).
func (h *Handler) start(call *NewInstanceCall) *flight {
	f := &flight{done: make(chan struct{})}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.flights[call.InstanceID] = f
	h.wg.Add(1)
	h.mu.Unlock()
	go func() {
		defer h.wg.Done()
		f.out = h.provision(call)
		h.mu.Lock()
		delete(h.flights, call.InstanceID)
		h.mu.Unlock()
		close(f.done)
	}()
	return f
}

// provision runs one attempt and records its outcome.
func (h *Handler) provision(call *NewInstanceCall) ProvisionOutcome {
	ctx, cancel := context.WithTimeout(h.ctx, h.cfg.ProvisionTimeout)
	defer cancel()
	var p *Provisioned
	err := h.call("newInstance", func() (err error) {
		p, err = h.m.NewInstance(ctx, call)
		return err
	})
	if err != nil && h.ctx.Err() != nil {
		h.log.Info("provisioning interrupted by Close; it resumes on the next start", "instance", call.InstanceID)
		return ProvisionOutcome{State: ProvisionPending}
	}
	out := ProvisionOutcome{State: ProvisionReady, EncryptType: h.cfg.EncryptType}
	if err == nil && p != nil {
		out.AppInfo, err = h.seal(p.AppInfo)
	}
	if err != nil {
		code, msg := resultOf(err)
		out = ProvisionOutcome{State: ProvisionFailed, Code: code, Msg: msg}
		h.log.Warn("provisioning failed", "instance", call.InstanceID, "attempt", call.Attempt, "code", code, "err", err)
	}
	if err := h.store.FinishProvision(context.WithoutCancel(ctx), call.InstanceID, out); err != nil {
		h.log.Error("provisioning outcome not stored; it runs again on the next start", "instance", call.InstanceID, "err", err)
		return ProvisionOutcome{State: ProvisionPending}
	}
	if out.State == ProvisionReady {
		h.log.Info("provisioned", "instance", call.InstanceID, "attempt", call.Attempt)
	}
	return out
}

// resume restarts the provisioning a previous process left pending.
func (h *Handler) resume() error {
	ctx := h.ctx
	if err := h.store.Recover(ctx); err != nil {
		return err
	}
	pending, err := h.store.PendingProvisions(ctx)
	if err != nil {
		return err
	}
	for _, in := range pending {
		call, err := storedCall(in)
		if err != nil {
			return err
		}
		call.Attempt = in.Attempt
		h.log.Info("resuming provisioning", "instance", in.ID, "attempt", in.Attempt)
		h.start(call)
	}
	return nil
}

// retryInBackground restarts a failed provisioning when KooGallery polls for it. Only internal
// errors are retried this way: a refusal with its own code (sold out, ...) stays until
// KooGallery redelivers newInstance.
func (h *Handler) retryInBackground(ctx context.Context, in *Instance) {
	if in.FailCode != kgp.ResultInternalError {
		return
	}
	retried, err := h.store.RetryProvision(ctx, in.ID)
	if err != nil || !retried {
		return
	}
	call, err := storedCall(in)
	if err != nil {
		h.log.Error("stored call unreadable", "instance", in.ID, "err", err)
		return
	}
	call.Attempt = in.Attempt + 1
	h.start(call)
}

func storedCall(in *Instance) (*NewInstanceCall, error) {
	var call NewInstanceCall
	if err := json.Unmarshal(in.Call, &call); err != nil {
		return nil, errors.Join(errors.New("sdk: stored newInstance call unreadable"), err)
	}
	call.InstanceID = in.ID // the stored call is the winner's, but be certain
	return &call, nil
}

func (h *Handler) storeFailed(err error) *kgp.Response {
	h.log.Error("sdk store failed", "err", err)
	return failure(kgp.ResultInternalError, "internal error")
}
