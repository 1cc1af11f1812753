package store_test

import (
	"cmp"
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

// fixture stores a merchant, a product with one monthly plan, and a buyer.
func fixture(t *testing.T, db *store.DB) (*market.Merchant, *market.Plan, *market.Buyer) {
	t.Helper()
	ctx := context.Background()
	m := &market.Merchant{ID: storetest.Name("m"), Name: "Acme", ProductionURL: "https://acme.example/produce", Generation: 2, AccessKey: "k", CreatedAt: t0}
	p := &market.Product{ID: storetest.Name("p"), MerchantID: m.ID, Name: "Acme CRM", CreatedAt: t0}
	s := &market.Spec{SkuCode: storetest.Name("sku"), ProductID: p.ID, Name: "Standard", Charging: market.ChargingPeriod, TrialDays: 7}
	pl := &market.Plan{ProductID: storetest.Name("OFFI"), SkuCode: s.SkuCode, Period: market.PeriodMonth, Price: 99_500, Currency: "CNY"}
	b := &market.Buyer{CustomerID: market.NewHexID(), Name: "buyer", CreatedAt: t0}
	err := db.Write(ctx, func(tx *store.Tx) error {
		return errors.Join(tx.InsertMerchant(ctx, m), tx.InsertProduct(ctx, p), tx.InsertSpec(ctx, s), tx.InsertPlan(ctx, pl), tx.InsertBuyer(ctx, b, storetest.Name("hash")))
	})
	if err != nil {
		t.Fatal(err)
	}
	return m, pl, b
}

// withPlanDefaults is a plan as stored: fixed pricing, hourly collection unless set.
func withPlanDefaults(p market.Plan) *market.Plan {
	p.Pricing, p.Cycle = cmp.Or(p.Pricing, market.PricingFixed), cmp.Or(p.Cycle, market.CycleHourly)
	return &p
}

func order(m *market.Merchant, pl *market.Plan, b *market.Buyer) *market.Order {
	id := market.NewOrderID(t0)
	return &market.Order{ID: id, BuyerID: b.CustomerID, MerchantID: m.ID, Type: market.OrderNew, Status: market.OrderProcessing,
		Amount: pl.Price, Currency: pl.Currency, CreatedAt: t0, UpdatedAt: t0,
		Lines: []market.OrderLine{{ID: market.LineID(id, 1), OrderID: id, ProductID: pl.ProductID, SkuCode: pl.SkuCode,
			Charging: market.ChargingPeriod, Period: pl.Period, PeriodNumber: 1, Amount: pl.Price, ExpireAt: t0.AddDate(0, 1, 0)}}}
}

func TestCatalogRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m, pl, b := fixture(t, db)
		got, err := db.Merchant(ctx, m.ID)
		if err != nil || *got != *m {
			t.Fatalf("merchant: %+v, %v", got, err)
		}
		e, err := db.CatalogEntry(ctx, pl.ProductID)
		if err != nil || !reflect.DeepEqual(e.Plan, *withPlanDefaults(*pl)) || e.Product.MerchantID != m.ID || e.Spec.TrialDays != 7 {
			t.Fatalf("catalog entry: %+v, %v", e, err)
		}
		if gb, err := db.Buyer(ctx, b.CustomerID); err != nil || *gb != *b {
			t.Fatalf("buyer: %+v, %v", gb, err)
		}
		if _, err := db.Plan(ctx, "nope"); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("missing plan: %v", err)
		}
	})
}

