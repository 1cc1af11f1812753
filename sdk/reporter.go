package sdk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// Clock is the time source of the Reporter; tests pass a fake one and move it.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// UsagePusher pushes usage records; *Client implements it.
type UsagePusher interface {
	PushUsage(ctx context.Context, records []kgp.UsageRecord) error
}

// Defaults of ReporterConfig.
const (
	// DefaultPushAt is how far into an hour the previous hour is pushed: late enough for usage
	// recorded a little late to make it, early in KooGallery's minutes 0–15 (§8.6).
	DefaultPushAt = 2 * time.Minute
	// DefaultRetryEvery is the wait after a failed push.
	DefaultRetryEvery = time.Minute
	// usageMaxAge is how old a window KooGallery still accepts (MKT.9004 beyond, §8.6).
	usageMaxAge = 21 * 24 * time.Hour
)

// ReporterConfig configures a Reporter. Pusher and Store are required.
type ReporterConfig struct {
	Pusher UsagePusher
	// Store keeps the windows until KooGallery acknowledges them: usually the store the
	// Handler uses (a *sqlitestore.Store implements both).
	Store UsageStore
	Clock Clock // the real clock if nil
	// PushAt is the offset into each hour at which the previous hour is pushed; DefaultPushAt
	// if zero. It must stay under 15 minutes.
	PushAt     time.Duration
	RetryEvery time.Duration // DefaultRetryEvery if zero
	Logger     *slog.Logger
}

// Reporter aggregates pay-per-use usage per instance and UTC hour and pushes each hour once it
// has ended, inside minutes 0–15 of the next hour as KooGallery's hourly billing wants (§8.6).
// Windows are persisted until KooGallery acknowledges them and are marked delivered only then;
// each carries a metering_sn derived from its instance and hour, so a push repeated after a
// crash or a lost answer is discarded by KooGallery, and a delivered window is never sent
// again.
type Reporter struct {
	cfg ReporterConfig
}

