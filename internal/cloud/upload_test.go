package cloud_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/cloud"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
)

func stringReader(s string) io.Reader { return strings.NewReader(s) }

// failingReader gives n bytes of r, then fails: a connection cut mid-request.
type failingReader struct {
	r io.Reader
	n int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset")
	}
	p = p[:min(len(p), f.n)]
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

// An upload resumes where its last stored part ended; a part cut off mid-request is not stored.
func TestResumableUpload(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		body := strings.Repeat("0123456789", 1000)
		u, err := h.Cloud.BeginUpload(h.Ctx, h.alice, h.key, cloud.UploadRequest{Path: "/Big.prt", Kind: market.KindFile, Size: int64(len(body)), SHA256: sum([]byte(body))})
		if err != nil {
			t.Fatal(err)
		}
		if u, err = h.Cloud.WriteChunk(h.Ctx, h.alice, u.ID, 0, stringReader(body[:4000])); err != nil || u.Received != 4000 {
			t.Fatalf("first part: %+v, %v", u, err)
		}
		if _, err = h.Cloud.WriteChunk(h.Ctx, h.alice, u.ID, 4000, &failingReader{stringReader(body[4000:]), 3000}); err == nil {
			t.Fatal("a cut request was accepted")
		}
		_, err = h.Cloud.WriteChunk(h.Ctx, h.alice, u.ID, 7000, stringReader(body[7000:]))
		wantErr(t, err, market.CodeConflict, "stands at offset 4000")
		if u, _ = h.Cloud.Upload(h.Ctx, h.alice, u.ID); u.Received != 4000 || cloud.StoredParts(h.Ctx, h.Cloud, u) != 1 {
			t.Fatalf("after the cut: %+v", u)
		}
		_, err = h.Cloud.Complete(h.Ctx, h.alice, u.ID)
		wantErr(t, err, market.CodeConflict, "has 4000 of its 10000 bytes")
		_, err = h.Cloud.Upload(h.Ctx, h.bob, u.ID)
		wantErr(t, err, market.CodeNotFound, "not found") // another user's upload
		if _, err = h.Cloud.WriteChunk(h.Ctx, h.alice, u.ID, 4000, stringReader(body[4000:])); err != nil {
			t.Fatal(err)
		}
		f := h.must(h.Cloud.Complete(h.Ctx, h.alice, u.ID))
		if again := h.must(h.Cloud.Complete(h.Ctx, h.alice, u.ID)); again.Version != 1 || h.content(h.alice, f.ID, 0) != body {
			t.Fatalf("completed file: %+v", again)
		}
		// Ranges read across the parts.
		_, _, r, err := h.Cloud.Content(h.Ctx, h.alice, f.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		buf := make([]byte, 10)
		if n, err := r.(io.ReaderAt).ReadAt(buf, 3995); err != nil || string(buf[:n]) != body[3995:4005] {
			t.Fatalf("ReadAt across parts: %q, %v", buf[:n], err)
		}
	})
}

