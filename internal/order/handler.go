package order

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// handleCalls registers the lifecycle's merchant interfaces and what their answers do. Create,
// its polling and upgrade have three hours (protocol §7, rules §9.2), the rest one.
func (s *Service) handleCalls() {
	create := fulfil.Activity{Window: fulfil.LongWindow, GaveUp: s.undelivered, Restartable: s.restartable}
	upgrade := fulfil.Activity{Window: fulfil.LongWindow, Answered: s.upgraded, GaveUp: s.upgradeFailed, Restartable: s.restartable}
	simple := fulfil.Activity{Window: fulfil.ShortWindow, Answered: fulfil.Succeeded, Restartable: s.restartable}
	with := func(a fulfil.Activity, name kgp.Activity, answered func(context.Context, *store.Tx, *market.Call, *kgp.Response) (bool, error)) fulfil.Activity {
		a.Name = string(name)
		if answered != nil {
			a.Answered = answered
		}
		return a
	}
	acts := []fulfil.Activity{
		with(create, kgp.ActivityNewInstance, s.created),
		with(create, kgp.ActivityQueryInstance, s.queried),
		with(simple, kgp.ActivityRefreshInstance, s.refreshed),
		with(upgrade, kgp.ActivityUpgradeInstance, nil),
		with(upgrade, kgp.ActivityUpgrade, nil), // 1.0
		with(simple, kgp.ActivityReleaseInstance, s.released),
		with(simple, kgp.ActivityUpdateInstanceStatus, nil),
		with(simple, kgp.ActivityExpireInstance, nil), // 1.0
		with(simple, kgp.ActivityInstanceStatus, nil), // 1.0
		s.changeCheckActivity(),
	}
	s.activities = map[string]fulfil.Activity{}
	for _, a := range acts {
		s.activities[a.Name] = a
	}
	s.calls.Handle(acts...)
}

// released handles releaseInstance: release is idempotent, and an instance the merchant no
// longer knows is released. An unsubscription order completes with it.
func (s *Service) released(ctx context.Context, tx *store.Tx, call *market.Call, r *kgp.Response) (bool, error) {
	done := r.ResultCode == kgp.ResultSuccess || r.ResultCode == kgp.ResultInstanceNotFound
	if done && call.OrderID != "" {
		_, err := tx.SetOrderStatus(ctx, call.OrderID, market.OrderCompleted, 0, "", s.clock.Now())
		return true, err
	}
	return done, nil
}

// created handles newInstance: 000000 delivered, 000004 delivering (poll queryInstance).
func (s *Service) created(ctx context.Context, tx *store.Tx, call *market.Call, r *kgp.Response) (bool, error) {
	if r.ResultCode != kgp.ResultSuccess && r.ResultCode != kgp.ResultProcessing {
		return false, nil
	}
	in, err := tx.Instance(ctx, call.InstanceKey)
	if err != nil {
		return false, err
	}
	if in.State != market.InstancePending {
		return true, nil // a twin attempt already applied it
	}
	if r.InstanceID == "" || len(r.InstanceID) > 64 {
		call.LastError = fmt.Sprintf("resultCode %s without a valid instanceId", r.ResultCode)
		return false, nil
	}
	if other, err := tx.InstanceByID(ctx, r.InstanceID); err == nil && other.Key != in.Key {
		call.LastError = fmt.Sprintf("instanceId %s already belongs to order line %s", r.InstanceID, other.Key)
		return false, nil
	}
	m, err := tx.Merchant(ctx, in.MerchantID)
	if err != nil {
		return false, err
	}
	now := s.clock.Now()
	in.ID, in.UpdatedAt = r.InstanceID, now
	if r.AppInfo != nil { // 1.0 answers newInstance with appInfo
		if err := setAppInfo(in, m, r.AppInfo, r.EncryptType, now); err != nil {
			call.LastError = err.Error()
			return false, nil
		}
	}
	in.State = market.InstanceProvisioning
	if r.ResultCode == kgp.ResultSuccess {
		in.State = market.InstanceActive
	}
	if _, err := tx.UpdateInstance(ctx, in, market.InstancePending); err != nil {
		return false, err
	}
	// 2.0 newInstance carries only the instanceId: fetch appInfo, or poll until it exists.
	if in.AppInfoJSON == nil || in.State == market.InstanceProvisioning {
		if err := s.send(ctx, tx, queryCall(m, in), now); err != nil {
			return false, err
		}
	}
	if in.State == market.InstanceActive {
		return true, s.completeIfDelivered(ctx, tx, in.OrderID)
	}
	return true, nil
}

