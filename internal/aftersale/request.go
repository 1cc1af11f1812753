package aftersale

import (
	"context"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// SubmitRequest is a buyer's unsubscription request (rules §3.2): the refund asked for
// (0 < amount ≤ what was actually paid; a self-service unsubscription's is computed), a reason,
// and whether the seller may see the buyer's phone and email.
type SubmitRequest struct {
	// Kind is one of the eligibility's kinds; empty picks the only one.
	Kind         market.UnsubKind `json:"kind,omitempty"`
	Amount       market.Money     `json:"amount,omitempty"`
	Reason       string           `json:"reason"`
	ShareContact bool             `json:"share_contact,omitempty"`
}

// Submit starts an unsubscription of one of the buyer's instances. An ineligible instance is
// refused with a conflict that names the rule; a self-service unsubscription goes to its refund
// at once (a large one after the operator's approval); the others wait for the seller's review.
func (s *Service) Submit(ctx context.Context, v market.Viewer, key string, r SubmitRequest) (*market.Unsubscription, error) {
	if err := v.MustBeBuyer(); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(r.Reason); n < 1 || n > 500 {
		return nil, market.Invalid("reason", "give a reason of 1 to 500 characters")
	}
	var u *market.Unsubscription
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		in, err := tx.Instance(ctx, key)
		if err != nil {
			return err
		}
		if err := v.Check("instance", key, in.BuyerID, in.MerchantID); err != nil {
			return err
		}
		e, err := s.eligibility(ctx, tx.Reader, in)
		if err != nil {
			return err
		}
		if !e.Eligible {
			return market.Errorf(market.CodeConflict, "%s", e.Rule)
		}
		if r.Kind == "" && len(e.Kinds) == 1 {
			r.Kind = e.Kinds[0]
		}
		if !slices.Contains(e.Kinds, r.Kind) {
			return market.Invalid("kind", "instance %s can be unsubscribed as %v, not %q", key, e.Kinds, r.Kind)
		}
		now := s.clock.Now()
		u = &market.Unsubscription{ID: "US" + market.NewUUID(), InstanceKey: key, OrderID: in.OrderID, BuyerID: in.BuyerID, MerchantID: in.MerchantID,
			Kind: r.Kind, State: market.UnsubPendingSeller, Amount: r.Amount, Paid: e.Paid, Reason: r.Reason, ShareContact: r.ShareContact,
			NoReason: e.NoReason, CreatedAt: now, UpdatedAt: now}
		if r.Kind == market.UnsubSelfService {
			u.Amount = e.Refund
			s.approve(u, "")
		} else if r.Amount <= 0 || r.Amount > e.Paid {
			return market.Invalid("amount", "the refund must be more than 0 and at most %s, what was actually paid (vouchers excluded)", e.Paid)
		}
		if err := tx.InsertUnsubscription(ctx, u); err != nil {
			return err
		}
		if err := s.record(ctx, tx, u, market.RoleBuyer, u.BuyerID, "submit", "", r.Reason); err != nil {
			return err
		}
		return s.after(ctx, tx, u)
	})
	return u, err
}

// transition is one party's move on a request.
type transition struct {
	role   market.Role // the buyer, a seller, or the operator
	from   []market.UnsubState
	action string
	apply  func(ctx context.Context, tx *store.Tx, u *market.Unsubscription) error
}

