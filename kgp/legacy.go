package kgp

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// SaaS 1.0 basic interfaces (§6): KooGallery calls GET <productionUrl>?activity=...&timeStamp=...
// &authToken=..., and the merchant answers JSON signed with Body-Sign.

// LegacyRequest is the parameter set of a 1.0 GET call.
type LegacyRequest interface {
	Activity() Activity
	legacy()
}

// LegacyNewInstance is the 1.0 newInstance (§6.1). Unlike 2.0 it carries the order details.
type LegacyNewInstance struct {
	CustomerID       string       `json:"customerId" kgp:"required,max=100"`
	CustomerName     string       `json:"customerName,omitempty" kgp:"max=64"`
	UserID           string       `json:"userId,omitempty" kgp:"max=64"`
	UserName         string       `json:"userName,omitempty" kgp:"max=64"`
	MobilePhone      string       `json:"mobilePhone,omitempty"`
	Email            string       `json:"email,omitempty"`
	BusinessID       string       `json:"businessId" kgp:"required,max=64"`
	OrderID          string       `json:"orderId" kgp:"required,max=64"`
	SkuCode          string       `json:"skuCode" kgp:"required,max=64"`
	ProductID        string       `json:"productId" kgp:"required,max=64"`
	TrialFlag        string       `json:"trialFlag,omitempty" kgp:"oneof=0|1"`
	ExpireTime       string       `json:"expireTime,omitempty" kgp:"max=20"`
	ChargingMode     int          `json:"chargingMode,omitempty"`
	SaasExtendParams ExtendParams `json:"saasExtendParams,omitempty"`
	Amount           int          `json:"amount,omitempty"`
	DiskSize         int          `json:"diskSize,omitempty"`
	BandWidth        int          `json:"bandWidth,omitempty"`
	PeriodType       string       `json:"periodType,omitempty" kgp:"max=10,oneof=year|month"`
	PeriodNumber     int          `json:"periodNumber,omitempty"`
	OrderAmount      string       `json:"orderAmount,omitempty" kgp:"max=20"`
	ProvisionType    int          `json:"provisionType,omitempty"`
	TestFlag         string       `json:"testFlag,omitempty" kgp:"max=2,oneof=0|1"`
}

// LegacyRefreshInstance is the 1.0 refreshInstance (§6.2): renewal, trial to formal
// (TrialToFormal "1") or renewal cancellation (negative OrderAmount).
type LegacyRefreshInstance struct {
	OrderID       string `json:"orderId" kgp:"required,max=64"`
	InstanceID    string `json:"instanceId" kgp:"required,max=64"`
	ProductID     string `json:"productId,omitempty" kgp:"max=64"`
	ExpireTime    string `json:"expireTime" kgp:"required,max=20"`
	TrialToFormal string `json:"trialToFormal,omitempty" kgp:"oneof=0|1"`
	PeriodType    string `json:"periodType,omitempty" kgp:"max=10,oneof=year|month"`
	PeriodNumber  int    `json:"periodNumber,omitempty"`
	OrderAmount   string `json:"orderAmount,omitempty" kgp:"max=20"`
	TestFlag      string `json:"testFlag,omitempty" kgp:"max=2,oneof=0|1"`
}

// LegacyExpireInstance freezes an expired instance (§6.3).
type LegacyExpireInstance struct {
	InstanceID string `json:"instanceId" kgp:"required,max=64"`
	OrderID    string `json:"orderId" kgp:"required,max=64"`
	TestFlag   string `json:"testFlag,omitempty" kgp:"max=2,oneof=0|1"`
}

// LegacyReleaseInstance releases an instance (§6.4).
type LegacyReleaseInstance struct {
	InstanceID string `json:"instanceId" kgp:"required,max=64"`
	OrderID    string `json:"orderId" kgp:"required,max=64"`
	TestFlag   string `json:"testFlag,omitempty" kgp:"max=2,oneof=0|1"`
}