// Bad input gets a clear error and stores nothing.
func TestUploadRefusals(t *testing.T) {
	t.Parallel()
	eachWith(t, marketplacetest.Options{Config: smallAssemblies}, func(t *testing.T, h *harness) {
		for _, p := range []string{"/../etc/passwd", "designs/a.prt", "/a/../../b.prt", `/a\b.prt`, "/CON.prt", "/"} {
			_, err := h.save(h.alice, cloud.UploadRequest{Path: p}, []byte("x"))
			wantErr(t, err, market.CodeInvalid, "")
		}
		_, err := h.save(h.alice, cloud.UploadRequest{Path: "/Gearbox.asm", Kind: market.KindAssembly}, []byte("x"))
		wantErr(t, err, market.CodeInvalid, "<name>.zip")

		// A SHA-256 mismatch: the upload is rejected and its parts deleted.
		u, err := h.Cloud.BeginUpload(h.Ctx, h.alice, h.key, cloud.UploadRequest{Path: "/Liar.prt", Kind: market.KindFile, Size: 5, SHA256: sum([]byte("other"))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Cloud.WriteChunk(h.Ctx, h.alice, u.ID, 0, stringReader("hello")); err != nil {
			t.Fatal(err)
		}
		_, err = h.Cloud.Complete(h.Ctx, h.alice, u.ID)
		wantErr(t, err, market.CodeInvalid, "SHA-256 mismatch")
		if u, _ = h.Cloud.Upload(h.Ctx, h.alice, u.ID); u.State != market.UploadRejected || cloud.StoredParts(h.Ctx, h.Cloud, u) != 0 {
			t.Fatalf("rejected upload: %+v", u)
		}
		_, err = h.Cloud.WriteChunk(h.Ctx, h.alice, u.ID, 0, stringReader("hello"))
		wantErr(t, err, market.CodeConflict, "REJECTED: SHA-256 mismatch")

		// More bytes than declared.
		u, _ = h.Cloud.BeginUpload(h.Ctx, h.alice, h.key, cloud.UploadRequest{Path: "/Short.prt", Kind: market.KindFile, Size: 2, SHA256: sum([]byte("ab"))})
		_, err = h.Cloud.WriteChunk(h.Ctx, h.alice, u.ID, 0, stringReader("abc"))
		wantErr(t, err, market.CodeInvalid, "more bytes than declared")
		h.Cloud.Abort(h.Ctx, h.alice, u.ID)

		for _, c := range []struct {
			zip   []byte
			wants string
		}{
			{zipOf(t, [2]string{"Gearbox/Gearbox.asm", "a"}, [2]string{"Gearbox/../evil.prt", "x"}), `name ".." is not allowed`},
			{zipOf(t, [2]string{"Gearbox/Gearbox.asm", "a"}, [2]string{"Gearbox/zeros.prt", strings.Repeat("0", 2<<20)}), "unpacks to more than"},
			{zipOf(t, [2]string{"Gearbox/Gearbox.asm", "a"}, [2]string{"Other/x.prt", "x"}), "lies outside the folder"},
			{zipOf(t, [2]string{"Gearbox/shaft.prt", "a"}), "exactly one assembly file"},
			{[]byte("not a zip at all"), "not a readable zip"},
		} {
			_, err := h.save(h.alice, cloud.UploadRequest{Path: "/Gearbox.zip", Kind: market.KindAssembly}, c.zip)
			wantErr(t, err, market.CodeInvalid, c.wants)
		}
		if _, err := h.Cloud.FileByPath(h.Ctx, h.alice, h.key, "/Gearbox.zip"); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("a refused assembly was stored: %v", err)
		}
		good := h.must(h.save(h.alice, cloud.UploadRequest{Path: "/Gearbox.zip", Kind: market.KindAssembly},
			zipOf(t, [2]string{"Gearbox/Gearbox.asm", "part shaft.prt"}, [2]string{"Gearbox/shaft.prt", "s"})))
		if good.Kind != market.KindAssembly {
			t.Fatalf("assembly: %+v", good)
		}
		_, err = h.save(h.alice, cloud.UploadRequest{FileID: good.ID}, []byte("plain"))
		wantErr(t, err, market.CodeConflict, "is a assembly, not a file")
		if used, reserved := h.used(); used != good.Size || reserved != 0 {
			t.Errorf("drive uses %d, reserves %d; want only the good assembly's %d", used, reserved, good.Size)
		}
	})
}

func zipOf(t *testing.T, entries ...[2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		w, err := zw.Create(e[0])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e[1]))
	}
	zw.Close()
	return b.Bytes()
}

// Quotas count stored versions and open uploads; an expired upload gives its room back.
func TestQuotaAndExpiry(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		h.pkg(cloud.PackageRequest{SkuCode: "cad", DataInCloud: true, Version: "2.0", QuotaBytes: 100})
		h.must(h.save(h.alice, cloud.UploadRequest{Path: "/a.prt"}, bytes.Repeat([]byte("a"), 60)))
		u, err := h.Cloud.BeginUpload(h.Ctx, h.alice, h.key, cloud.UploadRequest{Path: "/b.prt", Kind: market.KindFile, Size: 30, SHA256: sum(bytes.Repeat([]byte("b"), 30))})
		if err != nil {
			t.Fatal(err)
		}
		h.Cloud.WriteChunk(h.Ctx, h.alice, u.ID, 0, bytes.NewReader(bytes.Repeat([]byte("b"), 10)))
		_, err = h.save(h.bob, cloud.UploadRequest{Path: "/c.prt"}, bytes.Repeat([]byte("c"), 11))
		wantErr(t, err, market.CodeConflict, "quota of 100 bytes")
		if used, reserved := h.used(); used != 60 || reserved != 30 {
			t.Fatalf("drive uses %d, reserves %d", used, reserved)
		}
		h.Clock.Advance(25 * time.Hour)
		_, err = h.Cloud.WriteChunk(h.Ctx, h.alice, u.ID, 10, bytes.NewReader(bytes.Repeat([]byte("b"), 20)))
		wantErr(t, err, market.CodeConflict, "expired")
		h.Settle()
		if u, _ = h.Cloud.Upload(h.Ctx, h.alice, u.ID); u.State != market.UploadExpired || cloud.StoredParts(h.Ctx, h.Cloud, u) != 0 {
			t.Fatalf("after expiry: %+v", u)
		}
		if used, reserved := h.used(); used != 60 || reserved != 0 {
			t.Fatalf("after expiry the drive uses %d, reserves %d", used, reserved)
		}
		h.must(h.save(h.bob, cloud.UploadRequest{Path: "/c.prt"}, bytes.Repeat([]byte("c"), 40)))
	})
}

