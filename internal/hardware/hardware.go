// Package hardware delivers hardware (rules §3.3, §4.1): a hardware spec has stock, taken by
// each purchase (a purchase beyond it is refused); each hardware instance has a shipment to the
// buyer's address, which the buyer may change until the goods ship; the seller ships with a
// carrier and waybill, which moves the service flow to the buyer's acceptance; the waybill's
// progress is entered by the operator (Track: there is no carrier integration), and a signed
// waybill that shows no progress for 10 days accepts the delivery on the buyer's behalf.
package hardware

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
)

// Config holds hardware's tunables.
type Config struct {
	// AutoAcceptAfter is how long a signed waybill must show no progress before the delivery is
	// accepted automatically (rules §4.1: 10 days).
	AutoAcceptAfter time.Duration
}

// DefaultConfig is the documented 10 days.
func DefaultConfig() Config { return Config{AutoAcceptAfter: 10 * 24 * time.Hour} }

// Service runs stock, shipments and waybills.
type Service struct {
	db    *store.DB
	clock market.Clock
	log   *slog.Logger
	flows *supervision.Service
	cfg   Config
}

// New returns the hardware service and hooks it into purchases: a hardware purchase takes stock
// and opens a shipment in the purchase's transaction.
func New(db *store.DB, clock market.Clock, log *slog.Logger, orders *order.Service, flows *supervision.Service, cfg Config) (*Service, error) {
	if db == nil || clock == nil || log == nil || orders == nil || flows == nil {
		return nil, errors.New("hardware: New needs a database, a clock, a logger, the order service and supervision")
	}
	if cfg.AutoAcceptAfter <= 0 {
		return nil, fmt.Errorf("hardware: the auto-acceptance delay must be positive")
	}
	s := &Service{db: db, clock: clock, log: log, flows: flows, cfg: cfg}
	orders.OnPurchase(s.purchased)
	return s, nil
}

// Queue is hardware's River queue.
const Queue = "hardware"

// Register adds the auto-acceptance timer's worker and its queue.
func (s *Service) Register(j *store.Jobs) {
	store.AddWorker(j, &AutoAcceptWorker{S: s})
	j.Queue(Queue, 2)
}

// StockRequest sets a hardware spec's stock and where returned goods go.
type StockRequest struct {
	Quantity      int    `json:"quantity"`
	ReturnAddress string `json:"return_address"`
}

// SetStock sets a hardware spec's stock: its merchant's sellers or the operator.
func (s *Service) SetStock(ctx context.Context, v market.Viewer, skuCode string, r StockRequest) (*market.Stock, error) {
	if r.Quantity < 0 || r.Quantity > 1_000_000 {
		return nil, market.Invalid("quantity", "quantity must be 0 to 1000000")
	}
	if err := text("return_address", r.ReturnAddress, 1, 500); err != nil {
		return nil, err
	}
	st := &market.Stock{SkuCode: skuCode, Quantity: r.Quantity, ReturnAddress: r.ReturnAddress, UpdatedAt: s.clock.Now()}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		sp, owner, err := tx.SpecMerchant(ctx, skuCode)
		if err != nil {
			return err
		}
		if !v.MayActFor(owner) {
			return market.Errorf(market.CodeNotFound, "spec %s not found", skuCode)
		}
		if sp.Delivery != market.DeliveryHardware {
			return market.Errorf(market.CodeConflict, "spec %s is delivered as %s, not hardware", skuCode, sp.Delivery)
		}
		st.MerchantID = owner
		return tx.SetStock(ctx, st)
	})
	return st, err
}

// Stock returns a hardware spec's stock; anyone may read it.
func (s *Service) Stock(ctx context.Context, skuCode string) (*market.Stock, error) {
	return s.db.Stock(ctx, skuCode)
}

// purchased takes one unit of stock per hardware instance and opens its shipment.
func (s *Service) purchased(ctx context.Context, tx *store.Tx, o *market.Order, ins []*market.Instance) error {
	now := s.clock.Now()
	for _, in := range ins {
		if in.Delivery != market.DeliveryHardware {
			continue
		}
		ok, err := tx.TakeStock(ctx, in.SkuCode, 1)
		if err != nil {
			return err
		}
		if !ok {
			return market.Errorf(market.CodeConflict, "spec %s is sold out", in.SkuCode)
		}
		if err := tx.InsertShipment(ctx, &market.Shipment{InstanceKey: in.Key, OrderID: o.ID, BuyerID: o.BuyerID, MerchantID: o.MerchantID,
			SkuCode: in.SkuCode, State: market.ShipmentAwaiting, CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
	}
	return nil
}

// Shipment returns an instance's shipment to its buyer, its merchant's sellers and the operator.
func (s *Service) Shipment(ctx context.Context, v market.Viewer, key string) (*market.Shipment, []market.WaybillEvent, error) {
	sh, err := s.db.Shipment(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	if err := v.Check("shipment", key, sh.BuyerID, sh.MerchantID); err != nil {
		return nil, nil, err
	}
	var events []market.WaybillEvent
	if sh.Waybill != "" {
		events, err = s.db.WaybillEvents(ctx, sh.Carrier, sh.Waybill)
	}
	return sh, events, err
}

// Shipments lists the shipments v sees, newest first.
func (s *Service) Shipments(ctx context.Context, v market.Viewer, f store.ShipmentFilter) ([]*market.Shipment, store.Cursor, error) {
	var ok bool
	if f.BuyerID, f.MerchantID, ok = v.Scope(f.BuyerID, f.MerchantID); !ok {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "no shipments to see")
	}
	return s.db.Shipments(ctx, f)
}

// change loads a shipment v may change as role, applies fn and stores it, guarded by its state.
func (s *Service) change(ctx context.Context, v market.Viewer, key string, role market.Role, fn func(tx *store.Tx, sh *market.Shipment) error) (*market.Shipment, error) {
	var sh *market.Shipment
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if sh, err = tx.Shipment(ctx, key); err != nil {
			return err
		}
		if err := v.Check("shipment", key, sh.BuyerID, sh.MerchantID); err != nil {
			return err
		}
		if v.Role != role {
			return market.Errorf(market.CodeForbidden, "only the %s may do this", role)
		}
		from := sh.State
		if err := fn(tx, sh); err != nil {
			return err
		}
		sh.UpdatedAt = s.clock.Now()
		ok, err := tx.UpdateShipment(ctx, sh, from)
		if err == nil && !ok {
			err = market.Errorf(market.CodeConflict, "shipment %s changed meanwhile; retry", key)
		}
		return err
	})
	return sh, err
}

