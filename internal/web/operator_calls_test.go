package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// TestOperatorRestartsAFailedCall: a merchant down for longer than the retry window leaves
// failed calls; the operator finds them by merchant and state and reads their attempts. The
// newInstance call's order was refunded, so its restart is refused with the reason; a renewal's
// call, restarted once the merchant is back, succeeds.
func TestOperatorRestartsAFailedCall(t *testing.T) {
	t.Parallel()
	f := setup(t)
	active := f.e.Buy(f.buyer, f.shop, "plain", 1)
	f.e.Settle()
	f.shop.Merchant.Set(func(k *sdktest.Knobs) { k.Down = true })
	f.e.Buy(f.buyer, f.shop, "plain", 1)
	if _, err := f.e.Orders.Renew(f.e.Ctx, f.buyer, active.Lines[0].ID, order.ChangeRequest{PeriodNumber: 1}); err != nil {
		t.Fatal(err)
	}
	f.e.Advance(4*time.Hour, 10*time.Minute)
	c := f.operator()
	failed, _, err := f.e.Calls.Calls(f.e.Ctx, market.AsOperator(), store.CallFilter{State: market.CallFailed, Page: store.Page{Limit: 10}})
	if err != nil || len(failed) != 2 {
		t.Fatalf("want 2 failed calls, have %d (%v)", len(failed), err)
	}
	body := f.page(c, "en", fmt.Sprintf("/operator/calls?merchant=%s&state=FAILED", f.shop.M.ID), http.StatusOK)
	for _, call := range failed {
		if !strings.Contains(body, "/operator/calls/"+call.ID) {
			t.Errorf("failed call %s (%s) is not listed", call.ID, call.Activity)
		}
	}
	if body = f.page(c, "en", "/operator/calls?merchant=m-none&state=FAILED", http.StatusOK); strings.Contains(body, failed[0].ID) {
		t.Errorf("the merchant filter lists another merchant's call")
	}
	f.shop.Merchant.Set(func(k *sdktest.Knobs) { k.Down = false })
	for _, call := range failed {
		path := "/operator/calls/" + call.ID
		body = f.page(c, "zh-CN", path, http.StatusOK)
		for _, want := range []string{"失败", "重新发起", "HTTP 状态 503", "毫秒"} {
			if !strings.Contains(body, want) {
				t.Errorf("failed %s page lacks %q", call.Activity, want)
			}
		}
		status, body, h := f.post(c, path+"/restart", nil)
		if call.Activity == "newInstance" {
			if status != http.StatusConflict || !strings.Contains(body, "该调用当前无法重新发起") {
				t.Errorf("restarting the refunded order's call: %d", status)
			}
			continue
		}
		if status != http.StatusSeeOther || h.Get("Location") != path {
			t.Fatalf("restart %s: %d %v", call.Activity, status, h)
		}
		f.e.Settle()
		body = f.page(c, "en", path, http.StatusOK)
		if !strings.Contains(body, "The call is restarted.") || !strings.Contains(body, "Succeeded") || !strings.Contains(body, "#") {
			t.Errorf("after restarting %s the page lacks the flash or the new state:\n%s", call.Activity, body)
		}
	}
}

// TestOperatorRetriesAPendingCallNow: a call waiting for its next attempt is tried at once when
// the operator asks, and answered once the merchant is back.
func TestOperatorRetriesAPendingCallNow(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.shop.Merchant.Set(func(k *sdktest.Knobs) { k.Down = true })
	o := f.e.Buy(f.buyer, f.shop, "plain", 1)
	pending, _, err := f.e.Calls.Calls(f.e.Ctx, market.AsOperator(), store.CallFilter{State: market.CallPending, Page: store.Page{Limit: 1}})
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending calls: %v %v", pending, err)
	}
	c := f.operator()
	path := "/operator/calls/" + pending[0].ID
	if body := f.page(c, "en", path, http.StatusOK); !strings.Contains(body, `action="`+path+`/retry"`) || strings.Contains(body, `action="`+path+`/restart"`) {
		t.Fatalf("a pending call offers retry now, not restart")
	}
	f.shop.Merchant.Set(func(k *sdktest.Knobs) { k.Down = false })
	if status, _, h := f.post(c, path+"/retry", nil); status != http.StatusSeeOther || h.Get("Location") != path {
		t.Fatalf("retry now: %d %v", status, h)
	}
	f.e.Settle()
	if in := f.e.Instance(o.Lines[0].ID); in.State != market.InstanceActive {
		t.Fatalf("after retrying now the instance is %s", in.State)
	}
}