// NewReporter returns a Reporter for cfg.
func NewReporter(cfg ReporterConfig) (*Reporter, error) {
	if cfg.Pusher == nil || cfg.Store == nil {
		return nil, errors.New("sdk: ReporterConfig.Pusher and Store are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	if cfg.PushAt <= 0 {
		cfg.PushAt = DefaultPushAt
	}
	if cfg.PushAt >= 15*time.Minute {
		return nil, errors.New("sdk: ReporterConfig.PushAt must be under 15 minutes")
	}
	if cfg.RetryEvery <= 0 {
		cfg.RetryEvery = DefaultRetryEvery
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Reporter{cfg: cfg}, nil
}

// Usage is one usage event.
type Usage struct {
	InstanceID string
	// Amount is the quantity used, above zero with at most four decimals (kgp.UsageScale).
	Amount kgp.Decimal
	// At is when the usage happened; it selects the hour window.
	At time.Time
	// RelatePkgInstance is the package the usage is deducted from, for packages that stop when
	// used up; all usage of an instance in one hour must name the same package.
	RelatePkgInstance string
}

// Record adds a usage event to its window. It fails with ErrWindowClosed when the hour was
// already reported, and for amounts KooGallery would refuse.
func (r *Reporter) Record(ctx context.Context, u Usage) error {
	if u.InstanceID == "" || len(u.InstanceID) > 64 {
		return &kgp.FieldError{Field: "instance_id", Problem: "mandatory, at most 64 characters"}
	}
	v, err := u.Amount.Scaled(kgp.UsageScale)
	if err != nil {
		return &kgp.FieldError{Field: "usage_value", Problem: err.Error()}
	}
	if v <= 0 {
		return &kgp.FieldError{Field: "usage_value", Problem: "must be greater than 0"}
	}
	hour := u.At.UTC().Truncate(time.Hour)
	if hour.Before(r.cfg.Clock.Now().Add(-usageMaxAge)) {
		return fmt.Errorf("sdk: usage of %s is older than 21 days: KooGallery refuses it", hour.Format(time.RFC3339))
	}
	begin, end := kgp.FormatSdkDate(hour), kgp.FormatSdkDate(hour.Add(time.Hour))
	return r.cfg.Store.AddUsage(ctx, UsageWindow{InstanceID: u.InstanceID, Hour: hour, Value: v,
		RelatePkgInstance: u.RelatePkgInstance, MeteringSN: MeteringSN(u.InstanceID, begin, end)})
}

// Flush pushes every window whose hour ended at least PushAt ago and is not delivered yet, and
// returns how many KooGallery acknowledged. Records KooGallery refuses for good (listed in
// abnormal_usage_data with a definite code) are marked rejected and not sent again; the others
// stay pending for the next Flush.
func (r *Reporter) Flush(ctx context.Context) (int, error) {
	now := r.cfg.Clock.Now().UTC()
	windows, err := r.cfg.Store.UndeliveredWindows(ctx, now.Add(-r.cfg.PushAt).Truncate(time.Hour))
	if err != nil || len(windows) == 0 {
		return 0, err
	}
	records := make([]kgp.UsageRecord, len(windows))
	for i, w := range windows {
		records[i] = kgp.UsageRecord{InstanceID: w.InstanceID, RecordTime: kgp.FormatSdkDate(now),
			BeginTime: kgp.FormatSdkDate(w.Hour), EndTime: kgp.FormatSdkDate(w.Hour.Add(time.Hour)),
			UsageValue: kgp.Decimal(formatScaled(w.Value)), MeteringSN: w.MeteringSN, RelatePkgInstance: w.RelatePkgInstance}
	}
	pushErr := r.cfg.Pusher.PushUsage(ctx, records)
	sent := len(records)
	if pushErr != nil {
		sent = 0
		if pe, ok := errors.AsType[*PushError](pushErr); ok {
			sent = pe.Sent
		}
	}
	sns := make([]string, sent)
	for i := range sent {
		sns[i] = records[i].MeteringSN
	}
	if err := r.cfg.Store.MarkDelivered(context.WithoutCancel(ctx), sns, now); err != nil {
		return 0, errors.Join(pushErr, err)
	}
	if pushErr == nil {
		r.cfg.Logger.Info("usage pushed", "windows", sent)
		return sent, nil
	}
	if er, ok := errors.AsType[*kgp.ErrorResponse](pushErr); ok {
		for _, a := range er.AbnormalUsageData {
			i := sent + a.Index
			if i < 0 || i >= len(records) || a.ErrorCode == "" || retryable(500, a.ErrorCode) {
				continue
			}
			reason := string(a.ErrorCode) + " " + a.ErrorMsg
			r.cfg.Logger.Error("usage window rejected by KooGallery", "instance", records[i].InstanceID,
				"begin", records[i].BeginTime, "reason", reason)
			if err := r.cfg.Store.MarkRejected(context.WithoutCancel(ctx), records[i].MeteringSN, reason, now); err != nil {
				return sent, errors.Join(pushErr, err)
			}
		}
	}
	return sent, pushErr
}

// Run flushes at PushAt past every hour until ctx ends, and RetryEvery after a failed flush.
// It flushes once at start, to catch up on hours missed while the process was down.
func (r *Reporter) Run(ctx context.Context) error {
	for {
		_, err := r.Flush(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		now := r.cfg.Clock.Now()
		next := now.Truncate(time.Hour).Add(r.cfg.PushAt)
		if !next.After(now) {
			next = next.Add(time.Hour)
		}
		if err != nil {
			r.cfg.Logger.Warn("usage push failed; retrying", "in", r.cfg.RetryEvery, "err", err)
			if retry := now.Add(r.cfg.RetryEvery); retry.Before(next) {
				next = retry
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.cfg.Clock.After(next.Sub(now)):
		}
	}
}

// formatScaled writes a value × 10^4 as a decimal without trailing zeros: 37500 is "3.75".
func formatScaled(v int64) string {
	s := strconv.FormatInt(v/1e4, 10)
	if frac := v % 1e4; frac != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%04d", frac), "0")
	}
	return s
}
