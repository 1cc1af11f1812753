package kgp

import (
	"crypto/rsa"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fuzz targets for every decoder and verifier. Each checks a property, not only the absence of
// panics: decoders round-trip through their encoders, verifiers accept what the signers made.
// docs/testing.md records how long each ran.

const fuzzKey = "fuzz-access-key"

func FuzzDecodeBasic(f *testing.F) {
	f.Add([]byte(`{"activity":"newInstance","businessId":"b","orderId":"o","orderLineId":"l","testFlag":"1"}`))
	f.Add([]byte(`{"activity":"queryInstance","instanceId":"a,b,c"}`))
	f.Add([]byte(`{"activity":"refreshInstance","expireTime":"20221124023618256","instanceId":"i","orderId":"o","orderLineId":"l","scene":"RENEWAL"}`))
	f.Add([]byte(`{"activity":"changeInstanceCheck","instanceId":"i","productInfo":{"productId":"p","skuCode":"s","linearValue":3}}`))
	f.Add([]byte(`{"activity":"updateInstanceStatus","instanceId":"\u2028","status":"FREEZE"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := DecodeBasic(body)
		if err != nil {
			return
		}
		enc, err := EncodeBasic(r)
		if err != nil {
			t.Fatalf("decoded %#v but cannot encode it: %v", r, err)
		}
		again, err := DecodeBasic(enc)
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("round trip: %#v -> %s -> %#v, %v", r, enc, again, err)
		}
		if _, nested := r.(ChangeInstanceCheck); !nested {
			if demo, err := basicDemoForm(enc); err != nil || string(demo) != string(enc) {
				t.Fatalf("sent body %s differs from the demo's reading %s", enc, demo)
			}
		}
	})
}

func FuzzVerifyBasic(f *testing.F) {
	f.Add([]byte(`{"activity":"newInstance","orderId":"o"}`), "1680508066618", "nonce", "49A1")
	f.Add([]byte(`{ "b" : 1, "a": null }`), "1", "", "")
	f.Fuzz(func(t *testing.T, body []byte, ts, nonce, sig string) {
		good := SignBasic(fuzzKey, ts, nonce, body)
		if err := VerifyBasic(fuzzKey, good, ts, nonce, body); err != nil {
			t.Fatalf("own signature rejected: %v", err)
		}
		if err := VerifyBasic(fuzzKey, strings.ToLower(good), ts, nonce, body); err != nil {
			t.Fatalf("lowercase signature rejected: %v", err)
		}
		if VerifyBasic(fuzzKey, sig, ts, nonce, body) == nil && !strings.EqualFold(sig, good) {
			demo, err := basicDemoForm(body)
			if err != nil || !strings.EqualFold(sig, SignBasic(fuzzKey, ts, nonce, demo)) {
				t.Fatalf("foreign signature %q accepted", sig)
			}
		}
	})
}

func FuzzVerifyKit(f *testing.F) {
	f.Add([]byte(`{"tenantId":"t","flag":1,"z":{"b":1.50,"a":[1e2]}}`), "1680508066618", "n", "")
	f.Fuzz(func(t *testing.T, body []byte, ts, nonce, sig string) {
		good := SignKit(fuzzKey, ts, nonce, body)
		if err := VerifyKit(fuzzKey, good, ts, nonce, body); err != nil {
			t.Fatalf("own signature rejected: %v", err)
		}
		if demo, err := kitDemoForm(body); err == nil {
			if err := VerifyKit(fuzzKey, SignKit(fuzzKey, ts, nonce, demo), ts, nonce, body); err != nil {
				t.Fatalf("demo-form signature rejected: %v", err)
			}
			if again, err := kitDemoForm(demo); err != nil || string(again) != string(demo) {
				t.Fatalf("demo form not stable: %s -> %s, %v", demo, again, err)
			}
		}
		if VerifyKit(fuzzKey, sig, ts, nonce, body) == nil && !strings.EqualFold(sig, good) {
			demo, _ := kitDemoForm(body)
			if !strings.EqualFold(sig, SignKit(fuzzKey, ts, nonce, demo)) {
				t.Fatalf("foreign signature %q accepted", sig)
			}
		}
	})
}

func FuzzVerifyAuthToken(f *testing.F) {
	f.Add("activity=newInstance&orderId=o&timeStamp=20200727073711903", "")
	f.Add("a=1&a=2&authToken=x&%E4%B8%AD=%2B", "o3Ow")
	f.Fuzz(func(t *testing.T, query, token string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		q.Set("authToken", AuthToken(fuzzKey, q))
		if err := VerifyAuthToken(fuzzKey, q); err != nil {
			t.Fatalf("own token rejected: %v", err)
		}
		good := q.Get("authToken")
		q.Set("authToken", token)
		if VerifyAuthToken(fuzzKey, q) == nil && token != good {
			t.Fatalf("foreign token %q accepted", token)
		}
	})
}

func FuzzVerifyKitV1AuthToken(f *testing.F) {
	f.Add([]byte(`{"instanceId":"i","userList":"[]","flag":1,"timeStamp":"20220420114117642","appId":" "}`), "")
	f.Fuzz(func(t *testing.T, body []byte, token string) {
		good, err := KitV1AuthToken(fuzzKey, body)
		if err != nil {
			return
		}
		if err := VerifyKitV1AuthToken(fuzzKey, good, body); err != nil {
			t.Fatalf("own token rejected: %v", err)
		}
		if VerifyKitV1AuthToken(fuzzKey, token, body) == nil && token != good {
			t.Fatalf("foreign token %q accepted", token)
		}
	})
}

func FuzzBodySign(f *testing.F) {
	f.Add([]byte(`{"resultCode":"000000"}`), `sign_type="HMAC-SHA256", signature= "njQukAs+r2g5eWv80gpE5GMGNsly/Mx6XB8+IoHWEco="`)
	f.Add([]byte(``), `signature="",sign_type=HMAC-SHA256`)
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		if err := VerifyBodySign(fuzzKey, BodySign(fuzzKey, body), body); err != nil {
			t.Fatalf("own Body-Sign rejected: %v", err)
		}
		sig, err := ParseBodySign(header)
		if err == nil && sig == "" {
			t.Fatal("parsed an empty signature")
		}
		if VerifyBodySign(fuzzKey, header, body) == nil && sig != BodySignature(fuzzKey, body) {
			t.Fatalf("foreign header %q accepted", header)
		}
	})
}

func FuzzVerifyUsage(f *testing.F) {
	f.Add([]byte(`{"usage_records":[{"instance_id":"i","usage_value":"99"}]}`), "1709690865879", "n", "")
	f.Fuzz(func(t *testing.T, body []byte, ts, nonce, sig string) {
		good, err := SignUsage(fuzzKey, ts, nonce, body)
		if err != nil {
			return
		}
		if err := VerifyUsage(fuzzKey, good, ts, nonce, body); err != nil {
			t.Fatalf("own signature rejected: %v", err)
		}
		canon, _ := CanonicalJSON(body)
		if again, _ := SignUsage(fuzzKey, ts, nonce, canon); again != good {
			t.Fatal("canonical body signs differently from the original")
		}
		raw := BodySignature(fuzzKey, []byte(UsageStringToSign(ts, nonce, body)))
		if VerifyUsage(fuzzKey, sig, ts, nonce, body) == nil && sig != good && sig != raw {
			t.Fatalf("foreign signature %q accepted", sig)
		}
	})
}

func FuzzCanonicalJSON(f *testing.F) {
	f.Add([]byte(`{"b":[{"z":1,"a":"x"}],"a":{"y":null,"c":1.50e0}}`))
	f.Add([]byte(`"\ud83d\ude00\u2028"`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := CanonicalJSON(body)
		if err != nil {
			if json.Valid(body) {
				t.Fatalf("valid JSON rejected: %v", err)
			}
			return
		}
		if !json.Valid(c) {
			t.Fatalf("canonical form is not JSON: %s", c)
		}
		again, err := CanonicalJSON(c)
		if err != nil || string(again) != string(c) {
			t.Fatalf("not idempotent: %s -> %s", c, again)
		}
	})
}

func FuzzDecodeLegacy(f *testing.F) {
	f.Add("activity=newInstance&customerId=c&businessId=b&orderId=o&skuCode=s&productId=p&amount=3&saasExtendParams=W3sibmFtZSI6ImEiLCJ2YWx1ZSI6ImIifV0%3D")
	f.Add("activity=refreshInstance&instanceId=i&orderId=o&expireTime=20180725000000&orderAmount=-1.5")
	f.Add("activity=instanceStatus&instanceId=i&instanceStatus=FREEZE")
	f.Fuzz(func(t *testing.T, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		r, err := DecodeLegacy(q)
		if err != nil {
			return
		}
		enc, err := EncodeLegacy(r, fuzzKey, time.Unix(1e9, 0))
		if err != nil {
			t.Fatalf("decoded %#v but cannot encode it: %v", r, err)
		}
		q2, err := url.ParseQuery(enc)
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyAuthToken(fuzzKey, q2); err != nil {
			t.Fatalf("encoded query fails its own authToken: %v", err)
		}
		again, err := DecodeLegacy(q2)
		if err != nil || !reflect.DeepEqual(normalizeLegacy(again), normalizeLegacy(r)) {
			t.Fatalf("round trip: %#v -> %s -> %#v, %v", r, enc, again, err)
		}
	})
}

// normalizeLegacy maps an empty saasExtendParams list to nil: "W10=" decodes to an empty list,
// which is omitted when encoded.
func normalizeLegacy(r LegacyRequest) LegacyRequest {
	switch v := r.(type) {
	case LegacyNewInstance:
		if len(v.SaasExtendParams) == 0 {
			v.SaasExtendParams = nil
		}
		return v
	case LegacyUpgrade:
		if len(v.SaasExtendParams) == 0 {
			v.SaasExtendParams = nil
		}
		return v
	}
	return r
}

func FuzzDecodeKit(f *testing.F) {
	f.Add(KitAuthSync, true, []byte(`{"tenantId":"t","appId":"a","currentSyncTime":"1","flag":1,"testFlag":0,"timeStamp":"1","userList":[{"userName":"u","name":"n","orgCode":"o","role":"user","enable":"true","employeeType":2}]}`))
	f.Add(KitAuthSync, false, []byte(`{"tenantId":"t","appId":"a","currentSyncTime":"1","flag":1,"testFlag":0,"timeStamp":"1","userList":"[{\"userName\":\"u\",\"name\":\"n\",\"orgCode\":\"o\",\"role\":\"admin\",\"enable\":\"true\",\"extension\":{\"employeeType\":\"4\"}}]"}`))
	f.Add(KitAllOrgSync, true, []byte(`{"tenantId":"t","testFlag":0,"timeStamp":"1","orgInfoList":"[{\"orgCode\":\"1\",\"orgName\":\"n\"}]"}`))
	f.Add(KitAllOrgSync, false, []byte(`{"tenantId":"t","testFlag":0,"timeStamp":"1","orgInfo":"[{\"orgCode\":\"1\",\"name\":\"n\"}]"}`))
	f.Add(KitTenantSync, true, []byte(`{"tenantId":"t","tenantCode":"c","name":"n","domainName":"d","flag":0,"testFlag":0,"timeStamp":"1"}`))
	f.Add(KitApplicationSync, true, []byte(`{"tenantId":"t","appId":"a","clientId":"c","clientSecret":"s","flag":2,"testFlag":1,"timeStamp":"1"}`))
	f.Add(KitSingleOrgSync, false, []byte(`{"tenantId":"t","orgCode":"o","orgName":"n","flag":1,"testFlag":0,"timeStamp":"1"}`))
	f.Fuzz(func(t *testing.T, name string, v2 bool, body []byte) {
		gen := Gen1
		if v2 {
			gen = Gen2
		}
		r, err := DecodeKit(name, gen, body)
		if err != nil {
			return
		}
		enc, err := EncodeKit(r, gen)
		if err != nil {
			t.Fatalf("decoded %#v but cannot encode it: %v", r, err)
		}
		again, err := DecodeKit(name, gen, enc)
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("round trip: %#v -> %s -> %#v, %v", r, enc, again, err)
		}
	})
}

func FuzzDecodeResponse(f *testing.F) {
	f.Add([]byte(`{"resultCode":"000000","resultMsg":"success.","instanceId":null}`))
	f.Add([]byte(`{"resultCode":"000000","encryptType":"1","info":[{"instanceId":"i","appInfo":{"frontEndUrl":"u","memo":"\u4e2d"},"usageInfo":[{"usageValue":1.5,"statisticalTime":"20220101000000000"}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := DecodeResponse(body)
		if err != nil {
			return
		}
		enc, err := EncodeResponse(r)
		if err != nil {
			return // a decoded answer may break a length rule; the encoder must refuse it
		}
		again, err := DecodeResponse(enc)
		if err != nil {
			t.Fatalf("cannot decode own encoding %s: %v", enc, err)
		}
		if enc2, err := EncodeResponse(again); err != nil || string(enc2) != string(enc) {
			t.Fatalf("round trip: %s -> %s, %v", enc, enc2, err)
		}
	})
}

func FuzzUsagePush(f *testing.F) {
	f.Add([]byte(`{"usage_records":[{"instance_id":"i","record_time":"20220809T091000Z","begin_time":"20220809T080000Z","end_time":"20220809T090000Z","usage_value":"99.5","metering_sn":"sn"}]}`), false)
	f.Add([]byte(`{"usage_records":[{"instance_id":"i","product_id":"p","record_time":"20220809T091000Z","begin_time":"20220809T080000Z","end_time":"20220809T090000Z","usage_value":1.25}]}`), true)
	f.Fuzz(func(t *testing.T, body []byte, old bool) {
		p, err := DecodeUsagePush(body)
		if err != nil {
			return
		}
		if len(p.UsageRecords) > MaxUsageRecords {
			t.Fatal("more than 1000 records decoded")
		}
		for _, r := range p.UsageRecords {
			v, err := r.Check(old)
			if err != nil {
				continue
			}
			if v <= 0 {
				t.Fatalf("accepted usage value %d", v)
			}
			b, _ := ParseSdkDate(r.BeginTime)
			e, _ := ParseSdkDate(r.EndTime)
			if !e.After(b) {
				t.Fatalf("accepted window %s..%s", r.BeginTime, r.EndTime)
			}
		}
	})
}

func FuzzDecimal(f *testing.F) {
	for _, s := range []string{"0", "12.5", "-0.0001", "922337203685477.5807", "1e3", ".5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Decimal(s).Scaled(UsageScale)
		if err != nil {
			return
		}
		want, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("%q accepted but is not a number", s)
		}
		if got := new(big.Rat).SetFrac64(v, 10000); got.Cmp(want) != 0 {
			t.Fatalf("%q scaled to %d", s, v)
		}
	})
}

func FuzzLicenseRequest(f *testing.F) {
	f.Add([]byte(`{"license":"PLXXXXXX","heartbeatInfo":{"thirdPartyAccount":"a","ip":"192.168.1.51"}}`))
	f.Add([]byte(`{"licenses":[{"license":"a"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if r, err := DecodeLicenseRequest(body); err == nil {
			if r.License == "" || len(r.License) > 4*64 || r.HeartbeatInfo != nil && r.HeartbeatInfo.ThirdPartyAccount == "" {
				t.Fatalf("accepted %+v", r)
			}
		}
		if b, err := DecodeLicenseBatch(body); err == nil {
			if len(b.Licenses) == 0 || len(b.Licenses) > MaxLicenseBatch {
				t.Fatalf("accepted a batch of %d", len(b.Licenses))
			}
		}
	})
}

func FuzzAPIG(f *testing.F) {
	f.Add("POST", "/v1/market/orders/ord 1/callback", "b=2&a=x%20y&a=", "proj123", []byte(`{"a":1}`), "SDK-HMAC-SHA256 Access=a, SignedHeaders=x-sdk-date, Signature=00")
	f.Fuzz(func(t *testing.T, method, path, rawQuery, header string, body []byte, authz string) {
		if strings.ContainsAny(header, "\r\n\x00") {
			return
		}
		r := &APIGRequest{Method: method, URL: &url.URL{Path: path, RawQuery: rawQuery}, Host: "mkt.example", Header: http.Header{}, Body: body}
		r.Header.Set(HeaderSdkDate, "20261129T010203Z")
		r.Header.Set("X-Extra", header)
		signed, err := SignAPIG("AK", "SK", r, "host", "x-extra")
		if err != nil {
			t.Fatal(err)
		}
		a, err := ParseAPIGAuthorization(signed)
		if err != nil {
			t.Fatalf("own header %q unparsable: %v", signed, err)
		}
		if err := VerifyAPIG("SK", a, r); err != nil {
			t.Fatalf("own signature rejected: %v", err)
		}
		if p, err := ParseAPIGAuthorization(authz); err == nil {
			if again, err := ParseAPIGAuthorization(p.String()); err != nil || !reflect.DeepEqual(again, p) {
				t.Fatalf("Authorization %q does not re-parse: %v", p.String(), err)
			}
			if VerifyAPIG("SK", p, r) == nil && p.Signature != a.Signature {
				// Another header set may sign the same request; it must then verify by itself.
				cr := APIGCanonicalRequest(r, sortedCopy(p.SignedHeaders))
				if apigSignature("SK", APIGStringToSign("20261129T010203Z", cr)) != p.Signature &&
					apigSignature("SK", APIGStringToSign("20261129T010203Z", apigCanonicalRequest(r, sortedCopy(p.SignedHeaders), true))) != p.Signature {
					t.Fatalf("foreign Authorization %q accepted", authz)
				}
			}
		}
	})
}

func sortedCopy(s []string) []string { return slices.Sorted(slices.Values(s)) }

func FuzzDecryptCredential(f *testing.F) {
	f.Add("0123456789abcdeft1kgY3d9sCM0azHpJlAm0O+dZoNryNMXCfEQUqu54rU=", "admin@example.com", true)
	f.Add("0123456789abcdef", "", false)
	f.Fuzz(func(t *testing.T, value, plaintext string, aes256 bool) {
		typ := EncryptAES128
		if aes256 {
			typ = EncryptAES256
		}
		_, _ = DecryptCredential(vectorKey, typ, value) // must not panic
		enc, err := EncryptCredential(vectorKey, typ, plaintext)
		if err != nil {
			if len(plaintext) < 80 {
				t.Fatalf("short plaintext refused: %v", err)
			}
			return
		}
		if got, err := DecryptCredential(vectorKey, typ, enc); err != nil || got != plaintext {
			t.Fatalf("round trip %q -> %q -> %q, %v", plaintext, enc, got, err)
		}
	})
}

func FuzzParseTimes(f *testing.F) {
	for _, s := range []string{"20220413013539534", "20220413013539", "20220413T013539Z", "1649813739534", "1649813739"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := ParseTimeStamp(s); err == nil && FormatTimeStamp(v) != s {
			t.Fatalf("ParseTimeStamp(%q) formats back as %q", s, FormatTimeStamp(v))
		}
		if v, err := ParseKitTimeStamp(s); err == nil && FormatKitTimeStamp(v) != s {
			t.Fatalf("ParseKitTimeStamp(%q) formats back as %q", s, FormatKitTimeStamp(v))
		}
		if v, err := ParseExpireTime(s); err == nil && len(s) == 14 && FormatExpireTime(v) != s {
			t.Fatalf("ParseExpireTime(%q) formats back as %q", s, FormatExpireTime(v))
		}
		if v, err := ParseSdkDate(s); err == nil && FormatSdkDate(v) != s {
			t.Fatalf("ParseSdkDate(%q) formats back as %q", s, FormatSdkDate(v))
		}
		if v, err := ParseEpochMillis(s); err == nil && len(s) > 10 && strings.TrimLeft(s, "0") != strings.TrimLeft(FormatEpochMillis(v), "0") {
			t.Fatalf("ParseEpochMillis(%q) formats back as %q", s, FormatEpochMillis(v))
		}
	})
}

func FuzzDecryptClientSecret(f *testing.F) {
	f.Add("y+NT20RBQgMwfI8UPTzy9rtNz8jOfA4FbGnvXL+mjCaqwVOq1")
	f.Add("")
	f.Fuzz(func(t *testing.T, value string) {
		_, _ = DecryptClientSecret(javaRSAKey(), value) // must not panic; OAEP failures are errors
	})
}

// javaRSAKey is the private key of the JDK-made OAEP vector, parsed once.
var javaRSAKey = sync.OnceValue(func() *rsa.PrivateKey {
	b, err := os.ReadFile("testdata/oaep-java17.txt")
	if err != nil {
		panic(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "private="); ok {
			k, err := ParseRSAPrivateKey(v)
			if err != nil {
				panic(err)
			}
			return k
		}
	}
	panic("no private key in testdata/oaep-java17.txt")
})
