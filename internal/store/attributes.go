package store

import (
	"context"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
)

// Attribute templates (rules §1.11). Values are stored one per line.

const attrCols = `id, merchant_id, category, type, code, name, description, origin, attr_values, created_at`

func scanTemplate(r rowScanner) (*market.AttributeTemplate, error) {
	var t market.AttributeTemplate
	var values string
	var created int64
	err := r.Scan(&t.ID, &t.MerchantID, &t.Category, &t.Type, &t.Code, &t.Name, &t.Description, &t.Origin, &values, &created)
	if values != "" {
		t.Values = strings.Split(values, "\n")
	}
	t.CreatedAt = fromMS(created)
	return &t, err
}

// InsertTemplate stores an attribute template; a code taken in the category is a conflict.
func (tx *Tx) InsertTemplate(ctx context.Context, t *market.AttributeTemplate) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO attribute_templates (`+attrCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		t.ID, t.MerchantID, t.Category, t.Type, t.Code, t.Name, t.Description, t.Origin, strings.Join(t.Values, "\n"), ms(t.CreatedAt))
	if isUniqueViolation(err) {
		return market.Invalid("code", "category %s has an attribute with code %s already", t.Category, t.Code)
	}
	return err
}

// UpdateTemplate writes a template's name, description and values.
func (tx *Tx) UpdateTemplate(ctx context.Context, t *market.AttributeTemplate) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE attribute_templates SET name = $1, description = $2, attr_values = $3 WHERE id = $4`,
		t.Name, t.Description, strings.Join(t.Values, "\n"), t.ID)
	return err
}

// DeleteTemplate removes a template.
func (tx *Tx) DeleteTemplate(ctx context.Context, id string) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM attribute_templates WHERE id = $1`, id)
	return err
}

// Template returns a template by ID.
func (r Reader) Template(ctx context.Context, id string) (*market.AttributeTemplate, error) {
	t, err := scanTemplate(r.q.QueryRowContext(ctx, `SELECT `+attrCols+` FROM attribute_templates WHERE id = $1`, id))
	return t, notFound(err, "attribute template", id)
}

// TemplateFilter selects templates: the presets and one merchant's custom ones ("" for presets
// only), narrowed by category, type and a fragment of the name.
type TemplateFilter struct {
	MerchantID string
	Category   string
	Type       string
	Name       string
}

// Templates lists templates, by category and code.
func (r Reader) Templates(ctx context.Context, f TemplateFilter) ([]*market.AttributeTemplate, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+attrCols+` FROM attribute_templates WHERE (merchant_id = '' OR merchant_id = $1)
		AND ($2 = '' OR category = $2) AND ($3 = '' OR type = $3) AND ($4 = '' OR LOWER(name) LIKE '%' || LOWER($4) || '%')
		ORDER BY category, code, merchant_id LIMIT 500`, f.MerchantID, f.Category, f.Type, f.Name)
	return collect(rows, err, scanTemplate)
}
