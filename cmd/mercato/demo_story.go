package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// The demo's story. Each step acts through the marketplace's services, moves business time as far
// as the rules need, and checks the outcome; instances carry over from step to step.

type demoStep struct {
	name string
	run  func(ctx context.Context) (string, error)
}

// story runs every step, printing a timeline, and returns how many failed.
func (e *demoEnv) story(ctx context.Context) int {
	var yearly, trial string
	steps := []demoStep{
		{"yearly purchase", func(ctx context.Context) (string, error) {
			var err error
			var detail string
			yearly, detail, err = e.purchase(ctx, false, "OFFIDEMOSTDYEAR", 1)
			return detail, err
		}},
		{"asynchronous provisioning", e.async},
		{"trial converted to formal", func(ctx context.Context) (string, error) {
			var err error
			trial, err = e.purchaseTrial(ctx)
			if err != nil {
				return "", err
			}
			return e.convert(ctx, trial)
		}},
		{"renewal", func(ctx context.Context) (string, error) { return e.renew(ctx, yearly) }},
		{"upgrade", func(ctx context.Context) (string, error) { return e.upgrade(ctx, trial) }},
		{"pay-per-use instance", func(ctx context.Context) (string, error) {
			_, detail, err := e.purchase(ctx, false, "OFFIDEMOAPICALLS", 0)
			return detail, err
		}},
		{"expiry, freeze, renewal in retention, release", e.expiry},
		{"merchant outage healed within the retry window", e.outage},
	}
	steps = append(steps, e.afterSaleSteps()...)
	if e.builtin != nil {
		steps = append(steps, demoStep{"joint operation: 1,200 users in three authSync batches, a department moved, a full sync, single sign-on, unbinding", e.joint})
	}
	steps = append(steps, e.publishingSteps()...)
	failed := 0
	for i, st := range steps {
		detail, err := st.run(ctx)
		mark := "ok  "
		if s, ok := err.(skipped); ok {
			mark, detail = "skip", string(s)
		} else if err != nil {
			mark, detail, failed = "FAIL", err.Error(), failed+1
		}
		fmt.Fprintf(e.out, "%d. [%s] %s %s\n   %s\n", i+1, e.clock.Now().Format(time.DateTime), mark, st.name, detail)
		if ctx.Err() != nil {
			return failed + len(steps) - i - 1
		}
	}
	return failed
}

// skipped is a step that did not run, with the reason: it is neither passed nor failed.
type skipped string

func (s skipped) Error() string { return string(s) }

// knobs changes the built-in merchant's behaviour; an external merchant's is its own.
func (e *demoEnv) knobs(change func(k *sdktest.Knobs)) {
	if e.builtin != nil {
		e.builtin.Set(change)
	}
}

func (e *demoEnv) settle(ctx context.Context) error {
	return e.s.DB.Settle(ctx, e.clock.Now, time.Minute)
}

