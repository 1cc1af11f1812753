package kgp

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestEncodeBasicMatchesVectorBody(t *testing.T) {
	t.Parallel()
	body, err := EncodeBasic(NewInstance{
		BusinessID: "87b94795-0603-4e24-8ae5-69420d60e3c8", OrderID: "CS2211181819B4LVS",
		OrderLineID: "CS2211181819B4LVS-000001", TestFlag: "1",
	})
	want := `{"activity":"newInstance","businessId":"87b94795-0603-4e24-8ae5-69420d60e3c8","orderId":"CS2211181819B4LVS","orderLineId":"CS2211181819B4LVS-000001","testFlag":"1"}`
	if err != nil || string(body) != want {
		t.Fatalf("body = %s, %v\nwant   %s", body, err, want)
	}
	body, _ = EncodeBasic(RefreshInstance{ExpireTime: "20221124023618256", InstanceID: "10e758d0-31ad-4c4b-8f1b-81d03469a10e",
		OrderID: "CS2211181819B4LVS", OrderLineID: "CS2211181819B4LVS-000001", ProductID: "OFFI461867333479178240", Scene: SceneRenewal, TestFlag: "1"})
	want = `{"activity":"refreshInstance","expireTime":"20221124023618256","instanceId":"10e758d0-31ad-4c4b-8f1b-81d03469a10e","orderId":"CS2211181819B4LVS","orderLineId":"CS2211181819B4LVS-000001","productId":"OFFI461867333479178240","scene":"RENEWAL","testFlag":"1"}`
	if string(body) != want {
		t.Fatalf("body = %s\nwant   %s", body, want)
	}
}

// TestEncodeBasicDemoAgreement: for bodies with characters Go's encoder writes differently from
// Jackson, the raw-byte and the demo readings of the signature agree (§14.1).
func TestEncodeBasicDemoAgreement(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"a\u2028b\u2029", "ctl\x01\x1f", `q"\<>&/`, "中文é", "tab\t"} {
		body, err := EncodeBasic(ReleaseInstance{InstanceID: id, OrderID: "o"})
		if err != nil {
			t.Fatal(err)
		}
		demo, err := basicDemoForm(body)
		if err != nil || string(demo) != string(body) {
			t.Fatalf("%q: demo form %s differs from sent %s", id, demo, body)
		}
		got, err := DecodeBasic(body)
		if err != nil || got.(ReleaseInstance).InstanceID != id {
			t.Fatalf("%q: round trip %v, %v", id, got, err)
		}
	}
}

func TestDecodeBasic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body string
		want BasicRequest
		err  string
	}{
		{`{"activity":"newInstance","businessId":"b","orderId":"o","orderLineId":"l"}`, NewInstance{BusinessID: "b", OrderID: "o", OrderLineID: "l"}, ""},
		{`{"activity":"queryInstance","instanceId":"a,b"}`, QueryInstance{InstanceID: "a,b"}, ""},
		{`{"activity":"updateInstanceStatus","instanceId":"i","status":"FREEZE","testFlag":"1","extra":1}`, UpdateInstanceStatus{InstanceID: "i", Status: "FREEZE", TestFlag: "1"}, ""},
		{`{"activity":"changeInstanceCheck","instanceId":"i","productInfo":{"productId":"p","skuCode":"s","linearValue":3,"productName":"n"}}`,
			ChangeInstanceCheck{InstanceID: "i", ProductInfo: &ProductInfo{ProductID: "p", SkuCode: "s", LinearValue: 3, ProductName: "n"}}, ""},
		{`{"activity":"orderNotify","orderId":"o","orderLineId":"l","testFlag":"0"}`, OrderNotify{OrderID: "o", OrderLineID: "l", TestFlag: "0"}, ""},
		{`{"activity":"newInstance","orderId":"o","orderLineId":"l"}`, nil, "businessId: mandatory"},
		{`{"activity":"newInstance","businessId":"b","orderId":"` + strings.Repeat("x", 65) + `","orderLineId":"l"}`, nil, "orderId: 65 characters"},
		{`{"activity":"updateInstanceStatus","instanceId":"i","status":"PAUSE"}`, nil, `"PAUSE" is not one of`},
		{`{"activity":"refreshInstance","instanceId":"i","orderId":"o","orderLineId":"l","expireTime":"1","scene":"X"}`, nil, "scene"},
		{`{"activity":"newInstance","businessId":1,"orderId":"o","orderLineId":"l"}`, nil, "businessId: wrong type"},
		{`{"activity":"queryInstance","instanceId":"` + strings.Repeat("i,", 101) + `"}`, nil, "101 instances"},
		{`{"activity":"changeInstanceCheck","instanceId":"i","productInfo":{"productId":"p"}}`, nil, "productInfo.skuCode"},
		{`{"activity":"dance"}`, nil, "unknown activity"},
		{`{}`, nil, "activity: mandatory"},
		{`not json`, nil, "invalid JSON"},
	} {
		got, err := DecodeBasic([]byte(tc.body))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.body, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %#v, %v", tc.body, got, err)
		}
	}
	_, err := DecodeBasic([]byte(`{"activity":"x"}`))
	if !errors.Is(err, ErrUnknownActivity) {
		t.Fatal("unknown activity is not ErrUnknownActivity")
	}
}

