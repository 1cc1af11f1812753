package deploy

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Redacted replaces a sensitive input in what the edges show.
const Redacted = `"(sensitive)"`

// Deploy stores a deployment of the buyer's instance with the job that hands it to the
// deployer, in one transaction. The answers must fill the form and every resource of the plan
// must be priced; a repeated request (the same request_id) returns the first deployment.
func (s *Service) Deploy(ctx context.Context, v market.Viewer, key string, r DeployRequest) (*market.Deployment, error) {
	if err := v.MustBeBuyer(); err != nil {
		return nil, err
	}
	if n := len(r.RequestID); n < 1 || n > 64 || strings.TrimSpace(r.RequestID) != r.RequestID {
		return nil, market.Invalid("request_id", "request_id is 1 to 64 characters without surrounding spaces: the request's idempotency key")
	}
	var d *market.Deployment
	var sensitive map[string]bool
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if prev, err := tx.DeploymentByRequest(ctx, key, r.RequestID); err == nil {
			if err := v.Check("deployment", prev.ID, prev.BuyerID, prev.MerchantID); err != nil {
				return err
			}
			d = prev
			t, err := tx.DeployTemplate(ctx, prev.TemplateID)
			if err == nil {
				sensitive = sensitiveOf(t)
			}
			return err
		} else if market.ErrorCode(err) != market.CodeNotFound {
			return err
		}
		t, err := s.target(ctx, tx.Reader, v, key, r.TemplateID)
		if err != nil {
			return err
		}
		plan, vals, err := s.plan(ctx, tx.Reader, t.template, r.Inputs)
		if err != nil {
			return err
		}
		if !plan.Deployable() {
			var probs market.Problems
			for _, addr := range plan.Unpriced {
				probs.Add("plan.resources", "deploy.unpriced", "resource %s has no price in the price table: it cannot be deployed", addr)
			}
			return probs.Err()
		}
		now := s.clock.Now()
		in := t.instance
		d = &market.Deployment{ID: "dep-" + strings.ToLower(market.NewSecret(12)), InstanceKey: in.Key, OrderID: in.OrderID, BuyerID: in.BuyerID,
			MerchantID: in.MerchantID, SkuCode: in.SkuCode, AssetID: t.asset.ID, TemplateID: t.template.ID, RequestID: r.RequestID,
			State: market.DeploymentPending, Inputs: vals.JSON, Plan: *plan, Outputs: map[string]string{}, CreatedAt: now, UpdatedAt: now}
		sensitive = sensitiveOf(t.template)
		if err := tx.InsertDeployment(ctx, d); err != nil {
			return err
		}
		return tx.Enqueue(ctx, Args{ID: d.ID}, &river.InsertOpts{Queue: Queue, MaxAttempts: s.cfg.Attempts})
	})
	if market.ErrorCode(err) == market.CodeConflict {
		// A concurrent repeat of the request committed first (the unique index on the request
		// decided): answer with its deployment, as a repeat after it would have been.
		if prev, perr := s.db.DeploymentByRequest(ctx, key, r.RequestID); perr == nil && v.Sees(prev.BuyerID, prev.MerchantID) {
			if t, terr := s.db.DeployTemplate(ctx, prev.TemplateID); terr == nil {
				return redact(prev, sensitiveOf(t)), nil
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return redact(d, sensitive), nil
}

// Deployment returns a deployment to its buyer, its merchant's sellers and the operator;
// sensitive answers are redacted.
func (s *Service) Deployment(ctx context.Context, v market.Viewer, id string) (*market.Deployment, error) {
	d, err := s.db.Deployment(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := v.Check("deployment", id, d.BuyerID, d.MerchantID); err != nil {
		return nil, err
	}
	t, err := s.db.DeployTemplate(ctx, d.TemplateID)
	if err != nil {
		return nil, err
	}
	return redact(d, sensitiveOf(t)), nil
}

// DeploymentFilter selects deployments to list.
type DeploymentFilter struct {
	BuyerID     string
	MerchantID  string
	InstanceKey string
	State       market.DeploymentState
	Page        store.Page
}

// Deployments lists the deployments v may see: a buyer its own, a seller its merchant's, the
// operator all. Every answer is redacted in lists.
func (s *Service) Deployments(ctx context.Context, v market.Viewer, f DeploymentFilter) ([]*market.Deployment, store.Cursor, error) {
	buyer, merchant, ok := v.Scope(f.BuyerID, f.MerchantID)
	if !ok {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "sign in to list deployments")
	}
	list, next, err := s.db.Deployments(ctx, store.DeploymentFilter{BuyerID: buyer, MerchantID: merchant, InstanceKey: f.InstanceKey, State: f.State, Page: f.Page})
	for i, d := range list {
		list[i] = redact(d, nil)
	}
	return list, next, err
}

// sensitiveOf names a template's sensitive variables.
func sensitiveOf(t *market.DeployTemplate) map[string]bool {
	out := map[string]bool{}
	for _, v := range t.Variables {
		if v.Sensitive {
			out[v.Name] = true
		}
	}
	return out
}

// redact returns d with sensitive answers replaced; a nil set redacts every answer.
func redact(d *market.Deployment, sensitive map[string]bool) *market.Deployment {
	c := *d
	c.Inputs = make(map[string]json.RawMessage, len(d.Inputs))
	for k, v := range d.Inputs {
		if sensitive == nil || sensitive[k] {
			v = json.RawMessage(Redacted)
		}
		c.Inputs[k] = v
	}
	return &c
}
