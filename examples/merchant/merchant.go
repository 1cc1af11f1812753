package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

const (
	statusActive   = "active"
	statusFrozen   = "frozen"
	statusReleased = "released"
)

// merchant implements sdk.Merchant. The SDK has made every call authentic, well-formed and
// idempotent; what is left is the business.
type merchant struct {
	cfg      config
	db       *db
	log      *slog.Logger
	client   *sdk.Client   // nil without the open API
	reporter *sdk.Reporter // nil without the open API
	priv     *rsa.PrivateKey
	sessions sessions // signed-in joint-operation users (sso.go)
}

var _ sdk.Merchant = (*merchant)(nil)

// spec is what the demo provisions, read from whatever the call carries: the 1.0 parameters,
// the order fetched by the SDK, or, with neither, the order ID alone.
type spec struct {
	sku, product, plan string
	seats              int
	slow, ppu, trial   bool
	expire             string
}

func specOf(c *sdk.NewInstanceCall) spec {
	s := spec{plan: "standard", ppu: c.ChargingMode == kgp.ChargingOnDemand, product: c.ProductID}
	if l := c.Legacy; l != nil {
		s.sku, s.seats, s.trial, s.expire = l.SkuCode, l.Amount, l.TrialFlag == "1", l.ExpireTime
	}
	if line := c.Line; line != nil {
		s.trial, s.expire = line.TrialFlag == "1" || c.Order.OrderType == kgp.OrderTrial, line.ExpireTime
		if len(line.ProductInfo) > 0 {
			p := line.ProductInfo[0]
			s.sku, s.seats = p.SkuCode, p.LinearValue
			if p.ProductName != "" {
				s.plan = p.ProductName
			}
		}
	}
	if s.sku != "" && s.plan == "standard" {
		s.plan = s.sku
	}
	// "slow" anywhere in the spec or, when the order is unknown, in the order IDs: the way to
	// exercise asynchronous provisioning from a test or the sandbox.
	s.slow = strings.Contains(strings.ToLower(s.sku+s.product+s.plan+c.OrderID+c.OrderLineID), "slow")
	return s
}

