// Package identity holds who uses the marketplace: buyers (customers) and seller users with
// their API tokens and passwords; the joint-operation tenants, departments, users and the OAuth
// auth centre join it later.
package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/mail"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Service manages buyers and the bearer tokens of the JSON API.
type Service struct {
	db    *store.DB
	clock market.Clock
	// operatorHash is the hash of the configured operator token; "" when none is configured.
	operatorHash string
	// iterations is the PBKDF2 cost of seller passwords; dummy a hash checked for unknown users.
	iterations int
	dummyOnce  sync.Once
	dummy      string
}

// Config is the identity service's configuration.
type Config struct {
	// OperatorToken, when set, is an operator token that lives in the configuration
	// (MERCATO_OPERATOR_TOKEN) rather than the database. It must pass CheckToken.
	OperatorToken string
	// PasswordIterations is the PBKDF2 cost of new seller passwords; 0 means
	// DefaultPasswordIterations. Tests lower it: the default costs a third of a second a hash.
	PasswordIterations int
}

// New returns the identity service.
func New(db *store.DB, clock market.Clock, cfg Config) (*Service, error) {
	if db == nil || clock == nil {
		return nil, errors.New("identity: New needs a database and a clock")
	}
	s := &Service{db: db, clock: clock, iterations: cfg.PasswordIterations}
	if s.iterations <= 0 {
		s.iterations = DefaultPasswordIterations
	}
	if cfg.OperatorToken != "" {
		if err := CheckToken("MERCATO_OPERATOR_TOKEN", cfg.OperatorToken); err != nil {
			return nil, err
		}
		s.operatorHash = TokenHash(cfg.OperatorToken)
	}
	return s, nil
}

// BuyerRequest creates a buyer.
type BuyerRequest struct {
	Name   string `json:"name"`
	Email  string `json:"email,omitempty"`
	Mobile string `json:"mobile,omitempty"`
	// CustomerID and Token are generated when empty (the sandbox fixes them).
	CustomerID string `json:"customer_id,omitempty"`
	Token      string `json:"-"`
}

// CreateBuyer stores a buyer and returns the API token it authenticates with. Only the token's
// hash is kept: it cannot be shown again.
func (s *Service) CreateBuyer(ctx context.Context, v market.Viewer, r BuyerRequest) (*market.Buyer, string, error) {
	if err := v.MustBeOperator(); err != nil {
		return nil, "", err
	}
	if n := utf8.RuneCountInString(r.Name); n < 1 || n > 64 {
		return nil, "", market.Invalid("name", "name must be 1 to 64 characters")
	}
	if !utf8.ValidString(r.Name) || strings.IndexFunc(r.Name, unicode.IsControl) >= 0 {
		return nil, "", market.Invalid("name", "name may not hold control characters (line breaks, NUL) or invalid UTF-8")
	}
	if r.Email != "" {
		if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != r.Email || len(r.Email) > 128 {
			return nil, "", market.Invalid("email", "email %q is not an address", r.Email)
		}
	}
	if len(r.Mobile) > 32 || strings.Trim(r.Mobile, "+0123456789- ") != "" {
		return nil, "", market.Invalid("mobile", "mobile is at most 32 digits, spaces, '+' and '-'")
	}
	if r.CustomerID == "" {
		r.CustomerID = market.NewHexID()
	}
	if len(r.CustomerID) != 32 || strings.Trim(r.CustomerID, "0123456789abcdef") != "" {
		return nil, "", market.Invalid("customer_id", "customer_id is 32 lowercase hex characters")
	}
	if r.Token == "" {
		r.Token = "buyer_" + market.NewSecret(40)
	}
	if err := CheckToken("token", r.Token); err != nil {
		return nil, "", err
	}
	b := &market.Buyer{CustomerID: r.CustomerID, Name: r.Name, Email: r.Email, Mobile: r.Mobile, CreatedAt: s.clock.Now()}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Buyer(ctx, b.CustomerID); err == nil {
			return market.Errorf(market.CodeConflict, "buyer %s exists", b.CustomerID)
		}
		return tx.InsertBuyer(ctx, b, TokenHash(r.Token))
	})
	if err != nil {
		return nil, "", err
	}
	return b, r.Token, nil
}

// Buyer returns a buyer to itself or to the operator.
func (s *Service) Buyer(ctx context.Context, v market.Viewer, id string) (*market.Buyer, error) {
	if err := v.Check("buyer", id, id, ""); err != nil {
		return nil, err
	}
	return s.db.Buyer(ctx, id)
}

// TokenHash is how tokens are stored. Tokens are long random strings, so a plain SHA-256 (no
// salt, no stretching) cannot be reversed and keeps lookups by hash possible.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Buyers lists a page of buyers, for the operator.
func (s *Service) Buyers(ctx context.Context, v market.Viewer, p store.Page) ([]*market.Buyer, store.Cursor, error) {
	if err := v.MustBeOperator(); err != nil {
		return nil, store.Cursor{}, err
	}
	return s.db.Buyers(ctx, p)
}
