package supervision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// File is a file sent with a step: a deliverable, a proof.
type File struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type,omitempty"`
	Content     []byte `json:"content"`
}

// Limits of what a step carries.
const (
	MaxFiles    = 5
	MaxFileSize = 512 << 10
	MaxText     = 2000
)

// Attach checks a step's text and files and turns the files into attachments.
func Attach(text string, files []File) ([]market.Attachment, error) {
	if utf8.RuneCountInString(text) > MaxText || !utf8.ValidString(text) {
		return nil, market.Invalid("text", "text is at most %d characters of UTF-8", MaxText)
	}
	if len(files) > MaxFiles {
		return nil, market.Invalid("files", "at most %d files", MaxFiles)
	}
	var out []market.Attachment
	for i, f := range files {
		if f.Name == "" || len(f.Name) > 200 || !utf8.ValidString(f.Name) {
			return nil, market.Invalid("files", "file %d needs a name of 1 to 200 bytes", i)
		}
		if len(f.Content) == 0 || len(f.Content) > MaxFileSize {
			return nil, market.Invalid("files", "file %s must hold 1 byte to %d KiB", f.Name, MaxFileSize>>10)
		}
		ct := f.ContentType
		if ct == "" {
			ct = http.DetectContentType(f.Content)
		}
		sum := sha256.Sum256(f.Content)
		out = append(out, market.Attachment{ID: market.NewUUID(), Name: f.Name, ContentType: ct, Size: len(f.Content),
			SHA256: hex.EncodeToString(sum[:]), Content: f.Content})
	}
	return out, nil
}

// StepRequest is what a party sends with a step: a text (requirement, result, reason) and files.
type StepRequest struct {
	Text  string `json:"text"`
	Files []File `json:"files,omitempty"`
}

// step is one transition a party makes.
type step struct {
	role   market.Role // who acts: the buyer or a seller
	from   []market.FlowState
	action string
	// apply moves the flow (its state and counters) in memory; after runs in the transaction.
	apply func(f *market.Flow, now time.Time) error
	after func(ctx context.Context, tx *store.Tx, f *market.Flow) error
}

// act applies a party's step to a flow: v must be the flow's buyer (buyer steps) or a seller of
// its merchant (seller steps), the flow not frozen, and in one of the step's states.
func (s *Service) act(ctx context.Context, v market.Viewer, flowID string, r StepRequest, st step) (*market.Flow, error) {
	files, err := Attach(r.Text, r.Files)
	if err != nil {
		return nil, err
	}
	var f *market.Flow
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if f, err = tx.Flow(ctx, flowID); err != nil {
			return err
		}
		if err := v.Check("service flow", flowID, f.BuyerID, f.MerchantID); err != nil {
			return err
		}
		if v.Role != st.role {
			return market.Errorf(market.CodeForbidden, "only the %s may %s", st.role, st.action)
		}
		actor := v.BuyerID
		if v.Role == market.RoleSeller {
			actor = v.MerchantID
		}
		return s.transition(ctx, tx, f, st, v.Role, actor, r.Text, files)
	})
	return f, err
}

// transition applies a step to a loaded flow, guarded by its state.
func (s *Service) transition(ctx context.Context, tx *store.Tx, f *market.Flow, st step, role market.Role, actor, text string, files []market.Attachment) error {
	if f.Frozen {
		return market.Errorf(market.CodeConflict, "service flow %s is frozen while its appeal is open (rules §4.3)", f.ID)
	}
	if !slices.Contains(st.from, f.State) {
		return market.Errorf(market.CodeConflict, "service flow %s is %s: it cannot %s now", f.ID, f.State, st.action)
	}
	from, now := f.State, s.clock.Now()
	if err := st.apply(f, now); err != nil {
		return err
	}
	if f.State != from {
		f.StateSince = now
	}
	f.UpdatedAt = now
	if ok, err := tx.UpdateFlow(ctx, f, from, false); err != nil || !ok {
		if err == nil {
			err = market.Errorf(market.CodeConflict, "service flow %s changed meanwhile; retry", f.ID)
		}
		return err
	}
	if err := record(ctx, tx, f, role, actor, st.action, string(from), string(f.State), text, files, now); err != nil {
		return err
	}
	if st.after != nil {
		return st.after(ctx, tx, f)
	}
	return nil
}

