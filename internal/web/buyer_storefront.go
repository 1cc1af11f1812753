package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
)

// The storefront: the home page with categories and search, product pages, and the purchase.
// Anyone may browse (the catalog is public); buying needs a buyer's session.

func (c *Console) registerStorefront(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", c.home)
	mux.HandleFunc("GET /products/{id}", c.product)
	mux.Handle("POST /products/{id}/buy", c.buyerRoute(c.buy))
}

// card is one product on the home page: its cheapest plan stands for it.
type card struct {
	Product market.Product
	From    market.Plan
	Plans   int
	Trial   bool
}

func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page := store.Page{Limit: store.MaxLimit}
	if after := q.Get("after"); after != "" {
		cur, err := store.ParseCursor(after)
		if err != nil {
			c.notFound(w, r)
			return
		}
		page.After = cur
	}
	f := store.StorefrontFilter{Query: q.Get("q"), Category: q.Get("category"), Page: page}
	entries, next, err := c.svc.Catalog.Catalog(r.Context(), f)
	if err != nil {
		if market.ErrorCode(err) == market.CodeInvalid {
			entries, next = nil, store.Cursor{}
		} else {
			c.fail(w, r, err)
			return
		}
	}
	// The category bar comes from the storefront's first page, unfiltered.
	all := entries
	if f.Query != "" || f.Category != "" || !page.After.IsZero() {
		all, _, _ = c.svc.Catalog.Catalog(r.Context(), store.StorefrontFilter{Page: store.Page{Limit: store.MaxLimit}})
	}
	var cats []string
	for _, e := range all {
		if e.Product.Category != "" && !slices.Contains(cats, e.Product.Category) {
			cats = append(cats, e.Product.Category)
		}
	}
	slices.Sort(cats)
	v := c.newView(r, "home.title")
	v.Data = map[string]any{"Cards": cards(entries), "Categories": cats, "Category": f.Category,
		"Next": nextLink(r, next)}
	c.render(w, r, http.StatusOK, "home", v)
}

// cards groups storefront rows (one per plan) into one card per product.
func cards(entries []*market.CatalogEntry) []*card {
	var out []*card
	byID := map[string]*card{}
	for _, e := range entries {
		cd, ok := byID[e.Product.ID]
		if !ok {
			cd = &card{Product: e.Product, From: e.Plan}
			byID[e.Product.ID] = cd
			out = append(out, cd)
		}
		cd.Plans++
		cd.Trial = cd.Trial || e.Spec.TrialDays > 0
		if e.Plan.Price < cd.From.Price {
			cd.From = e.Plan
		}
	}
	return out
}

// nextLink is the address of the next page of a list, or "" on the last.
func nextLink(r *http.Request, next store.Cursor) string {
	if next.IsZero() {
		return ""
	}
	q := r.URL.Query()
	q.Set("after", next.String())
	return r.URL.Path + "?" + q.Encode()
}

// productPage is a product with its specs and their plans, for the product page.
type productPage struct {
	Product     *market.Product
	Specs       []specView
	Key         string            // the purchase's idempotency key
	GapVouchers []*market.Voucher // the buyer's usable vouchers for this product
	GapCurrency string
}

type specView struct {
	Spec  *market.Spec
	SKUs  []*market.SKU
	Plans []*market.Plan
	// Unit is the quantity attribute's unit when the spec's SKU has one (users, seats).
	Unit string
}

func (c *Console) product(w http.ResponseWriter, r *http.Request) {
	c.renderProduct(w, r, http.StatusOK, nil)
}

func (c *Console) renderProduct(w http.ResponseWriter, r *http.Request, status int, f *form) {
	v0, _ := viewerOf(r)
	d, err := c.svc.Catalog.Product(r.Context(), v0, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	p := productPage{Product: d.Product, Key: market.NewSecret(24), GapVouchers: c.gapCheckoutVouchers(r, d), GapCurrency: c.cfg.Currency}
	if f != nil && f.Get("key") != "" {
		p.Key = f.Get("key") // a corrected resubmission is still the same purchase
	}
	for _, sp := range d.Specs {
		sv := specView{Spec: sp, SKUs: d.SKUs[sp.SkuCode], Plans: d.Plans[sp.SkuCode]}
		for _, k := range sv.SKUs {
			if k.Unit != "" {
				sv.Unit = k.Unit
			}
		}
		p.Specs = append(p.Specs, sv)
	}
	v := c.newView(r, "product.title")
	v.Title = d.Product.Name
	v.Form = f
	v.Data = p
	c.render(w, r, status, "product", v)
}

// buy places an order for the chosen plan, paid from the balance. The form's idempotency key
// makes a double submit one order.
func (c *Console) buy(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	f := newForm(r)
	l := c.texts.locale(c.texts.pick(r), false, c.cfg.Location)
	plan := f.Get("plan")
	if plan == "" {
		f.Add("plan", "err.plan")
	}
	periods, err := strconv.Atoi(strings.TrimSpace(f.Get("periods")))
	if f.Get("periods") == "" {
		periods = 1
	} else if err != nil || periods < 1 {
		f.Add("periods", "err.periods")
	}
	var quantity int64
	if s := strings.TrimSpace(f.Get("quantity")); s != "" {
		if quantity, err = strconv.ParseInt(s, 10, 64); err != nil || quantity < 1 {
			f.Add("quantity", "err.quantity")
		}
	}
	if f.Get("agree") != "yes" {
		f.Add("agree", "err.agree")
	}
	if !f.Any() {
		// The plan must be one of this product's: a plan of another product posted here is refused
		// by name, not bought.
		d, err := c.svc.Catalog.Product(r.Context(), v, r.PathValue("id"))
		if err != nil {
			c.fail(w, r, err)
			return
		}
		if !hasPlan(d, plan) {
			f.Add("plan", "err.plan")
		}
	}
	if !f.Any() {
		req := order.PurchaseRequest{Items: []order.Item{{ProductID: plan, PeriodNumber: periods, Quantity: quantity}},
			Trial: f.Get("trial") == "yes", IdempotencyKey: "web-" + f.Get("key"), Vouchers: gapChosenVouchers(f)}
		if len(req.IdempotencyKey) > 128 {
			req.IdempotencyKey = ""
		}
		o, err := c.svc.Orders.Purchase(r.Context(), v, req)
		if err == nil {
			c.flash(r.Context(), "flash.ordered")
			http.Redirect(w, r, "/my/orders/"+url.PathEscape(o.ID), http.StatusSeeOther)
			return
		}
		if code := market.ErrorCode(err); code == market.CodeInternal || code == market.CodeNotFound {
			c.fail(w, r, err)
			return
		}
		f.Failed(l, err, purchaseFields())
		gapVoucherError(f)
	}
	c.renderProduct(w, r, http.StatusUnprocessableEntity, f)
}

// purchaseFields maps the order service's field names to the purchase form's.
func purchaseFields() map[string]string {
	return map[string]string{"items": "plan", "items[0].product_id": "plan", "items[0].period_number": "periods", "period_number": "periods",
		"items[0].quantity": "quantity", "quantity": "quantity", "balance": "form", "trial": "trial", "vouchers": "gap_voucher",
	}
}

func hasPlan(d *catalog.ProductDetail, plan string) bool {
	for _, ps := range d.Plans {
		for _, p := range ps {
			if p.ProductID == plan {
				return true
			}
		}
	}
	return false
}
