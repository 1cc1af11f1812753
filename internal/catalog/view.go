package catalog

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Merchants lists the merchants v sees: every one for the operator, a seller's own.
func (s *Service) Merchants(ctx context.Context, v market.Viewer, p store.Page) ([]*market.Merchant, store.Cursor, error) {
	switch v.Role {
	case market.RoleOperator:
		return s.db.Merchants(ctx, p)
	case market.RoleSeller:
		m, err := s.Merchant(ctx, v, v.MerchantID)
		if err != nil {
			return nil, store.Cursor{}, err
		}
		return []*market.Merchant{m}, store.Cursor{}, nil
	}
	return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "merchants are listed for the operator")
}

// Merchant returns a merchant to the operator or to one of its sellers.
func (s *Service) Merchant(ctx context.Context, v market.Viewer, id string) (*market.Merchant, error) {
	if !v.MayActFor(id) {
		return nil, market.Errorf(market.CodeNotFound, "merchant %s not found", id)
	}
	return s.db.Merchant(ctx, id)
}

// Catalog lists a page of the storefront: the plans of products on sale publicly and not
// frozen, of their public specs and SKUs, narrowed by f (full-text search on product names, the
// merchant, the category, the billing mode). It is public; hidden products and specs are
// reached by their links only (Product, Spec, Entry).
func (s *Service) Catalog(ctx context.Context, f store.StorefrontFilter) ([]*market.CatalogEntry, store.Cursor, error) {
	if len(f.Query) > 200 {
		return nil, store.Cursor{}, market.Invalid("q", "q is at most 200 characters")
	}
	return s.db.Storefront(ctx, f)
}

// ProductDetail is a product with its specs, their SKUs and their plans.
type ProductDetail struct {
	Product *market.Product
	Specs   []*market.Spec
	SKUs    map[string][]*market.SKU  // by skuCode
	Plans   map[string][]*market.Plan // by skuCode
}

// Products lists a page of products: every merchant's (or merchantID's) for the operator, a
// seller's own. Buyers browse the catalog instead.
func (s *Service) Products(ctx context.Context, v market.Viewer, merchantID string, p store.Page) ([]*market.Product, store.Cursor, error) {
	_, merchantID, ok := v.Scope("", merchantID)
	if !ok || v.Role == market.RoleBuyer {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "products are listed for sellers and the operator; buyers browse the catalog")
	}
	return s.db.Products(ctx, merchantID, p)
}

// Product returns a product with its specs and plans. Its merchant's sellers and the operator
// see everything, drafts and discontinued specs included; anyone else sees a product on sale
// (publicly, or hidden and reached by its link) with its public specs and SKUs only.
func (s *Service) Product(ctx context.Context, v market.Viewer, id string) (*ProductDetail, error) {
	p, err := s.db.Product(ctx, id)
	if err != nil {
		return nil, err
	}
	owner := v.MayActFor(p.MerchantID)
	if !owner && !p.Status.OnSale() {
		return nil, market.Errorf(market.CodeNotFound, "product %s not found", id)
	}
	d := &ProductDetail{Product: p, SKUs: map[string][]*market.SKU{}, Plans: map[string][]*market.Plan{}}
	specs, err := s.db.SpecsOf(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, sp := range specs {
		if !owner && sp.Status != market.StatusOnSalePublic {
			continue
		}
		if err := s.addSpec(ctx, d, sp, owner); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Spec returns a spec by its link: the product it belongs to with that spec alone, for anyone
// while both are on sale (a hidden spec is bought this way, rules §1.5).
func (s *Service) Spec(ctx context.Context, v market.Viewer, sku string) (*ProductDetail, error) {
	sp, err := s.db.Spec(ctx, sku)
	if err != nil {
		return nil, err
	}
	p, err := s.db.Product(ctx, sp.ProductID)
	if err != nil {
		return nil, err
	}
	owner := v.MayActFor(p.MerchantID)
	if !owner && (!p.Status.OnSale() || !sp.Status.OnSale()) {
		return nil, market.Errorf(market.CodeNotFound, "spec %s not found", sku)
	}
	d := &ProductDetail{Product: p, SKUs: map[string][]*market.SKU{}, Plans: map[string][]*market.Plan{}}
	return d, s.addSpec(ctx, d, sp, owner)
}

// addSpec adds a spec with its SKUs and plans to d; a buyer sees only the SKUs on sale.
func (s *Service) addSpec(ctx context.Context, d *ProductDetail, sp *market.Spec, owner bool) error {
	skus, err := s.db.SKUsOf(ctx, sp.SkuCode)
	if err != nil {
		return err
	}
	plans, err := s.db.PlansOf(ctx, sp.SkuCode)
	if err != nil {
		return err
	}
	shown := map[string]bool{"": true}
	for _, k := range skus {
		if owner || k.Status.OnSale() {
			d.SKUs[sp.SkuCode] = append(d.SKUs[sp.SkuCode], k)
			shown[k.ID] = true
		}
	}
	for _, pl := range plans {
		if shown[pl.SkuID] {
			d.Plans[sp.SkuCode] = append(d.Plans[sp.SkuCode], pl)
		}
	}
	d.Specs = append(d.Specs, sp)
	return nil
}

// Entry returns a plan with its spec and product, as its link shows it: to anyone while it can
// be ordered, to its merchant's sellers and the operator always.
func (s *Service) Entry(ctx context.Context, v market.Viewer, productID string) (*market.CatalogEntry, error) {
	e, err := s.db.CatalogEntry(ctx, productID)
	if err != nil {
		return nil, err
	}
	if !v.MayActFor(e.Product.MerchantID) && e.Sellable() != nil {
		return nil, market.Errorf(market.CodeNotFound, "productId %s not found", productID)
	}
	return e, nil
}

// APIKey looks up an open-API key pair by its AK, for the open API to authenticate a request
// with: there is no viewer yet, the key is what establishes one.
func (s *Service) APIKey(ctx context.Context, ak string) (*market.APIKey, error) {
	return s.db.APIKey(ctx, ak)
}

// ProductFor reads a product for v to act on with one of roles (an admin always may): another
// merchant's product is not found, as for anything of another merchant; a seller without the
// role is refused. Every feature that acts on a merchant's product starts with it.
func ProductFor(ctx context.Context, r store.Reader, v market.Viewer, id string, roles ...market.SellerRole) (*market.Product, error) {
	p, err := r.Product(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := v.MustActAs("product", id, p.MerchantID, roles...); err != nil {
		return nil, err
	}
	return p, nil
}

// OwnProduct reads a product for one of its merchant's sellers (any role) or the operator.
func OwnProduct(ctx context.Context, r store.Reader, v market.Viewer, id string) (*market.Product, error) {
	p, err := r.Product(ctx, id)
	if err != nil {
		return nil, err
	}
	return p, v.Check("product", id, "", p.MerchantID)
}
