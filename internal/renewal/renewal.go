// Package renewal reminds buyers of expiries and renews automatically (rules §9.3, §9.4): each
// new expiry of a period instance schedules its reminders — 15, 7, 3 and 1 days before, only 3
// days before for "do not renew", none for auto-renewal — and each trial's, 15, 7, 3 and 1 days
// before its end at 10:00; an instance set to auto-renew is renewed from the balance before it
// expires, a failed payment reminds the buyer and is tried again daily until the expiry, after
// which the instance expires normally. Reminders go to the buyer's in-site messages (and email).
package renewal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/inbox"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
)

// Config holds the reminders' schedule.
type Config struct {
	// ExpiryDays are the days before an expiry a reminder goes out; DoNotRenewDays those for an
	// instance set not to renew; TrialDays those before a trial's end, at TrialHour o'clock.
	ExpiryDays     []int
	DoNotRenewDays []int
	TrialDays      []int
	TrialHour      int
	// AutoRenewDays is how many days before the expiry auto-renewal first tries to pay.
	AutoRenewDays int
	// Zone is the site's time zone (the trial reminders' 10:00).
	Zone *time.Location
}

// DefaultConfig is the documented schedule, with auto-renewal 7 days before the expiry.
func DefaultConfig() Config {
	return Config{ExpiryDays: []int{15, 7, 3, 1}, DoNotRenewDays: []int{3}, TrialDays: []int{15, 7, 3, 1}, TrialHour: 10, AutoRenewDays: 7, Zone: time.UTC}
}

// Service schedules reminders and auto-renewals.
type Service struct {
	db       *store.DB
	clock    market.Clock
	log      *slog.Logger
	orders   *order.Service
	messages *inbox.Service
	cfg      Config
}

// New returns the renewal service and hooks it into expiries.
func New(db *store.DB, clock market.Clock, log *slog.Logger, orders *order.Service, messages *inbox.Service, cfg Config) (*Service, error) {
	if db == nil || clock == nil || log == nil || orders == nil || messages == nil {
		return nil, errors.New("renewal: New needs a database, a clock, a logger, the order service and the inbox")
	}
	if cfg.TrialHour < 0 || cfg.TrialHour > 23 || cfg.AutoRenewDays < 0 {
		return nil, fmt.Errorf("renewal: trial hour %d must be 0 to 23 and auto-renewal days %d not negative", cfg.TrialHour, cfg.AutoRenewDays)
	}
	if cfg.Zone == nil {
		cfg.Zone = time.UTC
	}
	s := &Service{db: db, clock: clock, log: log, orders: orders, messages: messages, cfg: cfg}
	orders.OnExpirySet(s.schedule)
	return s, nil
}

// Queue is the renewal timers' River queue.
const Queue = "renewal"

// Register adds the reminder and auto-renewal workers and their queue.
func (s *Service) Register(j *store.Jobs) {
	store.AddWorker(j, &RemindWorker{S: s})
	store.AddWorker(j, &AutoRenewWorker{S: s})
	j.Queue(Queue, 2)
}

func opts(at time.Time) *river.InsertOpts {
	return &river.InsertOpts{Queue: Queue, ScheduledAt: at, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// schedule sets an expiry's reminders and its first auto-renewal attempt, in the transaction
// that set the expiry. Each timer carries the expiry it was set for, so a renewal needs no
// cancellation: the old ones find a later expiry and do nothing.
func (s *Service) schedule(ctx context.Context, tx *store.Tx, in *market.Instance) error {
	now := s.clock.Now()
	days := s.cfg.ExpiryDays
	if in.Trial {
		days = s.cfg.TrialDays
	} else {
		days = union(days, s.cfg.DoNotRenewDays)
	}
	for _, d := range days {
		at := in.ExpireAt.AddDate(0, 0, -d)
		if in.Trial {
			y, m, day := in.ExpireAt.In(s.cfg.Zone).AddDate(0, 0, -d).Date()
			at = time.Date(y, m, day, s.cfg.TrialHour, 0, 0, 0, s.cfg.Zone)
		}
		if !at.After(now) {
			continue
		}
		if err := tx.Enqueue(ctx, RemindArgs{Key: in.Key, ExpireAt: in.ExpireAt, Days: d, Trial: in.Trial}, opts(at)); err != nil {
			return err
		}
	}
	if in.Trial || in.Charging != market.ChargingPeriod {
		return nil
	}
	return tx.Enqueue(ctx, AutoRenewArgs{Key: in.Key, ExpireAt: in.ExpireAt}, opts(later(in.ExpireAt.AddDate(0, 0, -s.cfg.AutoRenewDays), now)))
}

func union(a, b []int) []int {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// RemindArgs reminds a buyer Days before the expiry (or trial end) at ExpireAt.
type RemindArgs struct {
	Key      string    `json:"key"`
	ExpireAt time.Time `json:"expire_at"`
	Days     int       `json:"days"`
	Trial    bool      `json:"trial,omitempty"`
}

// Kind implements river.JobArgs.
func (RemindArgs) Kind() string { return "expiry_reminder" }

// RemindWorker sends reminders.
type RemindWorker struct {
	river.WorkerDefaults[RemindArgs]
	S *Service
}

// Work posts the reminder once, if the instance still expires then and its policy wants it.
func (w *RemindWorker) Work(ctx context.Context, job *river.Job[RemindArgs]) error {
	s, a := w.S, job.Args
	return s.db.Write(ctx, func(tx *store.Tx) error {
		in, err := tx.Instance(ctx, a.Key)
		live := in.State == market.InstanceActive || in.State == market.InstancePending || in.State == market.InstanceProvisioning
		if err != nil || !live || !in.ExpireAt.Equal(a.ExpireAt) || in.Trial != a.Trial {
			return err
		}
		subject := fmt.Sprintf("%s expires in %d day(s)", in.SkuCode, a.Days)
		body := fmt.Sprintf("Instance %s (%s) expires at %s. Renew it before then to keep using it.", in.Key, in.SkuCode, in.ExpireAt.Format(time.RFC3339))
		kind := "expiry_reminder"
		if a.Trial {
			subject = fmt.Sprintf("Your trial of %s ends in %d day(s)", in.SkuCode, a.Days)
			body = fmt.Sprintf("The trial %s (%s) ends at %s. Convert it to a paid subscription to keep using it.", in.Key, in.SkuCode, in.ExpireAt.Format(time.RFC3339))
			kind = "trial_reminder"
		} else {
			p, err := tx.Renewal(ctx, a.Key)
			if err != nil {
				return err
			}
			want := s.cfg.ExpiryDays
			switch {
			case p.Policy == market.PolicyAutoRenew && p.RenewalsLeft > 0:
				want = nil // it renews itself; its failures remind
			case p.Policy == market.PolicyDoNotRenew:
				want = s.cfg.DoNotRenewDays
			}
			if !slices.Contains(want, a.Days) {
				return nil
			}
		}
		_, err = s.messages.Post(ctx, tx, in.BuyerID, kind, "remind:"+a.Key+":"+strconv.FormatInt(a.ExpireAt.UnixMilli(), 10)+":"+strconv.Itoa(a.Days), subject, body)
		return err
	})
}
