package publish

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// What approved applications do, in the transaction that approves them.

// removing are the statuses a removal takes to DISCONTINUED.
var removing = []market.SalesStatus{market.StatusOnSalePublic, market.StatusOnSaleHidden, market.StatusRemovalPending}

func (s *Service) apply(ctx context.Context, tx *store.Tx, app *market.Application) error {
	switch app.Type {
	case market.AppRelease:
		return s.release(ctx, tx, app)
	case market.AppModification:
		return s.modify(ctx, tx, app)
	case market.AppVisibility:
		var vis Visibility
		if err := json.Unmarshal(app.Payload, &vis); err != nil {
			return err
		}
		return s.setVisibility(ctx, tx, app.ProductID, &vis)
	case market.AppRemoval:
		var rm Removal
		if err := json.Unmarshal(app.Payload, &rm); err != nil {
			return err
		}
		return s.discontinue(ctx, tx, app.ProductID, &rm)
	}
	return nil // an approved business plan is shown as it is
}

// release puts a drafted product on sale: its specs, SKUs and plans are stored, its listing
// (with the attribute templates of its category copied in) becomes the approved one.
func (s *Service) release(ctx context.Context, tx *store.Tx, app *market.Application) error {
	var d Draft
	if err := json.Unmarshal(app.Payload, &d); err != nil {
		return err
	}
	status := market.StatusOnSaleHidden
	if d.Listing.Public {
		status = market.StatusOnSalePublic
	}
	p, err := s.catalog.Build(catalog.ProductRequest{ID: app.ProductID, MerchantID: app.MerchantID, Name: d.Listing.Name,
		Category: d.Listing.Category, Specs: d.Specs}, status, s.clock.Now())
	if err != nil {
		return err
	}
	if err := s.catalog.InsertSpecs(ctx, tx, p); err != nil {
		return err
	}
	if err := s.setListing(ctx, tx, app.ProductID, &d.Listing); err != nil {
		return err
	}
	ok, err := tx.SetProductStatus(ctx, app.ProductID, status, market.StatusDraft)
	if err == nil && !ok {
		err = market.Errorf(market.CodeConflict, "product %s is no longer a draft", app.ProductID)
	}
	return err
}

// setListing stores an approved listing, with the attribute templates of its category copied
// in (rules §1.11: later edits of a template leave listed products alone).
func (s *Service) setListing(ctx context.Context, tx *store.Tx, productID string, l *market.Listing) error {
	if l.Category != "" && len(l.Attributes) == 0 {
		p, err := tx.Product(ctx, productID)
		if err != nil {
			return err
		}
		if l.Attributes, err = s.templateCopy(ctx, tx.Reader, p.MerchantID, l.Category); err != nil {
			return err
		}
	}
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	if err := tx.UpdateProductInfo(ctx, productID, l.Name, l.Category); err != nil {
		return err
	}
	return tx.SetListing(ctx, productID, b)
}

// modify applies a staged copy: the listing, the names and hidden flags of listed specs, the new
// specs; a change of the public flag is a visibility change.
func (s *Service) modify(ctx context.Context, tx *store.Tx, app *market.Application) error {
	var d Draft
	if err := json.Unmarshal(app.Payload, &d); err != nil {
		return err
	}
	p, err := tx.Product(ctx, app.ProductID)
	if err != nil {
		return err
	}
	existing, err := specsByCode(ctx, tx.Reader, p.ID)
	if err != nil {
		return err
	}
	add := &catalog.Product{Product: *p}
	var news []catalog.SpecRequest
	vis := &Visibility{Public: &d.Listing.Public, Specs: map[string]bool{}}
	for _, sr := range d.Specs {
		sp, listed := existing[sr.SkuCode]
		if !listed {
			news = append(news, sr)
			continue
		}
		if err := tx.UpdateSpecNames(ctx, sp.SkuCode, sr.Name, sr.NameEN); err != nil {
			return err
		}
		vis.Specs[sp.SkuCode] = sr.Hidden
	}
	var probs market.Problems
	s.catalog.BuildSpecs(&probs, add, news, 0)
	if err := probs.Err(); err != nil {
		return err
	}
	if err := s.catalog.InsertSpecs(ctx, tx, add); err != nil {
		return err
	}
	if err := s.setListing(ctx, tx, p.ID, &d.Listing); err != nil {
		return err
	}
	return s.setVisibility(ctx, tx, p.ID, vis)
}

