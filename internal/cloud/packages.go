package cloud

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Industrial-software packages (rules §7): the fields a seller declares per spec, and the upgrade
// notices clients get from them. They live in their own table keyed by skuCode, beside the
// catalog rather than in it.

// PackageRequest sets a spec's package fields. Forced upgrade and trial supported are required
// fields of the seller's form: false is a choice, not an omission.
type PackageRequest struct {
	SkuCode        string             `json:"sku_code"`
	DataInCloud    bool               `json:"data_in_cloud"`
	Version        string             `json:"version"`
	ForcedUpgrade  bool               `json:"forced_upgrade"`
	ForcedVersions []string           `json:"forced_versions,omitempty"`
	TrialSupported bool               `json:"trial_supported"`
	TrialDays      int                `json:"trial_days,omitempty"`
	InstallMode    market.InstallMode `json:"install_mode,omitempty"`
	QuotaBytes     int64              `json:"quota_bytes,omitempty"`
	Notes          string             `json:"notes,omitempty"`
}

// Trial days allowed (rules §10, #6).
const (
	MinTrialDays = 3
	MaxTrialDays = 180
)

func textField(name, v string, lo, hi int) error {
	if n := utf8.RuneCountInString(v); n < lo || n > hi || !utf8.ValidString(v) {
		return market.Errorf(market.CodeInvalid, "%s must be %d to %d characters", name, lo, hi)
	}
	return nil
}

func (r *PackageRequest) check() error {
	if err := textField("version", r.Version, 1, 64); err != nil {
		return err
	}
	if len(r.ForcedVersions) > 100 {
		return market.Errorf(market.CodeInvalid, "at most 100 forced_versions")
	}
	for _, fv := range r.ForcedVersions {
		if err := textField("each of forced_versions", fv, 1, 64); err != nil || strings.ContainsAny(fv, "\n\r") {
			return market.Errorf(market.CodeInvalid, "each of forced_versions must be 1 to 64 characters on one line")
		}
	}
	switch {
	case r.TrialSupported && (r.TrialDays < MinTrialDays || r.TrialDays > MaxTrialDays):
		return market.Errorf(market.CodeInvalid, "trial_days must be %d to %d when trials are supported", MinTrialDays, MaxTrialDays)
	case !r.TrialSupported && r.TrialDays != 0:
		return market.Errorf(market.CodeInvalid, "trial_days needs trial_supported")
	case r.QuotaBytes < 0:
		return market.Errorf(market.CodeInvalid, "quota_bytes must not be negative")
	}
	if r.InstallMode == "" {
		r.InstallMode = market.InstallSilent
	}
	if r.InstallMode != market.InstallSilent && r.InstallMode != market.InstallInteractive {
		return market.Errorf(market.CodeInvalid, "install_mode must be SILENT or INTERACTIVE")
	}
	return textField("notes", r.Notes, 0, 2000)
}

// SetPackage sets a spec's package fields: the operator, or a seller of the spec's merchant.
func (s *Service) SetPackage(ctx context.Context, v market.Viewer, r PackageRequest) (*market.IndustrialPackage, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var p *market.IndustrialPackage
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		spec, err := tx.Spec(ctx, r.SkuCode)
		if err != nil {
			return err
		}
		prod, err := tx.Product(ctx, spec.ProductID)
		if err != nil {
			return err
		}
		if !v.MayActFor(prod.MerchantID) {
			return market.Errorf(market.CodeNotFound, "spec %s not found", r.SkuCode)
		}
		p = &market.IndustrialPackage{SkuCode: spec.SkuCode, ProductID: prod.ID, MerchantID: prod.MerchantID, DataInCloud: r.DataInCloud,
			Version: r.Version, ForcedUpgrade: r.ForcedUpgrade, ForcedVersions: r.ForcedVersions, TrialSupported: r.TrialSupported,
			TrialDays: r.TrialDays, InstallMode: r.InstallMode, QuotaBytes: r.QuotaBytes, Notes: r.Notes, UpdatedAt: s.clock.Now()}
		return tx.UpsertIndustrialPackage(ctx, p)
	})
	return p, err
}

// Package returns a spec's package fields. They describe what is for sale, so every viewer
// may read them.
func (s *Service) Package(ctx context.Context, v market.Viewer, sku string) (*market.IndustrialPackage, error) {
	if v.Role == "" {
		return nil, market.Errorf(market.CodeNotFound, "industrial package of spec %s not found", sku)
	}
	return s.db.IndustrialPackage(ctx, sku)
}

// instance reads an instance of v's with its package, for the calls that need no drive.
func (s *Service) instance(ctx context.Context, r store.Reader, v market.Viewer, key string) (*market.Instance, *market.IndustrialPackage, error) {
	if v.Role != market.RoleBuyer && !v.IsOperator() {
		return nil, nil, market.Errorf(market.CodeNotFound, "instance %s not found", key)
	}
	in, err := r.Instance(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	if err := v.Check("instance", key, in.BuyerID, ""); err != nil {
		return nil, nil, err
	}
	pkg, err := r.IndustrialPackage(ctx, in.SkuCode)
	if market.ErrorCode(err) == market.CodeNotFound {
		return nil, nil, market.Errorf(market.CodeConflict, "instance %s is not of an industrial-software package", key)
	}
	return in, pkg, err
}

// Upgrade tells a client on version current about its package's version: whether to upgrade,
// and whether the upgrade is forced (for every client, or for the listed old versions).
func (s *Service) Upgrade(ctx context.Context, v market.Viewer, key, current string) (*market.UpgradeNotice, error) {
	_, pkg, err := s.instance(ctx, s.db.Reader, v, key)
	if err != nil {
		return nil, err
	}
	n := &market.UpgradeNotice{CurrentVersion: current, LatestVersion: pkg.Version, InstallMode: pkg.InstallMode, Notes: pkg.Notes}
	n.Upgrade = pkg.Version != "" && current != pkg.Version
	n.Forced = n.Upgrade && (pkg.ForcedUpgrade || slices.Contains(pkg.ForcedVersions, current))
	return n, nil
}

// ConfirmUpgrade records a client's confirmation of an upgrade notice (UpgradeNotify): ISCDesk
// upgrades it after the software exits.
func (s *Service) ConfirmUpgrade(ctx context.Context, v market.Viewer, key, current string) (*market.UpgradeNotice, error) {
	n, err := s.Upgrade(ctx, v, key, current)
	if err != nil {
		return nil, err
	}
	if !n.Upgrade {
		return nil, market.Errorf(market.CodeConflict, "version %q is the package's current version: there is no upgrade to confirm", current)
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		return tx.InsertUpgrade(ctx, key, userOf(v), current, n.LatestVersion, s.clock.Now().UnixMilli())
	})
	return n, err
}
