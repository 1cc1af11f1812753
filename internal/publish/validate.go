package publish

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// The listing rules (rules §1.3 table, §6.3, §1.12), checked all together: a submit reports
// every broken rule with its field and the rule's name, never just the first.

var (
	// A version is V1.0, V2.0, V2.1.3: a capital V, a major version from 1, dotted numbers.
	versionRule = regexp.MustCompile(`^V[1-9][0-9]*(\.[0-9]+){1,2}$`)
	// Prices: an amount with a currency sign or word, either side.
	priceRule = regexp.MustCompile(`(?i)([¥￥$€]\s*[0-9])|([0-9]\s*(元|块|yuan|rmb|cny|usd|dollars?)\b)|([0-9]\s*元)`)
	// Versions inside a name: V1.0, v2, 1.0.3, "version 2", 版本2.
	nameVersionRule = regexp.MustCompile(`(?i)(\bv[0-9]+(\.[0-9]+)*\b)|(\b[0-9]+\.[0-9]+(\.[0-9]+)*\b)|(version\s*[0-9])|(版本\s*[0-9])`)
	// Phone numbers: a mainland mobile number, or 7 or more digits with optional separators.
	phoneRule  = regexp.MustCompile(`(1[3-9][0-9]{9})|([0-9][0-9 \-]{6,}[0-9])`)
	huaweiRule = regexp.MustCompile(`(?i)^\s*(huawei\s*cloud|华为云)`)
	urlRule    = regexp.MustCompile(`(?i)https?://[^\s)>\]"']+`)
)

// superlatives are the advertising-law words a description may not use (rules §1.3).
var superlatives = []string{"国家级", "最佳", "极致", "世界第一", "全网第一", "第一品牌", "最高级", "最先进", "顶级", "独一无二",
	"best in the world", "world's best", "world's first", "number one", "no.1"}

// Labels and the certificates they need (rules §6.3).
var labelCerts = map[string][]string{
	"KUNPENG":      {"HUAWEI_COMPATIBLE", "HUAWEI_ENABLED"},
	"HYBRID_CLOUD": {"HCS"},
	"IOT":          {"IOT"},
	"ASCEND":       {"ASCEND"},
}

// checkDraft checks a release's or a modification's content.
func (s *Service) checkDraft(ctx context.Context, r store.Reader, app *market.Application, p *market.Product, d *Draft) error {
	var probs market.Problems
	s.checkListing(&probs, &d.Listing)
	if err := s.checkRegions(ctx, r, &probs, p.MerchantID, d.Listing.Regions); err != nil {
		return err
	}
	specs := d.Specs
	if app.Type == market.AppModification {
		var err error
		if specs, err = s.checkStaged(ctx, r, &probs, p, d); err != nil {
			return err
		}
	}
	built := &catalog.Product{Product: *p}
	s.catalog.BuildSpecs(&probs, built, specs, 0)
	for i, sp := range specs {
		f := fmt.Sprintf("specs[%d]", i)
		if s.cfg.Site == "cn" || s.cfg.Site == "intl" {
			if strings.TrimSpace(sp.NameEN) == "" {
				probs.Add(f+".name_en", "spec.name-en", "a spec needs an English name as well (it is printed on English bills)")
			} else if !isEnglish(sp.NameEN) {
				probs.Add(f+".name_en", "spec.name-en", "the English name must be in English")
			}
		}
		if phoneRule.MatchString(sp.Name) || strings.Contains(sp.Name, "详情请咨询") || strings.Contains(strings.ToLower(sp.Name), "contact us") {
			probs.Add(f+".name", "spec.name-filler", "a spec name is no place for phone numbers or \"contact us\" filler")
		}
	}
	if err := s.checkDebugCases(ctx, r, &probs, p, specs, &d.Listing); err != nil {
		return err
	}
	for _, h := range s.specHooks {
		if h.Check == nil {
			continue
		}
		if err := h.Check(ctx, r, p.MerchantID, specs, &probs); err != nil {
			return err
		}
	}
	return probs.Err()
}

