package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// The publishing story: a seller of the demo merchant releases a product through review, sells
// it, hides a spec, downgrades an instance at renewal and removes a spec with its SKUs.

type publishing struct {
	seller   market.Viewer
	app      string // the release application
	instance string // the instance the buyer bought
}

// publishingSteps are the story's steps, sharing their state.
func (e *demoEnv) publishingSteps() []demoStep {
	p := &publishing{}
	return []demoStep{
		{"seller submits a product: refused with every broken rule, rejected by review, fixed, approved", func(ctx context.Context) (string, error) { return e.release(ctx, p) }},
		{"the product sells", func(ctx context.Context) (string, error) { return e.sellPublished(ctx, p) }},
		{"the seller hides a spec", func(ctx context.Context) (string, error) { return e.hideSpec(ctx, p) }},
		{"downgrade at renewal: changeInstanceCheck, then refreshInstance RENEWAL_CHANGE", func(ctx context.Context) (string, error) { return e.downgrade(ctx, p) }},
		{"the seller removes a spec with its SKUs", func(ctx context.Context) (string, error) { return e.removeSpec(ctx, p) }},
	}
}

// invoicingDraft is the product the seller publishes: a Basic and a Pro spec, and a Seats spec
// with two SKUs, one priced per user.
func invoicingDraft() *publish.Draft {
	return &publish.Draft{
		Listing: market.Listing{Name: "Demo Invoicing", Version: "V1.0", Category: "finance", Summary: "Invoices, reminders and payments for small firms",
			Description: strings.Repeat("Demo Invoicing issues invoices, sends reminders and reconciles payments for small firms. ", 5),
			UsageGuide:  "After purchase, log in at the address in your order with the administrator account it shows, then add your company.",
			Agreement:   "Service agreement between the merchant and the buyer. The merchant processes personal data only to provide the service.",
			Logo:        &market.Image{Format: "PNG", Width: 120, Height: 120, Bytes: 12_000}, Public: true},
		Specs: []catalog.SpecRequest{
			{SkuCode: "inv-basic", Name: "基础版", NameEN: "Basic", Charging: market.ChargingPeriod,
				Plans: []catalog.PlanRequest{{ProductID: "OFFIDEMOINVBASICM", Period: market.PeriodMonth, Price: 50_000}}},
			{SkuCode: "inv-pro", Name: "专业版", NameEN: "Professional", Charging: market.ChargingPeriod,
				Plans: []catalog.PlanRequest{{ProductID: "OFFIDEMOINVPROM", Period: market.PeriodMonth, Price: 120_000}}},
			{SkuCode: "inv-seats", Name: "席位版", NameEN: "Seats", Charging: market.ChargingPeriod,
				SKUs: []catalog.SKURequest{{ID: "inv-seat", Name: "Seat", Unit: "users", Step: 5, Max: 100}, {ID: "inv-site", Name: "Site licence"}},
				Plans: []catalog.PlanRequest{{ProductID: "OFFIDEMOINVSEATM", Period: market.PeriodMonth, Price: 8_000, SKU: "inv-seat"},
					{ProductID: "OFFIDEMOINVSITEM", Period: market.PeriodMonth, Price: 900_000, SKU: "inv-site"}}},
		},
	}
}

