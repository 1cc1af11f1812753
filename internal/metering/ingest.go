package metering

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/prometheus/client_golang/prometheus"
)

// Rules of a usage push (protocol §8.5, §8.6).
const (
	// MaxAge is how far back begin_time may be.
	MaxAge = 21 * 24 * time.Hour
	// ClockSkew is how far in the future end_time may be: merchants' clocks drift a little.
	ClockSkew = time.Minute
)

// Service ingests usage and runs collections.
type Service struct {
	db    *store.DB
	clock market.Clock
	log   *slog.Logger
	// biller turns a collection's charges into bills.
	biller Biller

	plans sync.Map // productId → *market.Plan; plans never change once created

	records     *prometheus.CounterVec // usage records by outcome: stored, duplicate, rejected
	collections *prometheus.CounterVec // collections run, and instances left out of them
}

// New returns the metering service; biller turns each collection's charges into bills.
func New(db *store.DB, clock market.Clock, log *slog.Logger, biller Biller) (*Service, error) {
	if db == nil || clock == nil || log == nil || biller == nil {
		return nil, errors.New("metering: New needs a database, a clock, a logger and a biller")
	}
	s := &Service{db: db, clock: clock, log: log, biller: biller,
		records: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mercato_usage_records_total",
			Help: "Usage records pushed by merchants, by outcome: stored, duplicate (stored before) or rejected."}, []string{"outcome"}),
		collections: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mercato_usage_collections_total",
			Help: "Usage collections rated and billed (collection), and instances a collection left out (left_out)."}, []string{"event"}),
	}
	for _, o := range []string{"stored", "duplicate", "rejected"} {
		s.records.WithLabelValues(o) // exported as 0 before the first push
	}
	for _, e := range []string{"collection", "left_out"} {
		s.collections.WithLabelValues(e)
	}
	return s, nil
}

// Collectors returns the metering metrics, for the server's registry.
func (s *Service) Collectors() []prometheus.Collector {
	return []prometheus.Collector{s.records, s.collections}
}

// rejection is why one record was refused.
type rejection struct {
	code kgp.ErrorCode
	msg  string
}

func reject(code kgp.ErrorCode, format string, args ...any) *rejection {
	return &rejection{code, fmt.Sprintf(format, args...)}
}

// Push checks and stores one usage push of a merchant and returns KooGallery's answer: the
// records that pass every rule are stored together (duplicates of stored ones count as stored —
// the first one wins); the others are listed in abnormal_usage_data with their reasons, and the
// answer's error_code is the first rejection's. The same push, repeated, gets the same answer.
// old selects the old push (product_id, no metering_sn).
func (s *Service) Push(ctx context.Context, v market.Viewer, p *kgp.UsagePush, old bool) (*kgp.ErrorResponse, error) {
	if v.Role != market.RoleSeller || v.MerchantID == "" {
		return nil, market.Errorf(market.CodeForbidden, "usage is pushed by the merchant")
	}
	merchantID := v.MerchantID
	now := s.clock.Now()
	instances := map[string]*market.Instance{}
	lookup := func(id string) (*market.Instance, error) {
		if in, ok := instances[id]; ok {
			return in, nil
		}
		in, err := s.db.InstanceByID(ctx, id)
		if market.ErrorCode(err) == market.CodeNotFound {
			in, err = nil, nil
		}
		instances[id] = in
		return in, err
	}
	rows := make([]market.UsageRecord, 0, len(p.UsageRecords))
	var rejected []kgp.AbnormalUsageData
	type window struct {
		instance   string
		begin, end int64
	}
	seenSN, seenWindow := map[string]bool{}, map[window]bool{}
	for i := range p.UsageRecords {
		r := &p.UsageRecords[i]
		row, why, err := s.check(ctx, merchantID, r, old, now, lookup)
		if err != nil {
			return nil, err
		}
		if why != nil {
			rejected = append(rejected, kgp.AbnormalUsageData{MeteringSN: r.MeteringSN, InstanceID: r.InstanceID, Index: i,
				ErrorCode: why.code, ErrorMsg: why.msg})
			continue
		}
		w := window{row.InstanceKey, row.BeginAt.UnixMilli(), row.EndAt.UnixMilli()}
		if seenSN[row.MeteringSN] || seenWindow[w] {
			continue // a duplicate inside the push: the first one wins
		}
		seenSN[row.MeteringSN], seenWindow[w] = true, true
		rows = append(rows, *row)
	}
	if len(rows) > 0 {
		var stored int
		if err := s.db.Write(ctx, func(tx *store.Tx) error {
			var err error
			stored, err = tx.InsertUsage(ctx, rows)
			return err
		}); err != nil {
			return nil, err
		}
		s.records.WithLabelValues("stored").Add(float64(stored))
		s.records.WithLabelValues("duplicate").Add(float64(len(rows) - stored))
	}
	s.records.WithLabelValues("rejected").Add(float64(len(rejected)))
	if len(rejected) == 0 {
		return &kgp.ErrorResponse{ErrorCode: kgp.MKTSuccess, ErrorMsg: kgp.MKTSuccess.Message()}, nil
	}
	code := rejected[0].ErrorCode
	return &kgp.ErrorResponse{ErrorCode: code, ErrorMsg: code.Message(), AbnormalUsageData: rejected,
		ExtraInfo: fmt.Sprintf("%d of %d records accepted, %d rejected: record %d: %s", len(p.UsageRecords)-len(rejected),
			len(p.UsageRecords), len(rejected), rejected[0].Index, rejected[0].ErrorMsg)}, nil
}

