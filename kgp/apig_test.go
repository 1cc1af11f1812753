package kgp

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func apigReq(t *testing.T, method, rawURL string, body string, headers ...string) *APIGRequest {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	for i := 0; i < len(headers); i += 2 {
		h.Add(headers[i], headers[i+1])
	}
	return &APIGRequest{Method: method, URL: u, Host: u.Host, Header: h, Body: []byte(body)}
}

func TestAPIGVectors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, ak, sk string
		req          *APIGRequest
		signed       []string
		want         string
	}{
		{ // §8.2, huaweicloud-sdk-go-v3 signer test 1
			"go-sdk-get", "AccessKey", "SecretKey",
			apigReq(t, "GET", "https://example.huaweicloud.com/path?limit=1", "", "X-Sdk-Date", "20060102T150405Z"),
			nil, "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
		},
		{ // §8.2, signer test 2: the JSON body ends with the encoder's newline
			"go-sdk-post", "AccessKey", "SecretKey",
			apigReq(t, "POST", "https://example.huaweicloud.com/path?key=value", "{\"Name\":\"test\",\"Id\":1}\n", "X-Sdk-Date", "20060102T150405Z"),
			nil, "cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59",
		},
		{ // §8.2, marketplace vector from a public Ruby gem test: Content-Type and Host signed
			"marketplace", "test", "123",
			apigReq(t, "POST", "https://mkt.myhuaweicloud.com/api/mkp-openapi-public/global/v1/license/activate", "",
				"Content-Type", "application/json", "X-Sdk-Date", "20240317T144237Z", "x-stage", "RELEASE"),
			[]string{"content-type", "host", "x-stage"}, "77595ad624b6e4e49990b8c4e84bf1c287457fca61069c4e60b9b6765b52053d",
		},
		{ // dependencies.md §4, computed with Huawei's own Go SDK signer
			"sdk-golden", "HPUAEXAMPLEAK0000001", "exampleSecretKey0123456789abcdefghijklmn",
			apigReq(t, "POST", "https://apig.example.com/v1/market/orders/ord%201/callback?b=2&a=x%20y", `{"orderId":"ord-1","action":"subscribe","quantity":2}`,
				"Content-Type", "application/json;charset=UTF-8", "X-Project-Id", "proj123", "X-Sdk-Date", "20261129T010203Z"),
			[]string{"x-project-id"}, "b63c1776b1d697e205666e83b6305734d5e270e6beff2d7e5e398de086d3a7ef",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			authz, err := SignAPIG(tc.ak, tc.sk, tc.req, tc.signed...)
			if err != nil {
				t.Fatal(err)
			}
			a, err := ParseAPIGAuthorization(authz)
			if err != nil {
				t.Fatal(err)
			}
			if a.Signature != tc.want || a.Access != tc.ak {
				t.Fatalf("Authorization = %s\nwant signature %s", authz, tc.want)
			}
			if err := VerifyAPIG(tc.sk, a, tc.req); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestAPIGGoldenCanonicalParts(t *testing.T) {
	t.Parallel()
	r := apigReq(t, "POST", "https://apig.example.com/v1/market/orders/ord%201/callback?b=2&a=x%20y", `{"orderId":"ord-1","action":"subscribe","quantity":2}`,
		"X-Project-Id", "proj123", "X-Sdk-Date", "20261129T010203Z")
	cr := APIGCanonicalRequest(r, []string{"x-project-id", "x-sdk-date"})
	want := "POST\n/v1/market/orders/ord%201/callback/\na=x%20y&b=2\nx-project-id:proj123\nx-sdk-date:20261129T010203Z\n\nx-project-id;x-sdk-date\n3f2533958323d20aff03271e6dff7df7dd585453f7f8e38ca406d82b83411da0"
	if cr != want {
		t.Fatalf("canonical request:\n%s\nwant:\n%s", cr, want)
	}
}

func TestAPIGLowercaseQueryKeys(t *testing.T) {
	t.Parallel()
	// An older client signs lower-cased query keys (§12.19); the verifier accepts both forms.
	r := apigReq(t, "GET", "https://mkt.example/api/mkp-openapi-public/global/v1/order/query?orderId=CS1&orderLineId=CS1-000001", "", "X-Sdk-Date", "20240317T144237Z")
	cr := apigCanonicalRequest(r, []string{"x-sdk-date"}, true)
	if !strings.Contains(cr, "orderid=CS1&orderlineid=CS1-000001") {
		t.Fatalf("lower-cased form: %s", cr)
	}
	sig := apigSignature("sk", APIGStringToSign("20240317T144237Z", cr))
	a := APIGAuthorization{Access: "ak", SignedHeaders: []string{"x-sdk-date"}, Signature: sig}
	if err := VerifyAPIG("sk", a, r); err != nil {
		t.Fatal(err)
	}
}

func TestAPIGAuthorizationParse(t *testing.T) {
	t.Parallel()
	for _, h := range []string{
		"",
		"SDK-HMAC-SHA1 Access=a, SignedHeaders=x-sdk-date, Signature=00",
		"SDK-HMAC-SHA256 Access=a, SignedHeaders=host, Signature=00",
		"SDK-HMAC-SHA256 Access=a, Signature=00",
		"SDK-HMAC-SHA256 Access=a; SignedHeaders=x-sdk-date; Signature=00",
	} {
		if _, err := ParseAPIGAuthorization(h); err == nil {
			t.Errorf("%q parsed", h)
		}
	}
}

func TestCheckSdkDate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 29, 1, 2, 3, 0, time.UTC)
	if err := CheckSdkDate("20261129T011703Z", now, 15*time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"20261129T011704Z", "20261129T004702Z", "2026-11-29T01:02:03Z", ""} {
		if err := CheckSdkDate(v, now, 15*time.Minute); err == nil {
			t.Errorf("%q accepted", v)
		}
	}
}

