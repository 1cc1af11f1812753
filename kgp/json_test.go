package kgp

import (
	"testing"
)

func TestJSONStringJacksonStyle(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain":              `"plain"`,
		`q"b\`:               `"q\"b\\"`,
		"\b\f\n\r\t":         `"\b\f\n\r\t"`,
		"\x00\x1f\x7f":       `"\u0000\u001F` + "\x7f\"",
		"<a href='x'>&</a>/": `"<a href='x'>&</a>/"`,
		"\u2028\u2029中文":     "\"\u2028\u2029中文\"",
	} {
		if got := string(appendJSONString(nil, in)); got != want {
			t.Errorf("%q: got %s want %s", in, got, want)
		}
	}
}

func TestJavaDouble(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"1.50": "1.5", "1e2": "100.0", "0.0": "0.0", "-0.0": "-0.0", "0.001": "0.001",
		"0.0001": "1.0E-4", "1.5e7": "1.5E7", "9999999.5": "9999999.5", "12345678.9": "1.23456789E7",
		"1e300": "1.0E300", "-2.5E-10": "-2.5E-10", "42": "42", "-0": "0",
		"123456789012345678901234567890": "123456789012345678901234567890", "1e400": "Infinity",
	} {
		if got := javaNumber(in); got != want {
			t.Errorf("%s: got %s want %s", in, got, want)
		}
	}
}

func TestCanonicalJSON(t *testing.T) {
	t.Parallel()
	in := `{ "b": [ {"z":1, "a": "x"} ], "a": {"y": null, "c": 1.50e0, "b": true}, "a2": "\u00e9\u2028" }`
	want := "{\"a\":{\"b\":true,\"c\":1.50e0,\"y\":null},\"a2\":\"é\u2028\",\"b\":[{\"a\":\"x\",\"z\":1}]}"
	got, err := CanonicalJSON([]byte(in))
	if err != nil || string(got) != want {
		t.Fatalf("got %s, %v\nwant %s", got, err, want)
	}
	for _, bad := range []string{``, `{`, `{"a":1} x`, `{"a":1}{}`, `[1,]`, `nul`} {
		if _, err := CanonicalJSON([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestDemoForms(t *testing.T) {
	t.Parallel()
	body := []byte(`{"testFlag":1,"b":"x","a":null,"c":true,"d":1.50,"b":"last"}`)
	got, err := basicDemoForm(body)
	if want := `{"b":"last","c":"true","d":"1.50","testFlag":"1"}`; err != nil || string(got) != want {
		t.Fatalf("basic: %s, %v; want %s", got, err, want)
	}
	if _, err := basicDemoForm([]byte(`{"a":{"b":1}}`)); err == nil {
		t.Fatal("basic: nested object accepted")
	}
	if _, err := basicDemoForm([]byte(`[1]`)); err == nil {
		t.Fatal("basic: array accepted")
	}
	kit := []byte(`{"z":{"y":1.50,"x":[1e2,null]},"a":null,"flag":1}`)
	got, err = kitDemoForm(kit)
	if want := `{"flag":1,"z":{"y":1.5,"x":[100.0,null]}}`; err != nil || string(got) != want {
		t.Fatalf("kit: %s, %v; want %s", got, err, want)
	}
}

func TestCompareUTF16(t *testing.T) {
	t.Parallel()
	// U+FF5E sorts after U+1F600 in UTF-16 (0xFF5E > 0xD83D) but before it in UTF-8.
	if compareUTF16("\U0001F600", "\uFF5E") >= 0 {
		t.Fatal("supplementary character should sort first in UTF-16 order")
	}
	if compareUTF16("a", "b") >= 0 || compareUTF16("B", "a") >= 0 {
		t.Fatal("ASCII order wrong")
	}
}
