package web

import (
	"fmt"
	"image"
	_ "image/jpeg" // the logo's size is read from its header
	_ "image/png"
	"mime/multipart"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/publish"
)

// The publishing form: a release or modification draft (publish.Draft) as form fields named as
// the service names them (listing.name, specs[0].name_en ...), so that every rule it reports
// lands at its field. Prices are one input per period (month, year, day), one-time or per
// unit; a spec with SKUs (drafted through the API) is kept as it is and shown read-only.

// Choices the form offers.
var (
	labelChoices    = []string{"KUNPENG", "HYBRID_CLOUD", "IOT", "ASCEND"}
	certChoices     = []string{"HUAWEI_COMPATIBLE", "HUAWEI_ENABLED", "HCS", "IOT", "ASCEND"}
	chargingChoices = []market.Charging{market.ChargingPeriod, market.ChargingOneTime, market.ChargingOnDemand}
	deliveryChoices = []market.Delivery{market.DeliverySaaS, market.DeliveryLicense, market.DeliveryHardware, market.DeliveryService, market.DeliveryImage}
	// priceInputs are a spec's price inputs: the period plans', the one-time price, the
	// pay-per-use unit price (fixed, collected hourly).
	priceInputs = []string{market.PeriodMonth, market.PeriodYear, market.PeriodDay, "once", "unit"}
)

// maxSpecs bounds the spec rows the form offers (the rule allows 50; more are drafted through
// the API).
const maxSpecs = 10

// specRow is one spec of the form.
type specRow struct {
	N      int
	Prefix string // specs[N]
	// Locked specs have SKUs: the form shows them and keeps them as drafted.
	Locked bool
	// Listed specs are a modification's references to the product's specs on sale: their names
	// may change, their billing and prices may not (rules §1.4).
	Listed bool
	Spec   catalog.SpecRequest
}

// draftForm is the publishing form's state: what was typed, the spec rows and the problems.
type draftForm struct {
	Values   url.Values
	Specs    []specRow
	Problems problems
	// Comment is the operator's review comment that names no field.
	Comment string
	// planInputs maps a service plan field (specs[0].plans[1]) to its price input.
	planInputs map[string]string
}

// Get is what is in field.
func (d *draftForm) Get(field string) string { return d.Values.Get(field) }

// Checked reports whether the checkbox field has value among its values.
func (d *draftForm) Checked(field, value string) bool { return slices.Contains(d.Values[field], value) }

// Labels are the certification labels the form offers.
func (d *draftForm) Labels() []string { return labelChoices }

// Certificates are the certificates the form offers.
func (d *draftForm) Certificates() []string { return certChoices }

// Chargings are the billing modes a spec row offers.
func (d *draftForm) Chargings() []market.Charging { return chargingChoices }

// Deliveries are the delivery methods a spec row offers.
func (d *draftForm) Deliveries() []market.Delivery { return deliveryChoices }

// PriceInputs are a spec row's price inputs.
func (d *draftForm) PriceInputs() []string { return priceInputs }

// CanAddSpec reports whether the form may grow another spec row.
func (d *draftForm) CanAddSpec() bool { return len(d.Specs) < maxSpecs }

// At lists field's problems.
func (d *draftForm) At(field string) []problem { return d.Problems.At(field) }

// Invalid reports whether field has a problem.
func (d *draftForm) Invalid(field string) bool { return d.Problems.Has(field) }

// known lists the fields the form shows problems at.
func (d *draftForm) known() map[string]bool {
	k := map[string]bool{"form": true, "specs": true, "debug_cases": true, "production_url": true}
	for _, f := range []string{"name", "name_en", "version", "category", "sales_type", "summary", "description", "description_images",
		"usage_guide", "agreement", "logo", "labels", "certificates", "regions", "company_profile", "support_english", "public", "upgradable"} {
		k["listing."+f] = true
	}
	for _, s := range d.Specs {
		k[s.Prefix] = true
		for _, f := range []string{"name", "name_en", "charging", "delivery", "trial_days", "plans", "skus"} {
			k[s.Prefix+"."+f] = true
		}
		for _, p := range priceInputs {
			k[s.Prefix+".price."+p] = true
		}
	}
	return k
}