func specsByCode(ctx context.Context, r store.Reader, productID string) (map[string]*market.Spec, error) {
	specs, err := r.SpecsOf(ctx, productID)
	out := map[string]*market.Spec{}
	for _, sp := range specs {
		out[sp.SkuCode] = sp
	}
	return out, err
}

// setVisibility hides or unhides a product and specs. Unhiding a product makes all its specs
// public (rules §1.5); specs named in the same change are then hidden or shown as it says. Each
// change of a product's status is posted to the seller (rules §0).
func (s *Service) setVisibility(ctx context.Context, tx *store.Tx, productID string, vis *Visibility) error {
	p, err := tx.Product(ctx, productID)
	if err != nil {
		return err
	}
	if vis.Public != nil {
		to, from := market.StatusOnSaleHidden, market.StatusOnSalePublic
		if *vis.Public {
			to, from = from, to
		}
		changed, err := tx.SetProductStatus(ctx, productID, to, from)
		if err != nil {
			return err
		}
		if changed && *vis.Public {
			if err := tx.SetSpecsStatus(ctx, productID, market.StatusOnSalePublic, market.StatusOnSaleHidden); err != nil {
				return err
			}
		}
		if changed {
			if err := s.notify.Post(ctx, tx, p.MerchantID, "product.status", productID, "product %s is now %s", productID, to); err != nil {
				return err
			}
		}
		if err := s.patchListing(ctx, tx, productID, func(l *market.Listing) { l.Public = *vis.Public }); err != nil {
			return err
		}
	}
	for sku, hidden := range vis.Specs {
		to, from := market.StatusOnSalePublic, market.StatusOnSaleHidden
		if hidden {
			to, from = from, to
		}
		changed, err := tx.SetSpecStatus(ctx, sku, to, from)
		if err != nil {
			return err
		}
		if changed {
			if err := tx.SetSKUsStatus(ctx, sku, to, from); err != nil {
				return err
			}
			if err := s.notify.Post(ctx, tx, p.MerchantID, "spec.status", sku, "spec %s of product %s is now %s", sku, productID, to); err != nil {
				return err
			}
		}
	}
	return nil
}

// patchListing changes the stored listing of a product.
func (s *Service) patchListing(ctx context.Context, tx *store.Tx, productID string, f func(*market.Listing)) error {
	b, err := tx.Listing(ctx, productID)
	if err != nil {
		return err
	}
	var l market.Listing
	if len(b) > 0 {
		if err := json.Unmarshal(b, &l); err != nil {
			return err
		}
	}
	f(&l)
	if b, err = json.Marshal(l); err != nil {
		return err
	}
	return tx.SetListing(ctx, productID, b)
}

// removalReviewed says whether a removal of the product waits for the operator (by sales type).
func (s *Service) removalReviewed(ctx context.Context, r store.Reader, productID string) (bool, error) {
	l, err := listingOf(ctx, r, productID)
	if err != nil {
		return false, err
	}
	review, ok := s.cfg.RemovalReview[salesType(l)]
	return review || !ok, nil
}

func salesType(l *market.Listing) market.SalesType {
	if l.SalesType == "" {
		return market.SalesCommon
	}
	return l.SalesType
}

func listingOf(ctx context.Context, r store.Reader, productID string) (*market.Listing, error) {
	b, err := r.Listing(ctx, productID)
	var l market.Listing
	if err == nil && len(b) > 0 {
		err = json.Unmarshal(b, &l)
	}
	return &l, err
}

// holdForRemoval puts a removal's target in REMOVAL_PENDING and remembers its status.
func (s *Service) holdForRemoval(ctx context.Context, tx *store.Tx, app *market.Application) error {
	var rm Removal
	if err := json.Unmarshal(app.Payload, &rm); err != nil {
		return err
	}
	prev, err := s.removalStatus(ctx, tx.Reader, app.ProductID, &rm)
	if err != nil {
		return err
	}
	rm.Previous = prev
	if app.Payload, err = json.Marshal(rm); err != nil {
		return err
	}
	if _, err := tx.UpdateApplication(ctx, app, app.State); err != nil {
		return err
	}
	ok, err := s.setRemovalStatus(ctx, tx, app.ProductID, &rm, market.StatusRemovalPending, prev)
	if err == nil && !ok {
		err = market.Errorf(market.CodeConflict, "the removal's target changed meanwhile")
	}
	return err
}

