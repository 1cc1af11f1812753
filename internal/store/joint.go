package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// Joint-operation bindings, applications and authorizations.

const bindingCols = `instance_key, tenant_id, merchant_id, instance_id, order_id, test, state, created_at, updated_at`

func scanBinding(r rowScanner) (*market.Binding, error) {
	var b market.Binding
	var created, updated int64
	err := r.Scan(&b.InstanceKey, &b.TenantID, &b.MerchantID, &b.InstanceID, &b.OrderID, &b.Test, &b.State, &created, &updated)
	b.CreatedAt, b.UpdatedAt = fromMS(created), fromMS(updated)
	return &b, err
}

// PutBinding stores a binding, or binds again an instance that was unbound.
func (tx *Tx) PutBinding(ctx context.Context, b *market.Binding) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO joint_bindings (`+bindingCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (instance_key) DO UPDATE SET tenant_id = $2, state = $7, updated_at = $9`,
		b.InstanceKey, b.TenantID, b.MerchantID, b.InstanceID, b.OrderID, b.Test, string(b.State), ms(b.CreatedAt), ms(b.UpdatedAt))
	return err
}

// SetBindingState records a bind or an unbind.
func (tx *Tx) SetBindingState(ctx context.Context, key string, state market.BindingState, at time.Time) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE joint_bindings SET state = $2, updated_at = $3 WHERE instance_key = $1`, key, string(state), ms(at))
	return err
}

// Binding returns a binding by its instance key.
func (r Reader) Binding(ctx context.Context, key string) (*market.Binding, error) {
	b, err := scanBinding(r.q.QueryRowContext(ctx, `SELECT `+bindingCols+` FROM joint_bindings WHERE instance_key = $1`, key))
	return b, notFound(err, "binding", key)
}

// Bindings lists an enterprise's bindings (bound and unbound), by instance key.
func (r Reader) Bindings(ctx context.Context, tenantID string) ([]*market.Binding, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+bindingCols+` FROM joint_bindings WHERE tenant_id = $1 ORDER BY instance_key`, tenantID)
	return collect(rows, err, scanBinding)
}

// NextSyncGroup takes the next sync group number of a binding. The UPDATE also locks the
// binding's row until the transaction ends, so that transactions that add or send its syncs
// take turns (on PostgreSQL; SQLite has one writer).
func (tx *Tx) NextSyncGroup(ctx context.Context, key string) (int64, error) {
	var g int64
	err := tx.q.QueryRowContext(ctx, `UPDATE joint_bindings SET next_group = next_group + 1 WHERE instance_key = $1 RETURNING next_group`, key).Scan(&g)
	return g, notFound(err, "binding", key)
}

// LockBinding takes a binding's row lock without changing it (see NextSyncGroup).
func (tx *Tx) LockBinding(ctx context.Context, key string) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE joint_bindings SET next_group = next_group WHERE instance_key = $1`, key)
	return err
}

const tenantAppCols = `app_id, instance_key, tenant_id, merchant_id, name, client_id, deleted, created_at, updated_at`

func scanApp(r rowScanner) (*market.TenantApp, error) {
	var a market.TenantApp
	var created, updated int64
	err := r.Scan(&a.AppID, &a.InstanceKey, &a.TenantID, &a.MerchantID, &a.Name, &a.ClientID, &a.Deleted, &created, &updated)
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	return &a, err
}

// InsertApp stores an application, the hash of its client secret and the secret as it was sent
// to the merchant (encrypted with the merchant's key).
func (tx *Tx) InsertApp(ctx context.Context, a *market.TenantApp, secretHash, secretSent string) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO joint_apps (`+tenantAppCols+`, secret_hash, secret_sent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		a.AppID, a.InstanceKey, a.TenantID, a.MerchantID, a.Name, a.ClientID, a.Deleted, ms(a.CreatedAt), ms(a.UpdatedAt), secretHash, secretSent)
	return err
}

// AppSecretSent returns the client secret of an application as it was sent to the merchant.
func (r Reader) AppSecretSent(ctx context.Context, appID string) (string, error) {
	var s string
	err := r.q.QueryRowContext(ctx, `SELECT secret_sent FROM joint_apps WHERE app_id = $1`, appID).Scan(&s)
	return s, notFound(err, "application", appID)
}

