package publish_test

import (
	"testing"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestSellersSeeOnlyTheirOwn: another merchant's seller gets not-found on everything of acme's,
// exactly as for something that does not exist; a buyer sees no applications at all; a finance
// user reads but does not act.
func TestSellersSeeOnlyTheirOwn(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		id := h.released("iso")
		hide := false
		app := h.apply(publish.ApplicationRequest{Type: market.AppVisibility, ProductID: id, Visibility: &publish.Visibility{Public: &hide}})
		ctx := h.Ctx
		notFound := []struct {
			name string
			err  func() error
		}{
			{"read application", func() error { _, err := h.Publish.Application(ctx, h.other, app.ID); return err }},
			{"withdraw", func() error { _, err := h.Publish.Withdraw(ctx, h.other, app.ID); return err }},
			{"delete", func() error { return h.Publish.Delete(ctx, h.other, app.ID) }},
			{"submit", func() error { _, err := h.Publish.Submit(ctx, h.other, app.ID); return err }},
			{"modify product", func() error {
				_, err := h.Publish.Create(ctx, h.other, publish.ApplicationRequest{Type: market.AppModification, ProductID: id, Draft: goodDraft("iso")})
				return err
			}},
			{"remove product", func() error {
				_, err := h.Publish.Create(ctx, h.other, publish.ApplicationRequest{Type: market.AppRemoval, ProductID: id,
					Removal: &publish.Removal{Reason: "mine now"}, Submit: true})
				return err
			}},
			{"set regions", func() error { return h.Publish.SetRegions(ctx, h.other, id, []string{"CN"}) }},
			{"read listing", func() error { _, err := h.Publish.Listing(ctx, h.other, id); return err }},
			{"run debug cases", func() error { _, err := h.Dial.RunDebug(ctx, h.other, id); return err }},
			{"read debug runs", func() error { _, _, err := h.Dial.Runs(ctx, h.other, id, "", store.Page{}); return err }},
			{"read business plan", func() error { _, err := h.Publish.PlanOf(ctx, h.other, id); return err }},
		}
		for _, tc := range notFound {
			if err := tc.err(); market.ErrorCode(err) != market.CodeNotFound {
				t.Errorf("another merchant's seller, %s: %v, want not found", tc.name, err)
			}
		}
		// Lists are narrowed to the seller's own merchant, whatever it asks for.
		apps, _, err := h.Publish.Applications(ctx, h.other, store.ApplicationFilter{MerchantID: "m-acme"})
		if err != nil || len(apps) != 0 {
			t.Fatalf("other seller lists %d of acme's applications, %v", len(apps), err)
		}
		msgs, _, err := h.Notify.List(ctx, h.other, "m-acme", false, store.Page{})
		if err != nil || len(msgs) != 0 {
			t.Fatalf("other seller reads %d of acme's messages, %v", len(msgs), err)
		}
		// Buyers see no applications or messages.
		if _, _, err := h.Publish.Applications(ctx, h.buyer, store.ApplicationFilter{}); market.ErrorCode(err) != market.CodeForbidden {
			t.Fatalf("buyer lists applications: %v", err)
		}
		if _, _, err := h.Notify.List(ctx, h.buyer, "m-acme", false, store.Page{}); market.ErrorCode(err) != market.CodeForbidden {
			t.Fatalf("buyer lists messages: %v", err)
		}
		if err := h.Notify.MarkRead(ctx, h.buyer, "any"); market.ErrorCode(err) != market.CodeForbidden {
			t.Fatalf("buyer marks a message read: %v", err)
		}
		if _, err := h.Publish.Application(ctx, h.buyer, app.ID); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("buyer reads an application: %v", err)
		}
		// Finance reads, but does not act.
		if _, err := h.Publish.Application(ctx, h.finance, app.ID); err != nil {
			t.Fatalf("finance reads: %v", err)
		}
		if _, err := h.Publish.Withdraw(ctx, h.finance, app.ID); market.ErrorCode(err) != market.CodeForbidden {
			t.Fatalf("finance withdraws: %v", err)
		}
		// The operator keeps every power, over every merchant.
		if _, err := h.Publish.Withdraw(ctx, h.op, app.ID); err != nil {
			t.Fatalf("operator withdraws: %v", err)
		}
	})
}
