package openapi

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/license"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// License APIs (protocol §8.7): activate, heartbeat v1, the v2 batch heartbeat, and our
// extension that lists a code's heartbeats. Every answer is in the 9202xxxx dialect: 92020001
// with 403 for authentication failures (and with 500 for our own failures), 92020002 with 400
// for a malformed or oversized body, 92020004 and 92020005 with 200.

// PathLicenseHeartbeats lists a license code's heartbeats to its merchant. It is Mercato's
// extension: KooGallery documents no such call.
const PathLicenseHeartbeats = "/api/mkp-openapi-public/global/v1/license/heartbeats"

// MaxLicenseBody bounds license request bodies: a full v2 batch (100 licenses with 256-character
// accounts) is about 40 KiB.
const MaxLicenseBody = 64 << 10

// registerLicenses adds the license routes.
func (h *Handler) registerLicenses(mux *http.ServeMux) {
	mux.HandleFunc("POST "+kgp.PathLicenseActivate, h.licenseActivate)
	mux.HandleFunc("POST "+kgp.PathLicenseHeartbeat, h.licenseHeartbeat)
	mux.HandleFunc("POST "+kgp.PathLicenseBatch, h.licenseBatch)
	mux.HandleFunc("GET "+PathLicenseHeartbeats, h.licenseHeartbeats)
}

// licenseFail answers an error in the license dialect. Our own failures are 92020001 with 500,
// as KooGallery documents for internal errors.
func (h *Handler) licenseFail(w http.ResponseWriter, r *http.Request, err error) {
	code, status := kgp.LicenseInvalidParam, http.StatusBadRequest
	msg := market.ErrorMessage(err)
	switch market.ErrorCode(err) {
	case market.CodeNotFound:
		code, status = kgp.LicenseNotFound, kgp.LicenseNotFound.HTTPStatus()
	case market.CodeConflict:
		code, status = kgp.LicenseNotReceived, kgp.LicenseNotReceived.HTTPStatus()
	case market.CodeUnauthorized:
		code, status = kgp.LicenseUnauthorized, kgp.LicenseUnauthorized.HTTPStatus()
	case market.CodeInvalid:
	default:
		h.Log.Error("license API", "path", r.URL.Path, "err", err)
		code, status, msg = kgp.LicenseUnauthorized, http.StatusInternalServerError, "System internal error"
	}
	writeJSON(w, status, kgp.LicenseResponse{ErrorCode: code, ErrorMsg: msg})
}

// licenseCall reads the bounded body and authenticates the merchant. On failure it has
// answered, and returns a nil key.
func (h *Handler) licenseCall(w http.ResponseWriter, r *http.Request) (*market.APIKey, []byte) {
	var body []byte
	if r.Method == http.MethodPost {
		var err error
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, MaxLicenseBody))
		if err != nil {
			if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
				err = market.Errorf(market.CodeInvalid, "body larger than %d bytes", mbe.Limit)
			} else {
				err = market.Errorf(market.CodeInvalid, "body: %v", err)
			}
			h.licenseFail(w, r, err)
			return nil, nil
		}
	}
	if why := textError(r); why != "" {
		h.licenseFail(w, r, invalid(errors.New(why)))
		return nil, nil
	}
	key, _, why := h.authenticate(r, body)
	if key == nil {
		h.authFailed(r, why)
		h.licenseFail(w, r, &market.Error{Code: market.CodeUnauthorized, Message: kgp.LicenseUnauthorized.Message()})
	}
	return key, body
}

// requestSignature is what identifies an authenticated request for replay detection: its APIG
// signature, which covers the method, URL, X-Sdk-Date and body.
func requestSignature(r *http.Request) string {
	a, err := kgp.ParseAPIGAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return ""
	}
	return "apig:" + strings.ToLower(a.Signature)
}

func invalid(err error) error {
	return &market.Error{Code: market.CodeInvalid, Message: kgp.LicenseInvalidParam.Message() + ": " + err.Error()}
}

