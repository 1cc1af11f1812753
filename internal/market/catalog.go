package market

// CatalogEntry is a plan with its spec and product, as a buyer sees it.
type CatalogEntry struct {
	Plan    Plan
	Spec    Spec
	Product Product
}
