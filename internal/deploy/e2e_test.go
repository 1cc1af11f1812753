package deploy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/api"
	"github.com/mercato-oss/mercato/internal/assets"
	"github.com/mercato-oss/mercato/internal/assets/assetstest"
	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/rfs"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

// scanner is the real mercato-scan, built from the repository's scan module by TestMain.
var scanner string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "deploy-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if scanner, err = assetstest.BuildScanner(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// client calls the JSON API with a bearer token.
type client struct {
	t     *testing.T
	url   string
	token string
}

func (c client) do(method, path string, body any, want int, out any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		c.t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// TestEndToEnd: a seller uploads an image; the scan rejects it with its report; the seller
// appeals and the operator approves it; the seller attaches a template and releases an
// auto-deploy product whose spec selects the image, which the operator approves and lists; a
// buyer buys it, fills the form, reads the plan and deploys through the JSON API; the local
// deployer records the plan.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := marketplacetest.New(t, d, marketplacetest.Options{Config: func(c *marketplace.Config) {
				c.Assets.Scanner, c.Assets.RequireChecks, c.Assets.TempDir = scanner, nil, t.TempDir()
			}})
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			e.Merchant(marketplacetest.MerchantOpts{ID: "m-acme"})
			u, sellerToken, err := e.Identity.CreateSellerUser(e.Ctx, market.AsOperator(), "m-acme", identity.SellerUserRequest{Name: "ops", Role: market.SellerOperations})
			must(err)
			seller := u.Viewer()
			b, buyerToken, err := e.Identity.CreateBuyer(e.Ctx, market.AsOperator(), identity.BuyerRequest{Name: "buyer", Email: "buyer@example.com"})
			must(err)
			buyer := market.AsBuyer(b.CustomerID)
			_, err = e.Billing.TopUp(e.Ctx, market.AsOperator(), b.CustomerID, marketplacetest.Funds, "fixture")
			must(err)
			srv := httptest.NewServer(apiOf(e))
			t.Cleanup(srv.Close)
			op, sc, bc := client{t, srv.URL, marketplacetest.OperatorToken}, client{t, srv.URL, sellerToken}, client{t, srv.URL, buyerToken}

			// The image: uploaded, scanned, rejected with the report.
			a, err := e.Assets.Create(e.Ctx, seller, assets.CreateRequest{Kind: market.AssetImage, Name: "Acme server image", Regions: []string{"cn-north-4"}})
			must(err)
			img := assetstest.RootfsWithKey()
			up, err := e.Assets.BeginUpload(e.Ctx, seller, a.ID, assets.UploadRequest{Label: "1.0", FileName: "acme-server.tar.gz", Size: int64(len(img)), SHA256: assetstest.SHA256(img)})
			must(err)
			_, err = e.Assets.WriteChunk(e.Ctx, seller, up.ID, 0, bytes.NewReader(img))
			must(err)
			_, err = e.Assets.Complete(e.Ctx, seller, up.ID)
			must(err)
			_, err = e.Assets.Submit(e.Ctx, seller, a.ID)
			must(err)
			e.Settle()
			detail, err := e.Assets.Detail(e.Ctx, seller, a.ID)
			must(err)
			if detail.Asset.State != market.AssetRejected || !strings.Contains(string(detail.Versions[0].Report), `"rule":"authorized-keys"`) {
				t.Fatalf("image %s, report %s", detail.Asset.State, detail.Versions[0].Report)
			}

			// A template on the rejected image is kept, but no product may select the image yet.
			var tpl struct {
				ID    string `json:"id"`
				Valid bool   `json:"valid"`
			}
			sc.do("POST", "/api/v1/deploy/assets/"+a.ID+"/templates", map[string]any{"name": "standard", "files": files(rfs.Sample(3))}, http.StatusCreated, &tpl)
			if !tpl.Valid {
				t.Fatal("the sample template is invalid")
			}
			draft := &publish.Draft{Listing: listing(), Specs: []catalog.SpecRequest{{SkuCode: "acme-img", Name: "镜像版", NameEN: "Image", Charging: market.ChargingOneTime,
				Delivery: market.DeliveryImage, AssetID: a.ID, Plans: []catalog.PlanRequest{{ProductID: "OFFI-ACME-IMG", Price: 300_000}}}}}
			app, err := e.Publish.Create(e.Ctx, seller, publish.ApplicationRequest{Type: market.AppRelease, ProductID: "p-acme-img", Draft: draft})
			must(err)
			_, err = e.Publish.Submit(e.Ctx, seller, app.ID)
			wantErr(t, err, market.CodeInvalid, "specs[0].asset_id deploy.asset-approved")

			// Appealed and approved; now the release passes and is listed.
			_, err = e.Assets.Appeal(e.Ctx, seller, a.ID, "the key is removed by cloud-init at first boot")
			must(err)
			_, err = e.Assets.Decide(e.Ctx, market.AsOperator(), a.ID, true, "removed at first boot: accepted")
			must(err)
			_, err = e.Publish.Submit(e.Ctx, seller, app.ID)
			must(err)
			_, err = e.Publish.Approve(e.Ctx, market.AsOperator(), app.ID, "auto-deploy image product")
			must(err)
			p, err := e.DB.Product(e.Ctx, "p-acme-img")
			must(err)
			if p.Status != market.StatusOnSalePublic {
				t.Fatalf("product %s", p.Status)
			}
			if used, err := e.DB.AssetInUse(e.Ctx, a.ID); err != nil || !used {
				t.Fatalf("the image is not in use: %v", err)
			}
			wantErr(t, e.Assets.Delete(e.Ctx, seller, a.ID), market.CodeConflict, "")

			// The operator prices the resources; the buyer buys, reads the form and the plan, deploys.
			for typ, price := range map[string]string{"huaweicloud_vpc": "0", "huaweicloud_compute_instance": "0.450", "huaweicloud_evs_volume": "0.100",
				"huaweicloud_vpc_eip": "20.000"} {
				per := "hour"
				if typ != "huaweicloud_compute_instance" {
					per = "month"
				}
				op.do("PUT", "/api/v1/deploy/prices/"+typ, map[string]any{"lines": []map[string]any{{"name": typ, "per": per, "price": price}}}, http.StatusOK, nil)
			}
			o, err := e.Orders.Purchase(e.Ctx, buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-ACME-IMG"}}})
			must(err)
			e.Settle()
			ins, _, err := e.DB.Instances(e.Ctx, store.InstanceFilter{OrderID: o.ID})
			must(err)
			key := ins[0].Key
			var form struct {
				Template struct {
					ID string `json:"id"`
				} `json:"template"`
				Fields []struct {
					Name      string `json:"name"`
					Sensitive bool   `json:"sensitive"`
				} `json:"fields"`
			}
			bc.do("GET", "/api/v1/instances/"+key+"/deploy/form", nil, http.StatusOK, &form)
			if form.Template.ID != tpl.ID || len(form.Fields) != 3 || !form.Fields[1].Sensitive {
				t.Fatalf("form %+v", form)
			}
			answers := map[string]any{"admin_password": "S3cure-pass!", "servers": 2}
			var errBody struct {
				Error struct {
					Details []struct{ Field string } `json:"details"`
				} `json:"error"`
			}
			bc.do("POST", "/api/v1/instances/"+key+"/deploy/plan", map[string]any{"inputs": map[string]any{"servers": "many"}}, http.StatusBadRequest, &errBody)
			if len(errBody.Error.Details) != 2 {
				t.Fatalf("form errors %+v", errBody)
			}
			var plan struct {
				Resources  []any             `json:"resources"`
				Totals     map[string]string `json:"totals"`
				Deployable bool              `json:"deployable"`
			}
			bc.do("POST", "/api/v1/instances/"+key+"/deploy/plan", map[string]any{"inputs": answers}, http.StatusOK, &plan)
			if !plan.Deployable || len(plan.Resources) != 11 || plan.Totals["hour"] != "2.250" || plan.Totals["month"] != "60.300" {
				t.Fatalf("plan %+v", plan)
			}
			var dep struct {
				ID     string            `json:"id"`
				State  string            `json:"state"`
				Inputs map[string]any    `json:"inputs"`
				Stack  string            `json:"stack_id"`
				Out    map[string]string `json:"outputs"`
			}
			bc.do("POST", "/api/v1/instances/"+key+"/deploy", map[string]any{"request_id": "first", "inputs": answers}, http.StatusAccepted, &dep)
			if dep.State != "PENDING" || dep.Inputs["admin_password"] != "(sensitive)" {
				t.Fatalf("deployment %+v", dep)
			}
			e.Settle()
			bc.do("GET", "/api/v1/deploy/deployments/"+dep.ID, nil, http.StatusOK, &dep)
			if dep.State != "DEPLOYED" || dep.Stack != "local-"+dep.ID || dep.Out["resources"] != "12" {
				t.Fatalf("deployed %+v", dep)
			}
			var seen struct {
				Deployments []struct{ ID string } `json:"deployments"`
			}
			sc.do("GET", "/api/v1/deploy/deployments", nil, http.StatusOK, &seen)
			if len(seen.Deployments) != 1 || seen.Deployments[0].ID != dep.ID {
				t.Fatalf("seller's deployments %+v", seen)
			}
			sc.do("POST", "/api/v1/instances/"+key+"/deploy", map[string]any{"request_id": "second", "inputs": answers}, http.StatusForbidden, nil)
		})
	}
}

// apiOf serves the JSON API over e's services.
func apiOf(e *marketplacetest.Env) http.Handler {
	mux := http.NewServeMux()
	(&api.API{Catalog: e.Catalog, Identity: e.Identity, Orders: e.Orders, Calls: e.Calls, Publish: e.Publish, Deploy: e.Deploy,
		Log: discardLog()}).Register(mux)
	return mux
}

// listing is a listing that passes the publishing rules.
func listing() market.Listing {
	return market.Listing{Name: "Acme Server", Version: "V1.0", Category: "ops", Summary: "A ready-to-run Acme server deployed into your own account",
		Description: strings.Repeat("Acme Server runs your team's services on a hardened image, deployed with its network, disks and address in minutes. ", 5),
		UsageGuide:  "Deploy from the order page, fill in the administrator password, then open port 8080 and log in as admin.",
		Agreement:   "Service agreement. The merchant processes personal data only to provide the service (privacy clause).",
		Logo:        &market.Image{Format: "PNG", Width: 120, Height: 120, Bytes: 20_000}, Public: true}
}
