package store

import (
	"context"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

const instanceCols = `line_id, id, order_id, merchant_id, buyer_id, product_id, sku_code, charging, period, state, trial,
	expire_at, release_at, app_info, encrypt_type, created_at, updated_at, delivery, quantity`

func (r Reader) scanInstance(s rowScanner) (*market.Instance, error) {
	var in market.Instance
	var id, appInfo *string
	var expire, release, created, updated int64
	if err := s.Scan(&in.Key, &id, &in.OrderID, &in.MerchantID, &in.BuyerID, &in.ProductID, &in.SkuCode, &in.Charging, &in.Period,
		&in.State, &in.Trial, &expire, &release, &appInfo, &in.EncryptType, &created, &updated, &in.Delivery, &in.Quantity); err != nil {
		return nil, err
	}
	if id != nil {
		in.ID = *id
	}
	if appInfo != nil && *appInfo != "" {
		info, err := r.keys.open(*appInfo)
		if err != nil {
			return nil, err
		}
		in.AppInfoJSON = []byte(info)
	}
	in.ExpireAt, in.ReleaseAt, in.CreatedAt, in.UpdatedAt = fromMS(expire), fromMS(release), fromMS(created), fromMS(updated)
	return &in, nil
}

// InsertInstance stores an instance (before the merchant has named it).
func (tx *Tx) InsertInstance(ctx context.Context, in *market.Instance) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO instances (`+instanceCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		in.Key, nullString(in.ID), in.OrderID, in.MerchantID, in.BuyerID, in.ProductID, in.SkuCode, string(in.Charging), in.Period,
		string(in.State), in.Trial, ms(in.ExpireAt), ms(in.ReleaseAt), tx.keys.seal(string(in.AppInfoJSON)), in.EncryptType, ms(in.CreatedAt), ms(in.UpdatedAt),
		string(cmpDelivery(in.Delivery)), in.Quantity)
	return err
}

// Instance returns an instance by its key (the creating order line).
func (r Reader) Instance(ctx context.Context, key string) (*market.Instance, error) {
	in, err := r.scanInstance(r.q.QueryRowContext(ctx, `SELECT `+instanceCols+` FROM instances WHERE line_id = $1`, key))
	return in, notFound(err, "instance", key)
}

// InstanceByID returns an instance by the merchant's instanceId.
func (r Reader) InstanceByID(ctx context.Context, id string) (*market.Instance, error) {
	in, err := r.scanInstance(r.q.QueryRowContext(ctx, `SELECT `+instanceCols+` FROM instances WHERE id = $1`, id))
	return in, notFound(err, "instance", id)
}

// InstanceFilter selects instances to list; empty fields match everything.
type InstanceFilter struct {
	BuyerID    string
	MerchantID string
	OrderID    string
	State      market.InstanceState
	Page       Page
}

// Instances lists a page of instances, newest first. Only the filters given are in the query
// (migration 00070 indexes each in page order).
func (r Reader) Instances(ctx context.Context, f InstanceFilter) ([]*market.Instance, Cursor, error) {
	var q listQuery
	q.and(f.BuyerID != "", `buyer_id = $?`, f.BuyerID)
	q.and(f.MerchantID != "", `merchant_id = $?`, f.MerchantID)
	q.and(f.OrderID != "", `order_id = $?`, f.OrderID)
	q.and(f.State != "", `state = $?`, string(f.State))
	q.and(!f.Page.After.At.IsZero(), `(created_at < $? OR created_at = $? AND line_id < $?)`, f.Page.afterMS(), f.Page.afterMS(), f.Page.After.ID)
	query := `SELECT ` + instanceCols + ` FROM instances` + q.where() + q.then(` ORDER BY created_at DESC, line_id DESC LIMIT $?`, f.Page.limit()+1)
	rows, err := r.cachedQuery(ctx, query, q.args...)
	list, err := collect(rows, err, r.scanInstance)
	return cut(list, err, f.Page, func(in *market.Instance) Cursor { return Cursor{in.CreatedAt, in.Key} })
}

// UpdateInstance writes an instance's mutable fields if its state is one of from, so that two
// workers racing on the same instance cannot both apply a transition. It reports whether it did.
func (tx *Tx) UpdateInstance(ctx context.Context, in *market.Instance, from ...market.InstanceState) (bool, error) {
	for _, f := range from {
		ok, err := affected(tx.q.ExecContext(ctx, `UPDATE instances SET id = $1, product_id = $2, sku_code = $3, period = $4, state = $5,
			trial = $6, expire_at = $7, release_at = $8, app_info = $9, encrypt_type = $10, updated_at = $11, quantity = $14
			WHERE line_id = $12 AND state = $13`,
			nullString(in.ID), in.ProductID, in.SkuCode, in.Period, string(in.State), in.Trial, ms(in.ExpireAt), ms(in.ReleaseAt),
			tx.keys.seal(string(in.AppInfoJSON)), in.EncryptType, ms(in.UpdatedAt), in.Key, string(f), in.Quantity))
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// CountInstances counts instances in a state.
func (r Reader) CountInstances(ctx context.Context, state market.InstanceState) (int, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM instances WHERE state = $1`, string(state)).Scan(&n)
	return n, err
}

// BackdateInstance moves an instance's start back to at. Only the sandbox does this: its seeded
// instance takes the usage of the hours before it was bought.
func (tx *Tx) BackdateInstance(ctx context.Context, key string, at time.Time) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE instances SET created_at = $1 WHERE line_id = $2`, ms(at), key)
	return err
}
