package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode"

	"github.com/pressly/goose/v3"

	"github.com/mercato-oss/mercato/internal/market"
)

// The storefront: the plans buyers may find, with filters and full-text search by product name.
//
// The storefront reads its own table (migration 00011): one row per plan buyers may find, with
// what a listing shows, rewritten for a product in the transaction of every change that can
// alter its rows (refreshStorefront, called by the store's writes). A page is then one index
// range of one table, whatever the joins and statuses behind it.
//
// Full-text search is the one place where the two engines need different SQL. PostgreSQL keeps
// to_tsvector('simple', product_name) in a generated column of the storefront (name_tsv, with a
// GIN index), so that a page walked in order pays no tokenizing per row. SQLite searches a contentless
// FTS5 table kept in step with products by triggers, keyed by products.search_id, a SQLite-only
// column: a match is then an integer, with no lookup of a stored product ID, which makes a
// search several times cheaper. (search_id is a column of its own, not the rowid, because a
// VACUUM may renumber rowids.) Both engines split names into words (the 'simple' configuration
// and FTS5's unicode61 tokenizer: no stemming, no stop words, case folded) and match each word
// of the query as a prefix, so "cloud crm" finds "Cloud CRM Pro" on either. Chinese text
// without spaces is one word to both, matched by its beginning.

// searchMigration creates the search structures (migration 15), in the dialect's own SQL.
func searchMigration(sqlite bool) *goose.Migration {
	up := []string{`ALTER TABLE storefront ADD COLUMN name_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', product_name)) STORED`,
		`CREATE INDEX storefront_name_fts ON storefront USING GIN (name_tsv)`}
	down := []string{`DROP INDEX storefront_name_fts`, `ALTER TABLE storefront DROP COLUMN name_tsv`}
	if sqlite {
		up = []string{
			`ALTER TABLE products ADD COLUMN search_id INTEGER`,
			`UPDATE products SET search_id = rowid`,
			`CREATE UNIQUE INDEX products_search_id ON products (search_id)`,
			`CREATE VIRTUAL TABLE product_search USING fts5(name, content = '', contentless_delete = 1, tokenize = 'unicode61', prefix = '2 3 4')`,
			`INSERT INTO product_search (rowid, name) SELECT search_id, name FROM products`,
			`UPDATE storefront SET search_id = (SELECT search_id FROM products WHERE products.id = storefront.product)`,
			`CREATE TRIGGER product_search_insert AFTER INSERT ON products BEGIN
				UPDATE products SET search_id = (SELECT COALESCE(MAX(search_id), 0) + 1 FROM products) WHERE id = new.id;
				INSERT INTO product_search (rowid, name) SELECT search_id, name FROM products WHERE id = new.id; END`,
			`CREATE TRIGGER product_search_update AFTER UPDATE OF name ON products BEGIN
				DELETE FROM product_search WHERE rowid = old.search_id;
				INSERT INTO product_search (rowid, name) VALUES (new.search_id, new.name); END`,
			`CREATE TRIGGER product_search_delete AFTER DELETE ON products BEGIN
				DELETE FROM product_search WHERE rowid = old.search_id; END`,
		}
		down = []string{`DROP TRIGGER product_search_delete`, `DROP TRIGGER product_search_update`, `DROP TRIGGER product_search_insert`,
			`DROP TABLE product_search`, `DROP INDEX products_search_id`, `ALTER TABLE products DROP COLUMN search_id`}
	}
	run := func(stmts []string) *goose.GoFunc {
		return &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			for _, s := range stmts {
				if _, err := tx.ExecContext(ctx, s); err != nil {
					return err
				}
			}
			return nil
		}}
	}
	return goose.NewGoMigration(15, run(up), run(down))
}

// StorefrontFilter narrows the storefront; empty fields match everything.
type StorefrontFilter struct {
	// Query is words to find in product names (each as a prefix); Terms turns it into the words.
	Query      string
	MerchantID string
	Category   string
	Charging   market.Charging
	Page       Page
}

// SearchTerms splits a query into the words full-text search matches: runs of letters and
// digits, at most 8 of at most 64 characters. Everything else separates words, so no query can
// carry FTS or tsquery operators.
func SearchTerms(q string) []string {
	words := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var out []string
	for _, w := range words {
		if len([]rune(w)) > 64 {
			w = string([]rune(w)[:64])
		}
		out = append(out, strings.ToLower(w))
		if len(out) == 8 {
			break
		}
	}
	return out
}

