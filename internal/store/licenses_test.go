package store_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

// licensed stores an order with an active instance and its license code.
func licensed(t *testing.T, db *store.DB) *market.License {
	t.Helper()
	ctx := context.Background()
	m, pl, b := fixture(t, db)
	o := order(m, pl, b)
	in := &market.Instance{Key: o.Lines[0].ID, ID: market.NewUUID(), OrderID: o.ID, MerchantID: m.ID, BuyerID: b.CustomerID, ProductID: pl.ProductID,
		SkuCode: pl.SkuCode, Charging: market.ChargingPeriod, Period: pl.Period, State: market.InstanceActive, Delivery: market.DeliveryLicense,
		ExpireAt: o.Lines[0].ExpireAt, CreatedAt: t0, UpdatedAt: t0}
	l := &market.License{Code: "PL" + market.NewSecret(26), InstanceKey: in.Key, MerchantID: m.ID, BuyerID: b.CustomerID, OrderID: o.ID, CreatedAt: t0}
	err := db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.InsertOrder(ctx, o, ""); err != nil {
			return err
		}
		if err := tx.InsertInstance(ctx, in); err != nil {
			return err
		}
		return tx.InsertLicense(ctx, l)
	})
	if err != nil {
		t.Fatal(err)
	}
	l.State, l.ExpireAt, l.ProductID = in.State, in.ExpireAt, in.ProductID
	return l
}

func TestLicenseRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := licensed(t, db)
		got, err := db.License(ctx, l.Code)
		if err != nil || *got != *l {
			t.Fatalf("license:\n got %+v, %v\nwant %+v", got, err, l)
		}
		if _, err := db.License(ctx, "PLNOPE"); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("unknown code: %v", err)
		}
		// One code per instance: the key is a constraint.
		dup := *l
		dup.Code = "PL-other"
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.InsertLicense(ctx, &dup) }); err == nil {
			t.Fatal("a second code for one instance was accepted")
		}
		at := t0.Add(time.Hour)
		var n1, n2 int64
		var a1, a2 bool
		err = db.Write(ctx, func(tx *store.Tx) (err error) {
			if n1, err = tx.ReceiveLicenses(ctx, l.InstanceKey, at.UnixMilli()); err != nil {
				return err
			}
			if n2, err = tx.ReceiveLicenses(ctx, l.InstanceKey, at.Add(time.Hour).UnixMilli()); err != nil {
				return err
			}
			if a1, err = tx.ActivateLicense(ctx, l.Code, at.UnixMilli()); err != nil {
				return err
			}
			a2, err = tx.ActivateLicense(ctx, l.Code, at.Add(time.Hour).UnixMilli())
			return err
		})
		if err != nil || n1 != 1 || n2 != 0 || !a1 || a2 {
			t.Fatalf("receive %d then %d, activate %v then %v: %v", n1, n2, a1, a2, err)
		}
		list, err := db.LicensesOf(ctx, l.InstanceKey)
		if err != nil || len(list) != 1 || !list[0].ReceivedAt.Equal(at) || !list[0].ActivatedAt.Equal(at) {
			t.Fatalf("licenses of the instance: %+v, %v", list, err)
		}
	})
}

func TestHeartbeatsBatchAndList(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := licensed(t, db)
		// More than one INSERT's worth, from concurrent batches.
		const batches, per = 4, 260
		var wg sync.WaitGroup
		errs := make(chan error, batches)
		for b := range batches {
			wg.Go(func() {
				hbs := make([]market.Heartbeat, per)
				for i := range hbs {
					hbs[i] = market.Heartbeat{LicenseCode: l.Code, At: t0.Add(time.Duration(b*per+i) * time.Second), Kind: market.HeartbeatHeartbeat,
						ThirdPartyAccount: "user", IP: "10.0.0.1"}
				}
				errs <- db.Write(ctx, func(tx *store.Tx) error { return tx.InsertHeartbeats(ctx, hbs) })
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n, err := db.CountHeartbeats(ctx, l.Code); err != nil || n != batches*per {
			t.Fatalf("count %d, %v", n, err)
		}
		if n, err := db.CountHeartbeats(ctx, ""); err != nil || n != batches*per {
			t.Fatalf("count all %d, %v", n, err)
		}
		got, err := db.Heartbeats(ctx, l.Code, 3)
		newest := t0.Add((batches*per - 1) * time.Second)
		if err != nil || len(got) != 3 || !got[0].At.Equal(newest) || !got[1].At.Before(got[0].At) || got[0].ThirdPartyAccount != "user" ||
			got[0].Kind != market.HeartbeatHeartbeat {
			t.Fatalf("newest heartbeats: %+v, %v", got, err)
		}
		// A heartbeat of a code that does not exist breaks the foreign key, and its batch with it.
		bad := []market.Heartbeat{{LicenseCode: l.Code, At: t0, Kind: market.HeartbeatHeartbeat}, {LicenseCode: "PLNOPE", At: t0, Kind: market.HeartbeatHeartbeat}}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.InsertHeartbeats(ctx, bad) }); err == nil {
			t.Fatal("heartbeat of an unknown code stored")
		}
		if n, _ := db.CountHeartbeats(ctx, ""); n != batches*per {
			t.Fatalf("a failed batch left %d rows", n-batches*per)
		}
	})
}

func TestLicensesByCode(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := licensed(t, db), licensed(t, db)
		// Duplicates, unknown codes, and more codes than one IN list takes.
		codes := []string{a.Code, "PLUNKNOWN", b.Code, a.Code}
		for i := range 450 {
			codes = append(codes, "PLFILL"+strconv.Itoa(i))
		}
		codes = append(codes, b.Code)
		got, err := db.LicensesByCode(ctx, codes)
		if err != nil || len(got) != 2 || *got[a.Code] != *a || *got[b.Code] != *b {
			t.Fatalf("%d licenses, %v", len(got), err)
		}
		if got, err := db.LicensesByCode(ctx, nil); err != nil || len(got) != 0 {
			t.Fatalf("no codes: %v, %v", got, err)
		}
	})
}

// TestRequestClaims: a signature is claimed once, also twice in one batch; purged claims can be
// claimed again.
func TestRequestClaims(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		claim := func(at time.Time, sigs ...string) (fresh map[string]bool) {
			t.Helper()
			if err := db.Write(ctx, func(tx *store.Tx) (err error) {
				fresh, err = tx.ClaimRequests(ctx, sigs, at)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return fresh
		}
		if got := claim(t0, "a", "b", "a"); len(got) != 2 || !got["a"] || !got["b"] {
			t.Fatalf("first claims %v", got)
		}
		if got := claim(t0.Add(time.Minute), "a", "c"); len(got) != 1 || !got["c"] {
			t.Fatalf("replayed claims %v", got)
		}
		var purged int64
		if err := db.Write(ctx, func(tx *store.Tx) (err error) {
			purged, err = tx.PurgeRequestClaims(ctx, t0.Add(30*time.Second))
			return err
		}); err != nil || purged != 2 {
			t.Fatalf("purged %d, %v", purged, err)
		}
		if got := claim(t0.Add(2*time.Minute), "a", "c"); len(got) != 1 || !got["a"] {
			t.Fatalf("after the purge %v", got)
		}
	})
}
