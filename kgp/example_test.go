package kgp_test

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

const key = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"

// KooGallery's side of a 2.0 call: encode the body, sign it, put the signature in the URL.
func ExampleSignBasic() {
	body, _ := kgp.EncodeBasic(kgp.NewInstance{
		BusinessID:  "87b94795-0603-4e24-8ae5-69420d60e3c8",
		OrderID:     "CS2211181819B4LVS",
		OrderLineID: "CS2211181819B4LVS-000001",
		TestFlag:    kgp.TestFlagDebug,
	})
	ts, nonce := "1680508066618", "50D83FDECAED6CCD8EF597F2A577950527928BA287D04E6036E92B2806FD17DA"
	q := url.Values{"signature": {kgp.SignBasic(key, ts, nonce, body)}, "timestamp": {ts}, "nonce": {nonce}}
	fmt.Println(string(body))
	fmt.Println(q.Get("signature"))
	// Output:
	// {"activity":"newInstance","businessId":"87b94795-0603-4e24-8ae5-69420d60e3c8","orderId":"CS2211181819B4LVS","orderLineId":"CS2211181819B4LVS-000001","testFlag":"1"}
	// 49A14819F70004B77AF256D96EB0B6702ED9A31E77F207F68F03C9D4A9D4623D
}

// The merchant's side: check the clock and the nonce, verify, then decode.
func ExampleVerifyBasic() {
	body := []byte(`{"activity":"newInstance","businessId":"87b94795-0603-4e24-8ae5-69420d60e3c8","orderId":"CS2211181819B4LVS","orderLineId":"CS2211181819B4LVS-000001","testFlag":"1"}`)
	sig, ts, nonce := "49a14819f70004b77af256d96eb0b6702ed9a31e77f207f68f03c9d4a9d4623d", "1680508066618", "50D83FDECAED6CCD8EF597F2A577950527928BA287D04E6036E92B2806FD17DA"

	at, _ := kgp.ParseEpochMillis(ts)
	guard := &kgp.ReplayGuard{
		Nonces: kgp.NewMemoryNonceCache(2*kgp.DefaultWindow, nil),
		Now:    func() time.Time { return at.Add(3 * time.Second) }, // a real guard uses the clock
	}
	if err := guard.Check(at, nonce); err != nil {
		fmt.Println(kgp.ResultAuthFailed, err)
		return
	}
	if err := kgp.VerifyBasic(key, sig, ts, nonce, body); err != nil {
		fmt.Println(kgp.ResultAuthFailed, err)
		return
	}
	req, err := kgp.DecodeBasic(body)
	if err != nil {
		fmt.Println(kgp.ResultInvalidParam, err)
		return
	}
	n := req.(kgp.NewInstance)
	fmt.Println(req.Activity(), n.OrderID, n.OrderLineID)
	// A replay of the same request is refused.
	fmt.Println(guard.Check(at, nonce))
	// Output:
	// newInstance CS2211181819B4LVS CS2211181819B4LVS-000001
	// kgp: nonce already used
}

// A 1.0 merchant answers with a Body-Sign header, which KooGallery matches case-sensitively.
func ExampleBodySign() {
	body, _ := kgp.EncodeResponse(&kgp.Response{ResultCode: kgp.ResultSuccess, ResultMsg: "success"})
	h := http.Header{}
	h[kgp.BodySignHeader] = []string{kgp.BodySign(key, body)} // not h.Set: that would canonicalise
	fmt.Println(h[kgp.BodySignHeader][0])
	fmt.Println(kgp.VerifyBodySign(key, `sign_type="HMAC-SHA256",signature="njQukAs+r2g5eWv80gpE5GMGNsly/Mx6XB8+IoHWEco="`, body))
	// Output:
	// sign_type="HMAC-SHA256", signature= "njQukAs+r2g5eWv80gpE5GMGNsly/Mx6XB8+IoHWEco="
	// <nil>
}

// A 1.0 GET call: every value percent-encoded, authToken over the decoded values.
func ExampleEncodeLegacy() {
	qs, _ := kgp.EncodeLegacy(kgp.LegacyReleaseInstance{InstanceID: "i-1", OrderID: "CS1"}, key,
		time.Date(2020, 7, 27, 7, 37, 11, 903e6, time.UTC))
	fmt.Println(qs)
	q, _ := url.ParseQuery(qs)
	fmt.Println(kgp.VerifyAuthToken(key, q))
	// Output:
	// activity=releaseInstance&authToken=ckI6i%2B0ev3S%2FYWLB3kG%2FCRarwen21396OTpnqV9jGM4%3D&instanceId=i-1&orderId=CS1&timeStamp=20200727073711903
	// <nil>
}

// Encrypting appInfo credentials; KooGallery decrypts with the same access key.
func ExampleEncryptCredentialIV() {
	v, _ := kgp.EncryptCredentialIV(key, kgp.EncryptAES256, "0123456789abcdef", "admin@example.com")
	fmt.Println(v)
	pt, _ := kgp.DecryptCredential(key, kgp.EncryptAES256, v)
	fmt.Println(pt)
	// Output:
	// 0123456789abcdeft1kgY3d9sCM0azHpJlAm0O+dZoNryNMXCfEQUqu54rU=
	// admin@example.com
}

// Signing a usage push: the canonical body is both what is sent and what is signed.
func ExampleSignUsage() {
	body := []byte(`{"usage_records":[{"instance_id":"7f141bf1-aec8-4859-8323-fb3a8ad50721","record_time":"20220809T091000Z","begin_time":"20220809T080000Z","end_time":"20220809T090000Z","usage_value":"99","metering_sn":"a8f5f167f44f4964e6c998dee827110c"}]}`)
	canon, _ := kgp.CanonicalJSON(body)
	sig, _ := kgp.SignUsage(key, "1709690865879", "6c63c221-1f6b-4141-8ff4-22f5dfe82b65", canon)
	fmt.Println(sig)
	// Output:
	// 94dQO+LMb+rrG3hSI01BShT8Og2+8P0pHmh8F2Xx7/8=
}

// Signing an open-API call with an AK/SK, as the merchant SDK does.
func ExampleSignAPIG() {
	u, _ := url.Parse("https://mkt.myhuaweicloud.com/api/mkp-openapi-public/global/v1/license/activate")
	r := &kgp.APIGRequest{Method: http.MethodPost, URL: u, Host: u.Host, Header: http.Header{}}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("x-stage", "RELEASE")
	r.Header.Set(kgp.HeaderSdkDate, kgp.FormatSdkDate(time.Date(2024, 3, 17, 14, 42, 37, 0, time.UTC)))
	authz, _ := kgp.SignAPIG("test", "123", r, "content-type", "host", "x-stage")
	fmt.Println(authz)
	// Output:
	// SDK-HMAC-SHA256 Access=test, SignedHeaders=content-type;host;x-sdk-date;x-stage, Signature=77595ad624b6e4e49990b8c4e84bf1c287457fca61069c4e60b9b6765b52053d
}
