package order

import (
	"context"
	"fmt"
	"slices"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Upgrade rules (rules §1.7). A rule goes from a source spec (or SKU) to a target of the same
// product. Targets are listed per source, as the seller console does: another spec or SKU (an
// upgrade), or for a SKU with a quantity attribute that SKU itself, with a scale-out step that
// is a multiple of the SKU's step, at most 5×. Whether a rule holds is decided whenever it is
// read, so it lapses the moment a side is discontinued, stops being billed by period, or is
// priced into conflict (the target no dearer than the source at a period type both offer).

// MaxStepMultiple bounds a scale-out step: at most five times the SKU's base step (rules §1.7).
const MaxStepMultiple = 5

// RuleRequest is one rule as a seller sets it.
type RuleRequest struct {
	Source market.SKURef `json:"source"`
	Target market.SKURef `json:"target"`
	// Step is the scale-out step of a rule from a quantity SKU to itself.
	Step int64 `json:"step,omitempty"`
}

// SetUpgradeRules replaces a listed product's rules. A seller may set rules only once the
// product's saved debug cases include the upgrade case (rules §1.7 #5); the operator may always.
func (s *Service) SetUpgradeRules(ctx context.Context, v market.Viewer, productID string, reqs []RuleRequest) ([]*market.UpgradeRule, error) {
	var out []*market.UpgradeRule
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		p, err := catalog.ProductFor(ctx, tx.Reader, v, productID, market.SellerOperations)
		if err != nil {
			return err
		}
		if !p.Status.Listed() {
			return market.Errorf(market.CodeConflict, "product %s is %s: rules are set on listed products", productID, p.Status)
		}
		if !v.IsOperator() {
			run, err := tx.SavedDebugRun(ctx, productID)
			if err != nil && market.ErrorCode(err) != market.CodeNotFound {
				return err
			}
			if run == nil || !run.Passed(market.CaseUpgrade) {
				return market.Invalid("rules", "debug the upgrade interface and save its case before setting upgrade rules (rules §1.7)")
			}
		}
		var probs market.Problems
		for i, r := range reqs {
			out = append(out, checkRule(ctx, tx.Reader, &probs, fmt.Sprintf("rules[%d]", i), p.ID, r))
		}
		if err := probs.Err(); err != nil {
			return err
		}
		return tx.ReplaceUpgradeRules(ctx, productID, out, s.clock.Now())
	})
	if err != nil {
		return nil, err
	}
	return s.UpgradeRules(ctx, v, productID)
}

// checkRule checks a rule's shape: both sides period specs (or SKUs of them) of the product, a
// scale-out only on a quantity SKU with a step of 1 to 5 times its base step.
func checkRule(ctx context.Context, r store.Reader, probs *market.Problems, f, productID string, req RuleRequest) *market.UpgradeRule {
	rule := &market.UpgradeRule{ProductID: productID, Source: req.Source, Target: req.Target, Step: req.Step}
	for _, side := range []struct {
		name string
		ref  market.SKURef
	}{{"source", req.Source}, {"target", req.Target}} {
		sp, k, err := resolve(ctx, r, side.ref)
		switch {
		case err != nil || sp.ProductID != productID:
			probs.Add(f+"."+side.name, "rule.of-product", "%s %s is not a spec or SKU of product %s", side.name, side.ref.SkuCode, productID)
		case sp.Charging != market.ChargingPeriod:
			probs.Add(f+"."+side.name, "rule.period", "rules are between yearly/monthly specs; %s is %s", sp.SkuCode, sp.Charging)
		case side.name == "source" && req.Source == req.Target:
			if k == nil || k.Unit == "" {
				probs.Add(f+".target", "rule.same", "a rule from a spec to itself is a scale-out, for a SKU with a quantity attribute")
			} else if req.Step < k.Step || req.Step%k.Step != 0 || req.Step > MaxStepMultiple*k.Step {
				probs.Add(f+".step", "rule.step", "the scale-out step is a multiple of %d (the SKU's step), at most %d", k.Step, MaxStepMultiple*k.Step)
			}
		}
	}
	if req.Source != req.Target && req.Step != 0 {
		probs.Add(f+".step", "rule.step", "only a scale-out rule (from a quantity SKU to itself) has a step")
	}
	return rule
}

// resolve reads the spec and SKU a reference names.
func resolve(ctx context.Context, r store.Reader, ref market.SKURef) (*market.Spec, *market.SKU, error) {
	sp, err := r.Spec(ctx, ref.SkuCode)
	if err != nil || ref.SkuID == "" {
		return sp, nil, err
	}
	k, err := r.SKU(ctx, ref.SkuID)
	if err == nil && k.SkuCode != sp.SkuCode {
		err = market.Errorf(market.CodeNotFound, "SKU %s not found in spec %s", ref.SkuID, sp.SkuCode)
	}
	return sp, k, err
}

// UpgradeRules lists a product's rules with their validity, for anyone who sees the product.
func (s *Service) UpgradeRules(ctx context.Context, v market.Viewer, productID string) ([]*market.UpgradeRule, error) {
	p, err := s.db.Product(ctx, productID)
	if err != nil {
		return nil, err
	}
	if !p.Status.OnSale() && !v.MayActFor(p.MerchantID) {
		return nil, market.Errorf(market.CodeNotFound, "product %s not found", productID)
	}
	rules, err := s.db.UpgradeRules(ctx, productID)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		if r.Invalid, err = validity(ctx, s.db.Reader, p, r); err != nil {
			return nil, err
		}
	}
	return rules, nil
}

// validity says why a rule no longer holds, or "" (rules §1.7 #1-4).
func validity(ctx context.Context, r store.Reader, p *market.Product, rule *market.UpgradeRule) (string, error) {
	if !p.Status.Listed() {
		return "the product is " + string(p.Status), nil
	}
	var plans [2][]*market.Plan
	units := false // a side priced per unit has no flat price to compare
	for i, ref := range []market.SKURef{rule.Source, rule.Target} {
		sp, k, err := resolve(ctx, r, ref)
		if market.ErrorCode(err) == market.CodeNotFound {
			return "a side no longer exists", nil
		}
		if err != nil {
			return "", err
		}
		switch {
		case !sp.Status.Listed(), k != nil && !k.Status.Listed():
			return fmt.Sprintf("%s is discontinued", ref.SkuCode), nil
		case sp.Charging != market.ChargingPeriod:
			return fmt.Sprintf("%s is no longer billed by period", ref.SkuCode), nil
		}
		units = units || k != nil && k.Unit != ""
		all, err := r.PlansOf(ctx, sp.SkuCode)
		if err != nil {
			return "", err
		}
		for _, pl := range all {
			if pl.SkuID == ref.SkuID && (pl.Period == market.PeriodYear || pl.Period == market.PeriodMonth) {
				plans[i] = append(plans[i], pl)
			}
		}
	}
	if rule.Source == rule.Target {
		return "", nil
	}
	common := false
	for _, src := range plans[0] {
		i := slices.IndexFunc(plans[1], func(t *market.Plan) bool { return t.Period == src.Period })
		if i < 0 {
			continue
		}
		common = true
		if !units && plans[1][i].Price <= src.Price {
			return fmt.Sprintf("price conflict: the %s target costs %s, not more than the source's %s", src.Period, plans[1][i].Price, src.Price), nil
		}
	}
	if !common {
		return "no yearly or monthly plan in common", nil
	}
	return "", nil
}
