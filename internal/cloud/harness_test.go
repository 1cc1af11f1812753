package cloud_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/cloud"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

// harness is a marketplace with an industrial CAD product on a real database. Merchant m-cad
// sells spec "cad" (monthly license, package with data in cloud, version 2.0, trials of 14 days
// allowed by the catalog but not by the package until a test says so) and spec "viewer" (no data
// in cloud). The buyer owns one instance of "cad"; alice and bob are two of its users.
type harness struct {
	*marketplacetest.Env
	t          *testing.T
	buyer      market.Viewer
	alice, bob market.Viewer
	key        string
}

func setup(t *testing.T, e *marketplacetest.Env) *harness {
	t.Helper()
	h := &harness{Env: e, t: t}
	e.Merchant(marketplacetest.MerchantOpts{ID: "m-cad", Name: "CAD Works"})
	e.Merchant(marketplacetest.MerchantOpts{ID: "m-other", Name: "Other"})
	spec := func(sku, offer string) catalog.SpecRequest {
		return catalog.SpecRequest{SkuCode: sku, Name: sku, Charging: market.ChargingPeriod, TrialDays: 14, Delivery: market.DeliveryLicense,
			Plans: []catalog.PlanRequest{{ProductID: offer, Period: market.PeriodMonth, Price: 100_000}}}
	}
	e.Product("p-cad", "m-cad", spec("cad", "OFFI-CAD-M"), spec("viewer", "OFFI-VIEW-M"))
	h.pkg(cloud.PackageRequest{SkuCode: "cad", DataInCloud: true, Version: "2.0"})
	h.pkg(cloud.PackageRequest{SkuCode: "viewer", Version: "1.0"})
	h.buyer = e.Buyer()
	h.alice = market.Viewer{Role: market.RoleBuyer, BuyerID: h.buyer.BuyerID, UserID: "alice"}
	h.bob = market.Viewer{Role: market.RoleBuyer, BuyerID: h.buyer.BuyerID, UserID: "bob"}
	h.key = h.buy(h.buyer, "OFFI-CAD-M", false)
	return h
}

// each runs fn on a fresh harness of each engine, in parallel.
func each(t *testing.T, fn func(t *testing.T, h *harness)) {
	t.Helper()
	eachWith(t, marketplacetest.Options{}, fn)
}

func eachWith(t *testing.T, opts marketplacetest.Options, fn func(t *testing.T, h *harness)) {
	t.Helper()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, setup(t, marketplacetest.New(t, d, opts)))
		})
	}
}

// smallAssemblies is a configuration whose assemblies may unpack to 1 MiB.
func smallAssemblies(c *marketplace.Config) { c.Cloud.Assembly.MaxUnpacked = 1 << 20 }

func (h *harness) pkg(r cloud.PackageRequest) *market.IndustrialPackage {
	h.t.Helper()
	p, err := h.Cloud.SetPackage(h.Ctx, market.AsOperator(), r)
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

// buy purchases one month of offer (or its trial) for v and returns the instance's key.
func (h *harness) buy(v market.Viewer, offer string, trial bool) string {
	h.t.Helper()
	o, err := h.Orders.Purchase(h.Ctx, v, order.PurchaseRequest{Items: []order.Item{{ProductID: offer, PeriodNumber: 1}}, Trial: trial})
	if err != nil {
		h.t.Fatal(err)
	}
	return o.Lines[0].ID
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// save uploads body in one request and completes it.
func (h *harness) save(v market.Viewer, r cloud.UploadRequest, body []byte) (*market.CloudFile, error) {
	h.t.Helper()
	if r.Kind == "" {
		r.Kind = market.KindFile
	}
	r.Size, r.SHA256 = int64(len(body)), sum(body)
	u, err := h.Cloud.BeginUpload(h.Ctx, v, h.key, r)
	if err != nil {
		return nil, err
	}
	if _, err := h.Cloud.WriteChunk(h.Ctx, v, u.ID, 0, bytes.NewReader(body)); err != nil {
		return nil, err
	}
	return h.Cloud.Complete(h.Ctx, v, u.ID)
}

// must fails the test on err and returns f.
func (h *harness) must(f *market.CloudFile, err error) *market.CloudFile {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
	return f
}

// content reads a version of a file (0: current).
func (h *harness) content(v market.Viewer, id string, version int) string {
	h.t.Helper()
	_, _, r, err := h.Cloud.Content(h.Ctx, v, id, version)
	if err != nil {
		h.t.Fatal(err)
	}
	defer r.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(r); err != nil {
		h.t.Fatal(err)
	}
	return b.String()
}

// wantErr fails unless err has code and its message contains part.
func wantErr(t *testing.T, err error, code market.Code, part string) {
	t.Helper()
	if market.ErrorCode(err) != code || !bytes.Contains([]byte(market.ErrorMessage(err)), []byte(part)) {
		t.Fatalf("err = %v, want %s containing %q", err, code, part)
	}
}

// used returns the drive's stored and reserved bytes.
func (h *harness) used() (int64, int64) {
	h.t.Helper()
	d, err := h.Cloud.Drive(h.Ctx, h.buyer, h.key)
	if err != nil {
		h.t.Fatal(err)
	}
	return d.Drive.UsedBytes, d.Drive.Reserved
}
