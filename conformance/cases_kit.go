package conformance

import (
	"context"
	"fmt"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// Kit calls have no read-back interface, so the kit cases can observe answers only: that a
// refused call changed nothing, or that a repeated add duplicated nothing, is invisible
// (docs/conformance.md, limits).

func kitSignature(ctx context.Context, c *caseRun) (string, error) {
	t := c.newTenant()
	other := c.newTenant()
	faults := []struct {
		what string
		opt  option
	}{
		{"a signature made with a wrong key", withKey(c.wrongKey())},
		{"a signature over another body", signedAs(c.tenantSync(other, kgp.FlagAdd))},
		{"no signature", unsigned()},
	}
	for _, f := range faults {
		r := c.send(ctx, c.tenantSync(t, kgp.FlagAdd), f.opt)
		if err := r.expectRejected("signature", "kit tenantSync with "+f.what, authCodes...); err != nil {
			return "", err
		}
	}
	adds, note, err := c.kitAdds(t)
	if err != nil {
		return "", err
	}
	for _, k := range adds[1:] {
		r := c.send(ctx, k.req, withKey(c.wrongKey()))
		if err := r.expectRejected("signature", "kit "+k.name+" with a wrong-key signature", authCodes...); err != nil {
			return "", err
		}
	}
	return "every bad kit signature refused with 000001" + note, nil
}

func kitStale(ctx context.Context, c *caseRun) (string, error) {
	adds, note, err := c.kitAdds(c.newTenant())
	if err != nil {
		return "", err
	}
	stale := at(c.cfg.Now().Add(-staleBy))
	for _, k := range adds {
		r := c.send(ctx, k.req, stale)
		if err := r.expectRejected("timestamp", "kit "+k.name+" with a timestamp 10 minutes old", stampCodes...); err != nil {
			return "", err
		}
	}
	return "stale kit calls refused" + note, nil
}

func kitReplay(ctx context.Context, c *caseRun) (string, error) {
	w, err := c.prepare(c.tenantSync(c.newTenant(), kgp.FlagAdd))
	if err != nil {
		return "", err
	}
	if err := c.sendWire(ctx, w).expectSuccess("acceptance", "the first kit tenantSync (before its replay)", false); err != nil {
		return "", err
	}
	if err := c.sendWire(ctx, w).expectRejected("replay", "the same signed kit tenantSync sent again (same x-nonce)", authCodes...); err != nil {
		return "", err
	}
	return "replay refused with 000001", nil
}

func kitMissingField(ctx context.Context, c *caseRun) (string, error) {
	t := c.newTenant()
	orgList := "orgInfoList"
	if c.cfg.Generation == kgp.Gen1 {
		orgList = "orgInfo"
	}
	drops := map[string]string{kgp.KitTenantSync: "tenantId", kgp.KitApplicationSync: "clientId",
		kgp.KitSingleOrgSync: "orgCode", kgp.KitAllOrgSync: orgList, kgp.KitAuthSync: "userList"}
	adds, note, err := c.kitAdds(t)
	if err != nil {
		return "", err
	}
	for _, k := range adds {
		r := c.send(ctx, k.req, dropField(drops[k.name]))
		if err := r.expectRejected("mandatory field", fmt.Sprintf("kit %s without %s", k.name, drops[k.name]), fieldCodes...); err != nil {
			return "", err
		}
	}
	return "every kit call without a mandatory field refused with 000002" + note, nil
}

func kitAddRepeat(ctx context.Context, c *caseRun) (string, error) {
	adds, note, err := c.kitAdds(c.newTenant())
	if err != nil {
		return "", err
	}
	if err := c.sendAll(ctx, "acceptance", "a correctly signed kit", adds); err != nil {
		return "", err
	}
	if err := c.sendAll(ctx, "idempotency", "a repeated kit add", adds); err != nil {
		return "", err
	}
	return "every add succeeded twice" + note, nil
}

func kitDeleteRepeat(ctx context.Context, c *caseRun) (string, error) {
	t := c.newTenant()
	adds, note, err := c.kitAdds(t)
	if err != nil {
		return "", err
	}
	deletes, _, err := c.kitDeletes(t)
	if err != nil {
		return "", err
	}
	if err := c.sendAll(ctx, "acceptance", "a correctly signed kit", adds); err != nil {
		return "", err
	}
	if err := c.sendAll(ctx, "acceptance", "a correctly signed kit delete", deletes); err != nil {
		return "", err
	}
	if err := c.sendAll(ctx, "idempotency", "a repeated kit delete", deletes); err != nil {
		return "", err
	}
	return "every delete succeeded twice" + note, nil
}

func kitDeleteUnknown(ctx context.Context, c *caseRun) (string, error) {
	deletes, note, err := c.kitDeletes(c.newTenant())
	if err != nil {
		return "", err
	}
	if err := c.sendAll(ctx, "delete without existence", "a kit delete of data never added,", deletes); err != nil {
		return "", err
	}
	return "deletes of unknown data succeeded" + note, nil
}

// kitAuthSync500 sets the tenant up first, so that a merchant that checks the users' department
// and application finds them.
func kitAuthSync500(ctx context.Context, c *caseRun) (string, error) {
	t := c.newTenant()
	adds, _, err := c.kitAdds(t)
	if err != nil {
		return "", err
	}
	if err := c.sendAll(ctx, "acceptance", "a correctly signed kit", adds[:len(adds)-1]); err != nil {
		return "", err
	}
	start := time.Now()
	r := c.send(ctx, c.authSync(t, kgp.FlagAdd, kgp.MaxAuthSyncUsers))
	if err := r.expectSuccess("authSync capacity", fmt.Sprintf("kit authSync of %d users", kgp.MaxAuthSyncUsers), false); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d users accepted in %s", kgp.MaxAuthSyncUsers, time.Since(start).Round(time.Millisecond)), nil
}

func kitAuthSync501(ctx context.Context, c *caseRun) (string, error) {
	t := c.newTenant()
	n := kgp.MaxAuthSyncUsers + 1
	r := c.send(ctx, c.authSync(t, kgp.FlagAdd, kgp.MaxAuthSyncUsers), mutate(addUser(c.user(t, n-1))))
	if r.err != nil {
		return "", r.err
	}
	if r.code() == kgp.ResultSuccess || r.code() == kgp.ResultProcessing {
		return "", broke("authSync limit", "kit authSync of %d users answered %s; at most %d per call (§5.3), want 000002", n, r.code(), kgp.MaxAuthSyncUsers)
	}
	return fmt.Sprintf("%d users refused with %s", n, describe(r.code())), nil
}
