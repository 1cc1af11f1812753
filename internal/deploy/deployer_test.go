package deploy_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/mercato-oss/mercato/internal/deploy"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/rfs"
)

// The local deployer with a directory writes what a Terraform run needs, without the
// sensitive answers; a file name leaving the template is refused.
func TestLocalDeployerDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tpl := &market.DeployTemplate{ID: "tpl-1", Files: files(rfs.Sample(1)),
		Variables: []market.TemplateVariable{{Name: "name"}, {Name: "admin_password", Sensitive: true}}}
	d := &market.Deployment{ID: "dep-1", Inputs: inputs(`{"name": "shop", "admin_password": "S3cure-pass!"}`),
		Plan: market.DeployPlan{Resources: []market.PlannedResource{{Address: "huaweicloud_vpc.main", Count: 1}, {Address: "huaweicloud_compute_instance.front", Count: 3}}}}
	res, err := deploy.LocalDeployer{Dir: dir}.Deploy(context.Background(), deploy.Job{Deployment: d, Template: tpl})
	if err != nil || res.StackID != "local-dep-1" || res.Outputs["resources"] != "4" {
		t.Fatalf("result %+v %v", res, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "dep-1", "terraform.tfvars.json"))
	var vars map[string]any
	if err != nil || json.Unmarshal(b, &vars) != nil || vars["name"] != "shop" || vars["admin_password"] != nil {
		t.Fatalf("tfvars %s %v", b, err)
	}
	for _, f := range []string{"plan.json", "template/main.tf", "template/modules/m0/main.tf"} {
		if _, err := os.Stat(filepath.Join(dir, "dep-1", f)); err != nil {
			t.Fatal(err)
		}
	}
	tpl.Files = []market.TemplateFile{{Name: "../escape.tf", Data: "x"}}
	if _, err := (deploy.LocalDeployer{Dir: dir}).Deploy(context.Background(), deploy.Job{Deployment: d, Template: tpl}); err == nil {
		t.Fatal("a file leaving the template was written")
	}
}
