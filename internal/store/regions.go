package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Sales regions (rules §1.8): a signing entity's regions and a buyer's country.

// SetSigningRegions stores the regions a merchant's signing entity may sell in.
func (tx *Tx) SetSigningRegions(ctx context.Context, merchantID string, regions []string, at time.Time) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO signing_regions (merchant_id, regions, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (merchant_id) DO UPDATE SET regions = excluded.regions, updated_at = excluded.updated_at`,
		merchantID, strings.Join(regions, ","), ms(at))
	return err
}

// SigningRegions returns a merchant's signing regions; nil when none are stored (no limit).
func (r Reader) SigningRegions(ctx context.Context, merchantID string) ([]string, error) {
	var s string
	err := r.q.QueryRowContext(ctx, `SELECT regions FROM signing_regions WHERE merchant_id = $1`, merchantID).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) || s == "" {
		return nil, nil
	}
	return strings.Split(s, ","), err
}

// SetBuyerCountry stores a buyer's country.
func (tx *Tx) SetBuyerCountry(ctx context.Context, buyerID, country string) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO buyer_countries (customer_id, country) VALUES ($1, $2)
		ON CONFLICT (customer_id) DO UPDATE SET country = excluded.country`, buyerID, country)
	return err
}

// BuyerCountry returns a buyer's country, "" when it is not known.
func (r Reader) BuyerCountry(ctx context.Context, buyerID string) (string, error) {
	var c string
	err := r.q.QueryRowContext(ctx, `SELECT country FROM buyer_countries WHERE customer_id = $1`, buyerID).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return c, err
}
