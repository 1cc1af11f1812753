// Package catalog manages what is sold: merchants with their keys and production interfaces,
// products, specs (skuCode) and plans (one KooGallery productId per spec × period type, with an
// exact price). The publishing review workflow builds on it; here the operator creates directly.
package catalog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Config is the catalog's part of the site's configuration.
type Config struct {
	// AllowInsecure accepts plain-HTTP and loopback production URLs (sandbox, tests).
	AllowInsecure bool
	// Currency is the site's currency, given to every plan.
	Currency string
}

// Service creates and reads the catalog.
type Service struct {
	db    *store.DB
	clock market.Clock
	cfg   Config
}

// New returns the catalog service.
func New(db *store.DB, clock market.Clock, cfg Config) (*Service, error) {
	if db == nil || clock == nil {
		return nil, errors.New("catalog: New needs a database and a clock")
	}
	if len(cfg.Currency) != 3 {
		return nil, fmt.Errorf("catalog: currency %q is not a 3-letter code", cfg.Currency)
	}
	return &Service{db: db, clock: clock, cfg: cfg}, nil
}

// MerchantRequest creates a merchant. Empty keys and IDs are generated.
type MerchantRequest struct {
	ID              string `json:"id,omitempty"`
	Name            string `json:"name"`
	ProductionURL   string `json:"production_url"`
	Generation      int    `json:"generation,omitempty"`
	AccessKey       string `json:"access_key,omitempty"`
	KitKey          string `json:"kit_key,omitempty"`
	RequireBodySign bool   `json:"require_body_sign,omitempty"`
	// AK and SK set the first open-API key pair (the sandbox uses fixed ones).
	AK string `json:"ak,omitempty"`
	SK string `json:"sk,omitempty"`
}

// NewMerchant is a created merchant with its first AK/SK pair.
type NewMerchant struct {
	Merchant *market.Merchant
	Key      *market.APIKey
}

// CreateMerchant validates and stores a merchant and issues its first AK/SK.
func (s *Service) CreateMerchant(ctx context.Context, v market.Viewer, r MerchantRequest) (*NewMerchant, error) {
	if err := v.MustBeOperator(); err != nil {
		return nil, err
	}
	if err := text("name", r.Name, 1, 100); err != nil {
		return nil, err
	}
	if r.Generation == 0 {
		r.Generation = 2
	}
	if r.Generation != 1 && r.Generation != 2 {
		return nil, market.Errorf(market.CodeInvalid, "generation must be 1 or 2")
	}
	if err := fulfil.ValidateURL(r.ProductionURL, s.cfg.AllowInsecure); err != nil {
		return nil, err
	}
	r.AccessKey, r.KitKey = orSecret(r.AccessKey, 32), orSecret(r.KitKey, 32)
	if r.AccessKey == r.KitKey {
		return nil, market.Errorf(market.CodeInvalid, "one key cannot be bound to both the basic and the kit interfaces")
	}
	if r.ID == "" {
		r.ID = "m-" + strings.ToLower(market.NewSecret(12))
	}
	if err := ID("id", r.ID); err != nil {
		return nil, err
	}
	for _, f := range []struct{ name, v string }{{"access_key", r.AccessKey}, {"kit_key", r.KitKey}} {
		if err := secret(f.name, f.v, MinKeyLen); err != nil {
			return nil, err
		}
	}
	if r.AK != "" {
		if err := ID("ak", r.AK); err != nil {
			return nil, err
		}
	}
	if r.SK != "" {
		if err := secret("sk", r.SK, MinKeyLen); err != nil {
			return nil, err
		}
	}
	now := s.clock.Now()
	m := &market.Merchant{ID: r.ID, Name: r.Name, ProductionURL: r.ProductionURL, Generation: r.Generation, AccessKey: r.AccessKey,
		KitKey: r.KitKey, RequireBodySign: r.RequireBodySign, CreatedAt: now}
	k := &market.APIKey{AK: orSecret(r.AK, 20), SK: orSecret(r.SK, 40), MerchantID: m.ID, CreatedAt: now}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Merchant(ctx, m.ID); err == nil {
			return market.Errorf(market.CodeConflict, "merchant %s exists", m.ID)
		}
		if _, err := tx.APIKey(ctx, k.AK); err == nil {
			return &market.Error{Code: market.CodeConflict, Message: "ak " + k.AK + " is taken; leave it empty to have one generated", Field: "ak"}
		}
		return errors.Join(tx.InsertMerchant(ctx, m), tx.InsertAPIKey(ctx, k))
	})
	if err != nil {
		return nil, err
	}
	return &NewMerchant{Merchant: m, Key: k}, nil
}

