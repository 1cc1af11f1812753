package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// ProductRequest describes a product with its specs, SKUs and plans.
type ProductRequest struct {
	ID         string        `json:"id,omitempty"`
	MerchantID string        `json:"merchant_id"`
	Name       string        `json:"name"`
	Category   string        `json:"category,omitempty"`
	Specs      []SpecRequest `json:"specs"`
}

// SpecRequest is one spec of a product.
type SpecRequest struct {
	SkuCode string `json:"sku_code,omitempty"`
	Name    string `json:"name"`
	// NameEN is the English name on English bills (rules §1.3); the publishing rules require it.
	NameEN    string          `json:"name_en,omitempty"`
	Charging  market.Charging `json:"charging"`
	TrialDays int             `json:"trial_days,omitempty"`
	// Delivery is SAAS (the default: the merchant's production interface) or LICENSE (license
	// codes issued by the marketplace).
	Delivery market.Delivery `json:"delivery,omitempty"`
	// Hidden sells the spec through its own link only (rules §1.5).
	Hidden bool `json:"hidden,omitempty"`
	// SKUs are the spec's attribute combinations; with SKUs, every plan names the SKU it prices.
	SKUs  []SKURequest  `json:"skus,omitempty"`
	Plans []PlanRequest `json:"plans"`
}

