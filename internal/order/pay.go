package order

import (
	"context"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Orders are paid from the buyer's balance when they are placed, in the order's transaction: an
// order the balance does not cover is refused (market.CodePayment, 402) and nothing is stored.
// Every refund goes back to the balance. Both are ledger entries, once per order.

// pay takes an order's amount from its buyer's balance.
func pay(ctx context.Context, tx *store.Tx, o *market.Order) error {
	if o.Amount <= 0 {
		return nil
	}
	_, _, err := tx.Charge(ctx, o.BuyerID, "order:"+o.ID, market.EntryPayment, o.Amount, o.CreatedAt)
	return err
}

// credit returns amount of order orderID to its buyer.
func credit(ctx context.Context, tx *store.Tx, buyerID, orderID string, amount market.Money, at time.Time) error {
	if amount <= 0 {
		return nil
	}
	_, _, err := tx.ApplyEntry(ctx, buyerID, "refund:"+orderID, market.EntryRefund, amount, at)
	return err
}
