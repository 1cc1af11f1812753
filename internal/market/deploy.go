package market

import (
	"encoding/json"
	"time"
)

// Auto-deploy (rules §5): templates attached to an asset version, the operator's price table,
// and buyers' deployments. See docs/auto-deploy.md.

// DeployTemplate is an auto-deploy template (Terraform HCL or .tf.json for RFS) a seller attached to
// an asset version, with what validating it found.
type DeployTemplate struct {
	ID           string
	AssetID      string
	AssetVersion int
	MerchantID   string
	Name         string
	// Valid is true when the template meets every RFS constraint (Violations is empty).
	Valid      bool
	Modules    int
	Depth      int
	Violations []TemplateViolation
	Variables  []TemplateVariable
	Resources  []TemplateResource
	Outputs    []string
	// Files are the template's files; lists leave them out.
	Files     []TemplateFile
	CreatedAt time.Time
}

// TemplateFile is one file of a template, by its path inside the template.
type TemplateFile struct {
	Name string `json:"name"`
	Data string `json:"data"`
}

// TemplateViolation is one broken RFS constraint, with its file, line and rule id.
type TemplateViolation struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// TemplateVariable is one input variable of a template's root module: a field of the buyer's
// deployment form.
type TemplateVariable struct {
	Name        string          `json:"name"`
	Type        string          `json:"type"`
	Description string          `json:"description"`
	Default     json.RawMessage `json:"default,omitempty"`
	Sensitive   bool            `json:"sensitive,omitempty"`
	Nullable    bool            `json:"nullable,omitempty"`
	Validations []TemplateCheck `json:"validations,omitempty"`
	File        string          `json:"file"`
	Line        int             `json:"line"`
}

// TemplateCheck is one validation block of a variable.
type TemplateCheck struct {
	Condition    string `json:"condition"`
	ErrorMessage string `json:"error_message"`
}

// TemplateResource is one managed resource of a template's module tree.
type TemplateResource struct {
	Address string `json:"address"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	Module  string `json:"module,omitempty"`
	Count   string `json:"count,omitempty"`
	ForEach bool   `json:"for_each,omitempty"`
	// Scale is the count or for_each of each module call above the resource, outermost first.
	Scale []string `json:"scale,omitempty"`
	File  string   `json:"file"`
	Line  int      `json:"line"`
}

// ResourcePrice is the operator's price of one cloud resource type: its price lines.
type ResourcePrice struct {
	ResourceType string
	Lines        []PriceLine
	UpdatedAt    time.Time
}

// PriceLine is one charge of a resource: Price per Unit, billed per Per.
type PriceLine struct {
	Name  string `json:"name"`
	Unit  string `json:"unit,omitempty"` // what one unit is: instance, GB, Mbit/s
	Per   string `json:"per"`            // hour, month, once
	Price Money  `json:"price"`
	// Quantity is how many units one resource instance takes (a 100 GB disk: 100); 0 means 1.
	Quantity int64 `json:"quantity,omitempty"`
}

// DeployPlan is an execution plan: every resource a deployment would create, with its price lines.
// A resource without a price blocks the deployment (rules §5.3: every resource must be
// priceable).
type DeployPlan struct {
	Resources []PlannedResource `json:"resources"`
	// Totals sums the plan's charges per billing period (hour, month, once).
	Totals   map[string]Money `json:"totals"`
	Currency string           `json:"currency"`
	// Unpriced lists the addresses of resources the price table has no price for.
	Unpriced []string `json:"unpriced,omitempty"`
}

// Deployable reports whether every resource of the plan is priced.
func (p *DeployPlan) Deployable() bool { return len(p.Unpriced) == 0 }

// PlannedResource is one resource of a plan, Count instances of it.
type PlannedResource struct {
	Address string       `json:"address"`
	Type    string       `json:"type"`
	Count   int          `json:"count"`
	Lines   []PlanCharge `json:"lines,omitempty"`
	Priced  bool         `json:"priced"`
}

// PlanCharge is a price line applied to a planned resource: Amount = Price × Quantity × Count.
type PlanCharge struct {
	PriceLine
	Amount Money `json:"amount"`
}

// DeploymentState is where a deployment is.
type DeploymentState string

// Deployment states: stored with its job (PENDING), handed to the deployer, then DEPLOYED or
// FAILED once the deployer answers for good.
const (
	DeploymentPending  DeploymentState = "PENDING"
	DeploymentDeployed DeploymentState = "DEPLOYED"
	DeploymentFailed   DeploymentState = "FAILED"
)

// Deployment is a buyer's deployment of an auto-deploy instance: the template, the answers to
// its form, the plan, and what the deployer reported.
type Deployment struct {
	ID          string
	InstanceKey string
	OrderID     string
	BuyerID     string
	MerchantID  string
	SkuCode     string
	AssetID     string
	TemplateID  string
	// RequestID is the buyer's idempotency key: a repeat returns the first deployment.
	RequestID string
	State     DeploymentState
	// Inputs are the answers to the form, as JSON per variable (sealed at rest; edges redact
	// sensitive ones).
	Inputs map[string]json.RawMessage
	Plan   DeployPlan
	// StackID and Outputs are the deployer's: the stack it created and the template's outputs.
	StackID    string
	Outputs    map[string]string
	Message    string
	Attempts   int
	CreatedAt  time.Time
	UpdatedAt  time.Time
	DeployedAt time.Time
}
