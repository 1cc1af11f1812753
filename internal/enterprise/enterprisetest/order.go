package enterprisetest

import (
	"fmt"

	"github.com/mercato-oss/mercato/kgp"
)

// CheckOrder replays what a merchant received and fails on the first sync that breaks the
// ordering guarantees: nothing before the tenant's add, no authorization before its
// application's add, per user a valid sequence (add, then modify, cancel or delete; add again
// only after a cancel or delete), nothing after the tenant's delete. It returns the users the
// merchant ends up with, per application.
func CheckOrder(log []Sync) (map[string]map[string]bool, error) {
	tenant, gone := false, false
	apps := map[string]bool{}
	users := map[string]map[string]bool{}
	for i, s := range log {
		if gone {
			return nil, fmt.Errorf("sync %d (%s) after the tenant's delete", i, s.Kind)
		}
		if !tenant && !(s.Kind == kgp.KitTenantSync && s.Flag == kgp.FlagAdd) {
			return nil, fmt.Errorf("sync %d (%s/%d) before the tenant's add", i, s.Kind, s.Flag)
		}
		switch s.Kind {
		case kgp.KitTenantSync:
			tenant, gone = true, s.Flag == kgp.FlagDelete
		case kgp.KitApplicationSync:
			apps[s.AppID] = s.Flag != kgp.FlagDelete
			if users[s.AppID] == nil || s.Flag == kgp.FlagDelete {
				users[s.AppID] = map[string]bool{}
			}
		case kgp.KitAuthSync:
			if !apps[s.AppID] {
				return nil, fmt.Errorf("sync %d: authSync/%d of application %s before its add", i, s.Flag, s.AppID)
			}
			for _, u := range s.Users {
				has := users[s.AppID][u]
				switch {
				case s.Flag == kgp.FlagAdd && has, s.Flag != kgp.FlagAdd && !has:
					return nil, fmt.Errorf("sync %d: authSync/%d of %s, who is authorized: %v", i, s.Flag, u, has)
				}
				users[s.AppID][u] = s.Flag == kgp.FlagAdd || s.Flag == kgp.FlagModify
			}
		}
	}
	return users, nil
}