// refreshStorefront rewrites the storefront rows of the product a change touched: productID,
// or the product of spec sku. Every store write that can change what the storefront shows —
// a status, a freeze, a name, a new plan — calls it in its transaction.
func (tx *Tx) refreshStorefront(ctx context.Context, productID, sku string) error {
	if productID == "" {
		if err := tx.q.QueryRowContext(ctx, `SELECT product_id FROM specs WHERE sku_code = $1`, sku).Scan(&productID); err != nil {
			return notFound(err, "spec", sku)
		}
	}
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM storefront WHERE product = $1`, productID); err != nil {
		return err
	}
	searchID := "0"
	if tx.sqlite {
		searchID = "COALESCE(p.search_id, 0)"
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO storefront (product, plan_id, merchant_id, category, product_name, search_id, sku_code,
		spec_name, charging, trial_days, delivery, sku_id, sku_name, period, price, currency)
		SELECT p.id, pl.product_id, p.merchant_id, p.category, p.name, `+searchID+`, s.sku_code, s.name, s.charging, s.trial_days, s.delivery,
		pl.sku_id, COALESCE(k.name, ''), pl.period, pl.price, pl.currency
		FROM plans pl JOIN specs s ON s.sku_code = pl.sku_code JOIN products p ON p.id = s.product_id
		LEFT JOIN skus k ON k.id = pl.sku_id AND pl.sku_id <> ''
		WHERE p.id = $1 AND p.status = 'ON_SALE_PUBLIC' AND NOT p.frozen AND s.status = 'ON_SALE_PUBLIC'
		AND (pl.sku_id = '' OR k.status = 'ON_SALE_PUBLIC')`, productID)
	return err
}

const storefrontCols = `plan_id, sku_code, period, price, currency, sku_id, spec_name, charging, trial_days, delivery, merchant_id,
	product_name, category, sku_name, product`

// scanStorefront reads a storefront row into an entry: everything in it is on sale publicly.
func scanStorefront(r rowScanner) (*market.CatalogEntry, error) {
	var e market.CatalogEntry
	var sku string
	err := r.Scan(&e.Plan.ProductID, &e.Plan.SkuCode, &e.Plan.Period, &e.Plan.Price, &e.Plan.Currency, &e.Plan.SkuID,
		&e.Spec.Name, &e.Spec.Charging, &e.Spec.TrialDays, &e.Spec.Delivery, &e.Product.MerchantID, &e.Product.Name, &e.Product.Category, &sku, &e.Product.ID)
	e.Spec.SkuCode, e.Spec.ProductID, e.Spec.Status = e.Plan.SkuCode, e.Product.ID, market.StatusOnSalePublic
	e.Product.Status = market.StatusOnSalePublic
	if e.Plan.SkuID != "" {
		e.SKU = &market.SKU{ID: e.Plan.SkuID, SkuCode: e.Plan.SkuCode, Name: sku, Status: market.StatusOnSalePublic}
	}
	return &e, err
}

// Storefront lists a page of the plans buyers may find (products on sale publicly and not
// frozen, their public specs, and the public SKUs of those or plans without a SKU), with what a
// listing shows; a plan's full terms are read by its link. Pages go by product, then productId,
// so that a product's plans stay together; only the filters given are in the query, so that the
// planner uses the index of the one that narrows.
func (r Reader) Storefront(ctx context.Context, f StorefrontFilter) ([]*market.CatalogEntry, Cursor, error) {
	afterProduct, afterPlan, _ := strings.Cut(f.Page.After.ID, "\n")
	args := []any{afterProduct, afterPlan}
	where, order := ` WHERE (product, plan_id) > ($1, $2)`, ` ORDER BY product, plan_id`
	arg := func(cond string, v any) {
		args = append(args, v)
		where += strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", len(args)))
	}
	// Ordering by the filter's column too (a constant) tells both planners that the filter's
	// index is already in page order.
	if f.MerchantID != "" {
		arg(` AND merchant_id = $?`, f.MerchantID)
		order = ` ORDER BY merchant_id, product, plan_id`
	}
	if f.Category != "" {
		arg(` AND category = $?`, f.Category)
		order = ` ORDER BY category, product, plan_id`
	}
	if f.Charging != "" {
		arg(` AND charging = $?`, string(f.Charging))
	}
	if terms := SearchTerms(f.Query); len(terms) > 0 {
		if r.sqlite {
			for i, t := range terms {
				terms[i] = `"` + t + `"*`
			}
			arg(` AND search_id IN (SELECT rowid FROM product_search WHERE product_search MATCH $?)`, strings.Join(terms, " "))
		} else {
			for i, t := range terms {
				terms[i] = t + ":*"
			}
			arg(` AND name_tsv @@ to_tsquery('simple', $?)`, strings.Join(terms, " & "))
		}
	}
	arg(order+` LIMIT $?`, f.Page.limit()+1)
	rows, err := r.cachedQuery(ctx, `SELECT `+storefrontCols+` FROM storefront`+where, args...)
	list, err := collect(rows, err, scanStorefront)
	return cut(list, err, f.Page, func(e *market.CatalogEntry) Cursor { return Cursor{ID: e.Product.ID + "\n" + e.Plan.ProductID} })
}

// PlanPage reads a page of bare plans by productId: the storefront benchmark's baseline, the
// cheapest indexed read of a page of the same size.
func (r Reader) PlanPage(ctx context.Context, p Page) ([]*market.Plan, Cursor, error) {
	rows, err := r.cachedQuery(ctx, `SELECT `+planCols+` FROM plans WHERE product_id > $1 ORDER BY product_id LIMIT $2`, p.After.ID, p.limit()+1)
	list, err := collect(rows, err, scanPlan)
	return cut(list, err, p, func(pl *market.Plan) Cursor { return Cursor{ID: pl.ProductID} })
}
