package api

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
)

// FuzzDecode: any request body either decodes or is refused as invalid input, with a message
// that names no Go type; it never panics.
func FuzzDecode(f *testing.F) {
	f.Add(`{"merchant_id":"m-1","name":"CRM","specs":[{"sku_code":"s","name":"S","charging":"PERIOD","plans":[{"period":"month","price":"9.9"}]}]}`)
	f.Add(`{"name":"x","name":"y"}`)
	f.Add(`{"specs":[{"plans":[{"price":"1.2345"}]}]}`)
	f.Add("{\"name\":\"\x00\"}")
	f.Add(`[1,2`)
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/v1/products", strings.NewReader(body))
		var req catalog.ProductRequest
		err := decode(httptest.NewRecorder(), r, &req)
		if err == nil {
			return
		}
		e, ok := errors.AsType[*market.Error](err)
		if !ok || e.Code != market.CodeInvalid {
			t.Fatalf("%q: %v is not an invalid-input error", body, err)
		}
		for _, goName := range []string{"market.", "catalog.", "Go struct", "json:"} {
			if strings.Contains(e.Message, goName) {
				t.Fatalf("%q: the message names Go: %s", body, e.Message)
			}
		}
	})
}
