package openapi

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// maxUsageBody bounds a usage push: 1000 records of the longest fields, every character of
// the four 64-character IDs written as a \uXXXX escape, need about 1.8 MB.
const maxUsageBody = 2 << 20

// usagePush answers POST .../isv/usage-data (new, old=false: APIG plus the body signature) and
// POST /rest/marketplace/v1/isv/usage-data (old: APIG only, records carry product_id).
func (h *Handler) usagePush(old bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fail := func(code kgp.ErrorCode, extra string) {
			e := kgp.NewErrorResponse(code)
			e.ExtraInfo = extra
			writeJSON(w, code.HTTPStatus(), e)
		}
		// What can be checked without the body is checked before reading it.
		if _, key, why := h.precheck(r); key == nil {
			h.authFailed(r, why)
			fail(kgp.MKTIllegalToken, "")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUsageBody))
		if err != nil {
			fail(kgp.MKTTooManyRecords, "the body is larger than 2 MiB")
			return
		}
		key, code, why := h.authenticate(r, body)
		if key == nil {
			h.authFailed(r, why)
			fail(code, "")
			return
		}
		if !old {
			if why := h.checkBodySign(r, key.MerchantID, body); why != "" {
				fail(kgp.MKTInvalidBodySign, why)
				return
			}
		}
		push, err := kgp.DecodeUsagePush(body)
		switch {
		case errors.Is(err, kgp.ErrTooManyRecords):
			fail(kgp.MKTTooManyRecords, "at most 1000 records per push")
			return
		case err != nil:
			fail(kgp.MKTInvalidParam, err.Error())
			return
		}
		answer, err := h.Usage.Push(r.Context(), market.AsSeller(key.MerchantID), push, old)
		if err != nil {
			h.Log.Error("usage push", "merchant", key.MerchantID, "err", err)
			fail(kgp.MKTInternal, "")
			return
		}
		writeJSON(w, answer.ErrorCode.HTTPStatus(), answer)
	}
}

// checkBodySign verifies the signature, ts and nonce headers of the new usage push (protocol
// §8.5) with the merchant's basic-interface access key. ts must be within 15 minutes of the
// wall clock. Nonces are not remembered: a replayed push stores nothing twice (records are
// unique) and must get its first answer again.
func (h *Handler) checkBodySign(r *http.Request, merchantID string, body []byte) string {
	sig, ts, nonce := r.Header.Get("signature"), r.Header.Get("ts"), r.Header.Get("nonce")
	if sig == "" || ts == "" || nonce == "" || len(sig) > 1000 || len(ts) > 20 || len(nonce) > 64 {
		return "the signature, ts and nonce headers are mandatory"
	}
	at, err := kgp.ParseEpochMillis(ts)
	if err != nil {
		return "ts is not Unix milliseconds"
	}
	if d := time.Since(at); d > SdkDateWindow || d < -SdkDateWindow {
		return "ts is more than 15 minutes from the server's clock"
	}
	m, err := h.Catalog.Merchant(r.Context(), market.AsSeller(merchantID), merchantID)
	if err != nil {
		return "merchant not found"
	}
	if err := kgp.VerifyUsage(m.AccessKey, sig, ts, nonce, body); err != nil {
		return "signature does not match the body"
	}
	return ""
}
