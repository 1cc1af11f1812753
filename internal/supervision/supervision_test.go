package supervision_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
	"github.com/mercato-oss/mercato/kgp"
)

// TestValidityFromAcceptance is the rules' worked example (§4.4): a 1-year license paid on
// 2020-01-01 and accepted on 2020-03-01 is valid from 2020-03-01 for one year. The order is
// processing until 3 hours after the acceptance, then completed; a renewal makes no new flow.
func TestValidityFromAcceptance(t *testing.T) {
	t.Parallel()
	paid := time.Date(2020, 1, 1, 10, 0, 0, 0, time.UTC)
	marketplacetest.Each(t, marketplacetest.Options{Start: paid}, func(t *testing.T, e *marketplacetest.Env) {
		s, b := e.Shop("m-acme"), e.Buyer()
		o := e.Buy(b, s, "lic", 1)
		key := o.Lines[0].ID
		if in := e.Instance(key); !in.ExpireAt.IsZero() || in.State != market.InstanceActive {
			t.Fatalf("before acceptance: %s, expires %v", in.State, in.ExpireAt)
		}
		f := marketplacetest.Must[*market.Flow](t)(e.DB.FlowOf(e.Ctx, key))
		if f.State != market.FlowDelivering || f.Template != market.TemplateNoRequirement {
			t.Fatalf("a license's flow starts %s (%s)", f.State, f.Template)
		}
		_, err := e.Orders.Renew(e.Ctx, b, key, order.ChangeRequest{PeriodNumber: 1})
		marketplacetest.WantCode(t, err, market.CodeConflict, "a renewal before the validity started")
		marketplacetest.Must[*market.Flow](t)(e.Supervision.Deliver(e.Ctx, s.Seller, f.ID, supervision.StepRequest{Text: "license delivered offline"}))
		e.Clock.Set(time.Date(2020, 3, 1, 10, 0, 0, 0, time.UTC))
		marketplacetest.Must[*market.Flow](t)(e.Supervision.Accept(e.Ctx, b, f.ID, true, supervision.StepRequest{Text: "works"}))
		e.Settle()
		in := e.Instance(key)
		if want := time.Date(2021, 3, 1, 10, 0, 0, 0, time.UTC); !in.ExpireAt.Equal(want) {
			t.Fatalf("valid until %v, want %v", in.ExpireAt, want)
		}
		line := marketplacetest.Must[*market.Order](t)(e.DB.Order(e.Ctx, o.ID)).Lines[0]
		if !line.StartsAt.Equal(time.Date(2020, 3, 1, 10, 0, 0, 0, time.UTC)) || !line.ExpireAt.Equal(in.ExpireAt) {
			t.Fatalf("line term %v – %v", line.StartsAt, line.ExpireAt)
		}
		e.Advance(2*time.Hour+59*time.Minute, 30*time.Minute)
		if got := marketplacetest.Must[*market.Order](t)(e.DB.Order(e.Ctx, o.ID)); got.Status != market.OrderProcessing {
			t.Fatalf("order %s before completion", got.Status)
		}
		e.Advance(2*time.Minute, time.Minute)
		if f := marketplacetest.Must[*market.Flow](t)(e.DB.Flow(e.Ctx, f.ID)); f.State != market.FlowCompleted {
			t.Fatalf("flow %s 3 hours after acceptance", f.State)
		}
		if got := marketplacetest.Must[*market.Order](t)(e.DB.Order(e.Ctx, o.ID)); got.Status != market.OrderCompleted {
			t.Fatalf("order %s after completion", got.Status)
		}
		r := marketplacetest.Must[*market.Order](t)(e.Orders.Renew(e.Ctx, b, key, order.ChangeRequest{PeriodNumber: 1}))
		e.Settle()
		flows, _, _ := e.DB.Flows(e.Ctx, store.FlowFilter{})
		if len(flows) != 1 || marketplacetest.Must[*market.Order](t)(e.DB.Order(e.Ctx, r.ID)).Status != market.OrderCompleted {
			t.Fatalf("%d flows after a renewal", len(flows))
		}
	})
}