// LegacyUpgrade applies an upgrade order (§6.5).
type LegacyUpgrade struct {
	InstanceID       string       `json:"instanceId" kgp:"required,max=64"`
	OrderID          string       `json:"orderId" kgp:"required,max=64"`
	SkuCode          string       `json:"skuCode" kgp:"required,max=64"`
	ProductID        string       `json:"productId" kgp:"required,max=64"`
	Amount           int          `json:"amount,omitempty"`
	DiskSize         int          `json:"diskSize,omitempty"`
	BandWidth        int          `json:"bandWidth,omitempty"`
	SaasExtendParams ExtendParams `json:"saasExtendParams,omitempty"`
	TestFlag         string       `json:"testFlag,omitempty" kgp:"max=2,oneof=0|1"`
}

// LegacyInstanceStatus freezes or restores a pay-per-use instance (§6.6).
type LegacyInstanceStatus struct {
	InstanceID     string `json:"instanceId" kgp:"required,max=64"`
	InstanceStatus string `json:"instanceStatus" kgp:"required,oneof=FREEZE|NORMAL"`
	TestFlag       string `json:"testFlag,omitempty" kgp:"max=2,oneof=0|1"`
}

// LegacyQueryInstance asks for instance information (§6.7); InstanceID is comma-separated.
type LegacyQueryInstance struct {
	InstanceID string `json:"instanceId,omitempty"`
	TestFlag   string `json:"testFlag,omitempty" kgp:"max=2,oneof=0|1"`
}

// Activity implements LegacyRequest.
func (LegacyNewInstance) Activity() Activity { return ActivityNewInstance }

// Activity implements LegacyRequest.
func (LegacyRefreshInstance) Activity() Activity { return ActivityRefreshInstance }

// Activity implements LegacyRequest.
func (LegacyExpireInstance) Activity() Activity { return ActivityExpireInstance }

// Activity implements LegacyRequest.
func (LegacyReleaseInstance) Activity() Activity { return ActivityReleaseInstance }

// Activity implements LegacyRequest.
func (LegacyUpgrade) Activity() Activity { return ActivityUpgrade }

// Activity implements LegacyRequest.
func (LegacyInstanceStatus) Activity() Activity { return ActivityInstanceStatus }

// Activity implements LegacyRequest.
func (LegacyQueryInstance) Activity() Activity { return ActivityQueryInstance }

func (LegacyNewInstance) legacy()     {}
func (LegacyRefreshInstance) legacy() {}
func (LegacyExpireInstance) legacy()  {}
func (LegacyReleaseInstance) legacy() {}
func (LegacyUpgrade) legacy()         {}
func (LegacyInstanceStatus) legacy()  {}
func (LegacyQueryInstance) legacy()   {}

// IDs splits the comma-separated instance IDs.
func (q LegacyQueryInstance) IDs() []string { return QueryInstance{InstanceID: q.InstanceID}.IDs() }

// ExtendParam is a name/value pair: saasExtendParams in 1.0, extendParams in query order.
type ExtendParam struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ExtendParams travels in 1.0 queries as Base64 of a JSON array (and URL-encoded on top, which
// url.Values does); the signature covers the Base64 text (§3.2).
type ExtendParams []ExtendParam

// MarshalText encodes the params as Base64 JSON.
func (p ExtendParams) MarshalText() ([]byte, error) {
	b, err := json.Marshal([]ExtendParam(p))
	if err != nil {
		return nil, err
	}
	return []byte(base64.StdEncoding.EncodeToString(b)), nil
}

// UnmarshalText decodes Base64 JSON, tolerating missing padding and the URL-safe alphabet.
func (p *ExtendParams) UnmarshalText(text []byte) error {
	s := strings.TrimRight(strings.NewReplacer("-", "+", "_", "/").Replace(string(text)), "=")
	raw, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("not Base64: %w", err)
	}
	var v []ExtendParam
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("not a JSON array of name/value pairs: %w", err)
	}
	*p = v
	return nil
}

