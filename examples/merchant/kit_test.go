package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mercato-oss/mercato/kgp"
)

func demoUsers(n int, role string) []kgp.User {
	out := make([]kgp.User, n)
	for i := range out {
		out[i] = kgp.User{UserName: fmt.Sprintf("u%03d", i), Name: "User", OrgCode: "O1", Role: role, Enable: "true"}
	}
	return out
}

// saved reads the merchant's own data as it is on disk.
func saved(t *testing.T, dir string) state {
	t.Helper()
	d, err := openDB(dir)
	if err != nil {
		t.Fatal(err)
	}
	return d.s
}

func TestKitSyncs(t *testing.T) {
	t.Parallel()
	priv, err := rsa.GenerateKey(rand.Reader, kgp.MinRSABits)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	secret, err := kgp.EncryptClientSecret(&priv.PublicKey, "client-secret")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []kgp.Generation{kgp.Gen2, kgp.Gen1} {
		t.Run(fmt.Sprintf("gen%d", g), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			d := start(t, dir, func(c *config) { c.PrivateKey = base64.StdEncoding.EncodeToString(der) })
			id := d.newInstance("CSKIT").InstanceID
			tenant := func(flag int) kgp.KitRequest {
				return kgp.TenantSync{InstanceID: id, OrderID: "CSKIT", TenantID: "T1", TenantCode: "acme", Name: "Acme",
					DomainName: "https://acme.example.com", Flag: flag, TimeStamp: d.kitTS()}
			}
			auth := func(flag int, n int) kgp.KitRequest {
				return kgp.AuthSync{InstanceID: id, TenantID: "T1", AppID: "A1", UserList: demoUsers(n, "user"),
					CurrentSyncTime: d.kitTS(), Flag: flag, TimeStamp: d.kitTS()}
			}
			reqs := []kgp.KitRequest{
				tenant(kgp.FlagAdd), tenant(kgp.FlagAdd),
				kgp.ApplicationSync{InstanceID: id, TenantID: "T1", AppID: "A1", ClientID: "cid", ClientSecret: secret, Flag: kgp.FlagAdd, TimeStamp: d.kitTS()},
				auth(kgp.FlagAdd, 500), auth(kgp.FlagAdd, 500),
				kgp.SingleOrgSync{InstanceID: id, TenantID: "T1", OrgCode: "O9", OrgName: "Gone", Flag: kgp.FlagDelete, TimeStamp: d.kitTS()},
				kgp.AllOrgSync{InstanceID: id, TenantID: "T1", OrgInfoList: []kgp.OrgInfo{{OrgCode: "O1", OrgName: "HQ"}, {OrgCode: "O2", OrgName: "Sales", ParentCode: "O1"}}, TimeStamp: d.kitTS()},
				kgp.SingleOrgSync{InstanceID: id, TenantID: "T1", OrgCode: "O3", OrgName: "Support", ParentCode: "O1", Flag: kgp.FlagAdd, TimeStamp: d.kitTS()},
				kgp.TenantSync{InstanceID: "i-none", TenantID: "T-none", TenantCode: "x", Name: "x", DomainName: "x", Flag: kgp.FlagDelete, TimeStamp: d.kitTS()},
			}
			for i, r := range reqs {
				if resp := d.kit(r, g); resp.ResultCode != kgp.ResultSuccess {
					t.Fatalf("sync %d (%s): %s %s", i, r.KitName(), resp.ResultCode, resp.ResultMsg)
				}
			}
			// 500 authorized users: shrinking to 10 seats is refused.
			check := d.basic(kgp.ChangeInstanceCheck{InstanceID: id, ProductInfo: &kgp.ProductInfo{ProductID: "p", SkuCode: "s", LinearValue: 10}})
			want(t, check, kgp.ResultProductError)
			d.close()
			s := saved(t, dir)
			if len(s.Tenants) != 1 || len(s.Apps) != 1 || !s.Apps[natKey(id, "T1", "A1")].SecretDecrypted || len(s.Users) != 500 || len(s.Departments) != 3 {
				t.Fatalf("stored %d tenants, %d apps, %d users, %d departments", len(s.Tenants), len(s.Apps), len(s.Users), len(s.Departments))
			}
		})
	}
}

// A pay-per-use order read from the open API: the instance reports its usage.
func TestPayPerUseWithTheOpenAPI(t *testing.T) {
	t.Parallel()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != kgp.PathOrderQuery {
			io.WriteString(w, `{"error_code":"MKT.0000","error_msg":"success"}`)
			return
		}
		q := r.URL.Query()
		json.NewEncoder(w).Encode(kgp.OrderQueryResponse{ResultCode: kgp.MKTSuccess, ResultMsg: "success", OrderInfo: &kgp.OrderInfo{
			OrderID: q.Get("orderId"), OrderType: kgp.OrderNew, OrderLine: []kgp.OrderLine{{OrderLineID: q.Get("orderLineId"),
				ChargingMode: kgp.ChargingOnDemand, ProductInfo: []kgp.ProductInfo{{ProductID: "OFFI-PPU", SkuCode: "metered", ProductName: "Metered"}}}}}})
	}))
	defer api.Close()
	d := start(t, t.TempDir(), func(c *config) { c.AK, c.SK, c.APIURL = "ak", "sk", api.URL })
	defer d.close()
	id := d.newInstance("MOCKONDEMAND").InstanceID
	other := d.basic(kgp.NewInstance{BusinessID: "b", OrderID: "MOCKONDEMAND", OrderLineID: "MOCKONDEMAND-000002"})
	if other.InstanceID != id {
		t.Fatalf("second billing line of the same product got %s, want %s", other.InstanceID, id)
	}
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/-/usage?instance="+id+"&amount=2.5", nil)
	d.h.ServeHTTP(w, r)
	if w.Code != http.StatusNoContent {
		t.Fatalf("usage: HTTP %d %s", w.Code, w.Body)
	}
	q := d.basic(kgp.QueryInstance{InstanceID: id})
	if len(q.Info) != 1 || len(q.Info[0].UsageInfo) != 1 || q.Info[0].UsageInfo[0].UsageValue != "2.5" {
		t.Fatalf("queryInstance %+v", q.Info)
	}
}
