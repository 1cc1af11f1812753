// Package resale holds resale authorization discounts (rules §1.9): what a merchant grants its
// resellers at product level (all resellers), partner level (one reseller, for all its
// customers) and customer level (one customer of one reseller), each with a validity period
// and the states PENDING → AUTHORIZED → INVALID. The discount is a multiplier (0.9 is 10 %
// off), and a larger one means less for the reseller, so the levels must keep
// product > partner > customer; a settlement takes the customer's, else the partner's, else the
// product's.
package resale

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Levels and states.
const (
	LevelProduct  = "PRODUCT"
	LevelPartner  = "PARTNER"
	LevelCustomer = "CUSTOMER"

	Pending    = "PENDING"
	Authorized = "AUTHORIZED"
	Invalid    = "INVALID"
)

// Service manages discounts.
type Service struct {
	db    *store.DB
	clock market.Clock
}

// New returns the discount service.
func New(db *store.DB, clock market.Clock) (*Service, error) {
	if db == nil || clock == nil {
		return nil, errors.New("resale: New needs a database and a clock")
	}
	return &Service{db: db, clock: clock}, nil
}

// Register adds nothing to the queue: an expired discount is invalid when it is read.
func (s *Service) Register(*store.Jobs) {}

// Request creates or changes a discount. Discount is the multiplier in thousandths (1 to 999).
type Request struct {
	ProductID  string    `json:"product_id"`
	Level      string    `json:"level"`
	PartnerID  string    `json:"partner_id,omitempty"`
	CustomerID string    `json:"customer_id,omitempty"`
	Discount   int64     `json:"discount"`
	ValidFrom  time.Time `json:"valid_from"`
	ValidTo    time.Time `json:"valid_to"`
	Project    string    `json:"project,omitempty"`
}

// Create records a discount as PENDING, for the product's merchant (admin or finance) or the
// operator; Authorize makes it count.
func (s *Service) Create(ctx context.Context, v market.Viewer, r Request) (*market.ResaleDiscount, error) {
	now := s.clock.Now()
	d := &market.ResaleDiscount{ID: "disc-" + strings.ToLower(market.NewSecret(12)), ProductID: r.ProductID, Level: r.Level, PartnerID: r.PartnerID,
		CustomerID: r.CustomerID, Discount: r.Discount, ValidFrom: r.ValidFrom, ValidTo: r.ValidTo, State: Pending, Project: r.Project,
		CreatedAt: now, UpdatedAt: now}
	if err := check(d); err != nil {
		return nil, err
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		p, err := catalog.ProductFor(ctx, tx.Reader, v, r.ProductID, market.SellerFinance)
		if err != nil {
			return err
		}
		d.MerchantID = p.MerchantID
		return tx.InsertDiscount(ctx, d)
	})
	return d, err
}

func check(d *market.ResaleDiscount) error {
	var probs market.Problems
	switch d.Level {
	case LevelProduct:
		if d.PartnerID != "" || d.CustomerID != "" {
			probs.Add("partner_id", "discount.level", "a product-level discount applies to all resellers: no partner or customer")
		}
	case LevelPartner:
		if d.PartnerID == "" || d.CustomerID != "" {
			probs.Add("partner_id", "discount.level", "a partner-level discount names its partner, and no customer")
		}
	case LevelCustomer:
		if d.PartnerID == "" || d.CustomerID == "" {
			probs.Add("customer_id", "discount.level", "a customer-level discount names the partner and its customer")
		}
	default:
		probs.Add("level", "enum", "level must be PRODUCT, PARTNER or CUSTOMER")
	}
	if d.Discount < 1 || d.Discount > 999 {
		probs.Add("discount", "discount.range", "discount is a multiplier in thousandths, 1 to 999 (900 is 0.9, 10 %% off)")
	}
	if d.ValidFrom.IsZero() || !d.ValidTo.After(d.ValidFrom) {
		probs.Add("valid_to", "discount.validity", "a discount is valid from valid_from to a later valid_to")
	}
	return probs.Err()
}

// State is a discount's state at t: an authorized discount past its validity is invalid.
func State(d *market.ResaleDiscount, t time.Time) string {
	if d.State == Authorized && !t.Before(d.ValidTo) {
		return Invalid
	}
	return d.State
}

// Authorize makes a pending discount count, if it keeps the levels in order.
func (s *Service) Authorize(ctx context.Context, v market.Viewer, id string) (*market.ResaleDiscount, error) {
	return s.change(ctx, v, id, func(d *market.ResaleDiscount) error {
		if d.State != Pending {
			return market.Errorf(market.CodeConflict, "discount %s is %s; only a pending one is authorized", id, d.State)
		}
		d.State = Authorized
		return nil
	})
}

