package kgp

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Message fields carry their documented rules in a `kgp` struct tag, read here once:
//
//	required    mandatory (M in the documentation): strings and lists non-empty, other kinds present
//	max=N       at most N characters (strings) or N elements (slices)
//	oneof=a|b   one of the listed values (strings and integers)
//
// Decoders check every rule and answer a *FieldError; encoders check them too, so the platform
// never sends what a merchant would have to reject.

// FieldError reports a message field that breaks its documented rule.
type FieldError struct {
	Field   string // JSON name, with a path for nested fields: userList[2].userName
	Problem string
}

func (e *FieldError) Error() string { return "kgp: " + e.Field + ": " + e.Problem }

// validate checks v (a struct or pointer to one) against its kgp tags. present, when not nil,
// tells which top-level keys the wire message carried, so that a missing mandatory integer is
// told apart from a zero.
func validate(v any, present map[string]bool) error {
	return validateValue(reflect.ValueOf(v), "", present)
}

func validateValue(rv reflect.Value, prefix string, present map[string]bool) error {
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil
	}
	rt := rv.Type()
	for i := range rt.NumField() {
		f := rt.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		path := prefix + name
		fv := rv.Field(i)
		if err := checkField(fv, path, f.Tag.Get("kgp"), present == nil || present[name]); err != nil {
			return err
		}
		if err := validateNested(fv, path); err != nil {
			return err
		}
	}
	return nil
}

func validateNested(fv reflect.Value, path string) error {
	switch {
	case fv.Kind() == reflect.Slice:
		for j := range fv.Len() {
			if err := validateValue(fv.Index(j), path+"["+strconv.Itoa(j)+"].", nil); err != nil {
				return err
			}
		}
	case fv.Kind() == reflect.Struct, fv.Kind() == reflect.Pointer && fv.Type().Elem().Kind() == reflect.Struct:
		return validateValue(fv, path+".", nil)
	}
	return nil
}

func checkField(fv reflect.Value, path, tag string, present bool) error {
	if fv.Kind() == reflect.String {
		if err := CheckText(path, fv.String()); err != nil {
			return err
		}
	}
	if tag == "" {
		return nil
	}
	for rule := range strings.SplitSeq(tag, ",") {
		key, arg, _ := strings.Cut(rule, "=")
		switch key {
		case "required":
			if isMissing(fv, present) {
				return &FieldError{path, "mandatory field missing"}
			}
		case "max":
			n, _ := strconv.Atoi(arg)
			switch fv.Kind() {
			case reflect.String:
				if l := utf8.RuneCountInString(fv.String()); l > n {
					return &FieldError{path, fmt.Sprintf("%d characters, at most %d allowed", l, n)}
				}
			case reflect.Slice:
				if fv.Len() > n {
					return &FieldError{path, fmt.Sprintf("%d entries, at most %d allowed", fv.Len(), n)}
				}
			}
		case "oneof":
			var s string
			switch fv.Kind() {
			case reflect.String:
				s = fv.String()
			case reflect.Int, reflect.Int64:
				s = strconv.FormatInt(fv.Int(), 10)
			}
			allowed := strings.Contains("|"+arg+"|", "|"+s+"|")
			// An empty string or an unlisted 0 is an absent optional value: the required
			// rule's business. Kit flags list 0 (delete) and are checked as given.
			if !allowed && !isZero(fv) {
				return &FieldError{path, fmt.Sprintf("%q is not one of %s", s, strings.ReplaceAll(arg, "|", ", "))}
			}
		}
	}
	return nil
}

// CheckText refuses what no text field of the protocol may hold, whatever its rules: invalid
// UTF-8 and NUL characters, which PostgreSQL cannot store and no merchant can mean.
func CheckText(field, s string) error {
	if !utf8.ValidString(s) {
		return &FieldError{field, "is not valid UTF-8"}
	}
	if strings.IndexByte(s, 0) >= 0 {
		return &FieldError{field, "contains a NUL character"}
	}
	return nil
}

func isMissing(fv reflect.Value, present bool) bool {
	switch fv.Kind() {
	case reflect.String:
		return fv.String() == ""
	case reflect.Slice, reflect.Map:
		return fv.Len() == 0
	case reflect.Pointer:
		return fv.IsNil()
	}
	return !present
}

func isZero(fv reflect.Value) bool {
	switch fv.Kind() {
	case reflect.String:
		return fv.String() == ""
	case reflect.Int, reflect.Int64:
		return fv.Int() == 0
	}
	return false
}

// presentKeys returns the top-level keys of a JSON object whose value is not null.
func presentKeys(body []byte) (map[string]bool, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err
	}
	keys := make(map[string]bool, len(raw))
	for k, v := range raw {
		if string(v) != "null" {
			keys[k] = true
		}
	}
	return keys, nil
}

// decodeStrict unmarshals a JSON object into v and validates it.
func decodeStrict(body []byte, v any) error {
	present, err := decodeInto(body, v)
	if err != nil {
		return err
	}
	return validate(v, present)
}

// decodeInto unmarshals a JSON object into v and reports which top-level keys it carried.
// A value of the wrong type is a *FieldError.
func decodeInto(body []byte, v any) (map[string]bool, error) {
	present, err := presentKeys(body)
	if err != nil {
		return nil, fmt.Errorf("kgp: invalid JSON body: %w", err)
	}
	if err := json.Unmarshal(body, v); err != nil {
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
			return nil, &FieldError{te.Field, "wrong type: " + te.Value}
		}
		return nil, fmt.Errorf("kgp: invalid JSON body: %w", err)
	}
	return present, nil
}
