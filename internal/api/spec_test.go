package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/api"
)

// recorder is a Mux that remembers the patterns registered on it.
type recorder struct{ patterns []string }

func (r *recorder) Handle(pattern string, _ http.Handler) { r.patterns = append(r.patterns, pattern) }
func (r *recorder) Handler(*http.Request) (http.Handler, string) {
	return http.NotFoundHandler(), ""
}

// TestSpecCoversRoutes: the OpenAPI document describes every route the API registers, and
// nothing else; it is valid JSON with an operation per method and path.
func TestSpecCoversRoutes(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	(&api.API{}).Register(rec)
	b, err := api.Spec()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("document: %v (openapi %q)", err, doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			if op["summary"] == "" || op["responses"] == nil {
				t.Errorf("%s %s has no summary or responses", method, path)
			}
		}
	}
	for _, p := range rec.patterns {
		if p == api.Prefix {
			continue // the catch-all that answers unknown paths
		}
		if !slices.Contains(documented, p) {
			t.Errorf("route %q is not in the OpenAPI document (a table in internal/api/docs*.go)", p)
		}
	}
	for _, d := range documented {
		if !slices.Contains(rec.patterns, d) {
			t.Errorf("the OpenAPI document describes %q, which is not a route", d)
		}
	}
}