func (e *demoEnv) release(ctx context.Context, p *publishing) (string, error) {
	s := e.s
	_, token, err := s.Identity.CreateSellerUser(ctx, market.AsOperator(), e.merchant.ID, identity.SellerUserRequest{Name: "demo-seller",
		Role: market.SellerOperations, Password: "demo seller 2026"})
	if err != nil {
		return "", err
	}
	if p.seller, err = s.Identity.Authenticate(ctx, token); err != nil {
		return "", err
	}
	bad := invoicingDraft()
	bad.Listing.Name, bad.Listing.Version, bad.Listing.Agreement = "Huawei Cloud Invoicing V1.0", "first", "We provide the service."
	app, err := s.Publish.Create(ctx, p.seller, publish.ApplicationRequest{Type: market.AppRelease, ProductID: "p-demo-invoicing", Draft: bad})
	if err != nil {
		return "", err
	}
	p.app = app.ID
	run, err := s.Dial.RunDebug(ctx, p.seller, app.ProductID)
	if err != nil {
		return "", err
	}
	if err := e.settle(ctx); err != nil {
		return "", err
	}
	if run, err = s.Dial.Run(ctx, p.seller, run.ID); err != nil || run.State != market.RunPassed {
		return "", fmt.Errorf("debug cases %v: %v", run, err)
	}
	_, err = s.Publish.Submit(ctx, p.seller, app.ID)
	var rules []string
	for _, d := range market.ErrorDetails(err) {
		rules = append(rules, d.Rule)
	}
	if len(rules) < 4 {
		return "", fmt.Errorf("a bad listing was refused with %v", err)
	}
	if _, err := s.Publish.Update(ctx, p.seller, app.ID, publish.ApplicationRequest{Draft: invoicingDraft()}); err != nil {
		return "", err
	}
	if _, err := s.Publish.Submit(ctx, p.seller, app.ID); err != nil {
		return "", err
	}
	reason := "the usage guide should show where the administrator account is"
	if _, err := s.Publish.Reject(ctx, market.AsOperator(), app.ID, reason); err != nil {
		return "", err
	}
	if _, err := s.Publish.Submit(ctx, p.seller, app.ID); err != nil { // edited and resubmitted
		return "", err
	}
	if _, err := s.Publish.Approve(ctx, market.AsOperator(), app.ID, "approved"); err != nil {
		return "", err
	}
	prod, err := s.DB.Product(ctx, app.ProductID)
	if err != nil || prod.Status != market.StatusOnSalePublic {
		return "", fmt.Errorf("product after approval: %v, %v", prod, err)
	}
	return fmt.Sprintf("debug cases %s (%d cases, testFlag=1); submit refused: %s; rejected (%q); resubmitted and approved: %s is %s",
		run.State, len(run.Cases), strings.Join(rules, ", "), reason, prod.ID, prod.Status), nil
}

func (e *demoEnv) sellPublished(ctx context.Context, p *publishing) (string, error) {
	if _, err := e.s.Orders.SetUpgradeRules(ctx, market.AsOperator(), "p-demo-invoicing", []order.RuleRequest{
		{Source: market.SKURef{SkuCode: "inv-basic"}, Target: market.SKURef{SkuCode: "inv-pro"}}}); err != nil {
		return "", err
	}
	key, detail, err := e.purchase(ctx, false, "OFFIDEMOINVPROM", 1)
	if err != nil {
		return "", err
	}
	p.instance = key
	seats, err := e.s.Orders.Purchase(ctx, market.AsBuyer(e.buyer), order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFIDEMOINVSEATM", PeriodNumber: 1, Quantity: 15}}})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Professional: %s; 15 seats: order %s (%s)", detail, seats.ID, seats.Amount), e.settle(ctx)
}

