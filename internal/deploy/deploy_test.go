package deploy_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/mercato-oss/mercato/internal/assets"
	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/deploy"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/rfs"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

func TestTemplates(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		a := h.approvedAsset("ast-img", market.AssetImage)
		good := h.template(a.ID)
		if good.AssetVersion != 1 || len(good.Variables) != 3 || len(good.Resources) != 2+3*3 || good.Modules != 3 {
			t.Fatalf("template %+v", good)
		}
		bad, err := h.Deploy.AddTemplate(h.Ctx, h.seller, a.ID, deploy.TemplateRequest{Name: "bad", Files: []market.TemplateFile{{Name: "main.tf",
			Data: "resource \"huaweicloud_compute_instance\" \"s\" {\n  provisioner \"local-exec\" {\n    command = \"x\"\n  }\n}\n"}}})
		if err != nil || bad.Valid || len(bad.Violations) != 1 || bad.Violations[0].Rule != rfs.RuleProvisioner || bad.Violations[0].Line != 2 {
			t.Fatalf("bad template %+v %v", bad, err)
		}
		_, err = h.Deploy.AddTemplate(h.Ctx, h.seller, a.ID, deploy.TemplateRequest{Name: "v9", Version: 9, Files: files(rfs.Sample(1))})
		wantErr(t, err, market.CodeInvalid, "versions 1 to 1")

		// Another merchant's seller learns nothing; a buyer sees no templates.
		_, err = h.Deploy.AddTemplate(h.Ctx, h.other, a.ID, deploy.TemplateRequest{Name: "x", Files: files(rfs.Sample(1))})
		wantErr(t, err, market.CodeNotFound, "not found")
		_, err = h.Deploy.Template(h.Ctx, h.other, good.ID)
		wantErr(t, err, market.CodeNotFound, "not found")
		_, err = h.Deploy.Template(h.Ctx, h.Buyer(), good.ID)
		wantErr(t, err, market.CodeNotFound, "not found")
		_, _, err = h.Deploy.Templates(h.Ctx, h.Buyer(), deploy.TemplateFilter{})
		wantErr(t, err, market.CodeForbidden, "only sellers")
		mine, _, _ := h.Deploy.Templates(h.Ctx, h.seller, deploy.TemplateFilter{AssetID: a.ID})
		theirs, _, _ := h.Deploy.Templates(h.Ctx, h.other, deploy.TemplateFilter{})
		valid, _, _ := h.Deploy.Templates(h.Ctx, market.AsOperator(), deploy.TemplateFilter{ValidOnly: true})
		if len(mine) != 2 || len(theirs) != 0 || len(valid) != 1 {
			t.Fatalf("lists: mine %d theirs %d valid %d", len(mine), len(theirs), len(valid))
		}
		got, err := h.Deploy.Template(h.Ctx, h.seller, good.ID)
		if err != nil || len(got.Files) != 4 {
			t.Fatalf("template with files: %v %v", got, err)
		}

		// The last valid template of an asset a spec selects stays.
		h.bind(a.ID)
		wantErr(t, h.Deploy.DeleteTemplate(h.Ctx, h.seller, good.ID), market.CodeConflict, "last valid template")
		if err := h.Deploy.DeleteTemplate(h.Ctx, h.seller, bad.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, h.Deploy.DeleteTemplate(h.Ctx, h.other, good.ID), market.CodeNotFound, "not found")
	})
}

