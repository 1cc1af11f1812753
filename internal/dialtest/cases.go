package dialtest

import (
	"context"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// The debug cases (rules §1.3), in the order KooGallery's debugging tool runs them against one
// fresh instance: create it from the documented yearly mock order, renew it, upgrade it (when
// the product is upgradable), freeze it as expiry does, release it. Every request carries
// testFlag=1. A fresh order line (2.0) or order ID (1.0) per run makes the merchant create a
// new instance each time, as its idempotency rules would otherwise hand back the old one.

// caseSpec is one debug case: its name and the request it sends, built from the instance the
// first case created.
type caseSpec struct {
	name  string
	build func(m *market.Merchant, instanceID string) any
}

// plan returns the cases of a run: the standard four, with upgrade when wanted.
func plan(runID string, upgrade bool, now time.Time) []caseSpec {
	suffix := strings.ToUpper(strings.ReplaceAll(runID, "-", ""))
	if len(suffix) > 12 {
		suffix = suffix[:12]
	}
	line := func(mock string) (string, string) { return mock, mock + "-" + suffix }
	expire := kgp.FormatExpireTime(now.AddDate(1, 0, 0))
	cases := []caseSpec{
		{market.CaseNew, func(m *market.Merchant, _ string) any {
			o, l := line("MOCKPERIODYEARNEW")
			if m.Generation == 1 {
				return kgp.LegacyNewInstance{CustomerID: "MOCKCUSTOMER0000000000000000000", CustomerName: "mock buyer", BusinessID: market.NewUUID(),
					OrderID: l, SkuCode: "MOCK-SKU", ProductID: "MOCKPERIODYEARNEW-PRODUCT", ChargingMode: 1, PeriodType: kgp.PeriodYear,
					PeriodNumber: 1, ExpireTime: expire, OrderAmount: "1000.000", TestFlag: kgp.TestFlagDebug}
			}
			return kgp.NewInstance{BusinessID: market.NewUUID(), OrderID: o, OrderLineID: l, TestFlag: kgp.TestFlagDebug}
		}},
		{market.CaseRenew, func(m *market.Merchant, id string) any {
			o, l := line("MOCKMONTYRENEW")
			if m.Generation == 1 {
				return kgp.LegacyRefreshInstance{OrderID: l, InstanceID: id, ExpireTime: expire, PeriodType: kgp.PeriodMonth, PeriodNumber: 1,
					OrderAmount: "100.000", TestFlag: kgp.TestFlagDebug}
			}
			return kgp.RefreshInstance{Scene: kgp.SceneRenewal, OrderID: o, OrderLineID: l, InstanceID: id, ExpireTime: expire, TestFlag: kgp.TestFlagDebug}
		}},
	}
	if upgrade {
		cases = append(cases, caseSpec{market.CaseUpgrade, func(m *market.Merchant, id string) any {
			o, l := line("MOCKMONTYCHANGE")
			if m.Generation == 1 {
				return kgp.LegacyUpgrade{InstanceID: id, OrderID: l, SkuCode: "MOCK-SKU-PRO", ProductID: "MOCKMONTYCHANGE-PRODUCT", TestFlag: kgp.TestFlagDebug}
			}
			return kgp.UpgradeInstance{InstanceID: id, OrderID: o, OrderLineID: l, TestFlag: kgp.TestFlagDebug}
		}})
	}
	return append(cases,
		caseSpec{market.CaseExpire, func(m *market.Merchant, id string) any {
			if m.Generation == 1 {
				_, l := line("MOCKPERIODYEARNEW")
				return kgp.LegacyExpireInstance{InstanceID: id, OrderID: l, TestFlag: kgp.TestFlagDebug}
			}
			return kgp.UpdateInstanceStatus{InstanceID: id, Status: kgp.StatusFreeze, TestFlag: kgp.TestFlagDebug}
		}},
		caseSpec{market.CaseRelease, func(m *market.Merchant, id string) any {
			if m.Generation == 1 {
				_, l := line("MOCKPERIODYEARNEW")
				return kgp.LegacyReleaseInstance{InstanceID: id, OrderID: l, TestFlag: kgp.TestFlagDebug}
			}
			return kgp.ReleaseInstance{InstanceID: id, TestFlag: kgp.TestFlagDebug}
		}})
}

// run sends a run's cases one after the other through the dispatcher's call path and records
// each. A case that cannot run (no instance was created) fails without being sent.
func run(ctx context.Context, calls *fulfil.Dispatcher, clock market.Clock, m *market.Merchant, r *market.DebugRun, cases []caseSpec) {
	instanceID := ""
	r.State = market.RunPassed
	for i, cs := range cases {
		c := market.DebugCase{N: i + 1, Name: cs.name, At: clock.Now()}
		if i > 0 && instanceID == "" {
			c.Activity, c.Error = "", "no instance: the new-purchase case did not create one"
		} else {
			id, processing := send(ctx, calls, m, cs.build(m, instanceID), &c)
			if c.Passed && processing {
				c.Passed = await(ctx, calls, m, id, &c)
			}
			if c.Passed && i == 0 {
				instanceID = id
			}
		}
		if !c.Passed {
			r.State = market.RunFailed
		}
		r.Cases = append(r.Cases, c)
	}
	r.FinishedAt = clock.Now()
}

// send makes one case's call and judges the answer: a signed, well-formed 000000 passes (a
// newInstance also with 000004), a newInstance only with an instanceId, which it returns with
// whether the merchant is still provisioning it (000004).
func send(ctx context.Context, calls *fulfil.Dispatcher, m *market.Merchant, req any, c *market.DebugCase) (string, bool) {
	call, err := fulfil.NewCall(m, req)
	if err != nil {
		c.Error = "cannot build the request: " + err.Error()
		return "", false
	}
	c.Activity = call.Activity
	out := calls.Probe(ctx, m, call)
	a := out.Attempt
	c.Request, c.Status, c.Response, c.ResultCode, c.Latency, c.Error = a.Request, a.Status, a.Response, a.ResultCode, a.Latency, a.Error
	if out.Response == nil {
		return "", false
	}
	code := out.Response.ResultCode
	switch {
	case code == kgp.ResultSuccess:
		c.Passed = call.Activity != string(kgp.ActivityNewInstance) || out.Response.InstanceID != ""
	case code == kgp.ResultProcessing && call.Activity == string(kgp.ActivityNewInstance):
		c.Passed = out.Response.InstanceID != ""
	}
	if !c.Passed && c.Error == "" {
		c.Error = strings.TrimSpace("resultCode " + string(code) + " " + out.Response.ResultMsg)
	}
	return out.Response.InstanceID, code == kgp.ResultProcessing
}

// pollBackoff is how long a run waits before each queryInstance of an instance whose newInstance
// answered 000004: about 15 s in all, as a debugging person would wait, not the 3 h an order does.
var pollBackoff = []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}

