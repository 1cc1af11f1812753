// Package license issues license codes for LICENSE specs and answers the merchant software's
// activation and heartbeats (protocol §8.7).
//
// A purchase of a LICENSE spec creates its instance active at once and, in the same transaction,
// one license code (Deliver). The code's status is its instance's: ACTIVE is ALIVE, FROZEN
// (expired, kept for retention) is EXPIRED, RELEASED is RELEASED, so expiry, renewal and
// unsubscription move it without anything here. The buyer confirms receipt of the code (which
// enables activation); the merchant's software activates it once and then reports heartbeats,
// which are stored by group commit (Recorder) before they are acknowledged.
package license

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/prometheus/client_golang/prometheus"
)

// Service issues license codes and serves their activation and heartbeats.
type Service struct {
	db    *store.DB
	clock market.Clock
	log   *slog.Logger
	// recorder commits heartbeats in groups, resolving their codes in the same transaction.
	recorder *Recorder[*Entry]
	// heartbeats counts heartbeats and activations stored.
	heartbeats prometheus.CounterFunc
}

// The Service is the order engine's deliverer of license specs.
var _ order.Deliverer = (*Service)(nil)

// New returns a service whose heartbeats are committed by a recorder with cfg. Start it before
// heartbeats arrive; Stop it after the last request. Without Committers, PostgreSQL gets
// PostgresCommitters and SQLite its one writer.
func New(db *store.DB, clock market.Clock, log *slog.Logger, cfg RecorderConfig) (*Service, error) {
	if db == nil || clock == nil || log == nil {
		return nil, errors.New("license: New needs a database, a clock and a logger")
	}
	if cfg.Committers == 0 && db.Dialect == store.Postgres {
		cfg.Committers = PostgresCommitters
	}
	s := &Service{db: db, clock: clock, log: log}
	s.recorder = NewRecorder(s.flush, cfg, log)
	s.heartbeats = prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "mercato_license_heartbeats_total",
		Help: "License heartbeats stored by group commit."}, func() float64 {
		_, items, _ := s.recorder.Stats()
		return float64(items)
	})
	return s, nil
}

// Collectors returns the license metrics, for the server's registry.
func (s *Service) Collectors() []prometheus.Collector { return []prometheus.Collector{s.heartbeats} }

// PostgresCommitters is how many heartbeat batches commit at once on PostgreSQL: each commit
// waits for its fsync, which another may overlap. On the benchmark machine (2 cores, PostgreSQL
// local) 1 and 2 were level and 4 was slower: the commits' CPU, not the fsync, was the limit.
const PostgresCommitters = 2

// Start starts committing heartbeats.
func (s *Service) Start() { s.recorder.Start() }

// Stop commits the heartbeats already received and refuses new ones.
func (s *Service) Stop(ctx context.Context) error { return s.recorder.Stop(ctx) }

// RecorderStats reports the heartbeat batches committed so far (see Recorder.Stats).
func (s *Service) RecorderStats() (batches, items uint64, busy time.Duration) {
	return s.recorder.Stats()
}

// Entry is one heartbeat on its way to the store: what the merchant's software reported, and,
// once its batch has committed, the license it was recorded for (nil when the merchant has no
// such code, and nothing was recorded).
type Entry struct {
	MerchantID string
	Heartbeat  market.Heartbeat
	License    *market.License
	// Request is the signature of the signed request the heartbeat came in, shared by the
	// entries of one request (call tells them apart from a replay's in the same batch); a
	// request already served is answered but not recorded again. "" records always.
	Request string
	call    *[]Result
}

// flush commits a batch of heartbeats. Their codes are looked up in the same transaction, one
// query for the batch rather than one per heartbeat, so the status each caller is answered with
// is the one its heartbeat was recorded under.
func (s *Service) flush(ctx context.Context, batch []*Entry) error {
	codes := make([]string, len(batch))
	for i, e := range batch {
		codes[i] = e.Heartbeat.LicenseCode
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		ls, err := tx.LicensesByCode(ctx, codes)
		if err != nil {
			return err
		}
		fresh, err := s.claim(ctx, tx, batch)
		if err != nil {
			return err
		}
		hbs := make([]market.Heartbeat, 0, len(batch))
		for _, e := range batch {
			e.License = nil
			if l := ls[e.Heartbeat.LicenseCode]; l != nil && l.MerchantID == e.MerchantID {
				e.License = l
				if e.Request == "" || fresh[e.Request] == e.call {
					hbs = append(hbs, e.Heartbeat)
				}
			}
		}
		return tx.InsertHeartbeats(ctx, hbs)
	})
}