func TestEncodeResponse(t *testing.T) {
	t.Parallel()
	b, err := EncodeResponse(&Response{ResultCode: ResultSuccess, ResultMsg: "success.", EncryptType: EncryptAES256,
		Info: []InstanceInfo{{InstanceID: "i", AppInfo: &AppInfo{FrontEndURL: "https://x", Memo: "中文😀"}}}})
	want := `{"resultCode":"000000","resultMsg":"success.","encryptType":"1","info":[{"instanceId":"i","appInfo":{"frontEndUrl":"https://x","memo":"\u4e2d\u6587\ud83d\ude00"}}]}`
	if err != nil || string(b) != want {
		t.Fatalf("%s, %v\nwant %s", b, err, want)
	}
	r, err := DecodeResponse(b)
	if err != nil || r.Info[0].AppInfo.Memo != "中文😀" {
		t.Fatalf("round trip: %+v, %v", r, err)
	}
	if _, err := EncodeResponse(&Response{ResultCode: "0"}); err == nil {
		t.Fatal("bad result code encoded")
	}
	if _, err := EncodeResponse(&Response{ResultCode: ResultSuccess, AppInfo: &AppInfo{UserName: strings.Repeat("u", 129)}}); err == nil {
		t.Fatal("userName over 128 encoded")
	}
	r, err = DecodeResponse([]byte(`{"resultCode":"000000","resultMsg":"success.","instanceId":null,"x":[1]}`))
	if err != nil || r.InstanceID != "" {
		t.Fatalf("demo response: %+v, %v", r, err)
	}
	if _, err := DecodeResponse([]byte(`{"resultMsg":"ok"}`)); err == nil {
		t.Fatal("response without resultCode accepted")
	}
}

func TestLegacyRoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Date(2020, 7, 27, 7, 37, 11, 903e6, time.UTC)
	req := LegacyNewInstance{
		CustomerID: "68cbc86abc2018ab880d92f36422fa0e", BusinessID: "61e834ba-7b97-4418-b8f7-e5345137278c",
		OrderID: "CS1906666666ABCDE", SkuCode: "sku+/=", ProductID: "00301-666666-0--0", ExpireTime: "20200727153156",
		ChargingMode: 1, PeriodType: PeriodMonth, PeriodNumber: 2, OrderAmount: "12.340", TestFlag: "1",
		SaasExtendParams: ExtendParams{{Name: "idNum", Value: "352255555555656"}, {Name: "custEmail", Value: "123@huawei.com"}},
	}
	qs, err := EncodeLegacy(req, vectorKey, at)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(strings.ReplaceAll(qs, "&", ""), "/+") || strings.Count(qs, "=") != strings.Count(qs, "&")+1 {
		t.Fatalf("values are not fully percent-encoded: %s", qs)
	}
	q, err := url.ParseQuery(qs)
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("timeStamp") != "20200727073711903" {
		t.Fatalf("timeStamp = %s", q.Get("timeStamp"))
	}
	if err := VerifyAuthToken(vectorKey, q); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeLegacy(q)
	if err != nil || !reflect.DeepEqual(got, req) {
		t.Fatalf("round trip:\n%#v\n%#v\n%v", got, req, err)
	}
}

