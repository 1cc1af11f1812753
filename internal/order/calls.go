package order

import (
	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// The requests the lifecycle sends, in the merchant's generation. Each builder returns the kgp
// request; fulfil encodes it once, and stamps, signs and gives newInstance a fresh businessId
// on every attempt.

// request is a lifecycle call before it is encoded: the kgp request, its merchant, and the
// instance and order it concerns.
type request struct {
	m           *market.Merchant
	instanceKey string
	orderID     string
	req         any // a kgp.BasicRequest or kgp.LegacyRequest
}

func newCall(m *market.Merchant, in *market.Instance, orderID string, req any) request {
	return request{m: m, instanceKey: in.Key, orderID: orderID, req: req}
}

// encode turns the request into the call fulfil stores and sends.
func (r request) encode() (*market.Call, error) {
	c, err := fulfil.NewCall(r.m, r.req)
	if err != nil {
		return nil, err
	}
	c.InstanceKey, c.OrderID = r.instanceKey, r.orderID
	return c, nil
}

// createCall asks the merchant to create the instance of an order line (protocol §4.1, §6.1).
func createCall(m *market.Merchant, o *market.Order, l *market.OrderLine, in *market.Instance, b *market.Buyer) request {
	if m.Generation == 2 {
		return newCall(m, in, o.ID, kgp.NewInstance{OrderID: o.ID, OrderLineID: l.ID, BusinessID: market.NewUUID(), TestFlag: kgp.TestFlagNormal})
	}
	r := kgp.LegacyNewInstance{
		CustomerID: b.CustomerID, CustomerName: b.Name, MobilePhone: b.Mobile, Email: b.Email,
		OrderID: o.ID, SkuCode: l.SkuCode, ProductID: l.ProductID, BusinessID: market.NewUUID(), TestFlag: kgp.TestFlagNormal,
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
	return newCall(m, in, o.ID, r)
}

// queryCall asks for an instance's appInfo (protocol §4.2).
func queryCall(m *market.Merchant, in *market.Instance) request {
	if m.Generation == 2 {
		return newCall(m, in, in.OrderID, kgp.QueryInstance{InstanceID: in.ID, TestFlag: kgp.TestFlagNormal})
	}
	return newCall(m, in, in.OrderID, kgp.LegacyQueryInstance{InstanceID: in.ID, TestFlag: kgp.TestFlagNormal})
}

// refreshCall tells the merchant about a renewal, a trial conversion or a cancelled renewal.
func refreshCall(m *market.Merchant, in *market.Instance, o *market.Order, l *market.OrderLine, scene string) request {
	if m.Generation == 2 {
		return newCall(m, in, o.ID, kgp.RefreshInstance{
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
	return newCall(m, in, o.ID, r)
}

// statusCall freezes or unfreezes an instance: updateInstanceStatus in 2.0; in 1.0
// expireInstance freezes a period instance and instanceStatus a pay-per-use one (§6.3, §6.6).
func statusCall(m *market.Merchant, in *market.Instance, freeze bool) request {
	if m.Generation == 2 {
		status := kgp.StatusUnfreeze
		if freeze {
			status = kgp.StatusFreeze
		}
		return newCall(m, in, "", kgp.UpdateInstanceStatus{InstanceID: in.ID, Status: status, TestFlag: kgp.TestFlagNormal})
	}
	if in.Charging == market.ChargingOnDemand || in.Charging == market.ChargingOnDemandPkg {
		status := kgp.StatusNormal
		if freeze {
			status = kgp.StatusFreeze
		}
		return newCall(m, in, "", kgp.LegacyInstanceStatus{InstanceID: in.ID, InstanceStatus: status, TestFlag: kgp.TestFlagNormal})
	}
	return newCall(m, in, in.OrderID, kgp.LegacyExpireInstance{InstanceID: in.ID, OrderID: in.OrderID, TestFlag: kgp.TestFlagNormal})
}

// releaseCall releases an instance; unsubscribe is the unsubscription order when there is one.
func releaseCall(m *market.Merchant, in *market.Instance, unsubscribe *market.Order) request {
	orderID, lineID := "", ""
	if unsubscribe != nil {
		orderID, lineID = unsubscribe.ID, unsubscribe.Lines[0].ID
	}
	if m.Generation == 2 {
		return newCall(m, in, orderID, kgp.ReleaseInstance{InstanceID: in.ID, OrderID: orderID, OrderLineID: lineID, TestFlag: kgp.TestFlagNormal})
	}
	if orderID == "" {
		orderID = in.OrderID // 1.0 release always names an order: the purchase when it is expiry
	}
	return newCall(m, in, orderID, kgp.LegacyReleaseInstance{InstanceID: in.ID, OrderID: orderID, TestFlag: kgp.TestFlagNormal})
}

// upgradeCall applies a paid upgrade to the same instance (§4.6, §6.5).
func upgradeCall(m *market.Merchant, in *market.Instance, o *market.Order, l *market.OrderLine) request {
	if m.Generation == 2 {
		return newCall(m, in, o.ID, kgp.UpgradeInstance{InstanceID: in.ID, OrderID: o.ID, OrderLineID: l.ID, TestFlag: kgp.TestFlagNormal})
	}
	return newCall(m, in, o.ID, kgp.LegacyUpgrade{InstanceID: in.ID, OrderID: o.ID, SkuCode: l.SkuCode, ProductID: l.ProductID, TestFlag: kgp.TestFlagNormal})
}
