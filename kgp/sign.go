package kgp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
)

// Scheme names one of the protocol's signing schemes.
type Scheme string

// The signing schemes of the protocol.
const (
	SchemeAuthToken   Scheme = "authtoken"   // 1.0 GET authToken query parameter (§3.2)
	SchemeKitV1       Scheme = "kit-v1"      // 1.0 kit authToken header over body fields (§3.3)
	SchemeBasic       Scheme = "v2"          // 2.0 signature/timestamp/nonce URL parameters (§3.4)
	SchemeKit         Scheme = "kit"         // 2.0 kit x-sign header (§3.5)
	SchemeBodySign    Scheme = "body-sign"   // Body-Sign response header (§3.6)
	SchemeUsage       Scheme = "usage"       // usage-push body signature (§8.5)
	SchemeAPIG        Scheme = "apig"        // APIG SDK-HMAC-SHA256 (§8.2)
	signatureAlgoName        = "HMAC-SHA256" // Body-Sign sign_type
)

// ErrSignatureMissing is returned when a request carries no signature at all.
var ErrSignatureMissing = errors.New("kgp: signature missing")

// SignatureError reports a signature that does not match. It carries what the verifier computed
// so that a merchant can see why; its Error text names only the scheme. Never send the fields to
// the peer or to shared logs: the expected signature would make the verifier a signing oracle,
// and the v2 and kit strings to sign begin with the access key itself.
type SignatureError struct {
	Scheme Scheme
	// StringToSign is the exact text the verifier signed. Where a scheme accepts several
	// readings (raw bytes and the merchant demo's canonical form), it is the first reading.
	StringToSign string
	// CanonicalRequest is, for APIG, the canonical request whose hash StringToSign contains.
	CanonicalRequest string
	// Expected is the signature the verifier computed over StringToSign.
	Expected string
	// Got is the signature that was received.
	Got string
}

func (e *SignatureError) Error() string {
	return fmt.Sprintf("kgp: %s signature does not match", e.Scheme)
}

func hmacSHA256(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}

// equalFold compares two ASCII signatures in constant time, ignoring case (hex signatures are
// emitted uppercase and lowercase by different KooGallery page versions, §3.4).
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var v byte
	for i := 0; i < len(a); i++ {
		v |= lowerASCII(a[i]) ^ lowerASCII(b[i])
	}
	return v == 0
}

