package assets_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/assets"
	"github.com/mercato-oss/mercato/internal/assets/assetstest"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

// scanner is the real mercato-scan, built once for the package's tests by TestMain.
var scanner string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "assets-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if scanner, err = assetstest.BuildScanner(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// harness is a marketplace with two merchants: m-acme, whose seller (operations role) owns the
// assets of the tests, and m-other, whose seller must see none of them.
type harness struct {
	*marketplacetest.Env
	t      *testing.T
	seller market.Viewer
	other  market.Viewer
}

// configure runs the real scanner without clamd and an OSV database, so no check is required
// to have run (the tests of the requirement set it back).
func configure(t *testing.T, more func(*assets.Config)) marketplacetest.Options {
	return marketplacetest.Options{Config: func(c *marketplace.Config) {
		c.Assets.Scanner, c.Assets.RequireChecks, c.Assets.TempDir = scanner, nil, t.TempDir()
		c.Assets.AllowInsecureFetch = true
		if more != nil {
			more(&c.Assets)
		}
	}}
}

// each runs fn on a fresh harness of each engine, in parallel.
func each(t *testing.T, more func(*assets.Config), fn func(t *testing.T, h *harness)) {
	t.Helper()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := marketplacetest.New(t, d, configure(t, more))
			e.Merchant(marketplacetest.MerchantOpts{ID: "m-acme"})
			e.Merchant(marketplacetest.MerchantOpts{ID: "m-other"})
			fn(t, &harness{Env: e, t: t, seller: e.Seller("m-acme", market.SellerOperations), other: e.Seller("m-other", market.SellerAdmin)})
		})
	}
}

// create makes a package asset of m-acme.
func (h *harness) create(kind market.AssetKind) market.Asset {
	h.t.Helper()
	return marketplacetest.Must[market.Asset](h.t)(h.Assets.Create(h.Ctx, h.seller, assets.CreateRequest{Kind: kind, Name: "Acme app",
		Regions: []string{"cn-north-4"}}))
}

// upload uploads body as a new version in one request and completes it.
func (h *harness) upload(id, label, file string, body []byte) (*market.AssetVersion, error) {
	h.t.Helper()
	u, err := h.Assets.BeginUpload(h.Ctx, h.seller, id, assets.UploadRequest{Label: label, FileName: file, Size: int64(len(body)),
		SHA256: assetstest.SHA256(body)})
	if err != nil {
		return nil, err
	}
	if _, err := h.Assets.WriteChunk(h.Ctx, h.seller, u.ID, 0, bytes.NewReader(body)); err != nil {
		return nil, err
	}
	return h.Assets.Complete(h.Ctx, h.seller, u.ID)
}

// submitted creates a package asset with body as version 1.0, submits it and settles its scan.
func (h *harness) submitted(body []byte) market.Asset {
	h.t.Helper()
	a := h.create(market.AssetPackage)
	if _, err := h.upload(a.ID, "1.0", "acme-app.zip", body); err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.Assets.Submit(h.Ctx, h.seller, a.ID); err != nil {
		h.t.Fatal(err)
	}
	h.Settle()
	return h.get(a.ID)
}

func (h *harness) get(id string) market.Asset {
	h.t.Helper()
	return marketplacetest.Must[market.Asset](h.t)(h.Assets.Get(h.Ctx, market.AsOperator(), id))
}

func (h *harness) detail(id string) *assets.Detail {
	h.t.Helper()
	return marketplacetest.Must[*assets.Detail](h.t)(h.Assets.Detail(h.Ctx, market.AsOperator(), id))
}

// wantErr fails unless err has code and its message contains part.
func wantErr(t *testing.T, err error, code market.Code, part string) {
	t.Helper()
	if market.ErrorCode(err) != code || !strings.Contains(market.ErrorMessage(err), part) {
		t.Fatalf("err = %v, want %s containing %q", err, code, part)
	}
}
