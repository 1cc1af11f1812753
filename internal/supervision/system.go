package supervision

import (
	"context"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Steps other features make on a flow, in their own transactions: hardware's shipping and
// auto-acceptance, an unsubscription's closing, an appeal's freezing and decision. And the
// completion timer.

// Queue is supervision's River queue.
const Queue = "supervision"

// Register adds the completion timer's worker and its queue.
func (s *Service) Register(j *store.Jobs) {
	store.AddWorker(j, &CompleteWorker{S: s})
	j.Queue(Queue, 2)
}

// CompleteArgs completes a flow three hours after its acceptance at AcceptedAt.
type CompleteArgs struct {
	FlowID     string    `json:"flow_id"`
	AcceptedAt time.Time `json:"accepted_at"`
}

// Kind implements river.JobArgs.
func (CompleteArgs) Kind() string { return "flow_complete" }

// CompleteWorker completes accepted flows.
type CompleteWorker struct {
	river.WorkerDefaults[CompleteArgs]
	S *Service
}

// Work completes the flow if it is still the acceptance the timer was set for and not frozen by
// an appeal (whose decision then says what happens).
func (w *CompleteWorker) Work(ctx context.Context, job *river.Job[CompleteArgs]) error {
	s := w.S
	return s.db.Write(ctx, func(tx *store.Tx) error {
		f, err := tx.Flow(ctx, job.Args.FlowID)
		if err != nil || f.State != market.FlowAccepted || f.Frozen || !f.AcceptedAt.Equal(job.Args.AcceptedAt) {
			return err
		}
		if now := s.clock.Now(); now.Before(f.AcceptedAt.Add(s.cfg.CompleteAfter)) {
			return river.JobSnooze(f.AcceptedAt.Add(s.cfg.CompleteAfter).Sub(now))
		}
		return s.complete(ctx, tx, f, "completed 3 hours after acceptance")
	})
}

// complete ends a flow COMPLETED: the order completes and its sales may be settled.
func (s *Service) complete(ctx context.Context, tx *store.Tx, f *market.Flow, why string) error {
	from, wasFrozen, now := f.State, f.Frozen, s.clock.Now()
	f.State, f.Frozen, f.CompletedAt, f.StateSince, f.UpdatedAt = market.FlowCompleted, false, now, now, now
	if ok, err := tx.UpdateFlow(ctx, f, from, wasFrozen); err != nil || !ok {
		return err
	}
	if err := record(ctx, tx, f, market.RoleOperator, "", "complete", string(from), string(f.State), why, nil, now); err != nil {
		return err
	}
	// Completed without an acceptance (an appeal's decision): the validity starts now, or it
	// would never run.
	if err := s.orders.StartValidity(ctx, tx, f.InstanceKey, now); err != nil {
		return err
	}
	s.log.Info("service flow completed", "flow", f.ID, "order", f.OrderID)
	return s.orders.CompleteIfDelivered(ctx, tx, f.OrderID)
}

// Shipped moves a hardware instance's flow to the buyer's acceptance once its goods are shipped,
// in tx; the shipment's carrier and waybill are the delivery's evidence.
func (s *Service) Shipped(ctx context.Context, tx *store.Tx, key, merchantID, text string) error {
	f, err := tx.FlowOf(ctx, key)
	if market.ErrorCode(err) == market.CodeNotFound {
		return nil // unsupervised hardware: no flow to move
	}
	if err != nil {
		return err
	}
	return s.transition(ctx, tx, f, step{role: market.RoleSeller, from: []market.FlowState{market.FlowDelivering}, action: "ship",
		apply: to(market.FlowAwaitingAcceptance)}, market.RoleSeller, merchantID, text, nil)
}

// AutoAccept accepts a delivery on the buyer's behalf, in tx (hardware: the waybill signed and
// idle for 10 days, rules §4.1).
func (s *Service) AutoAccept(ctx context.Context, tx *store.Tx, key, why string) error {
	f, err := tx.FlowOf(ctx, key)
	if market.ErrorCode(err) == market.CodeNotFound {
		return nil
	}
	if err != nil || f.State != market.FlowAwaitingAcceptance || f.Frozen {
		return err
	}
	return s.transition(ctx, tx, f, s.acceptStep("accept automatically"), market.RoleOperator, "", why, nil)
}

// Close ends an instance's flow when its unsubscription was refunded, in tx (rules §3.2: the
// supervision flow is closed).
func (s *Service) Close(ctx context.Context, tx *store.Tx, key, why string) error {
	f, err := tx.FlowOf(ctx, key)
	if market.ErrorCode(err) == market.CodeNotFound {
		return nil
	}
	if err != nil || f.State == market.FlowCompleted || f.State == market.FlowClosed {
		return err
	}
	from, wasFrozen, now := f.State, f.Frozen, s.clock.Now()
	f.State, f.Frozen, f.StateSince, f.UpdatedAt = market.FlowClosed, false, now, now
	if ok, err := tx.UpdateFlow(ctx, f, from, wasFrozen); err != nil || !ok {
		if err == nil {
			err = market.Errorf(market.CodeConflict, "service flow %s changed meanwhile; retry", f.ID)
		}
		return err
	}
	return record(ctx, tx, f, market.RoleOperator, "", "close", string(from), string(f.State), why, nil, now)
}

// Freeze freezes a flow for an open appeal, in tx; the appeal is logged as its evidence.
func (s *Service) Freeze(ctx context.Context, tx *store.Tx, f *market.Flow, role market.Role, actor, text string) error {
	if f.Frozen {
		return market.Errorf(market.CodeConflict, "service flow %s is already frozen by an open appeal", f.ID)
	}
	now := s.clock.Now()
	f.Frozen, f.UpdatedAt = true, now
	if ok, err := tx.UpdateFlow(ctx, f, f.State, false); err != nil || !ok {
		if err == nil {
			err = market.Errorf(market.CodeConflict, "service flow %s changed meanwhile; retry", f.ID)
		}
		return err
	}
	return record(ctx, tx, f, role, actor, "appeal", string(f.State), string(f.State), text, nil, now)
}

// Resume unfreezes a flow at the state an appeal's decision names, in tx.
func (s *Service) Resume(ctx context.Context, tx *store.Tx, f *market.Flow, at market.FlowState, note string) error {
	resumable := []market.FlowState{market.FlowAwaitingRequirement, market.FlowAwaitingConfirm, market.FlowDelivering, market.FlowAwaitingAcceptance}
	if f.Template == market.TemplateNoRequirement {
		resumable = resumable[2:]
	}
	if !slices.Contains(resumable, at) {
		return market.Invalid("resume_at", "a flow of template %s resumes at one of %v", f.Template, resumable)
	}
	from, now := f.State, s.clock.Now()
	f.State, f.Frozen, f.UpdatedAt = at, false, now
	if from != at {
		f.StateSince = now
	}
	if ok, err := tx.UpdateFlow(ctx, f, from, true); err != nil || !ok {
		if err == nil {
			err = market.Errorf(market.CodeConflict, "service flow %s changed meanwhile; retry", f.ID)
		}
		return err
	}
	return record(ctx, tx, f, market.RoleOperator, "", "resume", string(from), string(at), note, nil, now)
}

// Complete completes a frozen flow at an appeal's decision, in tx: the seller is settled.
func (s *Service) Complete(ctx context.Context, tx *store.Tx, f *market.Flow, note string) error {
	return s.complete(ctx, tx, f, "appeal decided: "+note)
}

// Unfreeze lifts an appeal's freeze without moving the flow, in tx (the appeal ended in a refund,
// whose unsubscription closes the flow).
func (s *Service) Unfreeze(ctx context.Context, tx *store.Tx, f *market.Flow) error {
	f.Frozen, f.UpdatedAt = false, s.clock.Now()
	_, err := tx.UpdateFlow(ctx, f, f.State, true)
	return err
}

// Frozen reports whether an instance's flow is frozen by an appeal (false when it has none).
func (s *Service) Frozen(ctx context.Context, r store.Reader, key string) (bool, error) {
	f, err := r.FlowOf(ctx, key)
	if market.ErrorCode(err) == market.CodeNotFound {
		return false, nil
	}
	return err == nil && f.Frozen, err
}
