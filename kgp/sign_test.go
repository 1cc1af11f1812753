package kgp

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// The key of every own-computed vector in the specification (§11).
const vectorKey = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"

func TestAuthTokenVector(t *testing.T) {
	t.Parallel()
	// §3.2: parameters from the sample URL of the official Java demo.
	params := url.Values{
		"activity":   {"newInstance"},
		"businessId": {"61e834ba-7b97-4418-b8f7-e5345137278c"},
		"customerId": {"68cbc86abc2018ab880d92f36422fa0e"},
		"expireTime": {"20200727153156"},
		"orderId":    {"CS1906666666ABCDE"},
		"productId":  {"00301-666666-0--0"},
		"testFlag":   {"1"},
		"timeStamp":  {"20200727073711903"},
	}
	wantMsg := "activity=newInstance&businessId=61e834ba-7b97-4418-b8f7-e5345137278c&customerId=68cbc86abc2018ab880d92f36422fa0e&expireTime=20200727153156&orderId=CS1906666666ABCDE&productId=00301-666666-0--0&testFlag=1&timeStamp=20200727073711903"
	if got := AuthTokenMessage(params); got != wantMsg {
		t.Fatalf("message = %s\nwant      %s", got, wantMsg)
	}
	const want = "o3OwFC8eRcsV1w6J0ZvbnyWiHdiYM8XaqFpV96z6c54="
	if got := AuthToken(vectorKey, params); got != want {
		t.Fatalf("authToken = %s, want %s", got, want)
	}
	params.Set("authToken", want)
	if err := VerifyAuthToken(vectorKey, params); err != nil {
		t.Fatal(err)
	}
	// The servlet container decodes the query; a '+' left undecoded becomes a space and fails.
	params.Set("authToken", strings.ReplaceAll(want, "+", " ")+"x")
	var se *SignatureError
	if err := VerifyAuthToken(vectorKey, params); !errors.As(err, &se) || se.StringToSign != wantMsg || se.Expected != want {
		t.Fatalf("tampered token: err = %v", err)
	}
}

func TestBasicVector(t *testing.T) {
	t.Parallel()
	// §3.4.
	body := []byte(`{"activity":"newInstance","businessId":"87b94795-0603-4e24-8ae5-69420d60e3c8","orderId":"CS2211181819B4LVS","orderLineId":"CS2211181819B4LVS-000001","testFlag":"1"}`)
	const ts, nonce = "1680508066618", "50D83FDECAED6CCD8EF597F2A577950527928BA287D04E6036E92B2806FD17DA"
	sts := BasicStringToSign(vectorKey, ts, nonce, body)
	if !strings.HasSuffix(sts, "8be8f2b80e4f09461d82f70a7db9372ed68bb3f64b9ccfe33fbc1444d7fea3f4") {
		t.Fatalf("bodyHash wrong in %s", sts)
	}
	const want = "49A14819F70004B77AF256D96EB0B6702ED9A31E77F207F68F03C9D4A9D4623D"
	if got := SignBasic(vectorKey, ts, nonce, body); got != want {
		t.Fatalf("signature = %s, want %s", got, want)
	}
	for _, sig := range []string{want, strings.ToLower(want)} {
		if err := VerifyBasic(vectorKey, sig, ts, nonce, body); err != nil {
			t.Errorf("%s: %v", sig, err)
		}
	}
	if err := VerifyBasic(vectorKey, want, ts, nonce, append(body[:len(body):len(body)], ' ')); err != nil {
		t.Errorf("trailing space is accepted through the demo reading, got %v", err)
	}
	if err := VerifyBasic(vectorKey, want, "1680508066619", nonce, body); err == nil {
		t.Error("changed timestamp accepted")
	}
}

func TestBasicDemoReading(t *testing.T) {
	t.Parallel()
	// A sender that signed the demo's canonical form but sent unsorted, spaced JSON with a
	// number and a null is accepted (§14.1).
	sent := []byte(`{ "testFlag": 1, "orderId":"A", "activity":"newInstance", "x": null }`)
	canon := []byte(`{"activity":"newInstance","orderId":"A","testFlag":"1"}`)
	sig := SignBasic(vectorKey, "1", "n", canon)
	if err := VerifyBasic(vectorKey, sig, "1", "n", sent); err != nil {
		t.Fatal(err)
	}
}

func TestKitVector(t *testing.T) {
	t.Parallel()
	// §3.5: the worked example, signed over the raw bytes.
	body := []byte(`{"instanceId":"huaiweitest123456","orderId":"CS1906666666ABCDE","tenantId":"68cbc86abc2018ab880d92f36422fa0e","tenantCode":"huawei","name":"huaiweitest","domainName":"https://example.tenantaccount.com","flag":1,"testFlag":0,"timeStamp":"20220413093539534"}`)
	const ts, nonce = "1680508066618", "50D83FDECAED6CCD8EF597F2A577950527928BA287D04E6036E92B2806FD17DA"
	const want = "840828A143F71EB7E3C0C37EA99C5379D14C0557EC377E3F3650200D71EEE554"
	if got := SignKit(vectorKey, ts, nonce, body); got != want {
		t.Fatalf("x-sign = %s, want %s", got, want)
	}
	if err := VerifyKit(vectorKey, want, ts, nonce, body); err != nil {
		t.Fatal(err)
	}
	// The demo's reading: top level sorted. A signature over that form verifies too.
	demo, err := kitDemoForm(body)
	if err != nil {
		t.Fatal(err)
	}
	wantDemo := `{"domainName":"https://example.tenantaccount.com","flag":1,"instanceId":"huaiweitest123456","name":"huaiweitest","orderId":"CS1906666666ABCDE","tenantCode":"huawei","tenantId":"68cbc86abc2018ab880d92f36422fa0e","testFlag":0,"timeStamp":"20220413093539534"}`
	if string(demo) != wantDemo {
		t.Fatalf("demo form = %s", demo)
	}
	if err := VerifyKit(vectorKey, SignKit(vectorKey, ts, nonce, demo), ts, nonce, body); err != nil {
		t.Fatal(err)
	}
}

