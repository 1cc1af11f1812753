package api

import (
	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
)

// JSON views of publishing's types.

type skuView struct {
	ID         string             `json:"id"`
	Name       string             `json:"name"`
	Attributes map[string]string  `json:"attributes,omitempty"`
	Unit       string             `json:"unit,omitempty"`
	Step       int64              `json:"step,omitempty"`
	Max        int64              `json:"max,omitempty"`
	Status     market.SalesStatus `json:"status"`
}

type specView struct {
	SkuCode   string             `json:"sku_code"`
	Name      string             `json:"name"`
	NameEN    string             `json:"name_en,omitempty"`
	Charging  market.Charging    `json:"charging"`
	TrialDays int                `json:"trial_days,omitempty"`
	Delivery  market.Delivery    `json:"delivery"`
	Status    market.SalesStatus `json:"status"`
	SKUs      []skuView          `json:"skus,omitempty"`
	Plans     []catalogView      `json:"plans"`
}

type productDetailView struct {
	ID         string             `json:"id"`
	MerchantID string             `json:"merchant_id"`
	Name       string             `json:"name"`
	Category   string             `json:"category,omitempty"`
	Status     market.SalesStatus `json:"status"`
	Frozen     bool               `json:"frozen,omitempty"`
	CreatedAt  string             `json:"created_at"`
	Specs      []specView         `json:"specs"`
	// Listing is the approved listing, for the product's sellers.
	Listing *market.Listing `json:"listing,omitempty"`
}

func viewProductDetail(d *catalog.ProductDetail) productDetailView {
	p := d.Product
	out := productDetailView{ID: p.ID, MerchantID: p.MerchantID, Name: p.Name, Category: p.Category, Status: p.Status, Frozen: p.Frozen,
		CreatedAt: ts(p.CreatedAt), Specs: []specView{}}
	for _, s := range d.Specs {
		sv := specView{SkuCode: s.SkuCode, Name: s.Name, NameEN: s.NameEN, Charging: s.Charging, TrialDays: s.TrialDays, Delivery: s.Delivery,
			Status: s.Status, Plans: []catalogView{}}
		for _, k := range d.SKUs[s.SkuCode] {
			sv.SKUs = append(sv.SKUs, skuView{k.ID, k.Name, k.Attributes, k.Unit, k.Step, k.Max, k.Status})
		}
		for _, pl := range d.Plans[s.SkuCode] {
			sv.Plans = append(sv.Plans, viewPlan(p, *s, *pl))
		}
		out.Specs = append(out.Specs, sv)
	}
	return out
}

type caseView struct {
	N          int    `json:"n"`
	Name       string `json:"name"`
	Activity   string `json:"activity,omitempty"`
	Passed     bool   `json:"passed"`
	Status     int    `json:"status,omitempty"`
	ResultCode string `json:"result_code,omitempty"`
	LatencyMS  int64  `json:"latency_ms"`
	Error      string `json:"error,omitempty"`
	Request    string `json:"request,omitempty"`
	Response   string `json:"response,omitempty"`
	At         string `json:"at"`
}

type runView struct {
	ID         string           `json:"id"`
	ProductID  string           `json:"product_id"`
	Kind       market.DebugKind `json:"kind"`
	RoundAt    string           `json:"round_at,omitempty"`
	State      market.RunState  `json:"state"`
	StartedAt  string           `json:"started_at"`
	FinishedAt string           `json:"finished_at,omitempty"`
	Cases      []caseView       `json:"cases,omitempty"`
}

func viewRun(r *market.DebugRun) runView {
	v := runView{ID: r.ID, ProductID: r.ProductID, Kind: r.Kind, State: r.State, StartedAt: ts(r.StartedAt), FinishedAt: ts(r.FinishedAt)}
	if r.Kind == market.DebugDial {
		v.RoundAt = ts(r.RoundAt)
	}
	for _, c := range r.Cases {
		v.Cases = append(v.Cases, caseView{c.N, c.Name, c.Activity, c.Passed, c.Status, c.ResultCode, c.Latency.Milliseconds(), c.Error,
			string(c.Request), string(c.Response), ts(c.At)})
	}
	return v
}

type ruleView struct {
	Source  market.SKURef `json:"source"`
	Target  market.SKURef `json:"target"`
	Step    int64         `json:"step,omitempty"`
	Valid   bool          `json:"valid"`
	Invalid string        `json:"invalid,omitempty"`
}

func viewRules(rules []*market.UpgradeRule) []ruleView {
	out := []ruleView{}
	for _, r := range rules {
		out = append(out, ruleView{r.Source, r.Target, r.Step, r.Invalid == "", r.Invalid})
	}
	return out
}

type templateView struct {
	ID          string   `json:"id"`
	MerchantID  string   `json:"merchant_id,omitempty"`
	Category    string   `json:"category"`
	Type        string   `json:"type"`
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Origin      string   `json:"origin"`
	Values      []string `json:"values,omitempty"`
	CreatedAt   string   `json:"created_at"`
}

func viewTemplate(t *market.AttributeTemplate) templateView {
	return templateView{t.ID, t.MerchantID, t.Category, t.Type, t.Code, t.Name, t.Description, t.Origin, t.Values, ts(t.CreatedAt)}
}
