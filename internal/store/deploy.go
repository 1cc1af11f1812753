package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mercato-oss/mercato/internal/market"
)

// Auto-deploy: templates, the price table, the asset of each auto-deploy spec, deployments.

// templateReport is what a template's report column holds.
type templateReport struct {
	Modules    int                        `json:"modules"`
	Depth      int                        `json:"depth"`
	Violations []market.TemplateViolation `json:"violations"`
	Variables  []market.TemplateVariable  `json:"variables"`
	Resources  []market.TemplateResource  `json:"resources"`
	Outputs    []string                   `json:"outputs,omitempty"`
}

// InsertDeployTemplate stores a template with its report and files.
func (tx *Tx) InsertDeployTemplate(ctx context.Context, t *market.DeployTemplate) error {
	report, err := json.Marshal(templateReport{t.Modules, t.Depth, t.Violations, t.Variables, t.Resources, t.Outputs})
	if err != nil {
		return err
	}
	files, err := json.Marshal(t.Files)
	if err != nil {
		return err
	}
	_, err = tx.q.ExecContext(ctx, `INSERT INTO deploy_templates (id, asset_id, asset_version, merchant_id, name, valid, report, files, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, t.ID, t.AssetID, t.AssetVersion, t.MerchantID, t.Name, t.Valid, string(report), string(files), ms(t.CreatedAt))
	return err
}

const templateCols = `id, asset_id, asset_version, merchant_id, name, valid, report, created_at`

func scanDeployTemplate(r rowScanner, files bool) (*market.DeployTemplate, error) {
	var t market.DeployTemplate
	var report, fileJSON string
	var created int64
	dest := []any{&t.ID, &t.AssetID, &t.AssetVersion, &t.MerchantID, &t.Name, &t.Valid, &report, &created}
	if files {
		dest = append(dest, &fileJSON)
	}
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	t.CreatedAt = fromMS(created)
	var rep templateReport
	if err := json.Unmarshal([]byte(report), &rep); err != nil {
		return nil, fmt.Errorf("template %s: report: %w", t.ID, err)
	}
	t.Modules, t.Depth, t.Violations, t.Variables, t.Resources, t.Outputs = rep.Modules, rep.Depth, rep.Violations, rep.Variables, rep.Resources, rep.Outputs
	if files {
		if err := json.Unmarshal([]byte(fileJSON), &t.Files); err != nil {
			return nil, fmt.Errorf("template %s: files: %w", t.ID, err)
		}
	}
	return &t, nil
}

// DeployTemplate returns a template with its files.
func (r Reader) DeployTemplate(ctx context.Context, id string) (*market.DeployTemplate, error) {
	t, err := scanDeployTemplate(r.q.QueryRowContext(ctx, `SELECT `+templateCols+`, files FROM deploy_templates WHERE id = $1`, id), true)
	return t, notFound(err, "template", id)
}

// DeployTemplateFilter selects templates; empty fields match everything.
type DeployTemplateFilter struct {
	AssetID    string
	MerchantID string
	// ValidOnly keeps the templates that meet every constraint.
	ValidOnly bool
	Page      Page
}

// DeployTemplates lists a page of templates (without their files), newest first.
func (r Reader) DeployTemplates(ctx context.Context, f DeployTemplateFilter) ([]*market.DeployTemplate, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+templateCols+` FROM deploy_templates
		WHERE ($1 = '' OR asset_id = $1) AND ($2 = '' OR merchant_id = $2) AND ($3 = FALSE OR valid = TRUE)
		AND ($4 = 0 OR created_at < $4 OR created_at = $4 AND id < $5)
		ORDER BY created_at DESC, id DESC LIMIT $6`, f.AssetID, f.MerchantID, f.ValidOnly, f.Page.afterMS(), f.Page.After.ID, f.Page.limit()+1)
	list, err := collect(rows, err, func(r rowScanner) (*market.DeployTemplate, error) { return scanDeployTemplate(r, false) })
	return cut(list, err, f.Page, func(t *market.DeployTemplate) Cursor { return Cursor{t.CreatedAt, t.ID} })
}

// CountValidTemplates counts an asset's templates that meet every constraint.
func (r Reader) CountValidTemplates(ctx context.Context, assetID string) (int, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM deploy_templates WHERE asset_id = $1 AND valid = TRUE`, assetID).Scan(&n)
	return n, err
}

