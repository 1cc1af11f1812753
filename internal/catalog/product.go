package catalog

import (
	"fmt"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
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
	// Delivery is SAAS (the default: the merchant's production interface), LICENSE (license
	// codes issued by the marketplace), or HARDWARE, SERVICE or IMAGE (delivered offline; see
	// docs/after-sale.md).
	Delivery market.Delivery `json:"delivery,omitempty"`
	// Hidden sells the spec through its own link only (rules §1.5).
	Hidden bool `json:"hidden,omitempty"`
	// AssetID makes the spec an auto-deploy spec: it selects an approved asset of the merchant
	// (rules §5.2, §5.4), whose template the buyer deploys (internal/deploy checks and keeps it).
	AssetID string `json:"asset_id,omitempty"`
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
	probs.Merge("id", "id", ID("id", r.ID))
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
	case market.DeliveryLicense, market.DeliveryHardware, market.DeliveryService, market.DeliveryImage:
		if r.Charging != market.ChargingPeriod && r.Charging != market.ChargingOneTime {
			probs.Add(f+".delivery", "offline-billing", "a %s spec is billed by period or once (rules §1.7)", strings.ToLower(string(sp.Delivery)))
		}
	default:
		probs.Add(f+".delivery", "enum", "delivery must be SAAS, LICENSE, HARDWARE, SERVICE or IMAGE")
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
	if len(r.Plans) == 0 || len(r.Plans) > MaxPlans {
		probs.Add(f+".plans", "count", "spec %s needs 1 to %d plans", r.Name, MaxPlans)
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
		if pr.Price < 0 || pr.Price > market.MaxAmount {
			probs.Add(pf+".price", "price", "a price is 0 to %s", market.MaxAmount)
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