// advance moves business time by d in steps, working what falls due after each.
func (e *demoEnv) advance(ctx context.Context, d, step time.Duration) error {
	end := e.clock.Now().Add(d)
	for e.clock.Now().Before(end) {
		e.clock.Set(minTime(e.clock.Now().Add(step), end))
		if err := e.settle(ctx); err != nil {
			return err
		}
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// await moves business time in steps (with a short real pause each, for work the merchant does
// in real time) until the instance reaches want, for at most limit of business time.
func (e *demoEnv) await(ctx context.Context, key string, want market.InstanceState, limit, step time.Duration) (*market.Instance, error) {
	end := e.clock.Now().Add(limit)
	for {
		if err := e.settle(ctx); err != nil {
			return nil, err
		}
		in, err := e.s.DB.Instance(ctx, key)
		if err != nil {
			return nil, err
		}
		if in.State == want {
			return in, nil
		}
		if !e.clock.Now().Before(end) {
			return in, fmt.Errorf("instance %s is %s after %s, want %s%s", key, in.State, limit, want, e.lastError(ctx, key))
		}
		time.Sleep(100 * time.Millisecond)
		e.clock.Advance(step)
	}
}

// lastError describes the latest failing call of an instance, for failure messages.
func (e *demoEnv) lastError(ctx context.Context, key string) string {
	calls, _, _ := e.s.DB.Calls(ctx, store.CallFilter{InstanceKey: key, Page: store.Page{Limit: 1}})
	if len(calls) == 0 || calls[0].LastError == "" {
		return ""
	}
	return fmt.Sprintf(" (last call %s: %s)", calls[0].Activity, calls[0].LastError)
}

func (e *demoEnv) purchase(ctx context.Context, trial bool, productID string, periods int) (string, string, error) {
	o, err := e.s.Orders.Purchase(ctx, market.AsBuyer(e.buyer), order.PurchaseRequest{Items: []order.Item{{ProductID: productID, PeriodNumber: periods}}, Trial: trial})
	if err != nil {
		return "", "", err
	}
	key := o.Lines[0].ID
	in, err := e.await(ctx, key, market.InstanceActive, 3*time.Hour+time.Minute, time.Minute)
	if err != nil {
		return key, "", err
	}
	if err := e.wantOrder(ctx, o.ID, market.OrderCompleted); err != nil {
		return key, "", err
	}
	return key, fmt.Sprintf("order %s (%s %s): instance %s %s%s, %s", o.ID, o.Amount, o.Currency, in.ID, in.State, until(in), e.login(in)), nil
}

func until(in *market.Instance) string {
	if in.ExpireAt.IsZero() {
		return ""
	}
	return " until " + in.ExpireAt.Format(time.DateTime)
}

// login shows the instance's appInfo as the buyer would see it, the user name decrypted.
func (e *demoEnv) login(in *market.Instance) string {
	var a kgp.AppInfo
	if json.Unmarshal(in.AppInfoJSON, &a) != nil {
		return "no appInfo"
	}
	user := a.UserName
	if in.EncryptType != "" && user != "" {
		var err error
		if user, err = kgp.DecryptCredential(e.merchant.AccessKey, kgp.EncryptType(in.EncryptType), a.UserName); err != nil {
			return "appInfo credentials do not decrypt: " + err.Error()
		}
	}
	return fmt.Sprintf("log in as %q at %s", user, a.FrontEndURL)
}

// wantOrder waits, in business time, for an order to leave PROCESSING — a merchant that fails
// its first attempts is retried for up to the 3-hour window — and checks where it ended.
func (e *demoEnv) wantOrder(ctx context.Context, id string, status market.OrderStatus) error {
	end := e.clock.Now().Add(3*time.Hour + time.Minute)
	for {
		if err := e.settle(ctx); err != nil {
			return err
		}
		o, err := e.s.DB.Order(ctx, id)
		if err != nil {
			return err
		}
		if o.Status != market.OrderProcessing || !e.clock.Now().Before(end) {
			if o.Status != status {
				return fmt.Errorf("order %s (%s) is %s, want %s %s%s", id, o.Type, o.Status, status, o.Reason, e.lastError(ctx, o.InstanceKey))
			}
			return nil
		}
		time.Sleep(50 * time.Millisecond) // work the merchant does in real time
		e.clock.Advance(time.Minute)
	}
}

// async buys the enterprise spec, which the built-in merchant takes 1.5 s (real time) to
// provision: past the SDK's budget, so newInstance answers 000004 and the marketplace polls.
func (e *demoEnv) async(ctx context.Context) (string, error) {
	start := e.clock.Now()
	e.knobs(func(k *sdktest.Knobs) { k.ProvisionDelay = 1500 * time.Millisecond })
	key, detail, err := e.purchase(ctx, false, "OFFIDEMOENTYEAR", 1)
	e.knobs(func(k *sdktest.Knobs) { k.ProvisionDelay = 0 })
	if err != nil {
		return "", err
	}
	calls, _, err := e.s.DB.Calls(ctx, store.CallFilter{InstanceKey: key, Page: store.Page{Limit: 50}})
	if err != nil {
		return "", err
	}
	polls, answered := 0, ""
	for _, c := range calls {
		switch kgp.Activity(c.Activity) {
		case kgp.ActivityNewInstance:
			answered = c.ResultCode
		case kgp.ActivityQueryInstance:
			polls += c.Attempts
		}
	}
	if answered != string(kgp.ResultProcessing) {
		if e.builtin != nil {
			return "", fmt.Errorf("newInstance answered %s, want 000004 from the built-in merchant's slow provisioning", answered)
		}
		return "", skipped("the merchant answered " + answered + " at once, so nothing was provisioned asynchronously; " + detail)
	}
	return fmt.Sprintf("newInstance answered 000004; %d queryInstance polls over %s of business time; %s",
		polls, e.clock.Now().Sub(start).Round(time.Second), detail), nil
}

func (e *demoEnv) purchaseTrial(ctx context.Context) (string, error) {
	key, _, err := e.purchase(ctx, true, "OFFIDEMOSTDMONTH", 0)
	if err != nil {
		return "", err
	}
	in, err := e.s.DB.Instance(ctx, key)
	if err != nil {
		return "", err
	}
	if !in.Trial || in.ExpireAt.Sub(in.CreatedAt) != 7*24*time.Hour {
		return "", fmt.Errorf("trial instance %+v is not a 7-day trial", in)
	}
	return key, e.advance(ctx, 2*24*time.Hour, 12*time.Hour)
}

func (e *demoEnv) convert(ctx context.Context, key string) (string, error) {
	o, err := e.s.Orders.ConvertTrial(ctx, market.AsBuyer(e.buyer), key, order.ChangeRequest{ProductID: "OFFIDEMOSTDMONTH", PeriodNumber: 1})
	if err != nil {
		return "", err
	}
	in, err := e.await(ctx, key, market.InstanceActive, time.Hour, time.Minute)
	if err != nil {
		return "", err
	}
	if err := e.wantOrder(ctx, o.ID, market.OrderCompleted); err != nil {
		return "", err
	}
	if in.Trial || !in.ExpireAt.Equal(e.clock.Now().AddDate(0, 1, 0)) && in.ExpireAt.Sub(o.CreatedAt) < 27*24*time.Hour {
		return "", fmt.Errorf("converted instance is trial=%v until %s", in.Trial, in.ExpireAt)
	}
	return fmt.Sprintf("7-day trial %s converted after 2 days by order %s (TRIAL_TO_FORMAL): paid%s", in.ID, o.ID, until(in)), nil
}

func (e *demoEnv) renew(ctx context.Context, key string) (string, error) {
	before, err := e.s.DB.Instance(ctx, key)
	if err != nil {
		return "", err
	}
	o, err := e.s.Orders.Renew(ctx, market.AsBuyer(e.buyer), key, order.ChangeRequest{PeriodNumber: 1})
	if err != nil {
		return "", err
	}
	if err := e.settle(ctx); err != nil {
		return "", err
	}
	if err := e.wantOrder(ctx, o.ID, market.OrderCompleted); err != nil {
		return "", err
	}
	in, err := e.s.DB.Instance(ctx, key)
	if err != nil {
		return "", err
	}
	if want := before.ExpireAt.AddDate(1, 0, 0); !in.ExpireAt.Equal(want) {
		return "", fmt.Errorf("renewed to %s, want %s", in.ExpireAt, want)
	}
	return fmt.Sprintf("order %s (RENEW, refreshInstance RENEWAL): %s extended from %s to %s", o.ID, in.ID,
		before.ExpireAt.Format(time.DateOnly), in.ExpireAt.Format(time.DateOnly)), nil
}

func (e *demoEnv) upgrade(ctx context.Context, key string) (string, error) {
	before, err := e.s.DB.Instance(ctx, key)
	if err != nil {
		return "", err
	}
	o, err := e.s.Orders.Upgrade(ctx, market.AsBuyer(e.buyer), key, order.ChangeRequest{ProductID: "OFFIDEMOPROMONTH"})
	if err != nil {
		return "", err
	}
	if err := e.settle(ctx); err != nil {
		return "", err
	}
	if err := e.wantOrder(ctx, o.ID, market.OrderCompleted); err != nil {
		return "", err
	}
	in, err := e.s.DB.Instance(ctx, key)
	if err != nil {
		return "", err
	}
	if in.ID != before.ID || in.SkuCode != "demo-pro" {
		return "", fmt.Errorf("upgraded instance is %s on %s", in.ID, in.SkuCode)
	}
	return fmt.Sprintf("order %s (CHANGE, upgradeInstance): %s moved from %s to %s for %s, same instanceId", o.ID, in.ID,
		before.SkuCode, in.SkuCode, o.Amount), nil
}

func (e *demoEnv) expiry(ctx context.Context) (string, error) {
	kept, _, err := e.purchase(ctx, false, "OFFIDEMOSTDMONTH", 1)
	if err != nil {
		return "", err
	}
	dropped, _, err := e.purchase(ctx, false, "OFFIDEMOSTDMONTH", 1)
	if err != nil {
		return "", err
	}
	in, err := e.s.DB.Instance(ctx, kept)
	if err != nil {
		return "", err
	}
	expiry := in.ExpireAt
	if err := e.advance(ctx, expiry.Sub(e.clock.Now())+time.Hour, 7*24*time.Hour); err != nil {
		return "", err
	}
	for _, k := range []string{kept, dropped} {
		if _, err := e.await(ctx, k, market.InstanceFrozen, time.Hour, 10*time.Minute); err != nil {
			return "", err
		}
	}
	if err := e.advance(ctx, 3*24*time.Hour, 24*time.Hour); err != nil {
		return "", err
	}
	if _, err := e.s.Orders.Renew(ctx, market.AsBuyer(e.buyer), kept, order.ChangeRequest{PeriodNumber: 1}); err != nil {
		return "", err
	}
	renewed, err := e.await(ctx, kept, market.InstanceActive, time.Hour, 10*time.Minute)
	if err != nil {
		return "", err
	}
	if !renewed.ExpireAt.Equal(addMonth(expiry)) {
		return "", fmt.Errorf("renewal in retention runs to %s, want %s (from the original expiry)", renewed.ExpireAt, addMonth(expiry))
	}
	if err := e.advance(ctx, 12*24*time.Hour+time.Hour, 24*time.Hour); err != nil {
		return "", err
	}
	gone, err := e.await(ctx, dropped, market.InstanceReleased, time.Hour, 10*time.Minute)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("both expired %s and were frozen; %s renewed in retention to %s (counted from the original expiry) and unfrozen; %s released after 15 days of retention",
		expiry.Format(time.DateOnly), renewed.ID, renewed.ExpireAt.Format(time.DateOnly), gone.ID), nil
}

// addMonth is one calendar month later, the last day of the month when the day does not exist.
func addMonth(t time.Time) time.Time {
	first := time.Date(t.Year(), t.Month()+1, 1, t.Hour(), t.Minute(), t.Second(), 0, t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(t.Day(), last)-1)
}

func (e *demoEnv) outage(ctx context.Context) (string, error) {
	if e.builtin == nil {
		return "", skipped("an external merchant cannot be taken down from here")
	}
	e.knobs(func(k *sdktest.Knobs) { k.Down = true })
	o, err := e.s.Orders.Purchase(ctx, market.AsBuyer(e.buyer), order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFIDEMOSTDMONTH", PeriodNumber: 1}}})
	if err != nil {
		e.knobs(func(k *sdktest.Knobs) { k.Down = false })
		return "", err
	}
	key := o.Lines[0].ID
	err = e.advance(ctx, 45*time.Minute, 5*time.Minute)
	e.knobs(func(k *sdktest.Knobs) { k.Down = false })
	if err != nil {
		return "", err
	}
	calls, _, err := e.s.DB.Calls(ctx, store.CallFilter{InstanceKey: key, Page: store.Page{Limit: 1}})
	if err != nil || len(calls) == 0 {
		return "", fmt.Errorf("no newInstance call recorded: %v", err)
	}
	failedAttempts := calls[0].Attempts
	in, err := e.await(ctx, key, market.InstanceActive, time.Hour, 5*time.Minute)
	if err != nil {
		return "", err
	}
	if failedAttempts < 3 {
		return "", fmt.Errorf("only %d attempts during a 45-minute outage", failedAttempts)
	}
	return fmt.Sprintf("merchant down for 45 min: %d newInstance attempts failed (HTTP 503), then the next retry created %s; order %s completed",
		failedAttempts, in.ID, o.ID), nil
}
