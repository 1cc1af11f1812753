package publish

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Hiding and removal (rules §1.5, §1.6), and the business plans of joint-operation products
// (rules §2): the checks run when they are submitted.

// checkVisibility: a visibility change is about the product's own specs, all on sale.
func (s *Service) checkVisibility(ctx context.Context, r store.Reader, p *market.Product, vis *Visibility) error {
	var probs market.Problems
	if vis.Public == nil && len(vis.Specs) == 0 {
		probs.Add("visibility", "visibility.empty", "say what to hide or unhide: public, specs or both")
	}
	if !p.Status.OnSale() {
		probs.Add("product_id", "status.on-sale", "product %s is %s: only what is on sale is hidden or unhidden", p.ID, p.Status)
	}
	for sku := range vis.Specs {
		sp, err := r.Spec(ctx, sku)
		switch {
		case market.ErrorCode(err) == market.CodeNotFound || err == nil && sp.ProductID != p.ID:
			probs.Add("visibility.specs."+sku, "spec.of-product", "spec %s is not a spec of product %s", sku, p.ID)
		case err != nil:
			return err
		case !sp.Status.OnSale():
			probs.Add("visibility.specs."+sku, "status.on-sale", "spec %s is %s: it cannot be hidden or unhidden", sku, sp.Status)
		}
	}
	return probs.Err()
}

// checkRemoval: a removal gives a reason and names something of the product that is on sale.
func (s *Service) checkRemoval(ctx context.Context, r store.Reader, p *market.Product, rm *Removal) error {
	var probs market.Problems
	if n := utf8.RuneCountInString(strings.TrimSpace(rm.Reason)); n < 1 || n > 2000 {
		probs.Add("removal.reason", "removal.reason", "a removal needs a reason (1 to 2000 characters)")
	}
	if len(rm.Proofs) > 10 {
		probs.Add("removal.proofs", "removal.proofs", "at most 10 proofs")
	}
	status := p.Status
	switch {
	case rm.SkuID != "":
		k, err := r.SKU(ctx, rm.SkuID)
		if err != nil && market.ErrorCode(err) != market.CodeNotFound {
			return err
		}
		if err != nil || k.SkuCode != rm.SkuCode {
			probs.Add("removal.sku_id", "sku.of-spec", "SKU %s is not a SKU of spec %s", rm.SkuID, rm.SkuCode)
			return probs.Err()
		}
		status = k.Status
		fallthrough
	case rm.SkuCode != "":
		sp, err := r.Spec(ctx, rm.SkuCode)
		if err != nil && market.ErrorCode(err) != market.CodeNotFound {
			return err
		}
		if err != nil || sp.ProductID != p.ID {
			probs.Add("removal.sku_code", "spec.of-product", "spec %s is not a spec of product %s", rm.SkuCode, p.ID)
			return probs.Err()
		}
		if rm.SkuID == "" {
			status = sp.Status
		}
	}
	if !status.OnSale() {
		probs.Add("removal", "status.on-sale", "%s is %s: only what is on sale can be removed", strings.TrimSpace("product "+p.ID+" "+rm.target()), status)
	}
	return probs.Err()
}

// checkPlan: a business plan is for a listed joint-operation product, and gives the GMV and the
// project count of the current year and the next two (rules §2).
func (s *Service) checkPlan(ctx context.Context, r store.Reader, p *market.Product, bp *BusinessPlan) error {
	var probs market.Problems
	l, err := listingOf(ctx, r, p.ID)
	if err != nil {
		return err
	}
	if l.SalesType != market.SalesJoint {
		probs.Add("product_id", "plan.joint", "business plans are for joint-operation products; %s is a common product", p.ID)
	}
	year := s.clock.Now().In(shanghai).Year()
	if len(bp.Years) != 3 {
		probs.Add("business_plan.years", "plan.years", "a plan covers %d, %d and %d: three years", year, year+1, year+2)
	}
	for i, y := range bp.Years {
		f := fmt.Sprintf("business_plan.years[%d]", i)
		if y.Year != year+i {
			probs.Add(f+".year", "plan.years", "year %d of the plan is %d, not %d", i+1, year+i, y.Year)
		}
		if y.GMV < 0 {
			probs.Add(f+".gmv", "plan.gmv", "GMV cannot be negative")
		}
		if y.Projects < 0 {
			probs.Add(f+".projects", "plan.projects", "the project count cannot be negative")
		}
	}
	return probs.Err()
}

// shanghai is the China site's time zone: a plan's "current year" is the merchant's.
var shanghai = time.FixedZone("CST", 8*3600)

// PlanOf returns a product's approved business plan, if it has one, as the product page shows it.
func (s *Service) PlanOf(ctx context.Context, v market.Viewer, productID string) (*market.Application, error) {
	if _, err := catalog.OwnProduct(ctx, s.db.Reader, v, productID); err != nil {
		return nil, err
	}
	apps, _, err := s.db.Applications(ctx, store.ApplicationFilter{ProductID: productID, Type: market.AppBusinessPlan, State: market.AppApproved,
		Page: store.Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	if len(apps) == 0 {
		return nil, market.Errorf(market.CodeNotFound, "product %s has no approved business plan", productID)
	}
	return apps[0], nil
}

// Unfreeze lifts a dial-test freeze (protocol §0.2), which only the operator does, once the
// merchant's interface works again.
func (s *Service) Unfreeze(ctx context.Context, v market.Viewer, productID string) error {
	if err := v.MustBeOperator(); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		p, err := tx.Product(ctx, productID)
		if err != nil {
			return err
		}
		ok, err := tx.SetFrozen(ctx, productID, false)
		if err != nil {
			return err
		}
		if !ok {
			return market.Errorf(market.CodeConflict, "product %s is not frozen", productID)
		}
		return s.notify.Post(ctx, tx, p.MerchantID, "product.unfrozen", productID, "product %s takes orders again", productID)
	})
}

// platform is who acts when the marketplace itself does (dial tests, failed-order limits).
var platform = market.Viewer{Role: "platform"}

// PlatformRemoval puts a product up for removal on the marketplace's own initiative (rules §1.6:
// more than five interface-caused failed orders in a month): a REMOVAL application submitted by
// the platform holds the product in REMOVAL_PENDING until the operator decides. It reports
// false, doing nothing, when the product is not on sale or already awaits a removal.
func (s *Service) PlatformRemoval(ctx context.Context, tx *store.Tx, productID, reason string) (bool, error) {
	p, err := tx.Product(ctx, productID)
	if err != nil || !p.Status.OnSale() {
		return false, err
	}
	rm := &Removal{Reason: reason}
	now := s.clock.Now()
	app := &market.Application{ID: catalog.NewApplicationID(), MerchantID: p.MerchantID, ProductID: p.ID, Type: market.AppRemoval, State: market.AppDraft,
		CreatedBy: by(platform), CreatedAt: now, UpdatedAt: now}
	if err := s.content(app, &ApplicationRequest{Type: market.AppRemoval, Removal: rm}); err != nil {
		return false, err
	}
	if err := tx.InsertApplication(ctx, app); err != nil {
		return false, err
	}
	if err := s.record(ctx, tx, platform, app, "", market.AppDraft, ""); err != nil {
		return false, err
	}
	app.SubmittedAt, app.DueAt = now, dueAt(now, s.cfg.ReviewDays)
	if err := s.move(ctx, tx, platform, app, market.AppPending, reason); err != nil {
		return false, err
	}
	return true, s.holdForRemoval(ctx, tx, app)
}
