package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
)

// The buyer's instances: the list, an instance's page (application info, credentials on
// request, renewal, trial conversion, licenses) and its actions.

func (c *Console) registerInstances(mux *http.ServeMux) {
	mux.Handle("GET /my/instances", c.buyerRoute(c.instances))
	mux.Handle("GET /my/instances/{key}", c.buyerRoute(c.instancePage))
	mux.Handle("GET /my/instances/{key}/credentials", c.buyerRoute(c.credentials))
	mux.Handle("POST /my/instances/{key}/renew", c.buyerRoute(c.change("renew", c.svc.Orders.Renew)))
	mux.Handle("POST /my/instances/{key}/convert", c.buyerRoute(c.change("convert", c.svc.Orders.ConvertTrial)))
	mux.Handle("POST /my/instances/{key}/upgrade", c.buyerRoute(c.upgrade))
	mux.Handle("GET /my/instances/{key}/usage", c.buyerRoute(c.usage))
	mux.Handle("POST /my/instances/{key}/licenses/receive", c.buyerRoute(c.receiveLicenses))
	mux.Handle("GET /my/licenses/{code}", c.buyerRoute(c.heartbeats))
}

func (c *Console) instances(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	states := []market.InstanceState{market.InstanceActive, market.InstancePending, market.InstanceProvisioning,
		market.InstanceFrozen, market.InstanceReleased, market.InstanceFailed}
	state := market.InstanceState(r.URL.Query().Get("state"))
	if !slices.Contains(states, state) {
		state = ""
	}
	list, next, err := c.svc.Orders.Instances(r.Context(), v, store.InstanceFilter{State: state, Page: pageOf(r, 20)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "instances.title")
	view.Nav = "instances"
	view.Data = map[string]any{"Instances": list, "Next": nextLink(r, next), "States": states, "State": state}
	c.render(w, r, http.StatusOK, "instances", view)
}

func (c *Console) instancePage(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderInstance(w, r, v, http.StatusOK, nil, "")
}

// renderInstance renders an instance's page; f is a change form that failed (which names it).
func (c *Console) renderInstance(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form, which string) {
	ctx := r.Context()
	in, err := c.svc.Orders.Instance(ctx, v, r.PathValue("key"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	info, infoErr := c.svc.Orders.AppInfo(ctx, v, in)
	if infoErr != nil && market.ErrorCode(infoErr) != market.CodeConflict {
		c.fail(w, r, infoErr)
		return
	}
	var licenses []*market.License
	if in.Delivery == market.DeliveryLicense {
		if licenses, err = c.svc.Licenses.Licenses(ctx, v, in.Key); err != nil {
			c.fail(w, r, err)
			return
		}
	}
	// The product and spec names, while the storefront still lists them (else the plan's ID).
	var productName, specName string
	if e, err := c.svc.Catalog.Entry(ctx, v, in.ProductID); err == nil {
		productName, specName = e.Product.Name, e.Spec.Name
	}
	unreceived := false
	for _, l := range licenses {
		unreceived = unreceived || l.ReceivedAt.IsZero()
	}
	waiting := in.State == market.InstancePending || in.State == market.InstanceProvisioning
	// Whether and how it may be unsubscribed; an instance that cannot be read for it (released)
	// simply offers nothing.
	elig, err := c.svc.Aftersale.Eligibility(ctx, v, in.Key)
	if err != nil && market.ErrorCode(err) == market.CodeInternal {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "instance.title")
	view.Title = in.ID
	if productName != "" {
		view.Title = productName
	}
	view.Nav = "instances"
	if f != nil {
		f.Prefix = which + "-"
	}
	view.Form = f
	view.Data = map[string]any{"Instance": in, "Info": info, "InfoBroken": infoErr != nil, "Licenses": licenses,
		"Waiting": waiting, "Which": which, "Key": market.NewSecret(24), "Eligibility": elig, "Unreceived": unreceived, "ProductName": productName, "SpecName": specName,
		"Upgrades":    c.upgradeOptions(ctx, v, in),
		"Renewable":   in.Charging == market.ChargingPeriod && !in.Trial && (in.State == market.InstanceActive || in.State == market.InstanceFrozen),
		"Convertible": in.Trial && in.State == market.InstanceActive,
		"Metered":     in.Charging == market.ChargingOnDemand || in.Charging == market.ChargingOnDemandPkg}
	w.Header().Set("Cache-Control", "no-store")
	c.render(w, r, status, "instance", view)
}

// credentials shows an instance's login credentials, decrypted only on this explicit request
// and never cached.
func (c *Console) credentials(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	in, err := c.svc.Orders.Instance(r.Context(), v, r.PathValue("key"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	info, err := c.svc.Orders.AppInfo(r.Context(), v, in)
	if err != nil && market.ErrorCode(err) != market.CodeConflict {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "credentials.title")
	view.Title = in.ID
	view.Nav = "instances"
	view.Data = map[string]any{"Instance": in, "Info": info, "Broken": err != nil}
	w.Header().Set("Cache-Control", "no-store")
	page := "credentials"
	if r.Header.Get("HX-Request") == "true" {
		page = "credentials_fragment"
	}
	c.render(w, r, http.StatusOK, page, view)
}

// change serves renew and convert: the same form (periods), the order service's rule.
func (c *Console) change(which string, act func(ctx context.Context, v market.Viewer, key string, req order.ChangeRequest) (*market.Order, error)) viewerHandler {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		if err := r.ParseForm(); err != nil {
			c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
			return
		}
		f := newForm(r)
		periods, err := strconv.Atoi(strings.TrimSpace(f.Get("periods")))
		if err != nil || periods < 1 {
			f.Add("periods", "err.periods")
			c.renderInstance(w, r, v, http.StatusUnprocessableEntity, f, which)
			return
		}
		key := "web-" + which + "-" + f.Get("key")
		if len(key) > 128 {
			key = ""
		}
		o, err := act(r.Context(), v, r.PathValue("key"), order.ChangeRequest{PeriodNumber: periods, IdempotencyKey: key})
		if err != nil {
			if code := market.ErrorCode(err); code == market.CodeNotFound || code == market.CodeInternal || code == market.CodeUnauthorized {
				c.fail(w, r, err)
				return
			}
			f.Failed(c.texts.locale(c.texts.pick(r), false, c.cfg.Location), err, map[string]string{"period_number": "periods", "balance": "form"})
			c.renderInstance(w, r, v, http.StatusUnprocessableEntity, f, which)
			return
		}
		c.flash(r.Context(), "flash."+which)
		http.Redirect(w, r, "/my/orders/"+url.PathEscape(o.ID), http.StatusSeeOther)
	}
}

func (c *Console) heartbeats(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	code := r.PathValue("code")
	hbs, err := c.svc.Licenses.Heartbeats(r.Context(), v, code, 100)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "heartbeats.title")
	view.Title = code
	view.Nav = "instances"
	view.Data = map[string]any{"Code": code, "Heartbeats": hbs}
	c.render(w, r, http.StatusOK, "heartbeats", view)
}

// receiveLicenses confirms that the buyer received the instance's license codes, which lets the
// merchant's software activate them.
func (c *Console) receiveLicenses(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	key := r.PathValue("key")
	if _, err := c.svc.Licenses.Receive(r.Context(), v, key); err != nil {
		if market.ErrorCode(err) != market.CodeConflict {
			c.fail(w, r, err)
			return
		}
		c.flash(r.Context(), "flash.receive_refused")
	} else {
		c.flash(r.Context(), "flash.received")
	}
	http.Redirect(w, r, "/my/instances/"+url.PathEscape(key), http.StatusSeeOther)
}
