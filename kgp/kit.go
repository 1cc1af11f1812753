package kgp

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Joint-operation kit sync interfaces (§5): KooGallery POSTs JSON to the production URL plus a
// fixed sub-path. Generation 2 signs with x-sign headers and nests lists as JSON arrays;
// generation 1 signs with an authToken header and carries lists as JSON strings.

// Generation is the interface generation of a merchant's production URL.
type Generation int

// The two interface generations.
const (
	Gen1 Generation = 1 // SaaS 1.0: GET basic interfaces, kit v1
	Gen2 Generation = 2 // SaaS 2.0: POST basic interfaces, kit v2
)

// Kit interface names, the last element of their paths.
const (
	KitTenantSync      = "tenantSync"
	KitApplicationSync = "applicationSync"
	KitAuthSync        = "authSync"
	KitSingleOrgSync   = "singleOrgSync"
	KitAllOrgSync      = "allOrgSync"
)

// Kit flag values: what a sync does to the data it names.
const (
	FlagDelete = 0
	FlagAdd    = 1
	FlagModify = 2
	FlagCancel = 3 // authSync v2: cancel the authorization
)

// MaxAuthSyncUsers is the most users one authSync call carries (§5.3).
const MaxAuthSyncUsers = 500

// KitRequest is the body of a kit sync call.
type KitRequest interface {
	KitName() string
}

// KitPath returns the path KooGallery appends to the production URL for a kit interface.
func KitPath(name string, gen Generation) string {
	if gen == Gen1 {
		return "/produceAPI/" + name
	}
	return "/produceAPI/v2/" + name
}

// ParseKitPath recognises a kit path at the end of a request path (the production URL may have
// its own path before it).
func ParseKitPath(path string) (name string, gen Generation, ok bool) {
	i := strings.LastIndex(path, "/produceAPI/")
	if i < 0 {
		return "", 0, false
	}
	rest := path[i+len("/produceAPI/"):]
	gen = Gen1
	if r, ok := strings.CutPrefix(rest, "v2/"); ok {
		rest, gen = r, Gen2
	}
	switch rest {
	case KitTenantSync, KitApplicationSync, KitAuthSync, KitSingleOrgSync, KitAllOrgSync:
		return rest, gen, true
	}
	return "", 0, false
}

// TenantSync binds, renames or removes the buyer's enterprise (§5.1).
type TenantSync struct {
	InstanceID string `json:"instanceId" kgp:"max=64"` // empty for seller test credentials
	OrderID    string `json:"orderId" kgp:"max=64"`
	TenantID   string `json:"tenantId" kgp:"required,max=64"`
	TenantCode string `json:"tenantCode" kgp:"required,max=64"`
	Name       string `json:"name" kgp:"required,max=255"`
	DomainName string `json:"domainName" kgp:"required,max=255"`
	Flag       int    `json:"flag" kgp:"required,oneof=0|1|2"`
	TestFlag   int    `json:"testFlag" kgp:"required,oneof=0|1"`
	TimeStamp  string `json:"timeStamp" kgp:"required"`
}

// ApplicationSync creates, modifies or deletes the application credential (§5.2).
// ClientSecret is RSA-OAEP ciphertext: DecryptClientSecret.
type ApplicationSync struct {
	InstanceID   string `json:"instanceId" kgp:"max=64"`
	TenantID     string `json:"tenantId" kgp:"required,max=64"`
	AppID        string `json:"appId" kgp:"required,max=64"`
	ClientID     string `json:"clientId" kgp:"required,max=64"`
	ClientSecret string `json:"clientSecret" kgp:"required"`
	Flag         int    `json:"flag" kgp:"required,oneof=0|1|2"`
	TestFlag     int    `json:"testFlag" kgp:"required,oneof=0|1"`
	TimeStamp    string `json:"timeStamp" kgp:"required"`
}

