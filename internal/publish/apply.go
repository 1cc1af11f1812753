package publish

import (
	"context"
	"encoding/json"

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
	if err := s.specsStored(ctx, tx, &p.Product, p.Specs, d.Specs); err != nil {
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
	if err := s.specsStored(ctx, tx, p, add.Specs, news); err != nil {
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

// specsStored tells the spec hooks about specs just stored.
func (s *Service) specsStored(ctx context.Context, tx *store.Tx, p *market.Product, built []market.Spec, reqs []catalog.SpecRequest) error {
	for _, h := range s.specHooks {
		if h.Stored == nil {
			continue
		}
		if err := h.Stored(ctx, tx, p, built, reqs); err != nil {
			return err
		}
	}
	return nil
}
