package kgp

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// KooGallery's open API (§8): what a merchant sends to the marketplace with APIG AK/SK signing.

// Open-API paths (§8.3–§8.8).
const (
	PathOrderQuery       = "/api/mkp-openapi-public/global/v1/order/query"
	PathUsagePush        = "/api/mkp-openapi-public/global/v1/isv/usage-data"
	PathUsagePushOld     = "/rest/marketplace/v1/isv/usage-data"
	PathLicenseActivate  = "/api/mkp-openapi-public/global/v1/license/activate"
	PathLicenseHeartbeat = "/api/mkp-openapi-public/global/v1/license/heartbeat"
	PathLicenseBatch     = "/api/mkp-openapi-public/global/v2/license/heartbeat"
)

// Open-API hosts per site (§8.1); the fallback is tried when the primary is unreachable.
const (
	HostChina         = "mkt.myhuaweicloud.com"
	HostIntl          = "mkt-intl.myhuaweicloud.com"
	HostEurope        = "mkt-euro.myhuaweicloud.com"
	HostChinaFallback = "mkt.myhuaweicloud.cn"
)

// OrderType is the type of an order (§8.3).
type OrderType string

// Order types.
const (
	OrderNew           OrderType = "NEW"
	OrderTrial         OrderType = "TRIAL"
	OrderTrialToFormal OrderType = "TRIAL_TO_FORMAL"
	OrderUnsubscribe   OrderType = "UNSUBSCRIBE"
	OrderRenew         OrderType = "RENEW"
	OrderChange        OrderType = "CHANGE"
)

// ChargingMode is how an order line is billed (§8.3).
type ChargingMode string

// Charging modes.
const (
	ChargingOnDemand    ChargingMode = "ON_DEMAND"
	ChargingOneTime     ChargingMode = "ONE_TIME"
	ChargingPeriod      ChargingMode = "PERIOD"
	ChargingOnDemandPkg ChargingMode = "ON_DEMAND_PKG"
)

// Period types of period order lines. KooGallery documents year and month (§8.3, §12.11); day
// and hour appear for daily products and packages.
const (
	PeriodYear  = "year"
	PeriodMonth = "month"
	PeriodDay   = "day"
	PeriodHour  = "hour"
)

// Mock orders any merchant may query while debugging (§8.3); each has one line, "<id>-000001".
var MockOrders = []string{
	"MOCKPERIODYEARNEW", "MOCKONETIMENEW", "MOCKONDEMAND", "MOCKONDEMANDPKG", "MOCKPERIODDAYTRIAL",
	"MOCKMONTYTRIALTOFORMAL", "MOCKMONTYUNSUBSCRIBE", "MOCKMONTYRENEW", "MOCKMONTYCHANGE",
}

// OrderQueryResponse answers GET .../order/query?orderId=&orderLineId= (§8.3).
type OrderQueryResponse struct {
	ResultCode ErrorCode  `json:"resultCode"`
	ResultMsg  string     `json:"resultMsg"`
	OrderInfo  *OrderInfo `json:"orderInfo,omitempty"`
}

// OrderInfo is an order as the merchant sees it.
type OrderInfo struct {
	OrderID      string        `json:"orderId"`
	OrderType    OrderType     `json:"orderType"`
	CreateTime   string        `json:"createTime"` // yyyyMMddHHmmss UTC, when the order was placed
	OrderLine    []OrderLine   `json:"orderLine"`
	BuyerInfo    *BuyerInfo    `json:"buyerInfo,omitempty"`
	ExtendParams []ExtendParam `json:"extendParams,omitempty"`
}

// OrderLine is one line of an order. KooGallery's table was only partly retrievable (§12.11);
// the fields after chargingMode follow the draft order model of the documentation's example.
type OrderLine struct {
	OrderLineID  string        `json:"orderLineId"`
	ChargingMode ChargingMode  `json:"chargingMode"`
	ExpireTime   string        `json:"expireTime,omitempty"` // yyyyMMddHHmmss UTC
	PeriodType   string        `json:"periodType,omitempty"`
	PeriodNumber int           `json:"periodNumber,omitempty"`
	OrderAmount  json.Number   `json:"orderAmount,omitempty"` // up to 3 decimals
	Currency     string        `json:"currency,omitempty"`
	ProductInfo  []ProductInfo `json:"productInfo,omitempty"`
	TrialFlag    string        `json:"trialFlag,omitempty"`
}