// checkStaged checks a modification's spec list against the listed product (rules §1.4): listed
// specs stay (they are delisted, not deleted) and keep their terms; new specs may be added
// unless every spec is discontinued. It returns the specs to build (the new ones).
func (s *Service) checkStaged(ctx context.Context, r store.Reader, probs *market.Problems, p *market.Product, d *Draft) ([]catalog.SpecRequest, error) {
	existing, err := specsByCode(ctx, r, p.ID)
	if err != nil {
		return nil, err
	}
	allGone := len(existing) > 0
	for _, sp := range existing {
		allGone = allGone && sp.Status == market.StatusDiscontinued
	}
	named := map[string]bool{}
	var news []catalog.SpecRequest
	for i, sr := range d.Specs {
		f := fmt.Sprintf("specs[%d]", i)
		sp, listed := existing[sr.SkuCode]
		if !listed {
			news = append(news, sr)
			continue
		}
		named[sr.SkuCode] = true
		if allGone || sp.Status == market.StatusDiscontinued {
			probs.Add(f, "spec.discontinued", "spec %s is discontinued: it cannot be modified", sp.SkuCode)
		}
		if len(sr.Plans) > 0 || len(sr.SKUs) > 0 || sr.Charging != "" && sr.Charging != sp.Charging || sr.TrialDays != 0 && sr.TrialDays != sp.TrialDays {
			probs.Add(f, "spec.terms", "a listed spec keeps its billing and prices; add a new spec and delist this one to change them")
		}
		text(probs, f+".name", sr.Name, 1, 50)
	}
	if allGone && len(news) > 0 {
		probs.Add("specs", "spec.all-discontinued", "every spec of product %s is discontinued: no specs can be added", p.ID)
	}
	for code := range existing {
		if !named[code] {
			probs.Add("specs", "spec.delete", "spec %s is listed: it cannot be deleted, only delisted with a REMOVAL application", code)
		}
	}
	return news, nil
}

// checkListing checks the listing's texts, images and labels.
func (s *Service) checkListing(probs *market.Problems, l *market.Listing) {
	text(probs, "listing.name", l.Name, 1, 100)
	if huaweiRule.MatchString(l.Name) {
		probs.Add("listing.name", "name.huawei-cloud", "a product name must not present it as \"Huawei Cloud XXX\"")
	}
	if priceRule.MatchString(l.Name) {
		probs.Add("listing.name", "name.price", "a product name must not carry a price")
	}
	if nameVersionRule.MatchString(l.Name) {
		probs.Add("listing.name", "name.version", "a product name must not carry a version (put it in version)")
	}
	if phoneRule.MatchString(l.Name) {
		probs.Add("listing.name", "name.phone", "a product name must not carry a phone number")
	}
	if !versionRule.MatchString(l.Version) {
		probs.Add("listing.version", "version.format", "version must look like V1.0 or V2.0, not %q", l.Version)
	}
	if l.SalesType != "" && l.SalesType != market.SalesCommon && l.SalesType != market.SalesJoint {
		probs.Add("listing.sales_type", "enum", "sales_type must be COMMON or JOINT")
	}
	text(probs, "listing.summary", l.Summary, 1, 500)
	s.checkDescription(probs, l)
	if utf8.RuneCountInString(strings.TrimSpace(l.UsageGuide)) < 20 {
		probs.Add("listing.usage_guide", "usage-guide.required", "the usage guide must explain how to log in and use the product after purchase")
	}
	if lower := strings.ToLower(l.UsageGuide); strings.Contains(lower, "contact us for pricing") || strings.Contains(l.UsageGuide, "联系我们获取报价") {
		probs.Add("listing.usage_guide", "usage-guide.pricing", "the usage guide must not send buyers to ask for prices")
	}
	s.checkAgreement(probs, l.Agreement)
	checkLogo(probs, l.Logo, s.cfg.Site)
	checkLabels(probs, l)
	if s.cfg.Site == "intl" {
		checkIntl(probs, l)
	}
}

