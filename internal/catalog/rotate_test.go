package catalog_test

import (
	"encoding/json"
	"testing"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// TestRotateKeys: a seller rotates its merchant's access key; the previous one is kept for
// answers to calls signed before, stored credentials are re-encrypted so that they still open,
// and another merchant's seller cannot touch it.
func TestRotateKeys(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		nm := e.Merchant(marketplacetest.MerchantOpts{ID: "m-acme", AccessKey: "old-access-key-0123456789"})
		e.Product("p-crm", "m-acme", period("std", month("OFFI-STD-M")))
		buyer := e.Buyer()
		o, err := e.Orders.Purchase(e.Ctx, buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-STD-M", PeriodNumber: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		// The merchant answered with credentials encrypted under its old key.
		pw, _ := kgp.EncryptCredential(nm.Merchant.AccessKey, kgp.EncryptAES256, "s3cret-pw")
		info, _ := json.Marshal(kgp.AppInfo{FrontEndURL: "https://app.example", UserName: "", Password: pw})
		err = e.DB.Write(e.Ctx, func(tx *store.Tx) error {
			in, err := tx.Instance(e.Ctx, o.Lines[0].ID)
			if err != nil {
				return err
			}
			in.AppInfoJSON, in.EncryptType = info, string(kgp.EncryptAES256)
			_, err = tx.UpdateInstance(e.Ctx, in, in.State)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Catalog.UpdateMerchant(e.Ctx, market.AsSeller("m-other"), "m-acme", catalog.MerchantUpdate{RotateAccessKey: true}); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("another merchant's seller rotated the key: %v", err)
		}
		bad := "x"
		if _, err := e.Catalog.UpdateMerchant(e.Ctx, market.AsSeller("m-acme"), "m-acme", catalog.MerchantUpdate{AccessKey: &bad}); market.ErrorField(err) != "access_key" {
			t.Fatalf("a one-character key: %v", err)
		}
		m, err := e.Catalog.UpdateMerchant(e.Ctx, market.AsSeller("m-acme"), "m-acme", catalog.MerchantUpdate{RotateAccessKey: true})
		if err != nil {
			t.Fatal(err)
		}
		if m.AccessKey == nm.Merchant.AccessKey || m.PreviousAccessKey != nm.Merchant.AccessKey || !m.KeysRotatedAt.Equal(e.Clock.Now()) {
			t.Fatalf("rotation: %+v", m)
		}
		in, _ := e.Orders.Instance(e.Ctx, buyer, o.Lines[0].ID)
		a, err := e.Orders.AppInfo(e.Ctx, buyer, in)
		if err != nil || a.Password != "s3cret-pw" {
			t.Fatalf("credentials after the rotation: %+v, %v", a, err)
		}
		url := "https://moved.example/produce"
		if m, err = e.Catalog.UpdateMerchant(e.Ctx, market.AsOperator(), "m-acme", catalog.MerchantUpdate{ProductionURL: &url}); err != nil || m.ProductionURL != url {
			t.Fatalf("URL change: %+v, %v", m, err)
		}
	})
}
