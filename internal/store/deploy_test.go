package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

// TestDeployStore: templates round-trip with their report and files and list by asset and
// validity; the price table upserts; a spec's asset marks it in use; a deployment's answers are
// sealed at rest, its request is unique per instance, and finishing it is guarded by its state.
func TestDeployStore(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		asset := storetest.Name("ast")
		tpl := &market.DeployTemplate{ID: storetest.Name("tpl"), AssetID: asset, AssetVersion: 1, MerchantID: "m1", Name: "std", Valid: true,
			Modules: 2, Depth: 1, Violations: []market.TemplateViolation{},
			Variables: []market.TemplateVariable{{Name: "pw", Type: "string", Description: "d", Sensitive: true, Default: json.RawMessage(`"x"`),
				Validations: []market.TemplateCheck{{Condition: "length(var.pw) > 8", ErrorMessage: "long"}}, File: "main.tf", Line: 3}},
			Resources: []market.TemplateResource{{Address: "module.a.huaweicloud_vpc.v", Type: "huaweicloud_vpc", Name: "v", Module: "module.a", Count: "2", File: "a/main.tf", Line: 1}},
			Outputs:   []string{"id"}, Files: []market.TemplateFile{{Name: "main.tf", Data: "resource \"x_y\" \"z\" {}\n\x00"}}, CreatedAt: t0}
		bad := &market.DeployTemplate{ID: storetest.Name("tpl"), AssetID: asset, AssetVersion: 1, MerchantID: "m1", Name: "bad",
			Violations: []market.TemplateViolation{{File: "main.tf", Line: 2, Rule: "rfs.backend", Message: "no"}}, Files: []market.TemplateFile{}, CreatedAt: t0.Add(1e6)}
		dep := &market.Deployment{ID: storetest.Name("dep"), InstanceKey: "k1", OrderID: "o1", BuyerID: "b1", MerchantID: "m1", SkuCode: "s1", AssetID: asset,
			TemplateID: tpl.ID, RequestID: "r1", State: market.DeploymentPending, Inputs: map[string]json.RawMessage{"pw": json.RawMessage(`"S3cure-pass!"`)},
			Plan:    market.DeployPlan{Resources: []market.PlannedResource{{Address: "a", Type: "x_y", Count: 1, Priced: true}}, Totals: map[string]market.Money{"month": 1500}, Currency: "CNY"},
			Outputs: map[string]string{}, CreatedAt: t0, UpdatedAt: t0}
		err := db.Write(ctx, func(tx *store.Tx) error {
			for _, f := range []func() error{
				func() error { return tx.InsertDeployTemplate(ctx, tpl) },
				func() error { return tx.InsertDeployTemplate(ctx, bad) },
				func() error {
					return tx.SetResourcePrice(ctx, &market.ResourcePrice{ResourceType: "x_y", Lines: []market.PriceLine{{Name: "a", Per: "hour", Price: 1}}, UpdatedAt: t0})
				},
				func() error {
					return tx.SetResourcePrice(ctx, &market.ResourcePrice{ResourceType: "x_y", Lines: []market.PriceLine{{Name: "b", Per: "month", Price: 2, Quantity: 5}}, UpdatedAt: t0})
				},
				func() error { return tx.SetSpecAsset(ctx, "s1", "p1", "m1", asset, t0.UnixMilli()) },
				func() error { return tx.InsertDeployment(ctx, dep) },
			} {
				if err := f(); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.DeployTemplate(ctx, tpl.ID)
		if err != nil || !reflect.DeepEqual(got, tpl) {
			t.Fatalf("template:\n%+v\n%+v\n%v", got, tpl, err)
		}
		list, _, err := db.DeployTemplates(ctx, store.DeployTemplateFilter{AssetID: asset})
		valid, _, _ := db.DeployTemplates(ctx, store.DeployTemplateFilter{AssetID: asset, ValidOnly: true})
		n, _ := db.CountValidTemplates(ctx, asset)
		if err != nil || len(list) != 2 || list[0].ID != bad.ID || list[0].Files != nil || len(valid) != 1 || n != 1 {
			t.Fatalf("lists %d %d %d %v", len(list), len(valid), n, err)
		}
		prices, err := db.ResourcePrices(ctx)
		if err != nil || len(prices) != 1 || prices[0].Lines[0].Name != "b" || prices[0].Lines[0].Quantity != 5 {
			t.Fatalf("prices %+v %v", prices, err)
		}
		if id, err := db.SpecAsset(ctx, "s1"); err != nil || id != asset {
			t.Fatalf("spec asset %q %v", id, err)
		}
		if id, err := db.SpecAsset(ctx, "s2"); err != nil || id != "" {
			t.Fatalf("no spec asset %q %v", id, err)
		}
		if used, err := db.AssetInUse(ctx, asset); err != nil || !used {
			t.Fatalf("in use %v %v", used, err)
		}

		d, err := db.DeploymentByRequest(ctx, "k1", "r1")
		if err != nil || !reflect.DeepEqual(d, dep) {
			t.Fatalf("deployment:\n%+v\n%+v\n%v", d, dep, err)
		}
		var raw string
		if err := db.Write(ctx, func(tx *store.Tx) error {
			return tx.QueryForTest(ctx, "SELECT inputs FROM deployments WHERE id = '"+dep.ID+"'", func(rows *sql.Rows) error {
				rows.Next()
				return rows.Scan(&raw)
			})
		}); err != nil || !strings.HasPrefix(raw, "enc:v1:") || strings.Contains(raw, "S3cure") {
			t.Fatalf("inputs at rest: %q %v", raw, err)
		}
		again := *dep
		again.ID = storetest.Name("dep")
		err = db.Write(ctx, func(tx *store.Tx) error { return tx.InsertDeployment(ctx, &again) })
		if market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("a second deployment of one request: %v", err)
		}
		done := *dep
		done.State, done.StackID, done.Outputs, done.Attempts, done.DeployedAt = market.DeploymentDeployed, "st-1", map[string]string{"ip": "1.2.3.4"}, 1, t0.Add(1e9)
		for i, want := range []bool{true, false} {
			var ok bool
			if err := db.Write(ctx, func(tx *store.Tx) (err error) {
				ok, err = tx.FinishDeployment(ctx, &done, market.DeploymentPending)
				return err
			}); err != nil || ok != want {
				t.Fatalf("finish %d: %v %v", i, ok, err)
			}
		}
		d, _ = db.Deployment(ctx, dep.ID)
		page, _, err := db.Deployments(ctx, store.DeploymentFilter{BuyerID: "b1", State: market.DeploymentDeployed})
		if d.State != market.DeploymentDeployed || d.Outputs["ip"] != "1.2.3.4" || err != nil || len(page) != 1 {
			t.Fatalf("finished %+v, page %d %v", d, len(page), err)
		}
		if ok, err := func() (ok bool, err error) {
			err = db.Write(ctx, func(tx *store.Tx) error { ok, err = tx.DeleteDeployTemplate(ctx, bad.ID); return err })
			return
		}(); err != nil || !ok {
			t.Fatalf("delete %v %v", ok, err)
		}
	})
}
