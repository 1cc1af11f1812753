package aftersale_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// TestNegotiatedUnsubscription: a supervised SaaS purchase is unsubscribed by negotiation
// (rules §3.2): bad amounts and a second open request are refused with nothing written; the
// seller sees the buyer's contact because the buyer shared it; approved, the refund goes to the
// balance, the order is unsubscribed, releaseInstance goes to the merchant, the flow closes, and
// the buyer is told. Another merchant's seller sees nothing of it.
func TestNegotiatedUnsubscription(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, e *marketplacetest.Env) {
		s, other := e.Shop("m-acme"), e.Shop("m-other")
		b := e.Buyer()
		o := e.Buy(b, s, "saas", 1)
		key := o.Lines[0].ID
		before := e.Balance(b)
		for _, amount := range []market.Money{0, -1, 100_001} {
			_, err := e.Aftersale.Submit(e.Ctx, b, key, aftersale.SubmitRequest{Amount: amount, Reason: "not what I need"})
			if market.ErrorField(err) != "amount" || count(t, e) != 0 {
				t.Fatalf("amount %s: %v (%d requests)", amount, err, count(t, e))
			}
		}
		_, err := e.Aftersale.Submit(e.Ctx, b, key, aftersale.SubmitRequest{Amount: 60_000})
		if market.ErrorField(err) != "reason" {
			t.Fatalf("no reason: %v", err)
		}
		u := marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Submit(e.Ctx, b, key, aftersale.SubmitRequest{Amount: 60_000, Reason: "not what I need", ShareContact: true}))
		if u.State != market.UnsubPendingSeller || u.Paid != 100_000 || u.Kind != market.UnsubNegotiated {
			t.Fatalf("request %+v", u)
		}
		_, err = e.Aftersale.Submit(e.Ctx, b, key, aftersale.SubmitRequest{Amount: 1, Reason: "again"})
		marketplacetest.WantCode(t, err, market.CodeConflict, "a second open request")
		// Who sees what: the seller the shared contact, another seller nothing.
		d := marketplacetest.Must[*aftersale.Detail](t)(e.Aftersale.Unsubscription(e.Ctx, s.Seller, u.ID))
		if d.Email != "buyer@example.com" {
			t.Fatalf("the seller does not see the shared contact: %+v", d)
		}
		_, err = e.Aftersale.Unsubscription(e.Ctx, other.Seller, u.ID)
		marketplacetest.WantCode(t, err, market.CodeNotFound, "another merchant's seller reads it")
		_, err = e.Aftersale.Review(e.Ctx, other.Seller, u.ID, true, "")
		marketplacetest.WantCode(t, err, market.CodeNotFound, "another merchant's seller approves it")
		_, err = e.Aftersale.Withdraw(e.Ctx, e.Buyer(), u.ID)
		marketplacetest.WantCode(t, err, market.CodeNotFound, "another buyer withdraws it")
		_, err = e.Aftersale.Review(e.Ctx, b, u.ID, true, "")
		marketplacetest.WantCode(t, err, market.CodeForbidden, "the buyer approves its own request")
		if list := must3(t)(e.Aftersale.Unsubscriptions(e.Ctx, other.Seller, store.UnsubFilter{})); len(list) != 0 {
			t.Fatalf("another seller lists %d requests", len(list))
		}
		// Approved: refunded to the balance, unsubscribed, released, flow closed, buyer told.
		marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Review(e.Ctx, s.Seller, u.ID, true, "sorry to see you go"))
		e.Settle()
		u = wantState(t, e, u.ID, market.UnsubRefunded)
		if got := e.Balance(b); got != before+60_000 {
			t.Fatalf("balance %s, want %s + 60.000", got, before)
		}
		if in := e.Instance(key); in.State != market.InstanceReleased {
			t.Fatalf("instance %s", in.State)
		}
		if got := marketplacetest.Must[*market.Order](t)(e.DB.Order(e.Ctx, o.ID)); got.Status != market.OrderCompleted || got.Refunded != 60_000 {
			t.Fatalf("the paying order is %s with %s refunded", got.Status, got.Refunded)
		}
		unsubOrder := marketplacetest.Must[*market.Order](t)(e.DB.Order(e.Ctx, u.UnsubscribeOrderID))
		if unsubOrder.Type != market.OrderUnsubscribe || unsubOrder.Amount != -60_000 || unsubOrder.Status != market.OrderCompleted {
			t.Fatalf("unsubscription order %+v", unsubOrder)
		}
		reqs := s.Merchant.Requests()
		if last := reqs[len(reqs)-1]; last.Activity != kgp.ActivityReleaseInstance || !strings.Contains(string(last.Body), u.UnsubscribeOrderID) {
			t.Fatalf("last merchant call %s %s", last.Activity, last.Body)
		}
		if f := marketplacetest.Must[*market.Flow](t)(e.DB.FlowOf(e.Ctx, key)); f.State != market.FlowClosed {
			t.Fatalf("flow %s", f.State)
		}
		msgs, _, _ := e.DB.Messages(e.Ctx, store.MessageFilter{BuyerID: b.BuyerID})
		if len(msgs) != 1 || !strings.Contains(msgs[0].Body, "60.000") {
			t.Fatalf("messages %+v", msgs)
		}
		e.CheckLedger()
	})
}

