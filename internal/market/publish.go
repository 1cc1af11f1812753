package market

import "time"

// SalesStatus is where a product, spec or SKU stands in the storefront (rules §1.5, §1.6).
type SalesStatus string

// Sales statuses. A product is DRAFT until its release application is approved; specs and SKUs
// come into being on sale. ON_SALE_HIDDEN is bought only through the product's or spec's link.
// REMOVAL_PENDING waits for the operator to approve a removal; DISCONTINUED is final.
const (
	StatusDraft          SalesStatus = "DRAFT"
	StatusOnSalePublic   SalesStatus = "ON_SALE_PUBLIC"
	StatusOnSaleHidden   SalesStatus = "ON_SALE_HIDDEN"
	StatusRemovalPending SalesStatus = "REMOVAL_PENDING"
	StatusDiscontinued   SalesStatus = "DISCONTINUED"
)

// OnSale reports whether new orders may be placed: on sale, publicly or by link.
func (s SalesStatus) OnSale() bool { return s == StatusOnSalePublic || s == StatusOnSaleHidden }

// Listed reports whether the thing was approved and is not yet discontinued: it may be renewed
// and changed (a removal under review still serves its buyers).
func (s SalesStatus) Listed() bool { return s.OnSale() || s == StatusRemovalPending }

// SalesType is how a product is sold (rules §1.1): a common product is sold and invoiced by the
// merchant; a joint-operation product is invoiced by the marketplace and reviewed more strictly.
type SalesType string

// Sales types.
const (
	SalesCommon SalesType = "COMMON"
	SalesJoint  SalesType = "JOINT"
)

