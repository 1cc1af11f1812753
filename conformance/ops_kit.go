package conformance

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mercato-oss/mercato/kgp"
)

// tenant is the kit data of one case: an enterprise with one application and one department,
// named uniquely for the run. Kit calls carry no instanceId or orderId, as when a seller applies
// for test credentials (§5): the checker has no buyer order to bind them to.
type tenant struct {
	id, app, org string
}

func (p *probe) newTenant() tenant {
	id := p.unique("mercato-check-tenant-")
	return tenant{id: id, app: id + "-app", org: id + "-org"}
}

func (p *probe) kitStamp() string { return kgp.FormatKitTimeStamp(p.cfg.Now()) }

func (p *probe) tenantSync(t tenant, flag int) request {
	return request{kit: kgp.TenantSync{TenantID: t.id, TenantCode: t.id, Name: "Mercato check " + t.id,
		DomainName: "https://" + t.id + ".example.com", Flag: flag, TestFlag: 1, TimeStamp: p.kitStamp()}}
}

// applicationSync needs the merchant's public key for the clientSecret; without it there is no
// request a correct merchant could accept, and the caller leaves applicationSync out.
func (p *probe) applicationSync(t tenant, flag int) (request, error) {
	if p.cfg.KitPublicKey == nil {
		return request{}, skipped("no kit public key: applicationSync carries a clientSecret encrypted with the merchant's RSA key (--kit-public-key)")
	}
	secret, err := kgp.EncryptClientSecret(p.cfg.KitPublicKey, "secret-"+randomHex(8))
	if err != nil {
		return request{}, fmt.Errorf("encrypting the clientSecret: %w", err)
	}
	return request{kit: kgp.ApplicationSync{TenantID: t.id, AppID: t.app, ClientID: t.app + "-client",
		ClientSecret: secret, Flag: flag, TestFlag: 1, TimeStamp: p.kitStamp()}}, nil
}

func (p *probe) authSync(t tenant, flag, users int) request {
	list := make([]kgp.User, users)
	for i := range list {
		list[i] = p.user(t, i)
	}
	return request{kit: kgp.AuthSync{TenantID: t.id, AppID: t.app, UserList: list, CurrentSyncTime: p.kitStamp(),
		Flag: flag, TestFlag: 1, TimeStamp: p.kitStamp()}}
}

func (p *probe) user(t tenant, i int) kgp.User {
	role := "user"
	if i == 0 {
		role = "admin"
	}
	return kgp.User{UserName: fmt.Sprintf("%s-u%03d", t.id, i), Name: fmt.Sprintf("User %d", i), OrgCode: t.org,
		Role: role, Enable: "true", Email: fmt.Sprintf("u%03d@%s.example.com", i, t.id)}
}

func (p *probe) singleOrgSync(t tenant, flag int) request {
	return request{kit: kgp.SingleOrgSync{TenantID: t.id, OrgCode: t.org, OrgName: "Department " + t.org,
		Flag: flag, TestFlag: 1, TimeStamp: p.kitStamp()}}
}

func (p *probe) allOrgSync(t tenant) request {
	orgs := []kgp.OrgInfo{
		{OrgCode: t.org, OrgName: "Head office"},
		{OrgCode: t.org + "-sales", OrgName: "Sales", ParentCode: t.org},
		{OrgCode: t.org + "-rd", OrgName: "R&D", ParentCode: t.org},
	}
	return request{kit: kgp.AllOrgSync{TenantID: t.id, OrgInfoList: orgs, TestFlag: 1, TimeStamp: p.kitStamp()}}
}

// kitCall is one named kit request of a sweep.
type kitCall struct {
	name string
	req  request
}

// kitAdds returns an add of every kit interface for t; applicationSync is left out, with the
// reason in note, when there is no public key.
func (p *probe) kitAdds(t tenant) (calls []kitCall, note string, err error) {
	app, err := p.applicationSync(t, kgp.FlagAdd)
	if _, ok := err.(skipped); ok {
		note, err = " (applicationSync left out: no --kit-public-key)", nil
	} else if err != nil {
		return nil, "", err
	}
	calls = append(calls, kitCall{kgp.KitTenantSync, p.tenantSync(t, kgp.FlagAdd)})
	if app.kit != nil {
		calls = append(calls, kitCall{kgp.KitApplicationSync, app})
	}
	calls = append(calls,
		kitCall{kgp.KitSingleOrgSync, p.singleOrgSync(t, kgp.FlagAdd)},
		kitCall{kgp.KitAllOrgSync, p.allOrgSync(t)},
		kitCall{kgp.KitAuthSync, p.authSync(t, kgp.FlagAdd, 3)},
	)
	return calls, note, nil
}

// kitDeletes returns a delete of every kit interface that has one, in the reverse order of adds.
func (p *probe) kitDeletes(t tenant) (calls []kitCall, note string, err error) {
	app, err := p.applicationSync(t, kgp.FlagDelete)
	if _, ok := err.(skipped); ok {
		note, err = " (applicationSync left out: no --kit-public-key)", nil
	} else if err != nil {
		return nil, "", err
	}
	calls = append(calls,
		kitCall{kgp.KitAuthSync, p.authSync(t, kgp.FlagDelete, 3)},
		kitCall{kgp.KitSingleOrgSync, p.singleOrgSync(t, kgp.FlagDelete)},
	)
	if app.kit != nil {
		calls = append(calls, kitCall{kgp.KitApplicationSync, app})
	}
	calls = append(calls, kitCall{kgp.KitTenantSync, p.tenantSync(t, kgp.FlagDelete)})
	return calls, note, nil
}

// sendAll sends the calls in order and requires success of each.
func (c *caseRun) sendAll(ctx context.Context, rule, what string, calls []kitCall) error {
	for _, k := range calls {
		r := c.send(ctx, k.req)
		if err := r.expectSuccess(rule, fmt.Sprintf("%s %s", what, k.name), false); err != nil {
			return err
		}
	}
	return nil
}

// addUser appends one more user to an encoded authSync body: kgp refuses to encode more than
// kgp.MaxAuthSyncUsers, which is the point of the 501 case. In v1 userList is a JSON string.
func addUser(u kgp.User) func(any) error {
	return func(m any) error {
		body := m.(map[string]any)
		switch list := body["userList"].(type) {
		case []any:
			body["userList"] = append(list, u)
		case string:
			var users []any
			if err := json.Unmarshal([]byte(list), &users); err != nil {
				return err
			}
			b, err := json.Marshal(append(users, map[string]string{"userName": u.UserName, "name": u.Name,
				"orgCode": u.OrgCode, "role": u.Role, "enable": u.Enable, "position": "", "employeeCode": "", "mobile": "", "email": u.Email}))
			if err != nil {
				return err
			}
			body["userList"] = string(b)
		default:
			return fmt.Errorf("authSync body has no userList")
		}
		return nil
	}
}
