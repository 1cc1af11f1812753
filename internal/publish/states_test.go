package publish_test

import (
	"sync"
	"testing"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestApplicationStateMachine walks every edge of rules §1.3's state machine, and every edge
// that is not there.
func TestApplicationStateMachine(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		app := h.draft("sm", goodDraft("sm"))
		h.debug(app.ProductID)
		ctx, id := h.Ctx, app.ID
		state := func(want market.ApplicationState) {
			t.Helper()
			d, err := h.Publish.Application(ctx, h.op, id)
			if err != nil || d.State != want {
				t.Fatalf("application is %v (%v), want %s", d, err, want)
			}
		}
		// DRAFT: edit and submit; no approval, rejection or withdrawal.
		d := goodDraft("sm")
		d.Listing.Summary = "Edited summary"
		h.must(h.Publish.Update(ctx, h.seller, id, publish.ApplicationRequest{Draft: d}))
		_, err := h.Publish.Approve(ctx, h.op, id, "")
		wantCode(t, err, market.CodeConflict)
		_, err = h.Publish.Withdraw(ctx, h.seller, id)
		wantCode(t, err, market.CodeConflict)
		// PENDING_APPROVAL: withdraw back to DRAFT; no edit, delete or second submit.
		h.must(h.Publish.Submit(ctx, h.seller, id))
		state(market.AppPending)
		_, err = h.Publish.Update(ctx, h.seller, id, publish.ApplicationRequest{Draft: d})
		wantCode(t, err, market.CodeConflict)
		wantCode(t, h.Publish.Delete(ctx, h.seller, id), market.CodeConflict)
		_, err = h.Publish.Submit(ctx, h.seller, id)
		wantCode(t, err, market.CodeConflict)
		h.must(h.Publish.Withdraw(ctx, h.seller, id))
		state(market.AppDraft)
		// Only the operator reviews; a rejection needs a reason.
		h.must(h.Publish.Submit(ctx, h.seller, id))
		_, err = h.Publish.Approve(ctx, h.seller, id, "")
		wantCode(t, err, market.CodeForbidden)
		_, err = h.Publish.Reject(ctx, h.op, id, "  ")
		wantCode(t, err, market.CodeInvalid)
		h.must(h.Publish.Reject(ctx, h.op, id, "the logo is blurred"))
		state(market.AppRejected)
		if dd, _ := h.Publish.Application(ctx, h.seller, id); dd.Comment != "the logo is blurred" {
			t.Fatalf("review comment %q", dd.Comment)
		}
		// REJECTED: the latest is edited and resubmitted; an older one is not.
		h.must(h.Publish.Update(ctx, h.seller, id, publish.ApplicationRequest{Draft: d}))
		h.must(h.Publish.Submit(ctx, h.seller, id))
		h.must(h.Publish.Reject(ctx, h.op, id, "still blurred"))
		newer, err := h.Publish.Create(ctx, h.seller, publish.ApplicationRequest{Type: market.AppRelease, ProductID: app.ProductID, Draft: d})
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.Publish.Update(ctx, h.seller, id, publish.ApplicationRequest{Draft: d})
		wantCode(t, err, market.CodeConflict)
		_, err = h.Publish.Submit(ctx, h.seller, id)
		wantCode(t, err, market.CodeConflict)
		// Drafts and rejected applications are deleted (and kept on record for the operator).
		if err := h.Publish.Delete(ctx, h.seller, id); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Publish.Application(ctx, h.seller, id); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("a deleted application is still seen: %v", err)
		}
		state(market.AppDeleted)
		// APPROVED is final.
		h.must(h.Publish.Submit(ctx, h.seller, newer.ID))
		h.must(h.Publish.Approve(ctx, h.op, newer.ID, ""))
		for _, f := range []func() error{
			func() error { _, err := h.Publish.Withdraw(ctx, h.seller, newer.ID); return err },
			func() error { return h.Publish.Delete(ctx, h.seller, newer.ID) },
			func() error { _, err := h.Publish.Submit(ctx, h.seller, newer.ID); return err },
			func() error { _, err := h.Publish.Reject(ctx, h.op, newer.ID, "late"); return err },
		} {
			wantCode(t, f(), market.CodeConflict)
		}
		// A released product takes no second release.
		_, err = h.Publish.Create(ctx, h.seller, publish.ApplicationRequest{Type: market.AppRelease, ProductID: app.ProductID, Draft: d})
		wantCode(t, err, market.CodeConflict)
		// My applications filters by type and state; the review queue is the operator's.
		mine, _, err := h.Publish.Applications(ctx, h.seller, store.ApplicationFilter{Type: market.AppRelease, State: market.AppApproved})
		if err != nil || len(mine) != 1 || mine[0].ID != newer.ID {
			t.Fatalf("my approved releases %v, %v", mine, err)
		}
	})
}