// await polls queryInstance until the merchant lists instance id with its appInfo (provisioning
// finished), so that the next cases find it; it reports whether it did.
func await(ctx context.Context, calls *fulfil.Dispatcher, m *market.Merchant, id string, c *market.DebugCase) bool {
	var req any = kgp.QueryInstance{InstanceID: id, TestFlag: kgp.TestFlagDebug}
	if m.Generation == 1 {
		req = kgp.LegacyQueryInstance{InstanceID: id, TestFlag: kgp.TestFlagDebug}
	}
	for _, wait := range pollBackoff {
		select {
		case <-ctx.Done():
			c.Error = "cancelled while waiting for the asynchronous newInstance"
			return false
		case <-time.After(wait):
		}
		call, err := fulfil.NewCall(m, req)
		if err != nil {
			c.Error = "cannot build queryInstance: " + err.Error()
			return false
		}
		out := calls.Probe(ctx, m, call)
		if r := out.Response; r != nil && r.ResultCode == kgp.ResultSuccess {
			for _, in := range r.Info {
				if in.InstanceID == id && in.AppInfo != nil { // ready, as for a yearly order (order.queried)
					return true
				}
			}
		}
	}
	c.Error = "newInstance answered 000004 and queryInstance did not list the instance with appInfo within 15 s"
	return false
}
