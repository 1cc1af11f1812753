package assets_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/assets"
	"github.com/mercato-oss/mercato/internal/assets/assetstest"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestVisibility: a seller sees and changes only its merchant's assets; another merchant's
// seller gets not-found, a finance user forbidden, a buyer nothing.
func TestVisibility(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		a := h.create(market.AssetPackage)
		if _, err := h.upload(a.ID, "1.0", "acme-app.zip", assetstest.CleanPackage()); err != nil {
			t.Fatal(err)
		}
		_, err := h.Assets.Get(h.Ctx, h.other, a.ID)
		wantErr(t, err, market.CodeNotFound, "not found")
		_, err = h.Assets.Detail(h.Ctx, h.other, a.ID)
		wantErr(t, err, market.CodeNotFound, "not found")
		_, err = h.Assets.Submit(h.Ctx, h.other, a.ID)
		wantErr(t, err, market.CodeNotFound, "not found")
		wantErr(t, h.Assets.Delete(h.Ctx, h.other, a.ID), market.CodeNotFound, "not found")
		_, err = h.Assets.BeginUpload(h.Ctx, h.other, a.ID, assets.UploadRequest{Label: "2", FileName: "x.zip", Size: 1, SHA256: assetstest.SHA256(nil)})
		wantErr(t, err, market.CodeNotFound, "not found")
		_, err = h.Assets.Get(h.Ctx, h.Buyer(), a.ID)
		wantErr(t, err, market.CodeNotFound, "not found")
		_, _, err = h.Assets.List(h.Ctx, h.Buyer(), assets.ListFilter{})
		wantErr(t, err, market.CodeForbidden, "sellers")
		finance := h.Seller("m-acme", market.SellerFinance)
		if _, err := h.Assets.Get(h.Ctx, finance, a.ID); err != nil {
			t.Fatalf("finance reads its merchant's asset: %v", err)
		}
		_, err = h.Assets.Submit(h.Ctx, finance, a.ID)
		wantErr(t, err, market.CodeForbidden, "finance")

		list, _, err := h.Assets.List(h.Ctx, h.other, assets.ListFilter{MerchantID: "m-acme"})
		if err != nil || len(list) != 0 {
			t.Fatalf("another merchant's list: %v, %v", list, err)
		}
		list, _, err = h.Assets.List(h.Ctx, h.seller, assets.ListFilter{})
		if err != nil || len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("own list: %v, %v", list, err)
		}
		list, _, err = h.Assets.List(h.Ctx, market.AsOperator(), assets.ListFilter{State: market.AssetDraft})
		if err != nil || len(list) != 1 {
			t.Fatalf("operator's list: %v, %v", list, err)
		}
	})
}

// TestLimits: the rules of §6.1–§6.3 refuse an asset or an upload before a byte is stored.
func TestLimits(t *testing.T) {
	t.Parallel()
	each(t, func(c *assets.Config) { c.MaxPackage, c.MaxImage = 1000, 2000 }, func(t *testing.T, h *harness) {
		_, err := h.Assets.Create(h.Ctx, h.seller, assets.CreateRequest{Kind: market.AssetImage, Name: "arm image", Arch: market.ArchARM64,
			Regions: []string{"cn-north-4", "ap-southeast-1"}})
		wantErr(t, err, market.CodeInvalid, "Kunpeng")
		if f := market.ErrorField(err); f != "regions[1]" {
			t.Fatalf("field %q", f)
		}
		if _, err := h.Assets.Create(h.Ctx, h.seller, assets.CreateRequest{Kind: market.AssetImage, Name: "arm image", Arch: market.ArchARM64,
			Regions: []string{"cn-north-4", "cn-south-1"}}); err != nil {
			t.Fatal(err)
		}
		_, err = h.Assets.Create(h.Ctx, h.seller, assets.CreateRequest{Kind: "VIDEO", Name: ""})
		if d := market.ErrorDetails(err); len(d) != 2 {
			t.Fatalf("every broken rule is reported: %v", err)
		}
		pkg, img := h.create(market.AssetPackage), h.create(market.AssetImage)
		for _, c := range []struct {
			id, file string
			size     int64
			rule     string
		}{
			{pkg.ID, "acme app.zip", 10, "package-name"},
			{pkg.ID, "acme.rar", 10, "package-format"},
			{pkg.ID, "acme.tar.gz", 1001, "size-limit"},
			{img.ID, "disk.qcow2", 2001, "size-limit"},
			{img.ID, "disk.exe", 10, "image-format"},
		} {
			_, err := h.Assets.BeginUpload(h.Ctx, h.seller, c.id, assets.UploadRequest{Label: "1.0", FileName: c.file, Size: c.size,
				SHA256: assetstest.SHA256(nil)})
			if d := market.ErrorDetails(err); len(d) != 1 || d[0].Rule != c.rule {
				t.Errorf("%s (%d bytes): %v, want rule %s", c.file, c.size, err, c.rule)
			}
		}
		for _, ok := range []string{"acme_app-(x64).tar.gz", "acme.tar", "ACME.zip"} {
			if _, err := h.Assets.BeginUpload(h.Ctx, h.seller, pkg.ID, assets.UploadRequest{Label: "1.0", FileName: ok, Size: 10,
				SHA256: assetstest.SHA256(nil)}); err != nil {
				t.Errorf("%s: %v", ok, err)
			}
		}
	})
}

