package enterprise

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// handleCalls registers the five kit interfaces. None is retried by itself (§5, §7): a failed
// sync notifies the merchant and waits for the enterprise administrator.
func (s *Service) handleCalls() {
	for _, name := range []string{kgp.KitTenantSync, kgp.KitApplicationSync, kgp.KitAuthSync, kgp.KitSingleOrgSync, kgp.KitAllOrgSync} {
		s.calls.Handle(fulfil.Activity{Name: name, Window: fulfil.ShortWindow, Once: true, Answered: s.synced, GaveUp: s.syncFailed})
	}
}

// synced handles a kit answer: a success completes the sync and lets the next group of its
// binding go, in the transaction that records the answer.
func (s *Service) synced(ctx context.Context, tx *store.Tx, call *market.Call, r *kgp.Response) (bool, error) {
	if r.ResultCode != kgp.ResultSuccess {
		return false, nil
	}
	sy, err := tx.SyncByCall(ctx, call.ID)
	if err != nil {
		return false, err
	}
	if err := tx.LockBinding(ctx, sy.InstanceKey); err != nil {
		return false, err
	}
	now := s.clock.Now()
	if err := tx.SetSyncState(ctx, sy.ID, market.SyncDone, "", now); err != nil {
		return false, err
	}
	return true, s.pump(ctx, tx, sy.InstanceKey, now)
}

// syncFailed tells the merchant that a sync failed; it waits for the administrator's retry.
func (s *Service) syncFailed(ctx context.Context, tx *store.Tx, call *market.Call) error {
	sy, err := tx.SyncByCall(ctx, call.ID)
	if err != nil {
		return err
	}
	s.log.Warn("kit sync failed; the enterprise administrator may retry it", "call", call.ID, "kind", call.Activity,
		"merchant", call.MerchantID, "tenant", sy.TenantID, "error", call.LastError)
	return tx.InsertKitNotice(ctx, &market.KitNotice{ID: market.NewUUID(), MerchantID: call.MerchantID, TenantID: sy.TenantID, CallID: call.ID,
		Message: fmt.Sprintf("%s to your production interface failed (%s); the syncs after it wait until the enterprise's administrator retries it",
			call.Activity, call.LastError), CreatedAt: s.clock.Now()})
}

// pump sends what may go of a binding's syncs: the first group that is not done, at most
// InFlight of its syncs at a time (more would only wait for the dispatcher's per-merchant slots,
// a second at a time). A later group waits until every sync of this one succeeded; a failed
// sync of this one holds it until the administrator retries. The caller holds the binding's
// lock (NextSyncGroup or LockBinding).
func (s *Service) pump(ctx context.Context, tx *store.Tx, key string, now time.Time) error {
	open, err := tx.OpenSyncs(ctx, key)
	if err != nil || len(open) == 0 {
		return err
	}
	g := open[0].Group
	var held []*market.KitSync
	inFlight := 0
	for _, sy := range open {
		if sy.Group != g {
			break
		}
		switch {
		case sy.State == market.SyncHeld:
			held = append(held, sy)
		case sy.CallState != market.CallFailed:
			inFlight++
		}
	}
	if len(held) == 0 || inFlight >= s.cfg.InFlight {
		return nil
	}
	b, err := tx.Binding(ctx, key)
	if err != nil {
		return err
	}
	for _, sy := range held[:min(len(held), s.cfg.InFlight-inFlight)] {
		req, err := tx.SyncRequest(ctx, sy.ID)
		if err != nil {
			return err
		}
		call := &market.Call{MerchantID: sy.MerchantID, Activity: sy.Kind, InstanceKey: key, OrderID: b.OrderID, Form: sy.Form, Request: req}
		if err := s.calls.Enqueue(ctx, tx, call, now); err != nil {
			return err
		}
		if err := tx.SetSyncState(ctx, sy.ID, market.SyncSent, call.ID, now); err != nil {
			return err
		}
	}
	return nil
}

// syncer builds and queues the syncs of one binding within one change.
type syncer struct {
	s   *Service
	tx  *store.Tx
	b   *market.Binding
	e   *market.Enterprise
	m   *market.Merchant
	now time.Time
}

func (s *Service) syncer(ctx context.Context, tx *store.Tx, b *market.Binding, e *market.Enterprise) (*syncer, error) {
	m, err := tx.Merchant(ctx, b.MerchantID)
	if err != nil {
		return nil, err
	}
	return &syncer{s: s, tx: tx, b: b, e: e, m: m, now: s.clock.Now()}, nil
}

// testFlag is 1 for a seller's test credential.
func (y *syncer) testFlag() int {
	if y.b.Test {
		return 1
	}
	return 0
}

// stamp is the placeholder timeStamp of a stored request; every send stamps it anew.
func (y *syncer) stamp() string { return kgp.FormatKitTimeStamp(y.now) }

