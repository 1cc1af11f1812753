package conformance

import (
	"context"
	"fmt"
	"slices"

	"github.com/mercato-oss/mercato/kgp"
)

// acceptNewInstance sends what the platform's debug tool sends: the documented mock line.
func acceptNewInstance(ctx context.Context, c *caseRun) (string, error) {
	id, r, err := c.create(ctx, c.documented(mockPeriodYearNew))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s, instanceId %s", r.code(), id), nil
}

func acceptQueryInstance(ctx context.Context, c *caseRun) (string, error) {
	ids, err := c.createMany(ctx, []order{c.fresh(mockOneTimeNew), c.fresh(mockOnDemandPkg)}, 2)
	if err != nil {
		return "", err
	}
	got, _, err := c.queryInfo(ctx, ids, false)
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		if _, ok := got[id]; !ok {
			return "", broke("acceptance", "queryInstance of %v has no info entry for %s, which newInstance just returned", ids, id)
		}
	}
	return fmt.Sprintf("both instances listed (%v)", ids), nil
}

func acceptRefreshInstance(ctx context.Context, c *caseRun) (string, error) {
	ids, err := c.createMany(ctx, []order{c.fresh(mockPeriodYearNew), c.fresh(mockPeriodDayTrial)}, 2)
	if err != nil {
		return "", err
	}
	steps := []struct {
		id    string
		o     order
		scene string
	}{
		{ids[0], c.fresh(mockMonthRenew), kgp.SceneRenewal},
		{ids[1], c.fresh(mockTrialToFormal), kgp.SceneTrialToFormal},
	}
	for _, s := range steps {
		r := c.send(ctx, c.refreshInstance(s.id, s.o, s.scene))
		if err := r.expectSuccess("acceptance", fmt.Sprintf("refreshInstance %s of %s", s.scene, s.id), false); err != nil {
			return "", err
		}
	}
	return "renewal and trial conversion accepted", nil
}

func acceptInstanceStatus(ctx context.Context, c *caseRun) (string, error) {
	o := c.fresh(mockOnDemand)
	id, _, err := c.create(ctx, o)
	if err != nil {
		return "", err
	}
	steps := []bool{true, false}
	if c.cfg.Generation == kgp.Gen1 {
		steps = steps[:1] // 1.0 expireInstance only freezes
	}
	for _, frozen := range steps {
		req := c.freeze(id, o, frozen)
		r := c.send(ctx, req)
		if err := r.expectSuccess("acceptance", req.label(c.cfg.Generation)+" of "+id, false); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%d status change(s) accepted", len(steps)), nil
}

func acceptReleaseInstance(ctx context.Context, c *caseRun) (string, error) {
	id, _, err := c.create(ctx, c.fresh(mockPeriodYearNew))
	if err != nil {
		return "", err
	}
	r := c.send(ctx, c.releaseInstance(id, c.fresh(mockMonthUnsubscribe)))
	if err := r.expectSuccess("acceptance", "releaseInstance of "+id, false); err != nil {
		return "", err
	}
	return "released " + id, nil
}

func acceptUpgradeInstance(ctx context.Context, c *caseRun) (string, error) {
	id, _, err := c.create(ctx, c.fresh(mockPeriodYearNew))
	if err != nil {
		return "", err
	}
	req := c.upgradeInstance(id, c.fresh(mockMonthChange))
	r := c.send(ctx, req)
	if err := r.expectSuccess("acceptance", req.label(c.cfg.Generation)+" of "+id, false); err != nil {
		return "", err
	}
	return "upgrade accepted", nil
}

// acceptKit sends the add of one kit interface. authSync and singleOrgSync name a department and
// an application, so the tenant is set up first, as KooGallery does: the enterprise, then its
// application, then its departments and users.
func acceptKit(name string) func(context.Context, *caseRun) (string, error) {
	return func(ctx context.Context, c *caseRun) (string, error) {
		t := c.newTenant()
		adds, _, err := c.kitAdds(t)
		if err != nil {
			return "", err
		}
		i := slices.IndexFunc(adds, func(k kitCall) bool { return k.name == name })
		if i < 0 { // only applicationSync can be missing
			_, err := c.applicationSync(t, kgp.FlagAdd)
			return "", err
		}
		if err := c.sendAll(ctx, "acceptance", "a correctly signed", adds[:i+1]); err != nil {
			return "", err
		}
		return name + " add accepted", nil
	}
}