// TestStandardFlow: the standard flow with its requirement (rejected once, then confirmed), a
// delivery with files, a rejected and an accepted delivery; each step logged; only the right
// party may act; a SaaS merchant is told the expiry that starts at acceptance.
func TestStandardFlow(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		s, other, b := e.Shop("m-acme"), e.Shop("m-other"), e.Buyer()
		key := e.Buy(b, s, "saas", 1).Lines[0].ID
		f := marketplacetest.Must[*market.Flow](t)(e.DB.FlowOf(e.Ctx, key))
		if f.State != market.FlowAwaitingRequirement {
			t.Fatalf("starts %s", f.State)
		}
		step := func(text string) supervision.StepRequest { return supervision.StepRequest{Text: text} }
		_, err := e.Supervision.SubmitRequirement(e.Ctx, s.Seller, f.ID, step("x"))
		marketplacetest.WantCode(t, err, market.CodeForbidden, "the seller submits the requirement")
		_, err = e.Supervision.SubmitRequirement(e.Ctx, e.Buyer(), f.ID, step("x"))
		marketplacetest.WantCode(t, err, market.CodeNotFound, "another buyer submits the requirement")
		_, err = e.Supervision.ConfirmRequirement(e.Ctx, other.Seller, f.ID, true, step(""))
		marketplacetest.WantCode(t, err, market.CodeNotFound, "another merchant confirms")
		_, err = e.Supervision.Deliver(e.Ctx, s.Seller, f.ID, step("early"))
		marketplacetest.WantCode(t, err, market.CodeConflict, "delivering before the requirement")
		marketplacetest.Must[*market.Flow](t)(e.Supervision.SubmitRequirement(e.Ctx, b, f.ID, step("CRM for 20 users")))
		_, err = e.Supervision.ConfirmRequirement(e.Ctx, s.Seller, f.ID, false, step(""))
		marketplacetest.WantCode(t, err, market.CodeInvalid, "a rejection without a reason")
		marketplacetest.Must[*market.Flow](t)(e.Supervision.ConfirmRequirement(e.Ctx, s.Seller, f.ID, false, step("we support 10 users")))
		marketplacetest.Must[*market.Flow](t)(e.Supervision.SubmitRequirement(e.Ctx, b, f.ID, step("CRM for 10 users")))
		marketplacetest.Must[*market.Flow](t)(e.Supervision.ConfirmRequirement(e.Ctx, s.Seller, f.ID, true, step("")))
		report := supervision.File{Name: "report.txt", Content: []byte("installed and tested")}
		_, err = e.Supervision.Deliver(e.Ctx, s.Seller, f.ID, supervision.StepRequest{Text: "done", Files: []supervision.File{{Name: "empty"}}})
		marketplacetest.WantCode(t, err, market.CodeInvalid, "an empty file")
		marketplacetest.Must[*market.Flow](t)(e.Supervision.Deliver(e.Ctx, s.Seller, f.ID, supervision.StepRequest{Text: "installed", Files: []supervision.File{report}}))
		marketplacetest.Must[*market.Flow](t)(e.Supervision.Accept(e.Ctx, b, f.ID, false, step("the export is missing")))
		marketplacetest.Must[*market.Flow](t)(e.Supervision.Deliver(e.Ctx, s.Seller, f.ID, step("export added")))
		got := marketplacetest.Must[*market.Flow](t)(e.Supervision.Accept(e.Ctx, b, f.ID, true, step("")))
		e.Settle()
		if got.State != market.FlowAccepted || got.RequirementRejections != 1 || got.DeliveryRejections != 1 {
			t.Fatalf("flow %+v", got)
		}
		_, steps := must2(t)(e.Supervision.Flow(e.Ctx, s.Seller, f.ID))
		var actions []string
		for _, st := range steps {
			actions = append(actions, st.Action)
		}
		want := []string{"opened", "submit the requirement", "reject the requirement", "submit the requirement", "confirm the requirement",
			"deliver", "reject the delivery", "deliver", "accept the delivery"}
		if len(actions) != len(want) {
			t.Fatalf("evidence %v", actions)
		}
		for i := range want {
			if actions[i] != want[i] {
				t.Fatalf("evidence %v", actions)
			}
		}
		fileID := steps[5].Files[0].ID
		if a := marketplacetest.Must[*market.Attachment](t)(e.Supervision.File(e.Ctx, b, f.ID, fileID)); !bytes.Equal(a.Content, report.Content) {
			t.Fatalf("file %q", a.Content)
		}
		_, err = e.Supervision.File(e.Ctx, other.Seller, f.ID, fileID)
		marketplacetest.WantCode(t, err, market.CodeNotFound, "another merchant's file")
		in := e.Instance(key)
		mi, _ := s.Merchant.Instance(in.ID)
		if in.ExpireAt.IsZero() || mi.ExpireTime != kgp.FormatExpireTime(in.ExpireAt) || mi.Refreshes != 1 {
			t.Fatalf("the merchant was told %s (%d refreshes), the instance expires %v", mi.ExpireTime, mi.Refreshes, in.ExpireAt)
		}
	})
}

func must2(t *testing.T) func(*market.Flow, []*market.Evidence, error) (*market.Flow, []*market.Evidence) {
	return func(f *market.Flow, ev []*market.Evidence, err error) (*market.Flow, []*market.Evidence) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return f, ev
	}
}

// TestSetSpec: which specs may be supervised, with which template, and by whom.
func TestSetSpec(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		s, other := e.Shop("m-acme"), e.Shop("m-other")
		cases := []struct {
			name, kind string
			v          market.Viewer
			req        supervision.SpecRequest
			want       market.FlowTemplate
			code       market.Code
		}{
			{"SaaS, default template", "plain", s.Seller, supervision.SpecRequest{Supervised: true}, market.TemplateStandard, ""},
			{"license, default template", "lic", s.Seller, supervision.SpecRequest{Supervised: true}, market.TemplateNoRequirement, ""},
			{"license with a requirement step", "lic", s.Seller, supervision.SpecRequest{Supervised: true, Template: market.TemplateStandard}, "", market.CodeInvalid},
			{"image", "img", s.Seller, supervision.SpecRequest{Supervised: true}, "", market.CodeInvalid},
			{"pay-per-use", "api", market.AsOperator(), supervision.SpecRequest{Supervised: true}, "", market.CodeInvalid},
			{"unknown template", "svc", s.Seller, supervision.SpecRequest{Supervised: true, Template: "LOOSE"}, "", market.CodeInvalid},
			{"another merchant's spec", "svc", other.Seller, supervision.SpecRequest{Supervised: false}, "", market.CodeNotFound},
			{"a buyer", "svc", e.Buyer(), supervision.SpecRequest{Supervised: false}, "", market.CodeNotFound},
			{"turned off", "svc", market.AsOperator(), supervision.SpecRequest{Supervised: false}, "", ""},
		}
		for _, c := range cases {
			got, err := e.Supervision.SetSpec(e.Ctx, c.v, s.Specs[c.kind], c.req)
			if market.ErrorCode(err) != c.code && (c.code != "" || err != nil) || c.code == "" && got != c.want {
				t.Errorf("%s: %q, %v", c.name, got, err)
			}
		}
		if got := marketplacetest.Must[market.FlowTemplate](t)(e.Supervision.Spec(e.Ctx, s.Specs["svc"])); got != "" {
			t.Fatalf("turned off, the spec is %q", got)
		}
	})
}
