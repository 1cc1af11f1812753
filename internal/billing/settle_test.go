package billing_test

import (
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/billing"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/promo"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
)

// statement reads a merchant's statement of a month.
func statement(t *testing.T, e *marketplacetest.Env, merchantID, month string) *market.Statement {
	t.Helper()
	list := marketplacetest.Must[[]*market.Statement](t)(e.DB.Statements(e.Ctx, merchantID, 100))
	for _, s := range list {
		if s.Month == month {
			return s
		}
	}
	t.Fatalf("no statement of %s for %s", month, merchantID)
	return nil
}

// TestBillRun: the bill run settles only what the rules let it (rules §8.4): sales of a product
// type below CNY 1,000 and supervised sales whose flow is not complete stay held; the merchant's
// own vouchers are borne by it; the fee is 5 %; a refund of a sale settled earlier is deducted
// from the next statement; a payout is money out of the ledger, which balances throughout.
func TestBillRun(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	marketplacetest.Each(t, marketplacetest.Options{Start: start}, func(t *testing.T, e *marketplacetest.Env) {
		s, b := e.Shop("m-acme"), e.Buyer()
		voucher := marketplacetest.Must[*market.Voucher](t)(e.Vouchers.Issue(e.Ctx, s.Seller, promo.IssueRequest{Kind: market.KindVoucher, BuyerID: b.BuyerID,
			Amount: 200_000, Scope: market.ScopeSpec, ScopeID: s.Specs["plain"], ValidUntil: start.AddDate(0, 1, 0)}))
		supervised := e.Buy(b, s, "saas-y", 1).Lines[0].ID // 1,000 held until its flow completes
		e.Buy(b, s, "plain", 12, voucher.ID)               // 1,200, of which the merchant's voucher 200
		img := e.Buy(b, s, "img", 12).Lines[0].ID          // 1,200
		e.Buy(b, s, "svc", 0)                              // 2,000 held: its flow never completes
		e.Buy(b, s, "img-once", 0)                         // 300, an image too
		e.CheckLedger()
		e.Clock.Set(time.Date(2026, 2, 7, 0, 1, 0, 0, time.UTC))
		if err := e.Billing.Tick(e.Ctx); err != nil {
			t.Fatal(err)
		}
		e.Settle()
		jan := statement(t, e, s.M.ID, "2026-01")
		// Images: 1,200 + 300 ≥ 1,000, settled; SaaS: 1,200 − 200 = 1,000 ≥ 1,000, settled.
		if jan.Sales != 2_700_000 || jan.Vouchers != 200_000 || jan.Fee != 125_000 || jan.Refunds != 0 || jan.Settlement != 2_375_000 || jan.Held != 3_000_000 {
			t.Fatalf("January %+v", *jan)
		}
		e.CheckLedger()
		// February: the supervised SaaS completes; the image is unsubscribed for its unused part.
		f := marketplacetest.Must[*market.Flow](t)(e.DB.FlowOf(e.Ctx, supervised))
		step := supervision.StepRequest{Text: "ok"}
		marketplacetest.Must[*market.Flow](t)(e.Supervision.SubmitRequirement(e.Ctx, b, f.ID, step))
		marketplacetest.Must[*market.Flow](t)(e.Supervision.ConfirmRequirement(e.Ctx, s.Seller, f.ID, true, step))
		marketplacetest.Must[*market.Flow](t)(e.Supervision.Deliver(e.Ctx, s.Seller, f.ID, step))
		marketplacetest.Must[*market.Flow](t)(e.Supervision.Accept(e.Ctx, b, f.ID, true, step))
		e.Advance(4*time.Hour, time.Hour)
		u := marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Submit(e.Ctx, b, img, aftersale.SubmitRequest{Reason: "moving away"}))
		e.Settle()
		u = marketplacetest.Must[*market.Unsubscription](t)(e.DB.Unsubscription(e.Ctx, u.ID))
		if u.State != market.UnsubRefunded || u.Amount <= 0 {
			t.Fatalf("image unsubscription %s %s", u.State, u.Amount)
		}
		e.CheckLedger()
		e.Clock.Set(time.Date(2026, 3, 7, 0, 1, 0, 0, time.UTC))
		if err := e.Billing.Settle(e.Ctx, "2026-02"); err != nil {
			t.Fatal(err)
		}
		feb := statement(t, e, s.M.ID, "2026-02")
		if feb.Sales != 1_000_000 || feb.Fee != 50_000 || feb.Refunds != u.Amount || feb.Settlement != 950_000-u.Amount || feb.Held != 2_000_000 {
			t.Fatalf("February %+v (refund %s)", *feb, u.Amount)
		}
		// A repeat of the run changes nothing; a payout is money out, once.
		if err := e.Billing.Settle(e.Ctx, "2026-02"); err != nil {
			t.Fatal(err)
		}
		if again := statement(t, e, s.M.ID, "2026-02"); *again != *feb {
			t.Fatalf("a repeated run changed the statement: %+v", *again)
		}
		if _, err := e.Billing.Payout(e.Ctx, s.Seller, s.M.ID, "2026-01"); market.ErrorCode(err) != market.CodeForbidden {
			t.Fatalf("a seller paid itself out: %v", err)
		}
		if paid := marketplacetest.Must[market.Money](t)(e.Billing.Payout(e.Ctx, market.AsOperator(), s.M.ID, "2026-01")); paid != jan.Settlement {
			t.Fatalf("paid out %s", paid)
		}
		if _, err := e.Billing.Payout(e.Ctx, market.AsOperator(), s.M.ID, "2026-01"); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("a second payout: %v", err)
		}
		totals := marketplacetest.Must[store.LedgerTotals](t)(e.DB.Totals(e.Ctx))
		if totals.Payouts != jan.Settlement {
			t.Fatalf("payouts %s", totals.Payouts)
		}
		accounts := marketplacetest.Must[[]market.AccountBalance](t)(e.Billing.Ledger(e.Ctx, s.Seller))
		if len(accounts) != 2 || accounts[1].Account != market.AccountPayable(s.M.ID) || accounts[1].Balance != feb.Settlement {
			t.Fatalf("the seller's accounts %+v", accounts)
		}
		e.CheckLedger()
	})
}