// fieldOf is where a service field's problem is shown: a plan's at its price input, the
// logo's parts at the logo, a label's at the labels, else the nearest field the form has.
func (d *draftForm) fieldOf(name string) string {
	for plan, input := range d.planInputs {
		if name == plan || strings.HasPrefix(name, plan+".") {
			return input
		}
	}
	if strings.HasPrefix(name, "listing.labels[") {
		return "listing.labels"
	}
	if strings.HasPrefix(name, "listing.description_images") {
		return "listing.description_images"
	}
	return nearestField(name, d.known())
}

// draftValues turns a draft into the form's values (editing an application).
func draftValues(d *publish.Draft) *draftForm {
	v := url.Values{}
	l := d.Listing
	for k, s := range map[string]string{"name": l.Name, "name_en": l.NameEN, "version": l.Version, "category": l.Category, "sales_type": string(l.SalesType),
		"summary": l.Summary, "description": l.Description, "usage_guide": l.UsageGuide, "agreement": l.Agreement,
		"regions": strings.Join(l.Regions, ", "), "company_profile": l.CompanyProfile} {
		v.Set("listing."+k, s)
	}
	v["listing.labels"] = l.Labels
	v["listing.certificates"] = l.Certificates
	for k, b := range map[string]bool{"public": l.Public, "upgradable": l.Upgradable, "support_english": l.SupportEnglish} {
		if b {
			v.Set("listing."+k, "on")
		}
	}
	if im := l.Logo; im != nil {
		v.Set("listing.logo.format", im.Format)
		v.Set("listing.logo.width", strconv.Itoa(im.Width))
		v.Set("listing.logo.height", strconv.Itoa(im.Height))
		v.Set("listing.logo.bytes", strconv.FormatInt(im.Bytes, 10))
	}
	gapSetDescImages(v, l.DescriptionImages)
	f := &draftForm{Values: v, Problems: problems{}, planInputs: map[string]string{}}
	for i, sp := range d.Specs {
		row := specRow{N: i, Prefix: fmt.Sprintf("specs[%d]", i), Locked: len(sp.SKUs) > 0, Spec: sp,
			Listed: sp.Charging == "" && len(sp.Plans) == 0 && sp.SkuCode != ""}
		p := row.Prefix + "."
		if row.Listed {
			v.Set(p+"listed", "1")
		}
		v.Set(p+"sku_code", sp.SkuCode)
		v.Set(p+"name", sp.Name)
		v.Set(p+"name_en", sp.NameEN)
		v.Set(p+"charging", string(sp.Charging))
		v.Set(p+"delivery", string(sp.Delivery))
		if sp.TrialDays > 0 {
			v.Set(p+"trial_days", strconv.Itoa(sp.TrialDays))
		}
		for j, pl := range sp.Plans {
			in := planInput(sp.Charging, pl)
			v.Set(p+"price."+in, amountInput(pl.Price))
			v.Set(p+"plan."+in, pl.ProductID)
			f.planInputs[fmt.Sprintf("%s.plans[%d]", row.Prefix, j)] = p + "price." + in
		}
		f.Specs = append(f.Specs, row)
	}
	v.Set("spec_count", strconv.Itoa(len(f.Specs)))
	return f
}

// planInput is the price input a plan is typed in.
func planInput(c market.Charging, pl catalog.PlanRequest) string {
	switch {
	case pl.Period != "":
		return pl.Period
	case c == market.ChargingOnDemand:
		return "unit"
	}
	return "once"
}

// newDraftForm is the empty form of a new product: one SaaS subscription spec.
func newDraftForm() *draftForm {
	return draftValues(&publish.Draft{Listing: market.Listing{Version: "V1.0", SalesType: market.SalesCommon, Public: true},
		Specs: []catalog.SpecRequest{{Charging: market.ChargingPeriod, Delivery: market.DeliverySaaS}}})
}