func (s *Service) checkDescription(probs *market.Problems, l *market.Listing) {
	if len(l.DescriptionImages) == 0 && utf8.RuneCountInString(l.Description) < 400 {
		probs.Add("listing.description", "description.length", "a description without images is at least 400 characters (it has %d)", utf8.RuneCountInString(l.Description))
	}
	if len(l.DescriptionImages) > 5 {
		probs.Add("listing.description_images", "description.images", "a description has at most 5 images")
	}
	for i, im := range l.DescriptionImages {
		f := fmt.Sprintf("listing.description_images[%d]", i)
		if !slices.Contains([]string{"JPG", "JPEG", "PNG"}, strings.ToUpper(im.Format)) || im.Width < 900 || im.Width > 1200 || im.Height < 800 {
			probs.Add(f, "description.image", "a description image is JPG or PNG, 900 to 1200 px wide and at least 800 px high")
		}
	}
	lower := strings.ToLower(l.Description + " " + l.Summary)
	for _, w := range superlatives {
		if strings.Contains(lower, w) {
			probs.Add("listing.description", "description.superlative", "the description uses %q, which advertising law forbids", w)
		}
	}
}

func (s *Service) checkAgreement(probs *market.Problems, a string) {
	if strings.TrimSpace(a) == "" {
		probs.Add("listing.agreement", "agreement.required", "the service agreement is required")
		return
	}
	lower := strings.ToLower(a)
	personal := false
	for _, w := range []string{"个人信息", "个人数据", "隐私", "personal data", "personal information", "privacy"} {
		personal = personal || strings.Contains(lower, w)
	}
	if !personal {
		probs.Add("listing.agreement", "agreement.personal-data", "the service agreement must contain a personal-data (privacy) clause")
	}
	for _, w := range []string{"盖章", "签字", "签署地点", "signature:", "seal:"} {
		if strings.Contains(lower, w) {
			probs.Add("listing.agreement", "agreement.signature", "the agreement is accepted online: no seal, signature or signing-place clauses (%q)", w)
			break
		}
	}
	if strings.Contains(a, "____") || strings.Contains(a, "【 】") || strings.Contains(a, "[ ]") {
		probs.Add("listing.agreement", "agreement.blanks", "the agreement must not have blanks to fill in")
	}
}

func checkLogo(probs *market.Problems, im *market.Image, site string) {
	if im == nil {
		probs.Add("listing.logo", "logo.required", "a logo is required (120×120 px)")
		return
	}
	formats := []string{"PNG", "JPG", "JPEG"}
	if site == "intl" {
		formats = []string{"PNG"}
	}
	if !slices.Contains(formats, strings.ToUpper(im.Format)) {
		probs.Add("listing.logo.format", "logo.format", "the logo must be %s", strings.Join(formats, " or "))
	}
	if im.Width != 120 || im.Height != 120 {
		probs.Add("listing.logo", "logo.size", "the logo must be 120×120 px, not %d×%d", im.Width, im.Height)
	}
	if im.Bytes <= 0 || im.Bytes > 5<<20 {
		probs.Add("listing.logo.bytes", "logo.bytes", "the logo is at most 5 MB")
	}
}

