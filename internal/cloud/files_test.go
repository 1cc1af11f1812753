package cloud_test

import (
	"testing"

	"github.com/mercato-oss/mercato/internal/cloud"
	"github.com/mercato-oss/mercato/internal/market"
)

// Check-out, check-in, versions and restore, as two users of one buyer live them.
func TestCheckOutSaveCheckIn(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		f := h.must(h.save(h.alice, cloud.UploadRequest{Path: "/designs/Bracket.prt"}, []byte("v1")))
		if f.Version != 1 || f.CheckedOutBy != "alice" || f.State() != market.CheckedOut || f.CreatedBy != "alice" || f.Size != 2 {
			t.Fatalf("after save-as: %+v (a save-as leaves the new file checked out to its author)", f)
		}
		folder, err := h.Cloud.FileByPath(h.Ctx, h.bob, h.key, "/designs")
		if err != nil || folder.Kind != market.KindFolder {
			t.Fatalf("parent folder: %+v, %v", folder, err)
		}
		f = h.must(h.save(h.alice, cloud.UploadRequest{FileID: f.ID, BaseVersion: 1}, []byte("version two")))
		if f.Version != 2 {
			t.Fatalf("after save: version %d", f.Version)
		}

		_, err = h.Cloud.CheckOut(h.Ctx, h.bob, f.ID)
		wantErr(t, err, market.CodeConflict, "checked out by alice")
		_, err = h.save(h.bob, cloud.UploadRequest{FileID: f.ID}, []byte("bob's"))
		wantErr(t, err, market.CodeConflict, "checked out by alice")
		_, err = h.Cloud.CheckIn(h.Ctx, h.bob, f.ID)
		wantErr(t, err, market.CodeConflict, "only they may check it in")

		f = h.must(h.Cloud.CheckIn(h.Ctx, h.alice, f.ID))
		if f.State() != market.CheckedIn {
			t.Fatalf("after check-in: %+v", f)
		}
		_, err = h.save(h.alice, cloud.UploadRequest{FileID: f.ID}, []byte("no lock"))
		wantErr(t, err, market.CodeConflict, "not checked out")

		h.must(h.Cloud.CheckOut(h.Ctx, h.bob, f.ID))
		_, err = h.save(h.bob, cloud.UploadRequest{FileID: f.ID, BaseVersion: 1}, []byte("stale"))
		wantErr(t, err, market.CodeConflict, "made from version 1")
		f = h.must(h.save(h.bob, cloud.UploadRequest{Path: "/designs/bracket.PRT"}, []byte("bob v3"))) // the same file: paths ignore case
		if f.Version != 3 || f.Path != "/designs/Bracket.prt" {
			t.Fatalf("save by path: %+v", f)
		}

		_, err = h.Cloud.Restore(h.Ctx, h.bob, f.ID, 1)
		wantErr(t, err, market.CodeConflict, "must be checked in before a version is restored")
		h.must(h.Cloud.CheckIn(h.Ctx, h.bob, f.ID))
		f = h.must(h.Cloud.Restore(h.Ctx, h.alice, f.ID, 1))
		if f.Version != 4 || h.content(h.bob, f.ID, 0) != "v1" || h.content(h.bob, f.ID, 2) != "version two" {
			t.Fatalf("after restore: %+v", f)
		}

		vs, err := h.Cloud.Versions(h.Ctx, h.buyer, f.ID, 0)
		if err != nil || len(vs) != 4 {
			t.Fatalf("history: %d versions, %v", len(vs), err)
		}
		for i, want := range []struct {
			author   string
			restored int
			size     int64
		}{{"alice", 1, 2}, {"bob", 0, 6}, {"alice", 0, 11}, {"alice", 0, 2}} {
			v := vs[i]
			if v.Version != 4-i || v.Author != want.author || v.RestoredFrom != want.restored || v.Size != want.size || !v.CreatedAt.Equal(h.Clock.Now()) {
				t.Errorf("version %d: %+v, want %+v", 4-i, v, want)
			}
		}
		// A restore shares its version's stored content: the drive counts it once.
		if used, reserved := h.used(); used != 2+11+6 || reserved != 0 {
			t.Errorf("drive uses %d, reserves %d", used, reserved)
		}
	})
}

