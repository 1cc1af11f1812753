package cloud

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Solve jobs (GetSolution, compute in the cloud). The marketplace has no solver of its own: a
// submitted job is stored with its job in one transaction, and a stub solver records it, so the
// SDK's call, the job's life and the API are real and a solver can replace the stub's worker.

// Solution states.
const (
	SolutionSubmitted = "SUBMITTED"
	SolutionRecorded  = "RECORDED"
)

// Solve submits a solve job for a version of a file (0: the current one).
func (s *Service) Solve(ctx context.Context, v market.Viewer, fileID string, version int) (*market.Solution, error) {
	var sol *market.Solution
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		f, a, err := s.file(ctx, tx.Reader, v, fileID, true)
		if err != nil {
			return err
		}
		if f.Kind == market.KindFolder {
			return market.Errorf(market.CodeInvalid, "%s is a folder: solve a file or an assembly", f.Path)
		}
		if version == 0 {
			version = f.Version
		}
		if _, err := tx.CloudVersion(ctx, fileID, version); err != nil {
			return err
		}
		now := s.clock.Now()
		sol = &market.Solution{ID: market.NewHexID(), InstanceKey: f.InstanceKey, FileID: f.ID, Version: version, UserID: a.user,
			State: SolutionSubmitted, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertSolution(ctx, sol); err != nil {
			return err
		}
		return tx.Enqueue(ctx, SolveArgs{SolutionID: sol.ID}, &river.InsertOpts{Queue: Queue})
	})
	return sol, err
}

// Solution returns a solve job of v's.
func (s *Service) Solution(ctx context.Context, v market.Viewer, id string) (*market.Solution, error) {
	sol, err := s.db.Solution(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.instance(ctx, s.db.Reader, v, sol.InstanceKey); err != nil {
		return nil, market.Errorf(market.CodeNotFound, "solution %s not found", id)
	}
	return sol, nil
}

// SolveArgs hands a submitted job to the solver.
type SolveArgs struct {
	SolutionID string `json:"solution_id"`
}

// Kind implements river.JobArgs.
func (SolveArgs) Kind() string { return "cloud_solve" }

// SolveWorker is the stub solver: it records the job as received.
type SolveWorker struct {
	river.WorkerDefaults[SolveArgs]
	S *Service
}

// StubResult is what the stub solver records.
const StubResult = "recorded by the stub solver: this marketplace has no solver configured"

// Work records the job once.
func (w *SolveWorker) Work(ctx context.Context, job *river.Job[SolveArgs]) error {
	return w.S.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.FinishSolution(ctx, job.Args.SolutionID, SolutionSubmitted, SolutionRecorded, StubResult, w.S.clock.Now().UnixMilli())
		return err
	})
}
