package appeal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/appeal"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
)

func TestWorkingDays(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time { v, _ := time.Parse(time.DateTime, s); return v }
	cases := []struct{ from, want string }{
		{"2026-02-02 10:00:00", "2026-02-05 10:00:00"}, // Monday → Thursday
		{"2026-02-05 10:00:00", "2026-02-10 10:00:00"}, // Thursday → Tuesday, over the weekend
		{"2026-02-07 10:00:00", "2026-02-11 10:00:00"}, // Saturday → Wednesday
	}
	for _, c := range cases {
		if got := appeal.WorkingDays(at(c.from), 3, time.UTC); !got.Equal(at(c.want)) {
			t.Errorf("3 working days after %s: %s, want %s", c.from, got, c.want)
		}
	}
}

// flowOf buys a supervised plan and returns its flow.
func flowOf(t *testing.T, e *marketplacetest.Env, s *marketplacetest.Shop, b market.Viewer, plan string) *market.Flow {
	t.Helper()
	return marketplacetest.Must[*market.Flow](t)(e.DB.FlowOf(e.Ctx, e.Buy(b, s, plan, 1).Lines[0].ID))
}

// TestAppealChina: on the China site a buyer appeals at any time; the flow is frozen, neither
// party acts, no unsubscription starts, until the operator decides (resume at a state, complete,
// refund) within 3 working days, shown as overdue after; a seller appeals only a buyer step
// waiting more than 5 days.
func TestAppealChina(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		s, other, b := e.Shop("m-acme"), e.Shop("m-other"), e.Buyer()
		step := supervision.StepRequest{Text: "x"}
		resumed := flowOf(t, e, s, b, "saas")
		_, err := e.Appeals.File(e.Ctx, b, resumed.ID, appeal.Request{Reason: "the seller ignores me"})
		marketplacetest.WantCode(t, err, market.CodeInvalid, "a buyer's appeal without a demand")
		_, err = e.Appeals.File(e.Ctx, other.Seller, resumed.ID, appeal.Request{Reason: "x"})
		marketplacetest.WantCode(t, err, market.CodeNotFound, "another merchant appeals")
		a := marketplacetest.Must[*market.Appeal](t)(e.Appeals.File(e.Ctx, b, resumed.ID, appeal.Request{Reason: "the seller ignores me", Demand: "deliver",
			Files: []supervision.File{{Name: "chat.txt", Content: []byte("no answer for a week")}}}))
		_, err = e.Appeals.File(e.Ctx, b, resumed.ID, appeal.Request{Reason: "again", Demand: "deliver"})
		marketplacetest.WantCode(t, err, market.CodeConflict, "a second appeal")
		_, err = e.Supervision.SubmitRequirement(e.Ctx, b, resumed.ID, step)
		marketplacetest.WantCode(t, err, market.CodeConflict, "a step on a frozen flow")
		_, err = e.Aftersale.Submit(e.Ctx, b, resumed.InstanceKey, aftersale.SubmitRequest{Amount: 1, Reason: "x"})
		marketplacetest.WantCode(t, err, market.CodeConflict, "an unsubscription of a frozen flow")
		_, err = e.Appeals.Decide(e.Ctx, s.Seller, a.ID, appeal.Decision{Outcome: market.OutcomeResume, ResumeAt: market.FlowDelivering, Note: "x"})
		marketplacetest.WantCode(t, err, market.CodeForbidden, "a seller decides")
		marketplacetest.Must[*market.Appeal](t)(e.Appeals.Decide(e.Ctx, market.AsOperator(), a.ID, appeal.Decision{Outcome: market.OutcomeResume,
			ResumeAt: market.FlowDelivering, Note: "the requirement was given by phone"}))
		if f := marketplacetest.Must[*market.Flow](t)(e.DB.Flow(e.Ctx, resumed.ID)); f.State != market.FlowDelivering || f.Frozen {
			t.Fatalf("resumed flow %s frozen=%v", f.State, f.Frozen)
		}
		marketplacetest.Must[*market.Flow](t)(e.Supervision.Deliver(e.Ctx, s.Seller, resumed.ID, step))

		// A seller appeals a buyer who does not accept: not before 5 days.
		_, err = e.Appeals.File(e.Ctx, s.Seller, resumed.ID, appeal.Request{Reason: "the buyer does not accept"})
		if market.ErrorCode(err) != market.CodeConflict || !strings.Contains(market.ErrorMessage(err), "more than") {
			t.Fatalf("a seller's early appeal: %v", err)
		}
		refunded := flowOf(t, e, s, b, "svc")
		r := marketplacetest.Must[*market.Appeal](t)(e.Appeals.File(e.Ctx, b, refunded.ID, appeal.Request{Reason: "nothing happens", Demand: "refund"}))
		e.Advance(5*24*time.Hour+time.Hour, 12*time.Hour)
		c := marketplacetest.Must[*market.Appeal](t)(e.Appeals.File(e.Ctx, s.Seller, resumed.ID, appeal.Request{Reason: "the buyer does not accept"}))
		list, _, err := e.Appeals.Appeals(e.Ctx, market.AsOperator(), store.AppealFilter{State: market.AppealOpen})
		if err != nil || len(list) != 2 {
			t.Fatalf("open appeals %d, %v", len(list), err)
		}
		for _, d := range list {
			if d.ID == r.ID != d.Overdue {
				t.Fatalf("appeal %s overdue=%v (due %s)", d.ID, d.Overdue, d.DueAt)
			}
		}
		marketplacetest.Must[*market.Appeal](t)(e.Appeals.Decide(e.Ctx, market.AsOperator(), c.ID, appeal.Decision{Outcome: market.OutcomeComplete, Note: "delivery proven"}))
		if f := marketplacetest.Must[*market.Flow](t)(e.DB.Flow(e.Ctx, resumed.ID)); f.State != market.FlowCompleted || e.Instance(resumed.InstanceKey).ExpireAt.IsZero() {
			t.Fatalf("completed flow %s, expiry %v", f.State, e.Instance(resumed.InstanceKey).ExpireAt)
		}
		_, err = e.Appeals.Decide(e.Ctx, market.AsOperator(), r.ID, appeal.Decision{Outcome: market.OutcomeRefund, Refund: 3_000_000, Note: "x"})
		marketplacetest.WantCode(t, err, market.CodeInvalid, "a refund above what was paid")
		before := e.Balance(b)
		marketplacetest.Must[*market.Appeal](t)(e.Appeals.Decide(e.Ctx, market.AsOperator(), r.ID, appeal.Decision{Outcome: market.OutcomeRefund, Refund: 1_500_000, Note: "not delivered"}))
		e.Settle()
		if f := marketplacetest.Must[*market.Flow](t)(e.DB.Flow(e.Ctx, refunded.ID)); f.State != market.FlowClosed || e.Balance(b) != before+1_500_000 {
			t.Fatalf("refunded flow %s, balance %s", f.State, e.Balance(b)-before)
		}
		d := marketplacetest.Must[*appeal.Detail](t)(e.Appeals.Appeal(e.Ctx, b, r.ID))
		if !d.Overdue || len(d.Steps) != 2 || d.Outcome != market.OutcomeRefund {
			t.Fatalf("decided late appeal %+v", d)
		}
		msgs, _, _ := e.DB.Messages(e.Ctx, store.MessageFilter{BuyerID: b.BuyerID, Kind: "appeal"})
		if len(msgs) != 3 {
			t.Fatalf("%d appeal messages to the buyer", len(msgs))
		}
		e.CheckLedger()
	})
}