// undoHold gives a withdrawn or rejected removal's target back the status it had.
func (s *Service) undoHold(ctx context.Context, tx *store.Tx, app *market.Application) error {
	if app.Type != market.AppRemoval {
		return nil
	}
	var rm Removal
	if err := json.Unmarshal(app.Payload, &rm); err != nil {
		return err
	}
	if rm.Previous == "" {
		return nil
	}
	_, err := s.setRemovalStatus(ctx, tx, app.ProductID, &rm, rm.Previous, market.StatusRemovalPending)
	return err
}

func (s *Service) removalStatus(ctx context.Context, r store.Reader, productID string, rm *Removal) (market.SalesStatus, error) {
	switch {
	case rm.SkuID != "":
		k, err := r.SKU(ctx, rm.SkuID)
		return k.Status, err
	case rm.SkuCode != "":
		sp, err := r.Spec(ctx, rm.SkuCode)
		return sp.Status, err
	}
	p, err := r.Product(ctx, productID)
	return p.Status, err
}

func (s *Service) setRemovalStatus(ctx context.Context, tx *store.Tx, productID string, rm *Removal, to market.SalesStatus, from ...market.SalesStatus) (bool, error) {
	switch {
	case rm.SkuID != "":
		return tx.SetSKUStatus(ctx, rm.SkuID, to, from...)
	case rm.SkuCode != "":
		return tx.SetSpecStatus(ctx, rm.SkuCode, to, from...)
	}
	return tx.SetProductStatus(ctx, productID, to, from...)
}

// discontinue removes a product, spec or SKU for good, with the cascade (rules §1.6): a product
// takes all its specs and SKUs with it, a spec its SKUs. Features are told of each spec and SKU.
func (s *Service) discontinue(ctx context.Context, tx *store.Tx, productID string, rm *Removal) error {
	ok, err := s.setRemovalStatus(ctx, tx, productID, rm, market.StatusDiscontinued, removing...)
	if err != nil {
		return err
	}
	if !ok {
		return market.Errorf(market.CodeConflict, "the removal's target is no longer on sale")
	}
	var specs []*market.Spec
	switch {
	case rm.SkuID != "":
		return s.told(ctx, tx, productID, rm.SkuCode, rm.SkuID)
	case rm.SkuCode != "":
		sp, err := tx.Spec(ctx, rm.SkuCode)
		if err != nil {
			return err
		}
		specs = []*market.Spec{sp}
	default:
		if specs, err = tx.SpecsOf(ctx, productID); err != nil {
			return err
		}
		if err := tx.SetSpecsStatus(ctx, productID, market.StatusDiscontinued, removing...); err != nil {
			return err
		}
	}
	for _, sp := range specs {
		if err := tx.SetSKUsStatus(ctx, sp.SkuCode, market.StatusDiscontinued, removing...); err != nil {
			return err
		}
		if err := s.told(ctx, tx, productID, sp.SkuCode, ""); err != nil {
			return err
		}
		skus, err := tx.SKUsOf(ctx, sp.SkuCode)
		if err != nil {
			return err
		}
		for _, k := range skus {
			if err := s.told(ctx, tx, productID, sp.SkuCode, k.ID); err != nil {
				return err
			}
		}
	}
	what := strings.TrimSuffix("product "+productID+" "+rm.target(), " ")
	p, err := tx.Product(ctx, productID)
	if err != nil {
		return err
	}
	return s.notify.Post(ctx, tx, p.MerchantID, "product.discontinued", productID, "%s is discontinued: %s", what, rm.Reason)
}

func (s *Service) told(ctx context.Context, tx *store.Tx, productID, skuCode, skuID string) error {
	for _, f := range s.discontinued {
		if err := f(ctx, tx, productID, skuCode, skuID); err != nil {
			return err
		}
	}
	return nil
}
