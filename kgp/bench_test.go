package kgp

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"net/url"
	"testing"
)

// Verification benchmarks, one per scheme, beside BenchmarkHMACBaseline: one bare HMAC-SHA256
// over the same 300-byte body, the floor every scheme builds on. docs/benchmarks.md has figures.

var benchBody = []byte(`{"activity":"newInstance","businessId":"87b94795-0603-4e24-8ae5-69420d60e3c8","orderId":"CS2211181819B4LVS","orderLineId":"CS2211181819B4LVS-000001","testFlag":"1","extra":"padding to make the body about three hundred bytes long, like a real call with several IDs in it........"}`)

const benchTS, benchNonce = "1680508066618", "50D83FDECAED6CCD8EF597F2A577950527928BA287D04E6036E92B2806FD17DA"

func BenchmarkHMACBaseline(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		m := hmac.New(sha256.New, []byte(vectorKey))
		m.Write(benchBody)
		m.Sum(nil)
	}
}

func BenchmarkVerifyBasic(b *testing.B) {
	sig := SignBasic(vectorKey, benchTS, benchNonce, benchBody)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		if err := VerifyBasic(vectorKey, sig, benchTS, benchNonce, benchBody); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyBasicDemoForm measures the slow path: a signature over the demo's reading
// of an unsorted body, found only after the raw-byte reading failed.
func BenchmarkVerifyBasicDemoForm(b *testing.B) {
	body := []byte(`{"testFlag":"1","orderLineId":"CS2211181819B4LVS-000001","orderId":"CS2211181819B4LVS","businessId":"87b94795-0603-4e24-8ae5-69420d60e3c8","activity":"newInstance"}`)
	demo, _ := basicDemoForm(body)
	sig := SignBasic(vectorKey, benchTS, benchNonce, demo)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := VerifyBasic(vectorKey, sig, benchTS, benchNonce, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyKit(b *testing.B) {
	sig := SignKit(vectorKey, benchTS, benchNonce, benchBody)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		if err := VerifyKit(vectorKey, sig, benchTS, benchNonce, benchBody); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyAuthToken(b *testing.B) {
	q, _ := url.ParseQuery("activity=newInstance&businessId=61e834ba-7b97-4418-b8f7-e5345137278c&customerId=68cbc86abc2018ab880d92f36422fa0e&expireTime=20200727153156&orderId=CS1906666666ABCDE&productId=00301-666666-0--0&testFlag=1&timeStamp=20200727073711903")
	q.Set("authToken", AuthToken(vectorKey, q))
	b.ReportAllocs()
	for b.Loop() {
		if err := VerifyAuthToken(vectorKey, q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyKitV1AuthToken(b *testing.B) {
	body := []byte(`{"instanceId":"i-1","tenantId":"t","appId":"a","userList":"[{\"userName\":\"zhangsan01\"}]","flag":1,"testFlag":0,"timeStamp":"20220420114117642"}`)
	tok, _ := KitV1AuthToken(vectorKey, body)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := VerifyKitV1AuthToken(vectorKey, tok, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyBodySign(b *testing.B) {
	h := BodySign(vectorKey, benchBody)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		if err := VerifyBodySign(vectorKey, h, benchBody); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyUsage verifies a 1000-record push, the largest allowed; bytes/s is the figure.
func BenchmarkVerifyUsage(b *testing.B) {
	body := usageBody(1000)
	sig, _ := SignUsage(vectorKey, benchTS, benchNonce, body)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := VerifyUsage(vectorKey, sig, benchTS, benchNonce, body); err != nil {
			b.Fatal(err)
		}
	}
}

func usageBody(n int) []byte {
	b := []byte(`{"usage_records":[`)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"begin_time":"20220809T080000Z","end_time":"20220809T090000Z","instance_id":"7f141bf1-aec8-4859-8323-fb3a8ad50721","metering_sn":"a8f5f167f44f4964e6c998dee8271`...)
		b = append(b, byte('0'+i/100%10), byte('0'+i/10%10), byte('0'+i%10))
		b = append(b, `","record_time":"20220809T091000Z","usage_value":"99.5"}`...)
	}
	return append(b, "]}"...)
}

func BenchmarkVerifyAPIG(b *testing.B) {
	u, _ := url.Parse("https://mkt.myhuaweicloud.com/api/mkp-openapi-public/global/v1/order/query?orderId=CS2207261447AUY4H&orderLineId=CS2207261447AUY4H-000001")
	r := &APIGRequest{Method: "GET", URL: u, Host: u.Host, Header: http.Header{}}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(HeaderSdkDate, "20240317T144237Z")
	authz, _ := SignAPIG("AK", "SK", r, "content-type", "host")
	a, _ := ParseAPIGAuthorization(authz)
	b.ReportAllocs()
	for b.Loop() {
		if err := VerifyAPIG("SK", a, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecryptCredential(b *testing.B) {
	v, _ := EncryptCredential(vectorKey, EncryptAES256, "admin@example.com")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecryptCredential(vectorKey, EncryptAES256, v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeBasic(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		if _, err := DecodeBasic(benchBody); err != nil {
			b.Fatal(err)
		}
	}
}