// TestAppealInternational: on the international site a seller appeals at any time; a SaaS
// buyer after three rejections of the requirement (or a seller silent for 5 days).
func TestAppealInternational(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{Config: func(c *marketplace.Config) { c.Appeals.International = true }},
		func(t *testing.T, e *marketplacetest.Env) {
			s, b := e.Shop("m-acme"), e.Buyer()
			f := flowOf(t, e, s, b, "saas")
			req := appeal.Request{Reason: "three rejections", Demand: "deliver"}
			_, err := e.Appeals.File(e.Ctx, b, f.ID, req)
			marketplacetest.WantCode(t, err, market.CodeConflict, "an international buyer's early appeal")
			for range 3 {
				marketplacetest.Must[*market.Flow](t)(e.Supervision.SubmitRequirement(e.Ctx, b, f.ID, supervision.StepRequest{Text: "need"}))
				marketplacetest.Must[*market.Flow](t)(e.Supervision.ConfirmRequirement(e.Ctx, s.Seller, f.ID, false, supervision.StepRequest{Text: "no"}))
			}
			a := marketplacetest.Must[*market.Appeal](t)(e.Appeals.File(e.Ctx, b, f.ID, req))
			marketplacetest.Must[*market.Appeal](t)(e.Appeals.Decide(e.Ctx, market.AsOperator(), a.ID, appeal.Decision{Outcome: market.OutcomeResume, ResumeAt: market.FlowAwaitingRequirement, Note: "talk"}))
			marketplacetest.Must[*market.Appeal](t)(e.Appeals.File(e.Ctx, s.Seller, f.ID, appeal.Request{Reason: "the buyer changes the requirement"}))
		})
}
