package order

import (
	"context"

	"github.com/mercato-oss/mercato/internal/ledger"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/promo"
	"github.com/mercato-oss/mercato/internal/store"
)

// Orders are paid when they are placed, in the order's transaction (rules §8.4: package →
// vouchers → cash coupons → balance): the vouchers the buyer chose pay first, the balance the
// rest. An order the balance does not cover is refused (market.CodePayment, 402) and nothing is
// stored, except for credit-pay products, which a buyer's credit line may pay. Each line is a
// sale of the ledger; every refund goes back through it.

// pay redeems the buyer's vouchers on an order's lines and takes the rest from the balance.
func (s *Service) pay(ctx context.Context, tx *store.Tx, o *market.Order, vouchers []string) error {
	items := make([]promo.Item, len(o.Lines))
	kinds := make([]market.Delivery, len(o.Lines))
	mode := ledger.OnCredit
	for i, l := range o.Lines {
		e, err := tx.CatalogEntry(ctx, l.ProductID)
		if err != nil {
			return err
		}
		items[i] = promo.Item{SaleRef: saleRef(l.ID), MerchantID: o.MerchantID, ProductID: e.Product.ID, SkuCode: l.SkuCode, SkuID: skuOf(e), Amount: l.Amount}
		kinds[i] = e.Spec.Delivery
		if credit, err := tx.CreditPay(ctx, e.Product.ID); err != nil {
			return err
		} else if !credit {
			mode = ledger.Prepaid // an order is on credit only when all of it is sold on credit
		}
	}
	deductions := make([]promo.Deduction, len(items))
	if len(vouchers) > 0 {
		var err error
		if deductions, err = s.promo.Redeem(ctx, tx, o.BuyerID, items, vouchers); err != nil {
			return err
		}
	}
	sales := make([]*market.Sale, len(o.Lines))
	for i, l := range o.Lines {
		key := o.InstanceKey
		if key == "" {
			key = l.ID // a new order's line creates the instance it names
		}
		effective := l.StartsAt
		if effective.IsZero() {
			effective = o.CreatedAt
		}
		d := deductions[i]
		sales[i] = &market.Sale{Ref: items[i].SaleRef, MerchantID: o.MerchantID, BuyerID: o.BuyerID, OrderID: o.ID, InstanceKey: key,
			ProductID: items[i].ProductID, Kind: kinds[i], Gross: l.Amount, SellerDiscount: d.Seller, PlatformDiscount: d.Platform,
			Cash: l.Amount - d.Seller - d.Platform, EffectiveAt: effective, At: o.CreatedAt}
	}
	_, err := ledger.Pay(ctx, tx, o.BuyerID, "order:"+o.ID, market.EntryPayment, sales, mode, o.CreatedAt)
	return err
}

// saleRef names the sale of an order line.
func saleRef(lineID string) string { return "line:" + lineID }

// skuOf returns the SKU a plan prices ("" for a spec without SKUs); SKU IDs are unique across
// specs, so a voucher scoped to one names it alone.
func skuOf(e *market.CatalogEntry) string { return e.Plan.SkuID }

// refundable is the cash an order's buyer paid and has not had back.
func (s *Service) refundable(ctx context.Context, tx *store.Tx, orderID string) (market.Money, error) {
	sales, err := tx.Sales(ctx, store.SaleFilter{OrderID: orderID})
	var total market.Money
	for _, sale := range sales {
		total += sale.Cash - sale.Refunded
	}
	return total, err
}

// refundAll pays an order's buyer back everything it paid, vouchers included: the order failed
// or was cancelled before the buyer had anything of it. It returns the cash refunded.
func (s *Service) refundAll(ctx context.Context, tx *store.Tx, orderID string) (market.Money, error) {
	sales, err := tx.Sales(ctx, store.SaleFilter{OrderID: orderID})
	if err != nil {
		return 0, err
	}
	var total market.Money
	for _, sale := range sales {
		returned, err := s.promo.Return(ctx, tx, sale.Ref, true, 0, 0)
		if err != nil {
			return 0, err
		}
		cash := sale.Cash - sale.Refunded
		if err := ledger.Refund(ctx, tx, sale, "order:"+orderID, cash, returned, s.clock.Now()); err != nil {
			return 0, err
		}
		total += cash
	}
	return total, nil
}
