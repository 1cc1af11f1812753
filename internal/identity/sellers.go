package identity

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// MaxSubUsers is how many users a merchant may have besides its first, primary admin (rules
// §0: at most 50 sub-users of a seller account).
const MaxSubUsers = 50

// SellerUserRequest creates a seller user. Password is optional: without one the user signs in
// with its token only until it sets one.
type SellerUserRequest struct {
	Name     string            `json:"name"`
	Role     market.SellerRole `json:"role"`
	Password string            `json:"password,omitempty"`
}

// CreateSellerUser adds a user to merchant merchantID, at the request of the operator or one of
// the merchant's admins, and returns it with its bearer token (shown once: only its hash is kept).
func (s *Service) CreateSellerUser(ctx context.Context, v market.Viewer, merchantID string, r SellerUserRequest) (*market.SellerUser, string, error) {
	if err := v.MustActAs("merchant", merchantID, merchantID); err != nil {
		return nil, "", err
	}
	var probs market.Problems
	if n := utf8.RuneCountInString(r.Name); n < 1 || n > 64 || strings.ContainsAny(r.Name, "\x00\r\n") {
		probs.Add("name", "length", "name must be 1 to 64 characters")
	}
	if r.Role != market.SellerAdmin && r.Role != market.SellerOperations && r.Role != market.SellerFinance {
		probs.Add("role", "enum", "role must be admin, operations or finance")
	}
	var pw string
	if r.Password != "" {
		if err := probs.Merge("password", "password", checkPasswordRule("password", r.Password)); err != nil {
			return nil, "", err
		}
	}
	if err := probs.Err(); err != nil {
		return nil, "", err
	}
	if r.Password != "" {
		var err error
		if pw, err = hashPassword(r.Password, s.iterations); err != nil {
			return nil, "", err
		}
	}
	by := v.UserID
	if by == "" {
		by = string(v.Role)
	}
	u := &market.SellerUser{ID: "su-" + strings.ToLower(market.NewSecret(12)), MerchantID: merchantID, Name: r.Name, Role: r.Role,
		CreatedBy: by, CreatedAt: s.clock.Now()}
	token := "seller_" + market.NewSecret(40)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Merchant(ctx, merchantID); err != nil {
			return err
		}
		users, err := tx.SellerUsers(ctx, merchantID)
		if err != nil {
			return err
		}
		if len(users) > MaxSubUsers {
			return market.Errorf(market.CodeConflict, "merchant %s has its admin and %d sub-users, the most allowed", merchantID, MaxSubUsers)
		}
		return tx.InsertSellerUser(ctx, u, TokenHash(token), pw)
	})
	if err != nil {
		return nil, "", err
	}
	return u, token, nil
}

// SellerUsers lists a merchant's users, for the operator and the merchant's admins.
func (s *Service) SellerUsers(ctx context.Context, v market.Viewer, merchantID string) ([]*market.SellerUser, error) {
	if err := v.MustActAs("merchant", merchantID, merchantID); err != nil {
		return nil, err
	}
	return s.db.SellerUsers(ctx, merchantID)
}

// SellerUserUpdate changes a user's role or disables (or re-enables) it; nil fields stay.
type SellerUserUpdate struct {
	Role     *market.SellerRole `json:"role,omitempty"`
	Disabled *bool              `json:"disabled,omitempty"`
}

// UpdateSellerUser changes a user, at the request of the operator or an admin of its merchant.
// An admin cannot demote or disable itself, so a merchant always keeps an admin who can undo.
func (s *Service) UpdateSellerUser(ctx context.Context, v market.Viewer, id string, r SellerUserUpdate) (*market.SellerUser, error) {
	var u *market.SellerUser
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = s.sellerUser(ctx, tx.Reader, v, id); err != nil {
			return err
		}
		if r.Role != nil {
			if *r.Role != market.SellerAdmin && *r.Role != market.SellerOperations && *r.Role != market.SellerFinance {
				return market.Invalid("role", "role must be admin, operations or finance")
			}
			u.Role = *r.Role
		}
		if r.Disabled != nil {
			u.Disabled = *r.Disabled
		}
		if v.UserID == u.ID && (u.Disabled || u.Role != market.SellerAdmin) {
			return market.Errorf(market.CodeConflict, "an admin cannot demote or disable itself; another admin can")
		}
		return tx.UpdateSellerUser(ctx, u)
	})
	return u, err
}

