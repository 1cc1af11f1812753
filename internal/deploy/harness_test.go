package deploy_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/assets/assetstest"
	"github.com/mercato-oss/mercato/internal/deploy"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/rfs"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

// harness is a marketplace with a shop (m-acme, selling an image spec among others) and a
// second merchant, m-other, whose seller must see nothing of m-acme's.
type harness struct {
	*marketplacetest.Env
	t      *testing.T
	shop   *marketplacetest.Shop
	seller market.Viewer
	other  market.Viewer
}

func each(t *testing.T, fn func(t *testing.T, h *harness)) {
	t.Helper()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := marketplacetest.New(t, d, marketplacetest.Options{})
			shop := e.Shop("m-acme")
			e.Merchant(marketplacetest.MerchantOpts{ID: "m-other"})
			fn(t, &harness{Env: e, t: t, shop: shop, seller: e.Seller("m-acme", market.SellerOperations), other: e.Seller("m-other", market.SellerAdmin)})
		})
	}
}

// approvedAsset stores an approved asset of m-acme directly: the asset centre's own review
// (with the scanner) is the end-to-end test's business.
func (h *harness) approvedAsset(id string, kind market.AssetKind) market.Asset {
	h.t.Helper()
	now := h.Clock.Now()
	a := &market.Asset{ID: id, MerchantID: "m-acme", Kind: kind, Name: "Acme " + id, Arch: market.ArchX86, Regions: []string{"cn-north-4"},
		State: market.AssetApproved, Version: 1, ApprovedVersion: 1, CreatedAt: now, UpdatedAt: now}
	if err := h.DB.Write(h.Ctx, func(tx *store.Tx) error { return tx.InsertAsset(h.Ctx, a) }); err != nil {
		h.t.Fatal(err)
	}
	return *a
}

// files turns rfs files into a template request's.
func files(fs []rfs.File) []market.TemplateFile {
	out := make([]market.TemplateFile, len(fs))
	for i, f := range fs {
		out[i] = market.TemplateFile{Name: f.Name, Data: string(f.Data)}
	}
	return out
}

// template attaches rfs's sample template (3 modules) to an asset.
func (h *harness) template(assetID string) *market.DeployTemplate {
	h.t.Helper()
	t, err := h.Deploy.AddTemplate(h.Ctx, h.seller, assetID, deploy.TemplateRequest{Name: "standard", Files: files(rfs.Sample(3))})
	if err != nil {
		h.t.Fatal(err)
	}
	if !t.Valid {
		h.t.Fatalf("the sample is invalid: %v", t.Violations)
	}
	return t
}

// priceAll prices every resource type of the sample template.
func (h *harness) priceAll(except ...string) {
	h.t.Helper()
	for typ, lines := range map[string][]market.PriceLine{
		"huaweicloud_vpc":              {{Name: "VPC", Per: "month", Price: 0}},
		"huaweicloud_compute_instance": {{Name: "s6 server", Unit: "instance", Per: "hour", Price: 450}},
		"huaweicloud_evs_volume":       {{Name: "SSD", Unit: "GB", Per: "month", Price: 1_000, Quantity: 100}},
		"huaweicloud_vpc_eip":          {{Name: "EIP", Per: "month", Price: 20_000}, {Name: "bandwidth", Unit: "Mbit/s", Per: "month", Price: 23_000, Quantity: 5}},
	} {
		skip := false
		for _, e := range except {
			skip = skip || e == typ
		}
		if skip {
			continue
		}
		if _, err := h.Deploy.SetPrice(h.Ctx, market.AsOperator(), typ, deploy.PriceRequest{Lines: lines}); err != nil {
			h.t.Fatal(err)
		}
	}
}

// bind makes the shop's one-time image spec an auto-deploy spec selecting asset.
func (h *harness) bind(assetID string) {
	h.t.Helper()
	if err := h.DB.Write(h.Ctx, func(tx *store.Tx) error {
		return tx.SetSpecAsset(h.Ctx, h.shop.Specs["img-once"], "p-m-acme-once", "m-acme", assetID, h.Clock.Now().UnixMilli())
	}); err != nil {
		h.t.Fatal(err)
	}
}

// bought buys the one-time image spec for a new buyer and returns the buyer and the instance.
func (h *harness) bought() (market.Viewer, *market.Instance) {
	h.t.Helper()
	b := h.Buyer()
	o := h.Buy(b, h.shop, "img-once", 0)
	list, _, err := h.DB.Instances(h.Ctx, store.InstanceFilter{OrderID: o.ID})
	if err != nil || len(list) != 1 {
		h.t.Fatalf("instances of %s: %v %v", o.ID, list, err)
	}
	return b, list[0]
}

func inputs(s string) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		panic(err)
	}
	return m
}

func wantErr(t *testing.T, err error, code market.Code, part string) {
	t.Helper()
	if market.ErrorCode(err) != code || !strings.Contains(market.ErrorMessage(err)+detailText(err), part) {
		t.Fatalf("err = %v (%v), want %s containing %q", err, market.ErrorDetails(err), code, part)
	}
}

func detailText(err error) string {
	var b strings.Builder
	for _, d := range market.ErrorDetails(err) {
		b.WriteString(" " + d.Field + " " + d.Rule + " " + d.Message)
	}
	return b.String()
}

func sha(b []byte) string { return assetstest.SHA256(b) }

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