func (y *syncer) tenant(flag int) kgp.KitRequest {
	return kgp.TenantSync{InstanceID: y.b.InstanceID, OrderID: y.b.OrderID, TenantID: y.e.TenantID, TenantCode: y.e.TenantCode,
		Name: y.e.Name, DomainName: y.e.DomainName, Flag: flag, TestFlag: y.testFlag(), TimeStamp: y.stamp()}
}

func (y *syncer) app(a *market.TenantApp, secret string, flag int) kgp.KitRequest {
	return kgp.ApplicationSync{InstanceID: y.b.InstanceID, TenantID: y.e.TenantID, AppID: a.AppID, ClientID: a.ClientID, ClientSecret: secret,
		Flag: flag, TestFlag: y.testFlag(), TimeStamp: y.stamp()}
}

func (y *syncer) org(d *market.Department, flag int) kgp.KitRequest {
	return kgp.SingleOrgSync{InstanceID: y.b.InstanceID, TenantID: y.e.TenantID, OrgCode: d.OrgCode, OrgName: d.Name, ParentCode: d.ParentCode,
		Flag: flag, TestFlag: y.testFlag(), TimeStamp: y.stamp()}
}

func (y *syncer) allOrgs(ds []*market.Department) kgp.KitRequest {
	list := make([]kgp.OrgInfo, len(ds))
	for i, d := range ds {
		list[i] = kgp.OrgInfo{OrgCode: d.OrgCode, OrgName: d.Name, ParentCode: d.ParentCode}
	}
	return kgp.AllOrgSync{InstanceID: y.b.InstanceID, TenantID: y.e.TenantID, OrgInfoList: list, TestFlag: y.testFlag(), TimeStamp: y.stamp()}
}

// auth splits users into authSync batches of at most 500 (§5.3).
func (y *syncer) auth(appID string, flag int, users []kgp.User) []kgp.KitRequest {
	var out []kgp.KitRequest
	for start := 0; start < len(users); start += kgp.MaxAuthSyncUsers {
		out = append(out, kgp.AuthSync{InstanceID: y.b.InstanceID, TenantID: y.e.TenantID, AppID: appID,
			UserList: users[start:min(start+kgp.MaxAuthSyncUsers, len(users))], CurrentSyncTime: y.stamp(), Flag: flag,
			TestFlag: y.testFlag(), TimeStamp: y.stamp()})
	}
	return out
}

// queue appends groups of syncs to the binding's sequence, each group after the previous, and
// sends what may go now. Empty groups are skipped.
func (y *syncer) queue(ctx context.Context, groups ...[]kgp.KitRequest) error {
	queued := false
	for _, reqs := range groups {
		if len(reqs) == 0 {
			continue
		}
		queued = true
		g, err := y.tx.NextSyncGroup(ctx, y.b.InstanceKey)
		if err != nil {
			return err
		}
		for _, r := range reqs {
			c, err := fulfil.NewCall(y.m, r)
			if err != nil {
				return fmt.Errorf("enterprise: encoding %s: %w", r.KitName(), err)
			}
			sy := &market.KitSync{ID: market.NewUUID(), InstanceKey: y.b.InstanceKey, TenantID: y.e.TenantID, MerchantID: y.m.ID,
				Kind: r.KitName(), Flag: flagOf(r), Group: g, State: market.SyncHeld, Form: c.Form, Request: c.Request,
				CreatedAt: y.now, UpdatedAt: y.now}
			if a, ok := r.(kgp.AuthSync); ok {
				sy.Users = len(a.UserList)
			}
			if err := y.tx.InsertSync(ctx, sy); err != nil {
				return err
			}
		}
	}
	if !queued {
		return nil // nothing new, and the binding's lock was not taken: pump only under it
	}
	return y.s.pump(ctx, y.tx, y.b.InstanceKey, y.now)
}

func flagOf(r kgp.KitRequest) int {
	switch v := r.(type) {
	case kgp.TenantSync:
		return v.Flag
	case kgp.ApplicationSync:
		return v.Flag
	case kgp.AuthSync:
		return v.Flag
	case kgp.SingleOrgSync:
		return v.Flag
	}
	return -1
}

// kitUser is a user as authSync carries it.
func kitUser(u *market.EnterpriseUser) kgp.User {
	return kgp.User{UserName: u.UserName, Name: u.Name, OrgCode: u.OrgCode, Position: u.Position, EmployeeCode: u.EmployeeCode,
		Role: u.Role, Enable: fmt.Sprint(u.Enabled), Mobile: u.Mobile, Email: u.Email}
}

// userState is a hash of what authSync tells the merchant about a user: a change of any of it
// is sent (flag 2), a change of anything else is not.
func userState(u *market.EnterpriseUser) string {
	b, _ := json.Marshal(kitUser(u))
	sum := sha256.Sum256(b)
	return base64.RawStdEncoding.EncodeToString(sum[:16])
}
