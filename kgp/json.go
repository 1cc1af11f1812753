package kgp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The merchant demo that most KooGallery merchants run (§14) does not hash the raw request body:
// it binds the JSON to a Java map and re-serialises it with Jackson. This file holds a small
// ordered JSON tree and the three serialisations the protocol needs:
//
//   - basic: the 2.0 basic body as the demo sees it — a flat object, every value a string,
//     no nulls, keys sorted;
//   - kit: the kit v2 body as the demo sees it — top-level keys sorted, nulls dropped, nested
//     values in wire order, non-integer numbers through Java's double;
//   - canonical: recursively key-sorted compact JSON, our documented form for the usage-push
//     body signature (§8.5, §12.6).
//
// All three write strings exactly as Jackson does (appendJSONString).

type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

type jsonMember struct {
	key   string
	value *jsonNode
}

type jsonNode struct {
	kind jsonKind
	text string // bool, number and string values
	arr  []*jsonNode
	obj  []jsonMember // wire order, duplicates kept
}

// errNotObject is returned when a body that must be a JSON object is something else.
var errNotObject = errors.New("kgp: body is not a JSON object")

// parseJSON reads exactly one JSON value from b, keeping object members in wire order.
func parseJSON(b []byte) (*jsonNode, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := parseNode(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("kgp: trailing data after JSON value")
	}
	return n, nil
}

func parseNode(dec *json.Decoder) (*jsonNode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("kgp: invalid JSON: %w", err)
	}
	switch t := tok.(type) {
	case nil:
		return &jsonNode{kind: jsonNull}, nil
	case bool:
		return &jsonNode{kind: jsonBool, text: strconv.FormatBool(t)}, nil
	case json.Number:
		return &jsonNode{kind: jsonNumber, text: t.String()}, nil
	case string:
		return &jsonNode{kind: jsonString, text: t}, nil
	case json.Delim:
		switch t {
		case '[':
			n := &jsonNode{kind: jsonArray}
			for dec.More() {
				v, err := parseNode(dec)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
			_, err := dec.Token()
			return n, err
		case '{':
			n := &jsonNode{kind: jsonObject}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := parseNode(dec)
				if err != nil {
					return nil, err
				}
				n.obj = append(n.obj, jsonMember{key: kt.(string), value: v})
			}
			_, err := dec.Token()
			return n, err
		}
	}
	return nil, fmt.Errorf("kgp: unexpected JSON token %v", tok)
}

// sortedMembers returns the members of an object as a Java map would hold them: the last of
// duplicate keys wins, keys in ascending UTF-16 order (Java TreeMap).
func sortedMembers(obj []jsonMember) []jsonMember {
	out := make([]jsonMember, 0, len(obj))
	seen := make(map[string]int, len(obj))
	for _, m := range obj {
		if i, ok := seen[m.key]; ok {
			out[i] = m
			continue
		}
		seen[m.key] = len(out)
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b jsonMember) int { return compareUTF16(a.key, b.key) })
	return out
}

// compareUTF16 orders strings as Java's String.compareTo does (UTF-16 code units), with invalid
// UTF-8 read as U+FFFD and ties broken by bytes so the order stays total. For valid UTF-8 without
// characters above U+FFFF this is plain byte order, the fast path.
func compareUTF16(a, b string) int {
	if bmpOnly(a) && bmpOnly(b) {
		return strings.Compare(a, b)
	}
	if c := slices.Compare(utf16Units(a), utf16Units(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// bmpOnly reports valid UTF-8 with no 4-byte sequence (nothing outside the BMP).
func bmpOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			if !utf8.ValidString(s[i:]) {
				return false
			}
			for ; i < len(s); i++ {
				if s[i] >= 0xF0 {
					return false
				}
			}
		}
	}
	return true
}

func utf16Units(s string) []uint16 {
	out := make([]uint16, 0, len(s))
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xD800+(r>>10)), uint16(0xDC00+(r&0x3FF)))
			continue
		}
		out = append(out, uint16(r))
	}
	return out
}

// appendJSONString writes s as a JSON string exactly as Jackson does: '"' and '\' escaped,
// \b \f \n \r \t as short escapes, other control characters as \u00XX with uppercase hex, and
// everything else — including U+2028 and U+2029, '<', '>' and '&' — as raw UTF-8.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// numberStyle says how a serialisation writes JSON numbers.
type numberStyle uint8

