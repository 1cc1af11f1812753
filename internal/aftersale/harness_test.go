package aftersale_test

import (
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
)

// each runs fn on both engines, with the configuration changed by cfg.
func each(t *testing.T, cfg func(*marketplace.Config), fn func(t *testing.T, e *marketplacetest.Env)) {
	marketplacetest.Each(t, marketplacetest.Options{Config: cfg}, fn)
}

// unsub reads a request.
func unsub(t *testing.T, e *marketplacetest.Env, id string) *market.Unsubscription {
	t.Helper()
	return marketplacetest.Must[*market.Unsubscription](t)(e.DB.Unsubscription(e.Ctx, id))
}

// wantState fails unless a request is in state.
func wantState(t *testing.T, e *marketplacetest.Env, id string, state market.UnsubState) *market.Unsubscription {
	t.Helper()
	u := unsub(t, e, id)
	if u.State != state {
		t.Fatalf("unsubscription %s is %s (approval %q), want %s", id, u.State, u.Approval, state)
	}
	return u
}

// count counts the requests in the database.
func count(t *testing.T, e *marketplacetest.Env) int {
	t.Helper()
	list, _, err := e.DB.Unsubscriptions(e.Ctx, store.UnsubFilter{Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// deliver takes a supervised instance's flow through delivery and acceptance.
func deliver(t *testing.T, e *marketplacetest.Env, s *marketplacetest.Shop, buyer market.Viewer, key string) *market.Flow {
	t.Helper()
	f := marketplacetest.Must[*market.Flow](t)(e.DB.FlowOf(e.Ctx, key))
	step := supervision.StepRequest{Text: "done"}
	if f.State == market.FlowAwaitingRequirement {
		marketplacetest.Must[*market.Flow](t)(e.Supervision.SubmitRequirement(e.Ctx, buyer, f.ID, supervision.StepRequest{Text: "what I need"}))
		marketplacetest.Must[*market.Flow](t)(e.Supervision.ConfirmRequirement(e.Ctx, s.Seller, f.ID, true, step))
	}
	marketplacetest.Must[*market.Flow](t)(e.Supervision.Deliver(e.Ctx, s.Seller, f.ID, step))
	return marketplacetest.Must[*market.Flow](t)(e.Supervision.Accept(e.Ctx, buyer, f.ID, true, step))
}

// day is a business day.
const day = 24 * time.Hour
