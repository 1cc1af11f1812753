package openapi

import (
	"errors"
	"io"
	"net/http"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// maxEventBody bounds an upload: the largest file and its multipart envelope.
const maxEventBody = kgp.MaxEventFile + 64<<10

func (h *Handler) registerEvents(mux *http.ServeMux) {
	mux.HandleFunc("POST "+kgp.PathMarketEventPrefix+"{event_id}/file", h.eventUpload)
}

// eventUpload answers POST .../market-event/{event_id}/file (protocol §8.8): a file (its sha256
// checked) or up to 1024 characters for an event of one of the AK's merchant's orders.
func (h *Handler) eventUpload(w http.ResponseWriter, r *http.Request) {
	fail := func(code kgp.ErrorCode, extra string) {
		e := kgp.NewErrorResponse(code)
		e.ExtraInfo = extra
		writeJSON(w, code.HTTPStatus(), e)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEventBody))
	if err != nil {
		fail(kgp.MKTInvalidParam, "the body is larger than the largest file allowed")
		return
	}
	key, code, why := h.authenticate(r, body)
	if key == nil {
		h.Log.Info("open API authentication failed", "path", r.URL.Path, "why", why)
		fail(code, "")
		return
	}
	up, file, err := kgp.DecodeEventUpload(r.Header.Get("Content-Type"), body)
	if err != nil {
		extra := err.Error()
		if fe, ok := errors.AsType[*kgp.FieldError](err); ok {
			extra = fe.Field + ": " + fe.Problem
		}
		fail(kgp.MKTInvalidParam, extra)
		return
	}
	if _, err := h.Orders.UploadEvent(r.Context(), market.AsSeller(key.MerchantID), r.PathValue("event_id"), up, file); err != nil {
		if market.ErrorCode(err) == market.CodeNotFound {
			// Another merchant's event and no event look the same.
			fail(kgp.MKTIllegalOp, "")
			return
		}
		h.Log.Error("market event upload", "event", r.PathValue("event_id"), "err", err)
		fail(kgp.MKTInternal, "")
		return
	}
	writeJSON(w, http.StatusOK, kgp.NewErrorResponse(kgp.MKTSuccess))
}