// equalExact compares two signatures in constant time.
func equalExact(a, b string) bool {
	return hmac.Equal([]byte(a), []byte(b))
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// AuthTokenMessage is the string signed by the 1.0 GET authToken (§3.2): every parameter except
// authToken, sorted by name, "name=value" joined by "&", with URL-decoded values and only the
// first value of a repeated parameter.
func AuthTokenMessage(params url.Values) string {
	names := make([]string, 0, len(params))
	for name, vs := range params {
		if name != "authToken" && len(vs) > 0 {
			names = append(names, name)
		}
	}
	slices.SortFunc(names, compareUTF16)
	var b strings.Builder
	for i, name := range names {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(params[name][0])
	}
	return b.String()
}

// authTokenOver is Base64(HMAC-SHA256(accessKey + timeStamp, message)), the primitive shared by
// the 1.0 GET and kit v1 schemes.
func authTokenOver(key, timeStamp, message string) string {
	return base64.StdEncoding.EncodeToString(hmacSHA256([]byte(key+timeStamp), []byte(message)))
}

// AuthToken signs 1.0 GET query parameters (§3.2). params must hold timeStamp, which is part of
// the HMAC key (without it the key is the bare access key, which no receiver should accept); an
// authToken parameter, if present, is ignored.
func AuthToken(key string, params url.Values) string {
	return authTokenOver(key, params.Get("timeStamp"), AuthTokenMessage(params))
}

// VerifyAuthToken checks the authToken parameter of a 1.0 GET request. Pass the URL-decoded
// query (url.URL.Query does that); the comparison is exact and constant time. The timestamp
// window is the ReplayGuard's job.
func VerifyAuthToken(key string, params url.Values) error {
	got := params.Get("authToken")
	if got == "" {
		return ErrSignatureMissing
	}
	msg := AuthTokenMessage(params)
	want := authTokenOver(key, params.Get("timeStamp"), msg)
	if !equalExact(got, want) {
		return &SignatureError{Scheme: SchemeAuthToken, StringToSign: msg, Expected: want, Got: got}
	}
	return nil
}

// KitV1Message is the string signed by the kit v1 authToken header (§3.3): the top-level body
// fields sorted by name, "name=value" joined by "&", blank values skipped, numbers and booleans
// as their text. It also returns the body's timeStamp, which is part of the HMAC key.
func KitV1Message(body []byte) (message, timeStamp string, err error) {
	n, err := parseJSON(body)
	if err != nil {
		return "", "", err
	}
	if n.kind != jsonObject {
		return "", "", errNotObject
	}
	var b strings.Builder
	for _, m := range sortedMembers(n.obj) {
		v := m.value
		var text string
		switch v.kind {
		case jsonNull:
			continue
		case jsonArray, jsonObject: // v1 sends nested data as JSON strings; sign the JSON text
			text = string(appendNode(nil, v, false, numbersAsSent))
		default:
			text = v.text
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		if m.key == "timeStamp" {
			timeStamp = text
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(m.key)
		b.WriteByte('=')
		b.WriteString(text)
	}
	return b.String(), timeStamp, nil
}

// KitV1AuthToken signs a kit v1 JSON body (§3.3); the result goes in the authToken header.
func KitV1AuthToken(key string, body []byte) (string, error) {
	msg, ts, err := KitV1Message(body)
	if err != nil {
		return "", err
	}
	return authTokenOver(key, ts, msg), nil
}

// VerifyKitV1AuthToken checks the authToken header of a kit v1 request.
func VerifyKitV1AuthToken(key, authToken string, body []byte) error {
	if authToken == "" {
		return ErrSignatureMissing
	}
	msg, ts, err := KitV1Message(body)
	if err != nil {
		return err
	}
	want := authTokenOver(key, ts, msg)
	if !equalExact(authToken, want) {
		return &SignatureError{Scheme: SchemeKitV1, StringToSign: msg, Expected: want, Got: authToken}
	}
	return nil
}

// BasicStringToSign is the 2.0 canonical request (§3.4):
// accessKey + nonce + timestamp + lowercase hex HMAC-SHA256(accessKey, body).
func BasicStringToSign(key, timestamp, nonce string, body []byte) string {
	return key + nonce + timestamp + hex.EncodeToString(hmacSHA256([]byte(key), body))
}

// SignBasic computes the 2.0 basic-interface signature URL parameter (§3.4), in uppercase hex as
// current KooGallery documentation shows. timestamp is the decimal Unix-millisecond string sent
// beside it. Sign the exact body bytes that will be sent; EncodeBasic produces bodies for which
// the raw-byte and the merchant-demo readings agree.
func SignBasic(key, timestamp, nonce string, body []byte) string {
	return upperHexHMAC(key, BasicStringToSign(key, timestamp, nonce, body))
}

// VerifyBasic checks a 2.0 basic-interface signature, case-insensitively, first over the raw
// body bytes and then over the body as Huawei's merchant demo re-serialises it (§14.1), so
// that requests signed under either reading are accepted.
func VerifyBasic(key, signature, timestamp, nonce string, body []byte) error {
	if signature == "" {
		return ErrSignatureMissing
	}
	sts := BasicStringToSign(key, timestamp, nonce, body)
	want := upperHexHMAC(key, sts)
	if equalFold(signature, want) {
		return nil
	}
	if demo, err := basicDemoForm(body); err == nil {
		if equalFold(signature, upperHexHMAC(key, BasicStringToSign(key, timestamp, nonce, demo))) {
			return nil
		}
	}
	return &SignatureError{Scheme: SchemeBasic, StringToSign: sts, Expected: want, Got: signature}
}

// KitStringToSign is the kit v2 canonical request (§3.5): accessKey + nonce + timestamp + body.
func KitStringToSign(key, timestamp, nonce string, body []byte) string {
	return key + nonce + timestamp + string(body)
}

// SignKit computes the kit v2 x-sign header (§3.5) in uppercase hex, with the access key bound
// to the joint-operation sync interfaces. EncodeKit produces top-level-sorted bodies, for which
// the raw-byte and the merchant-demo readings agree.
func SignKit(kitKey, timestamp, nonce string, body []byte) string {
	return upperHexHMAC(kitKey, KitStringToSign(kitKey, timestamp, nonce, body))
}

// VerifyKit checks an x-sign header case-insensitively over the raw body, then over the body
// as the merchant demo re-serialises it (§14.2).
func VerifyKit(kitKey, signature, timestamp, nonce string, body []byte) error {
	if signature == "" {
		return ErrSignatureMissing
	}
	sts := KitStringToSign(kitKey, timestamp, nonce, body)
	want := upperHexHMAC(kitKey, sts)
	if equalFold(signature, want) {
		return nil
	}
	if demo, err := kitDemoForm(body); err == nil {
		if equalFold(signature, upperHexHMAC(kitKey, KitStringToSign(kitKey, timestamp, nonce, demo))) {
			return nil
		}
	}
	return &SignatureError{Scheme: SchemeKit, StringToSign: sts, Expected: want, Got: signature}
}

func upperHexHMAC(key, data string) string {
	return strings.ToUpper(hex.EncodeToString(hmacSHA256([]byte(key), []byte(data))))
}

// BodySignature is Base64(HMAC-SHA256(accessKey, body)), the signature inside Body-Sign (§3.6).
func BodySignature(key string, body []byte) string {
	return base64.StdEncoding.EncodeToString(hmacSHA256([]byte(key), body))
}

// BodySignHeader is the name of the response-signature header. KooGallery matches it
// case-sensitively (§3.6), so set it with a direct map assignment, not Header.Set.
const BodySignHeader = "Body-Sign"

// BodySign returns the whole Body-Sign header value in the documented form,
// sign_type="HMAC-SHA256", signature= "<base64>" (§3.6).
func BodySign(key string, body []byte) string {
	return `sign_type="` + signatureAlgoName + `", signature= "` + BodySignature(key, body) + `"`
}

// ParseBodySign reads a Body-Sign value tolerantly: parts split on ",", names and values trimmed,
// quotes stripped, so both the documented spaced form and the compact form of public sample
// code parse. It returns the signature; sign_type must be HMAC-SHA256.
func ParseBodySign(header string) (signature string, err error) {
	var signType string
	for part := range strings.SplitSeq(header, ",") {
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return "", fmt.Errorf("kgp: Body-Sign: malformed part %q", strings.TrimSpace(part))
		}
		value = strings.Trim(strings.TrimSpace(value), `"`)
		switch strings.TrimSpace(name) {
		case "sign_type":
			signType = value
		case "signature":
			signature = value
		}
	}
	if signType != signatureAlgoName {
		return "", fmt.Errorf("kgp: Body-Sign: sign_type %q, want %q", signType, signatureAlgoName)
	}
	if signature == "" {
		return "", ErrSignatureMissing
	}
	return signature, nil
}

// VerifyBodySign checks a Body-Sign header value against the exact response body bytes.
func VerifyBodySign(key, header string, body []byte) error {
	if header == "" {
		return ErrSignatureMissing
	}
	got, err := ParseBodySign(header)
	if err != nil {
		return err
	}
	want := BodySignature(key, body)
	if !equalExact(got, want) {
		return &SignatureError{Scheme: SchemeBodySign, StringToSign: string(body), Expected: want, Got: got}
	}
	return nil
}

// UsageStringToSign is the usage-push message (§8.5): "ts={ts}&nonce={nonce}&body={body}".
func UsageStringToSign(ts, nonce string, body []byte) string {
	return "ts=" + ts + "&nonce=" + nonce + "&body=" + string(body)
}

// SignUsage computes the usage-push signature header (§8.5) with the access key bound to the
// basic interfaces. The body is signed in its canonical form (CanonicalJSON: keys sorted at every
// depth, compact), which is what "naturally sorted" means here (§12.6); send CanonicalJSON's
// output as the body and both readings agree.
func SignUsage(key, ts, nonce string, body []byte) (string, error) {
	canon, err := CanonicalJSON(body)
	if err != nil {
		return "", err
	}
	return usageSignature(key, ts, nonce, canon), nil
}

// usageSignature is Base64 HMAC-SHA256 of UsageStringToSign, streamed to avoid copying the
// body (up to 1000 records) into a string.
func usageSignature(key, ts, nonce string, body []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	io.WriteString(m, "ts="+ts+"&nonce="+nonce+"&body=")
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifyUsage checks a usage-push signature over the raw body bytes and, failing that, over the
// canonical body. SignUsage's callers send the canonical body, so the cheap raw reading is
// tried first; a merchant that signs exactly what it sends is accepted too.
func VerifyUsage(key, signature, ts, nonce string, body []byte) error {
	if signature == "" {
		return ErrSignatureMissing
	}
	if equalExact(signature, usageSignature(key, ts, nonce, body)) {
		return nil
	}
	canon, err := CanonicalJSON(body)
	if err != nil {
		return err
	}
	want := usageSignature(key, ts, nonce, canon)
	if equalExact(signature, want) {
		return nil
	}
	return &SignatureError{Scheme: SchemeUsage, StringToSign: UsageStringToSign(ts, nonce, canon), Expected: want, Got: signature}
}
