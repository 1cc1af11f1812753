package renewal_test

import (
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/renewal"
	"github.com/mercato-oss/mercato/internal/store"
)

const day = 24 * time.Hour

// sink is an SMTP server in the test's process that keeps what it receives.
type sink struct {
	mu   sync.Mutex
	mail []mail
	port int
}

type mail struct {
	from string
	to   []string
	data string
}

func newSink(t *testing.T) *sink {
	t.Helper()
	k := &sink{}
	srv := smtp.NewServer(k)
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	k.port = ln.Addr().(*net.TCPAddr).Port
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return k
}

func (k *sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{k: k}, nil }

func (k *sink) received() []mail {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]mail(nil), k.mail...)
}

type session struct {
	k *sink
	m mail
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.m.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error   { s.m.to = append(s.m.to, to); return nil }
func (s *session) Reset()                                      { s.m = mail{} }
func (s *session) Logout() error                               { return nil }
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.m.data = string(b)
	s.k.mu.Lock()
	s.k.mail = append(s.k.mail, s.m)
	s.k.mu.Unlock()
	return err
}

// messages lists a buyer's messages of a kind, oldest first.
func messages(t *testing.T, e *marketplacetest.Env, b market.Viewer, kind string) []*market.Message {
	t.Helper()
	list, _, err := e.DB.Messages(e.Ctx, store.MessageFilter{BuyerID: b.BuyerID, Kind: kind, Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}

// TestReminders: an expiry is reminded 15, 7, 3 and 1 days before; "do not renew" only 3 days
// before; a trial 7, 3 and 1 days before its end (15 is before it began) at 10:00; each once,
// in the buyer's messages and by email through the configured SMTP server.
func TestReminders(t *testing.T) {
	t.Parallel()
	k := newSink(t)
	start := time.Date(2026, 3, 1, 4, 0, 0, 0, time.UTC)
	marketplacetest.Each(t, marketplacetest.Options{Start: start, Config: func(c *marketplace.Config) {
		c.Inbox.SMTP.Host, c.Inbox.SMTP.Port, c.Inbox.SMTP.From = "127.0.0.1", k.port, "reminders@mercato.example"
	}}, func(t *testing.T, e *marketplacetest.Env) {
		s := e.Shop("m-acme")
		b, quiet, trier := e.Buyer(), e.Buyer(), e.Buyer()
		e.Buy(b, s, "plain", 1) // expires 2026-04-01 04:00
		key := e.Buy(quiet, s, "plain", 1).Lines[0].ID
		marketplacetest.Must[*market.Renewal](t)(e.Renewal.SetPolicy(e.Ctx, quiet, key, renewal.PolicyRequest{Policy: market.PolicyDoNotRenew}))
		marketplacetest.Must[*market.Order](t)(e.Orders.Purchase(e.Ctx, trier, order.PurchaseRequest{Items: []order.Item{{ProductID: s.Plans["plain"]}}, Trial: true}))
		e.Settle()
		e.Advance(6*time.Hour, 6*time.Hour) // then daily at 10:00: reminders due at 04:00 go out at the next step
		e.Advance(31*day, day)
		var got []string
		for _, m := range messages(t, e, b, "expiry_reminder") {
			got = append(got, m.CreatedAt.Format(time.DateTime))
		}
		if strings.Join(got, ",") != "2026-03-17 10:00:00,2026-03-25 10:00:00,2026-03-29 10:00:00,2026-03-31 10:00:00" {
			t.Fatalf("expiry reminders at %v", got)
		}
		if q := messages(t, e, quiet, "expiry_reminder"); len(q) != 1 || !strings.Contains(q[0].Subject, "3 day") {
			t.Fatalf("do-not-renew reminders %v", q)
		}
		trial := messages(t, e, trier, "trial_reminder")
		if len(trial) != 3 || !strings.Contains(trial[2].Subject, "1 day") {
			t.Fatalf("%d trial reminders", len(trial))
		}
		for _, m := range trial {
			if m.CreatedAt.Hour() != 10 {
				t.Fatalf("trial reminder at %s", m.CreatedAt)
			}
		}
		for _, m := range trial {
			if m.EmailedAt.IsZero() || m.EmailError != "" {
				t.Fatalf("message %s not emailed: %q", m.ID, m.EmailError)
			}
		}
		var mailed int
		for _, m := range k.received() {
			if strings.Contains(m.data, trial[0].ID) {
				mailed++
				if m.from != "reminders@mercato.example" || len(m.to) != 1 || m.to[0] != "buyer@example.com" || !strings.Contains(m.data, "Subject: ") {
					t.Fatalf("mail %+v", m)
				}
			}
		}
		if mailed != 1 {
			t.Fatalf("the first trial reminder was mailed %d times", mailed)
		}
	})
}

// TestAutoRenewal: an instance set to auto-renew is renewed from the balance 7 days before it
// expires, as many times as set; a balance that does not cover it is reminded daily and the
// instance expires normally.
func TestAutoRenewal(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	marketplacetest.Each(t, marketplacetest.Options{Start: start}, func(t *testing.T, e *marketplacetest.Env) {
		s := e.Shop("m-acme")
		rich, poor := e.Buyer(), e.BuyerWith(150_000)
		renewed := e.Buy(rich, s, "plain", 1).Lines[0].ID
		failing := e.Buy(poor, s, "plain", 1).Lines[0].ID // leaves 50.000: not enough for another month
		_, err := e.Renewal.SetPolicy(e.Ctx, rich, renewed, renewal.PolicyRequest{Policy: market.PolicyAutoRenew})
		if market.ErrorField(err) != "period_number" {
			t.Fatalf("auto-renewal without periods: %v", err)
		}
		_, err = e.Renewal.SetPolicy(e.Ctx, poor, renewed, renewal.PolicyRequest{Policy: market.PolicyDoNotRenew})
		if market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("another buyer's policy: %v", err)
		}
		for _, c := range []struct {
			v   market.Viewer
			key string
		}{{rich, renewed}, {poor, failing}} {
			marketplacetest.Must[*market.Renewal](t)(e.Renewal.SetPolicy(e.Ctx, c.v, c.key, renewal.PolicyRequest{Policy: market.PolicyAutoRenew, PeriodNumber: 1, Renewals: 2}))
		}
		e.Advance(24*day, 4*day) // 2026-03-25: 7 days before the first expiry
		if in := e.Instance(renewed); !in.ExpireAt.Equal(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)) {
			t.Fatalf("after the first auto-renewal the instance expires %v", in.ExpireAt)
		}
		e.Advance(8*day, day) // the failing payment is tried daily until its expiry
		e.Advance(46*day, 4*day)
		e.Advance(16*day, day) // the last expiry's reminders, daily: each goes out before the expiry
		in := e.Instance(renewed)
		p := marketplacetest.Must[*market.Renewal](t)(e.Renewal.Policy(e.Ctx, rich, renewed))
		if !in.ExpireAt.Equal(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)) || p.RenewalsLeft != 0 {
			t.Fatalf("two renewals: expires %v, %d left", in.ExpireAt, p.RenewalsLeft)
		}
		if n := len(messages(t, e, rich, "auto_renewal")); n != 2 {
			t.Fatalf("%d renewal messages", n)
		}
		// Renewals used up: the last expiry is reminded as usual, and the instance expires.
		if n := len(messages(t, e, rich, "expiry_reminder")); n != 4 || in.State != market.InstanceFrozen {
			t.Fatalf("%d reminders after the renewals, instance %s", n, in.State)
		}
		failed := messages(t, e, poor, "auto_renewal_failed")
		if len(failed) != 7 || e.Instance(failing).State == market.InstanceActive {
			t.Fatalf("%d failure reminders (one a day for 7 days), instance %s", len(failed), e.Instance(failing).State)
		}
		if !bytes.Contains([]byte(failed[0].Body), []byte("Top up")) {
			t.Fatalf("failure message %q", failed[0].Body)
		}
		e.CheckLedger()
	})
}