func TestOrderIdempotencyKey(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m, pl, b := fixture(t, db)
		var wg sync.WaitGroup
		var mu sync.Mutex
		created := 0
		for range 20 {
			wg.Go(func() {
				o := order(m, pl, b)
				err := db.Write(ctx, func(tx *store.Tx) error {
					ok, err := tx.InsertOrder(ctx, o, "key-1")
					if ok {
						mu.Lock()
						created++
						mu.Unlock()
					}
					return err
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if created != 1 {
			t.Fatalf("%d orders created for one idempotency key", created)
		}
		o, err := db.OrderByIdempotencyKey(ctx, b.CustomerID, "key-1")
		if err != nil || len(o.Lines) != 1 || !o.Lines[0].ExpireAt.Equal(t0.AddDate(0, 1, 0)) {
			t.Fatalf("order: %+v, %v", o, err)
		}
		// Without a key every order is new.
		for range 2 {
			if err := db.Write(ctx, func(tx *store.Tx) error {
				ok, err := tx.InsertOrder(ctx, order(m, pl, b), "")
				if !ok && err == nil {
					t.Error("order without a key not created")
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		list, _, err := db.Orders(ctx, store.OrderFilter{BuyerID: b.CustomerID})
		if err != nil || len(list) != 3 {
			t.Fatalf("orders: %d, %v", len(list), err)
		}
	})
}

func TestInstanceTransitions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m, pl, b := fixture(t, db)
		o := order(m, pl, b)
		in := &market.Instance{Key: o.Lines[0].ID, OrderID: o.ID, MerchantID: m.ID, BuyerID: b.CustomerID, ProductID: pl.ProductID,
			SkuCode: pl.SkuCode, Charging: market.ChargingPeriod, Period: pl.Period, State: market.InstancePending,
			ExpireAt: o.Lines[0].ExpireAt, CreatedAt: t0, UpdatedAt: t0}
		err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.InsertOrder(ctx, o, ""); err != nil {
				return err
			}
			return tx.InsertInstance(ctx, in)
		})
		if err != nil {
			t.Fatal(err)
		}
		// A second instance for the same line is refused by the key.
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.InsertInstance(ctx, in) }); err == nil {
			t.Fatal("second instance for one order line accepted")
		}
		in.ID, in.State, in.AppInfoJSON, in.EncryptType = "inst-1", market.InstanceActive, []byte(`{"frontEndUrl":"https://x"}`), "1"
		var ok1, ok2 bool
		db.Write(ctx, func(tx *store.Tx) (err error) { ok1, err = tx.UpdateInstance(ctx, in, market.InstancePending); return })
		db.Write(ctx, func(tx *store.Tx) (err error) { ok2, err = tx.UpdateInstance(ctx, in, market.InstancePending); return })
		if !ok1 || ok2 {
			t.Fatalf("conditional update: first %v, second %v", ok1, ok2)
		}
		got, err := db.InstanceByID(ctx, "inst-1")
		if err != nil || got.State != market.InstanceActive || string(got.AppInfoJSON) != `{"frontEndUrl":"https://x"}` || !got.ExpireAt.Equal(in.ExpireAt) {
			t.Fatalf("instance: %+v, %v", got, err)
		}
		list, _, err := db.Instances(ctx, store.InstanceFilter{BuyerID: b.CustomerID, State: market.InstanceActive})
		if err != nil || len(list) != 1 {
			t.Fatalf("instances: %d, %v", len(list), err)
		}
	})
}

func TestCallsAndAttempts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m, _, _ := fixture(t, db)
		c := &market.Call{ID: market.NewUUID(), MerchantID: m.ID, Activity: "newInstance", Request: []byte(`{"orderId":"o"}`),
			State: market.CallPending, Deadline: t0.Add(3 * time.Hour), CreatedAt: t0, UpdatedAt: t0}
		a := &market.Attempt{CallID: c.ID, N: 1, At: t0, Method: "POST", URL: "https://x", Request: []byte("{}"), Status: 200,
			Response: []byte(`{"resultCode":"000000"}`), ResultCode: "000000", Latency: 42 * time.Millisecond}
		err := db.Write(ctx, func(tx *store.Tx) error {
			return errors.Join(tx.InsertCall(ctx, c), tx.InsertAttempt(ctx, a), tx.InsertAttempt(ctx, &market.Attempt{CallID: c.ID, N: 1, Error: "dup"}))
		})
		if err != nil {
			t.Fatal(err)
		}
		c.State, c.Attempts, c.ResultCode = market.CallSucceeded, 1, "000000"
		var ok bool
		db.Write(ctx, func(tx *store.Tx) (err error) { ok, err = tx.UpdateCall(ctx, c, market.CallPending); return })
		if !ok {
			t.Fatal("call not updated")
		}
		got, err := db.Call(ctx, c.ID)
		if err != nil || got.State != market.CallSucceeded || string(got.Request) != `{"orderId":"o"}` {
			t.Fatalf("call: %+v, %v", got, err)
		}
		atts, err := db.Attempts(ctx, c.ID)
		if err != nil || len(atts) != 1 || atts[0].Error != "" || atts[0].Latency != 42*time.Millisecond {
			t.Fatalf("attempts: %+v, %v", atts, err)
		}
		calls, _, err := db.Calls(ctx, store.CallFilter{MerchantID: m.ID})
		if err != nil || len(calls) != 1 {
			t.Fatalf("calls: %d, %v", len(calls), err)
		}
	})
}
