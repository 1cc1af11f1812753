package market

import "time"

// SellerUser is a person who works for a merchant in the seller console, with a role, a bearer
// token and a password (rules §0: at most 50 sub-users of a seller account).
type SellerUser struct {
	ID         string
	MerchantID string
	Name       string
	Role       SellerRole
	Disabled   bool
	CreatedBy  string
	CreatedAt  time.Time
}

// Viewer returns the viewer the user acts as.
func (u *SellerUser) Viewer() Viewer {
	return Viewer{Role: RoleSeller, MerchantID: u.MerchantID, UserID: u.ID, SellerRole: u.Role}
}