// Two users save one file at once: one wins, the other gets the check-out error. Two users save
// as one new path at once: one creates it, the other is refused and its parts deleted.
func TestConcurrentSaves(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		f := h.must(h.save(h.alice, cloud.UploadRequest{Path: "/Shared.prt"}, []byte("v1")))
		h.must(h.Cloud.CheckIn(h.Ctx, h.alice, f.ID))
		users := []market.Viewer{h.alice, h.bob}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, v := range users {
			wg.Go(func() {
				if _, errs[i] = h.Cloud.CheckOut(h.Ctx, v, f.ID); errs[i] == nil {
					_, errs[i] = h.save(v, cloud.UploadRequest{FileID: f.ID, BaseVersion: 1}, []byte(v.UserID+"'s edit"))
				}
			})
		}
		wg.Wait()
		winner, loser := 0, 1
		if errs[0] != nil {
			winner, loser = 1, 0
		}
		if errs[winner] != nil {
			t.Fatalf("neither save won: %v", errs)
		}
		wantErr(t, errs[loser], market.CodeConflict, "checked out by "+users[winner].UserID)
		if got := h.content(h.alice, f.ID, 0); got != users[winner].UserID+"'s edit" {
			t.Fatalf("content %q", got)
		}

		uploads := make([]*market.Upload, 2)
		body := []byte("new design")
		for i, v := range users {
			var err error
			uploads[i], err = h.Cloud.BeginUpload(h.Ctx, v, h.key, cloud.UploadRequest{Path: "/New.prt", Kind: market.KindFile, Size: int64(len(body)), SHA256: sum(body)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := h.Cloud.WriteChunk(h.Ctx, v, uploads[i].ID, 0, bytes.NewReader(body)); err != nil {
				t.Fatal(err)
			}
		}
		files := make([]*market.CloudFile, 2)
		for i, v := range users {
			wg.Go(func() { files[i], errs[i] = h.Cloud.Complete(h.Ctx, v, uploads[i].ID) })
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("save-as race: %v", errs)
		}
		loser = 0
		if errs[1] != nil {
			loser = 1
		}
		wantErr(t, errs[loser], market.CodeConflict, "")
		u, _ := h.Cloud.Upload(h.Ctx, users[loser], uploads[loser].ID)
		if u.State != market.UploadRejected || cloud.StoredParts(h.Ctx, h.Cloud, u) != 0 {
			t.Fatalf("losing upload: %+v", u)
		}
		if nf := files[1-loser]; nf.Version != 1 || nf.CheckedOutBy != users[1-loser].UserID {
			t.Fatalf("winning file: %+v", nf)
		}
	})
}

// A whole save (one request) checks what an upload checks, and stores nothing when refused.
func TestSaveWhole(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		whole := func(v market.Viewer, r cloud.UploadRequest, body []byte, declared string) (*market.CloudFile, error) {
			r.Kind, r.Size, r.SHA256 = market.KindFile, int64(len(body)), declared
			return h.Cloud.SaveWhole(h.Ctx, v, h.key, r, bytes.NewReader(body))
		}
		f, err := whole(h.alice, cloud.UploadRequest{Path: "/w/Whole.prt"}, []byte("whole"), sum([]byte("whole")))
		if err != nil || f.Version != 1 || f.CheckedOutBy != "alice" || h.content(h.alice, f.ID, 0) != "whole" {
			t.Fatalf("whole save: %+v, %v", f, err)
		}
		f, err = whole(h.alice, cloud.UploadRequest{FileID: f.ID, BaseVersion: 1}, []byte("again"), sum([]byte("again")))
		if err != nil || f.Version != 2 {
			t.Fatalf("second whole save: %+v, %v", f, err)
		}
		_, err = whole(h.bob, cloud.UploadRequest{FileID: f.ID}, []byte("bob"), sum([]byte("bob")))
		wantErr(t, err, market.CodeConflict, "checked out by alice")
		_, err = whole(h.alice, cloud.UploadRequest{Path: "/w/Bad.prt"}, []byte("bytes"), sum([]byte("other")))
		wantErr(t, err, market.CodeInvalid, "SHA-256 mismatch")
		_, err = whole(h.alice, cloud.UploadRequest{Path: "/../Bad.prt"}, []byte("bytes"), sum([]byte("bytes")))
		wantErr(t, err, market.CodeInvalid, "not allowed")
		r := cloud.UploadRequest{Path: "/w/Short.prt", Kind: market.KindFile, Size: 10, SHA256: sum([]byte("short"))}
		_, err = h.Cloud.SaveWhole(h.Ctx, h.alice, h.key, r, bytes.NewReader([]byte("short")))
		wantErr(t, err, market.CodeInvalid, "carried 5 bytes, not the declared 10")
		for _, p := range []string{"/w/Bad.prt", "/w/Short.prt"} {
			if _, err := h.Cloud.FileByPath(h.Ctx, h.alice, h.key, p); market.ErrorCode(err) != market.CodeNotFound {
				t.Errorf("%s was stored: %v", p, err)
			}
		}
		if used, reserved := h.used(); used != 10 || reserved != 0 {
			t.Errorf("drive uses %d, reserves %d", used, reserved)
		}
		if n := cloud.StoredBlobs(h.Ctx, h.Cloud); n != 2 {
			t.Errorf("%d blobs stored, want the 2 versions' parts only", n)
		}
	})
}