// queried handles queryInstance: the instance is ready when it is listed with appInfo (or, for
// pay-per-use, listed at all, as appInfo may be delivered by SMS or email).
func (s *Service) queried(ctx context.Context, tx *store.Tx, call *market.Call, r *kgp.Response) (bool, error) {
	in, err := tx.Instance(ctx, call.InstanceKey)
	if err != nil {
		return false, err
	}
	if in.State != market.InstanceProvisioning && in.State != market.InstanceActive {
		return true, nil // released or failed meanwhile: nothing to learn
	}
	var info *kgp.InstanceInfo
	for i := range r.Info {
		if r.Info[i].InstanceID == in.ID {
			info = &r.Info[i]
		}
	}
	onDemand := in.Charging == market.ChargingOnDemand || in.Charging == market.ChargingOnDemandPkg
	if r.ResultCode != kgp.ResultSuccess || info == nil || info.AppInfo == nil && !onDemand {
		call.LastError = fmt.Sprintf("resultCode %s: instance %s not ready", r.ResultCode, in.ID)
		return false, nil
	}
	m, err := tx.Merchant(ctx, in.MerchantID)
	if err != nil {
		return false, err
	}
	from := in.State
	if info.AppInfo != nil {
		if err := setAppInfo(in, m, info.AppInfo, r.EncryptType, s.clock.Now()); err != nil {
			call.LastError = err.Error()
			return false, nil
		}
	}
	in.State, in.UpdatedAt = market.InstanceActive, s.clock.Now()
	if _, err := tx.UpdateInstance(ctx, in, from); err != nil {
		return false, err
	}
	return true, s.completeIfDelivered(ctx, tx, in.OrderID)
}

// setAppInfo keeps the merchant's appInfo, after checking that its credentials decrypt with the
// merchant's key (an order fails if they do not, protocol §3.7). Credentials encrypted with a key
// rotated away a moment ago are accepted and kept re-encrypted with the current one.
func setAppInfo(in *market.Instance, m *market.Merchant, a *kgp.AppInfo, encryptType kgp.EncryptType, now time.Time) error {
	if encryptType != "" {
		for _, f := range []*string{&a.UserName, &a.Password} {
			if *f == "" {
				continue
			}
			if len(*f) > kgp.MaxCredentialLen {
				return fmt.Errorf("appInfo credential is %d characters, at most %d allowed", len(*f), kgp.MaxCredentialLen)
			}
			_, err := kgp.DecryptCredential(m.AccessKey, encryptType, *f)
			if err != nil && m.PreviousAccessKey != "" && now.Before(m.KeysRotatedAt.Add(market.RotationGrace)) {
				var plain string
				if plain, err = kgp.DecryptCredential(m.PreviousAccessKey, encryptType, *f); err == nil {
					*f, err = kgp.EncryptCredential(m.AccessKey, encryptType, plain)
				}
			}
			if err != nil {
				return fmt.Errorf("appInfo credential does not decrypt with encryptType %s: %v", encryptType, err)
			}
		}
	}
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	in.AppInfoJSON, in.EncryptType = b, string(encryptType)
	return nil
}

// refreshed handles refreshInstance: the order is complete, and a renewed or converted frozen
// instance is unfrozen.
func (s *Service) refreshed(ctx context.Context, tx *store.Tx, call *market.Call, r *kgp.Response) (bool, error) {
	if r.ResultCode != kgp.ResultSuccess {
		return false, nil
	}
	now := s.clock.Now()
	o, err := tx.Order(ctx, call.OrderID)
	if err != nil {
		return false, err
	}
	// A new order told its validity (supervised: from acceptance) completes with its flow.
	if o.Type != market.OrderNew {
		if _, err := tx.SetOrderStatus(ctx, call.OrderID, market.OrderCompleted, 0, "", now); err != nil {
			return false, err
		}
	}
	in, err := tx.Instance(ctx, call.InstanceKey)
	if err != nil || in.State != market.InstanceFrozen || !in.ExpireAt.After(now) {
		return true, err
	}
	m, err := tx.Merchant(ctx, in.MerchantID)
	if err != nil {
		return false, err
	}
	in.State, in.ReleaseAt, in.UpdatedAt = market.InstanceActive, time.Time{}, now
	if ok, err := tx.UpdateInstance(ctx, in, market.InstanceFrozen); err != nil || !ok {
		return true, err
	}
	if m.Generation == 2 { // 1.0 reactivates a period instance with refreshInstance itself
		if err := s.call(ctx, tx, in, statusCall(m, in, false)); err != nil {
			return false, err
		}
	}
	return true, nil
}

