package hardware

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Waybill progress. The marketplace has no carrier integration: Track is where progress comes
// in, and its one implementation is manual — the operator (or a test) enters each event as the
// carrier shows it. An integration would call Track the same way.

// EventRequest is one waybill event as the carrier shows it.
type EventRequest struct {
	Status market.WaybillStatus `json:"status"`
	Text   string               `json:"text,omitempty"`
	// At is when the carrier recorded it; default now. Not in the future.
	At time.Time `json:"at,omitzero"`
}

// Track records a waybill event: the operator. A SIGNED event marks the waybill's shipments
// signed; every event restarts the 10-day quiet period after which a signed waybill's delivery
// is accepted automatically.
func (s *Service) Track(ctx context.Context, v market.Viewer, carrier, number string, r EventRequest) (*market.WaybillEvent, error) {
	if err := v.MustBeOperator(); err != nil {
		return nil, err
	}
	if err := waybill(carrier, number); err != nil {
		return nil, err
	}
	switch r.Status {
	case market.WaybillInTransit, market.WaybillSigned, market.WaybillException:
	default:
		return nil, market.Invalid("status", "status must be IN_TRANSIT, SIGNED or EXCEPTION")
	}
	if err := text("text", r.Text, 0, 500); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if r.At.IsZero() {
		r.At = now
	}
	if r.At.After(now) {
		return nil, market.Invalid("at", "an event cannot be in the future")
	}
	e := &market.WaybillEvent{Carrier: carrier, Waybill: number, At: r.At.UTC(), Status: r.Status, Text: r.Text}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.AppendWaybillEvent(ctx, e); err != nil {
			return err
		}
		shipments, err := tx.ShipmentsByWaybill(ctx, carrier, number)
		if err != nil {
			return err
		}
		for _, sh := range shipments {
			if err := s.progress(ctx, tx, sh, e); err != nil {
				return err
			}
		}
		return nil
	})
	return e, err
}

// progress applies an event to a shipment of its waybill.
func (s *Service) progress(ctx context.Context, tx *store.Tx, sh *market.Shipment, e *market.WaybillEvent) error {
	if sh.State != market.ShipmentShipped && sh.State != market.ShipmentSigned {
		return nil
	}
	from := sh.State
	if e.At.After(sh.LastEventAt) {
		sh.LastEventAt = e.At
	}
	if e.Status == market.WaybillSigned && sh.State == market.ShipmentShipped {
		sh.State, sh.SignedAt = market.ShipmentSigned, e.At
	}
	sh.UpdatedAt = s.clock.Now()
	if ok, err := tx.UpdateShipment(ctx, sh, from); err != nil || !ok {
		return err
	}
	if sh.State != market.ShipmentSigned {
		return nil // unsigned and idle: no auto-close (rules §4.1)
	}
	return tx.Enqueue(ctx, AutoAcceptArgs{Key: sh.InstanceKey, LastEventAt: sh.LastEventAt},
		&river.InsertOpts{Queue: Queue, ScheduledAt: sh.LastEventAt.Add(s.cfg.AutoAcceptAfter), UniqueOpts: river.UniqueOpts{ByArgs: true}})
}

// AutoAcceptArgs accepts a signed shipment's delivery once its waybill has been idle since
// LastEventAt for the quiet period.
type AutoAcceptArgs struct {
	Key         string    `json:"key"`
	LastEventAt time.Time `json:"last_event_at"`
}

// Kind implements river.JobArgs.
func (AutoAcceptArgs) Kind() string { return "hardware_auto_accept" }

// AutoAcceptWorker accepts idle signed deliveries.
type AutoAcceptWorker struct {
	river.WorkerDefaults[AutoAcceptArgs]
	S *Service
}

// Work accepts the delivery unless the waybill showed progress since the timer was set.
func (w *AutoAcceptWorker) Work(ctx context.Context, job *river.Job[AutoAcceptArgs]) error {
	s := w.S
	return s.db.Write(ctx, func(tx *store.Tx) error {
		sh, err := tx.Shipment(ctx, job.Args.Key)
		if err != nil || sh.State != market.ShipmentSigned || !sh.LastEventAt.Equal(job.Args.LastEventAt) {
			return err
		}
		due := sh.LastEventAt.Add(s.cfg.AutoAcceptAfter)
		if now := s.clock.Now(); now.Before(due) {
			return river.JobSnooze(due.Sub(now))
		}
		s.log.Info("hardware delivery accepted automatically", "instance", sh.InstanceKey, "waybill", sh.Waybill)
		return s.flows.AutoAccept(ctx, tx, sh.InstanceKey, "the waybill was signed and showed no progress for 10 days (rules §4.1)")
	})
}
