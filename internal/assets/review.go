package assets

import (
	"context"
	"strings"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// The review: every change of state is guarded by the state (and version) it leaves, so of two
// concurrent changes one wins, and a refused change writes nothing.

// move changes the asset's newest version ver to state to in tx, with its event. The caller has
// set the version's own fields (report, comment); move writes them.
func (s *Service) move(ctx context.Context, tx *store.Tx, a *market.Asset, ver *market.AssetVersion, to market.AssetState, who, comment string) error {
	from, fromVersion := a.State, a.Version
	now := s.clock.Now()
	a.State, a.UpdatedAt, ver.State = to, now, to
	if to == market.AssetApproved && ver.N > a.ApprovedVersion {
		a.ApprovedVersion = ver.N
	}
	if to != market.AssetSubmitted {
		a.ScanError, a.ScanAttempts = "", 0
	}
	ok, err := tx.UpdateAsset(ctx, a, from, fromVersion)
	if err == nil && !ok {
		err = market.Errorf(market.CodeConflict, "asset %s changed meanwhile; read it again", a.ID)
	}
	if err != nil {
		return err
	}
	if err := tx.UpdateAssetVersion(ctx, ver); err != nil {
		return err
	}
	if to == market.AssetApproved || to == market.AssetRejected {
		if err := s.notify.Post(ctx, tx, a.MerchantID, "asset."+lower(to), a.ID, "Version %s of asset %q (%s) is %s: %s",
			ver.Label, a.Name, a.ID, lower(to), comment); err != nil {
			return err
		}
	}
	return tx.AddAssetEvent(ctx, &market.AssetEvent{AssetID: a.ID, Version: ver.N, From: from, To: to, By: who, Comment: comment, At: now})
}

// mayAddVersion refuses a new version while the newest is under review.
func mayAddVersion(a *market.Asset) error {
	if a.State == market.AssetSubmitted || a.State == market.AssetAppealed {
		return market.Errorf(market.CodeConflict, "asset %s is %s: a new version can be added once its review is decided", a.ID, a.State)
	}
	return nil
}

// addVersion stores ver as the asset's newest version, a DRAFT, in tx.
func (s *Service) addVersion(ctx context.Context, tx *store.Tx, a *market.Asset, ver *market.AssetVersion, who string) error {
	if err := mayAddVersion(a); err != nil {
		return err
	}
	from, fromVersion := a.State, a.Version
	now := s.clock.Now()
	ver.AssetID, ver.N, ver.State, ver.CreatedAt = a.ID, a.Version+1, market.AssetDraft, now
	a.Version, a.State, a.UpdatedAt, a.ScanError, a.ScanAttempts = ver.N, market.AssetDraft, now, "", 0
	ok, err := tx.UpdateAsset(ctx, a, from, fromVersion)
	if err == nil && !ok {
		err = market.Errorf(market.CodeConflict, "asset %s changed meanwhile; read it again", a.ID)
	}
	if err != nil {
		return err
	}
	if err := tx.InsertAssetVersion(ctx, ver); err != nil {
		return err
	}
	return tx.AddAssetEvent(ctx, &market.AssetEvent{AssetID: a.ID, Version: ver.N, From: from, To: market.AssetDraft, By: who,
		Comment: "version " + ver.Label, At: now})
}

// Submit submits the asset's newest version for review: its scan is queued, and the features
// that hook submission (OnSubmit) check the asset in the same transaction.
func (s *Service) Submit(ctx context.Context, v market.Viewer, id string) (market.Asset, error) {
	var out market.Asset
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		a, err := s.act(ctx, tx.Reader, v, id)
		if err != nil {
			return err
		}
		if a.State != market.AssetDraft || a.Version == 0 {
			return market.Errorf(market.CodeConflict, "asset %s is %s: only a draft with a version can be submitted", id, describe(a))
		}
		ver, err := tx.AssetVersion(ctx, id, a.Version)
		if err != nil {
			return err
		}
		if !ver.Ready {
			msg := "its content is still being fetched"
			if ver.FetchError != "" {
				msg = "its content could not be fetched: " + ver.FetchError
			}
			return market.Errorf(market.CodeConflict, "version %s of asset %s cannot be submitted: %s", ver.Label, id, msg)
		}
		for _, fn := range s.onSubmit {
			if err := fn(ctx, tx, *a); err != nil {
				return err
			}
		}
		ver.SubmittedAt, ver.Report, ver.Appeal, ver.Comment = s.clock.Now(), nil, "", ""
		if err := s.move(ctx, tx, a, ver, market.AssetSubmitted, by(v), ""); err != nil {
			return err
		}
		out = *a
		return s.enqueueScan(ctx, tx, a)
	})
	return out, err
}

