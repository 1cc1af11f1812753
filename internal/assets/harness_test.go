package assets_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/assets"
	"github.com/mercato-oss/mercato/internal/assets/assetstest"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/notify"
	"github.com/mercato-oss/mercato/internal/store"
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

// harness is the asset centre alone on a real database and its job queue, on a fake clock:
// the features that hook into it (auto-deploy's template rule, products using assets) are not
// built, so these tests see the asset centre's own rules. Merchants m-acme, whose seller
// (operations role) owns the assets of the tests, and m-other, whose seller must see none.
type harness struct {
	t      *testing.T
	Ctx    context.Context
	Clock  *market.FakeClock
	DB     *store.DB
	Assets *assets.Service
	Notify *notify.Service
	seller market.Viewer
	other  market.Viewer
}

// config runs the real scanner without clamd and an OSV database, so no check is required to
// have run (the tests of the requirement set it back).
func config(t *testing.T, more func(*assets.Config)) assets.Config {
	c := assets.DefaultConfig()
	c.Scanner, c.RequireChecks, c.TempDir, c.AllowInsecureFetch = scanner, nil, t.TempDir(), true
	if more != nil {
		more(&c)
	}
	return c
}

// each runs fn on a fresh harness of each engine, in parallel.
func each(t *testing.T, more func(*assets.Config), fn func(t *testing.T, h *harness)) {
	t.Helper()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, setup(t, d, config(t, more)))
		})
	}
}

func setup(t *testing.T, d store.Dialect, cfg assets.Config) *harness {
	t.Helper()
	h := &harness{t: t, Ctx: context.Background(), Clock: market.NewFakeClock(marketplacetest.T0), DB: storetest.Open(t, d)}
	var err error
	if h.Notify, err = notify.New(h.DB, h.Clock); err != nil {
		t.Fatal(err)
	}
	if h.Assets, err = assets.New(h.DB, h.Clock, slog.New(slog.NewTextHandler(io.Discard, nil)), h.Notify, cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Assets.Close() })
	jobs := store.NewJobs()
	h.Assets.Register(jobs)
	storetest.StartQueue(t, h.DB, jobs, h.Clock)
	err = h.DB.Write(h.Ctx, func(tx *store.Tx) error {
		for _, id := range []string{"m-acme", "m-other"} {
			if err := tx.InsertMerchant(h.Ctx, &market.Merchant{ID: id, Name: id, ProductionURL: "https://merchant.example/p", Generation: 2,
				AccessKey: "k", CreatedAt: marketplacetest.T0}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h.seller, h.other = h.Seller("m-acme", market.SellerOperations), h.Seller("m-other", market.SellerAdmin)
	return h
}

// Seller is a user of merchantID with role.
func (h *harness) Seller(merchantID string, role market.SellerRole) market.Viewer {
	return market.Viewer{Role: market.RoleSeller, MerchantID: merchantID, UserID: "su-" + strings.ToLower(market.NewSecret(6)), SellerRole: role}
}

// Buyer is a buyer, who sees no assets.
func (h *harness) Buyer() market.Viewer { return market.AsBuyer("b-" + market.NewHexID()) }

// Settle works every job due at the current business time.
func (h *harness) Settle() {
	h.t.Helper()
	if err := h.DB.Settle(h.Ctx, h.Clock.Now, 2*time.Minute); err != nil {
		h.t.Fatal(err)
	}
}

// Advance moves business time by d in steps, settling after each.
func (h *harness) Advance(d, step time.Duration) {
	h.t.Helper()
	for end := h.Clock.Now().Add(d); h.Clock.Now().Before(end); {
		next := h.Clock.Now().Add(step)
		if next.After(end) {
			next = end
		}
		h.Clock.Set(next)
		h.Settle()
	}
}

// create makes a package asset of m-acme.
func (h *harness) create(kind market.AssetKind) market.Asset {
	h.t.Helper()
	return marketplacetest.Must[market.Asset](h.t)(h.Assets.Create(h.Ctx, h.seller, assets.CreateRequest{Kind: kind, Name: "Acme app",
		Regions: []string{"cn-north-4"}}))
}

// upload uploads body as a new version, in parts of MaxChunk, and completes it.
func (h *harness) upload(id, label, file string, body []byte) (*market.AssetVersion, error) {
	h.t.Helper()
	u, err := h.Assets.BeginUpload(h.Ctx, h.seller, id, assets.UploadRequest{Label: label, FileName: file, Size: int64(len(body)),
		SHA256: assetstest.SHA256(body)})
	if err != nil {
		return nil, err
	}
	for off, n := 0, int(h.Assets.MaxChunk()); off < len(body); off += n {
		if _, err := h.Assets.WriteChunk(h.Ctx, h.seller, u.ID, int64(off), bytes.NewReader(body[off:min(off+n, len(body))])); err != nil {
			return nil, err
		}
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
