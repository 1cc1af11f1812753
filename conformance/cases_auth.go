package conformance

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// The answers that count as refusing each kind of faulty request (constant tables).
var (
	authCodes  = []kgp.ResultCode{kgp.ResultAuthFailed}
	stampCodes = []kgp.ResultCode{kgp.ResultAuthFailed, kgp.ResultInvalidParam} // §14.3: Huawei's demo says 000002
	fieldCodes = []kgp.ResultCode{kgp.ResultInvalidParam}
)

// staleBy is how far off the timestamps of the timestamp cases are: far outside the ±60 s window.
const staleBy = 10 * time.Minute

// wrongKey is a key the merchant cannot hold.
func (p *probe) wrongKey() string { return "mercato-check-wrong-key-" + p.run }

// target is a request on an existing instance and the mandatory field the missing-field case
// leaves out of it ("" where the interface has none to leave out).
type target struct {
	req   request
	field string
}

// targets returns a request of every other basic interface on instance id of order o, each of
// which must be refused like newInstance. Upgrade is left out: it is optional (§0.1), and a
// merchant without it may refuse for that reason first.
func (c *caseRun) targets(id string, o order) []target {
	status := "status"
	if c.cfg.Generation == kgp.Gen1 {
		status = "instanceId" // expireInstance
	}
	query := "instanceId"
	if c.cfg.Generation == kgp.Gen1 {
		query = "" // optional in 1.0 (§6.7)
	}
	return []target{
		{c.queryInstance(id), query},
		{c.refreshInstance(id, c.fresh(mockMonthRenew), kgp.SceneRenewal), "expireTime"},
		{c.freeze(id, o, true), status},
		{c.releaseInstance(id, c.fresh(mockMonthUnsubscribe)), "instanceId"},
	}
}

// refuseNew sends faulty newInstance requests for a fresh order line, each with its own
// businessId, requires them refused with one of codes, and then checks they left nothing behind.
func (c *caseRun) refuseNew(ctx context.Context, rule string, codes []kgp.ResultCode, faults map[string][]option) error {
	o := c.fresh(mockPeriodYearNew)
	var rejected []string
	for _, what := range slices.Sorted(maps.Keys(faults)) {
		bid := newBusinessID()
		r := c.send(ctx, c.newInstance(o, bid), faults[what]...)
		if err := r.expectRejected(rule, "newInstance with "+what, codes...); err != nil {
			return err
		}
		rejected = append(rejected, bid)
	}
	return c.noSideEffect(ctx, o, rejected)
}

// noSideEffect looks for traces of refused newInstance requests. Many merchants use the businessId
// of the first call as instanceId (§4.1 recommends it), so a refused request that created an
// instance shows as a queryInstance entry under its businessId, or as the instanceId the first
// accepted newInstance for the line then returns. A merchant that makes up its own IDs hides such
// a create from any outside observer; docs/conformance.md lists this limit.
func (c *caseRun) noSideEffect(ctx context.Context, o order, rejected []string) error {
	r := c.send(ctx, c.queryInstance(rejected...))
	if r.resp != nil {
		for _, info := range r.resp.Info {
			if slices.Contains(rejected, info.InstanceID) {
				return broke("side effect", "queryInstance lists instance %s, the businessId of a refused newInstance: the refused request created it", info.InstanceID)
			}
		}
	}
	id, _, err := c.create(ctx, o)
	if err != nil {
		return err
	}
	if slices.Contains(rejected, id) {
		return broke("side effect", "the first accepted newInstance for %s returned instanceId %s, the businessId of a refused request: the refused request created it", o, id)
	}
	return nil
}

// refuseOthers sends every other basic interface for a new instance with the same fault.
func (c *caseRun) refuseOthers(ctx context.Context, rule, what string, codes []kgp.ResultCode, opts ...option) error {
	o := c.fresh(mockPeriodYearNew)
	id, _, err := c.create(ctx, o)
	if err != nil {
		return err
	}
	for _, t := range c.targets(id, o) {
		r := c.send(ctx, t.req, opts...)
		if err := r.expectRejected(rule, t.req.label(c.cfg.Generation)+" with "+what, codes...); err != nil {
			return err
		}
	}
	return nil
}

func authSignature(ctx context.Context, c *caseRun) (string, error) {
	o := c.fresh(mockPeriodYearNew)
	faults := map[string][]option{
		"a signature made with a wrong key": {withKey(c.wrongKey())},
		"a signature over another body":     {signedAs(c.newInstance(o, newBusinessID()))},
		"no signature":                      {unsigned()},
	}
	if err := c.refuseNew(ctx, "signature", authCodes, faults); err != nil {
		return "", err
	}
	if err := c.refuseOthers(ctx, "signature", "a wrong-key signature", authCodes, withKey(c.wrongKey())); err != nil {
		return "", err
	}
	return "every bad signature refused with 000001, no instance created", nil
}

func authStale(ctx context.Context, c *caseRun) (string, error) {
	stale := at(c.cfg.Now().Add(-staleBy))
	if err := c.refuseNew(ctx, "timestamp", stampCodes, map[string][]option{"a timestamp 10 minutes old": {stale}}); err != nil {
		return "", err
	}
	if err := c.refuseOthers(ctx, "timestamp", "a timestamp 10 minutes old", stampCodes, stale); err != nil {
		return "", err
	}
	return "stale requests refused, no instance created", nil
}

func authFuture(ctx context.Context, c *caseRun) (string, error) {
	ahead := at(c.cfg.Now().Add(staleBy))
	if err := c.refuseNew(ctx, "timestamp", stampCodes, map[string][]option{"a timestamp 10 minutes ahead": {ahead}}); err != nil {
		return "", err
	}
	return "a future timestamp refused, no instance created", nil
}

func authReplay(ctx context.Context, c *caseRun) (string, error) {
	o := c.fresh(mockPeriodYearNew)
	w, err := c.prepare(c.newInstance(o, newBusinessID()))
	if err != nil {
		return "", err
	}
	first := c.sendWire(ctx, w)
	if err := first.expectSuccess("acceptance", "the first newInstance (before its replay)", true); err != nil {
		return "", err
	}
	second := c.sendWire(ctx, w)
	if err := second.expectRejected("replay", "the same signed newInstance sent again (same nonce)", authCodes...); err != nil {
		return "", err
	}
	return "replay refused with 000001", nil
}

func authMissingField(ctx context.Context, c *caseRun) (string, error) {
	field := "orderLineId"
	if c.cfg.Generation == kgp.Gen1 {
		field = "customerId"
	}
	faults := map[string][]option{"no " + field: {dropField(field)}}
	if err := c.refuseNew(ctx, "mandatory field", fieldCodes, faults); err != nil {
		return "", err
	}
	o := c.fresh(mockPeriodYearNew)
	id, _, err := c.create(ctx, o)
	if err != nil {
		return "", err
	}
	n := 1
	for _, t := range c.targets(id, o) {
		if t.field == "" {
			continue
		}
		r := c.send(ctx, t.req, dropField(t.field))
		if err := r.expectRejected("mandatory field", fmt.Sprintf("%s without %s", t.req.label(c.cfg.Generation), t.field), fieldCodes...); err != nil {
			return "", err
		}
		n++
	}
	return fmt.Sprintf("%d requests without a mandatory field refused with 000002, no instance created", n), nil
}
