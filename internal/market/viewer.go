package market

// Role is what kind of principal a Viewer is.
type Role string

// Roles. An enterprise user (joint operation) is a buyer-side principal: a person of an
// enterprise, signed in through the auth centre. A buyer who administers an enterprise stays a
// buyer; the enterprise records who its administrator is.
const (
	RoleOperator       Role = "operator"        // runs the marketplace: sees and does everything
	RoleSeller         Role = "seller"          // a user of merchant MerchantID
	RoleBuyer          Role = "buyer"           // the customer BuyerID
	RoleEnterpriseUser Role = "enterprise_user" // user UserID of enterprise TenantID
)

// Viewer is who is asking. Every service read and action takes one and decides from it, once,
// what the caller may see and do, so that the JSON API, the open API and the consoles share one
// set of rules. The zero Viewer sees nothing.
type Viewer struct {
	Role       Role
	MerchantID string // RoleSeller: the merchant the seller works for
	BuyerID    string // RoleBuyer: the customerId
	// UserID names the person behind the viewer (a seller sub-user, an enterprise user) for
	// audit trails; empty for the operator token and plain buyers.
	UserID string
	// TenantID is the enterprise of a RoleEnterpriseUser.
	TenantID string
	// SellerRole is what a seller user may do for its merchant (admin, operations, finance).
	// Empty for a seller viewer is the merchant's own account (its open-API AK): every power.
	SellerRole SellerRole
}

// SellerRole is a seller user's role within its merchant (rules §0: sub-users of the seller
// account, each with the duties they are given).
type SellerRole string

// Seller roles. Admin manages the merchant's users and keys and does everything the others do;
// operations runs products, applications, orders, instances and interface messages; finance
// reads orders, usage, bills and statements and manages resale discounts.
const (
	SellerAdmin      SellerRole = "admin"
	SellerOperations SellerRole = "operations"
	SellerFinance    SellerRole = "finance"
)

// MustActAs refuses anyone who may not act for merchant merchantID in one of roles: the
// operator passes, a seller of merchantID passes with one of roles (an admin, or the merchant's
// own account, always does). A seller of another merchant gets not-found, so that it learns
// nothing about the other merchant's things; a seller of the right merchant without the role
// gets forbidden; anyone else not-found too.
func (v Viewer) MustActAs(what, id, merchantID string, roles ...SellerRole) error {
	if v.Role == RoleOperator {
		return nil
	}
	if !v.MayActFor(merchantID) {
		return Errorf(CodeNotFound, "%s %s not found", what, id)
	}
	if v.SellerRole == "" || v.SellerRole == SellerAdmin {
		return nil
	}
	for _, r := range roles {
		if v.SellerRole == r {
			return nil
		}
	}
	return Errorf(CodeForbidden, "the %s role may not do this; ask a seller admin", v.SellerRole)
}

// AsOperator is the marketplace operator.
func AsOperator() Viewer { return Viewer{Role: RoleOperator} }

// AsSeller is a user of merchant merchantID.
func AsSeller(merchantID string) Viewer { return Viewer{Role: RoleSeller, MerchantID: merchantID} }

// AsBuyer is the customer buyerID.
func AsBuyer(buyerID string) Viewer { return Viewer{Role: RoleBuyer, BuyerID: buyerID} }

// AsEnterpriseUser is user userName of enterprise tenantID.
func AsEnterpriseUser(tenantID, userName string) Viewer {
	return Viewer{Role: RoleEnterpriseUser, TenantID: tenantID, UserID: userName}
}

// IsOperator reports whether v is the operator.
func (v Viewer) IsOperator() bool { return v.Role == RoleOperator }

// Sees reports whether v may see a thing that belongs to buyer buyerID and merchant merchantID
// (either may be empty when the thing has no such owner): the operator sees everything, a
// seller its merchant's things, a buyer its own.
func (v Viewer) Sees(buyerID, merchantID string) bool {
	switch v.Role {
	case RoleOperator:
		return true
	case RoleSeller:
		return v.MerchantID != "" && merchantID == v.MerchantID
	case RoleBuyer:
		return v.BuyerID != "" && buyerID == v.BuyerID
	}
	return false
}

// Check returns a not-found error unless v sees the thing: a caller learns nothing about what it
// may not see, not even that it exists.
func (v Viewer) Check(what, id, buyerID, merchantID string) error {
	if !v.Sees(buyerID, merchantID) {
		return Errorf(CodeNotFound, "%s %s not found", what, id)
	}
	return nil
}

// Scope narrows a list filter to what v sees: it returns the buyer and merchant a query must be
// restricted to. The operator's own choice (wantBuyer, wantMerchant) stands; a seller is held
// to its merchant and a buyer to itself, whatever they asked for. ok is false for a viewer that
// sees nothing.
func (v Viewer) Scope(wantBuyer, wantMerchant string) (buyerID, merchantID string, ok bool) {
	switch v.Role {
	case RoleOperator:
		return wantBuyer, wantMerchant, true
	case RoleSeller:
		return wantBuyer, v.MerchantID, v.MerchantID != ""
	case RoleBuyer:
		return v.BuyerID, wantMerchant, v.BuyerID != ""
	}
	return "", "", false
}

// MustBeOperator refuses anyone but the operator.
func (v Viewer) MustBeOperator() error {
	if v.Role != RoleOperator {
		return Errorf(CodeForbidden, "only the marketplace operator may do this")
	}
	return nil
}

// MustBeBuyer refuses anyone but a buyer: orders are placed and changed by their buyer only.
func (v Viewer) MustBeBuyer() error {
	if v.Role != RoleBuyer || v.BuyerID == "" {
		return Errorf(CodeForbidden, "only a buyer may do this")
	}
	return nil
}

// MayActFor reports whether v may act on merchant merchantID's behalf: the operator, or a
// seller of that merchant.
func (v Viewer) MayActFor(merchantID string) bool {
	return v.Role == RoleOperator || v.Role == RoleSeller && v.MerchantID != "" && v.MerchantID == merchantID
}

// SeesEnterprise reports whether v may read enterprise tenantID, administered by buyer adminID
// (or, for a seller's test enterprise, belonging to merchant testMerchantID): the operator, its
// administrator, the seller of its test merchant, and its own users.
func (v Viewer) SeesEnterprise(tenantID, adminID, testMerchantID string) bool {
	if v.Role == RoleEnterpriseUser {
		return v.TenantID != "" && v.TenantID == tenantID
	}
	return v.MayAdminister(adminID, testMerchantID)
}

// MayAdminister reports whether v may change an enterprise administered by buyer adminID (or a
// seller's test enterprise of merchant testMerchantID): the operator, the administrator, or a
// seller of the test merchant. Enterprise users only read.
func (v Viewer) MayAdminister(adminID, testMerchantID string) bool {
	switch v.Role {
	case RoleOperator:
		return true
	case RoleBuyer:
		return v.BuyerID != "" && v.BuyerID == adminID
	case RoleSeller:
		return v.MerchantID != "" && v.MerchantID == testMerchantID
	}
	return false
}