// AuthSync adds, modifies, deletes or de-authorizes up to 500 users of an application (§5.3).
type AuthSync struct {
	InstanceID      string `json:"instanceId" kgp:"max=64"`
	TenantID        string `json:"tenantId" kgp:"required,max=64"`
	AppID           string `json:"appId" kgp:"required,max=64"`
	UserList        []User `json:"userList" kgp:"required,max=500"`
	CurrentSyncTime string `json:"currentSyncTime" kgp:"required"`
	Flag            int    `json:"flag" kgp:"required,oneof=0|1|2|3"`
	TestFlag        int    `json:"testFlag" kgp:"required,oneof=0|1"`
	TimeStamp       string `json:"timeStamp" kgp:"required"`
}

// User is one authorized user (§5.3). Role "admin" must get admin rights.
type User struct {
	UserName     string `json:"userName" kgp:"required,max=64"`
	Name         string `json:"name" kgp:"required,max=64"`
	OrgCode      string `json:"orgCode" kgp:"required,max=64"`
	Position     string `json:"position,omitempty" kgp:"max=64"`
	EmployeeCode string `json:"employeeCode,omitempty" kgp:"max=64"`
	EmployeeType int    `json:"employeeType,omitempty" kgp:"oneof=1|2|3|4"`
	Role         string `json:"role" kgp:"required,max=32,oneof=user|admin"`
	Enable       string `json:"enable" kgp:"required,max=8,oneof=true|false"`
	Mobile       string `json:"mobile,omitempty" kgp:"max=32"`
	Email        string `json:"email,omitempty" kgp:"max=128"`
	WorkPlace    string `json:"workPlace,omitempty"`
	EntryDate    string `json:"entryDate,omitempty"`
}

// SingleOrgSync adds, modifies (renames or moves) or deletes one department (§5.4).
type SingleOrgSync struct {
	InstanceID string `json:"instanceId" kgp:"max=64"`
	TenantID   string `json:"tenantId" kgp:"required,max=64"`
	OrgCode    string `json:"orgCode" kgp:"required,max=64"`
	OrgName    string `json:"orgName" kgp:"required,max=128"`
	ParentCode string `json:"parentCode,omitempty" kgp:"max=64"`
	Flag       int    `json:"flag" kgp:"required,oneof=0|1|2"`
	TestFlag   int    `json:"testFlag" kgp:"required,oneof=0|1"`
	TimeStamp  string `json:"timeStamp" kgp:"required"`
}

// AllOrgSync replaces the whole department tree, as a flat list (§5.5).
type AllOrgSync struct {
	InstanceID  string    `json:"instanceId" kgp:"max=64"`
	TenantID    string    `json:"tenantId" kgp:"required,max=64"`
	OrgInfoList []OrgInfo `json:"orgInfoList" kgp:"required"`
	TestFlag    int       `json:"testFlag" kgp:"required,oneof=0|1"`
	TimeStamp   string    `json:"timeStamp" kgp:"required"`
}

// OrgInfo is one department of a full sync.
type OrgInfo struct {
	OrgCode    string `json:"orgCode" kgp:"required,max=64"`
	OrgName    string `json:"orgName" kgp:"required,max=128"`
	ParentCode string `json:"parentCode,omitempty" kgp:"max=64"`
}

// KitName implements KitRequest.
func (TenantSync) KitName() string { return KitTenantSync }

// KitName implements KitRequest.
func (ApplicationSync) KitName() string { return KitApplicationSync }

// KitName implements KitRequest.
func (AuthSync) KitName() string { return KitAuthSync }

// KitName implements KitRequest.
func (SingleOrgSync) KitName() string { return KitSingleOrgSync }

// KitName implements KitRequest.
func (AllOrgSync) KitName() string { return KitAllOrgSync }

// The v1 wire forms differ from v2 only in their lists: userList is a JSON string whose users
// nest entryDate, employeeType (a string) and workPlace under "extension", and the full org
// sync carries "orgInfo", a JSON string of {orgCode, name, parentCode}.

