package kgp

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// APIG SDK-HMAC-SHA256 (§8.2): how a merchant authenticates to KooGallery's open API with a
// Huawei Cloud AK/SK. Reproduces huaweicloud-sdk-go-v3's core/auth/signer byte for byte.

// APIGAlgorithm is the algorithm name at the start of the Authorization header.
const APIGAlgorithm = "SDK-HMAC-SHA256"

// Header names used by APIG signing.
const (
	HeaderSdkDate          = "X-Sdk-Date"
	HeaderSdkContentSHA256 = "X-Sdk-Content-Sha256"
	// UnsignedPayload in X-Sdk-Content-Sha256 leaves the body out of the signature.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
)

// APIGRequest is the part of an HTTP request that APIG signs.
type APIGRequest struct {
	Method string
	// URL holds the path (decoded, as url.URL.Path) and the raw query as sent.
	URL *url.URL
	// Host is the Host header value, hostname[:port]; it is used when "host" is signed and
	// Header has no Host entry (net/http moves Host out of the header map).
	Host   string
	Header http.Header
	Body   []byte
}

// APIGAuthorization is a parsed Authorization header.
type APIGAuthorization struct {
	Access        string
	SignedHeaders []string // lowercase, as listed
	Signature     string
}

// String formats the Authorization header value.
func (a APIGAuthorization) String() string {
	return APIGAlgorithm + " Access=" + a.Access + ", SignedHeaders=" + strings.Join(a.SignedHeaders, ";") + ", Signature=" + a.Signature
}

// ParseAPIGAuthorization parses "SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex".
func ParseAPIGAuthorization(h string) (APIGAuthorization, error) {
	var a APIGAuthorization
	rest, ok := strings.CutPrefix(h, APIGAlgorithm+" ")
	if !ok {
		return a, fmt.Errorf("kgp: Authorization does not start with %s", APIGAlgorithm)
	}
	for part := range strings.SplitSeq(rest, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, fmt.Errorf("kgp: Authorization: malformed part %q", part)
		}
		switch name {
		case "Access":
			a.Access = value
		case "SignedHeaders":
			for _, s := range strings.Split(value, ";") {
				if s != "" {
					a.SignedHeaders = append(a.SignedHeaders, strings.ToLower(s))
				}
			}
		case "Signature":
			a.Signature = value
		}
	}
	if a.Access == "" || a.Signature == "" || len(a.SignedHeaders) == 0 {
		return a, errors.New("kgp: Authorization lacks Access, SignedHeaders or Signature")
	}
	if !slices.Contains(a.SignedHeaders, "x-sdk-date") {
		return a, errors.New("kgp: Authorization: x-sdk-date is not signed")
	}
	return a, nil
}

// apigEscape percent-encodes everything but RFC 3986 unreserved characters, uppercase hex.
func apigEscape(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&0xF])
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// apigCanonicalURI escapes each path segment and always ends with "/".
func apigCanonicalURI(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = apigEscape(s)
	}
	p := strings.Join(segs, "/")
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// apigCanonicalQuery sorts keys, then each key's values, as "k=v" escaped and joined by "&".
// lowerKeys gives the form older clients sign (§12.19).
func apigCanonicalQuery(rawQuery string, lowerKeys bool) string {
	q, _ := url.ParseQuery(rawQuery)
	if lowerKeys {
		lq := make(url.Values, len(q))
		for k, vs := range q {
			lk := strings.ToLower(k)
			lq[lk] = append(lq[lk], vs...)
		}
		q = lq
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		vs := slices.Clone(q[k])
		slices.Sort(vs)
		for _, v := range vs {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(apigEscape(k))
			b.WriteByte('=')
			b.WriteString(apigEscape(v))
		}
	}
	return b.String()
}

