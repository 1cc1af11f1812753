package sdk_test

import (
	"context"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

// seatMerchant answers changeInstanceCheck as a merchant whose instances have 10 seats in use:
// a renewal may change to any spec that keeps at least 10 seats (protocol §4.8).
type seatMerchant struct {
	*fakeMerchant
}

func (m seatMerchant) ChangeInstanceCheck(_ context.Context, c *sdk.ChangeInstanceCheckCall) error {
	m.record("changeInstanceCheck", c)
	if c.Product.LinearValue != 0 && c.Product.LinearValue < 10 {
		return sdk.Errorf(kgp.ResultInternalError, "10 seats are in use; cannot shrink to %d", c.Product.LinearValue)
	}
	return nil
}

// TestChangeInstanceCheck: the handler verifies and decodes changeInstanceCheck, finds the
// instance, and answers with the merchant's verdict; the check changes nothing.
func TestChangeInstanceCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	store := openStore(t, dir)
	m := seatMerchant{newFake()}
	h, err := sdk.NewHandler(sdk.Config{Key: testKey, KitKey: testKitKey, Store: store, Now: func() time.Time { return t0 }}, m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	b := &bundle{t: t, h: h, m: m.fakeMerchant, store: store, dir: dir}
	created := b.newInstance2("CSCHK", "CSCHK-000001")
	wantCode(t, created, kgp.ResultSuccess)
	id := created.InstanceID
	before, err := h.Instance(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	check := func(instanceID string, seats int) *kgp.Response {
		return do(t, h, b.basic(kgp.ChangeInstanceCheck{InstanceID: instanceID, TestFlag: kgp.TestFlagNormal,
			ProductInfo: &kgp.ProductInfo{ProductID: "OFFI-SEAT-M", SkuCode: "seats", LinearValue: seats, ProductName: "CRM Seats"}}))
	}
	cases := []struct {
		name  string
		id    string
		seats int
		want  kgp.ResultCode
	}{
		{"scale-in that fits", id, 10, kgp.ResultSuccess},
		{"scale-out", id, 50, kgp.ResultSuccess},
		{"scale-in below usage", id, 5, kgp.ResultInternalError},
		{"unknown instance", "nope", 20, kgp.ResultInstanceNotFound},
	}
	for _, tc := range cases {
		resp := check(tc.id, tc.seats)
		wantCode(t, resp, tc.want)
		if tc.want == kgp.ResultInternalError && resp.ResultMsg != "10 seats are in use; cannot shrink to 5" {
			t.Fatalf("%s: refusal message %q", tc.name, resp.ResultMsg)
		}
	}
	if n := m.count("changeInstanceCheck"); n != 3 {
		t.Fatalf("merchant asked %d times, want 3 (not for an unknown instance)", n)
	}
	last := m.lastCall("changeInstanceCheck").(*sdk.ChangeInstanceCheckCall)
	if last.Instance == nil || last.Instance.ID != id || last.Product.SkuCode != "seats" || last.Product.ProductName != "CRM Seats" || last.TestFlag {
		t.Fatalf("decoded call %+v", last)
	}
	// A check is a question: the instance is as it was.
	in, err := h.Instance(t.Context(), id)
	if err != nil || in.Status != before.Status || in.ProductID != before.ProductID || in.ExpireTime != before.ExpireTime {
		t.Fatalf("instance after checks %+v, before %+v, %v", in, before, err)
	}
}