// IssueKey gives a merchant another AK/SK pair, at the request of the operator or one of the
// merchant's sellers.
func (s *Service) IssueKey(ctx context.Context, v market.Viewer, merchantID string) (*market.APIKey, error) {
	if !v.MayActFor(merchantID) {
		return nil, market.Errorf(market.CodeNotFound, "merchant %s not found", merchantID)
	}
	k := &market.APIKey{AK: market.NewSecret(20), SK: market.NewSecret(40), MerchantID: merchantID, CreatedAt: s.clock.Now()}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Merchant(ctx, merchantID); err != nil {
			return err
		}
		return tx.InsertAPIKey(ctx, k)
	})
	return k, err
}

// ProductRequest creates a product with its specs and plans in one go.
type ProductRequest struct {
	ID         string        `json:"id,omitempty"`
	MerchantID string        `json:"merchant_id"`
	Name       string        `json:"name"`
	Specs      []SpecRequest `json:"specs"`
}

// SpecRequest is one spec of a new product.
type SpecRequest struct {
	SkuCode   string          `json:"sku_code,omitempty"`
	Name      string          `json:"name"`
	Charging  market.Charging `json:"charging"`
	TrialDays int             `json:"trial_days,omitempty"`
	// Delivery is SAAS (the default: the merchant's production interface), LICENSE (license
	// codes issued by the marketplace), or HARDWARE, SERVICE or IMAGE (delivered offline; see
	// docs/after-sale.md).
	Delivery market.Delivery `json:"delivery,omitempty"`
	Plans    []PlanRequest   `json:"plans"`
}

// PlanRequest is one plan of a new spec; ProductID (KooGallery's productId) is generated when
// empty.
type PlanRequest struct {
	ProductID string       `json:"product_id,omitempty"`
	Period    string       `json:"period,omitempty"`
	Price     market.Money `json:"price"`
	// Pay-per-use billing items: pricing (FIXED, STEP or TIER, with tiers) and the collection
	// cycle (HOURLY or DAILY).
	Pricing market.Pricing `json:"pricing,omitempty"`
	Tiers   []market.Tier  `json:"tiers,omitempty"`
	Cycle   market.Cycle   `json:"cycle,omitempty"`
	// Package plans: the quota of the billing item (a pay-per-use plan's productId) they prepay.
	PackageItem  string          `json:"package_item,omitempty"`
	PackageQuota market.Quantity `json:"package_quota,omitempty"`
}

// Product is a product as created, with its specs and plans.
type Product struct {
	Product market.Product
	Specs   []market.Spec
	Plans   []market.Plan
}

