package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/mercato-oss/mercato/sdk"
)

// ClaimOp implements sdk.Store.
func (s *Store) ClaimOp(ctx context.Context, key, instanceID string) (sdk.OpState, error) {
	var state sdk.OpState
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO sdk_ops (key, instance_id, state, updated_ms)
			VALUES (?, ?, 'running', ?) ON CONFLICT (key) DO NOTHING`, key, instanceID, nowMillis())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			state = sdk.OpClaimed
			return err
		}
		var stored string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM sdk_ops WHERE key = ?`, key).Scan(&stored); err != nil {
			return err
		}
		state = sdk.OpRunning
		if stored == "done" {
			state = sdk.OpDone
		}
		return nil
	})
	return state, err
}

// FinishOp implements sdk.Store.
func (s *Store) FinishOp(ctx context.Context, key string, c sdk.InstanceChange) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := nowMillis()
		if _, err := tx.ExecContext(ctx, `UPDATE sdk_ops SET state = 'done', updated_ms = ? WHERE key = ?`, now, key); err != nil {
			return err
		}
		if c.InstanceID == "" {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE sdk_instances SET
			status      = CASE WHEN ? = '' THEN status ELSE ? END,
			version     = CASE WHEN ? = '' OR ? = status THEN version ELSE version + 1 END,
			expire_time = CASE WHEN ? = '' THEN expire_time ELSE ? END,
			product_id  = CASE WHEN ? = '' THEN product_id ELSE ? END,
			updated_ms  = ?
			WHERE id = ?`,
			c.Status, c.Status, c.Status, c.Status, c.ExpireTime, c.ExpireTime, c.ProductID, c.ProductID, now, c.InstanceID)
		return err
	})
}

// AbandonOp implements sdk.Store.
func (s *Store) AbandonOp(ctx context.Context, key string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM sdk_ops WHERE key = ? AND state = 'running'`, key)
	return err
}

// KitHashes implements sdk.Store.
func (s *Store) KitHashes(ctx context.Context, kind string, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(keys)+1)
	args = append(args, kind)
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT key, hash FROM sdk_kit WHERE kind = ? AND key IN (`+placeholders(len(keys))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, h string
		if err := rows.Scan(&k, &h); err != nil {
			return nil, err
		}
		out[k] = h
	}
	return out, rows.Err()
}

// SetKitHashes implements sdk.Store.
func (s *Store) SetKitHashes(ctx context.Context, kind string, hashes map[string]string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := nowMillis()
		for k, h := range hashes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sdk_kit (kind, key, hash, updated_ms) VALUES (?, ?, ?, ?)
				ON CONFLICT (kind, key) DO UPDATE SET hash = excluded.hash, updated_ms = excluded.updated_ms`,
				kind, k, h, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// AddUsage implements sdk.UsageStore. The upsert only adds to an open window; when it touches no
// row the window exists and is closed, or belongs to another package instance.
func (s *Store) AddUsage(ctx context.Context, w sdk.UsageWindow) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO sdk_usage (instance_id, hour_ms, value, relate_pkg, metering_sn)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (instance_id, hour_ms) DO UPDATE SET value = value + excluded.value
			WHERE state = 'open' AND relate_pkg = excluded.relate_pkg`,
			w.InstanceID, millis(w.Hour), w.Value, w.RelatePkgInstance, w.MeteringSN)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		var state, pkg string
		if err := tx.QueryRowContext(ctx, `SELECT state, relate_pkg FROM sdk_usage WHERE instance_id = ? AND hour_ms = ?`,
			w.InstanceID, millis(w.Hour)).Scan(&state, &pkg); err != nil {
			return err
		}
		if state != "open" {
			return sdk.ErrWindowClosed
		}
		return fmt.Errorf("sqlitestore: usage of %s in this hour is deducted from package %q, not %q", w.InstanceID, pkg, w.RelatePkgInstance)
	})
}

// UndeliveredWindows implements sdk.UsageStore.
func (s *Store) UndeliveredWindows(ctx context.Context, end time.Time) ([]sdk.UsageWindow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT instance_id, hour_ms, value, relate_pkg, metering_sn FROM sdk_usage
		WHERE state = 'open' AND hour_ms < ? ORDER BY hour_ms, instance_id`, millis(end))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sdk.UsageWindow
	for rows.Next() {
		var w sdk.UsageWindow
		var hour int64
		if err := rows.Scan(&w.InstanceID, &hour, &w.Value, &w.RelatePkgInstance, &w.MeteringSN); err != nil {
			return nil, err
		}
		w.Hour = time.UnixMilli(hour).UTC()
		out = append(out, w)
	}
	return out, rows.Err()
}

// MarkDelivered implements sdk.UsageStore.
func (s *Store) MarkDelivered(ctx context.Context, sns []string, at time.Time) error {
	if len(sns) == 0 {
		return nil
	}
	args := []any{millis(at)}
	for _, sn := range sns {
		args = append(args, sn)
	}
	_, err := s.w.ExecContext(ctx, `UPDATE sdk_usage SET state = 'delivered', done_ms = ?
		WHERE state = 'open' AND metering_sn IN (`+placeholders(len(sns))+`)`, args...)
	return err
}

// MarkRejected implements sdk.UsageStore.
func (s *Store) MarkRejected(ctx context.Context, sn, reason string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE sdk_usage SET state = 'rejected', reason = ?, done_ms = ?
		WHERE state = 'open' AND metering_sn = ?`, reason, millis(at), sn)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errors.New("sqlitestore: no open usage window with metering_sn " + sn)
	}
	return nil
}
