package aftersale

import (
	"context"
	"fmt"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Eligibility answers whether and how an instance can be unsubscribed now, and why not, in
// words (rules §3.1): its buyer, its merchant's sellers and the operator may ask.
func (s *Service) Eligibility(ctx context.Context, v market.Viewer, key string) (*market.Eligibility, error) {
	in, err := s.db.Instance(ctx, key)
	if err != nil {
		return nil, err
	}
	if err := v.Check("instance", key, in.BuyerID, in.MerchantID); err != nil {
		return nil, err
	}
	return s.eligibility(ctx, s.db.Reader, in)
}

// no is an answer that forbids, with its rule.
func no(e *market.Eligibility, format string, args ...any) (*market.Eligibility, error) {
	e.Eligible, e.Kinds = false, nil
	e.Rule = fmt.Sprintf(format, args...)
	return e, nil
}

// eligibility applies the §3.1 table and the global preconditions to an instance.
func (s *Service) eligibility(ctx context.Context, r store.Reader, in *market.Instance) (*market.Eligibility, error) {
	e := &market.Eligibility{InstanceKey: in.Key}
	now := s.clock.Now()
	used, err := r.NoReasonUses(ctx, in.BuyerID, now.In(s.cfg.Zone).Year())
	if err != nil {
		return nil, err
	}
	e.QuotaLeft = max(0, s.cfg.NoReasonQuota-used)
	if e.Paid, err = s.paid(ctx, r, in.Key); err != nil {
		return nil, err
	}
	switch {
	case in.State != market.InstanceActive && in.State != market.InstanceFrozen:
		return no(e, "instance %s is %s: there is nothing to unsubscribe", in.Key, in.State)
	case in.Trial:
		return no(e, "a trial has nothing to refund: it ends by itself (rules §9.4)")
	case in.Charging == market.ChargingOnDemand || in.Charging == market.ChargingOnDemandPkg:
		return no(e, "pay-per-use services and packages cannot be unsubscribed (rules §3.1, §8.1)")
	}
	if u, err := r.OpenUnsubscription(ctx, in.Key); err == nil {
		return no(e, "instance %s already has an open unsubscription request %s (%s)", in.Key, u.ID, u.State)
	} else if market.ErrorCode(err) != market.CodeNotFound {
		return nil, err
	}
	sales, err := r.Sales(ctx, store.SaleFilter{InstanceKey: in.Key})
	if err != nil {
		return nil, err
	}
	for _, sale := range sales {
		if sale.OrderID == "" {
			continue
		}
		inv, err := r.Invoice(ctx, sale.OrderID)
		if err != nil {
			return nil, err
		}
		if inv != nil && inv.State == market.InvoiceIssued {
			return no(e, "an invoice was issued for order %s: return it first (rules §3.1: no unsubscription while an invoice is outstanding)", sale.OrderID)
		}
	}
	flow, err := r.FlowOf(ctx, in.Key)
	if market.ErrorCode(err) == market.CodeNotFound {
		return s.unsupervised(ctx, r, in, e, sales)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case flow.Frozen:
		return no(e, "the service flow %s is frozen while its appeal is open (rules §4.3)", flow.ID)
	case flow.State == market.FlowCompleted:
		return no(e, "the transaction guarantee period ended when the service flow completed at %s: no refund outside it (rules §3.1)",
			flow.CompletedAt.Format(time.RFC3339))
	case flow.State == market.FlowClosed:
		return no(e, "the service flow %s is closed", flow.ID)
	}
	e.Eligible, e.Rule = true, "supervised: negotiated unsubscription within the transaction guarantee period (rules §3.1, §3.2)"
	e.NoReason = now.Before(in.CreatedAt.Add(s.cfg.NoReasonWindow)) && e.QuotaLeft > 0
	switch in.Delivery {
	case market.DeliveryLicense:
		taken, err := r.LicenseTaken(ctx, in.Key)
		if err != nil {
			return nil, err
		}
		if taken {
			return no(e, "the license code was taken: a license is not unsubscribed once its code is taken (rules §3.1)")
		}
		e.Kinds = []market.UnsubKind{market.UnsubNegotiated}
	case market.DeliveryHardware:
		shipped, signed, err := s.hardware.Shipped(ctx, r, in.Key)
		if err != nil {
			return nil, err
		}
		switch {
		case !shipped:
			e.Kinds, e.Rule = []market.UnsubKind{market.UnsubNotReceived}, "hardware not yet shipped: \"not received\" unsubscription (rules §3.3)"
		case !signed:
			return no(e, "the goods are in transit: a \"not received\" unsubscription is possible only before shipping, a return once they are received (rules §3.3)")
		default:
			e.Kinds, e.Rule = []market.UnsubKind{market.UnsubReceived}, "hardware received: return the goods for a refund (rules §3.3)"
		}
	default:
		e.Kinds = []market.UnsubKind{market.UnsubNegotiated}
	}
	return e, nil
}

// unsupervised answers for an instance without a service flow: images follow Huawei Cloud's
// resource rules (self-service); the rest cannot be unsubscribed.
func (s *Service) unsupervised(ctx context.Context, r store.Reader, in *market.Instance, e *market.Eligibility, sales []*market.Sale) (*market.Eligibility, error) {
	if in.Delivery != market.DeliveryImage {
		return no(e, "%s products without service supervision cannot be unsubscribed (rules §3.1)", in.Delivery)
	}
	now := s.clock.Now()
	e.NoReason = now.Before(in.CreatedAt.Add(s.cfg.NoReasonWindow)) && e.QuotaLeft > 0
	e.Kinds = []market.UnsubKind{market.UnsubSelfService}
	if e.NoReason {
		e.Eligible, e.Refund = true, e.Paid
		e.Rule = "5-day no-reason unsubscription: everything paid is refunded and vouchers are returned (rules §3.1)"
		return e, nil
	}
	if in.Charging != market.ChargingPeriod {
		return no(e, "a one-time purchase is refunded only within the 5-day no-reason window, with the year's quota left (%d of %d) (rules §3.1)",
			e.QuotaLeft, s.cfg.NoReasonQuota)
	}
	refund, err := s.unused(ctx, r, sales, now)
	if err != nil {
		return nil, err
	}
	e.Eligible, e.Refund = true, refund
	e.Rule = "beyond the 5-day no-reason window (or its yearly quota): the unused part is refunded, periods not yet started in full; vouchers are not returned (rules §3.1)"
	return e, nil
}

// unused is what an instance's paid periods have not used at now: the rest of the current
// period pro rata, and every period not yet started in full.
func (s *Service) unused(ctx context.Context, r store.Reader, sales []*market.Sale, now time.Time) (market.Money, error) {
	var total market.Money
	for _, sale := range sales {
		if sale.OrderID == "" {
			continue
		}
		o, err := r.Order(ctx, sale.OrderID)
		if err != nil {
			return 0, err
		}
		left := sale.Cash - sale.Refunded
		for _, l := range o.Lines {
			if "line:"+l.ID != sale.Ref || l.ExpireAt.IsZero() || !now.Before(l.ExpireAt) {
				continue
			}
			if now.Before(l.StartsAt) {
				total += left
				continue
			}
			total += market.Money(int64(left) * l.ExpireAt.Sub(now).Milliseconds() / l.ExpireAt.Sub(l.StartsAt).Milliseconds())
		}
	}
	return total, nil
}

// paid is what a buyer actually paid for an instance's orders (vouchers excluded), less what it
// had back: the most a negotiated refund may be (rules §3.2).
func (s *Service) paid(ctx context.Context, r store.Reader, key string) (market.Money, error) {
	sales, err := r.Sales(ctx, store.SaleFilter{InstanceKey: key})
	var total market.Money
	for _, sale := range sales {
		if sale.OrderID != "" {
			total += sale.Cash - sale.Refunded
		}
	}
	return total, err
}
