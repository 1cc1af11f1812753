package sdk_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

const (
	rejOrder = "CSREJ"
	rejLine  = "CSREJ-000001"
)

var rejNew = kgp.NewInstance{BusinessID: "biz-rej", OrderID: rejOrder, OrderLineID: rejLine}

func legacyQuery(key string, params map[string]string, at time.Time) string {
	q := url.Values{}
	for k, v := range params {
		q.Set(k, v)
	}
	q.Set("timeStamp", kgp.FormatTimeStamp(at))
	q.Set("authToken", kgp.AuthToken(key, q))
	return "/saasproduce?" + q.Encode()
}

var legacyNew = map[string]string{"activity": "newInstance", "customerId": "c1", "businessId": "b1",
	"orderId": rejOrder, "skuCode": "sku", "productId": "OFFI1"}

func without(m map[string]string, key string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func tenantBody(at time.Time, drop string) []byte {
	fields := []string{`"domainName":"https://t.example.com"`, `"flag":1`, `"instanceId":"i1"`, `"name":"Acme"`,
		`"orderId":"` + rejOrder + `"`, `"tenantCode":"acme"`, `"tenantId":"T1"`, `"testFlag":1`,
		`"timeStamp":"` + kgp.FormatKitTimeStamp(at) + `"`}
	var kept []string
	for _, f := range fields {
		if !strings.HasPrefix(f, `"`+drop+`"`) || drop == "" {
			kept = append(kept, f)
		}
	}
	return []byte("{" + strings.Join(kept, ",") + "}")
}

// Every rejection answers its code and leaves nothing behind: no merchant call, no instance,
// no kit state.
func TestRejections(t *testing.T) {
	t.Parallel()
	stale, future := t0.Add(-61*time.Second), t0.Add(61*time.Second)
	body, _ := kgp.EncodeBasic(rejNew)
	cases := []struct {
		name string
		req  func(b *bundle) *http.Request
		// replay, when set, is served once (successfully) before req is replayed.
		replay bool
		noKit  bool
		want   kgp.ResultCode
	}{
		{"v2 wrong key", func(b *bundle) *http.Request { return signedBasic("wrong-key", body, t0, b.nonce()) }, false, false, kgp.ResultAuthFailed},
		{"v2 kit key on basic", func(b *bundle) *http.Request { return signedBasic(testKitKey, body, t0, b.nonce()) }, false, false, kgp.ResultAuthFailed},
		{"v2 signature missing", func(b *bundle) *http.Request {
			return httptest.NewRequest(http.MethodPost, "/saasproduce", strings.NewReader(string(body)))
		}, false, false, kgp.ResultAuthFailed},
		{"v2 body altered", func(b *bundle) *http.Request {
			r := signedBasic(testKey, body, t0, b.nonce())
			r.Body = http.NoBody
			return r
		}, false, false, kgp.ResultAuthFailed},
		{"v2 stale timestamp", func(b *bundle) *http.Request { return signedBasic(testKey, body, stale, b.nonce()) }, false, false, kgp.ResultAuthFailed},
		{"v2 future timestamp", func(b *bundle) *http.Request { return signedBasic(testKey, body, future, b.nonce()) }, false, false, kgp.ResultAuthFailed},
		{"v2 malformed timestamp", func(b *bundle) *http.Request {
			r := signedBasic(testKey, body, t0, b.nonce())
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "timestamp=", "timestamp=x", 1)
			return r
		}, false, false, kgp.ResultAuthFailed},
		{"v2 nonce missing", func(b *bundle) *http.Request { return signedBasic(testKey, body, t0, "") }, false, false, kgp.ResultAuthFailed},
		{"v2 replayed nonce", func(b *bundle) *http.Request { return signedBasic(testKey, body, t0, "replayed-nonce-1") }, true, false, kgp.ResultAuthFailed},
		{"v2 missing orderLineId", func(b *bundle) *http.Request {
			return signedBasic(testKey, []byte(`{"activity":"newInstance","businessId":"b","orderId":"`+rejOrder+`"}`), t0, b.nonce())
		}, false, false, kgp.ResultInvalidParam},
		{"v2 missing activity", func(b *bundle) *http.Request {
			return signedBasic(testKey, []byte(`{"businessId":"b","orderId":"`+rejOrder+`","orderLineId":"`+rejLine+`"}`), t0, b.nonce())
		}, false, false, kgp.ResultInvalidParam},
		{"v2 unknown activity", func(b *bundle) *http.Request {
			return signedBasic(testKey, []byte(`{"activity":"deleteEverything","orderId":"`+rejOrder+`"}`), t0, b.nonce())
		}, false, false, kgp.ResultInvalidParam},
		{"v2 not JSON", func(b *bundle) *http.Request {
			return signedBasic(testKey, []byte(`activity=newInstance`), t0, b.nonce())
		}, false, false, kgp.ResultInvalidParam},
		{"v2 wrong type", func(b *bundle) *http.Request {
			return signedBasic(testKey, []byte(`{"activity":"newInstance","businessId":1,"orderId":"`+rejOrder+`","orderLineId":"`+rejLine+`"}`), t0, b.nonce())
		}, false, false, kgp.ResultInvalidParam},
		{"v2 change check without productInfo", func(b *bundle) *http.Request {
			return signedBasic(testKey, []byte(`{"activity":"changeInstanceCheck","instanceId":"i1","productInfo":null}`), t0, b.nonce())
		}, false, false, kgp.ResultInvalidParam},
		{"v2 101 instances", func(b *bundle) *http.Request {
			return signedBasic(testKey, []byte(`{"activity":"queryInstance","instanceId":"`+strings.Repeat("i,", 100)+`i"}`), t0, b.nonce())
		}, false, false, kgp.ResultInvalidParam},
		{"v2 body too large", func(b *bundle) *http.Request {
			big := []byte(`{"activity":"newInstance","pad":"` + strings.Repeat("x", sdk.DefaultMaxBodyBytes) + `"}`)
			return signedBasic(testKey, big, t0, b.nonce())
		}, false, false, kgp.ResultInvalidParam},

		{"v1 wrong key", func(b *bundle) *http.Request {
			return httptest.NewRequest(http.MethodGet, legacyQuery("wrong-key", legacyNew, t0), nil)
		}, false, false, kgp.ResultAuthFailed},
		{"v1 authToken missing", func(b *bundle) *http.Request {
			u := legacyQuery(testKey, legacyNew, t0)
			return httptest.NewRequest(http.MethodGet, u[:strings.Index(u, "authToken=")], nil)
		}, false, false, kgp.ResultAuthFailed},
		{"v1 stale timeStamp", func(b *bundle) *http.Request {
			return httptest.NewRequest(http.MethodGet, legacyQuery(testKey, legacyNew, stale), nil)
		}, false, false, kgp.ResultAuthFailed},
		{"v1 replayed", func(b *bundle) *http.Request {
			return httptest.NewRequest(http.MethodGet, legacyQuery(testKey, legacyNew, t0), nil)
		}, true, false, kgp.ResultAuthFailed},
		{"v1 missing customerId", func(b *bundle) *http.Request {
			return httptest.NewRequest(http.MethodGet, legacyQuery(testKey, without(legacyNew, "customerId"), t0), nil)
		}, false, false, kgp.ResultInvalidParam},
		{"v1 unknown activity", func(b *bundle) *http.Request {
			return httptest.NewRequest(http.MethodGet, legacyQuery(testKey, map[string]string{"activity": "dropTables"}, t0), nil)
		}, false, false, kgp.ResultInvalidParam},

		{"kit v2 basic key", func(b *bundle) *http.Request {
			return signedKit(t, testKey, kgp.KitTenantSync, kgp.Gen2, tenantBody(t0, ""), t0, b.nonce())
		}, false, false, kgp.ResultAuthFailed},
		{"kit v2 stale", func(b *bundle) *http.Request {
			return signedKit(t, testKitKey, kgp.KitTenantSync, kgp.Gen2, tenantBody(t0, ""), stale, b.nonce())
		}, false, false, kgp.ResultAuthFailed},
		{"kit v2 replayed nonce", func(b *bundle) *http.Request {
			return signedKit(t, testKitKey, kgp.KitTenantSync, kgp.Gen2, tenantBody(t0, ""), t0, "kit-replay")
		}, true, false, kgp.ResultAuthFailed},
		{"kit v2 missing tenantId", func(b *bundle) *http.Request {
			return signedKit(t, testKitKey, kgp.KitTenantSync, kgp.Gen2, tenantBody(t0, "tenantId"), t0, b.nonce())
		}, false, false, kgp.ResultInvalidParam},
		{"kit v2 without a kit key", func(b *bundle) *http.Request {
			return signedKit(t, testKitKey, kgp.KitTenantSync, kgp.Gen2, tenantBody(t0, ""), t0, b.nonce())
		}, false, true, kgp.ResultAuthFailed},
		{"kit v1 wrong key", func(b *bundle) *http.Request {
			return signedKit(t, "wrong", kgp.KitTenantSync, kgp.Gen1, tenantBody(t0, ""), t0, "")
		}, false, false, kgp.ResultAuthFailed},
		{"kit v1 stale timeStamp", func(b *bundle) *http.Request {
			return signedKit(t, testKitKey, kgp.KitTenantSync, kgp.Gen1, tenantBody(stale, ""), t0, "")
		}, false, false, kgp.ResultAuthFailed},
		{"kit v1 replayed", func(b *bundle) *http.Request {
			return signedKit(t, testKitKey, kgp.KitTenantSync, kgp.Gen1, tenantBody(t0, ""), t0, "")
		}, true, false, kgp.ResultAuthFailed},
		{"kit v1 missing name", func(b *bundle) *http.Request {
			return signedKit(t, testKitKey, kgp.KitTenantSync, kgp.Gen1, tenantBody(t0, "name"), t0, "")
		}, false, false, kgp.ResultInvalidParam},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, func(c *sdk.Config, _ *fakeMerchant) {
				if tc.noKit {
					c.KitKey = ""
				}
			})
			if tc.replay {
				wantCode(t, do(t, b.h, tc.req(b)), kgp.ResultSuccess)
			}
			calls := b.m.total()
			in, _ := b.store.InstanceByLine(t.Context(), rejOrder, rejLine)
			var resp *kgp.Response
			if tc.noKit { // without a kit key the answer is signed with the basic key
				resp = doSigned(t, b.h, tc.req(b), testKey)
			} else {
				resp = do(t, b.h, tc.req(b))
			}
			wantCode(t, resp, tc.want)
			if b.m.total() != calls {
				t.Fatalf("rejected request reached the merchant")
			}
			if tc.replay {
				return
			}
			if in != nil {
				t.Fatal("instance existed before")
			}
			if in, _ := b.store.InstanceByLine(t.Context(), rejOrder, rejLine); in != nil {
				t.Fatalf("rejected request left instance %s", in.ID)
			}
			if h, _ := b.store.KitHashes(t.Context(), kgp.KitTenantSync, []string{"i1\x1fT1"}); len(h) != 0 {
				t.Fatalf("rejected kit request left state %v", h)
			}
			// Nothing was reserved: the same order line is then created normally, once.
			if tc.name != "v2 101 instances" {
				ok := b.newInstance2(rejOrder, rejLine)
				wantCode(t, ok, kgp.ResultSuccess)
			}
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	for _, m := range []string{http.MethodPut, http.MethodDelete} {
		resp := do(t, b.h, httptest.NewRequest(m, "/saasproduce", nil))
		wantCode(t, resp, kgp.ResultInvalidParam)
	}
	resp := do(t, b.h, httptest.NewRequest(http.MethodGet, "/saasproduce/produceAPI/v2/tenantSync", nil))
	wantCode(t, resp, kgp.ResultInvalidParam)
}
