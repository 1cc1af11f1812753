package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// maxBody bounds JSON request bodies.
const maxBody = 1 << 20

// decode reads a bounded JSON body into v. Unknown fields, duplicate keys and trailing data are
// refused, and every error names the field it is about, as a path ("specs[0].plans[1].price").
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return market.Errorf(market.CodeInvalid, "the request body is larger than %d bytes", maxBody)
		}
		return market.Errorf(market.CodeInvalid, "reading the request body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return market.Errorf(market.CodeInvalid, "the request needs a JSON body")
	}
	if err := checkJSONText(body); err != nil {
		return err
	}
	err = jsonv2.Unmarshal(body, v, jsonv2.RejectUnknownMembers(true))
	if err == nil {
		return nil
	}
	if se, ok := errors.AsType[*jsonv2.SemanticError](err); ok {
		field := fieldPath(se.JSONPointer)
		switch {
		case se.Err != nil && !errors.Is(se.Err, jsonv2.ErrUnknownName):
			return market.Invalid(field, "%s: %s", field, sentence(se.Err))
		case errors.Is(se.Err, jsonv2.ErrUnknownName):
			return market.Invalid(field, "%s is not a field of this request", field)
		default:
			return market.Invalid(field, "%s: expected %s, got %s", field, kindOf(se.GoType.String()), se.JSONKind)
		}
	}
	if se, ok := errors.AsType[*jsontext.SyntacticError](err); ok {
		field := fieldPath(se.JSONPointer)
		if errors.Is(se.Err, jsontext.ErrDuplicateName) {
			return market.Invalid(field, "%s appears twice in the request", field)
		}
		return market.Invalid(field, "the request body is not valid JSON at byte %d: %s", se.ByteOffset, sentence(se.Err))
	}
	return market.Errorf(market.CodeInvalid, "the request body: %s", sentence(err))
}

// checkJSONText refuses a body whose strings or names hold a NUL character (a valid JSON
// escape, \u0000, that no field may mean and PostgreSQL cannot store); invalid UTF-8 is refused
// by the decoder itself.
func checkJSONText(body []byte) error {
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil // the decoder that follows reports the syntax error with its field
		}
		if tok.Kind() == '"' && strings.IndexByte(tok.String(), 0) >= 0 {
			field := fieldPath(dec.StackPointer())
			return market.Invalid(field, "%s contains a NUL character", field)
		}
	}
}

// checkURLText refuses a request whose path or query parameters hold a NUL or other control
// character, or invalid UTF-8, once percent-decoded: no identifier or filter may.
func checkURLText(r *http.Request) error {
	if bad(r.URL.Path) {
		return market.Invalid("path", "the path %q holds a control character or invalid UTF-8", r.URL.EscapedPath())
	}
	for name, values := range r.URL.Query() {
		if bad(name) {
			return market.Invalid("query", "a query parameter name holds a control character or invalid UTF-8")
		}
		for _, v := range values {
			if bad(v) {
				return market.Invalid(name, "%s holds a control character or invalid UTF-8", name)
			}
		}
	}
	return nil
}

// bad reports invalid UTF-8 or a control character.
func bad(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, c := range s {
		if unicode.IsControl(c) {
			return true
		}
	}
	return false
}

// fieldPath turns a JSON pointer ("/specs/0/plans/1/price") into a field path
// ("specs[0].plans[1].price").
func fieldPath(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}

// kindOf names a Go type the way a client thinks of the JSON value it wants.
func kindOf(goType string) string {
	switch {
	case strings.HasSuffix(goType, "Money"):
		return `an amount as a string with at most 3 decimals, e.g. "9.900"`
	case strings.HasSuffix(goType, "Quantity"):
		return `a quantity as a string with at most 4 decimals, e.g. "1.2500"`
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case goType == "string" || strings.HasPrefix(goType, "market."):
		return "a string"
	case goType == "bool":
		return "true or false"
	}
	return "an object"
}

// sentence is an error message without the Go package prefixes library errors carry.
func sentence(err error) string {
	msg := err.Error()
	for _, p := range []string{"jsontext: ", "json: ", "market: ", "invalid: "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	return msg
}

// writeJSON writes v as indented JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// writeSecret writes an answer that carries a secret (a key, a token): no cache may keep it.
func writeSecret(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, v)
}

var statusOf = map[market.Code]int{
	market.CodeInvalid:      http.StatusBadRequest,
	market.CodeNotFound:     http.StatusNotFound,
	market.CodeConflict:     http.StatusConflict,
	market.CodeUnauthorized: http.StatusUnauthorized,
	market.CodeForbidden:    http.StatusForbidden,
	market.CodePayment:      http.StatusPaymentRequired,
	market.CodeTooMany:      http.StatusTooManyRequests,
	market.CodeMethod:       http.StatusMethodNotAllowed,
	market.CodeUnavailable:  http.StatusServiceUnavailable,
	market.CodeInternal:     http.StatusInternalServerError,
}

// errorView is the API's one error shape.
type errorView struct {
	Code    market.Code `json:"code"`
	Message string      `json:"message"`
	Field   string      `json:"field,omitempty"`
	// Details lists every broken rule (field, rule, message) when a request broke several.
	Details []market.FieldError `json:"details,omitempty"`
}

func writeError(w http.ResponseWriter, err error) {
	code := market.ErrorCode(err)
	writeJSON(w, statusOf[code], map[string]errorView{"error": {code, market.ErrorMessage(err), market.ErrorField(err), market.ErrorDetails(err)}})
}

// params reads a request's query parameters, refusing values that do not parse: a typo must
// not silently widen a list.
type params struct{ q url.Values }

func query(r *http.Request) params { return params{r.URL.Query()} }

// page reads ?limit= (1 to 500, default 100) and ?cursor= (from a previous page's next link).
func (p params) page() (store.Page, error) {
	var pg store.Page
	if s := p.q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > store.MaxLimit {
			return pg, market.Invalid("limit", "limit must be a whole number from 1 to %d, not %q", store.MaxLimit, s)
		}
		pg.Limit = n
	}
	c, err := store.ParseCursor(p.q.Get("cursor"))
	pg.After = c
	return pg, err
}

// limit reads ?limit= for lists that are not paged (1 to max, default 100).
func (p params) limit(max int) (int, error) {
	s := p.q.Get("limit")
	if s == "" {
		return min(100, max), nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, market.Invalid("limit", "limit must be a whole number from 1 to %d, not %q", max, s)
	}
	return n, nil
}

// enum reads a parameter that must be one of allowed (or absent).
func enum[T ~string](p params, name string, allowed ...T) (T, error) {
	s := T(p.q.Get(name))
	if s == "" {
		return s, nil
	}
	for _, a := range allowed {
		if s == a {
			return s, nil
		}
	}
	return "", market.Invalid(name, "%s must be one of %v, not %q", name, allowed, s)
}

// list is a page of a list as the API answers it: the items under their name, and the link to
// the next page when there is one.
func writeList[T any](w http.ResponseWriter, r *http.Request, name string, items []T, next store.Cursor) {
	if items == nil {
		items = []T{}
	}
	out := map[string]any{name: items}
	if !next.IsZero() {
		q := r.URL.Query()
		q.Set("cursor", next.String())
		out["next"] = fmt.Sprintf("%s?%s", r.URL.Path, q.Encode())
	}
	writeJSON(w, http.StatusOK, out)
}

// noContent answers 204 for an action that returns nothing, or its error.
func noContent(w http.ResponseWriter, err error) error {
	if err == nil {
		w.WriteHeader(http.StatusNoContent)
	}
	return err
}
