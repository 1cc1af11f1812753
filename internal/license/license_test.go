package license_test

import (
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/license"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/kgp"
)

func heartbeats(codes ...string) []kgp.LicenseRequest {
	var rs []kgp.LicenseRequest
	for _, c := range codes {
		rs = append(rs, kgp.LicenseRequest{License: c, HeartbeatInfo: &kgp.HeartbeatInfo{ThirdPartyAccount: "alice", IP: "192.168.1.51"}})
	}
	return rs
}

var codeFormat = regexp.MustCompile(`^PL[A-Z2-7]{26}$`)

func TestNewCode(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		c := license.NewCode()
		if !codeFormat.MatchString(c) || seen[c] {
			t.Fatalf("code %q (seen before: %v)", c, seen[c])
		}
		seen[c] = true
	}
}

func TestIssueOnPurchase(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		o, codes := h.buy(order.Item{ProductID: "OFFI-LIC-M", PeriodNumber: 2}, order.Item{ProductID: "OFFI-LIC-ONCE"})
		if got, _ := h.db.Order(h.ctx, o.ID); got.Status != market.OrderCompleted {
			t.Fatalf("order is %s: a license order is delivered in the purchase", got.Status)
		}
		for i, tc := range []struct {
			expire string
		}{
			{kgp.FormatExpireTime(t0.AddDate(0, 2, 0))},
			{""}, // one-time: never expires
		} {
			l := codes[i]
			in, err := h.db.Instance(h.ctx, l.InstanceKey)
			if err != nil || in.State != market.InstanceActive || in.ID == "" || in.Delivery != market.DeliveryLicense {
				t.Fatalf("instance %+v, %v", in, err)
			}
			if !codeFormat.MatchString(l.Code) || l.MerchantID != "m-acme" || l.BuyerID != h.buyer || l.OrderID != o.ID || !l.ReceivedAt.IsZero() || !l.ActivatedAt.IsZero() {
				t.Fatalf("license %+v", l)
			}
			info := license.Info(l)
			want := kgp.LicenseInfo{LicenseCode: l.Code, Status: kgp.LicenseAlive, ExpireTime: tc.expire, ProductID: o.Lines[i].ProductID, OrderID: o.ID, Amount: 1}
			if *info != want {
				t.Fatalf("info\n got %+v\nwant %+v", info, want)
			}
		}
		if codes[0].Code == codes[1].Code {
			t.Fatal("two instances share a code")
		}
	})
}

func TestStatusFollowsInstance(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		l := h.received()
		if _, err := h.lic.Activate(h.ctx, market.AsSeller("m-acme"), l.Code, nil); err != nil {
			t.Fatal(err)
		}
		expiry := t0.AddDate(0, 1, 0)
		steps := []struct {
			name   string
			do     func()
			state  market.InstanceState
			status kgp.LicenseStatus
			expire time.Time
		}{
			{"bought", func() {}, market.InstanceActive, kgp.LicenseAlive, expiry},
			{"expired", func() { h.jump(expiry.Add(time.Minute)) }, market.InstanceFrozen, kgp.LicenseExpired, expiry},
			{"renewed in retention", func() {
				if _, err := h.orders.Renew(h.ctx, market.AsBuyer(h.buyer), l.InstanceKey, order.ChangeRequest{PeriodNumber: 1}); err != nil {
					t.Fatal(err)
				}
				h.jump(h.clock.Now().Add(time.Minute))
			}, market.InstanceActive, kgp.LicenseAlive, expiry.AddDate(0, 1, 0)},
			{"switched to yearly", func() {
				if _, err := h.orders.Renew(h.ctx, market.AsBuyer(h.buyer), l.InstanceKey, order.ChangeRequest{ProductID: "OFFI-LIC-Y", PeriodNumber: 1}); err != nil {
					t.Fatal(err)
				}
			}, market.InstanceActive, kgp.LicenseAlive, expiry.AddDate(1, 1, 0)},
			{"expired again", func() { h.jump(expiry.AddDate(1, 1, 0).Add(time.Minute)) }, market.InstanceFrozen, kgp.LicenseExpired, expiry.AddDate(1, 1, 0)},
			{"released after retention", func() { h.jump(expiry.AddDate(1, 1, 16)) }, market.InstanceReleased, kgp.LicenseReleased, expiry.AddDate(1, 1, 0)},
		}
		for _, st := range steps {
			st.do()
			cur := h.license(l.Code)
			if cur.State != st.state {
				t.Fatalf("%s: instance is %s, want %s", st.name, cur.State, st.state)
			}
			if got := h.status(l.Code); got != string(st.status) {
				t.Fatalf("%s: heartbeat says %s, want %s", st.name, got, st.status)
			}
			if info := license.Info(cur); info.ExpireTime != kgp.FormatExpireTime(st.expire) || info.ActivateTime != kgp.FormatExpireTime(t0) {
				t.Fatalf("%s: info %+v", st.name, info)
			}
		}
		if got := license.Info(h.license(l.Code)).ProductID; got != "OFFI-LIC-Y" {
			t.Fatalf("product_id %s after the switch to yearly", got)
		}
		// A released code is gone for activation, and for receipt.
		if _, err := h.lic.Activate(h.ctx, market.AsSeller("m-acme"), l.Code, nil); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("activation of a released code: %v", err)
		}
		if _, err := h.lic.Receive(h.ctx, market.AsBuyer(h.buyer), l.InstanceKey); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("receipt of a released code: %v", err)
		}
	})
}

