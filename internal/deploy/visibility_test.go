package deploy_test

import (
	"testing"

	"github.com/mercato-oss/mercato/internal/deploy"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/rfs"
)

// TestVisibility: another buyer learns nothing of a buyer's instance and deployment, another
// merchant's seller nothing of a merchant's templates and deployments, a finance seller cannot
// change templates, and only the operator prices resources.
func TestVisibility(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		a := h.approvedAsset("ast-img", market.AssetImage)
		tpl := h.template(a.ID)
		h.bind(a.ID)
		h.priceAll()
		buyer, in := h.bought()
		answers := inputs(`{"admin_password": "S3cure-pass!"}`)
		d, err := h.Deploy.Deploy(h.Ctx, buyer, in.Key, deploy.DeployRequest{RequestID: "r1", Inputs: answers})
		if err != nil {
			t.Fatal(err)
		}
		stranger, finance := h.Buyer(), h.Seller("m-acme", market.SellerFinance)
		req := deploy.TemplateRequest{Name: "x", Files: files(rfs.Sample(1))}
		for _, c := range []struct {
			name string
			err  error
			code market.Code
		}{
			{"stranger reads the form", second(h.Deploy.Form(h.Ctx, stranger, in.Key, "")), market.CodeNotFound},
			{"stranger plans", second(h.Deploy.Plan(h.Ctx, stranger, in.Key, deploy.DeployRequest{Inputs: answers})), market.CodeNotFound},
			{"stranger deploys", second(h.Deploy.Deploy(h.Ctx, stranger, in.Key, deploy.DeployRequest{RequestID: "r9", Inputs: answers})), market.CodeNotFound},
			{"stranger repeats the buyer's request", second(h.Deploy.Deploy(h.Ctx, stranger, in.Key, deploy.DeployRequest{RequestID: "r1", Inputs: answers})), market.CodeNotFound},
			{"stranger reads the deployment", second(h.Deploy.Deployment(h.Ctx, stranger, d.ID)), market.CodeNotFound},
			{"other seller reads the form", second(h.Deploy.Form(h.Ctx, h.other, in.Key, "")), market.CodeNotFound},
			{"other seller reads the deployment", second(h.Deploy.Deployment(h.Ctx, h.other, d.ID)), market.CodeNotFound},
			{"other seller reads the template", second(h.Deploy.Template(h.Ctx, h.other, tpl.ID)), market.CodeNotFound},
			{"other seller adds a template", second(h.Deploy.AddTemplate(h.Ctx, h.other, a.ID, req)), market.CodeNotFound},
			{"other seller deletes the template", h.Deploy.DeleteTemplate(h.Ctx, h.other, tpl.ID), market.CodeNotFound},
			{"buyer reads the template", second(h.Deploy.Template(h.Ctx, buyer, tpl.ID)), market.CodeNotFound},
			{"buyer adds a template", second(h.Deploy.AddTemplate(h.Ctx, buyer, a.ID, req)), market.CodeNotFound},
			{"finance adds a template", second(h.Deploy.AddTemplate(h.Ctx, finance, a.ID, req)), market.CodeForbidden},
			{"seller deploys", second(h.Deploy.Deploy(h.Ctx, h.seller, in.Key, deploy.DeployRequest{RequestID: "r2", Inputs: answers})), market.CodeForbidden},
			{"seller prices", second(h.Deploy.SetPrice(h.Ctx, h.seller, "huaweicloud_vpc", deploy.PriceRequest{})), market.CodeForbidden},
			{"nobody reads prices", second(h.Deploy.Prices(h.Ctx, market.Viewer{})), market.CodeForbidden},
		} {
			if market.ErrorCode(c.err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, c.err, c.code)
			}
		}
		// Their own: the buyer, the merchant's sellers (any role) and the operator.
		for _, v := range []market.Viewer{buyer, h.seller, finance, market.AsOperator()} {
			if _, err := h.Deploy.Deployment(h.Ctx, v, d.ID); err != nil {
				t.Errorf("%+v cannot read the deployment: %v", v, err)
			}
		}
		for _, v := range []market.Viewer{h.seller, finance, market.AsOperator()} {
			if _, err := h.Deploy.Template(h.Ctx, v, tpl.ID); err != nil {
				t.Errorf("%+v cannot read the template: %v", v, err)
			}
		}
	})
}

func second[T any](_ T, err error) error { return err }