// DeleteDeployTemplate deletes a template; it reports whether there was one.
func (tx *Tx) DeleteDeployTemplate(ctx context.Context, id string) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `DELETE FROM deploy_templates WHERE id = $1`, id))
}

// SetResourcePrice sets (replaces) the price lines of a resource type.
func (tx *Tx) SetResourcePrice(ctx context.Context, p *market.ResourcePrice) error {
	lines, err := json.Marshal(p.Lines)
	if err != nil {
		return err
	}
	_, err = tx.q.ExecContext(ctx, `INSERT INTO deploy_prices (resource_type, lines, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (resource_type) DO UPDATE SET lines = excluded.lines, updated_at = excluded.updated_at`, p.ResourceType, string(lines), ms(p.UpdatedAt))
	return err
}

// DeleteResourcePrice removes a resource type from the price table.
func (tx *Tx) DeleteResourcePrice(ctx context.Context, resourceType string) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `DELETE FROM deploy_prices WHERE resource_type = $1`, resourceType))
}

// ResourcePrices returns the whole price table, by resource type.
func (r Reader) ResourcePrices(ctx context.Context) ([]*market.ResourcePrice, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT resource_type, lines, updated_at FROM deploy_prices ORDER BY resource_type LIMIT 10000`)
	return collect(rows, err, func(r rowScanner) (*market.ResourcePrice, error) {
		var p market.ResourcePrice
		var lines string
		var at int64
		if err := r.Scan(&p.ResourceType, &lines, &at); err != nil {
			return nil, err
		}
		p.UpdatedAt = fromMS(at)
		return &p, json.Unmarshal([]byte(lines), &p.Lines)
	})
}

// SetSpecAsset records the asset an auto-deploy spec selects.
func (tx *Tx) SetSpecAsset(ctx context.Context, skuCode, productID, merchantID, assetID string, at int64) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO deploy_specs (sku_code, product_id, merchant_id, asset_id, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (sku_code) DO UPDATE SET asset_id = excluded.asset_id`, skuCode, productID, merchantID, assetID, at)
	return err
}

