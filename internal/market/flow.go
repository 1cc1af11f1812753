package market

import "time"

// FlowState is where a supervised order's service flow is (rules §4.1).
type FlowState string

// Service-flow states of the standard flow (标准服务流). A flow ends COMPLETED three hours after
// the buyer accepts, or CLOSED when its order is unsubscribed.
const (
	FlowAwaitingRequirement FlowState = "AWAITING_BUYER_REQUIREMENT"
	FlowAwaitingConfirm     FlowState = "AWAITING_SELLER_CONFIRM_REQUIREMENT"
	FlowDelivering          FlowState = "SELLER_DELIVERING"
	FlowAwaitingAcceptance  FlowState = "AWAITING_BUYER_ACCEPTANCE"
	FlowAccepted            FlowState = "ACCEPTED"
	FlowCompleted           FlowState = "COMPLETED"
	FlowClosed              FlowState = "CLOSED"
)

// FlowTemplate is a supervised spec's service flow: the standard flow, or the standard flow
// without the requirement step (licenses and hardware, rules §4.1).
type FlowTemplate string

// Flow templates.
const (
	TemplateStandard      FlowTemplate = "STANDARD"
	TemplateNoRequirement FlowTemplate = "NO_REQUIREMENT"
)

// Flow is one supervised instance's service flow.
type Flow struct {
	ID          string
	InstanceKey string
	OrderID     string
	BuyerID     string
	MerchantID  string
	SkuCode     string
	Delivery    Delivery
	Template    FlowTemplate
	State       FlowState
	// Frozen is set while an appeal is open: neither party may act.
	Frozen bool
	// RequirementRejections and DeliveryRejections count the seller's and the buyer's
	// rejections (an international buyer may appeal after three).
	RequirementRejections int
	DeliveryRejections    int
	// StateSince is when the flow entered its state: a seller may appeal a buyer step that has
	// waited more than five days.
	StateSince  time.Time
	AcceptedAt  time.Time
	CompletedAt time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// BuyerStep reports whether the flow waits on the buyer.
func (f *Flow) BuyerStep() bool {
	return f.State == FlowAwaitingRequirement || f.State == FlowAwaitingAcceptance
}

// Evidence is one logged step of an after-sale record (a service flow, an unsubscription, an
// appeal): who did what, from which state to which, with what text and files. The log is only
// ever appended to: it is what disputes are decided on (rules §4.1).
type Evidence struct {
	Subject string // flow:<id>, unsub:<id>, appeal:<id>
	Seq     int
	At      time.Time
	Role    Role
	Actor   string // the buyer's or merchant's ID, or the user; "" for the system and the operator
	Action  string
	From    string
	To      string
	Text    string
	Files   []Attachment
}

// Attachment is a file attached to a step: a deliverable, a proof, an appeal's evidence.
type Attachment struct {
	ID          string
	Name        string
	ContentType string
	Size        int
	SHA256      string
	Content     []byte // nil in lists
}

// AppealState is where an appeal is.
type AppealState string

// Appeal states.
const (
	AppealOpen    AppealState = "OPEN"
	AppealDecided AppealState = "DECIDED"
)

// AppealOutcome is the operator's decision on an appeal (rules §4.3).
type AppealOutcome string

// Appeal outcomes: the flow resumes at a state, completes (the seller is settled), or the order
// is refunded.
const (
	OutcomeResume   AppealOutcome = "RESUME"
	OutcomeComplete AppealOutcome = "COMPLETE"
	OutcomeRefund   AppealOutcome = "REFUND"
)

// Appeal is a buyer's or a seller's appeal on a service flow.
type Appeal struct {
	ID         string
	FlowID     string
	ByRole     Role
	ByID       string
	Reason     string
	Demand     string
	State      AppealState
	Outcome    AppealOutcome
	ResumeAt   FlowState
	Refund     Money
	Note       string
	DueAt      time.Time // 3 working days after it was filed
	CreatedAt  time.Time
	DecidedAt  time.Time
	Attachment []Attachment
}

// Overdue reports whether the appeal was (or is, at now) past its handling deadline.
func (a *Appeal) Overdue(now time.Time) bool {
	if a.State == AppealDecided {
		return a.DecidedAt.After(a.DueAt)
	}
	return now.After(a.DueAt)
}