// upgraded handles upgradeInstance: the instance takes the new spec, the order is complete.
func (s *Service) upgraded(ctx context.Context, tx *store.Tx, call *market.Call, r *kgp.Response) (bool, error) {
	if r.ResultCode != kgp.ResultSuccess {
		return false, nil
	}
	o, err := tx.Order(ctx, call.OrderID)
	if err != nil {
		return false, err
	}
	in, err := tx.Instance(ctx, call.InstanceKey)
	if err != nil {
		return false, err
	}
	now := s.clock.Now()
	in.ProductID, in.SkuCode, in.Quantity, in.UpdatedAt = o.Lines[0].ProductID, o.Lines[0].SkuCode, o.Lines[0].Quantity, now
	if _, err := tx.UpdateInstance(ctx, in, in.State); err != nil {
		return false, err
	}
	_, err = tx.SetOrderStatus(ctx, o.ID, market.OrderCompleted, 0, "", now)
	return true, err
}

// undelivered applies a create (or the polling after a 000004) that never succeeded within its
// window: the order fails and is refunded (protocol §4.1).
func (s *Service) undelivered(ctx context.Context, tx *store.Tx, call *market.Call) error {
	in, err := tx.Instance(ctx, call.InstanceKey)
	if err != nil {
		return err
	}
	if in.State != market.InstancePending && in.State != market.InstanceProvisioning {
		return nil // an appInfo fetch for an active instance: the instance stays
	}
	from := in.State
	in.State, in.UpdatedAt = market.InstanceFailed, s.clock.Now()
	if _, err := tx.UpdateInstance(ctx, in, from); err != nil {
		return err
	}
	if err := s.refund(ctx, tx, in.OrderID, "the merchant did not deliver within 3 hours"); err != nil {
		return err
	}
	if in.ID != "" { // it answered 000004 once: tell it to clean up
		m, err := tx.Merchant(ctx, in.MerchantID)
		if err != nil {
			return err
		}
		return s.send(ctx, tx, releaseCall(m, in, nil), s.clock.Now())
	}
	return nil
}

// upgradeFailed refunds an upgrade the merchant did not apply within its window (§4.6).
func (s *Service) upgradeFailed(ctx context.Context, tx *store.Tx, call *market.Call) error {
	return s.refund(ctx, tx, call.OrderID, "the merchant did not apply the upgrade within 3 hours")
}

// refund fails a processing order and returns what it was paid with: the cash to the balance,
// the vouchers to the buyer.
func (s *Service) refund(ctx context.Context, tx *store.Tx, orderID, reason string) error {
	o, err := tx.Order(ctx, orderID)
	if err != nil {
		return err
	}
	amount, err := s.refundable(ctx, tx, o.ID)
	if err != nil {
		return err
	}
	if ok, err := tx.SetOrderStatus(ctx, o.ID, market.OrderRefunded, amount, reason, s.clock.Now(), market.OrderProcessing); err != nil || !ok {
		return err
	}
	_, err = s.refundAll(ctx, tx, o.ID)
	return err
}

// restartable refuses to restart a call whose order was refunded: the buyer has its money back.
func (s *Service) restartable(ctx context.Context, tx *store.Tx, call *market.Call) error {
	if call.OrderID == "" {
		return nil
	}
	o, err := tx.Order(ctx, call.OrderID)
	if err != nil {
		return err
	}
	if o.Status == market.OrderRefunded {
		return market.Errorf(market.CodeConflict, "order %s was refunded; its calls cannot be restarted", o.ID)
	}
	return nil
}
