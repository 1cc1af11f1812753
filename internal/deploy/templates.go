package deploy

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/rfs"
	"github.com/mercato-oss/mercato/internal/store"
)

// TemplateRequest attaches a template to an asset version: its files, by path inside the
// template (modules in subdirectories), as text.
type TemplateRequest struct {
	Name string `json:"name"`
	// Version is the asset version the template deploys; 0 is the asset's newest.
	Version int                   `json:"version,omitempty"`
	Files   []market.TemplateFile `json:"files"`
}

// AddTemplate validates a template against RFS's constraints and attaches it to an asset
// version with its report: the asset's merchant's admin and operations users, or the
// operator. A template that breaks a rule is kept too (the seller reads the report and uploads
// a corrected one); only valid templates are deployed or count for submission.
func (s *Service) AddTemplate(ctx context.Context, v market.Viewer, assetID string, r TemplateRequest) (*market.DeployTemplate, error) {
	a, err := s.assets.Get(ctx, v, assetID)
	if err != nil {
		return nil, err
	}
	if err := v.MustActAs("asset", assetID, a.MerchantID, market.SellerOperations); err != nil {
		return nil, err
	}
	var probs market.Problems
	if n := utf8.RuneCountInString(strings.TrimSpace(r.Name)); n < 1 || n > 64 {
		probs.Add("name", "text", "a template's name has 1 to 64 characters")
	}
	if r.Version == 0 {
		r.Version = a.Version
	}
	if r.Version < 1 || r.Version > a.Version {
		probs.Add("version", "deploy.version", "asset %s has versions 1 to %d", assetID, a.Version)
	}
	if len(r.Files) == 0 {
		probs.Add("files", "deploy.files", "a template has at least one file")
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	files := make([]rfs.File, len(r.Files))
	for i, f := range r.Files {
		files[i] = rfs.File{Name: f.Name, Data: []byte(f.Data)}
	}
	res := rfs.Validate(files)
	t := &market.DeployTemplate{ID: "tpl-" + strings.ToLower(market.NewSecret(12)), AssetID: a.ID, AssetVersion: r.Version, MerchantID: a.MerchantID,
		Name: strings.TrimSpace(r.Name), Valid: res.OK(), Modules: res.Modules, Depth: res.Depth, Outputs: res.Outputs, Files: r.Files, CreatedAt: s.clock.Now()}
	fromResult(t, res)
	err = s.db.Write(ctx, func(tx *store.Tx) error { return tx.InsertDeployTemplate(ctx, t) })
	return t, err
}

// fromResult copies what rfs found into a template.
func fromResult(t *market.DeployTemplate, res *rfs.Result) {
	t.Violations = make([]market.TemplateViolation, len(res.Violations))
	for i, v := range res.Violations {
		t.Violations[i] = market.TemplateViolation(v)
	}
	t.Variables = make([]market.TemplateVariable, len(res.Variables))
	for i, v := range res.Variables {
		tv := market.TemplateVariable{Name: v.Name, Type: v.Type, Description: v.Description, Default: v.Default, Sensitive: v.Sensitive,
			Nullable: v.Nullable, File: v.File, Line: v.Line}
		for _, c := range v.Validations {
			tv.Validations = append(tv.Validations, market.TemplateCheck(c))
		}
		t.Variables[i] = tv
	}
	t.Resources = make([]market.TemplateResource, len(res.Resources))
	for i, r := range res.Resources {
		t.Resources[i] = market.TemplateResource(r)
	}
}

// variables turns a template's variables back into rfs's, for checking a form.
func variables(t *market.DeployTemplate) []rfs.Variable {
	out := make([]rfs.Variable, len(t.Variables))
	for i, v := range t.Variables {
		rv := rfs.Variable{Name: v.Name, Type: v.Type, Description: v.Description, Default: v.Default, Sensitive: v.Sensitive,
			Nullable: v.Nullable, File: v.File, Line: v.Line}
		for _, c := range v.Validations {
			rv.Validations = append(rv.Validations, rfs.Validation(c))
		}
		out[i] = rv
	}
	return out
}

// Template returns a template with its files and report: its merchant's sellers and the
// operator.
func (s *Service) Template(ctx context.Context, v market.Viewer, id string) (*market.DeployTemplate, error) {
	t, err := s.db.DeployTemplate(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := v.Check("template", id, "", t.MerchantID); err != nil {
		return nil, err
	}
	return t, nil
}

// TemplateFilter selects templates to list.
type TemplateFilter struct {
	AssetID    string
	MerchantID string // the operator's choice; a seller always lists its merchant's
	ValidOnly  bool
	Page       store.Page
}

// Templates lists the templates v may see: a seller its merchant's, the operator all.
func (s *Service) Templates(ctx context.Context, v market.Viewer, f TemplateFilter) ([]*market.DeployTemplate, store.Cursor, error) {
	_, merchant, ok := v.Scope("", f.MerchantID)
	if !ok || v.Role == market.RoleBuyer {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "only sellers and the operator see templates")
	}
	return s.db.DeployTemplates(ctx, store.DeployTemplateFilter{AssetID: f.AssetID, MerchantID: merchant, ValidOnly: f.ValidOnly, Page: f.Page})
}

// DeleteTemplate deletes a template, unless it is the last valid one of an asset a spec selects.
func (s *Service) DeleteTemplate(ctx context.Context, v market.Viewer, id string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		t, err := tx.DeployTemplate(ctx, id)
		if err != nil {
			return err
		}
		if err := v.MustActAs("template", id, t.MerchantID, market.SellerOperations); err != nil {
			return err
		}
		if t.Valid {
			used, err := tx.AssetInUse(ctx, t.AssetID)
			if err != nil {
				return err
			}
			n, err := tx.CountValidTemplates(ctx, t.AssetID)
			if err != nil {
				return err
			}
			if used && n <= 1 {
				return market.Errorf(market.CodeConflict, "template %s is the last valid template of asset %s, which a product uses", id, t.AssetID)
			}
		}
		_, err = tx.DeleteDeployTemplate(ctx, id)
		return err
	})
}
