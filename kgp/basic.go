package kgp

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrUnknownActivity is returned by the decoders for an activity this package does not know.
var ErrUnknownActivity = errors.New("kgp: unknown activity")

// SaaS 2.0 basic interfaces (§4): KooGallery POSTs a JSON body selected by its activity field to
// the merchant's production URL, signed with the signature/timestamp/nonce URL parameters.

// Activity selects the scenario on a production URL.
type Activity string

// Activities of the 2.0 basic interfaces and of the 1.0 GET interfaces (§4, §6).
const (
	ActivityNewInstance          Activity = "newInstance"
	ActivityQueryInstance        Activity = "queryInstance"
	ActivityRefreshInstance      Activity = "refreshInstance"
	ActivityUpdateInstanceStatus Activity = "updateInstanceStatus"
	ActivityReleaseInstance      Activity = "releaseInstance"
	ActivityUpgradeInstance      Activity = "upgradeInstance"
	ActivityChangeInstanceCheck  Activity = "changeInstanceCheck"
	ActivityOrderNotify          Activity = "orderNotify"

	ActivityExpireInstance Activity = "expireInstance" // 1.0 only
	ActivityInstanceStatus Activity = "instanceStatus" // 1.0 only, pay-per-use freeze/unfreeze
	ActivityUpgrade        Activity = "upgrade"        // 1.0 only; "upgradeInstance" is accepted too
)

// TestFlag values: "1" marks a debug request (the platform's debug tool and dial tests).
const (
	TestFlagDebug  = "1"
	TestFlagNormal = "0"
)

// Scenes of refreshInstance (§4.3).
const (
	SceneTrialToFormal            = "TRIAL_TO_FORMAL"
	SceneRenewal                  = "RENEWAL"
	SceneUnsubscribeRenewalPeriod = "UNSUBSCRIBE_RENEWAL_PERIOD"
	SceneRenewalChange            = "RENEWAL_CHANGE"
)

// Instance statuses of updateInstanceStatus (§4.4) and the 1.0 instanceStatus activity (§6.6).
const (
	StatusFreeze   = "FREEZE"
	StatusUnfreeze = "UNFREEZE"
	StatusNormal   = "NORMAL" // 1.0 spelling of UNFREEZE
)

// MaxQueryInstances is the most instance IDs one queryInstance call carries (§4.2).
const MaxQueryInstances = 100

// BasicRequest is the body of a 2.0 basic-interface call.
type BasicRequest interface {
	Activity() Activity
	basic()
}

// NewInstance asks the merchant to create an instance (§4.1). The same (OrderID, OrderLineID) —
// or (OrderID, productId) for pay-per-use — must always yield the same instanceId; BusinessID
// differs on every request, retries included.
type NewInstance struct {
	BusinessID  string `json:"businessId" kgp:"required,max=64"`
	OrderID     string `json:"orderId" kgp:"required,max=64"`
	OrderLineID string `json:"orderLineId" kgp:"required,max=64"`
	TestFlag    string `json:"testFlag,omitempty" kgp:"max=2,oneof=0|1"`
}

// QueryInstance asks for the login and usage information of up to 100 instances (§4.2).
type QueryInstance struct {
	InstanceID string `json:"instanceId" kgp:"required"` // comma-separated
	TestFlag   string `json:"testFlag,omitempty" kgp:"max=2,oneof=0|1"`
}

// RefreshInstance renews, converts a trial or cancels a renewal (§4.3).
type RefreshInstance struct {
	ExpireTime  string `json:"expireTime" kgp:"required,max=20"`
	InstanceID  string `json:"instanceId" kgp:"required,max=64"`
	OrderID     string `json:"orderId" kgp:"required,max=64"`
	OrderLineID string `json:"orderLineId" kgp:"required,max=64"`
	ProductID   string `json:"productId,omitempty" kgp:"max=64"`
	Scene       string `json:"scene" kgp:"required,max=64,oneof=TRIAL_TO_FORMAL|RENEWAL|UNSUBSCRIBE_RENEWAL_PERIOD|RENEWAL_CHANGE"`
	TestFlag    string `json:"testFlag,omitempty" kgp:"max=2,oneof=0|1"`
}

// UpdateInstanceStatus freezes or unfreezes an instance (§4.4).
type UpdateInstanceStatus struct {
	InstanceID string `json:"instanceId" kgp:"required,max=64"`
	Status     string `json:"status" kgp:"required,max=32,oneof=FREEZE|UNFREEZE"`
	TestFlag   string `json:"testFlag,omitempty" kgp:"max=2,oneof=0|1"`
}

// ReleaseInstance releases an instance (§4.5); OrderID is the unsubscription order when the
// release follows an unsubscription.
type ReleaseInstance struct {
	InstanceID  string `json:"instanceId" kgp:"required,max=64"`
	OrderID     string `json:"orderId,omitempty" kgp:"max=64"`
	OrderLineID string `json:"orderLineId,omitempty" kgp:"max=64"`
	TestFlag    string `json:"testFlag,omitempty" kgp:"max=2,oneof=0|1"`
}