func to(state market.FlowState) func(*market.Flow, time.Time) error {
	return func(f *market.Flow, _ time.Time) error { f.State = state; return nil }
}

// SubmitRequirement is the buyer's requirement (用户提交需求), or its edit after a rejection.
func (s *Service) SubmitRequirement(ctx context.Context, v market.Viewer, flowID string, r StepRequest) (*market.Flow, error) {
	if r.Text == "" {
		return nil, market.Invalid("text", "describe the requirement")
	}
	return s.act(ctx, v, flowID, r, step{role: market.RoleBuyer, from: []market.FlowState{market.FlowAwaitingRequirement},
		action: "submit the requirement", apply: to(market.FlowAwaitingConfirm)})
}

// ConfirmRequirement is the seller's answer to the requirement: confirmed, the seller delivers;
// rejected (with a reason), the buyer edits it.
func (s *Service) ConfirmRequirement(ctx context.Context, v market.Viewer, flowID string, confirm bool, r StepRequest) (*market.Flow, error) {
	st := step{role: market.RoleSeller, from: []market.FlowState{market.FlowAwaitingConfirm}, action: "confirm the requirement", apply: to(market.FlowDelivering)}
	if !confirm {
		if r.Text == "" {
			return nil, market.Invalid("text", "say why the requirement is rejected")
		}
		st.action = "reject the requirement"
		st.apply = func(f *market.Flow, _ time.Time) error {
			f.State, f.RequirementRejections = market.FlowAwaitingRequirement, f.RequirementRejections+1
			return nil
		}
	}
	return s.act(ctx, v, flowID, r, st)
}

// Deliver is the seller's delivery: the result and the deliverables (a license "delivered
// offline"). Hardware is delivered by shipping it (package hardware).
func (s *Service) Deliver(ctx context.Context, v market.Viewer, flowID string, r StepRequest) (*market.Flow, error) {
	if r.Text == "" {
		return nil, market.Invalid("text", "describe the delivery's result")
	}
	return s.act(ctx, v, flowID, r, step{role: market.RoleSeller, from: []market.FlowState{market.FlowDelivering}, action: "deliver",
		apply: func(f *market.Flow, _ time.Time) error {
			if f.Delivery == market.DeliveryHardware {
				return market.Errorf(market.CodeConflict, "hardware is delivered by shipping it (POST /api/v1/shipments/%s/ship)", f.InstanceKey)
			}
			f.State = market.FlowAwaitingAcceptance
			return nil
		}})
}

// Accept is the buyer's acceptance of the delivery (用户确认验收): accepted, the purchase's
// validity starts now and the flow completes three hours later; rejected (with a reason), the
// seller delivers again.
func (s *Service) Accept(ctx context.Context, v market.Viewer, flowID string, accept bool, r StepRequest) (*market.Flow, error) {
	if !accept {
		if r.Text == "" {
			return nil, market.Invalid("text", "say why the delivery is rejected")
		}
		return s.act(ctx, v, flowID, r, step{role: market.RoleBuyer, from: []market.FlowState{market.FlowAwaitingAcceptance}, action: "reject the delivery",
			apply: func(f *market.Flow, _ time.Time) error {
				f.State, f.DeliveryRejections = market.FlowDelivering, f.DeliveryRejections+1
				return nil
			}})
	}
	return s.act(ctx, v, flowID, r, s.acceptStep("accept the delivery"))
}

// acceptStep accepts a delivery: by the buyer, or automatically (hardware signed and idle).
func (s *Service) acceptStep(action string) step {
	return step{role: market.RoleBuyer, from: []market.FlowState{market.FlowAwaitingAcceptance}, action: action,
		apply: func(f *market.Flow, now time.Time) error {
			f.State, f.AcceptedAt = market.FlowAccepted, now
			return nil
		},
		after: func(ctx context.Context, tx *store.Tx, f *market.Flow) error {
			if err := s.orders.StartValidity(ctx, tx, f.InstanceKey, f.AcceptedAt); err != nil {
				return err
			}
			return tx.Enqueue(ctx, CompleteArgs{FlowID: f.ID, AcceptedAt: f.AcceptedAt},
				&river.InsertOpts{Queue: Queue, ScheduledAt: f.AcceptedAt.Add(s.cfg.CompleteAfter), UniqueOpts: river.UniqueOpts{ByArgs: true}})
		}}
}
