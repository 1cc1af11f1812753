package store

import (
	"context"
	"fmt"
)

// sealed lists the columns that hold secrets, with each table's key column.
var sealed = []struct{ table, key, column string }{
	{"merchants", "id", "access_key"},
	{"merchants", "id", "kit_key"},
	{"merchants", "id", "previous_access_key"},
	{"merchants", "id", "previous_kit_key"},
	{"api_keys", "ak", "sk"},
	{"instances", "line_id", "app_info"},
}

// Rewrap seals every stored secret with the keyring's primary key: the values stored in clear
// by an older Mercato, and those sealed with an older key. It returns how many values it
// rewrote. Each column is rewritten in its own transaction, so a run cut short is finished by
// running it again.
func (db *DB) Rewrap(ctx context.Context) (int, error) {
	if db.Reader.keys == nil {
		return 0, fmt.Errorf("store: rewrap needs a key file")
	}
	total := 0
	for _, c := range sealed {
		err := db.Write(ctx, func(tx *Tx) error {
			rows, err := tx.q.QueryContext(ctx, `SELECT `+c.key+`, `+c.column+` FROM `+c.table+` WHERE `+c.column+` <> ''`)
			type row struct{ key, value string }
			list, err := collect(rows, err, func(s rowScanner) (row, error) {
				var r row
				err := s.Scan(&r.key, &r.value)
				return r, err
			})
			if err != nil {
				return err
			}
			for _, r := range list {
				plain, err := tx.keys.open(r.value)
				if err != nil {
					return fmt.Errorf("%s.%s of %s: %w", c.table, c.column, r.key, err)
				}
				resealed := tx.keys.seal(plain)
				if resealed == r.value {
					continue
				}
				if _, err := tx.q.ExecContext(ctx, `UPDATE `+c.table+` SET `+c.column+` = $1 WHERE `+c.key+` = $2`, resealed, r.key); err != nil {
					return err
				}
				total++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