// check applies every rule to one record and, when it passes, returns the row to store.
func (s *Service) check(ctx context.Context, merchantID string, r *kgp.UsageRecord, old bool, now time.Time,
	lookup func(string) (*market.Instance, error)) (*market.UsageRecord, *rejection, error) {
	q, err := r.Check(old)
	if errors.Is(err, kgp.ErrUsageValueRange) {
		return nil, reject(kgp.MKTInvalidUsage, "%s: %v", r.MeteringSN, err), nil
	}
	if err != nil {
		return nil, reject(kgp.MKTBadInput, "%v", err), nil
	}
	begin, _ := kgp.ParseSdkDate(r.BeginTime)
	end, _ := kgp.ParseSdkDate(r.EndTime)
	record, _ := kgp.ParseSdkDate(r.RecordTime)
	in, err := lookup(r.InstanceID)
	switch {
	case err != nil:
		return nil, nil, err
	case in == nil:
		return nil, reject(kgp.MKTNoInstance, "instance %s does not exist", r.InstanceID), nil
	case in.MerchantID != merchantID:
		return nil, reject(kgp.MKTIllegalOp, "instance %s belongs to another merchant", r.InstanceID), nil
	case in.Charging != market.ChargingOnDemand:
		return nil, reject(kgp.MKTInvalidUsage, "instance %s is not a pay-per-use instance", r.InstanceID), nil
	case in.State == market.InstancePending || in.State == market.InstanceProvisioning || in.State == market.InstanceFailed:
		return nil, reject(kgp.MKTInvalidUsage, "instance %s is not delivered", r.InstanceID), nil
	case old && r.ProductID != in.ProductID:
		return nil, reject(kgp.MKTInvalidUsage, "product_id %s is not the instance's (%s)", r.ProductID, in.ProductID), nil
	case begin.Before(now.Add(-MaxAge)):
		return nil, reject(kgp.MKTBeginTooOld, "begin_time %s is more than 21 days ago", r.BeginTime), nil
	case end.After(now.Add(ClockSkew)):
		return nil, reject(kgp.MKTInvalidUsage, "end_time %s is in the future", r.EndTime), nil
	case begin.Before(in.CreatedAt.Truncate(time.Second)):
		return nil, reject(kgp.MKTInvalidUsage, "begin_time %s is before the instance started", r.BeginTime), nil
	case in.State == market.InstanceReleased && end.After(in.UpdatedAt):
		return nil, reject(kgp.MKTInvalidUsage, "end_time %s is after the instance was released", r.EndTime), nil
	}
	row := &market.UsageRecord{MerchantID: merchantID, MeteringSN: r.MeteringSN, InstanceKey: in.Key, BuyerID: in.BuyerID,
		ProductID: in.ProductID, BeginAt: begin, EndAt: end, RecordAt: record, Quantity: market.Quantity(q), ReceivedAt: now}
	if old { // the old push has no metering_sn: its window is its identity
		row.MeteringSN = fmt.Sprintf("v1:%s:%s:%s", r.InstanceID, r.BeginTime, r.EndTime)
	}
	if r.RelatePkgInstance != "" {
		pkg, err := lookup(r.RelatePkgInstance)
		if err != nil {
			return nil, nil, err
		}
		if why := s.checkPackage(ctx, in, pkg, r.RelatePkgInstance); why != nil {
			return nil, why, nil
		}
		row.PkgKey = pkg.Key
	}
	plan, err := s.plan(ctx, in.ProductID)
	if err != nil {
		return nil, nil, err
	}
	row.CycleAt, row.Late = CollectionOf(plan.Cycle, end, now)
	return row, nil, nil
}

// checkPackage: usage drawn from a package must name a package of the same buyer that covers the
// instance's billing item.
func (s *Service) checkPackage(ctx context.Context, in, pkg *market.Instance, id string) *rejection {
	if pkg == nil || pkg.MerchantID != in.MerchantID || pkg.BuyerID != in.BuyerID || pkg.Charging != market.ChargingOnDemandPkg {
		return reject(kgp.MKTInvalidUsage, "relate_pkg_instance %s is not a package of this buyer", id)
	}
	plan, err := s.plan(ctx, pkg.ProductID)
	if err != nil || plan.PackageItem != in.ProductID {
		return reject(kgp.MKTInvalidUsage, "package %s does not cover billing item %s", id, in.ProductID)
	}
	return nil
}

// plan returns a plan, from memory after the first read: plans are immutable.
func (s *Service) plan(ctx context.Context, productID string) (*market.Plan, error) {
	if p, ok := s.plans.Load(productID); ok {
		return p.(*market.Plan), nil
	}
	p, err := s.db.Plan(ctx, productID)
	if err != nil {
		return nil, errors.Join(errors.New("metering: plan of a stored instance"), err)
	}
	s.plans.Store(productID, p)
	return p, nil
}
