package store

import (
	"context"
	"database/sql"
	"strings"
	"unicode"

	"github.com/pressly/goose/v3"

	"github.com/mercato-oss/mercato/internal/market"
)

// The storefront: the plans buyers may find, with filters and full-text search by product name.
//
// Full-text search is the one place where the two engines need different SQL. SQLite searches an
// FTS5 table kept in step with products by triggers; PostgreSQL searches an expression index on
// to_tsvector('simple', name). Both split names into words (the 'simple' configuration and FTS5's
// unicode61 tokenizer: no stemming, no stop words, case folded) and match each word of the query
// as a prefix, so "cloud crm" finds "Cloud CRM Pro" on either engine. Chinese text without
// spaces is one word to both, matched by its beginning.

// searchMigration creates the search structures (migration 15), in the dialect's own SQL.
func searchMigration(sqlite bool) *goose.Migration {
	up := []string{`CREATE INDEX products_name_fts ON products USING GIN (to_tsvector('simple', name))`}
	down := []string{`DROP INDEX products_name_fts`}
	if sqlite {
		up = []string{
			`CREATE VIRTUAL TABLE product_search USING fts5(product_id UNINDEXED, name, tokenize = 'unicode61')`,
			`INSERT INTO product_search (product_id, name) SELECT id, name FROM products`,
			`CREATE TRIGGER product_search_insert AFTER INSERT ON products BEGIN
				INSERT INTO product_search (product_id, name) VALUES (new.id, new.name); END`,
			`CREATE TRIGGER product_search_update AFTER UPDATE OF name ON products BEGIN
				UPDATE product_search SET name = new.name WHERE product_id = new.id; END`,
			`CREATE TRIGGER product_search_delete AFTER DELETE ON products BEGIN
				DELETE FROM product_search WHERE product_id = old.id; END`,
		}
		down = []string{`DROP TRIGGER product_search_delete`, `DROP TRIGGER product_search_update`,
			`DROP TRIGGER product_search_insert`, `DROP TABLE product_search`}
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

// storefrontWhere is what the storefront shows: products on sale publicly and not frozen, their
// public specs, and the public SKUs of those (or plans without a SKU).
const storefrontWhere = ` WHERE p.status = 'ON_SALE_PUBLIC' AND NOT p.frozen AND s.status = 'ON_SALE_PUBLIC'
	AND (pl.sku_id = '' OR k.status = 'ON_SALE_PUBLIC')
	AND ($1 = '' OR p.merchant_id = $1) AND ($2 = '' OR p.category = $2) AND ($3 = '' OR s.charging = $3) AND pl.product_id > $4`

// Storefront lists a page of the plans buyers may find, by productId.
func (r Reader) Storefront(ctx context.Context, f StorefrontFilter) ([]*market.CatalogEntry, Cursor, error) {
	q, args := catalogSelect+storefrontWhere, []any{f.MerchantID, f.Category, string(f.Charging), f.Page.After.ID, f.Page.limit() + 1}
	if terms := SearchTerms(f.Query); len(terms) > 0 {
		if r.sqlite {
			for i, t := range terms {
				terms[i] = `"` + t + `"*`
			}
			q += ` AND p.id IN (SELECT product_id FROM product_search WHERE product_search MATCH $6)`
			args = append(args, strings.Join(terms, " "))
		} else {
			for i, t := range terms {
				terms[i] = t + ":*"
			}
			q += ` AND to_tsvector('simple', p.name) @@ to_tsquery('simple', $6)`
			args = append(args, strings.Join(terms, " & "))
		}
	}
	rows, err := r.q.QueryContext(ctx, q+` ORDER BY pl.product_id LIMIT $5`, args...)
	list, err := collect(rows, err, scanCatalog)
	return cut(list, err, f.Page, func(e *market.CatalogEntry) Cursor { return Cursor{ID: e.Plan.ProductID} })
}

// PlanPage reads a page of bare plans by productId: the storefront benchmark's baseline, the
// cheapest indexed read of a page of the same size.
func (r Reader) PlanPage(ctx context.Context, p Page) ([]*market.Plan, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+planCols+` FROM plans WHERE product_id > $1 ORDER BY product_id LIMIT $2`, p.After.ID, p.limit()+1)
	list, err := collect(rows, err, scanPlan)
	return cut(list, err, p, func(pl *market.Plan) Cursor { return Cursor{ID: pl.ProductID} })
}
