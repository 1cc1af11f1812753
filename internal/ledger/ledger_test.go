package ledger_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/metering"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/promo"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestNoMoneyCreatedOrLost runs random sequences of top-ups, purchases paid with vouchers and
// coupons, pay-per-use bills, refunds (negotiated, self-service, cancelled renewals, appeal-free
// failures aside), bill runs and payouts, and checks after every step that the ledger balances:
// buyers' balances + merchants' accounts + the platform = money in − money out.
func TestNoMoneyCreatedOrLost(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{Start: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}, func(t *testing.T, e *marketplacetest.Env) {
		shops := []*marketplacetest.Shop{e.Shop("m-acme"), e.Shop("m-other")}
		buyers := []market.Viewer{e.BuyerWith(0), e.BuyerWith(2_000_000), e.BuyerWith(5_000_000)}
		rng := rand.New(rand.NewPCG(7, 12))
		vouchers := map[string][]string{} // by buyer
		var instances []*market.Instance
		collections := 0
		steps := map[string]func() error{
			"top-up": func() error {
				b := buyers[rng.IntN(len(buyers))]
				_, err := e.Billing.TopUp(e.Ctx, market.AsOperator(), b.BuyerID, market.Money(rng.IntN(3_000_000)+1), market.NewUUID())
				return err
			},
			"voucher": func() error {
				b, s := buyers[rng.IntN(len(buyers))], shops[rng.IntN(len(shops))]
				kind, issuer, scope, id := market.KindVoucher, market.AsOperator(), market.ScopeAll, ""
				if rng.IntN(2) == 0 {
					kind = market.KindCashCoupon
				}
				if rng.IntN(2) == 0 {
					issuer, scope, id = s.Seller, market.ScopeProduct, "p-"+s.M.ID
				}
				v, err := e.Vouchers.Issue(e.Ctx, issuer, promo.IssueRequest{Kind: kind, BuyerID: b.BuyerID, Amount: market.Money(rng.IntN(200_000) + 1),
					Scope: scope, ScopeID: id, ValidUntil: e.Clock.Now().AddDate(0, 2, 0)})
				if err == nil {
					vouchers[b.BuyerID] = append(vouchers[b.BuyerID], v.ID)
				}
				return err
			},
			"purchase": func() error {
				b, s := buyers[rng.IntN(len(buyers))], shops[rng.IntN(len(shops))]
				plans := []string{"saas", "plain", "lic", "svc", "img", "img-once", "hw", "api"}
				plan := plans[rng.IntN(len(plans))]
				req := order.PurchaseRequest{Items: []order.Item{{ProductID: s.Plans[plan], PeriodNumber: rng.IntN(3) + 1}}}
				if mine := vouchers[b.BuyerID]; len(mine) > 0 {
					req.Vouchers = []string{mine[rng.IntN(len(mine))]}
				}
				o, err := e.Orders.Purchase(e.Ctx, b, req)
				if market.ErrorField(err) == "vouchers" { // used up, or for another merchant's products
					req.Vouchers = nil
					o, err = e.Orders.Purchase(e.Ctx, b, req)
				}
				if err != nil {
					return tolerated(err, market.CodePayment, market.CodeInvalid, market.CodeConflict)
				}
				e.Settle()
				instances = append(instances, e.Instance(o.Lines[0].ID))
				return nil
			},
			"bill": func() error {
				var fees []metering.Fee
				for _, in := range instances {
					if in.Charging == market.ChargingOnDemand && rng.IntN(2) == 0 {
						fees = append(fees, metering.Fee{InstanceKey: in.Key, BuyerID: in.BuyerID, MerchantID: in.MerchantID, ProductID: in.ProductID,
							Amount: market.Money(rng.IntN(500_000)), Currency: "CNY"})
					}
				}
				collections++
				c := &metering.Collection{At: e.Clock.Now().Add(time.Duration(collections) * time.Minute), Fees: fees}
				return e.DB.Write(e.Ctx, func(tx *store.Tx) error { return e.Billing.Bill(e.Ctx, tx, c) })
			},
			"unsubscribe": func() error {
				if len(instances) == 0 {
					return nil
				}
				in := instances[rng.IntN(len(instances))]
				b := market.AsBuyer(in.BuyerID)
				el, err := e.Aftersale.Eligibility(e.Ctx, b, in.Key)
				if err != nil || !el.Eligible {
					return err
				}
				req := aftersale.SubmitRequest{Reason: "random"}
				if el.Kinds[0] != market.UnsubSelfService {
					if el.Paid <= 0 {
						return nil
					}
					req.Amount = market.Money(rng.Int64N(int64(el.Paid))) + 1
				}
				u, err := e.Aftersale.Submit(e.Ctx, b, in.Key, req)
				if err != nil || u.State != market.UnsubPendingSeller {
					return err
				}
				if u.Kind == market.UnsubReceived {
					return nil
				}
				_, err = e.Aftersale.Review(e.Ctx, market.AsSeller(in.MerchantID), u.ID, true, "")
				return err
			},
			"cancelled renewal": func() error {
				for _, in := range instances {
					if in.Charging == market.ChargingPeriod && !in.Trial && e.Instance(in.Key).State == market.InstanceActive && !e.Instance(in.Key).ExpireAt.IsZero() {
						r, err := e.Orders.Renew(e.Ctx, market.AsBuyer(in.BuyerID), in.Key, order.ChangeRequest{PeriodNumber: 1})
						if err != nil {
							return tolerated(err, market.CodePayment, market.CodeConflict)
						}
						e.Settle()
						_, err = e.Orders.CancelRenewal(e.Ctx, market.AsBuyer(in.BuyerID), r.ID)
						return err
					}
				}
				return nil
			},
			"bill run": func() error {
				e.Clock.Advance(time.Duration(rng.IntN(20)+1) * 24 * time.Hour)
				month := e.Clock.Now().AddDate(0, -1, 0).Format("2006-01")
				return e.Billing.Settle(e.Ctx, month)
			},
			"payout": func() error {
				s := shops[rng.IntN(len(shops))]
				list, err := e.DB.Statements(e.Ctx, s.M.ID, 1)
				if err != nil || len(list) == 0 {
					return err
				}
				_, err = e.Billing.Payout(e.Ctx, market.AsOperator(), s.M.ID, list[0].Month)
				return tolerated(err, market.CodeConflict)
			},
		}
		names := []string{"top-up", "top-up", "voucher", "voucher", "purchase", "purchase", "purchase", "bill", "unsubscribe", "unsubscribe",
			"cancelled renewal", "bill run", "payout"}
		for i := range 80 {
			name := names[rng.IntN(len(names))]
			if err := steps[name](); err != nil {
				t.Fatalf("step %d (%s): %v", i, name, err)
			}
			e.Settle()
			tt, err := e.DB.Totals(e.Ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tt.Buyers+tt.Merchants+tt.Platform != tt.TopUps-tt.Payouts {
				t.Fatalf("after step %d (%s): buyers %s + merchants %s + platform %s ≠ top-ups %s − payouts %s",
					i, name, tt.Buyers, tt.Merchants, tt.Platform, tt.TopUps, tt.Payouts)
			}
		}
		// The sequence did what it is meant to check: refunds, voucher payments, settlements.
		refunded, _, _ := e.DB.Unsubscriptions(e.Ctx, store.UnsubFilter{State: market.UnsubRefunded})
		statements, _ := e.DB.Statements(e.Ctx, "", 100)
		used, _, _ := e.DB.Vouchers(e.Ctx, store.VoucherFilter{State: market.VoucherUsed})
		if len(refunded) == 0 || len(statements) == 0 || len(used) == 0 {
			t.Fatalf("a sequence without refunds (%d), statements (%d) or used vouchers (%d)", len(refunded), len(statements), len(used))
		}
	})
}

// tolerated returns nil for an error of one of codes: a random step the rules refuse.
func tolerated(err error, codes ...market.Code) error {
	for _, c := range codes {
		if market.ErrorCode(err) == c {
			return nil
		}
	}
	return err
}
