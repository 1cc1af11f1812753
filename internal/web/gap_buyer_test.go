package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/promo"
)

// TestGapVouchers: the buyer's vouchers are listed in both languages, offered on the purchase
// form, and one chosen there pays part of the order; a used-up voucher chosen again is refused
// at its field; another buyer does not see them.
func TestGapVouchers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	vo, err := f.e.Vouchers.Issue(f.e.Ctx, f.shop.Seller, promo.IssueRequest{Kind: market.KindVoucher, BuyerID: f.buyer.BuyerID, Amount: 30_000,
		Scope: market.ScopeProduct, ScopeID: "p-shop", ValidUntil: f.e.Clock.Now().Add(30 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	c := f.login(f.token)
	for lang, want := range map[string]string{"en": "Vouchers and cash coupons", "zh-CN": "代金券与现金券"} {
		status, body, _ := f.get(c, "/my/vouchers", "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, want) || !strings.Contains(body, vo.ID) {
			t.Fatalf("%s vouchers: %d", lang, status)
		}
	}
	_, body, _ := f.get(c, "/products/p-shop", "Accept-Language", "en")
	if !strings.Contains(body, `name="gap_voucher" value="`+vo.ID+`"`) {
		t.Fatal("the purchase form does not offer the voucher")
	}
	buy := url.Values{"plan": {f.shop.Plans["plain"]}, "periods": {"1"}, "agree": {"yes"}, "key": {"k1"}, "gap_voucher": {vo.ID}}
	if status, _, _ := f.post(c, "/products/p-shop/buy", buy); status != http.StatusSeeOther {
		t.Fatalf("buy with a voucher: %d", status)
	}
	f.e.Settle()
	got, err := f.e.Vouchers.Voucher(f.e.Ctx, f.buyer, vo.ID)
	if err != nil || got.Balance != 0 {
		t.Fatalf("voucher after the purchase: %+v %v", got, err)
	}
	buy.Set("key", "k2")
	for _, lang := range []string{"en", "zh-CN"} {
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/products/p-shop/buy", strings.NewReader(buy.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", lang)
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: a used-up voucher: %d", lang, res.StatusCode)
		}
	}
	status, body, _ := f.post(c, "/products/p-shop/buy", buy)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-gap_voucher"`) {
		t.Fatalf("a used-up voucher is not refused at its field: %d %s", status, body[strings.Index(body, "alert"):][:600])
	}
	other, _ := f.otherBuyer()
	if _, body, _ := f.get(other, "/my/vouchers", "Accept-Language", "en"); strings.Contains(body, vo.ID) {
		t.Error("another buyer sees the voucher")
	}
}

// TestGapReturn: an approved unsubscription of received hardware is returned from the console
// with carrier and waybill; a short waybill is refused at its field; another buyer gets 404.
func TestGapReturn(t *testing.T) {
	t.Parallel()
	f := setup(t)
	key := f.e.Buy(f.buyer, f.shop, "hw", 0).Lines[0].ID
	if _, err := f.e.Hardware.SetAddress(f.e.Ctx, f.buyer, key, "9 Buyer Street"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Hardware.Ship(f.e.Ctx, f.shop.Seller, key, hardware.ShipRequest{Carrier: "SF", Waybill: "SF0001"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Hardware.Track(f.e.Ctx, market.AsOperator(), "SF", "SF0001", hardware.EventRequest{Status: market.WaybillSigned}); err != nil {
		t.Fatal(err)
	}
	u, err := f.e.Aftersale.Submit(f.e.Ctx, f.buyer, key, aftersale.SubmitRequest{Amount: 500_000, Reason: "faulty"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Aftersale.Review(f.e.Ctx, f.shop.Seller, u.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	c := f.login(f.token)
	_, body, _ := f.get(c, "/my/unsubscriptions", "Accept-Language", "en")
	if !strings.Contains(body, "/my/unsubscriptions/"+u.ID+"/return") {
		t.Fatal("no return link on the unsubscriptions")
	}
	for lang, want := range map[string]string{"en": "Return the goods", "zh-CN": "退回商品"} {
		status, body, _ := f.get(c, "/my/unsubscriptions/"+u.ID+"/return", "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, want) || !strings.Contains(body, "1 Return Road, shop") {
			t.Fatalf("%s return page: %d", lang, status)
		}
	}
	path := "/my/unsubscriptions/" + u.ID + "/return"
	status, body, _ := f.post(c, path, url.Values{"gap_carrier": {"SF"}, "gap_waybill": {"R1"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-gap_waybill"`) || !strings.Contains(body, `value="SF"`) {
		t.Fatalf("a short waybill: %d", status)
	}
	other, _ := f.otherBuyer()
	if status, _, _ := f.get(other, path); status != http.StatusNotFound {
		t.Errorf("another buyer sees the return: %d", status)
	}
	if status, _, _ := f.post(other, path, url.Values{"gap_carrier": {"SF"}, "gap_waybill": {"RT0001"}}); status != http.StatusNotFound {
		t.Errorf("another buyer returns the goods: %d", status)
	}
	if status, _, _ := f.post(c, path, url.Values{"gap_carrier": {"SF"}, "gap_waybill": {"RT0001"}}); status != http.StatusSeeOther {
		t.Fatalf("return: %d", status)
	}
	for _, lang := range []string{"en", "zh-CN"} {
		if status, body, _ := f.get(c, path, "Accept-Language", lang); status != http.StatusOK || !strings.Contains(body, "RT0001") {
			t.Errorf("%s after the return: %d", lang, status)
		}
	}
	if d, _ := f.e.Aftersale.Unsubscription(f.e.Ctx, f.buyer, u.ID); d.State != market.UnsubAwaitingInspect {
		t.Errorf("state %s", d.State)
	}
}