// BuyerInfo identifies the buyer of an order.
type BuyerInfo struct {
	CustomerID   string `json:"customerId"`
	CustomerName string `json:"customerName,omitempty"`
	UserID       string `json:"userId,omitempty"`
	UserName     string `json:"userName,omitempty"`
	MobilePhone  string `json:"mobilePhone,omitempty"`
	Email        string `json:"email,omitempty"`
}

// ErrorResponse is the open API's error envelope (§8.5, §8.9). For rejected usage records it
// lists each one with its reason.
type ErrorResponse struct {
	ErrorCode         ErrorCode           `json:"error_code"`
	ErrorMsg          string              `json:"error_msg"`
	ExtraInfo         string              `json:"extra_info,omitempty"`
	AbnormalUsageData []AbnormalUsageData `json:"abnormal_usage_data,omitempty"`
}

// NewErrorResponse returns the envelope for code with its documented message.
func NewErrorResponse(code ErrorCode) *ErrorResponse {
	return &ErrorResponse{ErrorCode: code, ErrorMsg: code.Message()}
}

func (e *ErrorResponse) Error() string {
	s := string(e.ErrorCode) + " " + e.ErrorMsg
	if e.ExtraInfo != "" {
		s += ": " + e.ExtraInfo
	}
	return s
}

// AbnormalUsageData is one rejected usage record. KooGallery's structure was not retrievable
// (§12.12); these fields identify the record and say why.
type AbnormalUsageData struct {
	MeteringSN string    `json:"metering_sn,omitempty"`
	InstanceID string    `json:"instance_id,omitempty"`
	Index      int       `json:"index"` // position in usage_records, from 0
	ErrorCode  ErrorCode `json:"error_code"`
	ErrorMsg   string    `json:"error_msg"`
}

// MaxUsageRecords is the most records one usage push carries (§8.5).
const MaxUsageRecords = 1000

// UsagePush is the body of both usage pushes (§8.4, §8.5).
type UsagePush struct {
	UsageRecords []UsageRecord `json:"usage_records"`
}

// UsageRecord is one usage record. The new push identifies it by MeteringSN; the old one
// carries ProductID instead.
type UsageRecord struct {
	InstanceID        string  `json:"instance_id"`
	ProductID         string  `json:"product_id,omitempty"`
	RecordTime        string  `json:"record_time"` // yyyyMMdd'T'HHmmss'Z'
	BeginTime         string  `json:"begin_time"`
	EndTime           string  `json:"end_time"`
	UsageValue        Decimal `json:"usage_value"`
	MeteringSN        string  `json:"metering_sn,omitempty"`
	RelatePkgInstance string  `json:"relate_pkg_instance,omitempty"`
}

// UsageScale is the number of decimals of a usage value.
const UsageScale = 4

// MaxUsageValue is the largest usage value, scaled by 10^4: the field is Double(12,4), twelve
// digits of which four are decimals (§8.5), so 99999999.9999.
const MaxUsageValue = 99_999_999_9999

// ErrUsageValueRange is the error of a usage value above MaxUsageValue; receivers answer it with
// MKT.9002 (invalid usage) rather than a format error.
var ErrUsageValueRange = errors.New("usage_value is larger than 99999999.9999 (Double(12,4))")