// act applies a move: v must see the request and be of the move's role, the request in one of
// its states and the instance's flow not frozen by an appeal (but for the operator). Of two
// moves racing, exactly one wins; the other gets a conflict.
func (s *Service) act(ctx context.Context, v market.Viewer, id, text string, t transition) (*market.Unsubscription, error) {
	if utf8.RuneCountInString(text) > 500 {
		return nil, market.Invalid("note", "at most 500 characters")
	}
	var u *market.Unsubscription
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = tx.Unsubscription(ctx, id); err != nil {
			return err
		}
		if err := v.Check("unsubscription", id, u.BuyerID, u.MerchantID); err != nil {
			return err
		}
		if v.Role != t.role {
			return market.Errorf(market.CodeForbidden, "only the %s may %s", t.role, t.action)
		}
		if !slices.Contains(t.from, u.State) {
			return market.Errorf(market.CodeConflict, "unsubscription %s is %s: it cannot %s now", id, u.State, t.action)
		}
		if v.Role != market.RoleOperator {
			if frozen, err := s.flows.Frozen(ctx, tx.Reader, u.InstanceKey); err != nil || frozen {
				if err == nil {
					err = market.Errorf(market.CodeConflict, "the service flow of %s is frozen while its appeal is open (rules §4.3)", u.InstanceKey)
				}
				return err
			}
		}
		from := u.State
		if err := t.apply(ctx, tx, u); err != nil {
			return err
		}
		u.UpdatedAt = s.clock.Now()
		ok, err := tx.UpdateUnsubscription(ctx, u, from)
		if err != nil {
			return err
		}
		if !ok {
			return market.Errorf(market.CodeConflict, "unsubscription %s changed meanwhile", id)
		}
		actor := v.BuyerID
		if v.Role == market.RoleSeller {
			actor = v.MerchantID
		}
		if err := s.record(ctx, tx, u, v.Role, actor, t.action, from, text); err != nil {
			return err
		}
		return s.after(ctx, tx, u)
	})
	return u, err
}

// Withdraw withdraws a request: the buyer, while the seller has not decided, or before the
// approved goods are sent back.
func (s *Service) Withdraw(ctx context.Context, v market.Viewer, id string) (*market.Unsubscription, error) {
	return s.act(ctx, v, id, "", transition{role: market.RoleBuyer, from: []market.UnsubState{market.UnsubPendingSeller, market.UnsubAwaitingReturn},
		action: "withdraw", apply: func(_ context.Context, _ *store.Tx, u *market.Unsubscription) error {
			u.State, u.Deadline = market.UnsubWithdrawn, time.Time{}
			return nil
		}})
}

// Review is the seller's decision: approved, the refund follows (a received hardware return
// first waits for the goods); rejected, with a note, the request ends (the buyer may appeal
// through the service flow).
func (s *Service) Review(ctx context.Context, v market.Viewer, id string, approve bool, note string) (*market.Unsubscription, error) {
	t := transition{role: market.RoleSeller, from: []market.UnsubState{market.UnsubPendingSeller}, action: "approve",
		apply: func(ctx context.Context, tx *store.Tx, u *market.Unsubscription) error {
			u.SellerNote = note
			if taken, err := tx.LicenseTaken(ctx, u.InstanceKey); err != nil || taken {
				if err == nil {
					err = market.Errorf(market.CodeConflict, "the buyer took the license code meanwhile: it can no longer be unsubscribed (rules §3.1)")
				}
				return err
			}
			if u.Kind == market.UnsubReceived {
				u.State, u.Deadline = market.UnsubAwaitingReturn, s.clock.Now().Add(s.cfg.ReturnWindow)
				return nil
			}
			s.approve(u, "")
			return nil
		}}
	if !approve {
		if note == "" {
			return nil, market.Invalid("note", "say why the unsubscription is rejected")
		}
		t.action = "reject"
		t.apply = func(_ context.Context, _ *store.Tx, u *market.Unsubscription) error {
			u.State, u.SellerNote = market.UnsubRejected, note
			return nil
		}
	}
	return s.act(ctx, v, id, note, t)
}

// ReturnRequest is the buyer's return shipment.
type ReturnRequest struct {
	Carrier string `json:"carrier"`
	Waybill string `json:"waybill"`
}