// claim claims the batch's requests and returns, for each request served for the first time,
// the call it came in: another call with the same signature in the batch is a replay too.
func (s *Service) claim(ctx context.Context, tx *store.Tx, batch []*Entry) (map[string]*[]Result, error) {
	first := map[string]*[]Result{}
	var sigs []string
	for _, e := range batch {
		if _, seen := first[e.Request]; e.Request != "" && !seen {
			first[e.Request] = e.call
			sigs = append(sigs, e.Request)
		}
	}
	if len(sigs) == 0 {
		return first, nil
	}
	fresh, err := tx.ClaimRequests(ctx, sigs, s.clock.Now())
	for sig := range first {
		if !fresh[sig] {
			delete(first, sig)
		}
	}
	return first, err
}

// ReplayWindow is how long a served request's signature is remembered: a replay is refused by
// its X-Sdk-Date once the date is 15 minutes from the clock on either side.
const ReplayWindow = 31 * time.Minute

// Register adds the periodic job that forgets served requests older than ReplayWindow.
func (s *Service) Register(j *store.Jobs) {
	store.AddWorker(j, &purgeWorker{s: s})
	j.Periodic(river.NewPeriodicJob(river.PeriodicInterval(5*time.Minute), func() (river.JobArgs, *river.InsertOpts) {
		return purgeArgs{}, nil
	}, nil))
}

type purgeArgs struct{}

// Kind implements river.JobArgs.
func (purgeArgs) Kind() string { return "license_request_purge" }

type purgeWorker struct {
	river.WorkerDefaults[purgeArgs]
	s *Service
}

func (w *purgeWorker) Work(ctx context.Context, _ *river.Job[purgeArgs]) error {
	return w.s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.PurgeRequestClaims(ctx, w.s.clock.Now().Add(-ReplayWindow))
		return err
	})
}

// CodePrefix starts every license code, as KooGallery's do ("PLXXXXXX", protocol §8.7).
const CodePrefix = "PL"

// NewCode returns a fresh license code: "PL" and 26 characters of the RFC 4648 base32 alphabet
// (A–Z, 2–7), 130 random bits from crypto/rand. The alphabet has no 0, 1, 8 or 9, so a code read
// aloud or typed from a printout has no O/0 or I/1 to confuse, and 28 characters stay well
// inside the protocol's 64.
func NewCode() string { return CodePrefix + rand.Text() }

// Deliver issues the license code of a new license instance, in the purchase's transaction.
// The instance's key is unique among codes, so an instance never gets two.
func (s *Service) Deliver(ctx context.Context, tx *store.Tx, o *market.Order, _ *market.OrderLine, in *market.Instance) error {
	l := &market.License{Code: NewCode(), InstanceKey: in.Key, MerchantID: in.MerchantID, BuyerID: in.BuyerID, OrderID: o.ID,
		CreatedAt: s.clock.Now()}
	if err := tx.InsertLicense(ctx, l); err != nil {
		return err
	}
	s.log.Info("license issued", "instance", in.ID, "key", in.Key, "order", o.ID)
	return nil
}

// Status is a license's status, from its instance's state.
func Status(state market.InstanceState) kgp.LicenseStatus {
	switch state {
	case market.InstanceFrozen:
		return kgp.LicenseExpired
	case market.InstanceReleased, market.InstanceFailed:
		return kgp.LicenseReleased
	}
	return kgp.LicenseAlive
}

// Amount is the number of licenses one code grants. An order line has no quantity, so a code
// is one license.
const Amount = 1

// Info is a license as heartbeat answers it: times in yyyyMMddHHmmss UTC, expire_time empty for
// an instance that does not expire (one-time), activate_time empty before activation.
func Info(l *market.License) *kgp.LicenseInfo {
	return &kgp.LicenseInfo{LicenseCode: l.Code, Status: Status(l.State), ActivateTime: formatTime(l.ActivatedAt),
		ExpireTime: formatTime(l.ExpireAt), ProductID: l.ProductID, OrderID: l.OrderID, Amount: Amount}
}

// CodeInfo is a license as activate answers it (license_code_info).
func CodeInfo(l *market.License) kgp.LicenseCodeInfo {
	return kgp.LicenseCodeInfo{Status: Status(l.State), ExpireTime: formatTime(l.ExpireAt), ProductID: l.ProductID, Amount: Amount, OrderID: l.OrderID}
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return kgp.FormatExpireTime(t)
}