// TestReleaseReleases: an instance the operator releases releases its code.
func TestReleaseReleases(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		l := h.received()
		if _, err := h.orders.Release(h.ctx, market.AsOperator(), l.InstanceKey, "released by the operator"); err != nil {
			t.Fatal(err)
		}
		if got := h.status(l.Code); got != string(kgp.LicenseReleased) {
			t.Fatalf("after the release: %s", got)
		}
	})
}

// TestUpgradeAppliesAtOnce: a license has no merchant to confirm an upgrade, so the instance
// takes the new spec, and the order completes, in the upgrade itself.
func TestUpgradeAppliesAtOnce(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		l := h.received()
		u, err := h.orders.Upgrade(h.ctx, market.AsBuyer(h.buyer), l.InstanceKey, order.ChangeRequest{ProductID: "OFFI-LICPRO-M"})
		if err != nil {
			t.Fatal(err)
		}
		if o, err := h.db.Order(h.ctx, u.ID); err != nil || o.Status != market.OrderCompleted {
			t.Fatalf("upgrade order: %+v, %v", o, err)
		}
		in, err := h.db.Instance(h.ctx, l.InstanceKey)
		if err != nil || in.SkuCode != "lic-pro" || in.ProductID != "OFFI-LICPRO-M" || in.State != market.InstanceActive {
			t.Fatalf("instance after upgrade %+v, %v", in, err)
		}
		if got := h.status(l.Code); got != string(kgp.LicenseAlive) {
			t.Fatalf("after upgrade: %s", got)
		}
	})
}

func TestActivate(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		_, codes := h.buy(order.Item{ProductID: "OFFI-LIC-M", PeriodNumber: 1})
		notReceived := codes[0]
		l := h.received()
		o2, err := h.orders.Purchase(h.ctx, market.AsBuyer(h.buyer), order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-OTHER-M", PeriodNumber: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		others, err := h.lic.Receive(h.ctx, market.AsOperator(), o2.Lines[0].ID) // the operator may confirm for the buyer
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, merchant, code string
			want                 market.Code
		}{
			{"not received", "m-acme", notReceived.Code, market.CodeConflict},
			{"unknown", "m-acme", "PLDOESNOTEXIST", market.CodeNotFound},
			{"another merchant's", "m-acme", others[0].Code, market.CodeNotFound},
			{"own code, wrong merchant", "m-other", l.Code, market.CodeNotFound},
		} {
			if _, err := h.lic.Activate(h.ctx, market.AsSeller(tc.merchant), tc.code, nil); market.ErrorCode(err) != tc.want {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
			}
		}
		first, err := h.lic.Activate(h.ctx, market.AsSeller("m-acme"), l.Code, &kgp.HeartbeatInfo{ThirdPartyAccount: "device-1", IP: "10.1.1.1"})
		if err != nil || !first.ActivatedAt.Equal(t0) {
			t.Fatalf("activation: %+v, %v", first, err)
		}
		h.clock.Advance(time.Hour)
		again, err := h.lic.Activate(h.ctx, market.AsSeller("m-acme"), l.Code, nil)
		if err != nil || !again.ActivatedAt.Equal(t0) || license.CodeInfo(again) != license.CodeInfo(first) {
			t.Fatalf("repeat: %+v, %v", again, err)
		}
		// Concurrent repeats agree, and each with heartbeatInfo is recorded.
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				got, err := h.lic.Activate(h.ctx, market.AsSeller("m-acme"), l.Code, &kgp.HeartbeatInfo{ThirdPartyAccount: "device-2"})
				if err != nil || !got.ActivatedAt.Equal(t0) {
					t.Errorf("concurrent activation: %+v, %v", got, err)
				}
			})
		}
		wg.Wait()
		hbs, err := h.lic.Heartbeats(h.ctx, market.AsSeller("m-acme"), l.Code, 0)
		if err != nil || len(hbs) != 9 || hbs[8].ThirdPartyAccount != "device-1" || hbs[8].IP != "10.1.1.1" || hbs[8].Kind != market.HeartbeatActivate {
			t.Fatalf("activations recorded: %+v, %v", hbs, err)
		}
	})
}