// SpecAsset returns the asset an auto-deploy spec selects, "" for a spec that is not one.
func (r Reader) SpecAsset(ctx context.Context, skuCode string) (string, error) {
	var id string
	err := r.q.QueryRowContext(ctx, `SELECT asset_id FROM deploy_specs WHERE sku_code = $1`, skuCode).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// AssetInUse reports whether a spec selects an asset.
func (r Reader) AssetInUse(ctx context.Context, assetID string) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM deploy_specs WHERE asset_id = $1`, assetID).Scan(&n)
	return n > 0, err
}

const deploymentCols = `id, instance_key, order_id, buyer_id, merchant_id, sku_code, asset_id, template_id, request_id, state, inputs, plan,
	stack_id, outputs, message, attempts, created_at, updated_at, deployed_at`

func (r Reader) scanDeployment(s rowScanner) (*market.Deployment, error) {
	var d market.Deployment
	var inputs, plan, outputs string
	var created, updated, deployed int64
	if err := s.Scan(&d.ID, &d.InstanceKey, &d.OrderID, &d.BuyerID, &d.MerchantID, &d.SkuCode, &d.AssetID, &d.TemplateID, &d.RequestID, &d.State,
		&inputs, &plan, &d.StackID, &outputs, &d.Message, &d.Attempts, &created, &updated, &deployed); err != nil {
		return nil, err
	}
	d.CreatedAt, d.UpdatedAt, d.DeployedAt = fromMS(created), fromMS(updated), fromMS(deployed)
	plain, err := r.keys.open(inputs)
	if err != nil {
		return nil, fmt.Errorf("deployment %s: inputs: %w", d.ID, err)
	}
	if err := json.Unmarshal([]byte(plain), &d.Inputs); err != nil {
		return nil, fmt.Errorf("deployment %s: inputs: %w", d.ID, err)
	}
	if err := json.Unmarshal([]byte(plan), &d.Plan); err != nil {
		return nil, fmt.Errorf("deployment %s: plan: %w", d.ID, err)
	}
	return &d, json.Unmarshal([]byte(outputs), &d.Outputs)
}

// InsertDeployment stores a new deployment; its inputs are sealed (they hold passwords).
func (tx *Tx) InsertDeployment(ctx context.Context, d *market.Deployment) error {
	inputs, err := json.Marshal(d.Inputs)
	if err != nil {
		return err
	}
	plan, err := json.Marshal(d.Plan)
	if err != nil {
		return err
	}
	outputs, err := json.Marshal(d.Outputs)
	if err != nil {
		return err
	}
	_, err = tx.q.ExecContext(ctx, `INSERT INTO deployments (`+deploymentCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		d.ID, d.InstanceKey, d.OrderID, d.BuyerID, d.MerchantID, d.SkuCode, d.AssetID, d.TemplateID, d.RequestID, string(d.State),
		tx.keys.seal(string(inputs)), string(plan), d.StackID, string(outputs), d.Message, d.Attempts, ms(d.CreatedAt), ms(d.UpdatedAt), ms(d.DeployedAt))
	if isUniqueViolation(err) {
		return market.Errorf(market.CodeConflict, "request %s of instance %s has made a deployment already", d.RequestID, d.InstanceKey)
	}
	return err
}

// Deployment returns a deployment.
func (r Reader) Deployment(ctx context.Context, id string) (*market.Deployment, error) {
	d, err := r.scanDeployment(r.q.QueryRowContext(ctx, `SELECT `+deploymentCols+` FROM deployments WHERE id = $1`, id))
	return d, notFound(err, "deployment", id)
}

// DeploymentByRequest returns the deployment an instance's request created, if any.
func (r Reader) DeploymentByRequest(ctx context.Context, instanceKey, requestID string) (*market.Deployment, error) {
	d, err := r.scanDeployment(r.q.QueryRowContext(ctx, `SELECT `+deploymentCols+` FROM deployments WHERE instance_key = $1 AND request_id = $2`,
		instanceKey, requestID))
	return d, notFound(err, "deployment of request", requestID)
}

// DeploymentFilter selects deployments; empty fields match everything.
type DeploymentFilter struct {
	BuyerID     string
	MerchantID  string
	InstanceKey string
	State       market.DeploymentState
	Page        Page
}

// Deployments lists a page of deployments, newest first.
func (r Reader) Deployments(ctx context.Context, f DeploymentFilter) ([]*market.Deployment, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+deploymentCols+` FROM deployments
		WHERE ($1 = '' OR buyer_id = $1) AND ($2 = '' OR merchant_id = $2) AND ($3 = '' OR instance_key = $3) AND ($4 = '' OR state = $4)
		AND ($5 = 0 OR created_at < $5 OR created_at = $5 AND id < $6)
		ORDER BY created_at DESC, id DESC LIMIT $7`, f.BuyerID, f.MerchantID, f.InstanceKey, string(f.State), f.Page.afterMS(), f.Page.After.ID, f.Page.limit()+1)
	list, err := collect(rows, err, r.scanDeployment)
	return cut(list, err, f.Page, func(d *market.Deployment) Cursor { return Cursor{d.CreatedAt, d.ID} })
}

// FinishDeployment records the deployer's answer if the deployment is still in state from.
func (tx *Tx) FinishDeployment(ctx context.Context, d *market.Deployment, from market.DeploymentState) (bool, error) {
	outputs, err := json.Marshal(d.Outputs)
	if err != nil {
		return false, err
	}
	return affected(tx.q.ExecContext(ctx, `UPDATE deployments SET state = $1, stack_id = $2, outputs = $3, message = $4, attempts = $5, updated_at = $6,
		deployed_at = $7 WHERE id = $8 AND state = $9`, string(d.State), d.StackID, string(outputs), d.Message, d.Attempts, ms(d.UpdatedAt), ms(d.DeployedAt),
		d.ID, string(from)))
}