// must3 returns a list, failing on err.
func must3(t *testing.T) func([]*market.Unsubscription, store.Cursor, error) []*market.Unsubscription {
	return func(l []*market.Unsubscription, _ store.Cursor, err error) []*market.Unsubscription {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
}

// TestRejectAndWithdraw: a rejection needs a note and tells the buyer; the buyer may withdraw
// while the seller has not decided; withdrawn or rejected, the instance may be asked again.
func TestRejectAndWithdraw(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, e *marketplacetest.Env) {
		s, b := e.Shop("m-acme"), e.Buyer()
		key := e.Buy(b, s, "svc", 0).Lines[0].ID
		req := aftersale.SubmitRequest{Amount: 1_000_000, Reason: "changed my mind"}
		u := marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Submit(e.Ctx, b, key, req))
		_, err := e.Aftersale.Review(e.Ctx, s.Seller, u.ID, false, "")
		marketplacetest.WantCode(t, err, market.CodeInvalid, "a rejection without a note")
		marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Review(e.Ctx, s.Seller, u.ID, false, "the work was done"))
		wantState(t, e, u.ID, market.UnsubRejected)
		_, err = e.Aftersale.Withdraw(e.Ctx, b, u.ID)
		marketplacetest.WantCode(t, err, market.CodeConflict, "withdrawing a rejected request")
		u2 := marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Submit(e.Ctx, b, key, req))
		marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Withdraw(e.Ctx, b, u2.ID))
		wantState(t, e, u2.ID, market.UnsubWithdrawn)
		msgs, _, _ := e.DB.Messages(e.Ctx, store.MessageFilter{BuyerID: b.BuyerID})
		if len(msgs) != 2 || !strings.Contains(msgs[0].Body+msgs[1].Body, "the work was done") {
			t.Fatalf("messages %+v %+v", *msgs[0], *msgs[1])
		}
		steps := marketplacetest.Must[[]*market.Evidence](t)(e.DB.Evidence(e.Ctx, aftersale.Subject(u.ID)))
		if len(steps) != 2 || steps[1].Action != "reject" || steps[1].Role != market.RoleSeller {
			t.Fatalf("evidence %+v", steps)
		}
	})
}

// TestApproveWithdrawRace: a seller approving while the buyer withdraws: exactly one wins, on
// both engines, and the request ends in the winner's state.
func TestApproveWithdrawRace(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, e *marketplacetest.Env) {
		s := e.Shop("m-acme")
		b := e.Buyer()
		for range 4 {
			key := e.Buy(b, s, "svc", 0).Lines[0].ID
			u := marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Submit(e.Ctx, b, key, aftersale.SubmitRequest{Amount: 10_000, Reason: "race"}))
			var wg sync.WaitGroup
			var approveErr, withdrawErr error
			start := make(chan struct{})
			wg.Go(func() { <-start; _, approveErr = e.Aftersale.Review(e.Ctx, s.Seller, u.ID, true, "") })
			wg.Go(func() { <-start; _, withdrawErr = e.Aftersale.Withdraw(e.Ctx, b, u.ID) })
			close(start)
			wg.Wait()
			if (approveErr == nil) == (withdrawErr == nil) {
				t.Fatalf("approve: %v, withdraw: %v", approveErr, withdrawErr)
			}
			for _, err := range []error{approveErr, withdrawErr} {
				if err != nil && market.ErrorCode(err) != market.CodeConflict {
					t.Fatalf("the loser got %v", err)
				}
			}
			want := market.UnsubWithdrawn
			if approveErr == nil {
				want = market.UnsubRefunding
			}
			if got := unsub(t, e, u.ID); got.State != want {
				t.Fatalf("state %s, want %s", got.State, want)
			}
			e.Settle()
		}
		e.CheckLedger()
	})
}