// sellerUser loads a user for an action by v: the operator, or an admin of its merchant (another
// merchant's user is not found).
func (s *Service) sellerUser(ctx context.Context, r store.Reader, v market.Viewer, id string) (*market.SellerUser, error) {
	u, err := r.SellerUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if !v.MayActFor(u.MerchantID) {
		return nil, market.Errorf(market.CodeNotFound, "seller user %s not found", id)
	}
	if err := v.MustActAs("seller user", id, u.MerchantID); err != nil {
		return nil, err
	}
	return u, nil
}

// ReissueSellerToken gives a user a new token; the old one stops working at once. A user may
// reissue its own; admins and the operator anyone's of their reach.
func (s *Service) ReissueSellerToken(ctx context.Context, v market.Viewer, id string) (string, error) {
	token := "seller_" + market.NewSecret(40)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if v.UserID != id || v.Role != market.RoleSeller {
			if _, err := s.sellerUser(ctx, tx.Reader, v, id); err != nil {
				return err
			}
		}
		return tx.SetSellerTokenHash(ctx, id, TokenHash(token))
	})
	return token, err
}

// PasswordChange sets a user's password; a user changing its own gives the current one.
type PasswordChange struct {
	Current  string `json:"current,omitempty"`
	Password string `json:"password"`
}

// SetSellerPassword sets a user's password: its own (with the current one, if it has one), or
// anyone's of an admin's or the operator's reach.
func (s *Service) SetSellerPassword(ctx context.Context, v market.Viewer, id string, r PasswordChange) error {
	if err := checkPasswordRule("password", r.Password); err != nil {
		return err
	}
	h, err := hashPassword(r.Password, s.iterations)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if v.UserID == id && v.Role == market.RoleSeller {
			u, err := tx.SellerUser(ctx, id)
			if err != nil {
				return err
			}
			_, stored, err := tx.SellerByName(ctx, u.MerchantID, u.Name)
			if err != nil {
				return err
			}
			if stored != "" && !checkPassword(stored, r.Current) {
				return market.Invalid("current", "the current password is wrong")
			}
		} else if _, err := s.sellerUser(ctx, tx.Reader, v, id); err != nil {
			return err
		}
		return tx.SetSellerPasswordHash(ctx, id, h)
	})
}

// Login checks a seller user's password and returns a fresh bearer token for it; the user's
// previous token stops working. Any failure is the same unauthorized error, so that a caller
// cannot tell a wrong password from an unknown user.
func (s *Service) Login(ctx context.Context, merchantID, name, password string) (*market.SellerUser, string, error) {
	u, err := s.checkSellerPassword(ctx, merchantID, name, password)
	if err != nil {
		return nil, "", err
	}
	token := "seller_" + market.NewSecret(40)
	err = s.db.Write(ctx, func(tx *store.Tx) error { return tx.SetSellerTokenHash(ctx, u.ID, TokenHash(token)) })
	return u, token, err
}

// checkSellerPassword returns the enabled seller user whose password this is. Any failure is
// the same unauthorized error, and an unknown user costs the time of a real check.
func (s *Service) checkSellerPassword(ctx context.Context, merchantID, name, password string) (*market.SellerUser, error) {
	denied := market.Errorf(market.CodeUnauthorized, "wrong merchant, user name or password")
	u, stored, err := s.db.SellerByName(ctx, merchantID, name)
	if err != nil {
		if market.ErrorCode(err) == market.CodeNotFound {
			checkPassword(s.dummyHash(), password) // spend the time a real check takes
			return nil, denied
		}
		return nil, err
	}
	if stored == "" || u.Disabled || !checkPassword(stored, password) {
		return nil, denied
	}
	return u, nil
}

// dummyHash is checked for unknown users so that their logins take as long as real ones.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = hashPassword(market.NewSecret(16), s.iterations) })
	return s.dummy
}
