package api

import (
	"net/http"
	"strconv"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/appeal"
	"github.com/mercato-oss/mercato/internal/market"
)

// JSON views of the after-sale records (docs/after-sale.md).

type stepView struct {
	Seq    int        `json:"seq"`
	At     string     `json:"at"`
	Role   string     `json:"role"`
	Actor  string     `json:"actor,omitempty"`
	Action string     `json:"action"`
	From   string     `json:"from,omitempty"`
	To     string     `json:"to,omitempty"`
	Text   string     `json:"text,omitempty"`
	Files  []fileMeta `json:"files,omitempty"`
}

type fileMeta struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	SHA256      string `json:"sha256"`
}

func viewSteps(steps []*market.Evidence) []stepView {
	out := make([]stepView, len(steps))
	for i, e := range steps {
		out[i] = stepView{Seq: e.Seq, At: ts(e.At), Role: string(e.Role), Actor: e.Actor, Action: e.Action, From: e.From, To: e.To, Text: e.Text}
		for _, f := range e.Files {
			out[i].Files = append(out[i].Files, fileMeta{f.ID, f.Name, f.ContentType, f.Size, f.SHA256})
		}
	}
	return out
}

// writeAttachment answers an attachment's content as a download.
func writeAttachment(w http.ResponseWriter, f *market.Attachment) {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", "attachment; filename="+strconv.Quote(f.Name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(f.Content)
}

type eligibilityView struct {
	InstanceKey string             `json:"instance_key"`
	Eligible    bool               `json:"eligible"`
	Kinds       []market.UnsubKind `json:"kinds"`
	Paid        market.Money       `json:"paid"`
	Refund      market.Money       `json:"refund"`
	NoReason    bool               `json:"no_reason"`
	QuotaLeft   int                `json:"no_reason_quota_left"`
	Rule        string             `json:"rule"`
}

func viewEligibility(e *market.Eligibility) eligibilityView {
	kinds := e.Kinds
	if kinds == nil {
		kinds = []market.UnsubKind{}
	}
	return eligibilityView{e.InstanceKey, e.Eligible, kinds, e.Paid, e.Refund, e.NoReason, e.QuotaLeft, e.Rule}
}

type unsubView struct {
	ID                 string            `json:"id"`
	InstanceKey        string            `json:"instance_key"`
	OrderID            string            `json:"order_id"`
	BuyerID            string            `json:"buyer_id"`
	MerchantID         string            `json:"merchant_id"`
	Kind               market.UnsubKind  `json:"kind"`
	State              market.UnsubState `json:"state"`
	Amount             market.Money      `json:"amount"`
	Paid               market.Money      `json:"paid"`
	Reason             string            `json:"reason"`
	ShareContact       bool              `json:"share_contact"`
	SellerNote         string            `json:"seller_note,omitempty"`
	Approval           string            `json:"approval,omitempty"`
	ReturnCarrier      string            `json:"return_carrier,omitempty"`
	ReturnWaybill      string            `json:"return_waybill,omitempty"`
	NoReason           bool              `json:"no_reason"`
	UnsubscribeOrderID string            `json:"unsubscribe_order_id,omitempty"`
	Deadline           string            `json:"deadline,omitempty"`
	CreatedAt          string            `json:"created_at"`
	UpdatedAt          string            `json:"updated_at"`
	RefundedAt         string            `json:"refunded_at,omitempty"`
	// Contact is shown to the operator, and to the seller when the buyer agreed.
	Email         string     `json:"buyer_email,omitempty"`
	Mobile        string     `json:"buyer_mobile,omitempty"`
	ReturnAddress string     `json:"return_address,omitempty"`
	Steps         []stepView `json:"steps,omitempty"`
}

func viewUnsub(u *market.Unsubscription) unsubView {
	return unsubView{ID: u.ID, InstanceKey: u.InstanceKey, OrderID: u.OrderID, BuyerID: u.BuyerID, MerchantID: u.MerchantID, Kind: u.Kind,
		State: u.State, Amount: u.Amount, Paid: u.Paid, Reason: u.Reason, ShareContact: u.ShareContact, SellerNote: u.SellerNote,
		Approval: u.Approval, ReturnCarrier: u.ReturnCarrier, ReturnWaybill: u.ReturnWaybill, NoReason: u.NoReason,
		UnsubscribeOrderID: u.UnsubscribeOrderID, Deadline: ts(u.Deadline), CreatedAt: ts(u.CreatedAt), UpdatedAt: ts(u.UpdatedAt),
		RefundedAt: ts(u.RefundedAt)}
}

func viewUnsubDetail(d *aftersale.Detail) unsubView {
	v := viewUnsub(d.Unsubscription)
	v.Email, v.Mobile, v.ReturnAddress, v.Steps = d.Email, d.Mobile, d.ReturnAddress, viewSteps(d.Steps)
	return v
}

type flowView struct {
	ID                    string              `json:"id"`
	InstanceKey           string              `json:"instance_key"`
	OrderID               string              `json:"order_id"`
	BuyerID               string              `json:"buyer_id"`
	MerchantID            string              `json:"merchant_id"`
	SkuCode               string              `json:"sku_code"`
	Delivery              market.Delivery     `json:"delivery"`
	Template              market.FlowTemplate `json:"template"`
	State                 market.FlowState    `json:"state"`
	Frozen                bool                `json:"frozen"`
	RequirementRejections int                 `json:"requirement_rejections"`
	DeliveryRejections    int                 `json:"delivery_rejections"`
	StateSince            string              `json:"state_since"`
	AcceptedAt            string              `json:"accepted_at,omitempty"`
	CompletedAt           string              `json:"completed_at,omitempty"`
	CreatedAt             string              `json:"created_at"`
	Steps                 []stepView          `json:"steps,omitempty"`
}

