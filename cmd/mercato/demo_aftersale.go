package main

import (
	"context"
	"fmt"
	"time"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
)

// The demo's after-sale story (docs/after-sale.md): a supervised license delivered and
// accepted, whose validity starts at the acceptance; a supervised SaaS purchase unsubscribed by
// negotiation, refunded and released at the merchant; hardware shipped, signed for, returned,
// inspected and refunded.

// afterSaleSteps are the story's after-sale steps; the first seeds their catalog.
func (e *demoEnv) afterSaleSteps() []demoStep {
	return []demoStep{
		{"after the sale: a supervised license delivered, accepted, valid from the acceptance", e.supervisedLicense},
		{"after the sale: a negotiated SaaS unsubscription, refunded and released", e.negotiatedUnsubscription},
		{"after the sale: hardware shipped, signed for, returned and refunded", e.hardwareReturn},
	}
}

func (e *demoEnv) seller() market.Viewer { return market.AsSeller(e.merchant.ID) }

// seedAfterSale gives the demo merchant a product with supervised license, SaaS and hardware
// specs, and the hardware's stock.
func (e *demoEnv) seedAfterSale(ctx context.Context) error {
	_, err := e.s.Catalog.CreateProduct(ctx, market.AsOperator(), catalog.ProductRequest{ID: "p-demo-aftersale", MerchantID: e.merchant.ID, Name: "Demo after-sale",
		Specs: []catalog.SpecRequest{
			{SkuCode: "demo-license", Name: "CAD seat", Charging: market.ChargingPeriod, Delivery: market.DeliveryLicense, Plans: []catalog.PlanRequest{
				{ProductID: "OFFIDEMOLICYEAR", Period: market.PeriodYear, Price: 2_000_000}}},
			{SkuCode: "demo-managed", Name: "Managed CRM", Charging: market.ChargingPeriod, Plans: []catalog.PlanRequest{
				{ProductID: "OFFIDEMOMANAGEDMONTH", Period: market.PeriodMonth, Price: 500_000}}},
			{SkuCode: "demo-gateway", Name: "Edge gateway", Charging: market.ChargingOneTime, Delivery: market.DeliveryHardware, Plans: []catalog.PlanRequest{
				{ProductID: "OFFIDEMOGATEWAY", Price: 3_000_000}}},
		}})
	if err != nil {
		return err
	}
	for _, sku := range []string{"demo-license", "demo-managed", "demo-gateway"} {
		if _, err := e.s.Supervision.SetSpec(ctx, e.seller(), sku, supervision.SpecRequest{Supervised: true}); err != nil {
			return err
		}
	}
	_, err = e.s.Hardware.SetStock(ctx, e.seller(), "demo-gateway", hardware.StockRequest{Quantity: 10, ReturnAddress: "Demo merchant, Dock 3, Shenzhen"})
	return err
}

// buySupervised buys one of the after-sale plans and returns its instance key and flow.
func (e *demoEnv) buySupervised(ctx context.Context, productID string, periods int) (string, *market.Flow, error) {
	o, err := e.s.Orders.Purchase(ctx, market.AsBuyer(e.buyer), order.PurchaseRequest{Items: []order.Item{{ProductID: productID, PeriodNumber: periods}}})
	if err != nil {
		return "", nil, err
	}
	key := o.Lines[0].ID
	if _, err := e.await(ctx, key, market.InstanceActive, 10*time.Minute, 30*time.Second); err != nil {
		return "", nil, err
	}
	f, err := e.s.DB.FlowOf(ctx, key)
	return key, f, err
}

func (e *demoEnv) supervisedLicense(ctx context.Context) (string, error) {
	if err := e.seedAfterSale(ctx); err != nil {
		return "", err
	}
	paid := e.clock.Now()
	key, f, err := e.buySupervised(ctx, "OFFIDEMOLICYEAR", 1)
	if err != nil {
		return "", err
	}
	if in, _ := e.s.DB.Instance(ctx, key); !in.ExpireAt.IsZero() {
		return "", fmt.Errorf("the license's validity started at payment (%s)", in.ExpireAt)
	}
	files := []supervision.File{{Name: "install-guide.txt", Content: []byte("Install the CAD seat with the code on the order.")}}
	if _, err := e.s.Supervision.Deliver(ctx, e.seller(), f.ID, supervision.StepRequest{Text: "license delivered offline", Files: files}); err != nil {
		return "", err
	}
	if err := e.advance(ctx, 59*24*time.Hour, 24*time.Hour); err != nil { // the buyer takes its time
		return "", err
	}
	accepted := e.clock.Now()
	if _, err := e.s.Supervision.Accept(ctx, market.AsBuyer(e.buyer), f.ID, true, supervision.StepRequest{Text: "installed"}); err != nil {
		return "", err
	}
	if err := e.advance(ctx, 3*time.Hour+time.Minute, time.Hour); err != nil {
		return "", err
	}
	in, err := e.s.DB.Instance(ctx, key)
	if err != nil {
		return "", err
	}
	if want := accepted.AddDate(1, 0, 0); !in.ExpireAt.Equal(want) {
		return "", fmt.Errorf("valid until %s, want a year from the acceptance (%s)", in.ExpireAt, want)
	}
	f, err = e.s.DB.Flow(ctx, f.ID)
	if err != nil {
		return "", err
	}
	if f.State != market.FlowCompleted {
		return "", fmt.Errorf("flow %s 3 hours after the acceptance", f.State)
	}
	if err := e.wantOrder(ctx, in.OrderID, market.OrderCompleted); err != nil {
		return "", err
	}
	return fmt.Sprintf("paid %s, delivered with %s, accepted %s: valid %s to %s; flow %s 3 h later", paid.Format(time.DateOnly),
		files[0].Name, accepted.Format(time.DateOnly), accepted.Format(time.DateOnly), in.ExpireAt.Format(time.DateOnly), f.State), nil
}

