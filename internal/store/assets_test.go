package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

// TestAssets: assets and versions round-trip; a transition from a state the asset has left
// changes nothing; a version label is unique per asset; the review queue lists the longest
// waiting first; deleting takes the versions and history along.
func TestAssets(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m, _, _ := fixture(t, db)
		a := &market.Asset{ID: storetest.Name("ast"), MerchantID: m.ID, Kind: market.AssetImage, Name: "Ubuntu LAMP", Arch: market.ArchARM64,
			Regions: []string{"cn-north-4", "cn-south-1"}, State: market.AssetDraft, CreatedBy: "u1", CreatedAt: t0, UpdatedAt: t0}
		b := &market.Asset{ID: storetest.Name("ast"), MerchantID: m.ID, Kind: market.AssetPackage, Name: "pkg", Arch: market.ArchX86,
			State: market.AssetSubmitted, Version: 1, CreatedAt: t0.Add(time.Millisecond), UpdatedAt: t0.Add(-time.Millisecond)}
		v := &market.AssetVersion{AssetID: a.ID, N: 1, Label: "1.0", FileName: "lamp.qcow2", Size: 3, SHA256: "ab",
			Parts: []market.Part{{Key: "k1", Size: 1}, {Key: "k2", Size: 2}}, Ready: true, State: market.AssetDraft, CreatedBy: "u1", CreatedAt: t0}
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.InsertAsset(ctx, a); err != nil {
				return err
			}
			if err := tx.InsertAsset(ctx, b); err != nil {
				return err
			}
			return tx.InsertAssetVersion(ctx, v)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Asset(ctx, a.ID)
		if err != nil || !reflect.DeepEqual(got, a) {
			t.Fatalf("asset:\n%+v\n%+v %v", got, a, err)
		}
		gv, err := db.AssetVersion(ctx, a.ID, 1)
		if err != nil || !reflect.DeepEqual(gv, v) {
			t.Fatalf("version:\n%+v\n%+v %v", gv, v, err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			return tx.InsertAssetVersion(ctx, &market.AssetVersion{AssetID: a.ID, N: 2, Label: "1.0", State: market.AssetDraft, CreatedAt: t0})
		})
		if market.ErrorCode(err) != market.CodeInvalid {
			t.Fatalf("a second label 1.0: %v", err)
		}

		err = db.Write(ctx, func(tx *store.Tx) error {
			next := *a
			next.State, next.Version = market.AssetSubmitted, 1
			if ok, err := tx.UpdateAsset(ctx, &next, market.AssetDraft, 1); err != nil || ok {
				t.Errorf("update from the wrong version: %v %v", ok, err)
			}
			if ok, err := tx.UpdateAsset(ctx, &next, market.AssetDraft, 0); err != nil || !ok {
				t.Errorf("update: %v %v", ok, err)
			}
			return tx.AddAssetEvent(ctx, &market.AssetEvent{AssetID: a.ID, Version: 1, From: market.AssetDraft, To: market.AssetSubmitted, By: "u1", At: t0})
		})
		if err != nil {
			t.Fatal(err)
		}
		queue, _, err := db.Assets(ctx, store.AssetFilter{State: market.AssetSubmitted, Queue: true})
		if err != nil || len(queue) != 2 || queue[0].ID != b.ID {
			t.Fatalf("queue: %v %v", queue, err)
		}
		mine, _, err := db.Assets(ctx, store.AssetFilter{MerchantID: m.ID, Page: store.Page{Limit: 1}})
		if err != nil || len(mine) != 1 || mine[0].ID != b.ID {
			t.Fatalf("newest first: %v %v", mine, err)
		}

		err = db.Write(ctx, func(tx *store.Tx) error {
			if ok, err := tx.DeleteAsset(ctx, a.ID, market.AssetSubmitted, 1); err != nil || !ok {
				t.Errorf("delete: %v %v", ok, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AssetVersion(ctx, a.ID, 1); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("version after delete: %v", err)
		}
		if ev, err := db.AssetEvents(ctx, a.ID); err != nil || len(ev) != 0 {
			t.Fatalf("events after delete: %v %v", ev, err)
		}
	})
}
