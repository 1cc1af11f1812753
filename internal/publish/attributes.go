package publish

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Attribute templates (rules §1.11): the operator's presets and each merchant's custom ones,
// per category. A product keeps a copy of its merchant's custom templates made when it is
// published, so that editing or deleting a template leaves listed products as they were.

// presetNames are names custom attributes may not take (rules §1.11).
var presetNames = []string{"appName", "version", "os", "mode"}

var codeRule = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,31}$`)

// TemplateRequest creates or changes an attribute template.
type TemplateRequest struct {
	Category    string   `json:"category"`
	Type        string   `json:"type"`
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Values      []string `json:"values,omitempty"`
	// MerchantID is whose custom template it is (the operator names it; a seller's is its own).
	// The operator creating without one makes a preset.
	MerchantID string `json:"merchant_id,omitempty"`
}

func (s *Service) checkTemplate(ctx context.Context, r store.Reader, t *market.AttributeTemplate) error {
	var probs market.Problems
	text(&probs, "category", t.Category, 1, 64)
	if t.Type != "QUANTITY" && t.Type != "ENUMERATION" {
		probs.Add("type", "enum", "type must be QUANTITY or ENUMERATION")
	}
	if !codeRule.MatchString(t.Code) {
		probs.Add("code", "attribute.code", "code is a letter then up to 31 letters, digits or underscores")
	}
	text(&probs, "name", t.Name, 1, 32)
	text(&probs, "description", t.Description, 0, 500)
	if t.Type == "ENUMERATION" && (len(t.Values) == 0 || len(t.Values) > 50) {
		probs.Add("values", "attribute.values", "an enumeration attribute has 1 to 50 values")
	}
	if t.Type == "QUANTITY" && len(t.Values) > 0 {
		probs.Add("values", "attribute.values", "a quantity attribute has no values")
	}
	if t.Origin == "CUSTOM" {
		presets, err := r.Templates(ctx, store.TemplateFilter{})
		if err != nil {
			return err
		}
		taken := slices.ContainsFunc(presets, func(p *market.AttributeTemplate) bool { return strings.EqualFold(p.Name, t.Name) })
		if taken || slices.ContainsFunc(presetNames, func(n string) bool { return strings.EqualFold(n, t.Name) }) {
			probs.Add("name", "attribute.preset-name", "a custom attribute may not take a preset's name (%s, or a preset template's)", strings.Join(presetNames, ", "))
		}
	}
	return probs.Err()
}

// CreateTemplate adds a template: a preset (the operator, no merchant) or a merchant's custom one.
func (s *Service) CreateTemplate(ctx context.Context, v market.Viewer, r TemplateRequest) (*market.AttributeTemplate, error) {
	if v.Role == market.RoleSeller {
		r.MerchantID = v.MerchantID
	}
	t := &market.AttributeTemplate{ID: "attr-" + strings.ToLower(market.NewSecret(12)), MerchantID: r.MerchantID, Category: r.Category,
		Type: r.Type, Code: r.Code, Name: r.Name, Description: r.Description, Values: r.Values, Origin: "CUSTOM", CreatedAt: s.clock.Now()}
	if r.MerchantID == "" {
		if err := v.MustBeOperator(); err != nil {
			return nil, err
		}
		t.Origin = "PRESET"
	} else if err := v.MustActAs("merchant", r.MerchantID, r.MerchantID, market.SellerOperations); err != nil {
		return nil, err
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if err := s.checkTemplate(ctx, tx.Reader, t); err != nil {
			return err
		}
		return tx.InsertTemplate(ctx, t)
	})
	return t, err
}

// UpdateTemplate changes a template's name, description and values; presets only the operator.
func (s *Service) UpdateTemplate(ctx context.Context, v market.Viewer, id string, r TemplateRequest) (*market.AttributeTemplate, error) {
	var t *market.AttributeTemplate
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if t, err = s.template(ctx, tx.Reader, v, id); err != nil {
			return err
		}
		t.Name, t.Description, t.Values = r.Name, r.Description, r.Values
		if err := s.checkTemplate(ctx, tx.Reader, t); err != nil {
			return err
		}
		return tx.UpdateTemplate(ctx, t)
	})
	return t, err
}

// DeleteTemplate deletes a template; listed products keep their copies.
func (s *Service) DeleteTemplate(ctx context.Context, v market.Viewer, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := s.template(ctx, tx.Reader, v, id); err != nil {
			return err
		}
		return tx.DeleteTemplate(ctx, id)
	})
}

// template loads a template for v to change: a preset for the operator only (a seller is
// refused), a custom one for the operator or its merchant's sellers (another's is not found).
func (s *Service) template(ctx context.Context, r store.Reader, v market.Viewer, id string) (*market.AttributeTemplate, error) {
	t, err := r.Template(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.Origin == "PRESET" {
		return t, v.MustBeOperator()
	}
	return t, v.MustActAs("attribute template", id, t.MerchantID, market.SellerOperations)
}

// Templates lists the presets and the viewer's merchant's custom templates (the operator names
// the merchant), by category, type and a fragment of the name.
func (s *Service) Templates(ctx context.Context, v market.Viewer, f store.TemplateFilter) ([]*market.AttributeTemplate, error) {
	var ok bool
	if _, f.MerchantID, ok = v.Scope("", f.MerchantID); !ok || v.Role == market.RoleBuyer {
		return nil, market.Errorf(market.CodeForbidden, "attribute templates are for sellers and the operator")
	}
	return s.db.Templates(ctx, f)
}

// templateCopy is the copy of a merchant's custom templates of a category a product keeps.
func (s *Service) templateCopy(ctx context.Context, r store.Reader, merchantID, category string) ([]market.Attribute, error) {
	ts, err := r.Templates(ctx, store.TemplateFilter{MerchantID: merchantID, Category: category})
	var out []market.Attribute
	for _, t := range ts {
		if t.Origin == "CUSTOM" {
			out = append(out, market.Attribute{Code: t.Code, Name: t.Name, Type: t.Type, Description: t.Description, Values: t.Values})
		}
	}
	return out, err
}
