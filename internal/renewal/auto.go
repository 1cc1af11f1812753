package renewal

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
)

// PolicyRequest sets an instance's expiry policy: AUTO_RENEW with the periods each renewal buys
// and how many renewals, DO_NOT_RENEW, or DEFAULT.
type PolicyRequest struct {
	Policy       market.ExpiryPolicy `json:"policy"`
	PeriodNumber int                 `json:"period_number,omitempty"`
	Renewals     int                 `json:"renewals,omitempty"`
}

// SetPolicy sets the expiry policy of one of the buyer's paid period instances (修改到期策略).
func (s *Service) SetPolicy(ctx context.Context, v market.Viewer, key string, r PolicyRequest) (*market.Renewal, error) {
	if err := v.MustBeBuyer(); err != nil {
		return nil, err
	}
	switch r.Policy {
	case market.PolicyAutoRenew:
		if r.PeriodNumber < 1 || r.PeriodNumber > 12 || r.Renewals < 1 || r.Renewals > 100 {
			return nil, market.Invalid("period_number", "auto-renewal buys 1 to 12 periods at a time, 1 to 100 times")
		}
	case market.PolicyDefault, market.PolicyDoNotRenew:
		r.PeriodNumber, r.Renewals = 0, 0
	default:
		return nil, market.Invalid("policy", "policy must be DEFAULT, AUTO_RENEW or DO_NOT_RENEW")
	}
	var p *market.Renewal
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		in, err := tx.Instance(ctx, key)
		if err != nil {
			return err
		}
		if err := v.Check("instance", key, in.BuyerID, in.MerchantID); err != nil {
			return err
		}
		if in.Charging != market.ChargingPeriod || in.Trial || in.State != market.InstanceActive || in.ExpireAt.IsZero() {
			return market.Errorf(market.CodeConflict, "only an active paid period instance with a validity has an expiry policy")
		}
		p = &market.Renewal{InstanceKey: key, BuyerID: in.BuyerID, Policy: r.Policy, Period: in.Period, PeriodNumber: r.PeriodNumber,
			RenewalsLeft: r.Renewals, UpdatedAt: s.clock.Now()}
		if err := tx.SetRenewal(ctx, p); err != nil {
			return err
		}
		return s.schedule(ctx, tx, in)
	})
	return p, err
}

// Policy returns an instance's expiry policy, to its buyer, its sellers and the operator.
func (s *Service) Policy(ctx context.Context, v market.Viewer, key string) (*market.Renewal, error) {
	in, err := s.db.Instance(ctx, key)
	if err != nil {
		return nil, err
	}
	if err := v.Check("instance", key, in.BuyerID, in.MerchantID); err != nil {
		return nil, err
	}
	return s.db.Renewal(ctx, key)
}

// AutoRenewArgs tries to renew an instance expiring at ExpireAt; Try counts the attempts.
type AutoRenewArgs struct {
	Key      string    `json:"key"`
	ExpireAt time.Time `json:"expire_at"`
	Try      int       `json:"try,omitempty"`
}

// Kind implements river.JobArgs.
func (AutoRenewArgs) Kind() string { return "auto_renewal" }

// AutoRenewWorker renews instances set to auto-renew.
type AutoRenewWorker struct {
	river.WorkerDefaults[AutoRenewArgs]
	S *Service
}

// Work renews the instance from the balance, once per expiry (the renewal's idempotency key).
// A balance that does not cover it tells the buyer and tries again the next day, until the
// expiry.
func (w *AutoRenewWorker) Work(ctx context.Context, job *river.Job[AutoRenewArgs]) error {
	s, a := w.S, job.Args
	in, err := s.db.Instance(ctx, a.Key)
	if err != nil || in.State != market.InstanceActive || !in.ExpireAt.Equal(a.ExpireAt) {
		return err
	}
	p, err := s.db.Renewal(ctx, a.Key)
	if err != nil || p.Policy != market.PolicyAutoRenew || p.RenewalsLeft < 1 {
		return err
	}
	period := strconv.FormatInt(a.ExpireAt.UnixMilli(), 10)
	o, err := s.orders.Renew(ctx, market.AsBuyer(in.BuyerID), a.Key, order.ChangeRequest{PeriodNumber: p.PeriodNumber, IdempotencyKey: "autorenew:" + a.Key + ":" + period})
	switch {
	case err == nil:
		return s.db.Write(ctx, func(tx *store.Tx) error {
			fresh, err := s.messages.Post(ctx, tx, in.BuyerID, "auto_renewal", "autorenew:"+a.Key+":"+period, "Renewed automatically",
				fmt.Sprintf("Instance %s was renewed automatically by order %s (%s) until %s.", a.Key, o.ID, o.Amount, o.Lines[0].ExpireAt.Format(time.RFC3339)))
			if err != nil || !fresh {
				return err
			}
			_, err = tx.UseRenewal(ctx, a.Key, s.clock.Now())
			return err
		})
	case market.ErrorCode(err) == market.CodePayment:
		return s.db.Write(ctx, func(tx *store.Tx) error {
			if _, err := s.messages.Post(ctx, tx, in.BuyerID, "auto_renewal_failed", "autorenew-failed:"+a.Key+":"+period+":"+strconv.Itoa(a.Try),
				"Automatic renewal failed", fmt.Sprintf("Instance %s could not be renewed automatically: %s. Top up before %s, or it expires.",
					a.Key, market.ErrorMessage(err), a.ExpireAt.Format(time.RFC3339))); err != nil {
				return err
			}
			next := s.clock.Now().AddDate(0, 0, 1)
			if !next.Before(a.ExpireAt) {
				return nil // it expires normally
			}
			return tx.Enqueue(ctx, AutoRenewArgs{Key: a.Key, ExpireAt: a.ExpireAt, Try: a.Try + 1}, opts(next))
		})
	default:
		s.log.Warn("auto-renewal not made", "instance", a.Key, "err", err)
		return nil
	}
}