// An app asset (a deployable package) is submitted only with a valid template (rules §5.2).
func TestAppAssetNeedsTemplate(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		a, err := h.Assets.Create(h.Ctx, h.seller, assets.CreateRequest{Kind: market.AssetPackage, Name: "Acme app", Regions: []string{"cn-north-4"}})
		if err != nil {
			t.Fatal(err)
		}
		body := []byte("PK\x05\x06" + string(make([]byte, 18))) // an empty zip
		u, err := h.Assets.BeginUpload(h.Ctx, h.seller, a.ID, assets.UploadRequest{Label: "1.0", FileName: "acme-app.zip", Size: int64(len(body)), SHA256: sha(body)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Assets.WriteChunk(h.Ctx, h.seller, u.ID, 0, bytes.NewReader(body)); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Assets.Complete(h.Ctx, h.seller, u.ID); err != nil {
			t.Fatal(err)
		}
		_, err = h.Assets.Submit(h.Ctx, h.seller, a.ID)
		wantErr(t, err, market.CodeConflict, "at least one auto-deploy template")
		if _, err := h.Deploy.AddTemplate(h.Ctx, h.seller, a.ID, deploy.TemplateRequest{Name: "broken", Files: []market.TemplateFile{{Name: "main.tf",
			Data: "terraform {\n  backend \"s3\" {}\n}\n"}}}); err != nil {
			t.Fatal(err)
		}
		_, err = h.Assets.Submit(h.Ctx, h.seller, a.ID)
		wantErr(t, err, market.CodeConflict, "passes validation")
		h.template(a.ID)
		if got, err := h.Assets.Submit(h.Ctx, h.seller, a.ID); err != nil || got.State != market.AssetSubmitted {
			t.Fatalf("submit with a template: %v %v", got.State, err)
		}
	})
}

func TestPrices(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		line := []market.PriceLine{{Name: "server", Per: "hour", Price: 450}}
		_, err := h.Deploy.SetPrice(h.Ctx, h.seller, "huaweicloud_compute_instance", deploy.PriceRequest{Lines: line})
		wantErr(t, err, market.CodeForbidden, "operator")
		_, err = h.Deploy.SetPrice(h.Ctx, market.AsOperator(), "Not A Type", deploy.PriceRequest{Lines: []market.PriceLine{{Name: "", Per: "week", Price: -1}}})
		for _, part := range []string{"resource_type", "lines[0].name", "lines[0].per", "lines[0].price"} {
			wantErr(t, err, market.CodeInvalid, part)
		}
		if _, err := h.Deploy.SetPrice(h.Ctx, market.AsOperator(), "huaweicloud_compute_instance", deploy.PriceRequest{Lines: line}); err != nil {
			t.Fatal(err)
		}
		list, err := h.Deploy.Prices(h.Ctx, h.Buyer())
		if err != nil || len(list) != 1 || list[0].Lines[0].Price != 450 {
			t.Fatalf("prices %v %v", list, err)
		}
		wantErr(t, h.Deploy.DeletePrice(h.Ctx, h.seller, "huaweicloud_compute_instance"), market.CodeForbidden, "operator")
		if err := h.Deploy.DeletePrice(h.Ctx, market.AsOperator(), "huaweicloud_compute_instance"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, h.Deploy.DeletePrice(h.Ctx, market.AsOperator(), "huaweicloud_compute_instance"), market.CodeNotFound, "no price")
	})
}

