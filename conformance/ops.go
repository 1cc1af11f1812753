package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// The documented mock orders (§8.3, kgp.MockOrders), each used for the scenario it is named after.
const (
	mockPeriodYearNew    = "MOCKPERIODYEARNEW"
	mockOneTimeNew       = "MOCKONETIMENEW"
	mockOnDemand         = "MOCKONDEMAND"
	mockOnDemandPkg      = "MOCKONDEMANDPKG"
	mockPeriodDayTrial   = "MOCKPERIODDAYTRIAL"
	mockTrialToFormal    = "MOCKMONTYTRIALTOFORMAL"
	mockMonthUnsubscribe = "MOCKMONTYUNSUBSCRIBE"
	mockMonthRenew       = "MOCKMONTYRENEW"
	mockMonthChange      = "MOCKMONTYCHANGE"
)

// order identifies an order line. 1.0 calls have no order lines: their orderId alone is the
// idempotency key, so a fresh 1.0 order is a fresh orderId.
type order struct {
	mock string // the mock order it stands for
	id   string
	line string // empty in 1.0
}

// documented returns the mock order's one documented line, <id>-000001, as the debug tool sends it.
func (p *probe) documented(mock string) order {
	if p.cfg.Generation == kgp.Gen1 {
		return order{mock, mock, ""}
	}
	return order{mock, mock, mock + "-000001"}
}

// fresh returns a line of the mock order that neither this run nor an earlier one has used, for
// cases that must see a first create. The mock order's ID is kept, so a merchant that looks the
// order up in the open API finds it; the line suffix is the run's own.
func (p *probe) fresh(mock string) order {
	if p.cfg.Generation == kgp.Gen1 {
		return order{mock, p.unique(mock + "-"), ""}
	}
	return order{mock, mock, p.unique(mock + "-")}
}

func (o order) String() string {
	if o.line == "" {
		return "orderId " + o.id
	}
	return "orderLineId " + o.line
}

// expireTime is a year from now, the expiry of renewals and 1.0 period orders.
func (p *probe) expireTime() string { return kgp.FormatExpireTime(p.cfg.Now().AddDate(1, 0, 0)) }

func (p *probe) newInstance(o order, businessID string) request {
	if p.cfg.Generation == kgp.Gen2 {
		return request{basic: kgp.NewInstance{BusinessID: businessID, OrderID: o.id, OrderLineID: o.line, TestFlag: kgp.TestFlagDebug}}
	}
	r := kgp.LegacyNewInstance{CustomerID: "mercato-check-customer", CustomerName: "mercato-check",
		BusinessID: businessID, OrderID: o.id, SkuCode: p.cfg.SkuCode, ProductID: p.cfg.ProductID, TestFlag: kgp.TestFlagDebug}
	switch o.mock {
	case mockPeriodYearNew:
		r.ChargingMode, r.PeriodType, r.PeriodNumber, r.ExpireTime = 1, kgp.PeriodYear, 1, p.expireTime()
	case mockOneTimeNew:
		r.ChargingMode = 3
	case mockPeriodDayTrial:
		r.TrialFlag, r.ExpireTime = "1", kgp.FormatExpireTime(p.cfg.Now().AddDate(0, 0, 7))
	}
	return request{legacy: r}
}

func (p *probe) queryInstance(ids ...string) request {
	joined := strings.Join(ids, ",")
	if p.cfg.Generation == kgp.Gen2 {
		return request{basic: kgp.QueryInstance{InstanceID: joined, TestFlag: kgp.TestFlagDebug}}
	}
	return request{legacy: kgp.LegacyQueryInstance{InstanceID: joined, TestFlag: kgp.TestFlagDebug}}
}

// refreshInstance renews (or, with kgp.SceneTrialToFormal, converts) instance id with order o.
func (p *probe) refreshInstance(id string, o order, scene string) request {
	if p.cfg.Generation == kgp.Gen2 {
		return request{basic: kgp.RefreshInstance{ExpireTime: p.expireTime(), InstanceID: id, OrderID: o.id,
			OrderLineID: o.line, Scene: scene, TestFlag: kgp.TestFlagDebug}}
	}
	r := kgp.LegacyRefreshInstance{OrderID: o.id, InstanceID: id, ExpireTime: p.expireTime(),
		PeriodType: kgp.PeriodMonth, PeriodNumber: 1, TestFlag: kgp.TestFlagDebug}
	if scene == kgp.SceneTrialToFormal {
		r.TrialToFormal = "1"
	}
	return request{legacy: r}
}