// enqueueScan queues the scan of the asset's newest version, once: while a scan job of that
// version is waiting, retrying or running, the same job is made available at once instead of
// a second one being added (a job that is running is left alone).
func (s *Service) enqueueScan(ctx context.Context, tx *store.Tx, a *market.Asset) error {
	id, err := tx.EnqueueJob(ctx, ScanArgs{AssetID: a.ID, Version: a.Version}, &river.InsertOpts{Queue: Queue, MaxAttempts: s.cfg.ScanAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
			rivertype.JobStateRunning, rivertype.JobStateScheduled, rivertype.JobStateRetryable}}})
	if err != nil {
		return err
	}
	return tx.RetryJob(ctx, id)
}

// describe names an asset's state for a refusal.
func describe(a *market.Asset) string {
	if a.Version == 0 {
		return "a draft without a version"
	}
	return string(a.State)
}

// Appeal appeals the rejection of the asset's newest version (a false positive, with the
// seller's evidence in reason): the operator decides.
func (s *Service) Appeal(ctx context.Context, v market.Viewer, id, reason string) (market.Asset, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 2000 {
		return market.Asset{}, market.Invalid("reason", "reason must say in 1 to 2000 characters why the rejection is wrong")
	}
	var out market.Asset
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		a, err := s.act(ctx, tx.Reader, v, id)
		if err != nil {
			return err
		}
		if a.State != market.AssetRejected {
			return market.Errorf(market.CodeConflict, "asset %s is %s: only a rejected asset can be appealed", id, describe(a))
		}
		ver, err := tx.AssetVersion(ctx, id, a.Version)
		if err != nil {
			return err
		}
		ver.Appeal = reason
		if err := s.move(ctx, tx, a, ver, market.AssetAppealed, by(v), reason); err != nil {
			return err
		}
		out = *a
		return nil
	})
	return out, err
}

// Decide is the operator's decision on an appealed asset: approve or reject, with a comment.
func (s *Service) Decide(ctx context.Context, v market.Viewer, id string, approve bool, comment string) (market.Asset, error) {
	if err := v.MustBeOperator(); err != nil {
		return market.Asset{}, err
	}
	comment = strings.TrimSpace(comment)
	if comment == "" || len([]rune(comment)) > 2000 {
		return market.Asset{}, market.Invalid("comment", "comment must give the decision's reason in 1 to 2000 characters")
	}
	var out market.Asset
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		a, err := s.read(ctx, tx.Reader, v, id)
		if err != nil {
			return err
		}
		if a.State != market.AssetAppealed {
			return market.Errorf(market.CodeConflict, "asset %s is %s: only an appealed asset awaits a decision", id, describe(a))
		}
		ver, err := tx.AssetVersion(ctx, id, a.Version)
		if err != nil {
			return err
		}
		to := market.AssetRejected
		if approve {
			to = market.AssetApproved
		}
		ver.Comment, ver.DecidedAt = comment, s.clock.Now()
		if err := s.move(ctx, tx, a, ver, to, by(v), comment); err != nil {
			return err
		}
		out = *a
		return nil
	})
	return out, err
}

// Rescan queues the scan of a SUBMITTED asset again, for the operator once the scanner's
// trouble (a missing database, clamd down) is fixed and its retries ran out.
func (s *Service) Rescan(ctx context.Context, v market.Viewer, id string) (market.Asset, error) {
	if err := v.MustBeOperator(); err != nil {
		return market.Asset{}, err
	}
	var out market.Asset
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		a, err := s.read(ctx, tx.Reader, v, id)
		if err != nil {
			return err
		}
		if a.State != market.AssetSubmitted {
			return market.Errorf(market.CodeConflict, "asset %s is %s: only a submitted asset is scanned", id, describe(a))
		}
		out = *a
		return s.enqueueScan(ctx, tx, a)
	})
	return out, err
}