func TestConcurrentFirstActivations(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		l := h.received()
		var mu sync.Mutex
		times := map[time.Time]bool{}
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				h.clock.Advance(time.Duration(i) * time.Millisecond)
				got, err := h.lic.Activate(h.ctx, market.AsSeller("m-acme"), l.Code, nil)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				times[got.ActivatedAt] = true
				mu.Unlock()
			})
		}
		wg.Wait()
		if len(times) != 1 || !times[h.license(l.Code).ActivatedAt] {
			t.Fatalf("activation times %v, stored %v", times, h.license(l.Code).ActivatedAt)
		}
	})
}

func TestHeartbeatsRecordedAndListed(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		a, b := h.received(), h.received()
		_, fresh := h.buy(order.Item{ProductID: "OFFI-LIC-ONCE"}) // not received, not activated: still heartbeats
		res, err := h.lic.Heartbeat(h.ctx, market.AsSeller("m-acme"), "", heartbeats(a.Code, "PLUNKNOWN", b.Code, fresh[0].Code, a.Code))
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []string{a.Code, "", b.Code, fresh[0].Code, a.Code} {
			switch {
			case want == "" && market.ErrorCode(res[i].Err) != market.CodeNotFound:
				t.Fatalf("entry %d: %v", i, res[i].Err)
			case want != "" && (res[i].Err != nil || res[i].License.Code != want || license.Info(res[i].License).ActivateTime != ""):
				t.Fatalf("entry %d: %+v, %v", i, res[i].License, res[i].Err)
			}
		}
		h.clock.Advance(time.Minute)
		if _, err := h.lic.Heartbeat(h.ctx, market.AsSeller("m-acme"), "", []kgp.LicenseRequest{{License: a.Code}}); err != nil { // no heartbeatInfo
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			v     market.Viewer
			limit int
			want  int
			err   market.Code
		}{
			{"operator", market.AsOperator(), 0, 3, ""},
			{"buyer", market.AsBuyer(h.buyer), 0, 3, ""},
			{"limit", market.AsBuyer(h.buyer), 1, 1, ""},
			{"merchant", market.AsSeller("m-acme"), 0, 3, ""},
			{"another buyer", market.AsBuyer(market.NewHexID()), 0, 0, market.CodeNotFound},
			{"another merchant", market.AsSeller("m-other"), 0, 0, market.CodeNotFound},
		} {
			hbs, err := h.lic.Heartbeats(h.ctx, tc.v, a.Code, tc.limit)
			if tc.err != "" {
				if market.ErrorCode(err) != tc.err {
					t.Errorf("%s: %v", tc.name, err)
				}
				continue
			}
			if err != nil || len(hbs) != tc.want {
				t.Fatalf("%s: %d heartbeats, %v", tc.name, len(hbs), err)
			}
			// Newest first: the one without heartbeatInfo, a minute later.
			if hbs[0].ThirdPartyAccount != "" || !hbs[0].At.Equal(t0.Add(time.Minute)) || tc.want > 1 && (hbs[1].ThirdPartyAccount != "alice" || hbs[1].IP != "192.168.1.51") {
				t.Fatalf("%s: %+v", tc.name, hbs)
			}
		}
		if n, _ := h.db.CountHeartbeats(h.ctx, ""); n != 5 {
			t.Fatalf("%d heartbeats stored, want 5 (4 known entries and one without info)", n)
		}
	})
}
