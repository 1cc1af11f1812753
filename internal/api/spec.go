package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// The OpenAPI 3 document of the JSON API, served at /api/v1/openapi.json. Each route is
// described once in the table of docs.go; the schemas of its request and answer are derived from
// the Go types the handler decodes and encodes, so the document cannot drift from them. A test
// checks that every registered route is described and every description is a route.

// endpoint describes one route.
type endpoint struct {
	summary string
	who     string // who may call it: operator, buyer, seller, any (any authenticated caller)
	body    any    // the request body's type (a zero value); nil for none
	reply   any    // the answer's type; nil for none
	status  int    // the success status
	query   []string
	// optionalBody marks a body the route also accepts left out.
	optionalBody bool
}

// list describes a paginated list answer: the items under name, and a next link.
type list struct {
	name string
	item any
}

// object describes a JSON object with named fields, for answers built as maps.
type object map[string]any

// SpecPath is where the document is served.
const SpecPath = "/api/v1/openapi.json"

// Spec returns the OpenAPI document.
func Spec() ([]byte, error) {
	paths := map[string]map[string]any{}
	all := map[string]endpoint{}
	for _, table := range []map[string]endpoint{endpoints, cloudEndpoints, jointEndpoints, afterSaleEndpoints, publishEndpoints, assetEndpoints, deployEndpoints} {
		maps.Copy(all, table)
	}
	for pattern, e := range all {
		method, path, _ := strings.Cut(pattern, " ")
		op := map[string]any{"summary": e.summary, "description": "Who: " + e.who + ".", "operationId": operationID(method, path),
			"responses": map[string]any{
				itoa(e.status): response(e.reply),
				"default":      map[string]any{"description": "an error", "content": jsonContent(map[string]any{"$ref": "#/components/schemas/Error"})},
			}}
		if e.who != "public" {
			op["security"] = []any{map[string]any{"bearer": []any{}}}
		}
		var params []any
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, "{") {
				params = append(params, map[string]any{"name": strings.Trim(seg, "{}"), "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
			}
		}
		for _, q := range e.query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": queryParams[q]})
		}
		if params != nil {
			op["parameters"] = params
		}
		if e.body != nil {
			op["requestBody"] = map[string]any{"required": !e.optionalBody, "content": jsonContent(schema(reflect.TypeOf(e.body)))}
		}
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(method)] = op
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "Mercato JSON API", "version": "1",
			"description": "The marketplace's API for operators, sellers and buyers (docs/api.md). Errors share one shape; lists are paginated with a next link."},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas":         map[string]any{"Error": object{"error": object{"code": "", "message": "", "field": "", "details": []market.FieldError{}}}.schema()},
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

// queryParams are the query parameters routes take, with their schemas.
var queryParams = map[string]map[string]any{
	"limit":       {"type": "integer", "minimum": 1, "maximum": 500},
	"cursor":      {"type": "string", "description": "the next link's cursor"},
	"state":       {"type": "string"},
	"merchant_id": {"type": "string"},
	"buyer_id":    {"type": "string"},
	"instance":    {"type": "string"},
	"order_id":    {"type": "string"},
	"unread":      {"type": "boolean"},
	"product_id":  {"type": "string"},
	"type":        {"type": "string"},
	"kind":        {"type": "string", "enum": []string{string(market.DebugSeller), string(market.DebugDial)}},
	"category":    {"type": "string"},
	"name":        {"type": "string", "description": "a fragment of the name"},
	"partner_id":  {"type": "string"},
	"customer_id": {"type": "string"},
	"at":          {"type": "string", "format": "date-time", "description": "default: now"},
	"asset_id":    {"type": "string"},
	"valid":       {"type": "boolean"},
	"template_id": {"type": "string", "description": "default: the newest valid template of the asset's approved version"},
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func operationID(method, path string) string {
	id := strings.ToLower(method)
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/") {
		seg = strings.Trim(seg, "{}")
		if seg != "" {
			id += strings.ToUpper(seg[:1]) + strings.ReplaceAll(seg[1:], "_", "")
		}
	}
	return id
}

func jsonContent(s any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": s}}
}

func response(reply any) map[string]any {
	r := map[string]any{"description": "success"}
	switch v := reply.(type) {
	case nil:
	case list:
		r["content"] = jsonContent(map[string]any{"type": "object", "properties": map[string]any{
			v.name: map[string]any{"type": "array", "items": schema(reflect.TypeOf(v.item))},
			"next": map[string]any{"type": "string", "description": "the next page, absent on the last"}}})
	case object:
		r["content"] = jsonContent(v.schema())
	default:
		r["content"] = jsonContent(schema(reflect.TypeOf(reply)))
	}
	return r
}

func (o object) schema() map[string]any {
	props := map[string]any{}
	for name, v := range o {
		switch v := v.(type) {
		case object:
			props[name] = v.schema()
		default:
			props[name] = schema(reflect.TypeOf(v))
		}
	}
	return map[string]any{"type": "object", "properties": props}
}

var (
	moneyType    = reflect.TypeFor[market.Money]()
	quantityType = reflect.TypeFor[market.Quantity]()
	rawType      = reflect.TypeFor[json.RawMessage]()
	timeType     = reflect.TypeFor[time.Time]()
)

// schema derives a JSON schema from a Go type as encoding/json renders it.
func schema(t reflect.Type) map[string]any {
	switch t {
	case moneyType:
		return map[string]any{"type": "string", "pattern": `^-?\d+(\.\d{1,3})?$`, "description": "an amount with at most 3 decimals"}
	case quantityType:
		return map[string]any{"type": "string", "pattern": `^\d+(\.\d{1,4})?$`, "description": "a quantity with at most 4 decimals"}
	case rawType:
		return map[string]any{}
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schema(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint32:
		return map[string]any{"type": "integer"}
	case reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schema(t.Elem())}
	case reflect.Struct:
		props, required := map[string]any{}, []string{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = schema(f.Type)
			if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
				required = append(required, name)
			}
		}
		sort.Strings(required)
		s := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			s["required"] = required
		}
		return s
	}
	return map[string]any{}
}

// serveSpec serves the document; it is public, like any API description.
func serveSpec(w http.ResponseWriter, _ *http.Request) {
	b, err := Spec()
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}
