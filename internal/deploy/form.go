package deploy

import (
	"context"
	"encoding/json"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/rfs"
	"github.com/mercato-oss/mercato/internal/store"
)

// Form is a buyer's deployment form for an instance: the template it deploys and its fields,
// one per variable of the template's root module.
type Form struct {
	InstanceKey string
	AssetID     string
	Template    *market.DeployTemplate
	Fields      []market.TemplateVariable
}

// target is what an instance deploys: the instance, its spec's asset and the template.
type target struct {
	instance *market.Instance
	asset    market.Asset
	template *market.DeployTemplate
}

// target finds what the buyer's instance deploys: the instance must be the viewer's, active,
// of an auto-deploy spec whose asset is still approved. templateID picks one of the asset's
// valid templates; "" the newest attached to a version no newer than the approved one.
func (s *Service) target(ctx context.Context, r store.Reader, v market.Viewer, key, templateID string) (*target, error) {
	in, err := r.Instance(ctx, key)
	if err != nil {
		return nil, err
	}
	if err := v.Check("instance", key, in.BuyerID, in.MerchantID); err != nil {
		return nil, err
	}
	assetID, err := r.SpecAsset(ctx, in.SkuCode)
	if err != nil {
		return nil, err
	}
	if assetID == "" {
		return nil, market.Errorf(market.CodeConflict, "instance %s is not of an auto-deploy spec", key)
	}
	if in.State != market.InstanceActive {
		return nil, market.Errorf(market.CodeConflict, "instance %s is %s: only an active instance is deployed", key, in.State)
	}
	a, err := s.assets.Approved(ctx, r, assetID)
	if err != nil {
		return nil, err
	}
	t, err := s.pick(ctx, r, a, templateID)
	if err != nil {
		return nil, err
	}
	return &target{instance: in, asset: a, template: t}, nil
}

func (s *Service) pick(ctx context.Context, r store.Reader, a market.Asset, templateID string) (*market.DeployTemplate, error) {
	if templateID != "" {
		t, err := r.DeployTemplate(ctx, templateID)
		if err != nil || t.AssetID != a.ID || !t.Valid || t.AssetVersion > a.ApprovedVersion {
			return nil, market.Invalid("template_id", "template %s is not a valid template of asset %s's approved version", templateID, a.ID)
		}
		return t, nil
	}
	list, _, err := r.DeployTemplates(ctx, store.DeployTemplateFilter{AssetID: a.ID, ValidOnly: true, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		return nil, err
	}
	for _, t := range list {
		if t.AssetVersion <= a.ApprovedVersion {
			return r.DeployTemplate(ctx, t.ID)
		}
	}
	return nil, market.Errorf(market.CodeConflict, "asset %s has no valid template for its approved version %d", a.ID, a.ApprovedVersion)
}

// Form returns the deployment form of a buyer's instance (its sellers and the operator may
// read it too).
func (s *Service) Form(ctx context.Context, v market.Viewer, key, templateID string) (*Form, error) {
	t, err := s.target(ctx, s.db.Reader, v, key, templateID)
	if err != nil {
		return nil, err
	}
	tpl := *t.template
	tpl.Files = nil
	return &Form{InstanceKey: key, AssetID: t.asset.ID, Template: &tpl, Fields: tpl.Variables}, nil
}

// DeployRequest is a buyer's answers to a deployment form.
type DeployRequest struct {
	// RequestID is the buyer's idempotency key: a repeat returns the first deployment.
	RequestID  string                     `json:"request_id"`
	TemplateID string                     `json:"template_id,omitempty"`
	Inputs     map[string]json.RawMessage `json:"inputs"`
}

// Plan checks the answers and returns the execution plan: every resource with its price lines.
// Errors name the field (inputs.NAME) of every wrong answer.
func (s *Service) Plan(ctx context.Context, v market.Viewer, key string, r DeployRequest) (*market.DeployPlan, error) {
	t, err := s.target(ctx, s.db.Reader, v, key, r.TemplateID)
	if err != nil {
		return nil, err
	}
	plan, _, err := s.plan(ctx, s.db.Reader, t.template, r.Inputs)
	return plan, err
}

// plan checks inputs against a template's form and prices its resources.
func (s *Service) plan(ctx context.Context, r store.Reader, t *market.DeployTemplate, inputs map[string]json.RawMessage) (*market.DeployPlan, *rfs.Values, error) {
	vals, errs := rfs.CheckValues(variables(t), inputs)
	if len(errs) > 0 {
		var probs market.Problems
		for _, e := range errs {
			probs.Add("inputs."+e.Field, "deploy.form", "%s", e.Message)
		}
		return nil, nil, probs.Err()
	}
	prices, err := r.ResourcePrices(ctx)
	if err != nil {
		return nil, nil, err
	}
	byType := map[string][]market.PriceLine{}
	for _, p := range prices {
		byType[p.ResourceType] = p.Lines
	}
	plan := &market.DeployPlan{Resources: []market.PlannedResource{}, Totals: map[string]market.Money{}, Currency: s.cfg.Currency}
	for _, res := range t.Resources {
		pr := market.PlannedResource{Address: res.Address, Type: res.Type, Count: vals.Count(rfs.Resource(res))}
		lines, priced := byType[res.Type]
		pr.Priced = priced
		if !priced && pr.Count > 0 { // a resource counted out creates nothing to price
			plan.Unpriced = append(plan.Unpriced, res.Address)
		}
		for _, l := range lines {
			q := max(l.Quantity, 1)
			amount, err := l.Price.Times(q * int64(pr.Count))
			if err == nil {
				plan.Totals[l.Per], err = plan.Totals[l.Per].Plus(amount)
			}
			if err != nil {
				return nil, nil, market.Errorf(market.CodeInvalid, "the plan's amounts overflow: %v", err)
			}
			pr.Lines = append(pr.Lines, market.PlanCharge{PriceLine: l, Amount: amount})
		}
		plan.Resources = append(plan.Resources, pr)
	}
	return plan, vals, nil
}