// The buyer's flow after a purchase: the form, the plan (blocked while a resource has no
// price), the deployment handed to the local deployer by its job, and who sees what.
func TestDeploy(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		a := h.approvedAsset("ast-img", market.AssetImage)
		tpl := h.template(a.ID)
		h.bind(a.ID)
		h.priceAll("huaweicloud_evs_volume")
		buyer, in := h.bought()

		form, err := h.Deploy.Form(h.Ctx, buyer, in.Key, "")
		if err != nil || form.Template.ID != tpl.ID || len(form.Fields) != 3 || form.Template.Files != nil {
			t.Fatalf("form %+v %v", form, err)
		}
		_, err = h.Deploy.Plan(h.Ctx, buyer, in.Key, deploy.DeployRequest{Inputs: inputs(`{"servers": "two", "name": "ab"}`)})
		for _, part := range []string{"inputs.admin_password deploy.form a value is required", "inputs.servers", "inputs.name deploy.form The name prefix has 3 to 32 characters."} {
			wantErr(t, err, market.CodeInvalid, part)
		}
		answers := inputs(`{"admin_password": "S3cure-pass!", "servers": 2}`)
		plan, err := h.Deploy.Plan(h.Ctx, buyer, in.Key, deploy.DeployRequest{Inputs: answers})
		if err != nil || plan.Deployable() || len(plan.Unpriced) != 3 {
			t.Fatalf("plan without disk prices: %+v %v", plan, err)
		}
		_, err = h.Deploy.Deploy(h.Ctx, buyer, in.Key, deploy.DeployRequest{RequestID: "r1", Inputs: answers})
		wantErr(t, err, market.CodeInvalid, "module.m0.huaweicloud_evs_volume.data has no price")

		h.priceAll()
		plan, err = h.Deploy.Plan(h.Ctx, buyer, in.Key, deploy.DeployRequest{Inputs: answers})
		if err != nil || !plan.Deployable() || len(plan.Resources) != 11 || plan.Resources[1].Count != 2 {
			t.Fatalf("plan %+v %v", plan, err)
		}
		// Servers: 2 front + 3 in modules at 0.450 an hour; disks 3 × 100 GB at 1.000 a month;
		// EIPs 3 × (20.000 + 5 × 23.000) a month.
		if plan.Totals["hour"] != 2_250 || plan.Totals["month"] != 705_000 || plan.Currency != "CNY" {
			t.Fatalf("totals %v %s", plan.Totals, plan.Currency)
		}

		d, err := h.Deploy.Deploy(h.Ctx, buyer, in.Key, deploy.DeployRequest{RequestID: "r1", Inputs: answers})
		if err != nil || d.State != market.DeploymentPending || string(d.Inputs["admin_password"]) != deploy.Redacted || string(d.Inputs["servers"]) != "2" {
			t.Fatalf("deployment %+v %v", d, err)
		}
		h.Settle()
		got, err := h.Deploy.Deployment(h.Ctx, buyer, d.ID)
		if err != nil || got.State != market.DeploymentDeployed || got.StackID != "local-"+d.ID || got.Outputs["resources"] != "12" || got.Attempts != 1 {
			t.Fatalf("deployed %+v %v", got, err)
		}
		again, err := h.Deploy.Deploy(h.Ctx, buyer, in.Key, deploy.DeployRequest{RequestID: "r1", Inputs: answers})
		if err != nil || again.ID != d.ID {
			t.Fatalf("repeat %v %v", again, err)
		}

		// Visibility: another buyer and another merchant's seller learn nothing.
		stranger := h.Buyer()
		_, err = h.Deploy.Deployment(h.Ctx, stranger, d.ID)
		wantErr(t, err, market.CodeNotFound, "not found")
		_, err = h.Deploy.Deployment(h.Ctx, h.other, d.ID)
		wantErr(t, err, market.CodeNotFound, "not found")
		_, err = h.Deploy.Form(h.Ctx, stranger, in.Key, "")
		wantErr(t, err, market.CodeNotFound, "not found")
		_, err = h.Deploy.Deploy(h.Ctx, stranger, in.Key, deploy.DeployRequest{RequestID: "r1", Inputs: answers})
		wantErr(t, err, market.CodeNotFound, "not found")
		_, err = h.Deploy.Deploy(h.Ctx, h.seller, in.Key, deploy.DeployRequest{RequestID: "r2", Inputs: answers})
		wantErr(t, err, market.CodeForbidden, "buyer")
		if _, err := h.Deploy.Deployment(h.Ctx, h.seller, d.ID); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			v    market.Viewer
			want int
		}{{buyer, 1}, {stranger, 0}, {h.seller, 1}, {h.other, 0}, {market.AsOperator(), 1}} {
			list, _, err := h.Deploy.Deployments(h.Ctx, c.v, deploy.DeploymentFilter{})
			if err != nil || len(list) != c.want {
				t.Fatalf("%v lists %d deployments, want %d (%v)", c.v, len(list), c.want, err)
			}
			for _, d := range list {
				if string(d.Inputs["servers"]) != deploy.Redacted {
					t.Fatal("lists show answers")
				}
			}
		}
		// The stored answers are sealed at rest and in clear for the deployer.
		stored, err := h.DB.Deployment(h.Ctx, d.ID)
		if err != nil || string(stored.Inputs["admin_password"]) != `"S3cure-pass!"` {
			t.Fatalf("stored %v %v", stored, err)
		}
		// An instance of a spec that is not auto-deploy has no form.
		_, err = h.Deploy.Form(h.Ctx, h.Buyer(), "nope", "")
		wantErr(t, err, market.CodeNotFound, "not found")
	})
}