func TestDecodeLegacy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		q    string
		want LegacyRequest
		err  string
	}{
		{"activity=expireInstance&instanceId=i&orderId=o", LegacyExpireInstance{InstanceID: "i", OrderID: "o"}, ""},
		{"activity=instanceStatus&instanceId=i&instanceStatus=NORMAL", LegacyInstanceStatus{InstanceID: "i", InstanceStatus: "NORMAL"}, ""},
		{"activity=upgradeInstance&instanceId=i&orderId=o&skuCode=s&productId=p&amount=3", LegacyUpgrade{InstanceID: "i", OrderID: "o", SkuCode: "s", ProductID: "p", Amount: 3}, ""},
		{"activity=queryInstance&instanceId=a%2Cb", LegacyQueryInstance{InstanceID: "a,b"}, ""},
		{"activity=refreshInstance&instanceId=i&orderId=o&expireTime=20180725000000&orderAmount=-1.5", LegacyRefreshInstance{InstanceID: "i", OrderID: "o", ExpireTime: "20180725000000", OrderAmount: "-1.5"}, ""},
		{"activity=releaseInstance&instanceId=i", nil, "orderId: mandatory"},
		{"activity=upgrade&instanceId=i&orderId=o&skuCode=s&productId=p&amount=x", nil, "amount"},
		{"activity=newInstance&customerId=c&businessId=b&orderId=o&skuCode=s&productId=p&saasExtendParams=!!!", nil, "saasExtendParams"},
		{"activity=newInstance&customerId=c&businessId=b&orderId=o&skuCode=s&productId=p&saasExtendParams=bm90IGpzb24", nil, "saasExtendParams"},
		{"activity=instanceStatus&instanceId=i&instanceStatus=UNFREEZE", nil, "instanceStatus"},
		{"activity=nap", nil, "unknown activity"},
	} {
		q, _ := url.ParseQuery(tc.q)
		got, err := DecodeLegacy(q)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.q, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %#v, %v", tc.q, got, err)
		}
	}
	// saasExtendParams from the spec's example, URL-safe and unpadded forms included.
	var p ExtendParams
	for _, s := range []string{"W3sibmFtZSI6ImlkTnVtIiwidmFsdWUiOiIzNTIyNTU1NTU1NTU2NTYifV0=", "W3sibmFtZSI6ImlkTnVtIiwidmFsdWUiOiIzNTIyNTU1NTU1NTU2NTYifV0"} {
		if err := p.UnmarshalText([]byte(s)); err != nil || len(p) != 1 || p[0].Value != "352255555555656" {
			t.Errorf("%s: %v %v", s, p, err)
		}
	}
}

func TestKitRoundTrip(t *testing.T) {
	t.Parallel()
	reqs := []KitRequest{
		TenantSync{InstanceID: "i", OrderID: "o", TenantID: "t", TenantCode: "huawei", Name: "n", DomainName: "https://d", Flag: FlagAdd, TimeStamp: "20220413093539534"},
		ApplicationSync{InstanceID: "i", TenantID: "t", AppID: "a", ClientID: "c", ClientSecret: "s", Flag: FlagDelete, TestFlag: 1, TimeStamp: "20220413093539534"},
		AuthSync{InstanceID: "i", TenantID: "t", AppID: "a", CurrentSyncTime: "20220413093539534", Flag: FlagModify, TimeStamp: "20220413093539534",
			UserList: []User{{UserName: "zhangsan01", Name: "张三", OrgCode: "1", Role: "admin", Enable: "true", EmployeeType: 4, WorkPlace: "南京", EntryDate: "2022-11-9"}, {UserName: "u2", Name: "n", OrgCode: "1", Role: "user", Enable: "false"}}},
		SingleOrgSync{InstanceID: "i", TenantID: "t", OrgCode: "1", OrgName: "R&D", ParentCode: "0", Flag: FlagAdd, TimeStamp: "20220413093539534"},
		AllOrgSync{InstanceID: "i", TenantID: "t", TimeStamp: "20220413093539534", OrgInfoList: []OrgInfo{{OrgCode: "0", OrgName: "HQ"}, {OrgCode: "1", OrgName: "R&D", ParentCode: "0"}}},
	}
	for _, gen := range []Generation{Gen1, Gen2} {
		for _, r := range reqs {
			body, err := EncodeKit(r, gen)
			if err != nil {
				t.Fatal(err)
			}
			if demo, _ := kitDemoForm(body); string(demo) != string(body) {
				t.Errorf("v%d %s: body is not top-level sorted:\n%s\n%s", gen, r.KitName(), body, demo)
			}
			name, g, ok := ParseKitPath("/saas" + KitPath(r.KitName(), gen))
			if !ok || g != gen || name != r.KitName() {
				t.Fatalf("path round trip: %s %d %v", name, g, ok)
			}
			got, err := DecodeKit(name, gen, body)
			if err != nil || !reflect.DeepEqual(got, r) {
				t.Errorf("v%d %s:\n%s\n%#v\n%v", gen, r.KitName(), body, got, err)
			}
		}
	}
	v1, _ := EncodeKit(reqs[2], Gen1)
	if !strings.Contains(string(v1), `"userList":"[{\"userName\":\"zhangsan01\"`) || !strings.Contains(string(v1), `\"extension\":{\"entryDate\":\"2022-11-9\",\"employeeType\":\"4\",\"workPlace\":\"南京\"}`) {
		t.Errorf("v1 userList form: %s", v1)
	}
}

