// Package publish is how merchants get products on sale and change them (rules §1.3–§1.12, §2):
// applications for release, modification, visibility (hide/unhide), removal and business plans,
// one state machine for all of them, the operator's review queue, the listing rules checked all
// at once, sales status with its cascade, and what goes with a listing (sales regions,
// attribute templates, the international site's variant).
//
// Nothing a seller drafts is seen by buyers: a release application holds the whole product until
// it is approved, and a modification holds a staged copy while the listed version keeps selling.
package publish

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/notify"
	"github.com/mercato-oss/mercato/internal/store"
)

// Config holds the publishing choices the sources leave open (rules §11).
type Config struct {
	// Site is "cn" (the China site) or "intl" (the international site, rules §1.12), whose
	// listings need English texts and English support.
	Site string
	// Withdrawable lists the delivery methods whose pending applications may be withdrawn. The
	// sources differ (rules §1.3, §11.12); the newer CN joint-operation page allows SaaS and
	// License, which is the default.
	Withdrawable []market.Delivery
	// RemovalReview says whether a removal waits for the operator (REMOVAL_PENDING) or takes
	// effect at once, per sales type (rules §1.6, §11.2). Current intl rule: reviewed, the default.
	RemovalReview map[market.SalesType]bool
	// ReviewDays is the review deadline in business days (rules §0: 3).
	ReviewDays int
	// AllowIPProductionURL accepts a production URL on an IP address (the sandbox and tests,
	// whose merchants listen on 127.0.0.1); the release rule wants a domain.
	AllowIPProductionURL bool
}

// DefaultConfig is the China site with the newest rules.
func DefaultConfig() Config {
	return Config{Site: "cn", Withdrawable: []market.Delivery{market.DeliverySaaS, market.DeliveryLicense},
		RemovalReview: map[market.SalesType]bool{market.SalesCommon: true, market.SalesJoint: true}, ReviewDays: 3}
}

// Service runs applications and sales status.
type Service struct {
	db      *store.DB
	clock   market.Clock
	catalog *catalog.Service
	notify  *notify.Service
	cfg     Config
	// discontinued are called in the transaction that discontinues a spec or SKU (or a whole
	// product's), for features holding things scoped to them (vouchers, rules §1.6).
	discontinued []DiscontinuedFunc
	// specHooks check the specs of releases and modifications and keep what they add.
	specHooks []SpecHook
}

// SpecHook lets a feature take part in publishing specs (auto-deploy keeps the asset a spec
// selects): Check runs when a release or modification is submitted and adds what is wrong to
// probs; Stored runs in the approving transaction with the specs it stores (sku codes set),
// built[i] made from reqs[i].
type SpecHook struct {
	Check  func(ctx context.Context, r store.Reader, merchantID string, reqs []catalog.SpecRequest, probs *market.Problems) error
	Stored func(ctx context.Context, tx *store.Tx, p *market.Product, built []market.Spec, reqs []catalog.SpecRequest) error
}

// OnSpecs registers a spec hook.
func (s *Service) OnSpecs(h SpecHook) { s.specHooks = append(s.specHooks, h) }

// DiscontinuedFunc is told, in the discontinuing transaction, that a spec (skuID "") or a SKU
// of product productID was discontinued.
type DiscontinuedFunc func(ctx context.Context, tx *store.Tx, productID, skuCode, skuID string) error

// New returns the publishing service.
func New(db *store.DB, clock market.Clock, cat *catalog.Service, n *notify.Service, cfg Config) (*Service, error) {
	if db == nil || clock == nil || cat == nil || n == nil {
		return nil, errors.New("publish: New needs a database, a clock, the catalog and the message centre")
	}
	if cfg.Site != "cn" && cfg.Site != "intl" {
		return nil, fmt.Errorf("publish: site %q is neither cn nor intl", cfg.Site)
	}
	if cfg.ReviewDays < 1 {
		return nil, fmt.Errorf("publish: a review takes at least 1 business day, not %d", cfg.ReviewDays)
	}
	return &Service{db: db, clock: clock, catalog: cat, notify: n, cfg: cfg}, nil
}

// OnDiscontinued registers f to be told about every spec and SKU discontinued from now on: the
// voucher service makes unused vouchers scoped to them unusable (rules §1.6, §11.1).
func (s *Service) OnDiscontinued(f DiscontinuedFunc) { s.discontinued = append(s.discontinued, f) }

// Register adds nothing to the queue: publishing runs in the requests that cause it.
func (s *Service) Register(*store.Jobs) {}

// Draft is the content of a release or modification application: the listing and the specs.
// In a modification, a spec whose sku_code is listed already names that spec (its names and
// hidden flag may change, nothing else); any other spec is added.
type Draft struct {
	Listing market.Listing        `json:"listing"`
	Specs   []catalog.SpecRequest `json:"specs"`
}

// Visibility hides or unhides a product (Public) and its specs (Specs: skuCode → hidden).
type Visibility struct {
	Public *bool           `json:"public,omitempty"`
	Specs  map[string]bool `json:"specs,omitempty"`
}

// Removal asks to discontinue a whole product, a spec (SkuCode) or a SKU (SkuCode and SkuID).
type Removal struct {
	SkuCode string   `json:"sku_code,omitempty"`
	SkuID   string   `json:"sku_id,omitempty"`
	Reason  string   `json:"reason"`
	Proofs  []string `json:"proofs,omitempty"`
	// Previous is the status the target had, restored if the removal is rejected.
	Previous market.SalesStatus `json:"previous,omitempty"`
}

// target names what a removal is about, as applications store it.
func (r *Removal) target() string {
	switch {
	case r.SkuID != "":
		return r.SkuCode + "/" + r.SkuID
	default:
		return r.SkuCode
	}
}

// BusinessPlan is a joint-operation product's plan for the current year and the next two
// (rules §2): GMV and project count per year.
type BusinessPlan struct {
	Years []PlanYear `json:"years"`
}

// PlanYear is one year of a business plan.
type PlanYear struct {
	Year     int          `json:"year"`
	GMV      market.Money `json:"gmv"`
	Projects int          `json:"projects"`
}

// by names the viewer in transitions: the seller user, or its role.
func by(v market.Viewer) string {
	switch {
	case v.UserID != "":
		return v.UserID
	case v.Role == market.RoleSeller:
		return "merchant"
	}
	return string(v.Role)
}

// dueAt is n business days (Monday to Friday) after t.
func dueAt(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
			n--
		}
	}
	return t
}

// withdrawable reports whether every delivery method of specs may be withdrawn.
func (s *Service) withdrawable(specs []*market.Spec) bool {
	for _, sp := range specs {
		if !slices.Contains(s.cfg.Withdrawable, sp.Delivery) {
			return false
		}
	}
	return true
}