// Modify changes a pending or authorized discount's value and validity.
func (s *Service) Modify(ctx context.Context, v market.Viewer, id string, r Request) (*market.ResaleDiscount, error) {
	return s.change(ctx, v, id, func(d *market.ResaleDiscount) error {
		if State(d, s.clock.Now()) == Invalid {
			return market.Errorf(market.CodeConflict, "discount %s is invalid; create a new one", id)
		}
		d.Discount, d.ValidFrom, d.ValidTo = r.Discount, r.ValidFrom, r.ValidTo
		return check(d)
	})
}

// Invalidate ends a discount.
func (s *Service) Invalidate(ctx context.Context, v market.Viewer, id string) (*market.ResaleDiscount, error) {
	return s.change(ctx, v, id, func(d *market.ResaleDiscount) error {
		if d.State == Invalid {
			return market.Errorf(market.CodeConflict, "discount %s is invalid already", id)
		}
		d.State = Invalid
		return nil
	})
}

// change applies f to a discount and stores it, checking the order of the levels whenever the
// result is authorized.
func (s *Service) change(ctx context.Context, v market.Viewer, id string, f func(*market.ResaleDiscount) error) (*market.ResaleDiscount, error) {
	var d *market.ResaleDiscount
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if d, err = tx.Discount(ctx, id); err != nil {
			return err
		}
		if err := v.MustActAs("discount", id, d.MerchantID, market.SellerFinance); err != nil {
			return err
		}
		from := d.State
		if err := f(d); err != nil {
			return err
		}
		if d.State == Authorized {
			if err := s.ordered(ctx, tx.Reader, d); err != nil {
				return err
			}
		}
		d.UpdatedAt = s.clock.Now()
		ok, err := tx.UpdateDiscount(ctx, d, from)
		if err == nil && !ok {
			err = market.Errorf(market.CodeConflict, "discount %s changed meanwhile", id)
		}
		return err
	})
	return d, err
}

// ordered checks product > partner > customer against the authorized discounts of the same
// product whose validity overlaps d's (rules §1.9).
func (s *Service) ordered(ctx context.Context, r store.Reader, d *market.ResaleDiscount) error {
	all, err := r.Discounts(ctx, "", d.ProductID)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	for _, o := range all {
		if o.ID == d.ID || State(o, now) != Authorized || !o.ValidFrom.Before(d.ValidTo) || !d.ValidFrom.Before(o.ValidTo) {
			continue
		}
		above, below := rank(o, d), rank(d, o) // o governs d, or d governs o
		switch {
		case above && o.Discount <= d.Discount:
			return market.Invalid("discount", "a %s discount must be below the %s discount %d (product > partner > customer)", d.Level, o.Level, o.Discount)
		case below && d.Discount <= o.Discount:
			return market.Invalid("discount", "a %s discount must be above the %s discount %d (product > partner > customer)", d.Level, o.Level, o.Discount)
		case o.Level == d.Level && o.PartnerID == d.PartnerID && o.CustomerID == d.CustomerID:
			return market.Errorf(market.CodeConflict, "an authorized %s discount (%s) covers the same period", d.Level, o.ID)
		}
	}
	return nil
}

// rank reports whether a is the level directly or indirectly above b for the same reseller.
func rank(a, b *market.ResaleDiscount) bool {
	switch {
	case a.Level == LevelProduct:
		return b.Level != LevelProduct
	case a.Level == LevelPartner:
		return b.Level == LevelCustomer && b.PartnerID == a.PartnerID
	}
	return false
}

// Discounts lists a merchant's discounts (one product's if productID is set), with their states
// as of now.
func (s *Service) Discounts(ctx context.Context, v market.Viewer, merchantID, productID string) ([]*market.ResaleDiscount, error) {
	_, merchantID, ok := v.Scope("", merchantID)
	if !ok || v.Role == market.RoleBuyer {
		return nil, market.Errorf(market.CodeForbidden, "discounts are for sellers and the operator")
	}
	ds, err := s.db.Discounts(ctx, merchantID, productID)
	for _, d := range ds {
		d.State = State(d, s.clock.Now())
	}
	return ds, err
}

// Effective returns the discount a settlement at t uses for a reseller's customer: the
// customer's, else the partner's, else the product's (rules §1.9), or nil.
func (s *Service) Effective(ctx context.Context, v market.Viewer, productID, partnerID, customerID string, t time.Time) (*market.ResaleDiscount, error) {
	if _, err := catalog.ProductFor(ctx, s.db.Reader, v, productID, market.SellerFinance); err != nil {
		return nil, err
	}
	all, err := s.db.Discounts(ctx, "", productID)
	if err != nil {
		return nil, err
	}
	var best *market.ResaleDiscount
	prio := map[string]int{LevelCustomer: 3, LevelPartner: 2, LevelProduct: 1}
	for _, d := range all {
		applies := d.Level == LevelProduct || d.Level == LevelPartner && d.PartnerID == partnerID ||
			d.Level == LevelCustomer && d.PartnerID == partnerID && d.CustomerID == customerID
		if !applies || State(d, t) != Authorized || t.Before(d.ValidFrom) {
			continue
		}
		if best == nil || prio[d.Level] > prio[best.Level] {
			best = d
		}
	}
	return best, nil
}