// freeze freezes (or, in 2.0, unfreezes) instance id: updateInstanceStatus in 2.0, expireInstance
// in 1.0, where o is the instance's purchase order.
func (p *probe) freeze(id string, o order, frozen bool) request {
	if p.cfg.Generation == kgp.Gen2 {
		status := kgp.StatusUnfreeze
		if frozen {
			status = kgp.StatusFreeze
		}
		return request{basic: kgp.UpdateInstanceStatus{InstanceID: id, Status: status, TestFlag: kgp.TestFlagDebug}}
	}
	return request{legacy: kgp.LegacyExpireInstance{InstanceID: id, OrderID: o.id, TestFlag: kgp.TestFlagDebug}}
}

func (p *probe) releaseInstance(id string, o order) request {
	if p.cfg.Generation == kgp.Gen2 {
		return request{basic: kgp.ReleaseInstance{InstanceID: id, OrderID: o.id, OrderLineID: o.line, TestFlag: kgp.TestFlagDebug}}
	}
	return request{legacy: kgp.LegacyReleaseInstance{InstanceID: id, OrderID: o.id, TestFlag: kgp.TestFlagDebug}}
}

func (p *probe) upgradeInstance(id string, o order) request {
	if p.cfg.Generation == kgp.Gen2 {
		return request{basic: kgp.UpgradeInstance{InstanceID: id, OrderID: o.id, OrderLineID: o.line, TestFlag: kgp.TestFlagDebug}}
	}
	return request{legacy: kgp.LegacyUpgrade{InstanceID: id, OrderID: o.id, SkuCode: p.cfg.SkuCode,
		ProductID: p.cfg.ProductID, TestFlag: kgp.TestFlagDebug}}
}

// create sends a correctly signed newInstance and returns the instanceId. Any refusal is an
// acceptance failure: the request is what KooGallery itself sends.
func (c *caseRun) create(ctx context.Context, o order) (string, *reply, error) {
	r := c.send(ctx, c.newInstance(o, newBusinessID()))
	if err := r.expectSuccess("acceptance", fmt.Sprintf("a correctly signed newInstance (%s)", o), true); err != nil {
		return "", r, err
	}
	id := r.resp.InstanceID
	switch {
	case id == "":
		return "", r, broke("acceptance", "newInstance (%s) answered %s without an instanceId (mandatory, §4.1)", o, r.code())
	case len(id) > 64:
		return "", r, broke("acceptance", "newInstance (%s) returned an instanceId of %d characters, at most 64 allowed (§4.1)", o, len(id))
	}
	return id, r, nil
}

// createMany creates one instance per order with a few calls in flight at once. The first
// failure stops the rest and is the one reported: the calls it cancels fail only because of it.
func (c *caseRun) createMany(ctx context.Context, orders []order, parallel int) ([]string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ids := make([]string, len(orders))
	var (
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, o := range orders {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			id, _, err := c.create(ctx, o)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil && ctx.Err() == nil {
				first = err
				cancel()
			}
			ids[i] = id
		})
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return ids, first
}

// queryInfo queries ids and returns the answer's InstanceInfo by instanceId. When a wanted
// instance has no appInfo yet and its provisioning was asynchronous, it polls as KooGallery does.
func (c *caseRun) queryInfo(ctx context.Context, ids []string, waitAppInfo bool) (map[string]kgp.InstanceInfo, *reply, error) {
	deadline := time.Now().Add(c.cfg.ProvisionWait)
	for {
		r := c.send(ctx, c.queryInstance(ids...))
		if err := r.expectSuccess("acceptance", fmt.Sprintf("a correctly signed queryInstance of %d id(s)", len(ids)), false); err != nil {
			return nil, r, err
		}
		got := map[string]kgp.InstanceInfo{}
		for _, info := range r.resp.Info {
			got[info.InstanceID] = info
		}
		pending := slices.ContainsFunc(ids, func(id string) bool { return got[id].AppInfo == nil })
		if !waitAppInfo || !pending || time.Now().After(deadline) {
			return got, r, nil
		}
		select {
		case <-ctx.Done():
			return nil, r, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