// parseDraft reads the posted form into a draft. orig is the draft being edited (nil for a new
// one): what the form does not show (SKU specs, description images, attributes) is kept from
// it. Inputs that are not numbers are problems of the console's own, at their fields.
func parseDraft(v url.Values, logo *multipart.FileHeader, orig *publish.Draft) (*publish.Draft, *draftForm) {
	f := &draftForm{Values: v, Problems: problems{}, planInputs: map[string]string{}}
	d := &publish.Draft{}
	if orig != nil {
		d.Listing = orig.Listing
	}
	l := &d.Listing
	get := func(k string) string { return strings.TrimSpace(v.Get("listing." + k)) }
	l.Name, l.NameEN, l.Version, l.Category = get("name"), get("name_en"), get("version"), get("category")
	l.SalesType = market.SalesType(get("sales_type"))
	l.Summary, l.Description, l.UsageGuide, l.Agreement = get("summary"), get("description"), get("usage_guide"), get("agreement")
	l.CompanyProfile = get("company_profile")
	l.Labels, l.Certificates = keepKnown(v["listing.labels"], labelChoices), keepKnown(v["listing.certificates"], certChoices)
	l.Public, l.Upgradable, l.SupportEnglish = v.Get("listing.public") != "", v.Get("listing.upgradable") != "", v.Get("listing.support_english") != ""
	l.Regions = nil
	for _, r := range strings.FieldsFunc(get("regions"), func(r rune) bool { return r == ',' || r == ' ' || r == '，' }) {
		l.Regions = append(l.Regions, strings.ToUpper(r))
	}
	l.Logo = nil
	if logo != nil {
		im, err := readLogo(logo)
		if err != nil {
			f.Problems.add("listing.logo", "seller.publish.logo_unreadable", "")
		} else {
			l.Logo = im
			v.Set("listing.logo.format", im.Format)
			v.Set("listing.logo.width", strconv.Itoa(im.Width))
			v.Set("listing.logo.height", strconv.Itoa(im.Height))
			v.Set("listing.logo.bytes", strconv.FormatInt(im.Bytes, 10))
		}
	} else if v.Get("listing.logo.format") != "" {
		w, _ := strconv.Atoi(v.Get("listing.logo.width"))
		h, _ := strconv.Atoi(v.Get("listing.logo.height"))
		b, _ := strconv.ParseInt(v.Get("listing.logo.bytes"), 10, 64)
		l.Logo = &market.Image{Format: v.Get("listing.logo.format"), Width: w, Height: h, Bytes: b}
	}
	gapDescImages(v, l, f.Problems)
	origSpecs := map[string]catalog.SpecRequest{}
	if orig != nil {
		for _, sp := range orig.Specs {
			origSpecs[sp.SkuCode] = sp
		}
	}
	n, _ := strconv.Atoi(v.Get("spec_count"))
	n = max(1, min(n, maxSpecs))
	for i := 0; i < n; i++ {
		prefix := fmt.Sprintf("specs[%d]", i)
		p := prefix + "."
		code := strings.TrimSpace(v.Get(p + "sku_code"))
		if o, ok := origSpecs[code]; ok && code != "" && len(o.SKUs) > 0 {
			d.Specs = append(d.Specs, o)
			f.Specs = append(f.Specs, specRow{N: i, Prefix: prefix, Locked: true, Spec: o})
			continue
		}
		if v.Get(p+"listed") != "" && code != "" {
			sp := catalog.SpecRequest{SkuCode: code, Name: strings.TrimSpace(v.Get(p + "name")), NameEN: strings.TrimSpace(v.Get(p + "name_en"))}
			if o, ok := origSpecs[code]; ok {
				sp.Hidden = o.Hidden
			}
			d.Specs = append(d.Specs, sp)
			f.Specs = append(f.Specs, specRow{N: i, Prefix: prefix, Listed: true, Spec: sp})
			continue
		}
		sp := catalog.SpecRequest{SkuCode: code, Name: strings.TrimSpace(v.Get(p + "name")), NameEN: strings.TrimSpace(v.Get(p + "name_en")),
			Charging: market.Charging(v.Get(p + "charging")), Delivery: market.Delivery(v.Get(p + "delivery"))}
		if o, ok := origSpecs[code]; ok {
			sp.Hidden = o.Hidden
		}
		if s := strings.TrimSpace(v.Get(p + "trial_days")); s != "" {
			days, err := strconv.Atoi(s)
			if err != nil {
				f.Problems.add(p+"trial_days", "seller.publish.not_number", "")
			}
			sp.TrialDays = days
		}
		for _, in := range priceInputs {
			s := strings.TrimSpace(v.Get(p + "price." + in))
			if s == "" {
				continue
			}
			price, err := market.ParseMoney(s)
			if err != nil {
				f.Problems.add(p+"price."+in, "seller.publish.not_amount", "")
				continue
			}
			pl := catalog.PlanRequest{ProductID: strings.TrimSpace(v.Get(p + "plan." + in)), Price: price}
			switch in {
			case "once":
			case "unit":
				pl.Pricing, pl.Cycle = market.PricingFixed, market.CycleHourly
			default:
				pl.Period = in
			}
			f.planInputs[fmt.Sprintf("%s.plans[%d]", prefix, len(sp.Plans))] = p + "price." + in
			sp.Plans = append(sp.Plans, pl)
		}
		d.Specs = append(d.Specs, sp)
		f.Specs = append(f.Specs, specRow{N: i, Prefix: prefix, Spec: sp})
	}
	return d, f
}