// NewInstance creates the tenant of an instance. It is idempotent per InstanceID, as the SDK
// asks: after a restart it may be called again for an instance already half created.
func (m *merchant) NewInstance(ctx context.Context, c *sdk.NewInstanceCall) (*sdk.Provisioned, error) {
	var existing *instance
	m.db.view(func(s *state) { existing = s.Instances[c.InstanceID] })
	if existing != nil {
		return m.provisioned(existing), nil
	}
	sp := specOf(c)
	if sp.slow { // stands for real work: databases, DNS, certificates
		select {
		case <-time.After(m.cfg.SlowDelay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	in := &instance{ID: c.InstanceID, OrderID: c.OrderID, OrderLineID: c.OrderLineID, Sku: sp.sku, ProductID: sp.product,
		Plan: sp.plan, Seats: sp.seats, Trial: sp.trial, PayPerUse: sp.ppu, ExpireTime: sp.expire, Status: statusActive,
		UserName: "admin-" + c.InstanceID[:min(8, len(c.InstanceID))], Password: password(),
		History: []string{fmt.Sprintf("created from order %s (attempt %d, test=%v)", c.OrderID, c.Attempt, c.TestFlag)}}
	err := m.db.update(func(s *state) error {
		if prev, ok := s.Instances[in.ID]; ok { // a concurrent attempt won: keep its credentials
			in = prev
			return nil
		}
		s.Instances[in.ID] = in
		return nil
	})
	if err != nil {
		return nil, err
	}
	m.log.Info("demo instance created", "instance", in.ID, "plan", in.Plan, "slow", sp.slow, "payPerUse", in.PayPerUse)
	return m.provisioned(in), nil
}

func (m *merchant) provisioned(in *instance) *sdk.Provisioned {
	return &sdk.Provisioned{AppInfo: &kgp.AppInfo{
		FrontEndURL: m.cfg.PublicURL + "/-/app/" + in.ID,
		AdminURL:    m.cfg.PublicURL + "/-/app/" + in.ID + "?admin=1",
		UserName:    in.UserName,
		Password:    in.Password,
		Memo:        "Mercato demo instance, plan " + in.Plan,
	}}
}

// QueryInstance adds the cumulative usage of pay-per-use instances; the SDK supplies appInfo.
func (m *merchant) QueryInstance(_ context.Context, c *sdk.QueryInstanceCall) ([]kgp.InstanceInfo, error) {
	var out []kgp.InstanceInfo
	now := kgp.FormatTimeStamp(time.Now())
	m.db.view(func(s *state) {
		for _, sdkIn := range c.Instances {
			if in := s.Instances[sdkIn.ID]; in != nil && in.PayPerUse {
				out = append(out, kgp.InstanceInfo{InstanceID: in.ID, UsageInfo: []kgp.UsageInfo{{
					UsageValue: scaledNumber(in.Usage), StatisticalTime: now, DashboardURL: m.cfg.PublicURL + "/-/app/" + in.ID}}})
			}
		}
	})
	return out, nil
}

// change applies fn to a known instance; an instance this merchant never created (the SDK
// knew it, the merchant's data was lost) is reported as not found.
func (m *merchant) change(id string, fn func(in *instance)) error {
	return m.db.update(func(s *state) error {
		in := s.Instances[id]
		if in == nil {
			return sdk.ErrInstanceNotFound
		}
		fn(in)
		return nil
	})
}

// RefreshInstance sets the new expiry (an absolute time: applying it twice is harmless).
func (m *merchant) RefreshInstance(_ context.Context, c *sdk.RefreshInstanceCall) error {
	return m.change(c.Instance.ID, func(in *instance) {
		in.ExpireTime = kgp.FormatExpireTime(c.ExpireTime)
		if c.Scene == kgp.SceneTrialToFormal {
			in.Trial = false
		}
		if c.ProductID != "" {
			in.ProductID = c.ProductID
		}
		in.History = append(in.History, fmt.Sprintf("%s by order %s: expires %s", c.Scene, c.OrderID, in.ExpireTime))
	})
}

// UpdateInstanceStatus freezes or unfreezes; the front end refuses frozen instances.
func (m *merchant) UpdateInstanceStatus(_ context.Context, c *sdk.UpdateInstanceStatusCall) error {
	return m.change(c.Instance.ID, func(in *instance) {
		in.Status = statusActive
		if c.Status == kgp.StatusFreeze {
			in.Status = statusFrozen
		}
		in.History = append(in.History, "status "+c.Status)
	})
}

// ReleaseInstance marks the instance released and forgets its password.
func (m *merchant) ReleaseInstance(_ context.Context, c *sdk.ReleaseInstanceCall) error {
	err := m.change(c.Instance.ID, func(in *instance) {
		in.Status, in.Password = statusReleased, ""
		in.History = append(in.History, "released")
	})
	if err == sdk.ErrInstanceNotFound { // nothing to release is a release done
		return nil
	}
	return err
}

// UpgradeInstance reads the new spec from the 1.0 call or, in 2.0, from the upgrade order.
func (m *merchant) UpgradeInstance(ctx context.Context, c *sdk.UpgradeInstanceCall) error {
	sku, seats := "", 0
	if l := c.Legacy; l != nil {
		sku, seats = l.SkuCode, l.Amount
	} else if m.client != nil {
		order, err := m.client.QueryOrder(ctx, c.OrderID, c.OrderLineID)
		if err != nil {
			return err // 000005: KooGallery retries the upgrade for 3 hours
		}
		if len(order.OrderLine) > 0 && len(order.OrderLine[0].ProductInfo) > 0 {
			sku, seats = order.OrderLine[0].ProductInfo[0].SkuCode, order.OrderLine[0].ProductInfo[0].LinearValue
		}
	}
	return m.change(c.Instance.ID, func(in *instance) {
		if sku != "" {
			in.Sku, in.Plan = sku, sku
		}
		if seats > 0 {
			in.Seats = seats
		}
		in.History = append(in.History, "upgraded by order "+c.OrderID)
	})
}

// ChangeInstanceCheck refuses to shrink below the seats in use: the demo counts the
// authorized users of the instance.
func (m *merchant) ChangeInstanceCheck(_ context.Context, c *sdk.ChangeInstanceCheckCall) error {
	used := 0
	m.db.view(func(s *state) {
		for _, u := range s.Users {
			if u.InstanceID == c.Instance.ID && u.Authorized {
				used++
			}
		}
	})
	if c.Product.LinearValue > 0 && c.Product.LinearValue < used {
		return sdk.Errorf(kgp.ResultProductError, "%d users are authorized; the new spec has %d seats", used, c.Product.LinearValue)
	}
	return nil
}

// OrderNotify only logs: the demo provisions on newInstance.
func (m *merchant) OrderNotify(_ context.Context, c *sdk.OrderNotifyCall) error {
	m.log.Info("order paid", "order", c.OrderID, "line", c.OrderLineID, "test", c.TestFlag)
	return nil
}

// serveUsage records pay-per-use usage: POST instance=<id>&amount=<decimal>.
func (m *merchant) serveUsage(w http.ResponseWriter, r *http.Request) {
	id, amount := r.FormValue("instance"), kgp.Decimal(r.FormValue("amount"))
	v, err := amount.Scaled(kgp.UsageScale)
	if err != nil || v <= 0 {
		http.Error(w, "amount must be a positive decimal with at most 4 places", http.StatusBadRequest)
		return
	}
	if m.reporter != nil {
		if err := m.reporter.Record(r.Context(), sdk.Usage{InstanceID: id, Amount: amount, At: time.Now()}); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
	}
	if err := m.change(id, func(in *instance) { in.Usage += v }); err != nil {
		http.Error(w, "unknown instance", http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// password returns a random initial password of 16 characters.
func password() string {
	const chars = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b)
}