// Check applies the format rules of one record (§8.4, §8.5): mandatory fields and lengths, the
// three times in yyyyMMdd'T'HHmmss'Z' with begin before end, and a usage value above zero with
// at most four decimals. old selects the old push (product_id instead of metering_sn). The
// business rules — the 21-day window, the instance's life, duplicates — are the receiver's.
// It returns the value scaled by 10^4.
func (r *UsageRecord) Check(old bool) (int64, error) {
	fields := []struct {
		name, value string
		max         int
		required    bool
	}{
		{"instance_id", r.InstanceID, 64, true},
		{"product_id", r.ProductID, 64, old},
		{"metering_sn", r.MeteringSN, 64, !old},
		{"relate_pkg_instance", r.RelatePkgInstance, 64, false},
	}
	for _, f := range fields {
		if err := CheckText(f.name, f.value); err != nil {
			return 0, err
		}
		if f.required && f.value == "" {
			return 0, &FieldError{f.name, "mandatory field missing"}
		}
		if len(f.value) > f.max {
			return 0, &FieldError{f.name, fmt.Sprintf("longer than %d characters", f.max)}
		}
	}
	for _, f := range []struct{ name, value string }{{"record_time", r.RecordTime}, {"begin_time", r.BeginTime}, {"end_time", r.EndTime}} {
		if _, err := ParseSdkDate(f.value); err != nil {
			return 0, &FieldError{f.name, fmt.Sprintf("%q is not yyyyMMdd'T'HHmmss'Z'", f.value)}
		}
	}
	if r.BeginTime >= r.EndTime { // same fixed-width format: text order is time order
		return 0, &FieldError{"end_time", "must be after begin_time"}
	}
	v, err := r.UsageValue.Scaled(UsageScale)
	if err != nil {
		return 0, &FieldError{"usage_value", err.Error()}
	}
	if v <= 0 {
		return 0, &FieldError{"usage_value", "must be greater than 0"}
	}
	if v > MaxUsageValue {
		return 0, ErrUsageValueRange
	}
	return v, nil
}

// DecodeUsagePush reads a usage push body. It checks the envelope only — JSON, at most 1000
// records (MKT.9003 otherwise) — and leaves the per-record rules to UsageRecord.Check, so that a
// receiver can accept the good records of a batch and list the bad ones.
func DecodeUsagePush(body []byte) (*UsagePush, error) {
	var p UsagePush
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("kgp: usage push is not valid JSON: %w", err)
	}
	if p.UsageRecords == nil {
		return nil, &FieldError{"usage_records", "mandatory field missing"}
	}
	if len(p.UsageRecords) > MaxUsageRecords {
		return nil, ErrTooManyRecords
	}
	return &p, nil
}

// ErrTooManyRecords is returned for a usage push of more than MaxUsageRecords records.
var ErrTooManyRecords = errors.New("kgp: more than 1000 usage records")

// Decimal is a decimal number kept as its exact text, never a float. It decodes from a JSON
// string or number and encodes as a JSON string (the China site's usage_value form).
type Decimal string

// MarshalJSON encodes the decimal as a JSON string.
func (d Decimal) MarshalJSON() ([]byte, error) { return json.Marshal(string(d)) }

// UnmarshalJSON accepts "12.5" and 12.5.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = Decimal(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("kgp: decimal: %s is not a number", b)
	}
	*d = Decimal(n)
	return nil
}

// Scaled returns d × 10^scale as an integer, exactly: "12.5" at scale 4 is 125000. It rejects
// anything but an optional sign, digits and one point, more than scale decimals, and values
// beyond ±9.2e18 after scaling.
func (d Decimal) Scaled(scale int) (int64, error) {
	s := string(d)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || hasPoint && (frac == "" || !allDigits(frac)) {
		return 0, fmt.Errorf("%q is not a decimal number", string(d))
	}
	if len(frac) > scale {
		return 0, fmt.Errorf("%q has more than %d decimals", string(d), scale)
	}
	frac += strings.Repeat("0", scale-len(frac))
	var v int64
	for _, c := range whole + frac {
		digit := int64(c - '0')
		if v > (1<<63-1-digit)/10 {
			return 0, fmt.Errorf("%q is too large", string(d))
		}
		v = v*10 + digit
	}
	if neg {
		v = -v
	}
	return v, nil
}

// LicenseStatus is the state of a license code (§8.7).
type LicenseStatus string

// License statuses.
const (
	LicenseAlive    LicenseStatus = "ALIVE"
	LicenseExpired  LicenseStatus = "EXPIRED"
	LicenseReleased LicenseStatus = "RELEASED"
)

// LicenseRequest is the body of license activate and heartbeat v1 (§8.7).
type LicenseRequest struct {
	License       string         `json:"license" kgp:"required,max=64"`
	HeartbeatInfo *HeartbeatInfo `json:"heartbeatInfo,omitempty"`
}

// HeartbeatInfo says who uses the licensed software and from where.
type HeartbeatInfo struct {
	ThirdPartyAccount string `json:"thirdPartyAccount" kgp:"required,max=256"`
	IP                string `json:"ip,omitempty" kgp:"max=32"`
}