// DeleteApp marks an application deleted; its authorizations go with it.
func (tx *Tx) DeleteApp(ctx context.Context, appID string, at time.Time) error {
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM joint_auths WHERE app_id = $1`, appID); err != nil {
		return err
	}
	_, err := tx.q.ExecContext(ctx, `UPDATE joint_apps SET deleted = TRUE, updated_at = $2 WHERE app_id = $1`, appID, ms(at))
	return err
}

// App returns an application by its appId.
func (r Reader) App(ctx context.Context, appID string) (*market.TenantApp, error) {
	a, err := scanApp(r.q.QueryRowContext(ctx, `SELECT `+tenantAppCols+` FROM joint_apps WHERE app_id = $1`, appID))
	return a, notFound(err, "application", appID)
}

// AppByClientID returns a live application by its OAuth clientId, with its secret's hash.
func (r Reader) AppByClientID(ctx context.Context, clientID string) (*market.TenantApp, string, error) {
	var a market.TenantApp
	var hash string
	var created, updated int64
	err := r.q.QueryRowContext(ctx, `SELECT `+tenantAppCols+`, secret_hash FROM joint_apps WHERE client_id = $1 AND deleted = FALSE`, clientID).
		Scan(&a.AppID, &a.InstanceKey, &a.TenantID, &a.MerchantID, &a.Name, &a.ClientID, &a.Deleted, &created, &updated, &hash)
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	return &a, hash, notFound(err, "client", clientID)
}

// Apps lists the live applications of a binding ("" key: of every binding of the enterprise).
func (r Reader) Apps(ctx context.Context, tenantID, key string) ([]*market.TenantApp, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+tenantAppCols+` FROM joint_apps WHERE tenant_id = $1 AND ($2 = '' OR instance_key = $2)
		AND deleted = FALSE ORDER BY created_at, app_id`, tenantID, key)
	return collect(rows, err, scanApp)
}

// AuthStates returns the synced state of each authorized user of an application among names.
func (r Reader) AuthStates(ctx context.Context, appID string, names []string) (map[string]string, error) {
	out := make(map[string]string, len(names))
	list, err := json.Marshal(names)
	if err != nil {
		return nil, err
	}
	rows, err := r.q.QueryContext(ctx, `SELECT user_name, state FROM joint_auths WHERE app_id = $1 AND user_name IN `+r.jsonStrings(2), appID, string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, state string
		if err := rows.Scan(&name, &state); err != nil {
			return nil, err
		}
		out[name] = state
	}
	return out, rows.Err()
}

// jsonStrings is a subquery of the strings of JSON array parameter $n. A list of thousands of
// names is then one parameter: a parameter per name made SQLite parse (and PostgreSQL bind)
// statements of thousands of parameters, the largest cost of a large authorization.
func (r Reader) jsonStrings(n int) string {
	if r.sqlite {
		return fmt.Sprintf("(SELECT value FROM json_each($%d))", n)
	}
	return fmt.Sprintf("(SELECT json_array_elements_text($%d::json))", n)
}

// UserAuths returns the applications a user is authorized on and the state synced to each.
func (r Reader) UserAuths(ctx context.Context, tenantID, userName string) (map[string]string, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT app_id, state FROM joint_auths WHERE tenant_id = $1 AND user_name = $2`, tenantID, userName)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var app, state string
		if err := rows.Scan(&app, &state); err != nil {
			return nil, err
		}
		out[app] = state
	}
	return out, rows.Err()
}

// PutAuths records users as authorized on an application with the state synced to them.
func (tx *Tx) PutAuths(ctx context.Context, appID, tenantID string, states map[string]string, at time.Time) error {
	if len(states) == 0 {
		return nil
	}
	pairs := make([][2]string, 0, len(states))
	for n, st := range states {
		pairs = append(pairs, [2]string{n, st})
	}
	list, err := json.Marshal(pairs)
	if err != nil {
		return err
	}
	// The rows come from one JSON parameter of [name, state] pairs (see jsonStrings).
	rows := `SELECT $1, json_extract(value, '$[0]'), $2, json_extract(value, '$[1]'), $3 FROM json_each($4) WHERE true`
	if !tx.sqlite {
		rows = `SELECT $1::text, x->>0, $2::text, x->>1, $3::bigint FROM json_array_elements($4::json) AS x`
	}
	_, err = tx.q.ExecContext(ctx, `INSERT INTO joint_auths (app_id, user_name, tenant_id, state, created_at) `+rows+`
		ON CONFLICT (app_id, user_name) DO UPDATE SET state = excluded.state`, appID, tenantID, ms(at), string(list))
	return err
}

// DeleteAuths removes users' authorizations on an application.
func (tx *Tx) DeleteAuths(ctx context.Context, appID string, names []string) error {
	if len(names) == 0 {
		return nil
	}
	list, err := json.Marshal(names)
	if err != nil {
		return err
	}
	_, err = tx.q.ExecContext(ctx, `DELETE FROM joint_auths WHERE app_id = $1 AND user_name IN `+tx.jsonStrings(2), appID, string(list))
	return err
}

// AuthUsers lists a page of the users authorized on an application, by name.
func (r Reader) AuthUsers(ctx context.Context, appID string, p Page) ([]string, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT user_name FROM joint_auths WHERE app_id = $1 AND user_name > $2 ORDER BY user_name LIMIT $3`,
		appID, p.After.ID, p.limit()+1)
	list, err := collect(rows, err, func(r rowScanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
	return cut(list, err, p, func(s string) Cursor { return Cursor{ID: s} })
}
