package store

import (
	"cmp"
	"context"
	"encoding/json"

	"github.com/mercato-oss/mercato/internal/market"
)

const productCols = `id, merchant_id, name, status, frozen, category, created_at`

// InsertProduct stores a product.
func (tx *Tx) InsertProduct(ctx context.Context, p *market.Product) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO products (`+productCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		p.ID, p.MerchantID, p.Name, string(cmp.Or(p.Status, market.StatusOnSalePublic)), p.Frozen, p.Category, ms(p.CreatedAt))
	return err
}

func scanProduct(r rowScanner) (*market.Product, error) {
	var p market.Product
	var created int64
	err := r.Scan(&p.ID, &p.MerchantID, &p.Name, &p.Status, &p.Frozen, &p.Category, &created)
	p.CreatedAt = fromMS(created)
	return &p, err
}

// Product returns a product by ID.
func (r Reader) Product(ctx context.Context, id string) (*market.Product, error) {
	p, err := scanProduct(r.q.QueryRowContext(ctx, `SELECT `+productCols+` FROM products WHERE id = $1`, id))
	return p, notFound(err, "product", id)
}

const specCols = `sku_code, product_id, name, charging, trial_days, delivery, name_en, status`

// InsertSpec stores a spec.
func (tx *Tx) InsertSpec(ctx context.Context, s *market.Spec) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO specs (`+specCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		s.SkuCode, s.ProductID, s.Name, string(s.Charging), s.TrialDays, string(cmpDelivery(s.Delivery)), s.NameEN,
		string(cmp.Or(s.Status, market.StatusOnSalePublic)))
	return err
}

func scanSpec(r rowScanner) (*market.Spec, error) {
	var s market.Spec
	err := r.Scan(&s.SkuCode, &s.ProductID, &s.Name, &s.Charging, &s.TrialDays, &s.Delivery, &s.NameEN, &s.Status)
	return &s, err
}

// Spec returns a spec by skuCode.
func (r Reader) Spec(ctx context.Context, sku string) (*market.Spec, error) {
	s, err := scanSpec(r.q.QueryRowContext(ctx, `SELECT `+specCols+` FROM specs WHERE sku_code = $1`, sku))
	return s, notFound(err, "spec", sku)
}