// MaxLicenseBatch is the most licenses one v2 heartbeat carries (our choice, §12.13).
const MaxLicenseBatch = 100

// LicenseBatchRequest is the v2 batch heartbeat. Its shape was not retrievable (§12.13): we
// take a list of v1 requests.
type LicenseBatchRequest struct {
	Licenses []LicenseRequest `json:"licenses" kgp:"required,max=100"`
}

// DecodeLicenseRequest reads and validates an activate or v1 heartbeat body.
func DecodeLicenseRequest(body []byte) (*LicenseRequest, error) {
	var r LicenseRequest
	if err := decodeStrict(body, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// DecodeLicenseBatch reads and validates a v2 batch heartbeat body.
func DecodeLicenseBatch(body []byte) (*LicenseBatchRequest, error) {
	var r LicenseBatchRequest
	if err := decodeStrict(body, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// LicenseInfo is a license code's state as heartbeat returns it; clients must ignore fields
// they do not know.
type LicenseInfo struct {
	LicenseCode  string        `json:"license_code"`
	Status       LicenseStatus `json:"status"`
	ActivateTime string        `json:"activate_time"`         // yyyyMMddHHmmss UTC, "" before activation
	ExpireTime   string        `json:"expire_time,omitempty"` // yyyyMMddHHmmss UTC
	ProductID    string        `json:"product_id,omitempty"`
	OrderID      string        `json:"order_id,omitempty"`
	Amount       int           `json:"amount,omitempty"`
}

// LicenseResponse answers a v1 heartbeat.
type LicenseResponse struct {
	ErrorCode ErrorCode    `json:"error_code"`
	ErrorMsg  string       `json:"error_msg"`
	Data      *LicenseInfo `json:"data,omitempty"`
}

// LicenseBatchResponse answers a v2 batch heartbeat, one entry per license in request order.
type LicenseBatchResponse struct {
	ErrorCode ErrorCode           `json:"error_code"`
	ErrorMsg  string              `json:"error_msg"`
	Data      []LicenseBatchEntry `json:"data,omitempty"`
}

// LicenseBatchEntry is one license's answer in a batch.
type LicenseBatchEntry struct {
	License   string       `json:"license"`
	ErrorCode ErrorCode    `json:"error_code"`
	ErrorMsg  string       `json:"error_msg"`
	Data      *LicenseInfo `json:"data,omitempty"`
}

// LicenseActivateResponse answers activate; the license state travels as a JSON string
// (license_code_info, at most 1024 characters) whose expire_time is an estimate.
type LicenseActivateResponse struct {
	ErrorCode ErrorCode            `json:"error_code"`
	ErrorMsg  string               `json:"error_msg"`
	Data      *LicenseActivateData `json:"data,omitempty"`
}

// LicenseActivateData carries the license state of an activate answer.
type LicenseActivateData struct {
	LicenseCodeInfo string `json:"license_code_info" kgp:"max=1024"`
}

// LicenseCodeInfo is the content of license_code_info.
type LicenseCodeInfo struct {
	Status     LicenseStatus `json:"status"`
	ExpireTime string        `json:"expire_time"`
	ProductID  string        `json:"product_id"`
	Amount     int           `json:"amount"`
	OrderID    string        `json:"order_id"`
}

// NewLicenseActivateResponse wraps info as KooGallery does, as a JSON string inside data.
func NewLicenseActivateResponse(info LicenseCodeInfo) (*LicenseActivateResponse, error) {
	b, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	r := &LicenseActivateResponse{ErrorCode: LicenseSuccess, ErrorMsg: LicenseSuccess.Message()}
	r.Data = &LicenseActivateData{LicenseCodeInfo: string(b)}
	return r, nil
}

// CodeInfo decodes the license_code_info string.
func (r *LicenseActivateResponse) CodeInfo() (*LicenseCodeInfo, error) {
	if r.Data == nil {
		return nil, errors.New("kgp: activate response has no data")
	}
	var info LicenseCodeInfo
	if err := json.Unmarshal([]byte(r.Data.LicenseCodeInfo), &info); err != nil {
		return nil, fmt.Errorf("kgp: license_code_info: %w", err)
	}
	return &info, nil
}