func TestDecodeKitRejects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		gen  Generation
		body string
		err  string
	}{
		{KitTenantSync, Gen2, `{"tenantId":"t","tenantCode":"c","name":"n","domainName":"d","testFlag":0,"timeStamp":"1"}`, "flag: mandatory"},
		{KitTenantSync, Gen2, `{"tenantId":"t","tenantCode":"c","name":"n","domainName":"d","flag":7,"testFlag":0,"timeStamp":"1"}`, "flag"},
		{KitTenantSync, Gen2, `{"tenantId":"t","tenantCode":"c","name":"n","domainName":"d","flag":"1","testFlag":0,"timeStamp":"1"}`, "flag: wrong type"},
		{KitAuthSync, Gen2, `{"tenantId":"t","appId":"a","currentSyncTime":"1","flag":1,"testFlag":0,"timeStamp":"1","userList":[{"userName":"u"}]}`, "userList[0].name"},
		{KitAuthSync, Gen2, `{"tenantId":"t","appId":"a","currentSyncTime":"1","flag":1,"testFlag":0,"timeStamp":"1"}`, "userList: mandatory"},
		{KitAuthSync, Gen1, `{"tenantId":"t","appId":"a","currentSyncTime":"1","flag":1,"testFlag":0,"timeStamp":"1","userList":[]}`, "userList"},
		{KitAllOrgSync, Gen2, `{"tenantId":"t","testFlag":0,"timeStamp":"1","orgInfoList":"[{\"orgCode\":\"1\"}]"}`, "orgInfoList[0].orgName"},
		{"nope", Gen2, `{}`, "unknown kit"},
	} {
		_, err := DecodeKit(tc.name, tc.gen, []byte(tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s v%d %s: err = %v, want %q", tc.name, tc.gen, tc.body, err, tc.err)
		}
	}
	// 501 users is one too many.
	users := strings.Repeat(`{"userName":"u","name":"n","orgCode":"o","role":"user","enable":"true"},`, 501)
	body := `{"tenantId":"t","appId":"a","currentSyncTime":"1","flag":1,"testFlag":0,"timeStamp":"1","userList":[` + strings.TrimSuffix(users, ",") + `]}`
	if _, err := DecodeKit(KitAuthSync, Gen2, []byte(body)); err == nil || !strings.Contains(err.Error(), "501 entries") {
		t.Fatalf("501 users: %v", err)
	}
	if _, _, ok := ParseKitPath("/produceAPI/v3/tenantSync"); ok {
		t.Fatal("unknown kit path accepted")
	}
}