type userV1 struct {
	UserName     string     `json:"userName"`
	Name         string     `json:"name"`
	Position     string     `json:"position"`
	OrgCode      string     `json:"orgCode"`
	Role         string     `json:"role"`
	Enable       string     `json:"enable"`
	EmployeeCode string     `json:"employeeCode"`
	Mobile       string     `json:"mobile"`
	Email        string     `json:"email"`
	Extension    *extension `json:"extension,omitempty"`
}

type extension struct {
	EntryDate    string `json:"entryDate,omitempty"`
	EmployeeType string `json:"employeeType,omitempty"`
	WorkPlace    string `json:"workPlace,omitempty"`
}

type orgV1 struct {
	OrgCode    string `json:"orgCode"`
	Name       string `json:"name"`
	ParentCode string `json:"parentCode"`
}

// EncodeKit serialises a kit request for generation gen: compact JSON with the top-level keys
// sorted, no nulls (§14.2), v1 lists as JSON strings.
func EncodeKit(r KitRequest, gen Generation) ([]byte, error) {
	if err := validate(r, nil); err != nil {
		return nil, err
	}
	if gen != Gen1 {
		return encodeSorted(r)
	}
	var extra []string
	switch v := r.(type) {
	case AuthSync:
		users := make([]userV1, len(v.UserList))
		for i, u := range v.UserList {
			users[i] = userV1{UserName: u.UserName, Name: u.Name, Position: u.Position, OrgCode: u.OrgCode,
				Role: u.Role, Enable: u.Enable, EmployeeCode: u.EmployeeCode, Mobile: u.Mobile, Email: u.Email}
			if u.EntryDate != "" || u.EmployeeType != 0 || u.WorkPlace != "" {
				users[i].Extension = &extension{EntryDate: u.EntryDate, WorkPlace: u.WorkPlace}
				if u.EmployeeType != 0 {
					users[i].Extension.EmployeeType = strconv.Itoa(u.EmployeeType)
				}
			}
		}
		b, err := json.Marshal(users)
		if err != nil {
			return nil, err
		}
		v.UserList = nil
		r, extra = authSyncV1{v}, []string{"userList", string(b)}
	case AllOrgSync:
		orgs := make([]orgV1, len(v.OrgInfoList))
		for i, o := range v.OrgInfoList {
			orgs[i] = orgV1{OrgCode: o.OrgCode, Name: o.OrgName, ParentCode: o.ParentCode}
		}
		b, err := json.Marshal(orgs)
		if err != nil {
			return nil, err
		}
		r, extra = allOrgSyncV1{v}, []string{"orgInfo", string(b)}
	}
	return encodeSorted(r, extra...)
}

// authSyncV1 and allOrgSyncV1 hide the v2 list field so that EncodeKit can put the v1 string in.
type authSyncV1 struct{ AuthSync }

func (a authSyncV1) MarshalJSON() ([]byte, error) {
	type plain AuthSync
	return marshalWithout(plain(a.AuthSync), "userList")
}

type allOrgSyncV1 struct{ AllOrgSync }

func (a allOrgSyncV1) MarshalJSON() ([]byte, error) {
	type plain AllOrgSync
	return marshalWithout(plain(a.AllOrgSync), "orgInfoList")
}

func marshalWithout(v any, key string) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	delete(m, key)
	return json.Marshal(m)
}

// StampKit returns r with its body timeStamp set to ts. KooGallery stamps every send of a kit
// call anew: kit v1 signs the stamp, and it makes two sends of one call two requests.
func StampKit(r KitRequest, ts string) KitRequest {
	switch v := r.(type) {
	case TenantSync:
		v.TimeStamp = ts
		return v
	case ApplicationSync:
		v.TimeStamp = ts
		return v
	case AuthSync:
		v.TimeStamp = ts
		return v
	case SingleOrgSync:
		v.TimeStamp = ts
		return v
	case AllOrgSync:
		v.TimeStamp = ts
		return v
	}
	return r
}