// failing is a deployer that refuses every deployment for good.
type failing struct{}

func (failing) Deploy(context.Context, deploy.Job) (deploy.Result, error) {
	return deploy.Result{}, market.Errorf(market.CodeConflict, "quota exceeded in cn-north-4")
}

func TestDeployerFailure(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := marketplacetest.New(t, d, marketplacetest.Options{Config: func(c *marketplace.Config) { c.Deployer = failing{} }})
			h := &harness{Env: e, t: t, shop: e.Shop("m-acme"), seller: e.Seller("m-acme", market.SellerOperations)}
			a := h.approvedAsset("ast-img", market.AssetImage)
			h.template(a.ID)
			h.bind(a.ID)
			h.priceAll()
			buyer, in := h.bought()
			dep, err := h.Deploy.Deploy(h.Ctx, buyer, in.Key, deploy.DeployRequest{RequestID: "r1", Inputs: inputs(`{"admin_password": "S3cure-pass!"}`)})
			if err != nil {
				t.Fatal(err)
			}
			h.Settle()
			got, err := h.Deploy.Deployment(h.Ctx, buyer, dep.ID)
			if err != nil || got.State != market.DeploymentFailed || got.Message != "conflict: quota exceeded in cn-north-4" {
				t.Fatalf("failed deployment %+v %v", got, err)
			}
			list, _, _ := h.Deploy.Deployments(h.Ctx, market.AsOperator(), deploy.DeploymentFilter{State: market.DeploymentFailed})
			if len(list) != 1 {
				t.Fatalf("failed list %d", len(list))
			}
			_ = store.Page{}
		})
	}
}

// Concurrent repeats of one deployment request make one deployment, and every repeat answers it.
func TestConcurrentDeploy(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		a := h.approvedAsset("ast-img", market.AssetImage)
		h.template(a.ID)
		h.bind(a.ID)
		h.priceAll()
		buyer, in := h.bought()
		const n = 8
		ids := make(chan string, n)
		errs := make(chan error, n)
		for range n {
			go func() {
				d, err := h.Deploy.Deploy(h.Ctx, buyer, in.Key, deploy.DeployRequest{RequestID: "same", Inputs: inputs(`{"admin_password": "S3cure-pass!"}`)})
				if err != nil {
					errs <- err
					return
				}
				ids <- d.ID
			}()
		}
		first := ""
		for range n {
			select {
			case err := <-errs:
				t.Fatal(err)
			case id := <-ids:
				if first == "" {
					first = id
				}
				if id != first {
					t.Fatalf("two deployments: %s and %s", first, id)
				}
			}
		}
		list, _, err := h.Deploy.Deployments(h.Ctx, market.AsOperator(), deploy.DeploymentFilter{InstanceKey: in.Key})
		if err != nil || len(list) != 1 {
			t.Fatalf("%d deployments, %v", len(list), err)
		}
	})
}

// The operator's direct creation skips publishing's hooks, so it refuses a spec's asset rather
// than drop it.
func TestDirectCreationRefusesAsset(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		a := h.approvedAsset("ast-img", market.AssetImage)
		_, err := h.Catalog.CreateProduct(h.Ctx, market.AsOperator(), catalog.ProductRequest{MerchantID: "m-acme", Name: "Direct", Specs: []catalog.SpecRequest{
			{SkuCode: "direct-img", Name: "img", Charging: market.ChargingOneTime, Delivery: market.DeliveryImage, AssetID: a.ID,
				Plans: []catalog.PlanRequest{{Price: 1000}}}}})
		wantErr(t, err, market.CodeInvalid, "release application")
		if market.ErrorField(err) != "specs[0].asset_id" {
			t.Fatalf("field %q", market.ErrorField(err))
		}
	})
}