// TestCreditPay: a credit-pay product bought on the buyer's credit line is settled only once the
// buyer has repaid; the incentive tiers lower the fee of a merchant with large monthly sales.
func TestCreditPay(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	marketplacetest.Each(t, marketplacetest.Options{Start: start, Config: func(c *marketplace.Config) {
		c.Billing.MinSettlement = 0
		c.Billing.Incentives = []billing.Incentive{{From: 250_000, RebatePerMille: 20}}
	}}, func(t *testing.T, e *marketplacetest.Env) {
		s, b := e.Shop("m-acme"), e.BuyerWith(0)
		if err := e.Billing.SetCreditPay(e.Ctx, market.AsOperator(), "p-m-acme-once", true); err != nil {
			t.Fatal(err)
		}
		_, err := e.Orders.Purchase(e.Ctx, b, order.PurchaseRequest{Items: []order.Item{{ProductID: s.Plans["img-once"]}}})
		if market.ErrorCode(err) != market.CodePayment {
			t.Fatalf("on credit without a credit line: %v", err)
		}
		if err := e.Billing.SetCreditLine(e.Ctx, market.AsOperator(), b.BuyerID, 1_000_000); err != nil {
			t.Fatal(err)
		}
		e.Buy(b, s, "img-once", 0)
		if got := e.Balance(b); got != -300_000 {
			t.Fatalf("balance on credit %s", got)
		}
		e.Buy(e.Buyer(), s, "img", 1) // January's sales: 400, above the tier of 250
		if _, err := e.Orders.Purchase(e.Ctx, b, order.PurchaseRequest{Items: []order.Item{{ProductID: s.Plans["img"], PeriodNumber: 1}}}); market.ErrorCode(err) != market.CodePayment {
			t.Fatalf("a product not sold on credit: %v", err)
		}
		e.Clock.Set(time.Date(2026, 2, 7, 0, 1, 0, 0, time.UTC))
		if err := e.Billing.Settle(e.Ctx, "2026-01"); err != nil {
			t.Fatal(err)
		}
		// The month's sales of 400 reach the tier: the fee is 5 % − 2 % of the 100 settled.
		if jan := statement(t, e, s.M.ID, "2026-01"); jan.Sales != 100_000 || jan.Fee != 3_000 || jan.Held != 300_000 {
			t.Fatalf("January before repayment %+v", *jan)
		}
		if _, err := e.Billing.TopUp(e.Ctx, market.AsOperator(), b.BuyerID, 300_000, "repay"); err != nil {
			t.Fatal(err)
		}
		if err := e.Billing.Settle(e.Ctx, "2026-02"); err != nil {
			t.Fatal(err)
		}
		// Repaid, the 300 are settled in February's run, whose month sold nothing: 5 %.
		if feb := statement(t, e, s.M.ID, "2026-02"); feb.Sales != 300_000 || feb.Fee != 15_000 || feb.Held != 0 {
			t.Fatalf("February after repayment %+v", *feb)
		}
		e.CheckLedger()
	})
}
