package api

import (
	"encoding/json"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// JSON views of the domain types: snake_case, RFC 3339 times (omitted when unset), money as
// decimal strings.

// views maps a list to its views.
func views[T, V any](list []T, view func(T) V) []V {
	out := make([]V, len(list))
	for i, x := range list {
		out[i] = view(x)
	}
	return out
}

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

type merchantView struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	ProductionURL   string `json:"production_url"`
	Generation      int    `json:"generation"`
	RequireBodySign bool   `json:"require_body_sign"`
	CreatedAt       string `json:"created_at"`
}

func viewMerchant(m *market.Merchant) merchantView {
	return merchantView{m.ID, m.Name, m.ProductionURL, m.Generation, m.RequireBodySign, ts(m.CreatedAt)}
}

type lineView struct {
	ID           string          `json:"id"`
	ProductID    string          `json:"product_id"`
	SkuCode      string          `json:"sku_code"`
	Charging     market.Charging `json:"charging"`
	Period       string          `json:"period,omitempty"`
	PeriodNumber int             `json:"period_number,omitempty"`
	Amount       market.Money    `json:"amount"`
	StartsAt     string          `json:"starts_at,omitempty"`
	ExpireAt     string          `json:"expire_at,omitempty"`
}

type orderView struct {
	ID          string             `json:"id"`
	Type        market.OrderType   `json:"type"`
	Status      market.OrderStatus `json:"status"`
	BuyerID     string             `json:"buyer_id"`
	MerchantID  string             `json:"merchant_id"`
	Amount      market.Money       `json:"amount"`
	Refunded    market.Money       `json:"refunded"`
	Currency    string             `json:"currency"`
	InstanceKey string             `json:"instance_key,omitempty"`
	Reason      string             `json:"reason,omitempty"`
	CreatedAt   string             `json:"created_at"`
	UpdatedAt   string             `json:"updated_at"`
	Lines       []lineView         `json:"lines,omitempty"`
}

func viewOrder(o *market.Order) orderView {
	v := orderView{ID: o.ID, Type: o.Type, Status: o.Status, BuyerID: o.BuyerID, MerchantID: o.MerchantID, Amount: o.Amount,
		Refunded: o.Refunded, Currency: o.Currency, InstanceKey: o.InstanceKey, Reason: o.Reason, CreatedAt: ts(o.CreatedAt), UpdatedAt: ts(o.UpdatedAt)}
	for _, l := range o.Lines {
		v.Lines = append(v.Lines, lineView{l.ID, l.ProductID, l.SkuCode, l.Charging, l.Period, l.PeriodNumber, l.Amount, ts(l.StartsAt), ts(l.ExpireAt)})
	}
	return v
}

// appInfoView is the login information a buyer sees, credentials decrypted.
type appInfoView struct {
	FrontEndURL string `json:"front_end_url"`
	AdminURL    string `json:"admin_url,omitempty"`
	UserName    string `json:"user_name,omitempty"`
	Password    string `json:"password,omitempty"`
	Memo        string `json:"memo,omitempty"`
}

type instanceView struct {
	Key        string               `json:"key"`
	InstanceID string               `json:"instance_id,omitempty"`
	OrderID    string               `json:"order_id"`
	MerchantID string               `json:"merchant_id"`
	BuyerID    string               `json:"buyer_id"`
	ProductID  string               `json:"product_id"`
	SkuCode    string               `json:"sku_code"`
	Charging   market.Charging      `json:"charging"`
	Period     string               `json:"period,omitempty"`
	State      market.InstanceState `json:"state"`
	Trial      bool                 `json:"trial,omitempty"`
	ExpireAt   string               `json:"expire_at,omitempty"`
	ReleaseAt  string               `json:"release_at,omitempty"`
	AppInfo    *appInfoView         `json:"app_info,omitempty"`
	// AppInfoError says why stored login information could not be shown.
	AppInfoError string `json:"app_info_error,omitempty"`
}

// viewInstance shows an instance with its login information (decrypted by the order service),
// or why that could not be shown.
func viewInstance(in *market.Instance, a *kgp.AppInfo, appErr error) instanceView {
	v := instanceView{Key: in.Key, InstanceID: in.ID, OrderID: in.OrderID, MerchantID: in.MerchantID, BuyerID: in.BuyerID,
		ProductID: in.ProductID, SkuCode: in.SkuCode, Charging: in.Charging, Period: in.Period, State: in.State, Trial: in.Trial,
		ExpireAt: ts(in.ExpireAt), ReleaseAt: ts(in.ReleaseAt)}
	if appErr != nil {
		v.AppInfoError = market.ErrorMessage(appErr)
		if market.ErrorCode(appErr) == market.CodeInternal {
			v.AppInfoError = "stored login information cannot be read"
		}
	}
	if a != nil {
		v.AppInfo = &appInfoView{FrontEndURL: a.FrontEndURL, AdminURL: a.AdminURL, UserName: a.UserName, Password: a.Password, Memo: a.Memo}
	}
	return v
}

type attemptView struct {
	N        int    `json:"n"`
	At       string `json:"at"`
	Method   string `json:"method"`
	URL      string `json:"url"`
	Request  string `json:"request"`
	Status   int    `json:"status"`
	Response string `json:"response"`
	// ResponseSize is the answer's length; response holds at most its first 4 KiB.
	ResponseSize int    `json:"response_size"`
	ResultCode   string `json:"result_code,omitempty"`
	LatencyMS    int64  `json:"latency_ms"`
	Error        string `json:"error,omitempty"`
}

type callView struct {
	ID          string           `json:"id"`
	MerchantID  string           `json:"merchant_id"`
	Activity    string           `json:"activity"`
	InstanceKey string           `json:"instance_key,omitempty"`
	OrderID     string           `json:"order_id,omitempty"`
	State       market.CallState `json:"state"`
	Attempts    int              `json:"attempts"`
	ResultCode  string           `json:"result_code,omitempty"`
	LastError   string           `json:"last_error,omitempty"`
	Deadline    string           `json:"deadline"`
	NextAttempt string           `json:"next_attempt_at,omitempty"`
	CreatedAt   string           `json:"created_at"`
	UpdatedAt   string           `json:"updated_at"`
	// Form is how the request is sent (basic, legacy, kit1, kit2); Request is it as stored,
	// before stamping and signing: a JSON body, or for legacy a query string.
	Form    market.CallForm `json:"form"`
	Request json.RawMessage `json:"request"`
	History []attemptView   `json:"history,omitempty"`
}

func viewCall(c *market.Call, atts []*market.Attempt) callView {
	v := callView{ID: c.ID, MerchantID: c.MerchantID, Activity: c.Activity, InstanceKey: c.InstanceKey, OrderID: c.OrderID, State: c.State,
		Attempts: c.Attempts, ResultCode: c.ResultCode, LastError: c.LastError, Deadline: ts(c.Deadline), CreatedAt: ts(c.CreatedAt),
		UpdatedAt: ts(c.UpdatedAt), NextAttempt: ts(c.NextAttemptAt), Form: c.Form, Request: c.Request}
	if c.Form == market.FormLegacy || !json.Valid(c.Request) {
		v.Request, _ = json.Marshal(string(c.Request))
	}
	for _, a := range atts {
		v.History = append(v.History, attemptView{a.N, ts(a.At), a.Method, a.URL, string(a.Request), a.Status, string(a.Response),
			a.ResponseSize, a.ResultCode, a.Latency.Milliseconds(), a.Error})
	}
	return v
}