func TestUsageRecordCheck(t *testing.T) {
	t.Parallel()
	good := UsageRecord{InstanceID: "i", RecordTime: "20220809T091000Z", BeginTime: "20220809T080000Z", EndTime: "20220809T090000Z", UsageValue: "99.1234", MeteringSN: "sn"}
	if v, err := good.Check(false); err != nil || v != 991234 {
		t.Fatalf("good record: %d, %v", v, err)
	}
	for _, tc := range []struct {
		mutate func(*UsageRecord)
		old    bool
		err    string
	}{
		{func(r *UsageRecord) { r.MeteringSN = "" }, false, "metering_sn"},
		{func(r *UsageRecord) {}, true, "product_id"},
		{func(r *UsageRecord) { r.UsageValue = "0" }, false, "greater than 0"},
		{func(r *UsageRecord) { r.UsageValue = "-1" }, false, "greater than 0"},
		{func(r *UsageRecord) { r.UsageValue = "1.00001" }, false, "more than 4 decimals"},
		{func(r *UsageRecord) { r.UsageValue = "1e3" }, false, "not a decimal"},
		{func(r *UsageRecord) { r.UsageValue = "" }, false, "not a decimal"},
		{func(r *UsageRecord) { r.BeginTime = "2022-08-09T08:00:00Z" }, false, "begin_time"},
		{func(r *UsageRecord) { r.EndTime = r.BeginTime }, false, "after begin_time"},
		{func(r *UsageRecord) { r.InstanceID = strings.Repeat("i", 65) }, false, "instance_id"},
	} {
		r := good
		tc.mutate(&r)
		if _, err := r.Check(tc.old); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%+v: err = %v, want %q", r, err, tc.err)
		}
	}
	p, err := DecodeUsagePush([]byte(`{"usage_records":[{"instance_id":"i","usage_value":12.5},{"usage_value":"3"}]}`))
	if err != nil || p.UsageRecords[0].UsageValue != "12.5" || p.UsageRecords[1].UsageValue != "3" {
		t.Fatalf("decode: %+v, %v", p, err)
	}
	if _, err := DecodeUsagePush([]byte(`{"usage_records":[` + strings.TrimSuffix(strings.Repeat(`{},`, 1001), ",") + `]}`)); !errors.Is(err, ErrTooManyRecords) {
		t.Fatalf("1001 records: %v", err)
	}
	if _, err := DecodeUsagePush([]byte(`{}`)); err == nil {
		t.Fatal("missing usage_records accepted")
	}
}

func TestDecimalScaled(t *testing.T) {
	t.Parallel()
	for in, want := range map[Decimal]int64{"0": 0, "1": 10000, "0.0001": 1, "12.5": 125000, "-3.25": -32500, "922337203685477.5807": 1<<63 - 1} {
		if got, err := in.Scaled(4); err != nil || got != want {
			t.Errorf("%s: %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []Decimal{"922337203685477.5808", "1.", ".5", "+1", "1,5", "0x10", "--1", "1.2.3"} {
		if _, err := bad.Scaled(4); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestLicenseMessages(t *testing.T) {
	t.Parallel()
	r, err := DecodeLicenseRequest([]byte(`{"license":"PLXXXXXX","heartbeatInfo":{"thirdPartyAccount":"myaccount1","ip":"192.168.1.51"}}`))
	if err != nil || r.License != "PLXXXXXX" || r.HeartbeatInfo.IP != "192.168.1.51" {
		t.Fatalf("%+v, %v", r, err)
	}
	for _, bad := range []string{`{}`, `{"license":""}`, `{"license":"x","heartbeatInfo":{}}`, `{"license":"` + strings.Repeat("x", 65) + `"}`} {
		if _, err := DecodeLicenseRequest([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if _, err := DecodeLicenseBatch([]byte(`{"licenses":[{"license":"a"},{"license":"b"}]}`)); err != nil {
		t.Fatal(err)
	}
	a, err := NewLicenseActivateResponse(LicenseCodeInfo{Status: LicenseAlive, ExpireTime: "20230726121646", ProductID: "12345", Amount: 2, OrderID: "CS123"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Data.LicenseCodeInfo != `{"status":"ALIVE","expire_time":"20230726121646","product_id":"12345","amount":2,"order_id":"CS123"}` {
		t.Fatalf("license_code_info = %s", a.Data.LicenseCodeInfo)
	}
	if info, err := a.CodeInfo(); err != nil || info.Amount != 2 {
		t.Fatalf("%+v %v", info, err)
	}
}

func TestCodes(t *testing.T) {
	t.Parallel()
	if MKTIllegalOp.HTTPStatus() != 401 || MKTInvalidBodySign.HTTPStatus() != 400 || MKTTooManyRecords.HTTPStatus() != 500 || LicenseNotFound.HTTPStatus() != 200 {
		t.Fatal("documented HTTP statuses wrong")
	}
	if NewErrorResponse(MKTNoInstance).ErrorMsg != "Instance ID not found." || ResultProcessing.Meaning() == "" || ResultCode("999999").Known() {
		t.Fatal("messages wrong")
	}
}