// A file opened OpenOnly while checked in is read without a check-out, so it cannot be saved
// back: the save is refused and nothing is stored.
func TestOpenOnlyCannotSave(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		f := h.must(h.save(h.alice, cloud.UploadRequest{Path: "/Shaft.prt"}, []byte("shaft")))
		h.must(h.Cloud.CheckIn(h.Ctx, h.alice, f.ID))
		if got := h.content(h.bob, f.ID, 0); got != "shaft" { // bob opens it OpenOnly
			t.Fatalf("content %q", got)
		}
		_, err := h.save(h.bob, cloud.UploadRequest{FileID: f.ID, BaseVersion: 1}, []byte("edited"))
		wantErr(t, err, market.CodeConflict, "not checked out")
		_, err = h.save(h.bob, cloud.UploadRequest{Path: "/Shaft.prt"}, []byte("edited"))
		wantErr(t, err, market.CodeConflict, "not checked out")
		if f, _ = h.Cloud.File(h.Ctx, h.bob, f.ID); f.Version != 1 || f.State() != market.CheckedIn {
			t.Fatalf("after refused saves: %+v", f)
		}
		if used, reserved := h.used(); used != 5 || reserved != 0 {
			t.Errorf("drive uses %d, reserves %d", used, reserved)
		}
	})
}

// An administrator (the buyer account, the operator) may release another user's check-out; a
// user may not. The holder's upload in flight then fails at completion, and its parts go.
func TestForceRelease(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		f := h.must(h.save(h.alice, cloud.UploadRequest{Path: "/Gear.prt"}, []byte("gear")))
		u, err := h.Cloud.BeginUpload(h.Ctx, h.alice, h.key, cloud.UploadRequest{FileID: f.ID, Kind: market.KindFile, Size: 3, SHA256: sum([]byte("new"))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Cloud.WriteChunk(h.Ctx, h.alice, u.ID, 0, stringReader("new")); err != nil {
			t.Fatal(err)
		}
		_, err = h.Cloud.Release(h.Ctx, h.bob, f.ID)
		wantErr(t, err, market.CodeForbidden, "administrator")
		if f = h.must(h.Cloud.Release(h.Ctx, h.buyer, f.ID)); f.State() != market.CheckedIn {
			t.Fatalf("after release: %+v", f)
		}
		_, err = h.Cloud.Complete(h.Ctx, h.alice, u.ID)
		wantErr(t, err, market.CodeConflict, "not checked out")
		if u, _ = h.Cloud.Upload(h.Ctx, h.alice, u.ID); u.State != market.UploadRejected || cloud.StoredParts(h.Ctx, h.Cloud, u) != 0 {
			t.Fatalf("upload after a lost check-out: %+v, %d parts stored", u, cloud.StoredParts(h.Ctx, h.Cloud, u))
		}
		h.must(h.Cloud.CheckOut(h.Ctx, h.bob, f.ID))
		if f = h.must(h.Cloud.Release(h.Ctx, market.AsOperator(), f.ID)); f.State() != market.CheckedIn {
			t.Fatalf("after the operator's release: %+v", f)
		}
		if used, reserved := h.used(); used != 4 || reserved != 0 {
			t.Errorf("drive uses %d, reserves %d", used, reserved)
		}
	})
}

func TestFoldersAndListing(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		h.must(h.Cloud.CreateFolder(h.Ctx, h.alice, h.key, "/projects/pump"))
		h.must(h.save(h.alice, cloud.UploadRequest{Path: "/projects/pump/Impeller.prt"}, []byte("i")))
		h.must(h.save(h.alice, cloud.UploadRequest{Path: "/projects/Casing.prt"}, []byte("c")))
		list, err := h.Cloud.List(h.Ctx, h.bob, h.key, "/projects", "", 0)
		if err != nil || len(list) != 2 || list[0].Path != "/projects/Casing.prt" || list[1].Kind != market.KindFolder {
			t.Fatalf("listing: %v, %v", list, err)
		}
		_, err = h.Cloud.CreateFolder(h.Ctx, h.alice, h.key, "/projects/Casing.prt/sub")
		wantErr(t, err, market.CodeConflict, "not a folder")
		_, err = h.save(h.alice, cloud.UploadRequest{Path: "/projects/pump"}, []byte("x"))
		wantErr(t, err, market.CodeConflict, "is a folder")
		_, err = h.Cloud.CheckOut(h.Ctx, h.alice, list[1].ID)
		wantErr(t, err, market.CodeInvalid, "is a folder")
	})
}
