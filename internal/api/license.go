package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/license"

	"github.com/mercato-oss/mercato/internal/market"
)

// License endpoints: a license instance's codes, the buyer's confirmation of receipt (which lets
// the merchant's software activate them), and a code's heartbeats. The operator sees every
// instance's; a buyer only its own.

// registerLicenses adds the license routes.
func (a *API) registerLicenses(mux Mux) {
	mux.Handle("GET /api/v1/instances/{key}/licenses", a.auth(a.listLicenses))
	mux.Handle("POST /api/v1/instances/{key}/licenses/receive", a.auth(a.receiveLicenses))
	mux.Handle("GET /api/v1/licenses/{code}/heartbeats", a.auth(a.listHeartbeats))
}

type licenseView struct {
	Code          string `json:"code"`
	InstanceKey   string `json:"instance_key"`
	Status        string `json:"status"` // ALIVE, EXPIRED or RELEASED, from the instance's state
	ProductID     string `json:"product_id"`
	OrderID       string `json:"order_id"`
	ExpireAt      string `json:"expire_at,omitempty"`
	ReceivedAt    string `json:"received_at,omitempty"`
	ActivatedAt   string `json:"activated_at,omitempty"`
	CreatedAt     string `json:"created_at"`
	MerchantID    string `json:"merchant_id"`
	BuyerID       string `json:"buyer_id"`
	InstanceState string `json:"instance_state"`
}

func viewLicenses(ls []*market.License) map[string]any {
	out := make([]licenseView, len(ls))
	for i, l := range ls {
		out[i] = licenseView{Code: l.Code, InstanceKey: l.InstanceKey, Status: string(license.Status(l.State)), ProductID: l.ProductID,
			OrderID: l.OrderID, ExpireAt: ts(l.ExpireAt), ReceivedAt: ts(l.ReceivedAt), ActivatedAt: ts(l.ActivatedAt), CreatedAt: ts(l.CreatedAt),
			MerchantID: l.MerchantID, BuyerID: l.BuyerID, InstanceState: string(l.State)}
	}
	return map[string]any{"licenses": out}
}

func (a *API) listLicenses(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	ls, err := a.Licenses.Licenses(r.Context(), v, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewLicenses(ls))
	return nil
}

// receiveLicenses confirms receipt. The operator may confirm for a buyer (support).
func (a *API) receiveLicenses(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	ls, err := a.Licenses.Receive(r.Context(), v, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewLicenses(ls))
	return nil
}

type heartbeatView struct {
	At                string `json:"at"`
	Kind              string `json:"kind"` // ACTIVATE or HEARTBEAT
	ThirdPartyAccount string `json:"third_party_account,omitempty"`
	IP                string `json:"ip,omitempty"`
}

func (a *API) listHeartbeats(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	n, err := query(r).limit(license.MaxHeartbeats)
	if err != nil {
		return err
	}
	hbs, err := a.Licenses.Heartbeats(r.Context(), v, r.PathValue("code"), n)
	if err != nil {
		return err
	}
	out := make([]heartbeatView, len(hbs))
	for i, h := range hbs {
		out[i] = heartbeatView{At: h.At.UTC().Format("2006-01-02T15:04:05.000Z07:00"), Kind: string(h.Kind), ThirdPartyAccount: h.ThirdPartyAccount, IP: h.IP}
	}
	writeJSON(w, http.StatusOK, map[string]any{"heartbeats": out})
	return nil
}