func TestBodySignVector(t *testing.T) {
	t.Parallel()
	// §3.6, computed with Java 17.
	body := []byte(`{"resultCode":"000000","resultMsg":"success"}`)
	const sig = "njQukAs+r2g5eWv80gpE5GMGNsly/Mx6XB8+IoHWEco="
	if got := BodySignature(vectorKey, body); got != sig {
		t.Fatalf("signature = %s, want %s", got, sig)
	}
	header := BodySign(vectorKey, body)
	if want := `sign_type="HMAC-SHA256", signature= "` + sig + `"`; header != want {
		t.Fatalf("header = %s, want %s", header, want)
	}
	for _, h := range []string{
		header,
		`sign_type="HMAC-SHA256",signature="` + sig + `"`,
		` signature = "` + sig + `" , sign_type = "HMAC-SHA256" `,
	} {
		if err := VerifyBodySign(vectorKey, h, body); err != nil {
			t.Errorf("%s: %v", h, err)
		}
	}
	for _, h := range []string{"", `sign_type="HMAC-SHA1", signature="` + sig + `"`, `garbage`, `sign_type="HMAC-SHA256"`} {
		if err := VerifyBodySign(vectorKey, h, body); err == nil {
			t.Errorf("%q accepted", h)
		}
	}
	if err := VerifyBodySign(vectorKey, header, append([]byte(" "), body...)); err == nil {
		t.Error("leading space in the body accepted: Body-Sign covers every byte")
	}
}

func TestUsageVector(t *testing.T) {
	t.Parallel()
	// §8.5: keys sorted, compact.
	body := []byte(`{"usage_records":[{"instance_id":"7f141bf1-aec8-4859-8323-fb3a8ad50721","record_time":"20220809T091000Z","begin_time":"20220809T080000Z","end_time":"20220809T090000Z","usage_value":"99","metering_sn":"a8f5f167f44f4964e6c998dee827110c"}]}`)
	const ts, nonce = "1709690865879", "6c63c221-1f6b-4141-8ff4-22f5dfe82b65"
	canon, err := CanonicalJSON(body)
	if err != nil {
		t.Fatal(err)
	}
	wantSTS := `ts=1709690865879&nonce=6c63c221-1f6b-4141-8ff4-22f5dfe82b65&body={"usage_records":[{"begin_time":"20220809T080000Z","end_time":"20220809T090000Z","instance_id":"7f141bf1-aec8-4859-8323-fb3a8ad50721","metering_sn":"a8f5f167f44f4964e6c998dee827110c","record_time":"20220809T091000Z","usage_value":"99"}]}`
	if got := UsageStringToSign(ts, nonce, canon); got != wantSTS {
		t.Fatalf("string to sign = %s", got)
	}
	const want = "94dQO+LMb+rrG3hSI01BShT8Og2+8P0pHmh8F2Xx7/8="
	got, err := SignUsage(vectorKey, ts, nonce, body)
	if err != nil || got != want {
		t.Fatalf("signature = %s, %v; want %s", got, err, want)
	}
	if err := VerifyUsage(vectorKey, want, ts, nonce, body); err != nil {
		t.Fatal(err)
	}
	if err := VerifyUsage(vectorKey, want, ts, "other", body); err == nil {
		t.Fatal("changed nonce accepted")
	}
}

func TestKitV1AuthToken(t *testing.T) {
	t.Parallel()
	// v1 kit bodies carry nested data as JSON strings; blank fields are skipped.
	body := []byte(`{"instanceId":"i-1","tenantId":"t","appId":"","userList":"[{\"userName\":\"zhangsan01\"}]","flag":1,"testFlag":0,"timeStamp":"20220420114117642"}`)
	msg, ts, err := KitV1Message(body)
	if err != nil {
		t.Fatal(err)
	}
	wantMsg := `flag=1&instanceId=i-1&tenantId=t&testFlag=0&timeStamp=20220420114117642&userList=[{"userName":"zhangsan01"}]`
	if msg != wantMsg || ts != "20220420114117642" {
		t.Fatalf("message = %s (ts %s)", msg, ts)
	}
	tok, err := KitV1AuthToken(vectorKey, body)
	if err != nil {
		t.Fatal(err)
	}
	if tok != authTokenOver(vectorKey, ts, wantMsg) {
		t.Fatal("token is not the §3.2 primitive over the message")
	}
	if err := VerifyKitV1AuthToken(vectorKey, tok, body); err != nil {
		t.Fatal(err)
	}
	if err := VerifyKitV1AuthToken(vectorKey+"x", tok, body); err == nil {
		t.Fatal("wrong key accepted")
	}
}