// UpgradeInstance applies a paid upgrade order to an existing instance (§4.6).
type UpgradeInstance struct {
	InstanceID  string `json:"instanceId" kgp:"required,max=64"`
	OrderID     string `json:"orderId" kgp:"required,max=64"`
	OrderLineID string `json:"orderLineId" kgp:"required,max=64"`
	TestFlag    string `json:"testFlag,omitempty" kgp:"max=2,oneof=0|1"`
}

// ChangeInstanceCheck asks whether a renewal with a spec change is possible (§4.8).
type ChangeInstanceCheck struct {
	InstanceID  string       `json:"instanceId" kgp:"required,max=64"`
	ProductInfo *ProductInfo `json:"productInfo" kgp:"required"`
	TestFlag    string       `json:"testFlag,omitempty" kgp:"max=2,oneof=0|1"`
}

// ProductInfo identifies a spec: productId is per skuCode × period type, skuCode is stable
// across period changes (§4.8, §8.3).
type ProductInfo struct {
	ProductID   string `json:"productId" kgp:"required,max=64"`
	SkuCode     string `json:"skuCode" kgp:"required,max=64"`
	LinearValue int    `json:"linearValue,omitempty"`
	ProductName string `json:"productName,omitempty" kgp:"max=64"`
}

// OrderNotify tells the merchant that an order was paid (§4.7).
type OrderNotify struct {
	OrderID     string `json:"orderId" kgp:"required,max=64"`
	OrderLineID string `json:"orderLineId" kgp:"required,max=64"`
	TestFlag    string `json:"testFlag" kgp:"required,max=2,oneof=0|1"`
}

// Activity implements BasicRequest.
func (NewInstance) Activity() Activity { return ActivityNewInstance }

// Activity implements BasicRequest.
func (QueryInstance) Activity() Activity { return ActivityQueryInstance }

// Activity implements BasicRequest.
func (RefreshInstance) Activity() Activity { return ActivityRefreshInstance }

// Activity implements BasicRequest.
func (UpdateInstanceStatus) Activity() Activity { return ActivityUpdateInstanceStatus }

// Activity implements BasicRequest.
func (ReleaseInstance) Activity() Activity { return ActivityReleaseInstance }

// Activity implements BasicRequest.
func (UpgradeInstance) Activity() Activity { return ActivityUpgradeInstance }

// Activity implements BasicRequest.
func (ChangeInstanceCheck) Activity() Activity { return ActivityChangeInstanceCheck }

// Activity implements BasicRequest.
func (OrderNotify) Activity() Activity { return ActivityOrderNotify }

func (NewInstance) basic()          {}
func (QueryInstance) basic()        {}
func (RefreshInstance) basic()      {}
func (UpdateInstanceStatus) basic() {}
func (ReleaseInstance) basic()      {}
func (UpgradeInstance) basic()      {}
func (ChangeInstanceCheck) basic()  {}
func (OrderNotify) basic()          {}

