package sdk_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

// FuzzHandler sends arbitrary requests. Whatever they hold, the handler must not panic, must
// answer signed JSON, and must never answer 000000: the fuzzer does not know the keys, so no
// request it makes is authentic.
func FuzzHandler(f *testing.F) {
	body, _ := kgp.EncodeBasic(kgp.NewInstance{BusinessID: "b", OrderID: "CS1", OrderLineID: "CS1-000001"})
	ts := kgp.FormatEpochMillis(t0)
	f.Add("POST", "/p?signature="+kgp.SignBasic("other", ts, "n1", body)+"&timestamp="+ts+"&nonce=n1", "", "", body)
	q, _ := kgp.EncodeLegacy(kgp.LegacyQueryInstance{InstanceID: "i1"}, "other", t0)
	f.Add("GET", "/p?"+q, "", "", []byte(nil))
	kit, _ := kgp.EncodeKit(kgp.TenantSync{TenantID: "T", TenantCode: "c", Name: "n", DomainName: "d", Flag: 1, TimeStamp: kgp.FormatKitTimeStamp(t0)}, kgp.Gen2)
	f.Add("POST", "/p/produceAPI/v2/tenantSync", "x-sign", kgp.SignKit("other", ts, "n2", kit), kit)
	tok, _ := kgp.KitV1AuthToken("other", kit)
	f.Add("POST", "/p/produceAPI/tenantSync", "authToken", tok, kit)
	f.Add("POST", "/p?signature=&timestamp=1&nonce=", "", "", []byte(`{"activity":"queryInstance","instanceId":"`+string(bytes.Repeat([]byte("a,"), 200))+`"}`))
	f.Add("PUT", "/%zz", "Content-Length", "-1", []byte{0xff, 0xfe})

	h, err := sdk.NewHandler(sdk.Config{Key: testKey, KitKey: testKitKey, Store: openStore(f, f.TempDir()),
		Now: func() time.Time { return t0 }, MaxBodyBytes: 64 << 10}, newFake())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { h.Close() })

	f.Fuzz(func(t *testing.T, method, target, hname, hvalue string, body []byte) {
		u, err := url.ParseRequestURI(target)
		if err != nil || !validMethod(method) {
			return
		}
		r := httptest.NewRequest(http.MethodGet, "/", bytes.NewReader(body))
		r.Method, r.URL, r.RequestURI = method, u, target
		if hname != "" && validHeader(hname, hvalue) {
			r.Header.Set(hname, hvalue)
			r.Header.Set("x-timestamp", ts)
			r.Header.Set("x-nonce", "n")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		key := testKey
		if _, _, kit := kgp.ParseKitPath(u.Path); kit {
			key = testKitKey
		}
		if err := kgp.VerifyBodySign(key, w.Header().Get(kgp.BodySignHeader), w.Body.Bytes()); err != nil {
			t.Fatalf("Body-Sign: %v", err)
		}
		resp, err := kgp.DecodeResponse(w.Body.Bytes())
		if err != nil {
			t.Fatalf("answer %q: %v", w.Body.String(), err)
		}
		if resp.ResultCode == kgp.ResultSuccess {
			t.Fatalf("unsigned %s %s answered 000000: %s", method, target, w.Body.String())
		}
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

func validHeader(name, value string) bool {
	for _, c := range name {
		if c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	for _, c := range value {
		if c < ' ' || c == 0x7f {
			return false
		}
	}
	return true
}