func viewFlow(f *market.Flow, steps []*market.Evidence) flowView {
	return flowView{f.ID, f.InstanceKey, f.OrderID, f.BuyerID, f.MerchantID, f.SkuCode, f.Delivery, f.Template, f.State, f.Frozen,
		f.RequirementRejections, f.DeliveryRejections, ts(f.StateSince), ts(f.AcceptedAt), ts(f.CompletedAt), ts(f.CreatedAt), viewSteps(steps)}
}

type appealView struct {
	ID        string               `json:"id"`
	FlowID    string               `json:"flow_id"`
	ByRole    market.Role          `json:"by_role"`
	ByID      string               `json:"by_id"`
	Reason    string               `json:"reason"`
	Demand    string               `json:"demand,omitempty"`
	State     market.AppealState   `json:"state"`
	Outcome   market.AppealOutcome `json:"outcome,omitempty"`
	ResumeAt  market.FlowState     `json:"resume_at,omitempty"`
	Refund    market.Money         `json:"refund,omitempty"`
	Note      string               `json:"note,omitempty"`
	DueAt     string               `json:"due_at"`
	Overdue   bool                 `json:"overdue"`
	CreatedAt string               `json:"created_at"`
	DecidedAt string               `json:"decided_at,omitempty"`
	Steps     []stepView           `json:"steps,omitempty"`
}

func viewAppeal(d *appeal.Detail) appealView {
	a := d.Appeal
	return appealView{a.ID, a.FlowID, a.ByRole, a.ByID, a.Reason, a.Demand, a.State, a.Outcome, a.ResumeAt, a.Refund, a.Note,
		ts(a.DueAt), d.Overdue, ts(a.CreatedAt), ts(a.DecidedAt), viewSteps(d.Steps)}
}

type shipmentView struct {
	InstanceKey string               `json:"instance_key"`
	OrderID     string               `json:"order_id"`
	BuyerID     string               `json:"buyer_id"`
	MerchantID  string               `json:"merchant_id"`
	SkuCode     string               `json:"sku_code"`
	State       market.ShipmentState `json:"state"`
	Address     string               `json:"address,omitempty"`
	Carrier     string               `json:"carrier,omitempty"`
	Waybill     string               `json:"waybill,omitempty"`
	ShippedAt   string               `json:"shipped_at,omitempty"`
	SignedAt    string               `json:"signed_at,omitempty"`
	LastEventAt string               `json:"last_event_at,omitempty"`
	Events      []waybillEventView   `json:"events,omitempty"`
}

type waybillEventView struct {
	Carrier string               `json:"carrier"`
	Waybill string               `json:"waybill"`
	Seq     int                  `json:"seq"`
	At      string               `json:"at"`
	Status  market.WaybillStatus `json:"status"`
	Text    string               `json:"text,omitempty"`
}

func viewWaybillEvent(e market.WaybillEvent) waybillEventView {
	return waybillEventView{e.Carrier, e.Waybill, e.Seq, ts(e.At), e.Status, e.Text}
}

func viewShipment(s *market.Shipment, events []market.WaybillEvent) shipmentView {
	v := shipmentView{InstanceKey: s.InstanceKey, OrderID: s.OrderID, BuyerID: s.BuyerID, MerchantID: s.MerchantID, SkuCode: s.SkuCode,
		State: s.State, Address: s.Address, Carrier: s.Carrier, Waybill: s.Waybill, ShippedAt: ts(s.ShippedAt), SignedAt: ts(s.SignedAt),
		LastEventAt: ts(s.LastEventAt)}
	for _, e := range events {
		v.Events = append(v.Events, viewWaybillEvent(e))
	}
	return v
}

type voucherView struct {
	ID         string              `json:"id"`
	Kind       market.VoucherKind  `json:"kind"`
	Issuer     string              `json:"issuer,omitempty"`
	BuyerID    string              `json:"buyer_id"`
	Scope      market.VoucherScope `json:"scope"`
	ScopeID    string              `json:"scope_id,omitempty"`
	Amount     market.Money        `json:"amount"`
	Balance    market.Money        `json:"balance"`
	ValidFrom  string              `json:"valid_from"`
	ValidUntil string              `json:"valid_until"`
	State      market.VoucherState `json:"state"`
	Usable     bool                `json:"usable"`
	Reason     string              `json:"reason,omitempty"`
}

func viewVoucher(v *market.Voucher, usable bool) voucherView {
	return voucherView{v.ID, v.Kind, v.Issuer, v.BuyerID, v.Scope, v.ScopeID, v.Amount, v.Balance, ts(v.From), ts(v.Until), v.State, usable, v.Reason}
}

type messageView struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	Subject    string `json:"subject"`
	Body       string `json:"body"`
	CreatedAt  string `json:"created_at"`
	ReadAt     string `json:"read_at,omitempty"`
	EmailedAt  string `json:"emailed_at,omitempty"`
	EmailError string `json:"email_error,omitempty"`
}

func viewMessage(m *market.Message) messageView {
	return messageView{m.ID, m.Kind, m.Subject, m.Body, ts(m.CreatedAt), ts(m.ReadAt), ts(m.EmailedAt), m.EmailError}
}

type renewalView struct {
	InstanceKey  string              `json:"instance_key"`
	Policy       market.ExpiryPolicy `json:"policy"`
	Period       string              `json:"period,omitempty"`
	PeriodNumber int                 `json:"period_number,omitempty"`
	RenewalsLeft int                 `json:"renewals_left,omitempty"`
}

func viewRenewal(r *market.Renewal) renewalView {
	return renewalView{r.InstanceKey, r.Policy, r.Period, r.PeriodNumber, r.RenewalsLeft}
}
