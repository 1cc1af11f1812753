package web_test

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/market"
)

// TestOperatorPutsAProductOfSeveralSpecsOnSale: the form's further specs are sent when named or
// priced, refused at their own row's fields, and an empty row is left out.
func TestOperatorPutsAProductOfSeveralSpecsOnSale(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.operator()
	m := "/operator/merchants/" + f.shop.M.ID
	for _, lang := range []string{"zh-CN", "en"} {
		if body := f.page(c, lang, m, http.StatusOK); !strings.Contains(body, `name="spec_name_4"`) || !strings.Contains(body, `id="f-price_3"`) {
			t.Fatalf("%s: the form lacks its further specs", lang)
		}
	}
	form := func(set ...string) url.Values {
		v := url.Values{"product_id": {"p-suite"}, "product_name": {"Office Suite"}, "category": {"office"},
			"spec_name": {"Basic"}, "charging": {"PERIOD"}, "delivery": {"SAAS"}, "period": {"month"}, "price": {"49"},
			"spec_name_2": {"Pro"}, "charging_2": {"PERIOD"}, "delivery_2": {"SAAS"}, "period_2": {"year"}, "price_2": {"990"}, "trial_days_2": {"7"},
			"spec_name_3": {""}, "charging_3": {"PERIOD"}, "delivery_3": {"SAAS"}, "period_3": {"month"}, "price_3": {""},
			"spec_name_4": {"Licence"}, "charging_4": {"ONE_TIME"}, "delivery_4": {"LICENSE"}, "period_4": {""}, "price_4": {"5000"}}
		for i := 0; i+1 < len(set); i += 2 {
			v.Set(set[i], set[i+1])
		}
		return v
	}
	status, body, _ := f.post(c, m+"/products", form("price_2", "much"))
	f.refused(status, body, "price_2", `value="Licence"`, "a second spec's price that is no amount")
	linked(t, "second spec's price", body)
	status, body, _ = f.post(c, m+"/products", form("trial_days_4", "1"))
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-trial_days_4"`) && !strings.Contains(body, `id="err-spec_name_4"`) {
		t.Fatalf("a trial on the fourth spec: %d, want its error at the fourth row\n%s", status, body)
	}
	if strings.Contains(body, `id="err-trial_days"`) || strings.Contains(body, `id="err-trial_days_2"`) {
		t.Errorf("the fourth spec's error is shown at another row")
	}
	linked(t, "fourth spec's trial", body)
	f.must2(f.post(c, m+"/products", form()))
	d, err := f.e.Catalog.Product(f.e.Ctx, market.AsOperator(), "p-suite")
	if err != nil || len(d.Specs) != 3 {
		t.Fatalf("the product's specs: %v %v", d, err)
	}
	var names []string
	for _, sp := range d.Specs {
		names = append(names, sp.Name)
	}
	sort.Strings(names)
	if got := strings.Join(names, ","); got != "Basic,Licence,Pro" {
		t.Errorf("specs %s, want Basic,Pro,Licence", got)
	}
}
