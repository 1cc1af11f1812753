package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

const instanceColumns = `id, idem_key, order_id, order_line_id, product_id, provision, attempt, fail_code,
	fail_msg, status, version, expire_time, app_info, encrypt_type, call_json, created_ms, updated_ms`

type rowScanner interface{ Scan(...any) error }

func scanInstance(row rowScanner) (*sdk.Instance, error) {
	var in sdk.Instance
	var appInfo string
	var created, updated int64
	err := row.Scan(&in.ID, &in.Key, &in.OrderID, &in.OrderLineID, &in.ProductID, &in.Provision,
		&in.Attempt, &in.FailCode, &in.FailMsg, &in.Status, &in.Version, &in.ExpireTime, &appInfo,
		&in.EncryptType, &in.Call, &created, &updated)
	if err != nil {
		return nil, err
	}
	if appInfo != "" {
		in.AppInfo = new(kgp.AppInfo)
		if err := json.Unmarshal([]byte(appInfo), in.AppInfo); err != nil {
			return nil, err
		}
	}
	in.Created, in.Updated = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return &in, nil
}

func marshalAppInfo(a *kgp.AppInfo) (string, error) {
	if a == nil {
		return "", nil
	}
	b, err := json.Marshal(a)
	return string(b), err
}

// InstanceByLine implements sdk.Store.
func (s *Store) InstanceByLine(ctx context.Context, orderID, orderLineID string) (*sdk.Instance, error) {
	in, err := scanInstance(s.byLine.QueryRowContext(ctx, orderID, orderLineID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return in, err
}

// Reserve implements sdk.Store. The INSERT ... ON CONFLICT DO NOTHING on the UNIQUE idem_key is
// what makes twenty concurrent duplicates agree on one instance.
func (s *Store) Reserve(ctx context.Context, in *sdk.Instance) (*sdk.Instance, bool, error) {
	appInfo, err := marshalAppInfo(in.AppInfo)
	if err != nil {
		return nil, false, err
	}
	var stored *sdk.Instance
	var inserted bool
	err = s.tx(ctx, func(tx *sql.Tx) error {
		now := nowMillis()
		created := now
		if !in.Created.IsZero() {
			created = millis(in.Created)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO sdk_instances (`+instanceColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idem_key) DO NOTHING`,
			in.ID, in.Key, in.OrderID, in.OrderLineID, in.ProductID, in.Provision, in.Attempt, in.FailCode,
			in.FailMsg, in.Status, in.Version, in.ExpireTime, appInfo, in.EncryptType, in.Call, created, now)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		inserted = n == 1
		if stored, err = scanInstance(tx.QueryRowContext(ctx,
			`SELECT `+instanceColumns+` FROM sdk_instances WHERE idem_key = ?`, in.Key)); err != nil {
			return err
		}
		if in.OrderLineID == "" {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sdk_order_lines (order_id, order_line_id, instance_id)
			VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, in.OrderID, in.OrderLineID, stored.ID)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return stored, inserted, nil
}

// Instances implements sdk.Store.
func (s *Store) Instances(ctx context.Context, ids ...string) (map[string]*sdk.Instance, error) {
	out := make(map[string]*sdk.Instance, len(ids))
	switch len(ids) {
	case 0:
		return out, nil
	case 1:
		in, err := scanInstance(s.byID.QueryRowContext(ctx, ids[0]))
		if errors.Is(err, sql.ErrNoRows) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out[in.ID] = in
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+instanceColumns+` FROM sdk_instances WHERE id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		in, err := scanInstance(rows)
		if err != nil {
			return nil, err
		}
		out[in.ID] = in
	}
	return out, rows.Err()
}

// RetryProvision implements sdk.Store.
func (s *Store) RetryProvision(ctx context.Context, id string) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE sdk_instances SET provision = 'pending', attempt = attempt + 1,
		fail_code = '', fail_msg = '', updated_ms = ? WHERE id = ? AND provision = 'failed'`, nowMillis(), id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// FinishProvision implements sdk.Store.
func (s *Store) FinishProvision(ctx context.Context, id string, out sdk.ProvisionOutcome) error {
	appInfo, err := marshalAppInfo(out.AppInfo)
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `UPDATE sdk_instances SET provision = ?, app_info = ?, encrypt_type = ?,
		fail_code = ?, fail_msg = ?, updated_ms = ? WHERE id = ? AND provision = 'pending'`,
		out.State, appInfo, out.EncryptType, out.Code, out.Msg, nowMillis(), id)
	return err
}

// PendingProvisions implements sdk.Store.
func (s *Store) PendingProvisions(ctx context.Context) ([]*sdk.Instance, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+instanceColumns+` FROM sdk_instances
		WHERE provision = 'pending' ORDER BY created_ms`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*sdk.Instance
	for rows.Next() {
		in, err := scanInstance(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// Recover implements sdk.Store: running operations of a dead process are dropped, so that their
// redelivery performs them, and every pending provisioning counts a new attempt, which the
// Handler is about to start.
func (s *Store) Recover(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sdk_ops WHERE state = 'running'`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE sdk_instances SET attempt = attempt + 1, updated_ms = ?
			WHERE provision = 'pending'`, nowMillis())
		return err
	})
}