// SKURequest is one SKU of a spec. Unit, Step and Max give it a quantity attribute (users,
// seats): it is bought in multiples of Step up to Max, and its plans price one unit.
type SKURequest struct {
	ID         string            `json:"id,omitempty"`
	Name       string            `json:"name"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Unit       string            `json:"unit,omitempty"`
	Step       int64             `json:"step,omitempty"`
	Max        int64             `json:"max,omitempty"`
}

// PlanRequest is one plan of a spec; ProductID (KooGallery's productId) is generated when empty.
type PlanRequest struct {
	ProductID string       `json:"product_id,omitempty"`
	Period    string       `json:"period,omitempty"`
	Price     market.Money `json:"price"`
	// SKU is the ID of the spec's SKU this plan prices (required when the spec has SKUs).
	SKU string `json:"sku,omitempty"`
	// Pay-per-use billing items: pricing (FIXED, STEP or TIER, with tiers) and the collection
	// cycle (HOURLY or DAILY). A quantity SKU's period plans use pricing and tiers too: FIXED is
	// linear, TIER tiered, STEP volume pricing of the units (rules §1.7).
	Pricing market.Pricing `json:"pricing,omitempty"`
	Tiers   []market.Tier  `json:"tiers,omitempty"`
	Cycle   market.Cycle   `json:"cycle,omitempty"`
	// Package plans: the quota of the billing item (a pay-per-use plan's productId) they prepay.
	PackageItem  string          `json:"package_item,omitempty"`
	PackageQuota market.Quantity `json:"package_quota,omitempty"`
}

// Product is a product as built from a request: its specs, SKUs and plans.
type Product struct {
	Product market.Product
	Specs   []market.Spec
	SKUs    []market.SKU
	Plans   []market.Plan
}

// Build checks a request against the billing rules and returns the product it describes, in
// status, every broken rule reported at once with its field. IDs left empty are generated.
func (s *Service) Build(r ProductRequest, status market.SalesStatus, now time.Time) (*Product, error) {
	var probs market.Problems
	text(&probs, "name", r.Name, 1, 100)
	text(&probs, "category", r.Category, 0, 64)
	if len(r.Specs) == 0 || len(r.Specs) > 50 {
		probs.Add("specs", "count", "a product has 1 to 50 specs")
	}
	if r.ID == "" {
		r.ID = "p-" + strings.ToLower(market.NewSecret(12))
	}
	text(&probs, "id", r.ID, 1, 64)
	p := &Product{Product: market.Product{ID: r.ID, MerchantID: r.MerchantID, Name: r.Name, Category: r.Category, Status: status, CreatedAt: now}}
	s.BuildSpecs(&probs, p, r.Specs, 0)
	return p, probs.Err()
}

// BuildSpecs checks specs (the first numbered first in field paths) and adds them to p.
func (s *Service) BuildSpecs(probs *market.Problems, p *Product, specs []SpecRequest, first int) {
	codes, plans := map[string]bool{}, map[string]bool{}
	for i, sr := range specs {
		f := fmt.Sprintf("specs[%d]", first+i)
		if sr.SkuCode == "" {
			sr.SkuCode = market.NewUUID()
		}
		if codes[sr.SkuCode] {
			probs.Add(f+".sku_code", "unique", "sku_code %s appears twice", sr.SkuCode)
		}
		codes[sr.SkuCode] = true
		for _, pr := range sr.Plans {
			if pr.ProductID != "" && plans[pr.ProductID] {
				probs.Add(f+".plans", "unique", "product_id %s appears twice", pr.ProductID)
			}
			plans[pr.ProductID] = pr.ProductID != ""
		}
		s.spec(probs, f, p, sr)
	}
}

// spec checks one spec request, its SKUs and its plans.
func (s *Service) spec(probs *market.Problems, f string, p *Product, r SpecRequest) {
	text(probs, f+".name", r.Name, 1, 50)
	text(probs, f+".name_en", r.NameEN, 0, 50)
	text(probs, f+".sku_code", r.SkuCode, 1, 64)
	sp := market.Spec{SkuCode: r.SkuCode, ProductID: p.Product.ID, Name: r.Name, NameEN: r.NameEN, Charging: r.Charging, TrialDays: r.TrialDays,
		Delivery: r.Delivery, Status: market.StatusOnSalePublic}
	if r.Hidden {
		sp.Status = market.StatusOnSaleHidden
	}
	switch sp.Delivery {
	case "":
		sp.Delivery = market.DeliverySaaS
	case market.DeliverySaaS:
	case market.DeliveryLicense:
		if r.Charging != market.ChargingPeriod && r.Charging != market.ChargingOneTime {
			probs.Add(f+".delivery", "license-billing", "a license spec is billed by period or once (rules §1.7)")
		}
	default:
		probs.Add(f+".delivery", "enum", "delivery must be SAAS or LICENSE")
	}
	switch r.Charging {
	case market.ChargingPeriod, market.ChargingOneTime, market.ChargingOnDemand, market.ChargingOnDemandPkg:
	default:
		probs.Add(f+".charging", "enum", "charging must be PERIOD, ONE_TIME, ON_DEMAND or ON_DEMAND_PKG")
	}
	if r.TrialDays != 0 && (r.Charging != market.ChargingPeriod || r.TrialDays < 3 || r.TrialDays > 180) {
		probs.Add(f+".trial_days", "trial", "a trial is 3 to 180 days, on period specs only")
	}
	skus := s.skus(probs, f, p, r)
	if len(r.Plans) == 0 {
		probs.Add(f+".plans", "count", "spec %s needs at least one plan", r.Name)
	}
	periods, priced := map[string]bool{}, map[string]bool{}
	for j, pr := range r.Plans {
		pf := fmt.Sprintf("%s.plans[%d]", f, j)
		k, ok := skus[pr.SKU]
		switch {
		case len(skus) > 0 && !ok:
			probs.Add(pf+".sku", "sku", "a plan of a spec with SKUs names one of them")
		case len(skus) == 0 && pr.SKU != "":
			probs.Add(pf+".sku", "sku", "spec %s has no SKUs", r.Name)
		}
		priced[pr.SKU] = true
		if r.Charging == market.ChargingPeriod {
			if pr.Period != market.PeriodYear && pr.Period != market.PeriodMonth && pr.Period != market.PeriodDay {
				probs.Add(pf+".period", "period", "a period plan is year, month or day")
			}
			if periods[pr.SKU+"/"+pr.Period] {
				probs.Add(pf+".period", "unique", "spec %s has two %s plans for one SKU", r.Name, pr.Period)
			}
			periods[pr.SKU+"/"+pr.Period] = true
		} else if pr.Period != "" {
			probs.Add(pf+".period", "period", "only period specs have a period")
		}
		if pr.Price < 0 {
			probs.Add(pf+".price", "price", "a price cannot be negative")
		}
		id := pr.ProductID
		if id == "" {
			id = "OFFI" + strings.ToUpper(market.NewSecret(18))
		}
		text(probs, pf+".product_id", id, 1, 64)
		plan := market.Plan{ProductID: id, SkuCode: sp.SkuCode, Period: pr.Period, Price: pr.Price, Currency: s.cfg.Currency, SkuID: pr.SKU,
			Pricing: pr.Pricing, Tiers: pr.Tiers, Cycle: pr.Cycle, PackageItem: pr.PackageItem, PackageQuota: pr.PackageQuota}
		quantity := ok && k.Unit != ""
		if quantity && r.Charging != market.ChargingPeriod {
			probs.Add(f+".skus", "quantity", "only period specs have SKUs with a quantity attribute")
		}
		if err := usageTerms(r.Charging, quantity, &plan); err != nil {
			probs.Add(pf, "billing", "%s", market.ErrorMessage(err))
		}
		p.Plans = append(p.Plans, plan)
	}
	for id := range skus {
		if !priced[id] {
			probs.Add(f+".skus", "priced", "SKU %s has no plan", id)
		}
	}
	p.Specs = append(p.Specs, sp)
}

// skus checks a spec's SKUs and adds them to p, by ID.
func (s *Service) skus(probs *market.Problems, f string, p *Product, r SpecRequest) map[string]market.SKU {
	out := map[string]market.SKU{}
	for j, kr := range r.SKUs {
		kf := fmt.Sprintf("%s.skus[%d]", f, j)
		if kr.ID == "" {
			kr.ID = "sku-" + strings.ToLower(market.NewSecret(12))
		}
		text(probs, kf+".id", kr.ID, 1, 64)
		text(probs, kf+".name", kr.Name, 1, 50)
		if _, dup := out[kr.ID]; dup {
			probs.Add(kf+".id", "unique", "SKU %s appears twice", kr.ID)
		}
		if len(kr.Attributes) > 10 {
			probs.Add(kf+".attributes", "count", "a SKU has at most 10 enumeration attributes")
		}
		if kr.Unit != "" && (kr.Step < 1 || kr.Max < kr.Step || kr.Max%kr.Step != 0) {
			probs.Add(kf+".step", "quantity", "a quantity attribute needs a step of at least 1 and a max that is a multiple of it")
		}
		if kr.Unit == "" && (kr.Step != 0 || kr.Max != 0) {
			probs.Add(kf+".unit", "quantity", "step and max belong to a quantity attribute: name its unit")
		}
		k := market.SKU{ID: kr.ID, SkuCode: r.SkuCode, Name: kr.Name, Attributes: kr.Attributes, Unit: kr.Unit, Step: kr.Step, Max: kr.Max,
			Status: market.StatusOnSalePublic}
		if r.Hidden {
			k.Status = market.StatusOnSaleHidden
		}
		out[kr.ID] = k
		p.SKUs = append(p.SKUs, k)
	}
	return out
}

// Insert stores a built product with its specs, SKUs and plans in tx; listing is its approved
// listing (JSON). An ID that exists already is a conflict.
func (s *Service) Insert(ctx context.Context, tx *store.Tx, p *Product, listing []byte) error {
	if _, err := tx.Merchant(ctx, p.Product.MerchantID); err != nil {
		return err
	}
	if _, err := tx.Product(ctx, p.Product.ID); err == nil {
		return market.Errorf(market.CodeConflict, "product %s exists", p.Product.ID)
	}
	if err := tx.InsertProduct(ctx, &p.Product); err != nil {
		return err
	}
	if err := tx.SetListing(ctx, p.Product.ID, listing); err != nil {
		return err
	}
	return s.InsertSpecs(ctx, tx, p)
}

// InsertSpecs stores p's specs, SKUs and plans (the new specs of a modification too).
func (s *Service) InsertSpecs(ctx context.Context, tx *store.Tx, p *Product) error {
	for i := range p.Specs {
		if _, err := tx.Spec(ctx, p.Specs[i].SkuCode); err == nil {
			return market.Errorf(market.CodeConflict, "skuCode %s exists", p.Specs[i].SkuCode)
		}
		if err := tx.InsertSpec(ctx, &p.Specs[i]); err != nil {
			return err
		}
	}
	for i := range p.SKUs {
		if err := tx.InsertSKU(ctx, &p.SKUs[i]); err != nil {
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
}

// CreateProduct is the operator putting a product on sale directly. It still goes through an
// application, created and approved in the same transaction and recorded as the operator's, so
// that every product on sale has an approved release application behind it.
func (s *Service) CreateProduct(ctx context.Context, v market.Viewer, r ProductRequest) (*Product, error) {
	if err := v.MustBeOperator(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	p, err := s.Build(r, market.StatusOnSalePublic, now)
	if err != nil {
		return nil, err
	}
	r.ID = p.Product.ID
	payload, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	listing, err := json.Marshal(market.Listing{Name: r.Name, Category: r.Category, Public: true})
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := s.Insert(ctx, tx, p, listing); err != nil {
			return err
		}
		app := &market.Application{ID: NewApplicationID(), MerchantID: p.Product.MerchantID, ProductID: p.Product.ID, Type: market.AppRelease,
			State: market.AppApproved, Payload: payload, Comment: "put on sale by the operator", SubmittedAt: now, DueAt: now,
			CreatedBy: "operator", CreatedAt: now, UpdatedAt: now}
		return tx.RecordApplication(ctx, app, "", []market.Transition{
			{From: market.AppDraft, To: market.AppPending, By: "operator", At: now},
			{From: market.AppPending, To: market.AppApproved, By: "operator", Comment: app.Comment, At: now},
		})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// NewApplicationID returns a fresh application ID.
func NewApplicationID() string { return "app-" + strings.ToLower(market.NewSecret(16)) }

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
	return market.Invalid("package_item", "package_item %s is not a pay-per-use plan", pl.PackageItem)
}

func specOf(p *Product, sku string) market.Spec {
	for _, s := range p.Specs {
		if s.SkuCode == sku {
			return s
		}
	}
	return market.Spec{}
}

// text checks a string field's length in characters.
func text(probs *market.Problems, name, v string, lo, hi int) {
	n := utf8.RuneCountInString(v)
	if n < lo || n > hi {
		probs.Add(name, "length", "%s must be %d to %d characters", name, lo, hi)
	}
	if strings.ContainsAny(v, "\x00\r\n") {
		probs.Add(name, "characters", "%s contains control characters", name)
	}
}

// usageTerms checks and completes a plan's pricing terms: pricing and cycle for pay-per-use
// items, the prepaid quota for packages, pricing and tiers for the units of a quantity SKU,
// nothing for the others.
func usageTerms(c market.Charging, quantity bool, p *market.Plan) error {
	switch {
	case c == market.ChargingOnDemand:
		if p.PackageItem != "" || p.PackageQuota != 0 {
			return market.Errorf(market.CodeInvalid, "only package plans have a package quota")
		}
		p.Pricing, p.Cycle = orPricing(p.Pricing), orCycle(p.Cycle)
		if p.Cycle != market.CycleHourly && p.Cycle != market.CycleDaily {
			return market.Errorf(market.CodeInvalid, "cycle must be HOURLY or DAILY")
		}
		return checkTiers(p)
	case c == market.ChargingOnDemandPkg:
		if p.PackageItem == "" || p.PackageQuota <= 0 {
			return market.Errorf(market.CodeInvalid, "a package plan needs package_item (a pay-per-use productId) and a package_quota above 0")
		}
	case quantity:
		if p.PackageItem != "" || p.PackageQuota != 0 || p.Cycle != "" {
			return market.Errorf(market.CodeInvalid, "a quantity SKU's plan has pricing and tiers, no cycle or package")
		}
		p.Pricing = orPricing(p.Pricing)
		return checkTiers(p)
	default:
		if p.PackageItem != "" || p.PackageQuota != 0 {
			return market.Errorf(market.CodeInvalid, "only package plans have a package quota")
		}
	}
	if p.Pricing != "" || len(p.Tiers) > 0 || p.Cycle != "" {
		return market.Errorf(market.CodeInvalid, "pricing, tiers and cycle are for pay-per-use plans and quantity SKUs")
	}
	return nil
}

func orPricing(p market.Pricing) market.Pricing {
	if p == "" {
		return market.PricingFixed
	}
	return p
}

func orCycle(c market.Cycle) market.Cycle {
	if c == "" {
		return market.CycleHourly
	}
	return c
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
