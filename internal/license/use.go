package license

import (
	"context"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// What the merchant's software does with a code: activate it, then report heartbeats. Errors
// are market errors the open API maps to KooGallery's 9202xxxx codes: not_found is 92020005,
// conflict 92020004.

// merchantLicense reads a code of merchantID. Another merchant's code answers
// exactly as an unknown one, so that an AK cannot probe for codes it does not own.
func merchantLicense(ctx context.Context, r store.Reader, merchantID, code string) (*market.License, error) {
	l, err := r.License(ctx, code)
	if market.ErrorCode(err) == market.CodeNotFound || err == nil && l.MerchantID != merchantID {
		return nil, &market.Error{Code: market.CodeNotFound, Message: kgp.LicenseNotFound.Message()}
	}
	return l, err
}

// merchantOf returns the merchant whose software v is: only a seller (an AK of the open API)
// activates codes and reports heartbeats.
func merchantOf(v market.Viewer) (string, error) {
	if v.Role != market.RoleSeller || v.MerchantID == "" {
		return "", market.Errorf(market.CodeForbidden, "licenses are activated by the merchant's software")
	}
	return v.MerchantID, nil
}

// Activate binds a code to the merchant's software: the first activation sets activate_time,
// a repeat returns the same state. The buyer must have confirmed receipt (92020004 otherwise);
// a released code cannot be activated and answers as an unknown one (92020005), as there is
// nothing left to use. An expired code (frozen, in retention) can be: the answer says EXPIRED,
// and a renewal brings it back. A heartbeatInfo given with the activation is recorded with it.
func (s *Service) Activate(ctx context.Context, v market.Viewer, code string, hb *kgp.HeartbeatInfo) (*market.License, error) {
	merchantID, err := merchantOf(v)
	if err != nil {
		return nil, err
	}
	l, err := merchantLicense(ctx, s.db.Reader, merchantID, code)
	if err != nil {
		return nil, err
	}
	if err := activatable(l); err != nil {
		return nil, err
	}
	if !l.ActivatedAt.IsZero() && hb == nil {
		return l, nil // a repeat: nothing to write
	}
	now := s.clock.Now()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		// Read again inside the transaction: two concurrent first activations must agree.
		if l, err = merchantLicense(ctx, tx.Reader, merchantID, code); err != nil {
			return err
		}
		if err := activatable(l); err != nil {
			return err
		}
		if l.ActivatedAt.IsZero() {
			ok, err := tx.ActivateLicense(ctx, code, now.UnixMilli())
			if err != nil {
				return err
			}
			if !ok { // PostgreSQL: a concurrent first activation committed after our read
				if l, err = tx.License(ctx, code); err != nil {
					return err
				}
			} else {
				l.ActivatedAt = time.UnixMilli(now.UnixMilli()).UTC() // as stored
			}
		}
		if hb == nil {
			return nil
		}
		return tx.InsertHeartbeats(ctx, []market.Heartbeat{heartbeat(code, now, market.HeartbeatActivate, hb)})
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

func activatable(l *market.License) error {
	if Status(l.State) == kgp.LicenseReleased {
		return &market.Error{Code: market.CodeNotFound, Message: "License code was released"}
	}
	if l.ReceivedAt.IsZero() {
		return &market.Error{Code: market.CodeConflict, Message: kgp.LicenseNotReceived.Message()}
	}
	return nil
}

func heartbeat(code string, at time.Time, kind market.HeartbeatKind, hb *kgp.HeartbeatInfo) market.Heartbeat {
	h := market.Heartbeat{LicenseCode: code, At: at, Kind: kind}
	if hb != nil {
		h.ThirdPartyAccount, h.IP = hb.ThirdPartyAccount, hb.IP
	}
	return h
}

// Result is one license's answer to a heartbeat: its state, or why there is none.
type Result struct {
	License *market.License
	Err     error // a market error: not_found for an unknown code or another merchant's
}

// Heartbeat records one heartbeat per license of a request and answers each with its license's
// state. A heartbeat is recorded for any code of the merchant, activated or not, whatever its
// status: the answer's status tells the software whether it may run. request is the signed
// request's signature: a replay of a request already served is answered the same way but not
// recorded again ("" records every time). The heartbeats are committed (group commit) before
// Heartbeat returns; an error means none of them was acknowledged.
func (s *Service) Heartbeat(ctx context.Context, v market.Viewer, request string, reqs []kgp.LicenseRequest) ([]Result, error) {
	merchantID, err := merchantOf(v)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	out := make([]Result, len(reqs))
	entries := make([]*Entry, len(reqs))
	for i, r := range reqs {
		entries[i] = &Entry{MerchantID: merchantID, Heartbeat: heartbeat(r.License, now, market.HeartbeatHeartbeat, r.HeartbeatInfo),
			Request: request, call: &out}
	}
	if err := s.recorder.Record(ctx, entries...); err != nil {
		return nil, err
	}
	for i, e := range entries {
		if out[i].License = e.License; e.License == nil {
			// Another merchant's code answers exactly as an unknown one.
			out[i].Err = &market.Error{Code: market.CodeNotFound, Message: kgp.LicenseNotFound.Message()}
		}
	}
	return out, nil
}
