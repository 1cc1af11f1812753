package order

import (
	"encoding/json"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// The requests the lifecycle sends, in the merchant's generation. Each builder returns the
// logical request; fulfil adds the signature, timestamp, nonce and a fresh businessId per attempt.

func newCall(m *market.Merchant, in *market.Instance, orderID string, activity kgp.Activity, req any) *market.Call {
	b, err := json.Marshal(req)
	if err != nil {
		panic(err) // kgp request types always marshal
	}
	return &market.Call{MerchantID: m.ID, Activity: string(activity), InstanceKey: in.Key, OrderID: orderID, Request: b}
}

// createCall asks the merchant to create the instance of an order line (protocol §4.1, §6.1).
func createCall(m *market.Merchant, o *market.Order, l *market.OrderLine, in *market.Instance, b *market.Buyer) *market.Call {
	if m.Generation == 2 {
		return newCall(m, in, o.ID, kgp.ActivityNewInstance, kgp.NewInstance{OrderID: o.ID, OrderLineID: l.ID, TestFlag: kgp.TestFlagNormal})
	}
	r := kgp.LegacyNewInstance{
		CustomerID: b.CustomerID, CustomerName: b.Name, MobilePhone: b.Mobile, Email: b.Email,
		OrderID: o.ID, SkuCode: l.SkuCode, ProductID: l.ProductID, TestFlag: kgp.TestFlagNormal,
		OrderAmount: o.Amount.String(),
	}
	switch l.Charging {
	case market.ChargingPeriod:
		r.ChargingMode, r.PeriodType, r.PeriodNumber = 1, l.Period, l.PeriodNumber
		r.ExpireTime = kgp.FormatExpireTime(l.ExpireAt)
	case market.ChargingOneTime:
		r.ChargingMode = 3
	}
	if in.Trial {
		r.TrialFlag, r.PeriodType, r.PeriodNumber = "1", "", 0
		r.ExpireTime = kgp.FormatExpireTime(l.ExpireAt)
	}
	return newCall(m, in, o.ID, kgp.ActivityNewInstance, r)
}

// queryCall asks for an instance's appInfo (protocol §4.2).
func queryCall(m *market.Merchant, in *market.Instance) *market.Call {
	if m.Generation == 2 {
		return newCall(m, in, in.OrderID, kgp.ActivityQueryInstance, kgp.QueryInstance{InstanceID: in.ID, TestFlag: kgp.TestFlagNormal})
	}
	return newCall(m, in, in.OrderID, kgp.ActivityQueryInstance, kgp.LegacyQueryInstance{InstanceID: in.ID, TestFlag: kgp.TestFlagNormal})
}

// refreshCall tells the merchant about a renewal, a trial conversion or a cancelled renewal.
func refreshCall(m *market.Merchant, in *market.Instance, o *market.Order, l *market.OrderLine, scene string) *market.Call {
	if m.Generation == 2 {
		return newCall(m, in, o.ID, kgp.ActivityRefreshInstance, kgp.RefreshInstance{
			Scene: scene, OrderID: o.ID, OrderLineID: l.ID, InstanceID: in.ID, ProductID: in.ProductID,
			ExpireTime: kgp.FormatExpireTime(in.ExpireAt), TestFlag: kgp.TestFlagNormal,
		})
	}
	r := kgp.LegacyRefreshInstance{OrderID: o.ID, InstanceID: in.ID, ProductID: in.ProductID,
		ExpireTime: kgp.FormatExpireTime(in.ExpireAt), PeriodType: l.Period, PeriodNumber: l.PeriodNumber,
		OrderAmount: o.Amount.String(), TestFlag: kgp.TestFlagNormal}
	switch scene {
	case kgp.SceneTrialToFormal:
		r.TrialToFormal = "1"
	case kgp.SceneUnsubscribeRenewalPeriod:
		// 1.0 tells a cancelled renewal by its negative amount (protocol §6.2).
		r.PeriodType, r.PeriodNumber = "", 0
	}
	return newCall(m, in, o.ID, kgp.ActivityRefreshInstance, r)
}

// statusCall freezes or unfreezes an instance: updateInstanceStatus in 2.0; in 1.0
// expireInstance freezes a period instance and instanceStatus a pay-per-use one (§6.3, §6.6).
func statusCall(m *market.Merchant, in *market.Instance, freeze bool) *market.Call {
	if m.Generation == 2 {
		status := kgp.StatusUnfreeze
		if freeze {
			status = kgp.StatusFreeze
		}
		return newCall(m, in, "", kgp.ActivityUpdateInstanceStatus, kgp.UpdateInstanceStatus{InstanceID: in.ID, Status: status, TestFlag: kgp.TestFlagNormal})
	}
	if in.Charging == market.ChargingOnDemand || in.Charging == market.ChargingOnDemandPkg {
		status := kgp.StatusNormal
		if freeze {
			status = kgp.StatusFreeze
		}
		return newCall(m, in, "", kgp.ActivityInstanceStatus, kgp.LegacyInstanceStatus{InstanceID: in.ID, InstanceStatus: status, TestFlag: kgp.TestFlagNormal})
	}
	return newCall(m, in, in.OrderID, kgp.ActivityExpireInstance, kgp.LegacyExpireInstance{InstanceID: in.ID, OrderID: in.OrderID, TestFlag: kgp.TestFlagNormal})
}

// releaseCall releases an instance; unsubscribe is the unsubscription order when there is one.
func releaseCall(m *market.Merchant, in *market.Instance, unsubscribe *market.Order) *market.Call {
	orderID, lineID := "", ""
	if unsubscribe != nil {
		orderID, lineID = unsubscribe.ID, unsubscribe.Lines[0].ID
	}
	if m.Generation == 2 {
		return newCall(m, in, orderID, kgp.ActivityReleaseInstance, kgp.ReleaseInstance{InstanceID: in.ID, OrderID: orderID, OrderLineID: lineID, TestFlag: kgp.TestFlagNormal})
	}
	if orderID == "" {
		orderID = in.OrderID // 1.0 release always names an order: the purchase when it is expiry
	}
	return newCall(m, in, orderID, kgp.ActivityReleaseInstance, kgp.LegacyReleaseInstance{InstanceID: in.ID, OrderID: orderID, TestFlag: kgp.TestFlagNormal})
}

// upgradeCall applies a paid upgrade to the same instance (§4.6, §6.5).
func upgradeCall(m *market.Merchant, in *market.Instance, o *market.Order, l *market.OrderLine) *market.Call {
	if m.Generation == 2 {
		return newCall(m, in, o.ID, kgp.ActivityUpgradeInstance, kgp.UpgradeInstance{InstanceID: in.ID, OrderID: o.ID, OrderLineID: l.ID, TestFlag: kgp.TestFlagNormal})
	}
	return newCall(m, in, o.ID, kgp.ActivityUpgrade, kgp.LegacyUpgrade{InstanceID: in.ID, OrderID: o.ID, SkuCode: l.SkuCode, ProductID: l.ProductID, TestFlag: kgp.TestFlagNormal})
}
