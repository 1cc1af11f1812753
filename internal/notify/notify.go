// Package notify is each merchant's in-site message centre (rules §0): the results of its
// applications, changes of its products' sales status, dial-test failures and freezes. Features
// post messages in the transaction of the change they report; sellers read them.
package notify

import (
	"context"
	"errors"
	"fmt"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Service posts and reads messages.
type Service struct {
	db    *store.DB
	clock market.Clock
}

// New returns the message centre.
func New(db *store.DB, clock market.Clock) (*Service, error) {
	if db == nil || clock == nil {
		return nil, errors.New("notify: New needs a database and a clock")
	}
	return &Service{db: db, clock: clock}, nil
}

// Post adds a message for merchantID in tx: kind names the event (application.approved,
// product.frozen, ...), subject what it is about.
func (s *Service) Post(ctx context.Context, tx *store.Tx, merchantID, kind, subject, format string, args ...any) error {
	return tx.InsertNotification(ctx, &market.Notification{ID: market.NewUUID(), MerchantID: merchantID, Kind: kind, Subject: subject,
		Text: fmt.Sprintf(format, args...), CreatedAt: s.clock.Now()})
}

// List returns a page of a merchant's messages, newest first: a seller's own merchant's (any
// role), or for the operator the merchant it names.
func (s *Service) List(ctx context.Context, v market.Viewer, merchantID string, unread bool, p store.Page) ([]*market.Notification, store.Cursor, error) {
	_, merchantID, ok := v.Scope("", merchantID)
	if !ok || v.Role == market.RoleBuyer {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "messages are for sellers and the operator")
	}
	if merchantID == "" {
		return nil, store.Cursor{}, market.Invalid("merchant_id", "name the merchant whose messages to list")
	}
	return s.db.Notifications(ctx, store.NotificationFilter{MerchantID: merchantID, Unread: unread, Page: p})
}

// MarkRead marks one of the seller's merchant's messages read.
func (s *Service) MarkRead(ctx context.Context, v market.Viewer, id string) error {
	if v.Role != market.RoleSeller || v.MerchantID == "" {
		return market.Errorf(market.CodeForbidden, "only a seller marks its messages read")
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		ok, err := tx.MarkNotificationRead(ctx, v.MerchantID, id, s.clock.Now())
		if err == nil && !ok {
			err = market.Errorf(market.CodeNotFound, "message %s not found", id)
		}
		return err
	})
}