const (
	numbersAsSent numberStyle = iota // the text as received
	numbersAsJava                    // integers exact, other numbers through Java's double
)

// appendNode writes n compactly. sortKeys applies to every nested object.
func appendNode(dst []byte, n *jsonNode, sortKeys bool, nums numberStyle) []byte {
	switch n.kind {
	case jsonNull:
		return append(dst, "null"...)
	case jsonBool:
		return append(dst, n.text...)
	case jsonNumber:
		if nums == numbersAsJava {
			return append(dst, javaNumber(n.text)...)
		}
		return append(dst, n.text...)
	case jsonString:
		return appendJSONString(dst, n.text)
	case jsonArray:
		dst = append(dst, '[')
		for i, v := range n.arr {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendNode(dst, v, sortKeys, nums)
		}
		return append(dst, ']')
	default:
		members := n.obj
		if sortKeys {
			members = sortedMembers(members)
		}
		dst = append(dst, '{')
		for i, m := range members {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, m.key)
			dst = append(dst, ':')
			dst = appendNode(dst, m.value, sortKeys, nums)
		}
		return append(dst, '}')
	}
}

// CanonicalJSON returns body as recursively key-sorted compact JSON: object keys in ascending
// order at every depth, no whitespace, strings written as Jackson writes them, numbers exactly as
// received. It is the "naturally sorted" body of the usage-push signature (§8.5, §12.6).
func CanonicalJSON(body []byte) ([]byte, error) {
	n, err := parseJSON(body)
	if err != nil {
		return nil, err
	}
	return appendNode(make([]byte, 0, len(body)), n, true, numbersAsSent), nil
}

// basicDemoForm is the 2.0 basic body as Huawei's merchant demo re-serialises it before hashing
// (§14.1): a Map<String,String> — numbers and booleans coerced to their text, nulls dropped,
// keys sorted. Nested objects or arrays make the demo fail, so they are an error here.
func basicDemoForm(body []byte) ([]byte, error) {
	n, err := parseJSON(body)
	if err != nil {
		return nil, err
	}
	if n.kind != jsonObject {
		return nil, errNotObject
	}
	dst := make([]byte, 0, len(body))
	dst = append(dst, '{')
	first := true
	for _, m := range sortedMembers(n.obj) {
		switch m.value.kind {
		case jsonNull:
			continue
		case jsonArray, jsonObject:
			return nil, fmt.Errorf("kgp: field %q is not a string", m.key)
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, m.key)
		dst = append(dst, ':')
		dst = appendJSONString(dst, m.value.text)
	}
	return append(dst, '}'), nil
}

// kitDemoForm is the kit v2 body as the merchant demo re-serialises it (§14.2): a
// Map<String,Object> with null top-level values dropped, the top level sorted, nested values in
// wire order, integers exact and other numbers through Java's double.
func kitDemoForm(body []byte) ([]byte, error) {
	n, err := parseJSON(body)
	if err != nil {
		return nil, err
	}
	if n.kind != jsonObject {
		return nil, errNotObject
	}
	top := &jsonNode{kind: jsonObject}
	for _, m := range sortedMembers(n.obj) {
		if m.value.kind != jsonNull {
			top.obj = append(top.obj, m)
		}
	}
	return appendNode(make([]byte, 0, len(body)), top, false, numbersAsJava), nil
}

// javaNumber writes a JSON number as Jackson writes the value it bound: integers (any size) in
// plain decimal, other numbers as Java's Double.toString.
func javaNumber(text string) string {
	if !strings.ContainsAny(text, ".eE") {
		if i, ok := new(big.Int).SetString(text, 10); ok {
			return i.String()
		}
		return text
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil { // out of range: Java would give Infinity, which Jackson writes bare
		if f > 0 {
			return "Infinity"
		}
		return "-Infinity"
	}
	return javaDouble(f)
}

// javaDouble formats f as Java's Double.toString: decimal notation with at least one fractional
// digit for 1e-3 <= |f| < 1e7, otherwise computerised scientific notation ("1.0E7", "1.5E-4").
func javaDouble(f float64) string {
	if f == 0 {
		if 1/f < 0 {
			return "-0.0"
		}
		return "0.0"
	}
	abs := f
	if abs < 0 {
		abs = -abs
	}
	if abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // e.g. 1.5E+07
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(exp, "+-0")
	if neg {
		exp = "-" + exp
	}
	return mant + "E" + exp
}
