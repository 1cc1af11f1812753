package inbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// EmailArgs emails one message to its buyer.
type EmailArgs struct {
	MessageID string `json:"message_id"`
}

// Kind implements river.JobArgs.
func (EmailArgs) Kind() string { return "inbox_email" }

// EmailWorker sends messages by email.
type EmailWorker struct {
	river.WorkerDefaults[EmailArgs]
	S *Service
}

// Work sends the message. A buyer without a valid address is recorded and not retried; a
// server that refuses is retried by the queue, and its answer recorded each time.
func (w *EmailWorker) Work(ctx context.Context, job *river.Job[EmailArgs]) error {
	s := w.S
	m, err := s.db.Message(ctx, job.Args.MessageID)
	if err != nil || !m.EmailedAt.IsZero() {
		return err
	}
	b, err := s.db.Buyer(ctx, m.BuyerID)
	if err != nil {
		return err
	}
	to, perr := mail.ParseAddress(b.Email)
	if b.Email == "" || perr != nil {
		return s.record(ctx, m.ID, "the buyer has no valid email address")
	}
	sendErr := s.send(ctx, to.Address, m)
	failure := ""
	if sendErr != nil {
		failure = sendErr.Error()
		s.log.Warn("email not sent", "message", m.ID, "err", sendErr)
	}
	if err := s.record(ctx, m.ID, failure); err != nil {
		return err
	}
	return sendErr
}

func (s *Service) record(ctx context.Context, id, failure string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error { return tx.SetEmailed(ctx, id, s.clock.Now(), failure) })
}

// send delivers one message through the configured SMTP server, within its timeout.
func (s *Service) send(ctx context.Context, to string, m *market.Message) error {
	c := s.cfg.SMTP
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort(c.Host, strconv.Itoa(c.Port)))
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	cl, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		return err
	}
	defer cl.Close()
	if ok, _ := cl.Extension("STARTTLS"); ok {
		if err := cl.StartTLS(&tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}); err != nil {
			return err
		}
	} else if c.RequireTLS {
		return fmt.Errorf("smtp %s offers no STARTTLS", c.Host)
	}
	if c.Username != "" {
		if err := cl.Auth(smtp.PlainAuth("", c.Username, c.Password, c.Host)); err != nil {
			return err
		}
	}
	if err := cl.Mail(c.From); err != nil {
		return err
	}
	if err := cl.Rcpt(to); err != nil {
		return err
	}
	wc, err := cl.Data()
	if err != nil {
		return err
	}
	if _, err := wc.Write(compose(c.From, to, m, s.clock.Now())); err != nil {
		return err
	}
	if err := wc.Close(); err != nil {
		return err
	}
	return cl.Quit()
}

// compose writes a message as a plain-text UTF-8 mail, its body in base64 lines.
func compose(from, to string, m *market.Message, at time.Time) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@mercato>\r\n", from, to,
		mime.QEncoding.Encode("utf-8", m.Subject), at.Format(time.RFC1123Z), m.ID)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(m.Body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}