// CreateProduct validates and stores a product, its specs and plans.
func (s *Service) CreateProduct(ctx context.Context, v market.Viewer, r ProductRequest) (*Product, error) {
	if err := v.MustBeOperator(); err != nil {
		return nil, err
	}
	if err := text("name", r.Name, 1, 100); err != nil {
		return nil, err
	}
	if len(r.Specs) == 0 || len(r.Specs) > 50 {
		return nil, market.Errorf(market.CodeInvalid, "a product has 1 to 50 specs")
	}
	if r.ID == "" {
		r.ID = "p-" + strings.ToLower(market.NewSecret(12))
	}
	now := s.clock.Now()
	p := &Product{Product: market.Product{ID: r.ID, MerchantID: r.MerchantID, Name: r.Name, CreatedAt: now}}
	for _, sr := range r.Specs {
		spec, plans, err := s.spec(p.Product.ID, sr)
		if err != nil {
			return nil, err
		}
		p.Specs = append(p.Specs, *spec)
		p.Plans = append(p.Plans, plans...)
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Merchant(ctx, r.MerchantID); err != nil {
			return err
		}
		if _, err := tx.Product(ctx, p.Product.ID); err == nil {
			return market.Errorf(market.CodeConflict, "product %s exists", p.Product.ID)
		}
		if err := tx.InsertProduct(ctx, &p.Product); err != nil {
			return err
		}
		for i := range p.Specs {
			if _, err := tx.Spec(ctx, p.Specs[i].SkuCode); err == nil {
				return market.Errorf(market.CodeConflict, "skuCode %s exists", p.Specs[i].SkuCode)
			}
			if err := tx.InsertSpec(ctx, &p.Specs[i]); err != nil {
				return err
			}
		}
		for i := range p.Plans {
			if _, err := tx.Plan(ctx, p.Plans[i].ProductID); err == nil {
				return market.Errorf(market.CodeConflict, "productId %s exists", p.Plans[i].ProductID)
			}
			if err := s.packageItem(ctx, tx, p, &p.Plans[i]); err != nil {
				return err
			}
			if err := tx.InsertPlan(ctx, &p.Plans[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// packageItem checks that a package plan covers a pay-per-use billing item, of this product or
// an existing one.
func (s *Service) packageItem(ctx context.Context, tx *store.Tx, p *Product, pl *market.Plan) error {
	if pl.PackageItem == "" {
		return nil
	}
	for i, other := range p.Plans {
		if other.ProductID == pl.PackageItem {
			if specOf(p, p.Plans[i].SkuCode).Charging == market.ChargingOnDemand {
				return nil
			}
			break
		}
	}
	if e, err := tx.CatalogEntry(ctx, pl.PackageItem); err == nil && e.Spec.Charging == market.ChargingOnDemand {
		return nil
	}
	return market.Errorf(market.CodeInvalid, "package_item %s is not a pay-per-use plan", pl.PackageItem)
}

func specOf(p *Product, sku string) market.Spec {
	for _, s := range p.Specs {
		if s.SkuCode == sku {
			return s
		}
	}
	return market.Spec{}
}

// spec checks one spec request and its plans against the billing rules.
func (s *Service) spec(productID string, r SpecRequest) (*market.Spec, []market.Plan, error) {
	if err := text("spec name", r.Name, 1, 50); err != nil {
		return nil, nil, err
	}
	sp := &market.Spec{SkuCode: r.SkuCode, ProductID: productID, Name: r.Name, Charging: r.Charging, TrialDays: r.TrialDays, Delivery: r.Delivery}
	switch sp.Delivery {
	case "":
		sp.Delivery = market.DeliverySaaS
	case market.DeliverySaaS:
	case market.DeliveryLicense, market.DeliveryHardware, market.DeliveryService, market.DeliveryImage:
		if r.Charging != market.ChargingPeriod && r.Charging != market.ChargingOneTime {
			return nil, nil, market.Errorf(market.CodeInvalid, "a %s spec is billed by period or once", strings.ToLower(string(sp.Delivery)))
		}
	default:
		return nil, nil, market.Errorf(market.CodeInvalid, "delivery must be SAAS, LICENSE, HARDWARE, SERVICE or IMAGE")
	}
	if sp.SkuCode == "" {
		sp.SkuCode = market.NewUUID()
	}
	if err := text("sku_code", sp.SkuCode, 1, 64); err != nil {
		return nil, nil, err
	}
	switch r.Charging {
	case market.ChargingPeriod, market.ChargingOneTime, market.ChargingOnDemand, market.ChargingOnDemandPkg:
	default:
		return nil, nil, market.Errorf(market.CodeInvalid, "charging must be PERIOD, ONE_TIME, ON_DEMAND or ON_DEMAND_PKG")
	}
	if r.TrialDays != 0 && (r.Charging != market.ChargingPeriod || r.TrialDays < 3 || r.TrialDays > 180) {
		return nil, nil, market.Errorf(market.CodeInvalid, "a trial is 3 to 180 days, on period specs only")
	}
	if len(r.Plans) == 0 || len(r.Plans) > MaxPlans {
		return nil, nil, market.Errorf(market.CodeInvalid, "spec %s needs 1 to %d plans", r.Name, MaxPlans)
	}
	periods := map[string]bool{}
	var plans []market.Plan
	for _, pr := range r.Plans {
		if r.Charging == market.ChargingPeriod {
			if pr.Period != market.PeriodYear && pr.Period != market.PeriodMonth && pr.Period != market.PeriodDay {
				return nil, nil, market.Errorf(market.CodeInvalid, "a period plan is year, month or day")
			}
			if periods[pr.Period] {
				return nil, nil, market.Errorf(market.CodeInvalid, "spec %s has two %s plans", r.Name, pr.Period)
			}
			periods[pr.Period] = true
		} else if pr.Period != "" {
			return nil, nil, market.Errorf(market.CodeInvalid, "only period specs have a period")
		}
		if pr.Price < 0 || pr.Price > market.MaxAmount {
			return nil, nil, market.Errorf(market.CodeInvalid, "a price is 0 to %s", market.MaxAmount)
		}
		id := pr.ProductID
		if id == "" {
			id = "OFFI" + strings.ToUpper(market.NewSecret(18))
		}
		if err := text("product_id", id, 1, 64); err != nil {
			return nil, nil, err
		}
		plan := market.Plan{ProductID: id, SkuCode: sp.SkuCode, Period: pr.Period, Price: pr.Price, Currency: s.cfg.Currency,
			Pricing: pr.Pricing, Tiers: pr.Tiers, Cycle: pr.Cycle, PackageItem: pr.PackageItem, PackageQuota: pr.PackageQuota}
		if err := usageTerms(r.Charging, &plan); err != nil {
			return nil, nil, err
		}
		plans = append(plans, plan)
	}
	return sp, plans, nil
}

// Limits of what a merchant may register.
const (
	// MaxPlans is the most plans of one spec: a plan per period type, or a handful of
	// pay-per-use billing items, are all KooGallery sells.
	MaxPlans = 20
	// MinKeyLen is the shortest key or secret accepted: they are HMAC keys and passwords that no
	// one types.
	MinKeyLen = 16
)

// text checks a string field's length in characters and refuses control characters.
func text(name, v string, lo, hi int) error {
	n := utf8.RuneCountInString(v)
	if n < lo || n > hi {
		return market.Invalid(name, "%s must be %d to %d characters", name, lo, hi)
	}
	if !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return market.Invalid(name, "%s contains control characters or invalid UTF-8", name)
	}
	return nil
}

// ID checks an identifier that appears in URLs and file names: 4 to 64 letters, digits, '-' and
// '_', starting with a letter or digit. No dots or slashes, so that no ID can walk a path.
func ID(name, v string) error {
	if len(v) < 4 || len(v) > 64 {
		return market.Invalid(name, "%s must be 4 to 64 characters", name)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '-' && c != '_') {
			return market.Invalid(name, "%s %q may hold only letters, digits, '-' and '_', and starts with a letter or digit", name, v)
		}
	}
	return nil
}

// secret checks a key: at least min printable ASCII characters, at most 128.
func secret(name, v string, min int) error {
	if len(v) < min || len(v) > 128 {
		return market.Invalid(name, "%s must be %d to 128 characters", name, min)
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x21 || v[i] > 0x7e {
			return market.Invalid(name, "%s may hold only printable ASCII without spaces", name)
		}
	}
	return nil
}

// orSecret returns v, or a fresh secret of n characters when v is empty.
func orSecret(v string, n int) string {
	if v == "" {
		return market.NewSecret(n)
	}
	return v
}

// usageTerms checks and completes a plan's pay-per-use terms: pricing and cycle for pay-per-use
// items, the prepaid quota for packages, nothing for the others.
func usageTerms(c market.Charging, p *market.Plan) error {
	switch c {
	case market.ChargingOnDemand:
		if p.PackageItem != "" || p.PackageQuota != 0 {
			return market.Errorf(market.CodeInvalid, "only package plans have a package quota")
		}
		p.Pricing, p.Cycle = cmp.Or(p.Pricing, market.PricingFixed), cmp.Or(p.Cycle, market.CycleHourly)
		if p.Cycle != market.CycleHourly && p.Cycle != market.CycleDaily {
			return market.Errorf(market.CodeInvalid, "cycle must be HOURLY or DAILY")
		}
		return checkTiers(p)
	case market.ChargingOnDemandPkg:
		if p.PackageItem == "" || p.PackageQuota <= 0 {
			return market.Errorf(market.CodeInvalid, "a package plan needs package_item (a pay-per-use productId) and a package_quota above 0")
		}
	default:
		if p.PackageItem != "" || p.PackageQuota != 0 {
			return market.Errorf(market.CodeInvalid, "only package plans have a package quota")
		}
	}
	if p.Pricing != "" || len(p.Tiers) > 0 || p.Cycle != "" {
		return market.Errorf(market.CodeInvalid, "pricing, tiers and cycle are for pay-per-use plans")
	}
	return nil
}

// checkTiers: FIXED has no tiers; STEP and TIER have 1 to 20 tiers with rising limits, the last
// without limit (up_to 0), and no negative price.
func checkTiers(p *market.Plan) error {
	switch p.Pricing {
	case market.PricingFixed:
		if len(p.Tiers) > 0 {
			return market.Errorf(market.CodeInvalid, "FIXED pricing has no tiers")
		}
		return nil
	case market.PricingStep, market.PricingTier:
	default:
		return market.Errorf(market.CodeInvalid, "pricing must be FIXED, STEP or TIER")
	}
	if len(p.Tiers) == 0 || len(p.Tiers) > 20 {
		return market.Errorf(market.CodeInvalid, "%s pricing needs 1 to 20 tiers", p.Pricing)
	}
	var prev market.Quantity
	for i, t := range p.Tiers {
		last := i == len(p.Tiers)-1
		if t.Price < 0 || last != (t.UpTo == 0) || !last && t.UpTo <= prev {
			return market.Errorf(market.CodeInvalid, "tiers need rising up_to limits, the last one 0 (no limit), and prices of 0 or more")
		}
		prev = t.UpTo
	}
	return nil
}