func (e *demoEnv) negotiatedUnsubscription(ctx context.Context) (string, error) {
	key, _, err := e.buySupervised(ctx, "OFFIDEMOMANAGEDMONTH", 2)
	if err != nil {
		return "", err
	}
	b := market.AsBuyer(e.buyer)
	el, err := e.s.Aftersale.Eligibility(ctx, b, key)
	if err != nil || !el.Eligible {
		return "", fmt.Errorf("not eligible: %v %+v", err, el)
	}
	before, err := e.s.DB.Balance(ctx, e.buyer)
	if err != nil {
		return "", err
	}
	u, err := e.s.Aftersale.Submit(ctx, b, key, aftersale.SubmitRequest{Amount: el.Paid * 6 / 10, Reason: "the team moved to another CRM", ShareContact: true})
	if err != nil {
		return "", err
	}
	d, err := e.s.Aftersale.Unsubscription(ctx, e.seller(), u.ID)
	if err != nil {
		return "", err
	}
	if _, err := e.s.Aftersale.Review(ctx, e.seller(), u.ID, true, "agreed: 60 % back"); err != nil {
		return "", err
	}
	in, err := e.await(ctx, key, market.InstanceReleased, time.Hour, time.Minute)
	if err != nil {
		return "", err
	}
	if u, err = e.s.DB.Unsubscription(ctx, u.ID); err != nil || u.State != market.UnsubRefunded {
		return "", fmt.Errorf("unsubscription %v: %v", u.State, err)
	}
	if err := e.awaitRelease(ctx, key); err != nil {
		return "", err
	}
	after, err := e.s.DB.Balance(ctx, e.buyer)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("paid %s; asked %s back, the seller (who saw %s) approved; %s back on the balance, order %s, instance %s %s, releaseInstance answered",
		el.Paid, u.Amount, d.Email, after-before, u.UnsubscribeOrderID, in.ID, in.State), nil
}

// awaitRelease waits until the merchant has confirmed an instance's releaseInstance.
func (e *demoEnv) awaitRelease(ctx context.Context, key string) error {
	for range 50 {
		calls, _, err := e.s.DB.Calls(ctx, storeCallFilter(key))
		if err != nil {
			return err
		}
		for _, c := range calls {
			if c.Activity == "releaseInstance" && c.State == market.CallSucceeded {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
		if err := e.settle(ctx); err != nil {
			return err
		}
	}
	return fmt.Errorf("releaseInstance of %s not answered%s", key, e.lastError(ctx, key))
}

func (e *demoEnv) hardwareReturn(ctx context.Context) (string, error) {
	key, _, err := e.buySupervised(ctx, "OFFIDEMOGATEWAY", 0)
	if err != nil {
		return "", err
	}
	b := market.AsBuyer(e.buyer)
	if _, err := e.s.Hardware.SetAddress(ctx, b, key, "Demo buyer, 8 Harbour Road, Shanghai"); err != nil {
		return "", err
	}
	waybill := "SF" + key[len(key)-6:]
	if _, err := e.s.Hardware.Ship(ctx, e.seller(), key, hardware.ShipRequest{Carrier: "SF Express", Waybill: waybill}); err != nil {
		return "", err
	}
	if err := e.advance(ctx, 2*24*time.Hour, 24*time.Hour); err != nil {
		return "", err
	}
	if _, err := e.s.Hardware.Track(ctx, market.AsOperator(), "SF Express", waybill, hardware.EventRequest{Status: market.WaybillSigned, Text: "signed by the buyer"}); err != nil {
		return "", err
	}
	u, err := e.s.Aftersale.Submit(ctx, b, key, aftersale.SubmitRequest{Amount: 3_000_000, Reason: "the gateway does not power on"})
	if err != nil {
		return "", err
	}
	if _, err := e.s.Aftersale.Review(ctx, e.seller(), u.ID, true, "send it back"); err != nil {
		return "", err
	}
	d, err := e.s.Aftersale.Unsubscription(ctx, b, u.ID)
	if err != nil {
		return "", err
	}
	if err := e.advance(ctx, 3*24*time.Hour, 24*time.Hour); err != nil {
		return "", err
	}
	if _, err := e.s.Aftersale.ReturnShipped(ctx, b, u.ID, aftersale.ReturnRequest{Carrier: "SF Express", Waybill: "RT" + waybill}); err != nil {
		return "", err
	}
	if err := e.advance(ctx, 4*24*time.Hour, 24*time.Hour); err != nil {
		return "", err
	}
	if _, err := e.s.Aftersale.Inspect(ctx, e.seller(), u.ID, true, "received, faulty power supply"); err != nil {
		return "", err
	}
	if _, err := e.await(ctx, key, market.InstanceReleased, time.Hour, time.Minute); err != nil {
		return "", err
	}
	if u, err = e.s.DB.Unsubscription(ctx, u.ID); err != nil || u.State != market.UnsubRefunded {
		return "", fmt.Errorf("return %v: %v", u.State, err)
	}
	st, err := e.s.Hardware.Stock(ctx, "demo-gateway")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("shipped by SF Express %s, signed; return approved to %q, sent back, inspected: %s refunded, stock back to %d",
		waybill, d.ReturnAddress, u.Amount, st.Quantity), nil
}

func storeCallFilter(key string) store.CallFilter {
	return store.CallFilter{InstanceKey: key, Page: store.Page{Limit: 50}}
}
