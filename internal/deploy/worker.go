package deploy

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Args hands a pending deployment to the deployer.
type Args struct {
	ID string `json:"id"`
}

// Kind implements river.JobArgs.
func (Args) Kind() string { return "deploy_run" }

// Worker hands deployments to the deployer and records its answer.
type Worker struct {
	river.WorkerDefaults[Args]
	S *Service
}

// Work runs one attempt. A deployment no longer pending (a repeat after a crash) is left
// alone; a failed attempt is retried until the last, which records the failure.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	s := w.S
	d, err := s.db.Deployment(ctx, job.Args.ID)
	if err != nil || d.State != market.DeploymentPending {
		return err
	}
	t, err := s.db.DeployTemplate(ctx, d.TemplateID)
	if err != nil {
		return err
	}
	res, derr := s.deployer.Deploy(ctx, Job{Deployment: d, Template: t})
	d.Attempts = job.Attempt
	d.UpdatedAt = s.clock.Now()
	code := market.ErrorCode(derr)
	final := derr != nil && (code == market.CodeInvalid || code == market.CodeConflict || job.Attempt >= job.MaxAttempts)
	switch {
	case derr == nil:
		d.State, d.StackID, d.Outputs, d.Message, d.DeployedAt = market.DeploymentDeployed, res.StackID, res.Outputs, res.Message, d.UpdatedAt
		if d.Outputs == nil {
			d.Outputs = map[string]string{}
		}
	case final:
		d.State, d.Message = market.DeploymentFailed, derr.Error()
		s.log.Warn("deployment failed", "deployment", d.ID, "attempts", job.Attempt, "err", derr)
	default:
		return fmt.Errorf("deployment %s: attempt %d: %w", d.ID, job.Attempt, derr)
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.FinishDeployment(ctx, d, market.DeploymentPending)
		return err
	})
}
