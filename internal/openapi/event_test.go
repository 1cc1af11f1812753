package openapi_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/openapi"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

// TestMarketEventUpload: the SDK client uploads a file and a text to an event of its
// merchant's order; a wrong sha256, an overlong text and another merchant's AK are refused.
func TestMarketEventUpload(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{Start: t0}, func(t *testing.T, e *marketplacetest.Env) {
		ctx := context.Background()
		keys := map[string]*market.APIKey{}
		for _, m := range []string{"m-acme", "m-other"} {
			keys[m] = e.Merchant(marketplacetest.MerchantOpts{ID: m, Name: m, ProductionURL: "https://" + m + ".example/p"}).Key
		}
		e.Product("p-acme", "m-acme", catalog.SpecRequest{SkuCode: "seat", Name: "Seat", Charging: market.ChargingPeriod, Delivery: market.DeliveryLicense,
			Plans: []catalog.PlanRequest{{ProductID: "OFFI-SEAT", Period: market.PeriodMonth, Price: 1000}}})
		buyer := e.Buyer()
		o, err := e.Orders.Purchase(ctx, buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-SEAT", PeriodNumber: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		ev, err := e.Orders.OpenEvent(ctx, buyer, o.ID, order.EventRequest{Title: "Acceptance"})
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		(&openapi.Handler{Clock: e.Clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Catalog: e.Catalog, Orders: e.Orders,
			Usage: e.Metering, Licenses: e.Licenses}).Register(mux)
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		client := func(m string) *sdk.Client {
			c, err := sdk.NewClient(sdk.ClientConfig{AK: keys[m].AK, SK: keys[m].SK, BaseURL: srv.URL, Retry: sdk.RetryPolicy{Attempts: 1}})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		acme, other := client("m-acme"), client("m-other")
		code := func(err error) kgp.ErrorCode {
			if e, ok := errors.AsType[*kgp.ErrorResponse](err); ok {
				return e.ErrorCode
			}
			return "?"
		}
		if err := other.UploadEventCharacters(ctx, ev.ID, "not mine"); code(err) != kgp.MKTIllegalOp {
			t.Fatalf("another merchant's upload: %v", err)
		}
		if err := acme.UploadEventCharacters(ctx, "no-such-event", "x"); code(err) != kgp.MKTIllegalOp {
			t.Fatalf("unknown event: %v", err)
		}
		if err := acme.UploadEventCharacters(ctx, ev.ID, strings.Repeat("字", 1025)); err == nil {
			t.Fatal("1025 characters accepted by the client")
		}
		// A body whose sha256 does not match, sent around the client's own check.
		body, ct, err := kgp.EncodeEventUpload(kgp.EventUpload{Type: kgp.EventFile, FileName: "a.txt"}, []byte("one"))
		if err != nil {
			t.Fatal(err)
		}
		tampered := strings.Replace(string(body), "\r\none\r\n", "\r\ntwo\r\n", 1)
		if _, _, err := kgp.DecodeEventUpload(ct, []byte(tampered)); err == nil || !strings.Contains(err.Error(), "sha256") {
			t.Fatalf("tampered file: %v", err)
		}
		if err := acme.UploadEventCharacters(ctx, ev.ID, strings.Repeat("字", 1024)); err != nil {
			t.Fatal(err)
		}
		if err := acme.UploadEventFile(ctx, ev.ID, "acceptance.pdf", []byte("%PDF accepted")); err != nil {
			t.Fatal(err)
		}
		got, b, err := e.Orders.EventContent(ctx, buyer, o.ID, ev.ID)
		if err != nil || got.Kind != market.EventFile || string(b) != "%PDF accepted" || got.FileName != "acceptance.pdf" {
			t.Fatalf("stored %+v %q %v", got, b, err)
		}
	})
}
