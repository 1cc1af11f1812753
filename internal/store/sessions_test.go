package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

// TestSessions: the consoles' session store finds what was committed until it expires,
// replaces on commit, deletes, keeps only a hash of the token, and purges expired rows.
func TestSessions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		s, err := store.NewSessions(db, func() time.Time { return now })
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.FindCtx(ctx, "nope"); ok || err != nil {
			t.Fatalf("unknown token: %v %v", ok, err)
		}
		if err := s.CommitCtx(ctx, "tok-a", []byte{0, 1, 2, 255}, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.CommitCtx(ctx, "tok-a", []byte("second"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		b, ok, err := s.FindCtx(ctx, "tok-a")
		if err != nil || !ok || !bytes.Equal(b, []byte("second")) {
			t.Fatalf("find: %q %v %v", b, ok, err)
		}
		if err := s.CommitCtx(ctx, "tok-b", []byte("b"), now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		now = now.Add(2 * time.Minute)
		if _, ok, _ := s.FindCtx(ctx, "tok-b"); ok {
			t.Error("an expired session is found")
		}
		if err := s.CommitCtx(ctx, "tok-c", []byte("c"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCtx(ctx, "tok-a"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.FindCtx(ctx, "tok-a"); ok {
			t.Error("a deleted session is found")
		}
		// An unchanged session committed again within a minute is not rewritten; later it is.
		if err := s.CommitCtx(ctx, "tok-c", []byte("c"), now.Add(time.Hour+30*time.Second)); err != nil {
			t.Fatal(err)
		}
		if exp, err := store.SessionExpiry(ctx, db, "tok-c"); err != nil || !exp.Equal(now.Add(time.Hour)) {
			t.Errorf("a touch within a minute rewrote the session: %v %v", exp, err)
		}
		if err := s.CommitCtx(ctx, "tok-c", []byte("c"), now.Add(time.Hour+2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if exp, _ := store.SessionExpiry(ctx, db, "tok-c"); !exp.Equal(now.Add(time.Hour + 2*time.Minute)) {
			t.Errorf("a later touch did not move the expiry: %v", exp)
		}
		n, err := store.CountSessions(ctx, db)
		if err != nil || n != 1 {
			t.Errorf("rows: %d %v, want only tok-c (tok-b purged)", n, err)
		}
		if ok, err := store.SessionStoredAs(ctx, db, "tok-c"); err != nil || ok {
			t.Errorf("the token is stored in clear: %v %v", ok, err)
		}
	})
}