// DecodeKit reads a kit request body of the named interface and generation, checking every
// documented field rule. v1 lists are decoded from their JSON strings; the v2 orgInfoList is
// accepted both as an array (the table) and as a JSON string (the example, §12.15).
func DecodeKit(name string, gen Generation, body []byte) (KitRequest, error) {
	switch name {
	case KitTenantSync:
		return decodeAs[TenantSync](body)
	case KitApplicationSync:
		return decodeAs[ApplicationSync](body)
	case KitSingleOrgSync:
		return decodeAs[SingleOrgSync](body)
	case KitAuthSync:
		if gen == Gen1 {
			return decodeAuthSyncV1(body)
		}
		return decodeAs[AuthSync](body)
	case KitAllOrgSync:
		return decodeAllOrgSync(gen, body)
	}
	return nil, fmt.Errorf("kgp: unknown kit interface %q", name)
}

func decodeAuthSyncV1(body []byte) (KitRequest, error) {
	var wire struct {
		UserList string `json:"userList"`
	}
	if err := json.Unmarshal(body, &wire); err != nil {
		return nil, &FieldError{"userList", "v1 userList must be a JSON string"}
	}
	var users []userV1
	if err := json.Unmarshal([]byte(wire.UserList), &users); err != nil {
		return nil, &FieldError{"userList", "not a JSON array of users: " + err.Error()}
	}
	list := make([]User, len(users))
	for i, u := range users {
		list[i] = User{UserName: u.UserName, Name: u.Name, Position: u.Position, OrgCode: u.OrgCode,
			Role: u.Role, Enable: u.Enable, EmployeeCode: u.EmployeeCode, Mobile: u.Mobile, Email: u.Email}
		if e := u.Extension; e != nil {
			list[i].EntryDate, list[i].WorkPlace = e.EntryDate, e.WorkPlace
			if e.EmployeeType != "" {
				n, err := strconv.Atoi(e.EmployeeType)
				if err != nil {
					return nil, &FieldError{fmt.Sprintf("userList[%d].extension.employeeType", i), "not an integer"}
				}
				list[i].EmployeeType = n
			}
		}
	}
	return decodeWithList[AuthSync](body, "userList", func(a *AuthSync) { a.UserList = list })
}

func decodeAllOrgSync(gen Generation, body []byte) (KitRequest, error) {
	key := "orgInfoList"
	if gen == Gen1 {
		key = "orgInfo"
	}
	var wire map[string]json.RawMessage
	if err := json.Unmarshal(body, &wire); err != nil {
		return nil, fmt.Errorf("kgp: invalid JSON body: %w", err)
	}
	raw := wire[key]
	var s string
	if json.Unmarshal(raw, &s) == nil { // a JSON string holding the array
		raw = json.RawMessage(s)
	}
	var orgs []OrgInfo
	if gen == Gen1 {
		var v1 []orgV1
		if err := json.Unmarshal(raw, &v1); err != nil {
			return nil, &FieldError{key, "not a JSON array of departments"}
		}
		for _, o := range v1 {
			orgs = append(orgs, OrgInfo{OrgCode: o.OrgCode, OrgName: o.Name, ParentCode: o.ParentCode})
		}
	} else if len(raw) > 0 {
		if err := json.Unmarshal(raw, &orgs); err != nil {
			return nil, &FieldError{key, "not a JSON array of departments"}
		}
	}
	return decodeWithList[AllOrgSync](body, key, func(a *AllOrgSync) { a.OrgInfoList = orgs })
}

// decodeWithList decodes body without its list field (which set fills in), then validates.
func decodeWithList[T any](body []byte, listKey string, set func(*T)) (T, error) {
	var v T
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return v, fmt.Errorf("kgp: invalid JSON body: %w", err)
	}
	delete(m, listKey)
	rest, _ := json.Marshal(m)
	present, err := decodeInto(rest, &v)
	if err != nil {
		return v, err
	}
	set(&v)
	return v, validate(&v, present)
}