// checkLabels: a certification label only with its certificate; Kunpeng and hybrid-cloud
// products say so in their summary and description, and a product marketed as hybrid cloud
// carries the label (rules §6.3).
func checkLabels(probs *market.Problems, l *market.Listing) {
	for i, label := range l.Labels {
		certs, known := labelCerts[label]
		f := fmt.Sprintf("listing.labels[%d]", i)
		if !known {
			probs.Add(f, "label.known", "label must be KUNPENG, HYBRID_CLOUD, IOT or ASCEND, not %q", label)
			continue
		}
		if !slices.ContainsFunc(certs, func(c string) bool { return slices.Contains(l.Certificates, c) }) {
			probs.Add(f, "label.certificate", "the %s label needs a %s certificate", label, strings.Join(certs, " or "))
		}
	}
	mentions := func(words ...string) (summary, description bool) {
		for _, w := range words {
			summary = summary || strings.Contains(strings.ToLower(l.Summary), w)
			description = description || strings.Contains(strings.ToLower(l.Description), w)
		}
		return
	}
	wording := []struct {
		label, name string
		words       []string
	}{{"KUNPENG", "Kunpeng", []string{"鲲鹏", "kunpeng"}}, {"HYBRID_CLOUD", "hybrid cloud", []string{"混合云", "hybrid cloud"}}}
	for _, w := range wording {
		sum, desc := mentions(w.words...)
		labelled := slices.Contains(l.Labels, w.label)
		if labelled && (!sum || !desc) {
			probs.Add("listing.summary", "label.wording", "a product with the %s label mentions %s in its summary and description", w.label, w.name)
		}
		if !labelled && w.label == "HYBRID_CLOUD" && (sum || desc) {
			probs.Add("listing.labels", "label.wording", "a product marketed as hybrid cloud carries the HYBRID_CLOUD label")
		}
	}
}

// checkIntl: the international site wants English names and profile, no external links in the
// profile, and English support (rules §1.12).
func checkIntl(probs *market.Problems, l *market.Listing) {
	if l.NameEN == "" || !isEnglish(l.NameEN) {
		probs.Add("listing.name_en", "intl.english", "the international site needs an English product name")
	}
	if l.CompanyProfile == "" || !isEnglish(l.CompanyProfile) {
		probs.Add("listing.company_profile", "intl.english", "the international site needs a company profile in English")
	}
	if urlRule.MatchString(l.CompanyProfile) {
		probs.Add("listing.company_profile", "intl.links", "the company profile must not link to other sites")
	}
	if !l.SupportEnglish {
		probs.Add("listing.support_english", "intl.support", "products on the international site give support in English")
	}
}

// isEnglish reports whether s has letters and none of them Han.
func isEnglish(s string) bool {
	letters := false
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return false
		}
		letters = letters || unicode.IsLetter(r)
	}
	return letters
}

// checkDebugCases: a product delivered through the production interface needs a production URL
// on a domain whose debug cases passed: new purchase, renewal, expiry and release, plus upgrade
// for an upgradable product (rules §1.3).
func (s *Service) checkDebugCases(ctx context.Context, r store.Reader, probs *market.Problems, p *market.Product, specs []catalog.SpecRequest, l *market.Listing) error {
	saas := false
	for _, sp := range specs {
		saas = saas || orSaaS(sp.Delivery) == market.DeliverySaaS
	}
	if !saas && !l.Upgradable {
		return nil
	}
	m, err := r.Merchant(ctx, p.MerchantID)
	if err != nil {
		return err
	}
	if u, err := url.Parse(m.ProductionURL); err != nil || u.Host == "" {
		probs.Add("production_url", "production-url.domain", "the merchant's production URL is not a URL")
	} else if _, err := netip.ParseAddr(u.Hostname()); err == nil && !s.cfg.AllowIPProductionURL {
		probs.Add("production_url", "production-url.domain", "the production URL must use a domain name, not the IP address %s", u.Hostname())
	}
	run, err := r.SavedDebugRun(ctx, p.ID)
	if market.ErrorCode(err) == market.CodeNotFound {
		probs.Add("debug_cases", "debug.passed", "run the debug cases (new purchase, renewal, expiry, release) and pass them before submitting")
		return nil
	}
	if err != nil {
		return err
	}
	if l.Upgradable && !run.Passed(market.CaseUpgrade) {
		probs.Add("debug_cases", "debug.upgrade", "an upgradable product also passes the upgrade case: run the debug cases again")
	}
	return nil
}

// text checks a string field's length in characters.
func text(probs *market.Problems, name, v string, lo, hi int) {
	if n := utf8.RuneCountInString(v); n < lo || n > hi {
		probs.Add(name, "length", "%s must be %d to %d characters", name, lo, hi)
	}
}
