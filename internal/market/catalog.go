package market

// CatalogEntry is a plan with its spec and product, as a buyer sees it.
type CatalogEntry struct {
	Plan    Plan
	Spec    Spec
	Product Product
	// SKU is the plan's SKU, nil for a spec without SKUs.
	SKU *SKU
}

// Sellable reports why the entry cannot be bought new, or nil: the product, spec and SKU must be
// on sale (publicly or by link) and the product not frozen (rules §1.5, §1.6, protocol §0.2).
func (e *CatalogEntry) Sellable() error {
	switch {
	case !e.Product.Status.OnSale():
		return Errorf(CodeConflict, "product %s is %s: it cannot be ordered", e.Product.ID, e.Product.Status)
	case e.Product.Frozen:
		return Errorf(CodeConflict, "product %s is frozen: new orders are suspended", e.Product.ID)
	case !e.Spec.Status.OnSale():
		return Errorf(CodeConflict, "spec %s is %s: it cannot be ordered", e.Spec.SkuCode, e.Spec.Status)
	case e.SKU != nil && !e.SKU.Status.OnSale():
		return Errorf(CodeConflict, "SKU %s is %s: it cannot be ordered", e.SKU.ID, e.SKU.Status)
	}
	return nil
}

// Renewable reports why an existing instance of the entry cannot be renewed, or nil: a
// discontinued product, spec or SKU is not renewed (rules §1.6); its instances run to expiry.
func (e *CatalogEntry) Renewable() error {
	switch {
	case !e.Product.Status.Listed():
		return Errorf(CodeConflict, "product %s is %s: it cannot be renewed", e.Product.ID, e.Product.Status)
	case !e.Spec.Status.Listed():
		return Errorf(CodeConflict, "spec %s is %s: it cannot be renewed", e.Spec.SkuCode, e.Spec.Status)
	case e.SKU != nil && !e.SKU.Status.Listed():
		return Errorf(CodeConflict, "SKU %s is %s: it cannot be renewed", e.SKU.ID, e.SKU.Status)
	}
	return nil
}