func (e *demoEnv) hideSpec(ctx context.Context, p *publishing) (string, error) {
	app, err := e.s.Publish.Create(ctx, p.seller, publish.ApplicationRequest{Type: market.AppVisibility, ProductID: "p-demo-invoicing",
		Visibility: &publish.Visibility{Specs: map[string]bool{"inv-basic": true}}, Submit: true})
	if err != nil {
		return "", err
	}
	if _, err := e.s.Publish.Approve(ctx, market.AsOperator(), app.ID, ""); err != nil {
		return "", err
	}
	front, _, err := e.s.Catalog.Catalog(ctx, store.StorefrontFilter{Query: "invoicing", Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		return "", err
	}
	for _, en := range front {
		if en.Spec.SkuCode == "inv-basic" {
			return "", fmt.Errorf("the hidden spec is in the storefront")
		}
	}
	if _, err := e.s.Catalog.Spec(ctx, market.AsBuyer(e.buyer), "inv-basic"); err != nil {
		return "", fmt.Errorf("the hidden spec's link: %v", err)
	}
	return fmt.Sprintf("Basic hidden after review: %d plans in the storefront search, Basic still bought through its link", len(front)), nil
}

func (e *demoEnv) downgrade(ctx context.Context, p *publishing) (string, error) {
	req := order.ChangeRequest{ProductID: "OFFIDEMOINVBASICM", PeriodNumber: 1}
	if e.merchant.Generation != 2 {
		_, err := e.s.Orders.RenewChange(ctx, market.AsBuyer(e.buyer), p.instance, req)
		if market.ErrorCode(err) != market.CodeConflict {
			return "", fmt.Errorf("a 1.0 merchant's renewal change: %v", err)
		}
		return "a 1.0 merchant has no changeInstanceCheck: the renewal change is refused (" + market.ErrorMessage(err) + ")", nil
	}
	before, err := e.s.DB.Instance(ctx, p.instance)
	if err != nil {
		return "", err
	}
	if err := e.advance(ctx, before.ExpireAt.Sub(e.clock.Now())-20*24*time.Hour, 24*time.Hour); err != nil {
		return "", err
	}
	o, err := e.s.Orders.RenewChange(ctx, market.AsBuyer(e.buyer), p.instance, req)
	if err != nil {
		return "", err
	}
	if err := e.settle(ctx); err != nil {
		return "", err
	}
	if err := e.wantOrder(ctx, o.ID, market.OrderCompleted); err != nil {
		return "", err
	}
	in, err := e.s.DB.Instance(ctx, p.instance)
	if err != nil {
		return "", err
	}
	calls, _, err := e.s.DB.Calls(ctx, store.CallFilter{InstanceKey: p.instance, Page: store.Page{Limit: 10}})
	if err != nil {
		return "", err
	}
	// The check comes first: refreshInstance is enqueued only once the merchant agreed.
	seen := map[string]market.CallState{}
	for _, c := range calls {
		if c.OrderID == o.ID {
			seen[c.Activity] = c.State
		}
	}
	check, refresh := string(kgp.ActivityChangeInstanceCheck), string(kgp.ActivityRefreshInstance)
	if in.SkuCode != "inv-basic" || len(seen) != 2 || seen[check] != market.CallSucceeded || seen[refresh] != market.CallSucceeded {
		return "", fmt.Errorf("after the renewal change: %s on %s, calls %v", in.ID, in.SkuCode, seen)
	}
	return fmt.Sprintf("20 days before expiry, order %s (%s) renews %s from Professional to Basic until %s; %s agreed, then %s %s",
		o.ID, o.Amount, in.ID, in.ExpireAt.Format(time.DateOnly), check, refresh, kgp.SceneRenewalChange), nil
}

func (e *demoEnv) removeSpec(ctx context.Context, p *publishing) (string, error) {
	app, err := e.s.Publish.Create(ctx, p.seller, publish.ApplicationRequest{Type: market.AppRemoval, ProductID: "p-demo-invoicing",
		Removal: &publish.Removal{SkuCode: "inv-seats", Reason: "seats move to the Professional spec"}, Submit: true})
	if err != nil {
		return "", err
	}
	sp, err := e.s.DB.Spec(ctx, "inv-seats")
	if err != nil || sp.Status != market.StatusRemovalPending {
		return "", fmt.Errorf("spec under removal: %v, %v", sp, err)
	}
	if _, err := e.s.Publish.Approve(ctx, market.AsOperator(), app.ID, ""); err != nil {
		return "", err
	}
	skus, err := e.s.DB.SKUsOf(ctx, "inv-seats")
	if err != nil {
		return "", err
	}
	var states []string
	for _, k := range skus {
		states = append(states, k.ID+" "+string(k.Status))
	}
	if sp, _ = e.s.DB.Spec(ctx, "inv-seats"); sp.Status != market.StatusDiscontinued || len(skus) != 2 || strings.Count(strings.Join(states, " "), "DISCONTINUED") != 2 {
		return "", fmt.Errorf("after removal: spec %s, SKUs %v", sp.Status, states)
	}
	return fmt.Sprintf("REMOVAL_PENDING, then approved: spec inv-seats DISCONTINUED with SKUs %s; the 15 seats bought run to expiry, without renewal",
		strings.Join(states, ", ")), nil
}