// TestWithdrawConfigurable: which delivery methods may withdraw is configuration.
func TestWithdrawConfigurable(t *testing.T) {
	t.Parallel()
	each(t, func(c *marketplace.Config) { c.Publish.Withdrawable = []market.Delivery{market.DeliveryLicense} }, func(t *testing.T, h *harness) {
		app := h.draft("wd", goodDraft("wd"))
		h.debug(app.ProductID)
		h.must(h.Publish.Submit(h.Ctx, h.seller, app.ID))
		_, err := h.Publish.Withdraw(h.Ctx, h.seller, app.ID)
		wantCode(t, err, market.CodeConflict)
	})
}

// TestConcurrentApproveAndWithdraw: of an approval and a withdrawal racing on one pending
// application, exactly one wins, and its effect (here a hidden product) happens exactly when
// the approval won.
func TestConcurrentApproveAndWithdraw(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		id := h.released("race")
		for round := range 6 {
			public := h.product(id).Status == market.StatusOnSaleHidden
			app := h.apply(publish.ApplicationRequest{Type: market.AppVisibility, ProductID: id, Visibility: &publish.Visibility{Public: &public}})
			var wg sync.WaitGroup
			var approveErr, withdrawErr error
			wg.Go(func() { _, approveErr = h.Publish.Approve(h.Ctx, h.op, app.ID, "") })
			wg.Go(func() { _, withdrawErr = h.Publish.Withdraw(h.Ctx, h.seller, app.ID) })
			wg.Wait()
			if (approveErr == nil) == (withdrawErr == nil) {
				t.Fatalf("round %d: approve %v, withdraw %v: exactly one must win", round, approveErr, withdrawErr)
			}
			for _, err := range []error{approveErr, withdrawErr} {
				if err != nil && market.ErrorCode(err) != market.CodeConflict {
					t.Fatalf("the loser got %v, want a conflict", err)
				}
			}
			d, _ := h.Publish.Application(h.Ctx, h.op, app.ID)
			applied := (h.product(id).Status == market.StatusOnSalePublic) == public
			if approveErr == nil && (d.State != market.AppApproved || !applied) || withdrawErr == nil && (d.State != market.AppDraft || applied) {
				t.Fatalf("round %d: application %s, change applied %v", round, d.State, applied)
			}
			if withdrawErr == nil {
				if err := h.Publish.Delete(h.Ctx, h.seller, app.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

// TestOnePendingPerKind: a product has one application of a kind under review at a time.
func TestOnePendingPerKind(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		id := h.released("one")
		hide := false
		h.apply(publish.ApplicationRequest{Type: market.AppVisibility, ProductID: id, Visibility: &publish.Visibility{Public: &hide}})
		_, err := h.Publish.Create(h.Ctx, h.seller, publish.ApplicationRequest{Type: market.AppVisibility, ProductID: id,
			Visibility: &publish.Visibility{Public: &hide}, Submit: true})
		wantCode(t, err, market.CodeConflict)
	})
}