// EncodeLegacy builds the signed query string of a 1.0 GET call: the parameters, activity,
// timeStamp (at, UTC) and authToken. Every value is percent-encoded, '+', '/' and '=' included,
// because the merchant's servlet container decodes the query before the signature is rebuilt.
func EncodeLegacy(r LegacyRequest, key string, at time.Time) (string, error) {
	q, err := LegacyQuery(r)
	if err != nil {
		return "", err
	}
	q.Set("timeStamp", FormatTimeStamp(at))
	q.Set("authToken", AuthToken(key, q))
	return q.Encode(), nil
}

// LegacyQuery returns the parameters of a 1.0 call, activity included, before it is stamped and
// signed: what DecodeLegacy reads back. It checks the documented field rules.
func LegacyQuery(r LegacyRequest) (url.Values, error) {
	if err := validate(r, nil); err != nil {
		return nil, err
	}
	q, err := legacyValues(r)
	if err != nil {
		return nil, err
	}
	q.Set("activity", string(r.Activity()))
	return q, nil
}

// legacyValues converts a request struct to query parameters by its json tags.
func legacyValues(r LegacyRequest) (url.Values, error) {
	q := url.Values{}
	rv := reflect.ValueOf(r)
	rt := rv.Type()
	for i := range rt.NumField() {
		name, opts, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		fv := rv.Field(i)
		if strings.Contains(opts, "omitempty") && fv.IsZero() {
			continue
		}
		var s string
		switch v := fv.Interface().(type) {
		case string:
			s = v
		case int:
			s = strconv.Itoa(v)
		case encoding.TextMarshaler:
			b, err := v.MarshalText()
			if err != nil {
				return nil, &FieldError{name, err.Error()}
			}
			s = string(b)
		}
		q.Set(name, s)
	}
	return q, nil
}

// DecodeLegacy reads the parameters of a 1.0 GET call (already URL-decoded, as url.URL.Query
// returns them), dispatching on activity. It does not check authToken: use VerifyAuthToken.
func DecodeLegacy(q url.Values) (LegacyRequest, error) {
	switch Activity(q.Get("activity")) {
	case ActivityNewInstance:
		return decodeLegacyAs[LegacyNewInstance](q)
	case ActivityRefreshInstance:
		return decodeLegacyAs[LegacyRefreshInstance](q)
	case ActivityExpireInstance:
		return decodeLegacyAs[LegacyExpireInstance](q)
	case ActivityReleaseInstance:
		return decodeLegacyAs[LegacyReleaseInstance](q)
	case ActivityUpgrade, ActivityUpgradeInstance:
		return decodeLegacyAs[LegacyUpgrade](q)
	case ActivityInstanceStatus:
		return decodeLegacyAs[LegacyInstanceStatus](q)
	case ActivityQueryInstance:
		r, err := decodeLegacyAs[LegacyQueryInstance](q)
		if err == nil {
			err = QueryInstance{InstanceID: r.InstanceID}.check()
		}
		return r, err
	case "":
		return nil, &FieldError{"activity", "mandatory field missing"}
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownActivity, q.Get("activity"))
	}
}

func decodeLegacyAs[T LegacyRequest](q url.Values) (T, error) {
	var v T
	rv := reflect.ValueOf(&v).Elem()
	rt := rv.Type()
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		s := q.Get(name)
		if s == "" {
			continue
		}
		fv := rv.Field(i)
		switch fv.Kind() {
		case reflect.String:
			fv.SetString(s)
		case reflect.Int:
			n, err := strconv.Atoi(s)
			if err != nil {
				return v, &FieldError{name, fmt.Sprintf("%q is not an integer", s)}
			}
			fv.SetInt(int64(n))
		default:
			if err := fv.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
				return v, &FieldError{name, err.Error()}
			}
		}
	}
	return v, validate(v, nil)
}