// TestResumableUpload: an upload in parts resumes from its offset; a wrong offset, a part
// larger than declared and a wrong SHA-256 are refused, the last rejecting the upload.
func TestResumableUpload(t *testing.T) {
	t.Parallel()
	each(t, func(c *assets.Config) { c.MaxChunk = 100 }, func(t *testing.T, h *harness) {
		a := h.create(market.AssetPackage)
		body := assetstest.CleanPackage()
		u, err := h.Assets.BeginUpload(h.Ctx, h.seller, a.ID, assets.UploadRequest{Label: "1.0", FileName: "acme.zip", Size: int64(len(body)),
			SHA256: assetstest.SHA256(body)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.Assets.WriteChunk(h.Ctx, h.seller, u.ID, 0, bytes.NewReader(body[:101]))
		wantErr(t, err, market.CodeInvalid, "more than 100")
		for off := 0; off < len(body); off += 100 {
			_, err = h.Assets.WriteChunk(h.Ctx, h.seller, u.ID, int64(off)+1, bytes.NewReader(body[off:]))
			wantErr(t, err, market.CodeConflict, "resume from there")
			// a part cut short by a dropped connection is stored as far as it came
			end := min(off+100, len(body))
			got, err := h.Assets.WriteChunk(h.Ctx, h.seller, u.ID, int64(off), bytes.NewReader(body[off:end]))
			if err != nil || got.Received != int64(end) {
				t.Fatalf("part at %d: %+v, %v", off, got, err)
			}
			if _, err := h.Assets.Complete(h.Ctx, h.seller, u.ID); end < len(body) && market.ErrorCode(err) != market.CodeConflict {
				t.Fatalf("complete before the end: %v", err)
			}
		}
		again, err := h.Assets.Complete(h.Ctx, h.seller, u.ID)
		if err != nil || again.N != 1 || again.Size != int64(len(body)) || len(again.Parts) < 2 {
			t.Fatalf("a repeated complete returns the version: %+v, %v", again, err)
		}
		if _, err := h.Assets.Submit(h.Ctx, h.seller, a.ID); err != nil {
			t.Fatal(err)
		}
		h.Settle()
		if got := h.get(a.ID); got.State != market.AssetApproved {
			t.Fatalf("a package uploaded in parts is scanned whole: %+v", got)
		}

		b := h.create(market.AssetPackage)
		u, err = h.Assets.BeginUpload(h.Ctx, h.seller, b.ID, assets.UploadRequest{Label: "1.0", FileName: "acme.zip", Size: 3, SHA256: assetstest.SHA256([]byte("abd"))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Assets.WriteChunk(h.Ctx, h.seller, u.ID, 0, strings.NewReader("abc")); err != nil {
			t.Fatal(err)
		}
		_, err = h.Assets.Complete(h.Ctx, h.seller, u.ID)
		wantErr(t, err, market.CodeInvalid, "SHA-256 mismatch")
		got, err := h.Assets.Upload(h.Ctx, h.seller, u.ID)
		if err != nil || got.State != market.UploadRejected {
			t.Fatalf("rejected upload: %+v, %v", got, err)
		}
		if d := h.detail(b.ID); d.Asset.Version != 0 || len(d.Versions) != 0 {
			t.Fatalf("a rejected upload adds no version: %+v", d)
		}
		_, err = h.Assets.Submit(h.Ctx, h.seller, b.ID)
		wantErr(t, err, market.CodeConflict, "without a version")

		// A label the asset has is refused before a byte is sent.
		_, err = h.Assets.BeginUpload(h.Ctx, h.seller, a.ID, assets.UploadRequest{Label: "1.0", FileName: "acme.zip", Size: 3, SHA256: assetstest.SHA256([]byte("abc"))})
		if d := market.ErrorDetails(err); len(d) != 1 || d[0].Rule != "label-taken" {
			t.Fatalf("a taken label: %v", err)
		}

		// An upload completed while its asset is under review stays open, and completes after.
		c := h.create(market.AssetPackage)
		if _, err := h.upload(c.ID, "1.0", "acme.zip", assetstest.KeyPackage()); err != nil {
			t.Fatal(err)
		}
		next := assetstest.CleanPackage()
		u, err = h.Assets.BeginUpload(h.Ctx, h.seller, c.ID, assets.UploadRequest{Label: "1.1", FileName: "acme.zip", Size: int64(len(next)), SHA256: assetstest.SHA256(next)})
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off < len(next); off += 100 {
			if _, err := h.Assets.WriteChunk(h.Ctx, h.seller, u.ID, int64(off), bytes.NewReader(next[off:min(off+100, len(next))])); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := h.Assets.Submit(h.Ctx, h.seller, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err = h.Assets.Complete(h.Ctx, h.seller, u.ID)
		wantErr(t, err, market.CodeConflict, "SUBMITTED")
		if got, _ := h.Assets.Upload(h.Ctx, h.seller, u.ID); got.State != market.UploadOpen {
			t.Fatalf("the upload stays open: %+v", got)
		}
		h.Settle()
		if ver, err := h.Assets.Complete(h.Ctx, h.seller, u.ID); err != nil || ver.N != 2 || ver.State != market.AssetDraft {
			t.Fatalf("completed after the review: %+v, %v", ver, err)
		}

		// An upload not completed in time is discarded.
		u, err = h.Assets.BeginUpload(h.Ctx, h.seller, b.ID, assets.UploadRequest{Label: "1.0", FileName: "acme.zip", Size: 3, SHA256: assetstest.SHA256([]byte("abc"))})
		if err != nil {
			t.Fatal(err)
		}
		h.Advance(8*24*time.Hour, 24*time.Hour)
		if got, _ := h.Assets.Upload(h.Ctx, h.seller, u.ID); got.State != market.UploadExpired {
			t.Fatalf("expired upload: %+v", got)
		}
	})
}

// TestDelete: a draft is deleted at any time; a reviewed asset only while no product uses it.
func TestDelete(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		inUse := map[string]bool{}
		h.Assets.InUse(func(_ context.Context, _ store.Reader, id string) (bool, error) { return inUse[id], nil })
		d := h.create(market.AssetPackage)
		inUse[d.ID] = true // a draft goes even if something claims it
		if err := h.Assets.Delete(h.Ctx, h.seller, d.ID); err != nil {
			t.Fatal(err)
		}
		_, err := h.Assets.Get(h.Ctx, h.seller, d.ID)
		wantErr(t, err, market.CodeNotFound, "not found")

		a := h.submitted(assetstest.CleanPackage())
		inUse[a.ID] = true
		wantErr(t, h.Assets.Delete(h.Ctx, h.seller, a.ID), market.CodeConflict, "used by a product")
		if got := h.get(a.ID); got.State != market.AssetApproved {
			t.Fatalf("a refused delete changed the asset: %+v", got)
		}
		inUse[a.ID] = false
		if err := h.Assets.Delete(h.Ctx, h.seller, a.ID); err != nil {
			t.Fatal(err)
		}
		_, err = h.Assets.Approved(h.Ctx, h.DB.Reader, a.ID)
		wantErr(t, err, market.CodeNotFound, "not found")
	})
}

// TestOnSubmit: a hook's refusal refuses the submission and changes nothing.
func TestOnSubmit(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, h *harness) {
		h.Assets.OnSubmit(func(_ context.Context, tx *store.Tx, a market.Asset) error {
			if a.Kind == market.AssetPackage {
				return market.Errorf(market.CodeConflict, "an app asset needs at least one template")
			}
			return nil
		})
		a := h.create(market.AssetPackage)
		if _, err := h.upload(a.ID, "1.0", "acme.zip", assetstest.CleanPackage()); err != nil {
			t.Fatal(err)
		}
		_, err := h.Assets.Submit(h.Ctx, h.seller, a.ID)
		wantErr(t, err, market.CodeConflict, "template")
		h.Settle()
		if got := h.get(a.ID); got.State != market.AssetDraft {
			t.Fatalf("state %s", got.State)
		}
	})
}

// TestScannerFailures: a scanner that times out is retried (the asset stays SUBMITTED with the
// error), and a scan that did not run a required check is an error, not an approval.
func TestScannerFailures(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran-once")
	flaky := filepath.Join(dir, "flaky-scan")
	// The first run hangs; later runs are the real scanner.
	script := "#!/bin/sh\nif [ ! -e " + marker + " ]; then touch " + marker + "; exec sleep 60; fi\nexec " + scanner + " \"$@\"\n"
	if err := os.WriteFile(flaky, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		each(t, func(c *assets.Config) { c.Scanner, c.ScanTimeout = flaky, 2*time.Second }, func(t *testing.T, h *harness) {
			if h.DB.Dialect == store.Postgres {
				return // one marker file: the timeout is checked once, on SQLite
			}
			a := h.submitted(assetstest.CleanPackage())
			if a.State != market.AssetSubmitted || a.ScanAttempts != 1 || !strings.Contains(a.ScanError, "ran out") {
				t.Fatalf("after a timeout: %+v", a)
			}
			h.Advance(time.Minute, 5*time.Second)
			if got := h.get(a.ID); got.State != market.AssetApproved || got.ScanError != "" {
				t.Fatalf("after the retry: %+v", got)
			}
		})
	})
	t.Run("required check", func(t *testing.T) {
		t.Parallel()
		each(t, func(c *assets.Config) { c.RequireChecks = []string{"malware", "vulnerability"} }, func(t *testing.T, h *harness) {
			a := h.submitted(assetstest.CleanPackage())
			if a.State != market.AssetSubmitted || !strings.Contains(a.ScanError, "malware check did not run") {
				t.Fatalf("a skipped malware check: %+v", a)
			}
			// The rejection of a failing package does not depend on the missing checks.
			b := h.submitted(assetstest.KeyPackage())
			if b.State != market.AssetRejected {
				t.Fatalf("package with a key: %+v", b)
			}
			_, err := h.Assets.Rescan(h.Ctx, h.seller, a.ID)
			wantErr(t, err, market.CodeForbidden, "operator")
			if _, err := h.Assets.Rescan(h.Ctx, market.AsOperator(), a.ID); err != nil {
				t.Fatal(err)
			}
			h.Settle() // the waiting retry runs at once
			if got := h.get(a.ID); got.ScanAttempts != 2 || got.State != market.AssetSubmitted {
				t.Fatalf("after a rescan: %+v", got)
			}
		})
	})
}

// TestRegisterURL: a version registered by URL is fetched by a job and scanned like an upload;
// a URL that answers 404 records the failure without retrying.
func TestRegisterURL(t *testing.T) {
	t.Parallel()
	body := assetstest.CleanPackage()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/acme-app.zip" {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	each(t, func(c *assets.Config) { c.MaxChunk = 128 }, func(t *testing.T, h *harness) {
		a := h.create(market.AssetPackage)
		_, err := h.Assets.RegisterURL(h.Ctx, h.seller, a.ID, assets.URLRequest{Label: "1.0", URL: "ftp://example.com/a.zip"})
		wantErr(t, err, market.CodeInvalid, "https")
		ver, err := h.Assets.RegisterURL(h.Ctx, h.seller, a.ID, assets.URLRequest{Label: "1.0", URL: srv.URL + "/acme-app.zip", SHA256: assetstest.SHA256(body)})
		if err != nil || ver.FileName != "acme-app.zip" || ver.Ready {
			t.Fatalf("register: %+v, %v", ver, err)
		}
		h.Settle()
		d := h.detail(a.ID)
		if v := d.Versions[0]; !v.Ready || v.Size != int64(len(body)) || v.SHA256 != assetstest.SHA256(body) || len(v.Parts) < 2 {
			t.Fatalf("fetched version: %+v", v)
		}
		if _, err := h.Assets.Submit(h.Ctx, h.seller, a.ID); err != nil {
			t.Fatal(err)
		}
		h.Settle()
		if got := h.get(a.ID); got.State != market.AssetApproved {
			t.Fatalf("%+v", got)
		}

		b := h.create(market.AssetPackage)
		if _, err := h.Assets.RegisterURL(h.Ctx, h.seller, b.ID, assets.URLRequest{Label: "1.0", URL: srv.URL + "/gone.zip"}); err != nil {
			t.Fatal(err)
		}
		h.Settle()
		_, err = h.Assets.Submit(h.Ctx, h.seller, b.ID)
		wantErr(t, err, market.CodeConflict, "404")
	})
}
