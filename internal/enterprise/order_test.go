package enterprise_test

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/enterprise/enterprisetest"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestOrderUnderConcurrency: administrators change one enterprise from many goroutines while
// its syncs are being sent; the merchant receives every change in a valid order and ends with
// exactly the authorizations the marketplace holds.
func TestOrderUnderConcurrency(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		f := enterprisetest.New(t, e, 2)
		ctx, svc, admin, tid := e.Ctx, e.Enterprises, f.Buyer, f.Enterprise.TenantID
		for _, d := range []string{"HQ", "SALES"} {
			must[*market.Department](t)(svc.AddDepartment(ctx, admin, tid, enterprise.DepartmentRequest{OrgCode: d, Name: d}))
		}
		staff := users("c", 60, "HQ")
		must[[]*market.EnterpriseUser](t)(svc.AddUsers(ctx, admin, tid, staff))
		must[*market.Binding](t)(svc.Bind(ctx, admin, tid, f.InstanceKey))
		var apps []*market.TenantApp
		for _, n := range []string{"CRM", "ERP"} {
			apps = append(apps, must[*market.TenantApp](t)(svc.CreateApp(ctx, admin, tid, f.InstanceKey, enterprise.AppRequest{Name: n})))
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(uint64(g), 7))
				for range 12 {
					pick := make([]string, 1+r.IntN(15))
					for i := range pick {
						pick[i] = staff[r.IntN(len(staff))].UserName
					}
					pick = uniq(pick)
					app := apps[r.IntN(len(apps))]
					var err error
					switch r.IntN(4) {
					case 0, 1:
						_, err = svc.Authorize(ctx, admin, tid, enterprise.AuthRequest{InstanceKey: f.InstanceKey, AppID: app.AppID, Add: pick})
					case 2:
						_, err = svc.Authorize(ctx, admin, tid, enterprise.AuthRequest{InstanceKey: f.InstanceKey, AppID: app.AppID, Cancel: pick})
					case 3:
						org := []string{"HQ", "SALES"}[r.IntN(2)]
						_, err = svc.ChangeUser(ctx, admin, tid, pick[0], enterprise.UserChange{OrgCode: &org})
					}
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		got, err := enterprisetest.CheckOrder(f.Syncs(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range apps {
			want, _, err := svc.AuthorizedUsers(ctx, admin, tid, a.AppID, store.Page{Limit: store.MaxLimit})
			ok(t, err)
			if len(want) != countTrue(got[a.AppID]) {
				t.Fatalf("application %s: merchant has %d users, marketplace %d", a.Name, countTrue(got[a.AppID]), len(want))
			}
			for _, u := range want {
				if !got[a.AppID][u] {
					t.Fatalf("application %s: merchant lacks %s", a.Name, u)
				}
			}
		}
	})
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func countTrue(m map[string]bool) int {
	n := 0
	for _, v := range m {
		if v {
			n++
		}
	}
	return n
}