// TestLargeRefund: a refund above the threshold waits for the operator; one the operator
// approves is paid, another is approved by itself 24 hours later; each is paid RefundDelay
// (here the full 3 hours) after its approval.
func TestLargeRefund(t *testing.T) {
	t.Parallel()
	each(t, func(c *marketplace.Config) { c.Aftersale.LargeRefund, c.Aftersale.RefundDelay = 500_000, 3*time.Hour },
		func(t *testing.T, e *marketplacetest.Env) {
			s, b := e.Shop("m-acme"), e.Buyer()
			req := aftersale.SubmitRequest{Amount: 1_500_000, Reason: "too expensive"}
			small := marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Submit(e.Ctx, b, e.Buy(b, s, "saas", 1).Lines[0].ID, aftersale.SubmitRequest{Amount: 50_000, Reason: "small"}))
			first := marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Submit(e.Ctx, b, e.Buy(b, s, "svc", 0).Lines[0].ID, req))
			second := marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Submit(e.Ctx, b, e.Buy(b, s, "svc", 0).Lines[0].ID, req))
			for _, u := range []*market.Unsubscription{small, first, second} {
				marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Review(e.Ctx, s.Seller, u.ID, true, ""))
			}
			if u := wantState(t, e, first.ID, market.UnsubRefunding); u.Approval != market.ApprovalPending {
				t.Fatalf("large refund approval %q", u.Approval)
			}
			if u := wantState(t, e, small.ID, market.UnsubRefunding); u.Approval != "" {
				t.Fatalf("small refund approval %q", u.Approval)
			}
			_, err := e.Aftersale.ApproveRefund(e.Ctx, s.Seller, first.ID)
			marketplacetest.WantCode(t, err, market.CodeForbidden, "a seller approves a large refund")
			_, err = e.Aftersale.ApproveRefund(e.Ctx, market.AsOperator(), small.ID)
			marketplacetest.WantCode(t, err, market.CodeConflict, "approving a refund that needs none")
			marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.ApproveRefund(e.Ctx, market.AsOperator(), first.ID))
			e.Advance(2*time.Hour+50*time.Minute, 10*time.Minute)
			wantState(t, e, small.ID, market.UnsubRefunding)
			wantState(t, e, first.ID, market.UnsubRefunding)
			e.Advance(20*time.Minute, 10*time.Minute)
			wantState(t, e, small.ID, market.UnsubRefunded)
			wantState(t, e, first.ID, market.UnsubRefunded)
			e.Advance(20*time.Hour, time.Hour)
			wantState(t, e, second.ID, market.UnsubRefunding)
			e.Advance(time.Hour, 10*time.Minute) // 24 h: approved by itself, then paid 3 h later
			if u := wantState(t, e, second.ID, market.UnsubRefunding); u.Approval != market.ApprovalAutomatically {
				t.Fatalf("approval after 24 h: %q", u.Approval)
			}
			e.Advance(3*time.Hour, time.Hour)
			wantState(t, e, second.ID, market.UnsubRefunded)
			e.CheckLedger()
		})
}

// TestVisibility: a buyer cannot read or act on another buyer's request; lists are scoped.
func TestVisibility(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, e *marketplacetest.Env) {
		s := e.Shop("m-acme")
		alice := e.Buyer()
		bob, _, err := e.Identity.CreateBuyer(e.Ctx, market.AsOperator(), identity.BuyerRequest{Name: "bob"})
		if err != nil {
			t.Fatal(err)
		}
		key := e.Buy(alice, s, "svc", 0).Lines[0].ID
		u := marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Submit(e.Ctx, alice, key, aftersale.SubmitRequest{Amount: 1, Reason: "mine"}))
		v := market.AsBuyer(bob.CustomerID)
		_, err = e.Aftersale.Eligibility(e.Ctx, v, key)
		marketplacetest.WantCode(t, err, market.CodeNotFound, "another buyer's eligibility")
		_, err = e.Aftersale.Submit(e.Ctx, v, key, aftersale.SubmitRequest{Amount: 1, Reason: "not mine"})
		marketplacetest.WantCode(t, err, market.CodeNotFound, "another buyer's instance")
		_, err = e.Aftersale.Unsubscription(e.Ctx, v, u.ID)
		marketplacetest.WantCode(t, err, market.CodeNotFound, "another buyer's request")
		if list := must3(t)(e.Aftersale.Unsubscriptions(e.Ctx, v, store.UnsubFilter{BuyerID: alice.BuyerID})); len(list) != 0 {
			t.Fatalf("another buyer lists %d", len(list))
		}
		if d := marketplacetest.Must[*aftersale.Detail](t)(e.Aftersale.Unsubscription(e.Ctx, s.Seller, u.ID)); d.Email != "" {
			t.Fatal("the seller sees a contact the buyer did not share")
		}
		if list := must3(t)(e.Aftersale.Unsubscriptions(e.Ctx, s.Seller, store.UnsubFilter{})); len(list) != 1 {
			t.Fatalf("the seller lists %d", len(list))
		}
	})
}
