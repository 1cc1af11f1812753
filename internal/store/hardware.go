package store

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
)

// Hardware: stock, shipments and waybill events.

// SetStock sets a hardware spec's stock and return address.
func (tx *Tx) SetStock(ctx context.Context, st *market.Stock) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO hardware_stock (sku_code, merchant_id, quantity, return_address, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (sku_code) DO UPDATE SET quantity = excluded.quantity, return_address = excluded.return_address, updated_at = excluded.updated_at`,
		st.SkuCode, st.MerchantID, st.Quantity, st.ReturnAddress, ms(st.UpdatedAt))
	return err
}

// Stock returns a hardware spec's stock (not found when none was set).
func (r Reader) Stock(ctx context.Context, skuCode string) (*market.Stock, error) {
	var st market.Stock
	var updated int64
	err := r.q.QueryRowContext(ctx, `SELECT sku_code, merchant_id, quantity, return_address, updated_at FROM hardware_stock WHERE sku_code = $1`, skuCode).
		Scan(&st.SkuCode, &st.MerchantID, &st.Quantity, &st.ReturnAddress, &updated)
	st.UpdatedAt = fromMS(updated)
	return &st, notFound(err, "stock of spec", skuCode)
}

// TakeStock takes n units of a spec's stock if it has them; it reports whether it did.
func (tx *Tx) TakeStock(ctx context.Context, skuCode string, n int) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE hardware_stock SET quantity = quantity - $1 WHERE sku_code = $2 AND quantity >= $1`, n, skuCode))
}

// ReturnStock puts n units back into a spec's stock.
func (tx *Tx) ReturnStock(ctx context.Context, skuCode string, n int) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE hardware_stock SET quantity = quantity + $1 WHERE sku_code = $2`, n, skuCode)
	return err
}

const shipmentCols = `instance_key, order_id, buyer_id, merchant_id, sku_code, state, address, carrier, waybill, shipped_at, signed_at,
	last_event_at, created_at, updated_at`

func scanShipment(r rowScanner) (*market.Shipment, error) {
	var s market.Shipment
	var shipped, signed, last, created, updated int64
	err := r.Scan(&s.InstanceKey, &s.OrderID, &s.BuyerID, &s.MerchantID, &s.SkuCode, &s.State, &s.Address, &s.Carrier, &s.Waybill,
		&shipped, &signed, &last, &created, &updated)
	s.ShippedAt, s.SignedAt, s.LastEventAt, s.CreatedAt, s.UpdatedAt = fromMS(shipped), fromMS(signed), fromMS(last), fromMS(created), fromMS(updated)
	return &s, err
}

// InsertShipment stores a new shipment.
func (tx *Tx) InsertShipment(ctx context.Context, s *market.Shipment) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO shipments (`+shipmentCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		s.InstanceKey, s.OrderID, s.BuyerID, s.MerchantID, s.SkuCode, string(s.State), s.Address, s.Carrier, s.Waybill, ms(s.ShippedAt),
		ms(s.SignedAt), ms(s.LastEventAt), ms(s.CreatedAt), ms(s.UpdatedAt))
	return err
}

// Shipment returns an instance's shipment.
func (r Reader) Shipment(ctx context.Context, key string) (*market.Shipment, error) {
	s, err := scanShipment(r.q.QueryRowContext(ctx, `SELECT `+shipmentCols+` FROM shipments WHERE instance_key = $1`, key))
	return s, notFound(err, "shipment", key)
}

// ShipmentsByWaybill returns the shipments of a waybill.
func (r Reader) ShipmentsByWaybill(ctx context.Context, carrier, waybill string) ([]*market.Shipment, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+shipmentCols+` FROM shipments WHERE carrier = $1 AND waybill = $2`, carrier, waybill)
	return collect(rows, err, scanShipment)
}

// ShipmentFilter selects shipments; empty fields match everything.
type ShipmentFilter struct {
	BuyerID    string
	MerchantID string
	State      market.ShipmentState
	Page       Page
}

// Shipments lists a page of shipments, newest first.
func (r Reader) Shipments(ctx context.Context, f ShipmentFilter) ([]*market.Shipment, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+shipmentCols+` FROM shipments
		WHERE ($1 = '' OR buyer_id = $1) AND ($2 = '' OR merchant_id = $2) AND ($3 = '' OR state = $3)
		AND ($4 = 0 OR created_at < $4 OR created_at = $4 AND instance_key < $5)
		ORDER BY created_at DESC, instance_key DESC LIMIT $6`, f.BuyerID, f.MerchantID, string(f.State), f.Page.afterMS(), f.Page.After.ID, f.Page.limit()+1)
	list, err := collect(rows, err, scanShipment)
	return cut(list, err, f.Page, func(s *market.Shipment) Cursor { return Cursor{s.CreatedAt, s.InstanceKey} })
}

// UpdateShipment writes a shipment's mutable fields if it is still in state from.
func (tx *Tx) UpdateShipment(ctx context.Context, s *market.Shipment, from market.ShipmentState) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE shipments SET state = $1, address = $2, carrier = $3, waybill = $4, shipped_at = $5, signed_at = $6,
		last_event_at = $7, updated_at = $8 WHERE instance_key = $9 AND state = $10`,
		string(s.State), s.Address, s.Carrier, s.Waybill, ms(s.ShippedAt), ms(s.SignedAt), ms(s.LastEventAt), ms(s.UpdatedAt), s.InstanceKey, string(from)))
}

// AppendWaybillEvent appends an event to a waybill's progress, numbering it after the last.
func (tx *Tx) AppendWaybillEvent(ctx context.Context, e *market.WaybillEvent) error {
	if err := tx.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM waybill_events WHERE carrier = $1 AND waybill = $2`,
		e.Carrier, e.Waybill).Scan(&e.Seq); err != nil {
		return err
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO waybill_events (carrier, waybill, seq, at, status, text) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.Carrier, e.Waybill, e.Seq, ms(e.At), string(e.Status), e.Text)
	return err
}

// WaybillEvents returns a waybill's events, oldest first.
func (r Reader) WaybillEvents(ctx context.Context, carrier, waybill string) ([]market.WaybillEvent, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT carrier, waybill, seq, at, status, text FROM waybill_events WHERE carrier = $1 AND waybill = $2
		ORDER BY seq LIMIT 1000`, carrier, waybill)
	return collect(rows, err, func(r rowScanner) (market.WaybillEvent, error) {
		var e market.WaybillEvent
		var at int64
		err := r.Scan(&e.Carrier, &e.Waybill, &e.Seq, &at, &e.Status, &e.Text)
		e.At = fromMS(at)
		return e, err
	})
}