// licenseActivate answers POST .../v1/license/activate: license_code_info as a JSON string.
func (h *Handler) licenseActivate(w http.ResponseWriter, r *http.Request) {
	key, body := h.licenseCall(w, r)
	if key == nil {
		return
	}
	req, err := kgp.DecodeLicenseRequest(body)
	if err != nil {
		h.licenseFail(w, r, invalid(err))
		return
	}
	l, err := h.Licenses.Activate(r.Context(), market.AsSeller(key.MerchantID), req.License, req.HeartbeatInfo)
	if err != nil {
		h.licenseFail(w, r, err)
		return
	}
	resp, err := kgp.NewLicenseActivateResponse(license.CodeInfo(l))
	if err != nil {
		h.licenseFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// licenseHeartbeat answers POST .../v1/license/heartbeat, once the heartbeat is stored.
func (h *Handler) licenseHeartbeat(w http.ResponseWriter, r *http.Request) {
	key, body := h.licenseCall(w, r)
	if key == nil {
		return
	}
	req, err := kgp.DecodeLicenseRequest(body)
	if err != nil {
		h.licenseFail(w, r, invalid(err))
		return
	}
	res, err := h.Licenses.Heartbeat(r.Context(), market.AsSeller(key.MerchantID), requestSignature(r), []kgp.LicenseRequest{*req})
	if err == nil {
		err = res[0].Err
	}
	if err != nil {
		h.licenseFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, kgp.LicenseResponse{ErrorCode: kgp.LicenseSuccess, ErrorMsg: kgp.LicenseSuccess.Message(), Data: license.Info(res[0].License)})
}

// licenseBatch answers POST .../v2/license/heartbeat: 92020000 for the request, and each
// license's own code in request order. A request that is not well-formed is refused whole.
func (h *Handler) licenseBatch(w http.ResponseWriter, r *http.Request) {
	key, body := h.licenseCall(w, r)
	if key == nil {
		return
	}
	req, err := kgp.DecodeLicenseBatch(body)
	if err != nil {
		h.licenseFail(w, r, invalid(err))
		return
	}
	res, err := h.Licenses.Heartbeat(r.Context(), market.AsSeller(key.MerchantID), requestSignature(r), req.Licenses)
	if err != nil {
		h.licenseFail(w, r, err)
		return
	}
	out := kgp.LicenseBatchResponse{ErrorCode: kgp.LicenseSuccess, ErrorMsg: kgp.LicenseSuccess.Message(), Data: make([]kgp.LicenseBatchEntry, len(res))}
	for i, e := range res {
		out.Data[i] = kgp.LicenseBatchEntry{License: req.Licenses[i].License, ErrorCode: kgp.LicenseSuccess, ErrorMsg: kgp.LicenseSuccess.Message()}
		if e.Err != nil {
			out.Data[i].ErrorCode, out.Data[i].ErrorMsg = kgp.LicenseNotFound, market.ErrorMessage(e.Err)
			continue
		}
		out.Data[i].Data = license.Info(e.License)
	}
	writeJSON(w, http.StatusOK, out)
}

// HeartbeatListResponse answers GET PathLicenseHeartbeats (our extension).
type HeartbeatListResponse struct {
	ErrorCode kgp.ErrorCode  `json:"error_code"`
	ErrorMsg  string         `json:"error_msg"`
	Data      *HeartbeatList `json:"data,omitempty"`
}

// HeartbeatList is a code's heartbeats, newest first.
type HeartbeatList struct {
	LicenseCode string            `json:"license_code"`
	Heartbeats  []HeartbeatRecord `json:"heartbeats"`
}

// HeartbeatRecord is one stored heartbeat or activation, with the heartbeatInfo it carried.
type HeartbeatRecord struct {
	Time          string            `json:"time"` // yyyyMMddHHmmss UTC, when it was received
	Type          string            `json:"type"` // ACTIVATE or HEARTBEAT
	HeartbeatInfo kgp.HeartbeatInfo `json:"heartbeatInfo"`
}

// licenseHeartbeats answers GET .../v1/license/heartbeats?license=CODE&limit=N (1–500, default
// 100): the merchant's own codes only; another merchant's code answers 92020005.
func (h *Handler) licenseHeartbeats(w http.ResponseWriter, r *http.Request) {
	key, _ := h.licenseCall(w, r)
	if key == nil {
		return
	}
	q := r.URL.Query()
	code := q.Get("license")
	n, err := strconv.Atoi(q.Get("limit"))
	switch {
	case code == "" || len(code) > 64:
		h.licenseFail(w, r, invalid(errors.New("license is mandatory, at most 64 characters")))
		return
	case q.Has("limit") && (err != nil || n < 1 || n > license.MaxHeartbeats):
		h.licenseFail(w, r, invalid(errors.New("limit must be 1 to 500")))
		return
	}
	hbs, err := h.Licenses.Heartbeats(r.Context(), market.AsSeller(key.MerchantID), code, n)
	if err != nil {
		if market.ErrorCode(err) == market.CodeNotFound {
			err = &market.Error{Code: market.CodeNotFound, Message: kgp.LicenseNotFound.Message()}
		}
		h.licenseFail(w, r, err)
		return
	}
	list := &HeartbeatList{LicenseCode: code, Heartbeats: make([]HeartbeatRecord, len(hbs))}
	for i, hb := range hbs {
		list.Heartbeats[i] = HeartbeatRecord{Time: kgp.FormatExpireTime(hb.At), Type: string(hb.Kind),
			HeartbeatInfo: kgp.HeartbeatInfo{ThirdPartyAccount: hb.ThirdPartyAccount, IP: hb.IP}}
	}
	writeJSON(w, http.StatusOK, HeartbeatListResponse{ErrorCode: kgp.LicenseSuccess, ErrorMsg: kgp.LicenseSuccess.Message(), Data: list})
}
