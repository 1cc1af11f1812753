package assets_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/assets/assetstest"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestReview walks an asset through the review with the real scanner: a package holding a
// private key is rejected with the report, appealed, and approved by the operator; a clean one
// is approved by the scan. Every transition out of turn is refused and changes nothing.
func TestReview(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		clean := h.submitted(assetstest.CleanPackage())
		if clean.State != market.AssetApproved || clean.ApprovedVersion != 1 {
			t.Fatalf("clean package: %+v, want APPROVED version 1", clean)
		}
		if d := h.detail(clean.ID); !strings.Contains(string(d.Versions[0].Report), `"passed":true`) {
			t.Fatalf("clean package's report: %s", d.Versions[0].Report)
		}

		a := h.submitted(assetstest.KeyPackage())
		if a.State != market.AssetRejected || a.ApprovedVersion != 0 || a.ScanError != "" {
			t.Fatalf("package with a key: %+v, want REJECTED", a)
		}
		d := h.detail(a.ID)
		if rep := string(d.Versions[0].Report); !strings.Contains(rep, `"rule":"private-key"`) || !strings.Contains(rep, "app/conf/server.key") {
			t.Fatalf("report does not name the key: %s", rep)
		}
		msgs, _, err := h.Notify.List(h.Ctx, h.seller, "", false, store.Page{})
		kinds := map[string]string{}
		for _, m := range msgs {
			kinds[m.Subject] = m.Kind
		}
		if err != nil || len(msgs) != 2 || kinds[a.ID] != "asset.rejected" || kinds[clean.ID] != "asset.approved" {
			t.Fatalf("the merchant is told of each verdict: %v, %v", kinds, err)
		}
		if _, err := h.Assets.Approved(h.Ctx, h.DB.Reader, a.ID); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("Approved of a rejected asset: %v, want conflict", err)
		}

		// Out of turn: nothing changes.
		before := h.detail(a.ID)
		_, err = h.Assets.Submit(h.Ctx, h.seller, a.ID)
		wantErr(t, err, market.CodeConflict, "only a draft")
		_, err = h.Assets.Decide(h.Ctx, market.AsOperator(), a.ID, true, "looks fine")
		wantErr(t, err, market.CodeConflict, "only an appealed asset")
		_, err = h.Assets.Appeal(h.Ctx, h.seller, a.ID, "  ")
		wantErr(t, err, market.CodeInvalid, "reason")
		_, err = h.Assets.Appeal(h.Ctx, h.other, a.ID, "mine")
		wantErr(t, err, market.CodeNotFound, "not found")
		if after := h.detail(a.ID); !reflect.DeepEqual(before, after) {
			t.Fatalf("a refused transition changed the asset:\n%+v\n%+v", before, after)
		}

		if _, err := h.Assets.Appeal(h.Ctx, h.seller, a.ID, "the key is a test fixture, never loaded"); err != nil {
			t.Fatal(err)
		}
		_, err = h.Assets.Appeal(h.Ctx, h.seller, a.ID, "again")
		wantErr(t, err, market.CodeConflict, "only a rejected asset")
		_, err = h.Assets.Decide(h.Ctx, h.seller, a.ID, true, "self-approved")
		wantErr(t, err, market.CodeForbidden, "operator")
		_, err = h.Assets.Decide(h.Ctx, market.AsOperator(), a.ID, true, "")
		wantErr(t, err, market.CodeInvalid, "comment")
		got, err := h.Assets.Decide(h.Ctx, market.AsOperator(), a.ID, true, "fixture key, accepted")
		if err != nil || got.State != market.AssetApproved || got.ApprovedVersion != 1 {
			t.Fatalf("decide: %+v, %v", got, err)
		}
		if ok, err := h.Assets.Approved(h.Ctx, h.DB.Reader, a.ID); err != nil || ok.ID != a.ID {
			t.Fatalf("Approved: %+v, %v", ok, err)
		}
		d = h.detail(a.ID)
		var path []string
		for _, e := range d.Events {
			path = append(path, string(e.To))
		}
		if want := "DRAFT SUBMITTED REJECTED APPEALED APPROVED"; strings.Join(path, " ") != want {
			t.Fatalf("history %v, want %s", path, want)
		}
		if v := d.Versions[0]; v.Appeal == "" || v.Comment != "fixture key, accepted" || len(v.Report) == 0 {
			t.Fatalf("version keeps appeal, comment and report: %+v", v)
		}

		// A new version is reviewed again while products keep the approved one.
		if _, err := h.upload(a.ID, "1.1", "acme-app.zip", assetstest.KeyPackage()); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Assets.Submit(h.Ctx, h.seller, a.ID); err != nil {
			t.Fatal(err)
		}
		_, err = h.upload(a.ID, "1.2", "acme-app.zip", assetstest.CleanPackage())
		wantErr(t, err, market.CodeConflict, "SUBMITTED")
		h.Settle()
		if got := h.get(a.ID); got.State != market.AssetRejected || got.Version != 2 || got.ApprovedVersion != 1 {
			t.Fatalf("version 2: %+v", got)
		}
		if _, err := h.Assets.Approved(h.Ctx, h.DB.Reader, a.ID); err != nil {
			t.Fatalf("the approved version 1 stays usable: %v", err)
		}
	})
}

// TestAppealRejected: the operator may uphold a rejection.
func TestAppealRejected(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		a := h.submitted(assetstest.KeyPackage())
		if _, err := h.Assets.Appeal(h.Ctx, h.seller, a.ID, "false positive"); err != nil {
			t.Fatal(err)
		}
		got, err := h.Assets.Decide(h.Ctx, market.AsOperator(), a.ID, false, "a real key: remove it")
		if err != nil || got.State != market.AssetRejected || got.ApprovedVersion != 0 {
			t.Fatalf("decide: %+v, %v", got, err)
		}
	})
}

// TestImage: a root filesystem tarball uploaded as an image is scanned as an image (the scanner
// tells a rootfs from a container by its content) and rejected for its preset login key.
func TestImage(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		a := h.create(market.AssetImage)
		if _, err := h.upload(a.ID, "2026.1", "debian-12-lamp.tar.gz", assetstest.RootfsWithKey()); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Assets.Submit(h.Ctx, h.seller, a.ID); err != nil {
			t.Fatal(err)
		}
		h.Settle()
		d := h.detail(a.ID)
		rep := string(d.Versions[0].Report)
		if d.Asset.State != market.AssetRejected || !strings.Contains(rep, `"rule":"authorized-keys"`) || !strings.Contains(rep, "root/.ssh/authorized_keys") ||
			!strings.Contains(rep, `"kind":"image"`) {
			t.Fatalf("image: %s %s %s", d.Asset.State, d.Asset.ScanError, rep)
		}
	})
}
