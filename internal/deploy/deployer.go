package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
)

// Deployer creates a deployment's resources. The marketplace calls it from a durable job, so
// it must be idempotent by Deployment.ID: after a crash the same deployment is handed over
// again, and a real runner must find the stack it started rather than start a second one.
//
// A real runner (docs/auto-deploy.md) would, for an RFS deployer: create (or find, by a stack
// name derived from Deployment.ID) an RFS stack in the buyer's account through the agency the
// buyer granted, from the template's files, with Inputs as the stack's variables (sensitive ones
// as encrypted variables), create an execution plan, check its price against Plan, apply it,
// wait, and return the stack's ID and outputs. A Terraform deployer would write the files and a
// .tfvars.json to a working directory keyed by Deployment.ID with a remote state of its own,
// run terraform init, plan and apply, and read terraform output -json.
//
// An error is retried (Config.Attempts in all, River's backoff between them); a
// *market.Error with CodeInvalid or CodeConflict is final at once (the template or the
// inputs cannot work, and trying again will not change that).
type Deployer interface {
	Deploy(ctx context.Context, job Job) (Result, error)
}

// Job is what a deployer is handed: the deployment (with its inputs in clear), and the
// template with its files.
type Job struct {
	Deployment *market.Deployment
	Template   *market.DeployTemplate
}

// Result is what a deployer reports: the stack it created and the template's outputs.
type Result struct {
	StackID string
	Outputs map[string]string
	Message string
}

// LocalDeployer is the default deployer: the real cloud is out of reach, so it records the
// plan instead of creating resources. With Dir set it also writes what a Terraform runner
// would need there, one directory per deployment: the template's files, terraform.tfvars.json
// (sensitive answers left out) and plan.json.
type LocalDeployer struct {
	Dir string
}

// Deploy records the plan (and writes it out with Dir).
func (l LocalDeployer) Deploy(_ context.Context, job Job) (Result, error) {
	d, t := job.Deployment, job.Template
	n := 0
	for _, r := range d.Plan.Resources {
		n += r.Count
	}
	res := Result{StackID: "local-" + d.ID, Outputs: map[string]string{"resources": fmt.Sprint(n)},
		Message: fmt.Sprintf("recorded the plan of %d resources from template %s (no cloud: the local deployer creates nothing)", n, t.ID)}
	if l.Dir == "" {
		return res, nil
	}
	dir := filepath.Join(l.Dir, d.ID)
	if err := l.write(dir, job); err != nil {
		return Result{}, fmt.Errorf("local deployer: %w", err)
	}
	res.Outputs["dir"] = dir
	return res, nil
}

func (l LocalDeployer) write(dir string, job Job) error {
	for _, f := range job.Template.Files {
		name := filepath.FromSlash(f.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("template file %q leaves the template", f.Name)
		}
		p := filepath.Join(dir, "template", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(f.Data), 0o640); err != nil {
			return err
		}
	}
	vars := map[string]json.RawMessage{}
	sensitive := sensitiveOf(job.Template)
	for k, v := range job.Deployment.Inputs {
		if !sensitive[k] {
			vars[k] = v
		}
	}
	for name, v := range map[string]any{"terraform.tfvars.json": vars, "plan.json": job.Deployment.Plan} {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, strings.TrimSpace(name)), b, 0o640); err != nil {
			return err
		}
	}
	return nil
}