// IDs splits the comma-separated instance IDs, dropping blanks.
func (q QueryInstance) IDs() []string {
	var ids []string
	for id := range strings.SplitSeq(q.InstanceID, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

func (q QueryInstance) check() error {
	if n := len(q.IDs()); n > MaxQueryInstances {
		return &FieldError{"instanceId", fmt.Sprintf("%d instances, at most %d per call", n, MaxQueryInstances)}
	}
	return nil
}

// EncodeBasic serialises a 2.0 basic request as KooGallery sends it: compact JSON, keys sorted,
// no nulls, strings written as Jackson writes them (§14.1), so that a signature over these bytes
// also matches the merchant demo's re-serialised reading.
func EncodeBasic(r BasicRequest) ([]byte, error) {
	if err := validate(r, nil); err != nil {
		return nil, err
	}
	if q, ok := r.(QueryInstance); ok {
		if err := q.check(); err != nil {
			return nil, err
		}
	}
	return encodeSorted(r, "activity", string(r.Activity()))
}

// encodeSorted marshals v, adds extra key/value pairs, and writes the object with keys sorted
// at every depth in the Jackson style.
func encodeSorted(v any, extra ...string) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	n, err := parseJSON(b)
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(extra); i += 2 {
		n.obj = append(n.obj, jsonMember{key: extra[i], value: &jsonNode{kind: jsonString, text: extra[i+1]}})
	}
	return appendNode(make([]byte, 0, len(b)+32), n, true, numbersAsSent), nil
}

// DecodeBasic reads a 2.0 basic request body: it dispatches on activity, checks every
// documented field rule and returns one of the request types above. An unknown activity is an
// error of its own (ErrUnknownActivity) so that a merchant can answer it distinctly.
func DecodeBasic(body []byte) (BasicRequest, error) {
	var head struct {
		Activity Activity `json:"activity"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return nil, fmt.Errorf("kgp: invalid JSON body: %w", err)
	}
	var r BasicRequest
	var err error
	switch head.Activity {
	case ActivityNewInstance:
		r, err = decodeAs[NewInstance](body)
	case ActivityQueryInstance:
		var q QueryInstance
		if q, err = decodeAs[QueryInstance](body); err == nil {
			err = q.check()
		}
		r = q
	case ActivityRefreshInstance:
		r, err = decodeAs[RefreshInstance](body)
	case ActivityUpdateInstanceStatus:
		r, err = decodeAs[UpdateInstanceStatus](body)
	case ActivityReleaseInstance:
		r, err = decodeAs[ReleaseInstance](body)
	case ActivityUpgradeInstance:
		r, err = decodeAs[UpgradeInstance](body)
	case ActivityChangeInstanceCheck:
		r, err = decodeAs[ChangeInstanceCheck](body)
	case ActivityOrderNotify:
		r, err = decodeAs[OrderNotify](body)
	case "":
		return nil, &FieldError{"activity", "mandatory field missing"}
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownActivity, head.Activity)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

func decodeAs[T any](body []byte) (T, error) {
	var v T
	err := decodeStrict(body, &v)
	return v, err
}

// Response is the answer of every basic and kit interface (§4, §5, §6): the resultCode envelope,
// the instanceId of newInstance, and the instance information of queryInstance. 1.0 also
// returns appInfo from newInstance.
type Response struct {
	ResultCode  ResultCode     `json:"resultCode"`
	ResultMsg   string         `json:"resultMsg,omitempty"`
	EncryptType EncryptType    `json:"encryptType,omitempty"`
	InstanceID  string         `json:"instanceId,omitempty"`
	AppInfo     *AppInfo       `json:"appInfo,omitempty"`
	Info        []InstanceInfo `json:"info,omitempty"`
}

// InstanceInfo is one instance in a queryInstance answer.
type InstanceInfo struct {
	InstanceID string      `json:"instanceId"`
	AppInfo    *AppInfo    `json:"appInfo,omitempty"`
	UsageInfo  []UsageInfo `json:"usageInfo,omitempty"`
}

// AppInfo is what the buyer sees to log in. UserName and Password travel encrypted when the
// response carries encryptType (§3.7); Memo's non-ASCII characters go as \uXXXX escapes.
type AppInfo struct {
	FrontEndURL string `json:"frontEndUrl" kgp:"max=512"`
	AdminURL    string `json:"adminUrl,omitempty" kgp:"max=512"`
	UserName    string `json:"userName,omitempty" kgp:"max=128"`
	Password    string `json:"password,omitempty" kgp:"max=128"`
	Memo        string `json:"memo,omitempty" kgp:"max=1024"`
}

// UsageInfo reports usage of a pay-per-use or package instance (§4.2).
type UsageInfo struct {
	RelatedInstanceID string      `json:"relatedInstanceId,omitempty" kgp:"max=64"`
	UsageValue        json.Number `json:"usageValue"`
	StatisticalTime   string      `json:"statisticalTime"` // UTC yyyyMMddHHmmssSSS
	DashboardURL      string      `json:"dashboardUrl,omitempty" kgp:"max=512"`
}

// EncodeResponse serialises a response compactly, with non-ASCII characters of memo escaped
// as \uXXXX as KooGallery requires (§1), and checks the documented field lengths.
func EncodeResponse(r *Response) ([]byte, error) {
	if !r.ResultCode.Known() && len(r.ResultCode) != 6 {
		return nil, &FieldError{"resultCode", fmt.Sprintf("%q is not a 6-character result code", r.ResultCode)}
	}
	if err := validate(r, nil); err != nil {
		return nil, err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return escapeNonASCII(b), nil
}

// DecodeResponse reads a merchant's answer. It tolerates unknown fields and explicit nulls
// (Huawei's demo sends "instanceId":null, §14.4) and requires a resultCode.
func DecodeResponse(body []byte) (*Response, error) {
	var r Response
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("kgp: response is not JSON: %w", err)
	}
	if r.ResultCode == "" {
		return nil, &FieldError{"resultCode", "mandatory field missing"}
	}
	return &r, nil
}

// escapeNonASCII rewrites non-ASCII characters inside JSON text as \uXXXX escapes (UTF-16
// surrogate pairs above U+FFFF). Outside strings JSON has only ASCII, so this is safe on
// any valid JSON.
func escapeNonASCII(b []byte) []byte {
	const hex = "0123456789abcdef"
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for _, r := range string(b) {
		if r < 0x80 {
			out = append(out, byte(r))
			continue
		}
		for _, u := range utf16Units(string(r)) {
			out = append(out, '\\', 'u', hex[u>>12], hex[u>>8&0xF], hex[u>>4&0xF], hex[u&0xF])
		}
	}
	return out
}