// SetAddress sets where the goods go: the buyer, until they ship (rules §4.1).
func (s *Service) SetAddress(ctx context.Context, v market.Viewer, key, address string) (*market.Shipment, error) {
	if err := text("address", address, 1, 500); err != nil {
		return nil, err
	}
	return s.change(ctx, v, key, market.RoleBuyer, func(_ *store.Tx, sh *market.Shipment) error {
		if sh.State != market.ShipmentAwaiting {
			return market.Errorf(market.CodeConflict, "the goods of %s are %s: the address can be changed only before shipping", key, sh.State)
		}
		sh.Address = address
		return nil
	})
}

// ShipRequest is a shipment's carrier and waybill.
type ShipRequest struct {
	Carrier string `json:"carrier"`
	Waybill string `json:"waybill"`
}

// Ship records the goods shipped: a seller of the merchant, once the buyer has given an address
// and while no "not received" unsubscription is open. The service flow moves to the buyer's
// acceptance.
func (s *Service) Ship(ctx context.Context, v market.Viewer, key string, r ShipRequest) (*market.Shipment, error) {
	if err := waybill(r.Carrier, r.Waybill); err != nil {
		return nil, err
	}
	return s.change(ctx, v, key, market.RoleSeller, func(tx *store.Tx, sh *market.Shipment) error {
		if sh.State != market.ShipmentAwaiting {
			return market.Errorf(market.CodeConflict, "the goods of %s are %s", key, sh.State)
		}
		if sh.Address == "" {
			return market.Errorf(market.CodeConflict, "the buyer has not given an address yet")
		}
		if u, err := tx.OpenUnsubscription(ctx, key); err == nil && u.Kind == market.UnsubNotReceived {
			return market.Errorf(market.CodeConflict, "the buyer asked to unsubscribe before shipping (%s): answer it first", u.ID)
		}
		now := s.clock.Now()
		sh.State, sh.Carrier, sh.Waybill, sh.ShippedAt, sh.LastEventAt = market.ShipmentShipped, r.Carrier, r.Waybill, now, now
		return s.flows.Shipped(ctx, tx, key, sh.MerchantID, fmt.Sprintf("shipped by %s, waybill %s, to %s", r.Carrier, r.Waybill, sh.Address))
	})
}

// Cancel cancels a shipment not yet shipped and puts its unit back into stock, in tx: a "not
// received" unsubscription was refunded.
func (s *Service) Cancel(ctx context.Context, tx *store.Tx, key string) error {
	sh, err := tx.Shipment(ctx, key)
	if err != nil {
		return err
	}
	if sh.State != market.ShipmentAwaiting {
		return market.Errorf(market.CodeConflict, "the goods of %s are %s: they cannot be cancelled", key, sh.State)
	}
	sh.State, sh.UpdatedAt = market.ShipmentCancelled, s.clock.Now()
	if ok, err := tx.UpdateShipment(ctx, sh, market.ShipmentAwaiting); err != nil || !ok {
		if err == nil {
			err = market.Errorf(market.CodeConflict, "shipment %s changed meanwhile; retry", key)
		}
		return err
	}
	return tx.ReturnStock(ctx, sh.SkuCode, 1)
}

// Restock puts a returned unit back into stock, in tx: a "received" return was accepted.
func (s *Service) Restock(ctx context.Context, tx *store.Tx, key string) error {
	sh, err := tx.Shipment(ctx, key)
	if err != nil {
		return err
	}
	return tx.ReturnStock(ctx, sh.SkuCode, 1)
}

// Shipped reports whether an instance's goods have left the seller (false for an instance that
// is not hardware).
func (s *Service) Shipped(ctx context.Context, r store.Reader, key string) (shipped, signed bool, err error) {
	sh, err := r.Shipment(ctx, key)
	if market.ErrorCode(err) == market.CodeNotFound {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	return sh.State == market.ShipmentShipped || sh.State == market.ShipmentSigned, sh.State == market.ShipmentSigned, nil
}

// ReturnAddress returns where an instance's goods are to be returned.
func (s *Service) ReturnAddress(ctx context.Context, r store.Reader, skuCode string) (string, error) {
	st, err := r.Stock(ctx, skuCode)
	if err != nil {
		return "", err
	}
	return st.ReturnAddress, nil
}

func text(field, v string, lo, hi int) error {
	if n := utf8.RuneCountInString(v); n < lo || n > hi || !utf8.ValidString(v) {
		return market.Invalid(field, "%s must be %d to %d characters", field, lo, hi)
	}
	return nil
}

func waybill(carrier, number string) error {
	if err := text("carrier", carrier, 1, 64); err != nil {
		return err
	}
	if len(number) < 4 || len(number) > 64 || strings.ContainsAny(number, " /?#") {
		return market.Invalid("waybill", "a waybill number is 4 to 64 characters without spaces or slashes")
	}
	return nil
}
