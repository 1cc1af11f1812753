// Package ledger moves money between buyers' balances, merchants' accounts and the platform so
// that none is created or lost (docs/after-sale.md): every payment stores its sales and posts the
// merchant's and the platform's parts in the transaction that takes the buyer's cash; every
// refund takes back from the merchant what it gives the buyer; a bill run moves settled sales
// from the merchant's held account to its payable one, less the platform's fee. At every
// commit: buyers' balances + merchants' accounts + the platform = top-ups − payouts.
package ledger

import (
	"context"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Mode is how a payment's cash may be taken.
type Mode int

// Payment modes: from the balance, which must cover it (orders); on credit, down to the buyer's
// credit line (credit-pay products); or into arrears without limit (pay-per-use bills, which are
// owed for usage already consumed).
const (
	Prepaid Mode = iota
	OnCredit
	Arrears
)

// Pay stores sales and takes their cash from the buyer in one balance entry (ref, of kind),
// posting to each sale's merchant its part and to the platform what its vouchers paid. A repeat
// of ref changes nothing. The part of the cash the balance did not cover (credit, arrears) is
// recorded as unpaid on the sales, first sale first: it blocks their settlement until the buyer's
// balance is back above zero. It returns the balance after the payment.
func Pay(ctx context.Context, tx *store.Tx, buyerID, ref, kind string, sales []*market.Sale, mode Mode, at time.Time) (market.Money, error) {
	var cash market.Money
	for _, s := range sales {
		cash += s.Cash
	}
	balance, err := tx.Balance(ctx, buyerID)
	if err != nil {
		return 0, err
	}
	if cash > 0 {
		applied := false
		switch mode {
		case Prepaid:
			balance, applied, err = tx.Charge(ctx, buyerID, ref, kind, cash, at)
		case OnCredit:
			var limit market.Money
			if limit, err = tx.CreditLine(ctx, buyerID); err == nil {
				balance, applied, err = tx.ChargeWithin(ctx, buyerID, ref, kind, cash, limit, at)
			}
		case Arrears:
			balance, applied, err = tx.ApplyEntry(ctx, buyerID, ref, kind, -cash, at)
		}
		if err != nil || !applied {
			return balance, err
		}
	}
	debt := max(0, -balance) - max(0, -(balance+cash))
	for _, s := range sales {
		s.Unpaid = min(debt, s.Cash)
		debt -= s.Unpaid
		s.Held = s.Gross - s.SellerDiscount
		fresh, err := tx.InsertSale(ctx, s)
		if err != nil || !fresh {
			return balance, err
		}
		if _, err := tx.Post(ctx, market.Posting{Account: market.AccountHeld(s.MerchantID), Ref: "sale:" + s.Ref, Kind: market.PostSale, Amount: s.Held, At: at}); err != nil {
			return balance, err
		}
		if _, err := tx.Post(ctx, market.Posting{Account: market.AccountPlatform, Ref: "voucher:" + s.Ref, Kind: market.PostVoucher, Amount: -s.PlatformDiscount, At: at}); err != nil {
			return balance, err
		}
	}
	return balance, nil
}

// Refund pays cash of a sale back to its buyer and gives the platform back returned, the value
// of its vouchers that an unsubscription returned to the buyer. Both come from the merchant: from
// the held account while the sale is held, else from the payable one, so that a refund of a
// settled sale is deducted from the merchant's next settlement (rules §3.4). ref names the refund
// (once per sale); cash may not exceed what the sale's buyer paid and has not had back.
func Refund(ctx context.Context, tx *store.Tx, s *market.Sale, ref string, cash, returned market.Money, at time.Time) error {
	if cash < 0 || cash > s.Cash-s.Refunded || returned < 0 || returned > s.PlatformDiscount-s.Returned {
		return market.Errorf(market.CodeConflict, "sale %s cannot pay back %s and return %s more", s.Ref, cash, returned)
	}
	if cash == 0 && returned == 0 {
		return nil
	}
	key := ref + "/" + s.Ref
	account := market.AccountHeld(s.MerchantID)
	if s.SettledMonth != "" {
		account = market.AccountPayable(s.MerchantID)
	}
	// The merchant's posting marks the refund as made: a repeat of ref changes nothing.
	fresh := false
	if cash > 0 {
		f, err := tx.Post(ctx, market.Posting{Account: account, Ref: "refund:" + key, Kind: market.PostRefund, Amount: -cash, At: at})
		if err != nil {
			return err
		}
		fresh = f
	}
	if returned > 0 {
		f, err := tx.Post(ctx, market.Posting{Account: account, Ref: "return:" + key, Kind: market.PostReturn, Amount: -returned, At: at})
		if err != nil {
			return err
		}
		if f {
			if _, err := tx.Post(ctx, market.Posting{Account: market.AccountPlatform, Ref: "return:" + key, Kind: market.PostReturn, Amount: returned, At: at}); err != nil {
				return err
			}
		}
		fresh = fresh || f
	}
	if !fresh {
		return nil
	}
	if cash > 0 {
		if _, _, err := tx.ApplyEntry(ctx, s.BuyerID, "refund:"+key, market.EntryRefund, cash, at); err != nil {
			return err
		}
	}
	if err := tx.RefundSale(ctx, s.Ref, cash, returned); err != nil {
		return err
	}
	s.Refunded += cash
	s.Returned += returned
	return repaid(ctx, tx, s.BuyerID)
}

// TopUp credits a buyer's balance once per ref (money in). A balance back at or above zero has
// repaid every credit and arrears, which unblocks the settlement of the sales that waited on it.
func TopUp(ctx context.Context, tx *store.Tx, buyerID, ref string, amount market.Money, at time.Time) (market.Money, bool, error) {
	balance, applied, err := tx.ApplyEntry(ctx, buyerID, ref, market.EntryTopUp, amount, at)
	if err != nil || !applied {
		return balance, applied, err
	}
	return balance, true, repaid(ctx, tx, buyerID)
}

// repaid clears the unpaid parts of a buyer's sales once the balance is not below zero.
func repaid(ctx context.Context, tx *store.Tx, buyerID string) error {
	b, err := tx.Balance(ctx, buyerID)
	if err != nil || b < 0 {
		return err
	}
	_, err = tx.MarkRepaid(ctx, buyerID)
	return err
}

// Settle moves net from a merchant's held account to its payable one less fee, which goes to
// the platform: a bill run's statement.
func Settle(ctx context.Context, tx *store.Tx, merchantID, month string, net, fee market.Money, at time.Time) error {
	ref := "settle:" + month
	if _, err := tx.Post(ctx, market.Posting{Account: market.AccountHeld(merchantID), Ref: ref, Kind: market.PostSettle, Amount: -net, At: at}); err != nil {
		return err
	}
	if _, err := tx.Post(ctx, market.Posting{Account: market.AccountPayable(merchantID), Ref: ref, Kind: market.PostSettle, Amount: net - fee, At: at}); err != nil {
		return err
	}
	_, err := tx.Post(ctx, market.Posting{Account: market.AccountPlatform, Ref: "fee:" + merchantID + ":" + month, Kind: market.PostFee, Amount: fee, At: at})
	return err
}

// Payout records amount paid out to a merchant (money out), once per ref.
func Payout(ctx context.Context, tx *store.Tx, merchantID, ref string, amount market.Money, at time.Time) (bool, error) {
	return tx.Post(ctx, market.Posting{Account: market.AccountPayable(merchantID), Ref: "payout:" + ref, Kind: market.PostPayout, Amount: -amount, At: at})
}