// InsertPlan stores a plan.
func (tx *Tx) InsertPlan(ctx context.Context, p *market.Plan) error {
	tiers := ""
	if len(p.Tiers) > 0 {
		b, err := json.Marshal(p.Tiers)
		if err != nil {
			return err
		}
		tiers = string(b)
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO plans (`+planCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		p.ProductID, p.SkuCode, p.Period, int64(p.Price), p.Currency, string(cmp.Or(p.Pricing, market.PricingFixed)), tiers,
		string(cmp.Or(p.Cycle, market.CycleHourly)), p.PackageItem, int64(p.PackageQuota), p.SkuID)
	if err != nil {
		return err
	}
	return tx.refreshStorefront(ctx, "", p.SkuCode)
}

const planCols = `product_id, sku_code, period, price, currency, pricing, tiers, cycle, package_item, package_quota, sku_id`

func scanPlan(r rowScanner) (*market.Plan, error) { return scanPlanCols(r) }

// scanPlanCols reads planCols, with any columns that follow them.
func scanPlanCols(r rowScanner, more ...any) (*market.Plan, error) {
	var p market.Plan
	var tiers string
	err := r.Scan(append([]any{&p.ProductID, &p.SkuCode, &p.Period, &p.Price, &p.Currency, &p.Pricing, &tiers, &p.Cycle,
		&p.PackageItem, &p.PackageQuota, &p.SkuID}, more...)...)
	if err == nil && tiers != "" {
		err = json.Unmarshal([]byte(tiers), &p.Tiers)
	}
	return &p, err
}

// Plan returns a plan by its KooGallery productId.
func (r Reader) Plan(ctx context.Context, productID string) (*market.Plan, error) {
	p, err := scanPlan(r.q.QueryRowContext(ctx, `SELECT `+planCols+` FROM plans WHERE product_id = $1`, productID))
	return p, notFound(err, "productId", productID)
}

// PlanFor returns the plan of a period spec (or of one of its SKUs) at a period type.
func (r Reader) PlanFor(ctx context.Context, sku, skuID, period string) (*market.Plan, error) {
	p, err := scanPlan(r.q.QueryRowContext(ctx, `SELECT `+planCols+` FROM plans WHERE sku_code = $1 AND sku_id = $2 AND period = $3
		ORDER BY product_id LIMIT 1`, sku, skuID, period))
	return p, notFound(err, "plan", sku+"/"+period)
}

const catalogSelect = `SELECT pl.product_id, pl.sku_code, pl.period, pl.price, pl.currency, pl.pricing, pl.tiers, pl.cycle,
	pl.package_item, pl.package_quota, pl.sku_id, s.sku_code, s.product_id, s.name, s.charging, s.trial_days, s.delivery, s.name_en, s.status,
	p.id, p.merchant_id, p.name, p.status, p.frozen, p.category, p.created_at,
	COALESCE(k.name, ''), COALESCE(k.attributes, ''), COALESCE(k.unit, ''), COALESCE(k.step, 0), COALESCE(k.max, 0), COALESCE(k.status, '')
	FROM plans pl JOIN specs s ON s.sku_code = pl.sku_code JOIN products p ON p.id = s.product_id
	LEFT JOIN skus k ON k.id = pl.sku_id AND pl.sku_id <> ''`

func scanCatalog(r rowScanner) (*market.CatalogEntry, error) {
	var e market.CatalogEntry
	var created int64
	var k market.SKU
	var attrs string
	p, err := scanPlanCols(r, &e.Spec.SkuCode, &e.Spec.ProductID, &e.Spec.Name, &e.Spec.Charging, &e.Spec.TrialDays, &e.Spec.Delivery,
		&e.Spec.NameEN, &e.Spec.Status, &e.Product.ID, &e.Product.MerchantID, &e.Product.Name, &e.Product.Status, &e.Product.Frozen,
		&e.Product.Category, &created, &k.Name, &attrs, &k.Unit, &k.Step, &k.Max, &k.Status)
	if p != nil {
		e.Plan = *p
	}
	e.Product.CreatedAt = fromMS(created)
	if err == nil && e.Plan.SkuID != "" {
		k.ID, k.SkuCode = e.Plan.SkuID, e.Plan.SkuCode
		if attrs != "" {
			err = json.Unmarshal([]byte(attrs), &k.Attributes)
		}
		e.SKU = &k
	}
	return &e, err
}

// CatalogEntry returns a plan by productId together with its spec, product and SKU, whatever
// their sales status: callers decide what a status allows (market.CatalogEntry.Sellable).
func (r Reader) CatalogEntry(ctx context.Context, productID string) (*market.CatalogEntry, error) {
	e, err := scanCatalog(r.q.QueryRowContext(ctx, catalogSelect+` WHERE pl.product_id = $1`, productID))
	return e, notFound(err, "productId", productID)
}

// PlansOf lists the plans of a spec.
func (r Reader) PlansOf(ctx context.Context, sku string) ([]*market.Plan, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+planCols+` FROM plans WHERE sku_code = $1 ORDER BY sku_id, period, product_id`, sku)
	return collect(rows, err, scanPlan)
}

// Products lists a page of products, by ID; merchantID ("" for all) narrows it.
func (r Reader) Products(ctx context.Context, merchantID string, p Page) ([]*market.Product, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+productCols+` FROM products WHERE ($1 = '' OR merchant_id = $1) AND id > $2
		ORDER BY id LIMIT $3`, merchantID, p.After.ID, p.limit()+1)
	list, err := collect(rows, err, scanProduct)
	return cut(list, err, p, func(p *market.Product) Cursor { return Cursor{ID: p.ID} })
}

// SpecsOf lists a product's specs.
func (r Reader) SpecsOf(ctx context.Context, productID string) ([]*market.Spec, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+specCols+` FROM specs WHERE product_id = $1 ORDER BY sku_code`, productID)
	return collect(rows, err, scanSpec)
}

// Buyers lists a page of buyers, by customerId.
func (r Reader) Buyers(ctx context.Context, p Page) ([]*market.Buyer, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT customer_id, name, email, mobile, created_at FROM buyers WHERE customer_id > $1
		ORDER BY customer_id LIMIT $2`, p.After.ID, p.limit()+1)
	list, err := collect(rows, err, scanBuyer)
	return cut(list, err, p, func(b *market.Buyer) Cursor { return Cursor{ID: b.CustomerID} })
}

// InsertBuyer stores a buyer with the hash of its API token.
func (tx *Tx) InsertBuyer(ctx context.Context, b *market.Buyer, tokenHash string) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO buyers (customer_id, name, email, mobile, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		b.CustomerID, b.Name, b.Email, b.Mobile, tokenHash, ms(b.CreatedAt))
	return err
}

const buyerCols = `customer_id, name, email, mobile, created_at`

func scanBuyer(r rowScanner) (*market.Buyer, error) {
	var b market.Buyer
	var created int64
	err := r.Scan(&b.CustomerID, &b.Name, &b.Email, &b.Mobile, &created)
	b.CreatedAt = fromMS(created)
	return &b, err
}

// Buyer returns a buyer by customerId.
func (r Reader) Buyer(ctx context.Context, id string) (*market.Buyer, error) {
	b, err := scanBuyer(r.cachedQueryRow(ctx, `SELECT `+buyerCols+` FROM buyers WHERE customer_id = $1`, id))
	return b, notFound(err, "buyer", id)
}

// BuyerByTokenHash returns the buyer whose API token hashes to h.
func (r Reader) BuyerByTokenHash(ctx context.Context, h string) (*market.Buyer, error) {
	b, err := scanBuyer(r.cachedQueryRow(ctx, `SELECT `+buyerCols+` FROM buyers WHERE token_hash = $1`, h))
	return b, notFound(err, "buyer", "for token")
}

// SetBuyerTokenHash replaces a buyer's API token.
func (tx *Tx) SetBuyerTokenHash(ctx context.Context, customerID, h string) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE buyers SET token_hash = $1 WHERE customer_id = $2`, h, customerID)
	return err
}

// cmpDelivery defaults an unset delivery to SaaS.
func cmpDelivery(d market.Delivery) market.Delivery {
	if d == "" {
		return market.DeliverySaaS
	}
	return d
}