// addSpec adds an empty spec row to the form (the "add a spec" button, without JavaScript).
func (d *draftForm) addSpec() {
	if !d.CanAddSpec() {
		return
	}
	i := len(d.Specs)
	row := specRow{N: i, Prefix: fmt.Sprintf("specs[%d]", i), Spec: catalog.SpecRequest{Charging: market.ChargingPeriod, Delivery: market.DeliverySaaS}}
	d.Values.Set(row.Prefix+".charging", string(market.ChargingPeriod))
	d.Values.Set(row.Prefix+".delivery", string(market.DeliverySaaS))
	d.Specs = append(d.Specs, row)
	d.Values.Set("spec_count", strconv.Itoa(len(d.Specs)))
}

// readLogo reads an uploaded logo's format and size from its header (the rules check those).
func readLogo(fh *multipart.FileHeader) (*market.Image, error) {
	file, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer file.Close()
	cfg, format, err := image.DecodeConfig(file)
	if err != nil {
		return nil, err
	}
	return &market.Image{Format: strings.ToUpper(format), Width: cfg.Width, Height: cfg.Height, Bytes: fh.Size}, nil
}

func keepKnown(got, known []string) []string {
	var out []string
	for _, g := range got {
		if slices.Contains(known, g) && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// ListingFields are the listing's fields the application page shows, in the form's order.
func (d *draftForm) ListingFields() []string {
	return []string{"listing.name", "listing.name_en", "listing.version", "listing.category", "listing.summary", "listing.description",
		"listing.usage_guide", "listing.agreement", "listing.regions"}
}

// amountInput shows an amount in an input as typed: 99.00, 0.015, not 99.000.
func amountInput(m market.Money) string {
	s := m.String()
	for strings.Contains(s, ".") && strings.HasSuffix(s, "0") && len(s)-strings.Index(s, ".") > 3 {
		s = s[:len(s)-1]
	}
	return s
}

// Refused reports whether the form has problems other than the reviewer's comments: the
// submit was refused.
func (d *draftForm) Refused() bool {
	for _, ps := range d.Problems {
		for _, p := range ps {
			if p.Key != "seller.review.comment" {
				return true
			}
		}
	}
	return false
}
