package billing

import (
	"context"
	"time"

	"github.com/mercato-oss/mercato/internal/ledger"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Settle runs the bill run of month (yyyy-MM) for every merchant, once (rules §8.4, §3.4): it
// settles the merchant's held sales that are effective before the month's end, fully paid
// (credit and arrears repaid), and not waiting on a service flow, by product type, when a type's
// total reaches the minimum; it moves them from the held account to the payable one less the
// platform fee, whose rate the month's sales may lower (the incentive tiers); refunds of sales
// settled earlier that were paid this month are shown as deducted (the ledger took them from the
// payable account when they were paid).
func (s *Service) Settle(ctx context.Context, month string) error {
	from, err := time.Parse("2006-01", month)
	if err != nil {
		return market.Errorf(market.CodeInvalid, "month %q is not yyyy-MM", month)
	}
	to := from.AddDate(0, 1, 0)
	// A page of merchants per transaction: each statement is stored once (its key), so a run
	// cut short is finished by the next.
	for page := (store.Page{Limit: 50}); ; {
		merchants, next, err := s.db.Merchants(ctx, page)
		if err != nil {
			return err
		}
		err = s.db.Write(ctx, func(tx *store.Tx) error {
			for _, m := range merchants {
				if err := s.settle(ctx, tx, m.ID, month, from, to); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || next.IsZero() {
			return err
		}
		page.After = next
	}
}

// settle makes one merchant's statement.
func (s *Service) settle(ctx context.Context, tx *store.Tx, merchantID, month string, from, to time.Time) error {
	sales, err := tx.SettleableSales(ctx, merchantID, to)
	if err != nil {
		return err
	}
	byKind := map[market.Delivery]market.Money{}
	for _, sale := range sales {
		byKind[sale.Kind] += sale.Held
	}
	now := s.clock.Now()
	st := &market.Statement{MerchantID: merchantID, Month: month, CreatedAt: now}
	var refs []string
	var net market.Money
	for _, sale := range sales {
		if byKind[sale.Kind] < s.cfg.MinSettlement || byKind[sale.Kind] <= 0 {
			continue
		}
		refs = append(refs, sale.Ref)
		st.Sales += sale.Gross - sale.Refunded - sale.Returned
		st.Vouchers += sale.SellerDiscount
		net += sale.Held
	}
	gross, err := tx.GrossSales(ctx, merchantID, from, to)
	if err != nil {
		return err
	}
	st.Fee = market.Money((int64(net)*s.feePerMille(gross) + 500) / 1000)
	deducted, err := tx.PostingSum(ctx, market.AccountPayable(merchantID), from, to, market.PostRefund, market.PostReturn)
	if err != nil {
		return err
	}
	st.Refunds = -deducted
	st.Settlement = net - st.Fee - st.Refunds
	held, err := tx.HeldTotal(ctx, merchantID, to)
	if err != nil {
		return err
	}
	st.Held = held - net
	if fresh, err := tx.InsertStatement(ctx, st); err != nil || !fresh {
		return err
	}
	if err := tx.MarkSettled(ctx, month, refs); err != nil {
		return err
	}
	return ledger.Settle(ctx, tx, merchantID, month, net, st.Fee, now)
}

// feePerMille is the platform's fee rate for a merchant whose sales in the month came to gross.
func (s *Service) feePerMille(gross market.Money) int64 {
	var rebate int64
	for _, in := range s.cfg.Incentives {
		if gross >= in.From && in.RebatePerMille > rebate {
			rebate = in.RebatePerMille
		}
	}
	return max(0, s.cfg.FeePerMille-rebate)
}

// Payout records a statement paid out to its merchant (money out of the ledger): the operator.
func (s *Service) Payout(ctx context.Context, v market.Viewer, merchantID, month string) (market.Money, error) {
	if err := v.MustBeOperator(); err != nil {
		return 0, err
	}
	var amount market.Money
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		list, err := tx.Statements(ctx, merchantID, store.MaxLimit)
		if err != nil {
			return err
		}
		for _, st := range list {
			if st.Month == month {
				amount = st.Settlement
			}
		}
		if amount <= 0 {
			return market.Errorf(market.CodeConflict, "merchant %s has no statement of %s with an amount to pay out", merchantID, month)
		}
		fresh, err := ledger.Payout(ctx, tx, merchantID, month, amount, s.clock.Now())
		if err == nil && !fresh {
			err = market.Errorf(market.CodeConflict, "the statement of %s was paid out already", month)
		}
		return err
	})
	return amount, err
}

// SetCreditLine sets how far below zero a buyer may pay for credit-pay products: the operator.
func (s *Service) SetCreditLine(ctx context.Context, v market.Viewer, buyerID string, limit market.Money) error {
	if err := v.MustBeOperator(); err != nil {
		return err
	}
	if limit < 0 || limit > market.MaxAmount {
		return market.Invalid("credit_limit", "a credit line is 0 to %s", market.MaxAmount)
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Buyer(ctx, buyerID); err != nil {
			return err
		}
		return tx.SetCreditLine(ctx, buyerID, limit, s.clock.Now())
	})
}

// SetCreditPay turns credit pay on or off for a product (授信现金券支付 / 信用额度支付): its
// merchant's sales of it settle only once the buyer has repaid. The operator decides.
func (s *Service) SetCreditPay(ctx context.Context, v market.Viewer, productID string, on bool) error {
	if err := v.MustBeOperator(); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Product(ctx, productID); err != nil {
			return err
		}
		return tx.SetCreditPay(ctx, productID, on, s.clock.Now())
	})
}

// Ledger returns the merchants' and the platform's account balances: the operator sees all, a
// seller its merchant's two accounts.
func (s *Service) Ledger(ctx context.Context, v market.Viewer) ([]market.AccountBalance, error) {
	if v.Role != market.RoleOperator && v.Role != market.RoleSeller {
		return nil, market.Errorf(market.CodeForbidden, "the ledger is the operator's and the sellers'")
	}
	all, err := s.db.AccountBalances(ctx)
	if err != nil || v.IsOperator() {
		return all, err
	}
	var own []market.AccountBalance
	for _, b := range all {
		if b.Account == market.AccountHeld(v.MerchantID) || b.Account == market.AccountPayable(v.MerchantID) {
			own = append(own, b)
		}
	}
	return own, nil
}