// TestAPIGProperty signs randomized requests and verifies them; then any one-byte change to the
// method, path, query, a signed header or the body must be rejected.
func TestAPIGProperty(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aZ09-_.~ /%+&=?é中"
	word := func(n int) string {
		runes := []rune(alphabet)
		var b strings.Builder
		for range n {
			b.WriteRune(runes[rng.IntN(len(runes))])
		}
		return b.String()
	}
	for i := range 500 {
		path := "/" + word(1+rng.IntN(6)) + "/" + word(rng.IntN(4))
		q := url.Values{}
		for range rng.IntN(4) {
			k := word(1 + rng.IntN(3))
			for range 1 + rng.IntN(3) { // repeated keys, possibly empty values
				q.Add(k, word(rng.IntN(3)))
			}
		}
		u := &url.URL{Scheme: "https", Host: "mkt.example", Path: path, RawQuery: q.Encode()}
		r := &APIGRequest{Method: []string{"GET", "POST", "PUT"}[rng.IntN(3)], URL: u, Host: u.Host, Header: http.Header{}, Body: []byte(word(rng.IntN(40)))}
		r.Header.Set(HeaderSdkDate, "20261129T010203Z")
		r.Header.Set("X-Extra", "v"+word(3))
		r.Header.Set("X-Unsigned", word(3))
		authz, err := SignAPIG("AK", "SK", r, "host", "x-extra")
		if err != nil {
			t.Fatal(err)
		}
		a, err := ParseAPIGAuthorization(authz)
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyAPIG("SK", a, r); err != nil {
			t.Fatalf("case %d: %v\n%s %s", i, err, r.Method, u)
		}
		// Unsigned headers do not matter.
		r.Header.Set("X-Unsigned", "changed")
		if err := VerifyAPIG("SK", a, r); err != nil {
			t.Fatalf("case %d: unsigned header changed the signature", i)
		}
		for _, mutate := range []struct {
			what string
			f    func(*APIGRequest)
		}{
			{"method", func(r *APIGRequest) { r.Method = flipByte(rng, r.Method) }},
			{"path", func(r *APIGRequest) { u := *r.URL; u.Path = flipByte(rng, u.Path); r.URL = &u }},
			{"query", func(r *APIGRequest) { u := *r.URL; u.RawQuery += "&z=1"; r.URL = &u }},
			{"query value", func(r *APIGRequest) {
				u := *r.URL
				q := url.Values{"k": {"v"}}
				if u.RawQuery != "" {
					q, _ = url.ParseQuery(u.RawQuery)
					for k := range q {
						q[k][0] = flipByte(rng, q[k][0]+"x")
						break
					}
				}
				u.RawQuery = q.Encode()
				r.URL = &u
			}},
			{"host", func(r *APIGRequest) { r.Host = flipByte(rng, r.Host) }},
			{"signed header", func(r *APIGRequest) {
				r.Header = r.Header.Clone()
				r.Header.Set("X-Extra", flipByte(rng, r.Header.Get("X-Extra")))
			}},
			{"date", func(r *APIGRequest) { r.Header = r.Header.Clone(); r.Header.Set(HeaderSdkDate, "20261129T010204Z") }},
			{"body", func(r *APIGRequest) { r.Body = []byte(flipByte(rng, string(r.Body)+"b")) }},
		} {
			m := *r
			mutate.f(&m)
			var se *SignatureError
			if err := VerifyAPIG("SK", a, &m); !errors.As(err, &se) {
				t.Fatalf("case %d: %s changed, verify = %v", i, mutate.what, err)
			}
		}
	}
}

// flipByte changes one byte of s to another printable byte.
func flipByte(rng *rand.Rand, s string) string {
	b := []byte(s)
	if len(b) == 0 {
		return "x"
	}
	i := rng.IntN(len(b))
	c := b[i]
	for b[i] == c || (b[i] == ' ' && c == '+') || (b[i] == '+' && c == ' ') {
		b[i] = byte(0x21 + rng.IntN(0x5e))
	}
	return string(b)
}
