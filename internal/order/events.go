package order

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// Market events (protocol §8.8): slots on an order the merchant uploads a file or a text to,
// through the open API (POST .../market-event/{event_id}/file). The buyer, the operator or the
// order's seller opens one; everyone who sees the order sees it and what was uploaded.

// EventRequest opens a market event.
type EventRequest struct {
	Title string `json:"title"`
}

// OpenEvent opens a market event on an order v sees.
func (s *Service) OpenEvent(ctx context.Context, v market.Viewer, orderID string, r EventRequest) (*market.MarketEvent, error) {
	if n := utf8.RuneCountInString(r.Title); n < 1 || n > 128 {
		return nil, market.Invalid("title", "title must be 1 to 128 characters")
	}
	o, err := s.Order(ctx, v, orderID)
	if err != nil {
		return nil, err
	}
	e := &market.MarketEvent{ID: market.NewUUID(), OrderID: o.ID, MerchantID: o.MerchantID, BuyerID: o.BuyerID, Title: r.Title, CreatedAt: s.clock.Now()}
	return e, s.db.Write(ctx, func(tx *store.Tx) error { return tx.InsertMarketEvent(ctx, e) })
}

// Events lists the market events of an order v sees.
func (s *Service) Events(ctx context.Context, v market.Viewer, orderID string) ([]*market.MarketEvent, error) {
	if _, err := s.Order(ctx, v, orderID); err != nil {
		return nil, err
	}
	return s.db.MarketEvents(ctx, orderID)
}

// EventContent returns an event of an order v sees and what was uploaded to it.
func (s *Service) EventContent(ctx context.Context, v market.Viewer, orderID, eventID string) (*market.MarketEvent, []byte, error) {
	if _, err := s.Order(ctx, v, orderID); err != nil {
		return nil, nil, err
	}
	e, err := s.db.MarketEvent(ctx, eventID)
	if err != nil || e.OrderID != orderID {
		return nil, nil, market.Errorf(market.CodeNotFound, "market event %s not found", eventID)
	}
	b, err := s.db.EventContent(ctx, eventID)
	return e, b, err
}

// UploadEvent stores what a merchant uploads to one of its orders' events; the upload has been
// decoded and checked by kgp.DecodeEventUpload (the file's sha256, the characters' length).
func (s *Service) UploadEvent(ctx context.Context, v market.Viewer, eventID string, up *kgp.EventUpload, file []byte) (*market.MarketEvent, error) {
	var e *market.MarketEvent
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if e, err = tx.MarketEvent(ctx, eventID); err != nil {
			return err
		}
		if err := v.Check("market event", eventID, "", e.MerchantID); err != nil || v.Role != market.RoleSeller && !v.IsOperator() {
			return market.Errorf(market.CodeNotFound, "market event %s not found", eventID)
		}
		content := []byte(up.Characters)
		e.Kind, e.FileName, e.SHA256 = up.Type, "", ""
		if up.Type == kgp.EventFile {
			sum := sha256.Sum256(file)
			content, e.FileName, e.SHA256 = file, up.FileName, hex.EncodeToString(sum[:])
		}
		e.Size, e.UploadedAt = int64(len(content)), s.clock.Now()
		return tx.PutEventContent(ctx, e, content)
	})
	return e, err
}
