package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// CollectionDone reports whether the collection at at has run.
func (r Reader) CollectionDone(ctx context.Context, at time.Time) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM collections WHERE cycle_at = $1`, ms(at)).Scan(&n)
	return n > 0, err
}

// InsertCollection records that the collection at at ran.
func (tx *Tx) InsertCollection(ctx context.Context, at, ratedAt time.Time, records int64, amount market.Money) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO collections (cycle_at, rated_at, records, amount) VALUES ($1, $2, $3, $4)`,
		ms(at), ms(ratedAt), records, int64(amount))
	return err
}

// LastCollection returns the latest collection on a schedule (every period, offset after its
// start: hourly at :15, daily at 01:00), or the zero time.
func (r Reader) LastCollection(ctx context.Context, period, offset time.Duration) (time.Time, error) {
	var at sql.NullInt64
	err := r.q.QueryRowContext(ctx, `SELECT MAX(cycle_at) FROM collections WHERE cycle_at % $1 = $2`,
		period.Milliseconds(), offset.Milliseconds()).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, err
	}
	return fromMS(at.Int64), nil
}

// DrawPackage takes up to want from a package instance's remaining quota (created full on first
// use) and returns what it took.
func (tx *Tx) DrawPackage(ctx context.Context, key, item string, quota, want market.Quantity) (market.Quantity, error) {
	if _, err := tx.q.ExecContext(ctx, `INSERT INTO packages (instance_key, item, quota, used) VALUES ($1, $2, $3, 0)
		ON CONFLICT (instance_key) DO NOTHING`, key, item, int64(quota)); err != nil {
		return 0, err
	}
	var total, used int64
	if err := tx.q.QueryRowContext(ctx, `SELECT quota, used FROM packages WHERE instance_key = $1`, key).Scan(&total, &used); err != nil {
		return 0, err
	}
	take := min(int64(want), total-used)
	if take <= 0 {
		return 0, nil
	}
	_, err := tx.q.ExecContext(ctx, `UPDATE packages SET used = used + $1 WHERE instance_key = $2`, take, key)
	return market.Quantity(take), err
}

// Package returns a package instance's quota and what is used of it.
func (r Reader) Package(ctx context.Context, key string) (quota, used market.Quantity, err error) {
	err = r.q.QueryRowContext(ctx, `SELECT quota, used FROM packages WHERE instance_key = $1`, key).Scan(&quota, &used)
	if errors.Is(err, sql.ErrNoRows) {
		err = market.Errorf(market.CodeNotFound, "package %s has not been used", key)
	}
	return
}

// InsertCollectionFailure records that an instance's usage was left out of a collection.
func (tx *Tx) InsertCollectionFailure(ctx context.Context, f *market.CollectionFailure) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO collection_failures (cycle_at, instance_key, reason, at) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, ms(f.CycleAt), f.InstanceKey, f.Reason, ms(f.At))
	return err
}

// CollectionFailures lists the instances left out of collections, newest first.
func (r Reader) CollectionFailures(ctx context.Context, limit int) ([]*market.CollectionFailure, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT cycle_at, instance_key, reason, at FROM collection_failures
		ORDER BY cycle_at DESC, instance_key LIMIT $1`, limit)
	return collect(rows, err, func(r rowScanner) (*market.CollectionFailure, error) {
		var f market.CollectionFailure
		var cycle, at int64
		err := r.Scan(&cycle, &f.InstanceKey, &f.Reason, &at)
		f.CycleAt, f.At = fromMS(cycle), fromMS(at)
		return &f, err
	})
}
