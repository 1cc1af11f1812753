package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/mercato-oss/mercato/kgp"
)

// concurrentDuplicates is how many copies of one newInstance the concurrency case sends at once:
// KooGallery retries while an earlier attempt may still be running, and the buyer-centre page
// re-calls newInstance in 1.0 (§6.1).
const concurrentDuplicates = 20

func idemRepeat(ctx context.Context, c *caseRun) (string, error) {
	o := c.fresh(mockPeriodYearNew)
	first, _, err := c.create(ctx, o)
	if err != nil {
		return "", err
	}
	second, _, err := c.create(ctx, o)
	if err != nil {
		return "", err
	}
	if first != second {
		return "", broke("idempotency", "second newInstance for the same %s returned a different instanceId (%s vs %s)", o, first, second)
	}
	return "same instanceId " + first, nil
}

func idemConcurrent(ctx context.Context, c *caseRun) (string, error) {
	o := c.fresh(mockPeriodYearNew)
	ids := make([]string, concurrentDuplicates)
	errs := make([]error, concurrentDuplicates)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range concurrentDuplicates {
		wg.Go(func() {
			<-start // release them together, so that they overlap at the merchant
			ids[i], _, errs[i] = c.create(ctx, o)
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return "", err
		}
	}
	distinct := slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(distinct) > 1 {
		shown := strings.Join(distinct[:min(3, len(distinct))], ", ")
		if len(distinct) > 3 {
			shown += ", …"
		}
		return "", broke("idempotency", "%d concurrent newInstance for one %s returned %d different instanceIds (%s)",
			concurrentDuplicates, o, len(distinct), shown)
	}
	return fmt.Sprintf("%d concurrent duplicates, one instanceId %s", concurrentDuplicates, ids[0]), nil
}

// idemLifecycle repeats the calls KooGallery may resend (§4.9): the merchant must answer success
// again. That a renewal is not applied twice is not observable from outside.
func idemLifecycle(ctx context.Context, c *caseRun) (string, error) {
	o := c.fresh(mockPeriodYearNew)
	id, _, err := c.create(ctx, o)
	if err != nil {
		return "", err
	}
	renew := c.refreshInstance(id, c.fresh(mockMonthRenew), kgp.SceneRenewal)
	reqs := []request{renew, renew, c.freeze(id, o, true), c.freeze(id, o, true)}
	if c.cfg.Generation == kgp.Gen2 {
		reqs = append(reqs, c.freeze(id, o, false), c.freeze(id, o, false))
	}
	for i, req := range reqs {
		what := req.label(c.cfg.Generation) + " of " + id
		if i%2 == 1 {
			what = "a repeated " + what
		}
		if err := c.send(ctx, req).expectSuccess("idempotency", what, false); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%d calls, each sent twice, all succeeded", len(reqs)/2), nil
}

func releaseRepeat(ctx context.Context, c *caseRun) (string, error) {
	id, _, err := c.create(ctx, c.fresh(mockPeriodYearNew))
	if err != nil {
		return "", err
	}
	release := c.releaseInstance(id, c.fresh(mockMonthUnsubscribe))
	if err := c.send(ctx, release).expectSuccess("acceptance", "releaseInstance of "+id, false); err != nil {
		return "", err
	}
	if err := c.send(ctx, release).expectSuccess("idempotency", "a repeated releaseInstance of "+id, false); err != nil {
		return "", err
	}
	return "second release succeeded", nil
}

// releaseUnknown accepts 000003 as well as 000000. §4.10 documents 000003 for release of an
// instance that does not exist, so it is a deliberate, documented answer; but KooGallery counts
// every non-000000 as a failure and retries (§7), which is why the reason recommends 000000.
// Anything else — an internal error, a parameter error, HTTP 500 — fails.
func releaseUnknown(ctx context.Context, c *caseRun) (string, error) {
	id := c.unique("mercato-check-unknown-")
	r := c.send(ctx, c.releaseInstance(id, c.fresh(mockMonthUnsubscribe)))
	if err := r.expectRejected("release without existence", "releaseInstance of an unknown instance",
		kgp.ResultSuccess, kgp.ResultInstanceNotFound); err != nil {
		return "", err
	}
	if r.code() == kgp.ResultInstanceNotFound {
		return "000003 (documented, §4.10; but KooGallery retries on it for an hour, 000000 is safer)", nil
	}
	return "000000", nil
}

// queryBatch creates kgp.MaxQueryInstances instances, since a merchant may rightly refuse unknown
// IDs, queries them in one call and releases them again.
func queryBatch(ctx context.Context, c *caseRun) (string, error) {
	orders := make([]order, kgp.MaxQueryInstances)
	for i := range orders {
		orders[i] = c.fresh(mockPeriodYearNew)
	}
	ids, err := c.createMany(ctx, orders, 8)
	if err != nil {
		return "", err
	}
	defer c.releaseAll(ctx, ids)
	r := c.send(ctx, c.queryInstance(ids...))
	if err := r.expectSuccess("queryInstance capacity", fmt.Sprintf("queryInstance of %d instanceIds", len(ids)), false); err != nil {
		return "", err
	}
	listed := map[string]bool{}
	for _, info := range r.resp.Info {
		listed[info.InstanceID] = true
	}
	var missing []string
	for _, id := range ids {
		if !listed[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return "", broke("queryInstance capacity", "queryInstance of %d instanceIds left out %d of them (first %s)", len(ids), len(missing), missing[0])
	}
	return fmt.Sprintf("all %d listed", len(ids)), nil
}

// releaseAll cleans up after queryBatch; the answers are not judged here (release.* cases do).
func (c *caseRun) releaseAll(ctx context.Context, ids []string) {
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c.send(ctx, c.releaseInstance(id, c.fresh(mockMonthUnsubscribe)))
		})
	}
	wg.Wait()
}
