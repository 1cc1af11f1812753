package appeal

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Decision is the operator's decision on an appeal.
type Decision struct {
	Outcome market.AppealOutcome `json:"outcome"`
	// ResumeAt is the state a RESUME decision resumes the flow at.
	ResumeAt market.FlowState `json:"resume_at,omitempty"`
	// Refund is what a REFUND decision pays back (0 < refund ≤ what was paid).
	Refund market.Money `json:"refund,omitempty"`
	Note   string       `json:"note"`
}

// Decide decides an open appeal: the operator. The flow is unfrozen and resumes at a state,
// completes, or its instance is refunded through an unsubscription; both parties learn the
// result (the buyer by in-site message).
func (s *Service) Decide(ctx context.Context, v market.Viewer, id string, d Decision) (*market.Appeal, error) {
	if err := v.MustBeOperator(); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(d.Note); n < 1 || n > 1000 {
		return nil, market.Invalid("note", "record the decision's grounds (1 to 1000 characters)")
	}
	var a *market.Appeal
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if a, err = tx.Appeal(ctx, id); err != nil {
			return err
		}
		if a.State != market.AppealOpen {
			return market.Errorf(market.CodeConflict, "appeal %s was decided already", id)
		}
		f, err := tx.Flow(ctx, a.FlowID)
		if err != nil {
			return err
		}
		switch d.Outcome {
		case market.OutcomeResume:
			err = s.flows.Resume(ctx, tx, f, d.ResumeAt, d.Note)
		case market.OutcomeComplete:
			err = s.flows.Complete(ctx, tx, f, d.Note)
		case market.OutcomeRefund:
			if err = s.flows.Unfreeze(ctx, tx, f); err == nil {
				_, err = s.unsubs.Decide(ctx, tx, f.InstanceKey, d.Refund, "appeal "+id+": "+d.Note)
			}
		default:
			return market.Invalid("outcome", "outcome must be RESUME, COMPLETE or REFUND")
		}
		if err != nil {
			return err
		}
		now := s.clock.Now()
		a.State, a.Outcome, a.ResumeAt, a.Refund, a.Note, a.DecidedAt = market.AppealDecided, d.Outcome, d.ResumeAt, d.Refund, d.Note, now
		if ok, err := tx.DecideAppeal(ctx, a); err != nil || !ok {
			if err == nil {
				err = market.Errorf(market.CodeConflict, "appeal %s was decided meanwhile", id)
			}
			return err
		}
		if err := tx.AppendEvidence(ctx, &market.Evidence{Subject: Subject(id), At: now, Role: market.RoleOperator, Action: "decide",
			From: string(market.AppealOpen), To: string(market.AppealDecided), Text: string(d.Outcome) + ": " + d.Note}); err != nil {
			return err
		}
		_, err = s.messages.Post(ctx, tx, f.BuyerID, "appeal", "appeal:"+id, "The appeal on your order was decided",
			fmt.Sprintf("Appeal %s on service flow %s (order %s) was decided: %s. %s", id, f.ID, f.OrderID, d.Outcome, d.Note))
		return err
	})
	return a, err
}

// Detail is an appeal with its log.
type Detail struct {
	*market.Appeal
	Overdue bool
	Steps   []*market.Evidence
}

// Appeal returns an appeal to the flow's buyer, its merchant's sellers and the operator.
func (s *Service) Appeal(ctx context.Context, v market.Viewer, id string) (*Detail, error) {
	a, err := s.db.Appeal(ctx, id)
	if err != nil {
		return nil, err
	}
	f, err := s.db.Flow(ctx, a.FlowID)
	if err != nil {
		return nil, err
	}
	if err := v.Check("appeal", id, f.BuyerID, f.MerchantID); err != nil {
		return nil, err
	}
	steps, err := s.db.Evidence(ctx, Subject(id))
	return &Detail{Appeal: a, Overdue: a.Overdue(s.clock.Now()), Steps: steps}, err
}

// Appeals lists the appeals v sees, newest first, each with whether it is past its deadline.
func (s *Service) Appeals(ctx context.Context, v market.Viewer, f store.AppealFilter) ([]*Detail, store.Cursor, error) {
	var ok bool
	if f.BuyerID, f.MerchantID, ok = v.Scope(f.BuyerID, f.MerchantID); !ok {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "no appeals to see")
	}
	list, next, err := s.db.Appeals(ctx, f)
	out := make([]*Detail, len(list))
	now := s.clock.Now()
	for i, a := range list {
		out[i] = &Detail{Appeal: a, Overdue: a.Overdue(now)}
	}
	return out, next, err
}

// Attachment returns a file attached to an appeal, with its content.
func (s *Service) Attachment(ctx context.Context, v market.Viewer, id, fileID string) (*market.Attachment, error) {
	if _, err := s.Appeal(ctx, v, id); err != nil {
		return nil, err
	}
	return s.db.Attachment(ctx, Subject(id), fileID)
}
