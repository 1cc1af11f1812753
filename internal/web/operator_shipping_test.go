package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/kgp"
)

// TestOperatorEventsAndShipments: the operator opens a market event on an order (refused at its
// field first), downloads what the merchant uploaded, and follows a hardware shipment across
// buyers to its waybill events; buyers and sellers get the 404 page.
func TestOperatorEventsAndShipments(t *testing.T) {
	t.Parallel()
	f := setup(t)
	o := f.e.Buy(f.buyer, f.shop, "hw", 0)
	key := o.Lines[0].ID
	marketplacetest.Must[*market.Shipment](t)(f.e.Hardware.SetAddress(f.e.Ctx, f.buyer, key, "9 Buyer Street"))
	marketplacetest.Must[*market.Shipment](t)(f.e.Hardware.Ship(f.e.Ctx, f.shop.Seller, key, hardware.ShipRequest{Carrier: "SF", Waybill: "SF0042"}))
	marketplacetest.Must[*market.WaybillEvent](t)(f.e.Hardware.Track(f.e.Ctx, market.AsOperator(), "SF", "SF0042", hardware.EventRequest{Status: market.WaybillInTransit, Text: "left the hub"}))
	c := f.operator()
	ord := "/operator/orders/" + o.ID

	// A market event: refused without a title, opened, uploaded to, downloaded.
	status, body, _ := f.post(c, ord+"/events", url.Values{"event_title": {""}})
	f.refused(status, body, "event_title", "", "an event without a title")
	linked(t, "event", body)
	f.must2(f.post(c, ord+"/events", url.Values{"event_title": {"Licence file"}}))
	events, err := f.e.Orders.Events(f.e.Ctx, market.AsOperator(), o.ID)
	if err != nil || len(events) != 1 {
		t.Fatalf("events: %v %v", events, err)
	}
	ev := events[0]
	if body = f.page(c, "en", ord, http.StatusOK); !strings.Contains(body, "Licence file") || !strings.Contains(body, "Waiting for the merchant") {
		t.Fatalf("the order page lacks its open event\n%s", body)
	}
	content := ord + "/events/" + ev.ID + "/content"
	f.page(c, "en", content, http.StatusNotFound) // nothing uploaded yet
	if _, err := f.e.Orders.UploadEvent(f.e.Ctx, f.shop.Seller, ev.ID, &kgp.EventUpload{Type: kgp.EventCharacters, Characters: "<b>KEY-123</b>"}, nil); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		if body = f.page(c, lang, ord, http.StatusOK); !strings.Contains(body, `href="`+content+`"`) {
			t.Fatalf("%s: the order page lacks the upload's link\n%s", lang, body)
		}
	}
	status, body, h := f.get(c, content)
	if status != http.StatusOK || body != "<b>KEY-123</b>" || h.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		t.Errorf("the upload's download: %d %q %v", status, body, h)
	}

	// Shipments across buyers: by state, buyer and merchant; one with its waybill's events.
	for _, lang := range []string{"zh-CN", "en"} {
		if body = f.page(c, lang, "/operator/shipments", http.StatusOK); !strings.Contains(body, `href="/operator/shipments/`+key+`"`) {
			t.Fatalf("%s: the shipment is not listed\n%s", lang, body)
		}
		if body = f.page(c, lang, "/operator/shipments/"+key, http.StatusOK); !strings.Contains(body, "SF0042") || !strings.Contains(body, "left the hub") || !strings.Contains(body, "9 Buyer Street") {
			t.Fatalf("%s: the shipment's page lacks its waybill or events\n%s", lang, body)
		}
	}
	if body = f.page(c, "en", "/operator/shipments?state=SHIPPED&buyer="+f.buyer.BuyerID+"&merchant="+f.shop.M.ID, http.StatusOK); !strings.Contains(body, key) {
		t.Errorf("the filters drop the shipment")
	}
	if body = f.page(c, "en", "/operator/shipments?state=SIGNED", http.StatusOK); strings.Contains(body, key) {
		t.Errorf("a shipped shipment is listed as signed")
	}
	f.page(c, "en", "/operator/shipments/nope", http.StatusNotFound)

	seller, _ := f.sellerClient()
	for who, oc := range map[string]*http.Client{"buyer": f.login(f.token), "seller": seller} {
		for _, p := range []string{"/operator/shipments", "/operator/shipments/" + key, content, ord} {
			if status, body, _ := f.get(oc, p); status != http.StatusNotFound || !strings.Contains(body, "404") {
				t.Errorf("%s GET %s: %d, want the 404 page", who, p, status)
			}
		}
		if status, _, _ := f.post(oc, ord+"/events", url.Values{"event_title": {"x"}}); status != http.StatusNotFound {
			t.Errorf("%s opens an event: %d", who, status)
		}
	}
	if events, _ = f.e.Orders.Events(f.e.Ctx, market.AsOperator(), o.ID); len(events) != 1 {
		t.Errorf("%d events after refused posts", len(events))
	}
}
