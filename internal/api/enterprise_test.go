package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mercato-oss/mercato/internal/api"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
)

// TestEnterpriseEndpoints: the enterprise administrator's API answers with field paths, and
// another buyer learns nothing of an enterprise that is not its own.
func TestEnterpriseEndpoints(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		_, alice, err := e.Identity.CreateBuyer(e.Ctx, market.AsOperator(), identity.BuyerRequest{Name: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		_, bob, err := e.Identity.CreateBuyer(e.Ctx, market.AsOperator(), identity.BuyerRequest{Name: "bob"})
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		(&api.API{Catalog: e.Catalog, Identity: e.Identity, Orders: e.Orders, Calls: e.Calls, Metering: e.Metering, Billing: e.Billing,
			Licenses: e.Licenses, Enterprises: e.Enterprises, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Register(mux)
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		call := func(method, path, token string, body any) (int, map[string]any) {
			t.Helper()
			var rd io.Reader
			if body != nil {
				b, _ := json.Marshal(body)
				rd = bytes.NewReader(b)
			}
			req, _ := http.NewRequest(method, srv.URL+"/api/v1"+path, rd)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out map[string]any
			json.NewDecoder(resp.Body).Decode(&out)
			return resp.StatusCode, out
		}
		fieldOf := func(out map[string]any) string {
			e, _ := out["error"].(map[string]any)
			f, _ := e["field"].(string)
			return f
		}
		code, out := call("POST", "/enterprises", alice, map[string]any{"name": "Acme", "tenant_code": "acme"})
		if code != http.StatusCreated {
			t.Fatalf("create: %d %v", code, out)
		}
		tid := out["tenant_id"].(string)
		ent := "/enterprises/" + tid
		cases := []struct {
			name, method, path, token string
			body                      any
			status                    int
			field                     string
		}{
			{"unknown field", "POST", ent + "/departments", alice, map[string]any{"name": "HQ", "colour": "red"}, 400, "colour"},
			{"department", "POST", ent + "/departments", alice, map[string]any{"name": "HQ", "org_code": "HQ"}, 201, ""},
			{"user in no department of ours", "POST", ent + "/users", alice, map[string]any{"users": []any{map[string]any{"user_name": "u1", "name": "U", "org_code": "ELSEWHERE"}}}, 400, "users[0].org_code"},
			{"user", "POST", ent + "/users", alice, map[string]any{"users": []any{map[string]any{"user_name": "u1", "name": "U", "org_code": "HQ"}}}, 201, ""},
			{"wrong type", "PATCH", ent + "/users/u1", alice, map[string]any{"enabled": "yes"}, 400, "enabled"},
			{"cycle", "PATCH", ent + "/departments/HQ", alice, map[string]any{"parent_code": "HQ"}, 400, "parent_code"},
			{"bob reads", "GET", ent, bob, nil, 404, ""},
			{"bob changes", "POST", ent + "/departments", bob, map[string]any{"name": "X"}, 404, ""},
			{"bob lists users", "GET", ent + "/users", bob, nil, 404, ""},
			{"no token", "GET", ent, "", nil, 401, ""},
			{"operator reads", "GET", ent + "/users", marketplacetest.OperatorToken, nil, 200, ""},
			{"second enterprise", "POST", "/enterprises", alice, map[string]any{"name": "Acme 2", "tenant_code": "acme2"}, 409, ""},
		}
		for _, c := range cases {
			code, out := call(c.method, c.path, c.token, c.body)
			if code != c.status || fieldOf(out) != c.field {
				t.Errorf("%s: %d %v, want %d field %q", c.name, code, out, c.status, c.field)
			}
		}
	})
}
