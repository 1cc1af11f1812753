package fulfil

import (
	"fmt"
	"net/url"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// NewCall builds the call that sends req to merchant m, encoded as kgp encodes it: req is a
// kgp.BasicRequest (2.0), a kgp.LegacyRequest (1.0) or a kgp.KitRequest (sent in m's
// generation). The caller sets InstanceKey and OrderID. kgp checks every field rule here, so a
// request the merchant could not accept is refused before anything is stored.
func NewCall(m *market.Merchant, req any) (*market.Call, error) {
	c := &market.Call{MerchantID: m.ID}
	switch r := req.(type) {
	case kgp.BasicRequest:
		body, err := kgp.EncodeBasic(r)
		if err != nil {
			return nil, err
		}
		c.Activity, c.Form, c.Request = string(r.Activity()), market.FormBasic, body
	case kgp.LegacyRequest:
		q, err := kgp.LegacyQuery(r)
		if err != nil {
			return nil, err
		}
		c.Activity, c.Form, c.Request = string(r.Activity()), market.FormLegacy, []byte(q.Encode())
	case kgp.KitRequest:
		gen, form := kgp.Gen2, market.FormKitV2
		if m.Generation == 1 {
			gen, form = kgp.Gen1, market.FormKitV1
		}
		body, err := kgp.EncodeKit(r, gen)
		if err != nil {
			return nil, err
		}
		c.Activity, c.Form, c.Request = r.KitName(), form, body
	default:
		return nil, fmt.Errorf("fulfil: %T is not a kgp request", req)
	}
	return c, nil
}

// decoded is a stored request read back with kgp's decoder, ready to be stamped and signed.
type decoded struct {
	basic  kgp.BasicRequest
	legacy kgp.LegacyRequest
	kit    kgp.KitRequest
	gen    kgp.Generation // of a kit request
}

// decode reads a stored call back. newInstance gets a fresh businessId: it must differ on every
// request, retries included (protocol §4.1).
func decode(call *market.Call) (*decoded, error) {
	switch call.Form {
	case market.FormBasic:
		r, err := kgp.DecodeBasic(call.Request)
		if err != nil {
			return nil, err
		}
		if n, ok := r.(kgp.NewInstance); ok {
			n.BusinessID = market.NewUUID()
			r = n
		}
		return &decoded{basic: r}, nil
	case market.FormLegacy:
		q, err := url.ParseQuery(string(call.Request))
		if err != nil {
			return nil, err
		}
		r, err := kgp.DecodeLegacy(q)
		if err != nil {
			return nil, err
		}
		if n, ok := r.(kgp.LegacyNewInstance); ok {
			n.BusinessID = market.NewUUID()
			r = n
		}
		return &decoded{legacy: r}, nil
	case market.FormKitV1, market.FormKitV2:
		gen := kgp.Gen2
		if call.Form == market.FormKitV1 {
			gen = kgp.Gen1
		}
		r, err := kgp.DecodeKit(call.Activity, gen, call.Request)
		if err != nil {
			return nil, err
		}
		return &decoded{kit: r, gen: gen}, nil
	}
	return nil, fmt.Errorf("call form %q is not one Mercato sends", call.Form)
}
