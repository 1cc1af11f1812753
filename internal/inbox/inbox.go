// Package inbox is buyers' in-site message list (reminders, results of unsubscriptions and
// appeals) and its copy by email: a message is stored once per dedupe key, in the transaction
// of the event it reports, and when an SMTP server is configured, a job sends it to the
// buyer's address (rules §9.3, §9.4: reminders "by in-site message, email and SMS"; SMS is not
// sent).
package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Config holds the inbox's settings: SMTP.Host "" sends no email.
type Config struct {
	SMTP SMTPConfig
}

// SMTPConfig is the mail server messages go out through.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string // with Password: PLAIN authentication (over TLS, or to a local server)
	Password string
	From     string // the sender's address
	// RequireTLS refuses a server that does not offer STARTTLS.
	RequireTLS bool
	Timeout    time.Duration
}

// Service posts and lists messages and emails them.
type Service struct {
	db    *store.DB
	clock market.Clock
	log   *slog.Logger
	cfg   Config
}

// New returns the inbox.
func New(db *store.DB, clock market.Clock, log *slog.Logger, cfg Config) (*Service, error) {
	if db == nil || clock == nil || log == nil {
		return nil, errors.New("inbox: New needs a database, a clock and a logger")
	}
	if cfg.SMTP.Host != "" {
		if cfg.SMTP.Port < 1 || cfg.SMTP.Port > 65535 || cfg.SMTP.From == "" {
			return nil, fmt.Errorf("inbox: SMTP %s needs a port and a sender address", cfg.SMTP.Host)
		}
		if cfg.SMTP.Timeout <= 0 {
			cfg.SMTP.Timeout = 10 * time.Second
		}
	}
	return &Service{db: db, clock: clock, log: log, cfg: cfg}, nil
}

// Queue is the inbox's River queue.
const Queue = "inbox"

// Register adds the email worker and its queue.
func (s *Service) Register(j *store.Jobs) {
	store.AddWorker(j, &EmailWorker{S: s})
	j.Queue(Queue, 2)
}

// Post stores a message for a buyer, in tx, once per dedupe key (a reminder per instance and
// period, a result per request and state), and queues its email when SMTP is configured. It
// reports whether the message is new.
func (s *Service) Post(ctx context.Context, tx *store.Tx, buyerID, kind, dedupe, subject, body string) (bool, error) {
	m := &market.Message{ID: "MSG" + market.NewUUID(), BuyerID: buyerID, Kind: kind, Subject: oneLine(subject), Body: body, CreatedAt: s.clock.Now()}
	fresh, err := tx.InsertMessage(ctx, m, dedupe)
	if err != nil || !fresh || s.cfg.SMTP.Host == "" {
		return fresh, err
	}
	return true, tx.Enqueue(ctx, EmailArgs{MessageID: m.ID}, &river.InsertOpts{Queue: Queue, MaxAttempts: 5})
}

// Messages lists a buyer's messages, newest first: the buyer its own, the operator anyone's.
func (s *Service) Messages(ctx context.Context, v market.Viewer, f store.MessageFilter) ([]*market.Message, store.Cursor, error) {
	var ok bool
	if v.Role == market.RoleSeller {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "messages are the buyers'")
	}
	if f.BuyerID, _, ok = v.Scope(f.BuyerID, ""); !ok {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "no messages to see")
	}
	return s.db.Messages(ctx, f)
}

// Message returns one of a buyer's messages: to the buyer its own, to the operator anyone's;
// another buyer's is not found.
func (s *Service) Message(ctx context.Context, v market.Viewer, id string) (*market.Message, error) {
	m, err := s.db.Message(ctx, id)
	if err != nil {
		return nil, err
	}
	if !v.IsOperator() && (v.Role != market.RoleBuyer || v.BuyerID != m.BuyerID) {
		return nil, market.Errorf(market.CodeNotFound, "message %s not found", id)
	}
	return m, nil
}

// MarkRead marks one of the buyer's messages read.
func (s *Service) MarkRead(ctx context.Context, v market.Viewer, id string) error {
	if err := v.MustBeBuyer(); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		ok, err := tx.MarkMessageRead(ctx, v.BuyerID, id, s.clock.Now())
		if err == nil && !ok {
			err = market.Errorf(market.CodeNotFound, "message %s not found", id)
		}
		return err
	})
}

// oneLine keeps a subject on one line: it goes into a mail header.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
