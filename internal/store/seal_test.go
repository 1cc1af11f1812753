package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

// TestSecretsSealedAtRest: merchants' keys, SKs and appInfo are stored sealed (the raw columns
// hold none of them) and read back in clear; a value an older Mercato stored in clear is read as
// it is; after a rotation Rewrap reseals everything with the new key, and the old key can go.
func TestSecretsSealedAtRest(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "db.key")
		keys, err := store.LoadKeyFile(path, true)
		if err != nil {
			t.Fatal(err)
		}
		db.UseKeyring(keys)
		now := time.Now()
		m := &market.Merchant{ID: "m-seal", Name: "m", ProductionURL: "https://m.example/p", Generation: 2,
			AccessKey: "access-key-in-clear-0001", KitKey: "kit-key-in-clear-00002", CreatedAt: now}
		k := &market.APIKey{AK: "AKSEAL0000000001", SK: "secret-sk-in-clear-000000000003", MerchantID: m.ID, CreatedAt: now}
		o := &market.Order{ID: "CSSEAL", BuyerID: "b-seal", MerchantID: m.ID, Type: market.OrderNew, Status: market.OrderCompleted, Currency: "CNY",
			CreatedAt: now, UpdatedAt: now, Lines: []market.OrderLine{{ID: "CSSEAL-000001", OrderID: "CSSEAL", ProductID: "p", SkuCode: "s", Charging: market.ChargingOneTime}}}
		in := &market.Instance{Key: "CSSEAL-000001", ID: "i-seal", OrderID: "CSSEAL", MerchantID: m.ID, BuyerID: "b-seal", ProductID: "p",
			SkuCode: "s", Charging: market.ChargingOneTime, State: market.InstanceActive, AppInfoJSON: []byte(`{"password":"in-clear-pw"}`),
			CreatedAt: now, UpdatedAt: now}
		err = db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.InsertMerchant(ctx, m); err != nil {
				return err
			}
			if err := tx.InsertAPIKey(ctx, k); err != nil {
				return err
			}
			if err := tx.InsertBuyer(ctx, &market.Buyer{CustomerID: "b-seal", Name: "b", CreatedAt: now}, "h"); err != nil {
				return err
			}
			if _, err := tx.InsertOrder(ctx, o, ""); err != nil {
				return err
			}
			return tx.InsertInstance(ctx, in)
		})
		if err != nil {
			t.Fatal(err)
		}
		const everySecret = `SELECT access_key FROM merchants UNION ALL SELECT kit_key FROM merchants UNION ALL SELECT sk FROM api_keys
			UNION ALL SELECT app_info FROM instances`
		raw := rawValues(t, db, everySecret)
		if strings.Contains(raw, "in-clear") || strings.Count(raw, "enc:v1:") != 4 {
			t.Fatalf("stored in clear: %s", raw)
		}
		check := func() {
			t.Helper()
			got, err := db.Merchant(ctx, m.ID)
			if err != nil || got.AccessKey != m.AccessKey || got.KitKey != m.KitKey {
				t.Fatalf("merchant read back %+v, %v", got, err)
			}
			if gi, err := db.Instance(ctx, in.Key); err != nil || string(gi.AppInfoJSON) != string(in.AppInfoJSON) {
				t.Fatalf("appInfo read back %q, %v", gi.AppInfoJSON, err)
			}
		}
		check()
		// A value an older Mercato stored in clear is read as it is.
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.ExecForTest(ctx, `UPDATE api_keys SET sk = 'old-clear-sk-0000000000000004'`)
		}); err != nil {
			t.Fatal(err)
		}
		if k2, err := db.APIKey(ctx, k.AK); err != nil || k2.SK != "old-clear-sk-0000000000000004" {
			t.Fatalf("a clear value read as %+v, %v", k2, err)
		}
		// Rotate, reseal, drop the old key: everything still opens, nothing is in clear.
		old, _ := os.ReadFile(path)
		if err := store.RotateKeyFile(path); err != nil {
			t.Fatal(err)
		}
		if keys, err = store.LoadKeyFile(path, false); err != nil {
			t.Fatal(err)
		}
		db.UseKeyring(keys)
		check()
		if n, err := db.Rewrap(ctx); err != nil || n != 4 {
			t.Fatalf("rewrap resealed %d, %v", n, err)
		}
		oldLine := strings.TrimSpace(string(old)[strings.LastIndex(strings.TrimSpace(string(old)), "\n")+1:])
		rotated, _ := os.ReadFile(path)
		if err := os.WriteFile(path, []byte(strings.Replace(string(rotated), oldLine+"\n", "", 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		if keys, err = store.LoadKeyFile(path, false); err != nil {
			t.Fatal(err)
		}
		db.UseKeyring(keys)
		check()
		if raw := rawValues(t, db, everySecret); strings.Contains(raw, "clear") || strings.Count(raw, "enc:v1:") != 4 {
			t.Fatalf("after rewrap: %s", raw)
		}
		if k2, err := db.APIKey(ctx, k.AK); err != nil || k2.SK != "old-clear-sk-0000000000000004" {
			t.Fatalf("the formerly clear SK reads %+v, %v", k2, err)
		}
	})
}

// TestKeyFile: created 0600 with one key, refused when others may read it, rotated in place.
func TestKeyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "k", "mercato.key")
	if _, err := store.LoadKeyFile(path, false); err == nil {
		t.Fatal("a missing key file was accepted without create")
	}
	if _, err := store.LoadKeyFile(path, true); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", st.Mode().Perm())
	}
	if err := store.RotateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if n := strings.Count(string(data), "\nk"); n != 2 {
		t.Fatalf("%d keys after a rotation:\n%s", n, data)
	}
	os.Chmod(path, 0o644)
	if _, err := store.LoadKeyFile(path, false); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("a world-readable key file: %v", err)
	}
	for _, bad := range []string{"", "k1 notbase64", "k1 c2hvcnQ=", "k:1 " + strings.Repeat("A", 43) + "="} {
		if _, err := store.ParseKeyring([]byte(bad)); err == nil {
			t.Errorf("key file %q accepted", bad)
		}
	}
}

// TestSQLiteFileMode: the database file (which holds secrets) is created readable by its owner only.
func TestSQLiteFileMode(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "mercato.db")
	db, err := store.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("database file mode %v, %v", st.Mode().Perm(), err)
	}
}

func rawValues(t *testing.T, db *store.DB, query string) string {
	t.Helper()
	var out []string
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		return tx.QueryForTest(context.Background(), query, func(rows *sql.Rows) error {
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					return err
				}
				out = append(out, s)
			}
			return rows.Err()
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, "|")
}