// SKU is an attribute combination of a spec (rules §1.2): enumeration attribute values and, when
// Unit is set, a quantity attribute bought in multiples of Step up to Max. Its plans (one per
// period type) carry its prices; with a quantity the price is per unit.
type SKU struct {
	ID         string            `json:"id"`
	SkuCode    string            `json:"sku_code"`
	Name       string            `json:"name"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Unit       string            `json:"unit,omitempty"`
	Step       int64             `json:"step,omitempty"`
	Max        int64             `json:"max,omitempty"`
	Status     SalesStatus       `json:"status"`
}

// Image describes an uploaded picture by what the listing rules check (rules §1.3, §10 #3-4).
type Image struct {
	Format string `json:"format"` // PNG, JPG, JPEG
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Bytes  int64  `json:"bytes"`
}

// Attribute is a product attribute (rules §1.11), copied from its template into a product when
// the product is published, so that later edits of the template do not change listed products.
type Attribute struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Type        string   `json:"type"` // QUANTITY or ENUMERATION
	Description string   `json:"description,omitempty"`
	Values      []string `json:"values,omitempty"`
}

// Listing is everything a seller fills in about a product besides its specs: what the release
// rules check (rules §1.3, §6.3) and what the storefront shows.
type Listing struct {
	Name        string    `json:"name"`
	Version     string    `json:"version"`
	Category    string    `json:"category,omitempty"`
	SalesType   SalesType `json:"sales_type,omitempty"`
	Summary     string    `json:"summary"`
	Description string    `json:"description"`
	// DescriptionImages are the images of the description, if it has any (≤ 5, 900–1200 px wide).
	DescriptionImages []Image `json:"description_images,omitempty"`
	UsageGuide        string  `json:"usage_guide"`
	Agreement         string  `json:"agreement"`
	Logo              *Image  `json:"logo,omitempty"`
	// Labels are certification labels (KUNPENG, HYBRID_CLOUD, IOT, ASCEND); Certificates what
	// the merchant holds (HUAWEI_COMPATIBLE, HUAWEI_ENABLED, HCS, IOT, ASCEND).
	Labels       []string `json:"labels,omitempty"`
	Certificates []string `json:"certificates,omitempty"`
	// Public is the 是否公开销售 flag: false sells by the product's link only.
	Public bool `json:"public"`
	// Upgradable products offer upgrades: their debug cases must include upgradeInstance, and
	// only then may upgrade rules be set (rules §1.3, §1.7).
	Upgradable bool `json:"upgradable,omitempty"`
	// Regions are the countries (ISO 3166 alpha-2) the product is sold in; empty means every
	// region of the merchant's signing entity (rules §1.8).
	Regions    []string    `json:"regions,omitempty"`
	Attributes []Attribute `json:"attributes,omitempty"`
	// International-site variant (rules §1.12): English texts and English support.
	NameEN         string `json:"name_en,omitempty"`
	DescriptionEN  string `json:"description_en,omitempty"`
	CompanyProfile string `json:"company_profile,omitempty"`
	SupportEnglish bool   `json:"support_english,omitempty"`
}

// ApplicationType is what an application asks for (rules §1.3–§1.6, §2).
type ApplicationType string

// Application types; all share one state machine.
const (
	AppRelease      ApplicationType = "RELEASE"
	AppModification ApplicationType = "MODIFICATION"
	AppVisibility   ApplicationType = "VISIBILITY" // hide or unhide a product or specs
	AppRemoval      ApplicationType = "REMOVAL"
	AppBusinessPlan ApplicationType = "BUSINESS_PLAN"
)

// ApplicationState is where an application is in review (rules §1.3).
type ApplicationState string

// Application states: DRAFT → PENDING_APPROVAL → APPROVED | REJECTED; withdraw takes a pending
// one back to DRAFT; drafts and rejected ones may be deleted (DELETED, kept for the record).
const (
	AppDraft    ApplicationState = "DRAFT"
	AppPending  ApplicationState = "PENDING_APPROVAL"
	AppApproved ApplicationState = "APPROVED"
	AppRejected ApplicationState = "REJECTED"
	AppDeleted  ApplicationState = "DELETED"
)

// Application is a seller's request that the operator reviews. Payload is the request's content
// as JSON (a staged product for release and modification; the target and reason of a removal;
// the visibility flags; the yearly figures of a business plan).
type Application struct {
	ID         string
	MerchantID string
	ProductID  string
	Type       ApplicationType
	// Target names the spec (skuCode) or SKU (skuCode/skuId) a visibility or removal is about;
	// "" for the whole product.
	Target      string
	State       ApplicationState
	Payload     []byte
	Comment     string // the operator's reason of the last rejection, or the seller's note
	SubmittedAt time.Time
	// DueAt is when review is due: three business days after submission (rules §0).
	DueAt     time.Time
	CreatedBy string // who created it: a seller user ID, "operator" or "platform"
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Transition is one recorded change of an application's state.
type Transition struct {
	ApplicationID string
	N             int
	From, To      ApplicationState
	By            string // seller user ID, "merchant", "operator" or "platform"
	Comment       string
	At            time.Time
}

// Notification is a message in a merchant's in-site message centre (rules §0).
type Notification struct {
	ID         string
	MerchantID string
	Kind       string // e.g. application.approved, product.frozen
	Subject    string // what it is about: an application or product ID
	Text       string
	CreatedAt  time.Time
	ReadAt     time.Time
}

// AttributeTemplate is a product attribute a category offers (rules §1.11): the operator's
// PRESET ones, which sellers cannot change, and each merchant's CUSTOM ones.
type AttributeTemplate struct {
	ID          string
	MerchantID  string // "" for a preset
	Category    string
	Type        string // QUANTITY or ENUMERATION
	Code        string
	Name        string
	Description string
	Origin      string // PRESET or CUSTOM
	Values      []string
	CreatedAt   time.Time
}

// SKURef names a spec, or a SKU of it.
type SKURef struct {
	SkuCode string `json:"sku_code"`
	SkuID   string `json:"sku_id,omitempty"`
}

// UpgradeRule lets an instance of Source move to Target (rules §1.7): an upgrade or, when both
// name one SKU with a quantity attribute, a scale-out by multiples of Step. Read backwards it is
// the downgrade or scale-in a renewal may make. Invalid says why a rule no longer holds (a side
// discontinued or not billed by period, prices in conflict); it is decided when the rule is read.
type UpgradeRule struct {
	ProductID string
	Source    SKURef
	Target    SKURef
	Step      int64
	CreatedAt time.Time
	Invalid   string
}

// ResaleDiscount is a resale authorization discount (rules §1.9): at product level (for every
// reseller), partner level (one reseller's customers) or customer level (one customer of a
// reseller), with a validity period. Discount is the multiplier in thousandths (900 = 0.9).
type ResaleDiscount struct {
	ID         string
	MerchantID string
	ProductID  string
	Level      string // PRODUCT, PARTNER or CUSTOMER
	PartnerID  string
	CustomerID string
	Discount   int64
	ValidFrom  time.Time
	ValidTo    time.Time
	State      string // PENDING, AUTHORIZED or INVALID
	Project    string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}
