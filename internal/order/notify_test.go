package order_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"encoding/json"

	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// notified returns the orderNotify calls the merchant received, as orderId → count.
func notified(m *sdktest.Merchant) map[string]int {
	out := map[string]int{}
	for _, r := range m.Requests() {
		if r.Activity == kgp.ActivityOrderNotify {
			var body struct {
				OrderID string `json:"orderId"`
			}
			json.Unmarshal(r.Body, &body)
			out[body.OrderID]++
		}
	}
	return out
}

// TestOrderNotify: a paid new, renewal, change or unsubscription order of a configured product
// is notified once; other products, trials and 1.0 merchants get nothing.
func TestOrderNotify(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		seller := market.AsSeller(h.m.ID)
		if err := h.svc.SetOrderNotify(h.ctx, market.AsSeller("m-other"), "p-crm", true); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("another merchant's seller configures: %v", err)
		}
		if err := h.svc.SetOrderNotify(h.ctx, seller, "p-crm", true); err != nil {
			t.Fatal(err)
		}
		// Two lines of the configured product, one notification.
		o1 := h.buy(order.Item{ProductID: "OFFI-STD-M", PeriodNumber: 1}, order.Item{ProductID: "OFFI-STD-Y", PeriodNumber: 1})
		o2 := h.buy(order.Item{ProductID: "OFFI-API-CALLS"})
		trial, err := h.svc.Purchase(h.ctx, h.buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-STD-M"}}, Trial: true})
		if err != nil {
			t.Fatal(err)
		}
		h.settle()
		key := o1.Lines[0].ID
		renew, err := h.svc.Renew(h.ctx, h.buyer, key, order.ChangeRequest{PeriodNumber: 1})
		if err != nil {
			t.Fatal(err)
		}
		h.settle()
		up, err := h.svc.Upgrade(h.ctx, h.buyer, key, order.ChangeRequest{ProductID: "OFFI-PRO-M"})
		if err != nil {
			t.Fatal(err)
		}
		h.settle()
		unsub, err := h.svc.Release(h.ctx, market.AsOperator(), o1.Lines[1].ID, "released by the operator")
		if err != nil {
			t.Fatal(err)
		}
		h.settle()
		got := notified(h.merchant)
		for _, id := range []string{o1.ID, renew.ID, up.ID, unsub.ID} {
			if got[id] != 1 {
				t.Errorf("order %s notified %d times, want once", id, got[id])
			}
		}
		for _, id := range []string{o2.ID, trial.ID} {
			if got[id] != 0 {
				t.Errorf("order %s (not configured or a trial) notified %d times", id, got[id])
			}
		}
		if len(got) != 4 {
			t.Errorf("notifications %v", got)
		}
	})
}

// TestOrderNotifyRetries: a refused notification is retried for three hours, then waits for a
// restart by hand.
func TestOrderNotifyRetries(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		if err := h.svc.SetOrderNotify(h.ctx, market.AsOperator(), "p-crm", true); err != nil {
			t.Fatal(err)
		}
		h.merchant.Set(func(k *sdktest.Knobs) { k.Fail[kgp.ActivityOrderNotify] = 1000 })
		o := h.buy(order.Item{ProductID: "OFFI-STD-M", PeriodNumber: 1})
		h.advance(fulfil.LongWindow+time.Minute, 10*time.Minute)
		calls, _, err := h.db.Calls(h.ctx, store.CallFilter{State: market.CallFailed})
		if err != nil || len(calls) != 1 || calls[0].Activity != string(kgp.ActivityOrderNotify) || calls[0].OrderID != o.ID {
			t.Fatalf("failed calls %v %v", calls, err)
		}
		tries := notified(h.merchant)[o.ID]
		if tries < 5 {
			t.Fatalf("notification tried %d times in three hours", tries)
		}
		h.merchant.Set(func(k *sdktest.Knobs) { k.Fail[kgp.ActivityOrderNotify] = 0 })
		if _, err := h.env.Calls.Restart(h.ctx, market.AsSeller(h.m.ID), calls[0].ID); err != nil {
			t.Fatal(err)
		}
		h.settle()
		if c, _ := h.db.Call(h.ctx, calls[0].ID); c.State != market.CallSucceeded {
			t.Fatalf("restarted notification is %s", c.State)
		}
	})
}

// TestMarketEvents: an event opened on an order takes the merchant's upload; the order's
// buyer reads it; another merchant cannot upload to it.
func TestMarketEvents(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		ctx := context.Background()
		o := h.buy(order.Item{ProductID: "OFFI-STD-M", PeriodNumber: 1})
		if _, err := h.svc.OpenEvent(ctx, market.AsBuyer("someone-else"), o.ID, order.EventRequest{Title: "x"}); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("another buyer opens an event: %v", err)
		}
		ev, err := h.svc.OpenEvent(ctx, h.buyer, o.ID, order.EventRequest{Title: "Delivery report"})
		if err != nil {
			t.Fatal(err)
		}
		file := []byte("%PDF-1.7 delivery report")
		sum := sha256.Sum256(file)
		up := &kgp.EventUpload{Type: kgp.EventFile, FileName: "report.pdf", SHA256: hex.EncodeToString(sum[:])}
		if _, err := h.svc.UploadEvent(ctx, market.AsSeller("m-other"), ev.ID, up, file); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("another merchant uploads: %v", err)
		}
		if _, err := h.svc.UploadEvent(ctx, market.AsSeller(h.m.ID), ev.ID, up, file); err != nil {
			t.Fatal(err)
		}
		got, b, err := h.svc.EventContent(ctx, h.buyer, o.ID, ev.ID)
		if err != nil || string(b) != string(file) || got.Kind != market.EventFile || got.FileName != "report.pdf" || got.SHA256 != up.SHA256 {
			t.Fatalf("event %+v %q %v", got, b, err)
		}
		list, err := h.svc.Events(ctx, market.AsSeller(h.m.ID), o.ID)
		if err != nil || len(list) != 1 || list[0].Size != int64(len(file)) {
			t.Fatalf("events %v %v", list, err)
		}
	})
}