// ReturnShipped records the goods sent back (the buyer, within 10 days of the approval): the
// seller has 15 days to inspect them.
func (s *Service) ReturnShipped(ctx context.Context, v market.Viewer, id string, r ReturnRequest) (*market.Unsubscription, error) {
	if n := utf8.RuneCountInString(r.Carrier); n < 1 || n > 64 {
		return nil, market.Invalid("carrier", "carrier must be 1 to 64 characters")
	}
	if len(r.Waybill) < 4 || len(r.Waybill) > 64 {
		return nil, market.Invalid("waybill", "a waybill number is 4 to 64 characters")
	}
	return s.act(ctx, v, id, r.Carrier+" "+r.Waybill, transition{role: market.RoleBuyer, from: []market.UnsubState{market.UnsubAwaitingReturn},
		action: "send the goods back", apply: func(_ context.Context, _ *store.Tx, u *market.Unsubscription) error {
			u.ReturnCarrier, u.ReturnWaybill = r.Carrier, r.Waybill
			u.State, u.Deadline = market.UnsubAwaitingInspect, s.clock.Now().Add(s.cfg.InspectWindow)
			return nil
		}})
}

// Inspect is the seller's inspection of returned goods: accepted, the refund follows; an
// exception (with a note) puts the request to the operator (DISPUTE).
func (s *Service) Inspect(ctx context.Context, v market.Viewer, id string, accept bool, note string) (*market.Unsubscription, error) {
	t := transition{role: market.RoleSeller, from: []market.UnsubState{market.UnsubAwaitingInspect}, action: "accept the returned goods",
		apply: func(_ context.Context, _ *store.Tx, u *market.Unsubscription) error {
			s.approve(u, "")
			return nil
		}}
	if !accept {
		if note == "" {
			return nil, market.Invalid("note", "describe the exception")
		}
		t.action = "report an exception"
		t.apply = func(_ context.Context, _ *store.Tx, u *market.Unsubscription) error {
			u.State, u.Deadline, u.SellerNote = market.UnsubDispute, time.Time{}, note
			return nil
		}
	}
	return s.act(ctx, v, id, note, t)
}

// ApproveRefund is the operator's approval of a large refund.
func (s *Service) ApproveRefund(ctx context.Context, v market.Viewer, id string) (*market.Unsubscription, error) {
	return s.act(ctx, v, id, "", transition{role: market.RoleOperator, from: []market.UnsubState{market.UnsubRefunding}, action: "approve the refund",
		apply: func(_ context.Context, _ *store.Tx, u *market.Unsubscription) error {
			if u.Approval != market.ApprovalPending {
				return market.Errorf(market.CodeConflict, "unsubscription %s needs no approval", u.ID)
			}
			u.Approval, u.Deadline = market.ApprovalByOperator, s.clock.Now().Add(s.cfg.RefundDelay)
			return nil
		}})
}

// ResolveDispute is the operator's decision on a disputed return: refund (the amount asked, or
// a lower one) or reject.
func (s *Service) ResolveDispute(ctx context.Context, v market.Viewer, id string, refund bool, amount market.Money, note string) (*market.Unsubscription, error) {
	if note == "" {
		return nil, market.Invalid("note", "record the decision's grounds")
	}
	return s.act(ctx, v, id, note, transition{role: market.RoleOperator, from: []market.UnsubState{market.UnsubDispute}, action: "decide the dispute",
		apply: func(_ context.Context, _ *store.Tx, u *market.Unsubscription) error {
			if !refund {
				u.State = market.UnsubRejected
				return nil
			}
			if amount != 0 {
				if amount < 0 || amount > u.Amount {
					return market.Invalid("amount", "the refund is more than 0 and at most the %s asked", u.Amount)
				}
				u.Amount = amount
			}
			s.approve(u, market.ApprovalByOperator)
			return nil
		}})
}

// approve moves a request to REFUNDING: a large refund waits for the operator (approval given
// says it is already approved); the refund is paid at the deadline.
func (s *Service) approve(u *market.Unsubscription, approval string) {
	now := s.clock.Now()
	u.State, u.Approval, u.Deadline = market.UnsubRefunding, approval, now.Add(s.cfg.RefundDelay)
	if approval == "" && u.Amount > s.cfg.LargeRefund {
		u.Approval, u.Deadline = market.ApprovalPending, now.Add(s.cfg.AutoApproveAfter)
	}
}