// apigCanonicalHeaders writes "name:trimmed-value\n" for each signed header (sorted, lowercase),
// one line per value with the values sorted.
func apigCanonicalHeaders(r *APIGRequest, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		values := r.Header.Values(name)
		if name == "host" && len(values) == 0 && r.Host != "" {
			values = []string{r.Host}
		}
		values = slices.Clone(values)
		slices.Sort(values)
		for _, v := range values {
			b.WriteString(name)
			b.WriteByte(':')
			b.WriteString(strings.TrimSpace(v))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func apigBodyHash(r *APIGRequest) string {
	if r.Header.Get(HeaderSdkContentSHA256) == UnsignedPayload {
		return UnsignedPayload
	}
	h := sha256.Sum256(r.Body)
	return hex.EncodeToString(h[:])
}

// APIGCanonicalRequest builds the canonical request of §8.2 for the given signed headers
// (lowercase, sorted).
func APIGCanonicalRequest(r *APIGRequest, signed []string) string {
	return apigCanonicalRequest(r, signed, false)
}

func apigCanonicalRequest(r *APIGRequest, signed []string, lowerQueryKeys bool) string {
	return strings.Join([]string{
		r.Method,
		apigCanonicalURI(r.URL.Path),
		apigCanonicalQuery(r.URL.RawQuery, lowerQueryKeys),
		apigCanonicalHeaders(r, signed),
		strings.Join(signed, ";"),
		apigBodyHash(r),
	}, "\n")
}

// APIGStringToSign is "SDK-HMAC-SHA256\n" + X-Sdk-Date + "\n" + hex(SHA256(canonicalRequest)).
func APIGStringToSign(sdkDate, canonicalRequest string) string {
	h := sha256.Sum256([]byte(canonicalRequest))
	return APIGAlgorithm + "\n" + sdkDate + "\n" + hex.EncodeToString(h[:])
}

func apigSignature(sk, stringToSign string) string {
	return hex.EncodeToString(hmacSHA256([]byte(sk), []byte(stringToSign)))
}

// SignAPIG signs r with the AK/SK and returns the Authorization header value. r.Header must hold
// X-Sdk-Date (FormatSdkDate). The signed headers are those named in signed plus x-sdk-date, as
// Huawei's signer does for the headers it is given; name "host" to sign r.Host.
func SignAPIG(ak, sk string, r *APIGRequest, signed ...string) (string, error) {
	date := r.Header.Get(HeaderSdkDate)
	if date == "" {
		return "", errors.New("kgp: APIG request has no X-Sdk-Date header")
	}
	names := []string{"x-sdk-date"}
	for _, s := range signed {
		names = append(names, strings.ToLower(s))
	}
	slices.Sort(names)
	names = slices.Compact(names)
	sts := APIGStringToSign(date, APIGCanonicalRequest(r, names))
	return APIGAuthorization{Access: ak, SignedHeaders: names, Signature: apigSignature(sk, sts)}.String(), nil
}

// VerifyAPIG checks r against a parsed Authorization header with the secret key of auth.Access.
// It rebuilds the canonical request from the headers listed in SignedHeaders, first with query
// keys as sent and then with lower-cased keys (older clients, §12.19), and compares in constant
// time. Check the date window separately with CheckSdkDate.
func VerifyAPIG(sk string, auth APIGAuthorization, r *APIGRequest) error {
	date := r.Header.Get(HeaderSdkDate)
	if date == "" {
		return errors.New("kgp: APIG request has no X-Sdk-Date header")
	}
	signed := slices.Clone(auth.SignedHeaders)
	slices.Sort(signed)
	cr := apigCanonicalRequest(r, signed, false)
	sts := APIGStringToSign(date, cr)
	want := apigSignature(sk, sts)
	if equalExact(auth.Signature, want) {
		return nil
	}
	if lower := apigCanonicalRequest(r, signed, true); lower != cr {
		if equalExact(auth.Signature, apigSignature(sk, APIGStringToSign(date, lower))) {
			return nil
		}
	}
	return &SignatureError{Scheme: SchemeAPIG, StringToSign: sts, CanonicalRequest: cr, Expected: want, Got: auth.Signature}
}

// CheckSdkDate returns an error when an X-Sdk-Date value is malformed or further than window
// from now. Huawei's API gateway allows 15 minutes.
func CheckSdkDate(value string, now time.Time, window time.Duration) error {
	t, err := ParseSdkDate(value)
	if err != nil {
		return err
	}
	if d := now.Sub(t); d > window || d < -window {
		return fmt.Errorf("kgp: X-Sdk-Date %s is %s away from now, the window is %s", value, d.Round(time.Second), window)
	}
	return nil
}
