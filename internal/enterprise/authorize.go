package enterprise

import (
	"context"
	"fmt"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// AuthRequest authorizes users on an application of a binding, or cancels their authorization.
type AuthRequest struct {
	InstanceKey string   `json:"instance_key"`
	AppID       string   `json:"app_id"`
	Add         []string `json:"add,omitempty"`
	Cancel      []string `json:"cancel,omitempty"`
}

// AuthResult says what an authorization change sent: only the users whose authorization
// changed, in batches of at most 500.
type AuthResult struct {
	Added     int `json:"added"`
	Cancelled int `json:"cancelled"`
	Batches   int `json:"batches"`
}

// Authorize authorizes users (authSync 1) and cancels authorizations (authSync 3) on an
// application. Users already in the asked state are not sent again.
func (s *Service) Authorize(ctx context.Context, v market.Viewer, tenantID string, r AuthRequest) (*AuthResult, error) {
	if len(r.Add) == 0 && len(r.Cancel) == 0 {
		return nil, market.Invalid("add", "add: name at least one user to add or cancel")
	}
	res := &AuthResult{}
	err := s.change(ctx, v, tenantID, func(tx *store.Tx, e *market.Enterprise) error {
		a, err := tx.App(ctx, r.AppID)
		if err != nil || a.TenantID != tenantID || a.InstanceKey != r.InstanceKey || a.Deleted {
			return market.Invalid("app_id", "app_id: %s is not an application of instance %s", r.AppID, r.InstanceKey)
		}
		b, err := s.boundIn(ctx, tx.Reader, tenantID, r.InstanceKey)
		if err != nil {
			return market.Invalid("instance_key", "instance_key: %s is not bound to this enterprise", r.InstanceKey)
		}
		all := make([]string, 0, len(r.Add)+len(r.Cancel))
		seen := map[string]string{}
		lists := []struct {
			field string
			names []string
		}{{"add", r.Add}, {"cancel", r.Cancel}}
		for _, l := range lists {
			field := l.field
			for i, n := range l.names {
				if prev, dup := seen[n]; dup {
					return market.Invalid(fmt.Sprintf("%s[%d]", field, i), "%s[%d]: user %s is named twice (also in %s)", field, i, n, prev)
				}
				seen[n] = field
				all = append(all, n)
			}
		}
		users, err := tx.UsersNamed(ctx, tenantID, all)
		if err != nil {
			return err
		}
		for _, l := range lists {
			field := l.field
			for i, n := range l.names {
				if users[n] == nil {
					return market.Invalid(fmt.Sprintf("%s[%d]", field, i), "%s[%d]: %s is not a user of this enterprise", field, i, n)
				}
			}
		}
		states, err := tx.AuthStates(ctx, a.AppID, all)
		if err != nil {
			return err
		}
		var add []kgp.User
		put := map[string]string{}
		for _, n := range r.Add {
			if _, ok := states[n]; !ok {
				add = append(add, kitUser(users[n]))
				put[n] = userState(users[n])
			}
		}
		var cancel []kgp.User
		var drop []string
		for _, n := range r.Cancel {
			if _, ok := states[n]; ok {
				cancel = append(cancel, kitUser(users[n]))
				drop = append(drop, n)
			}
		}
		y, err := s.syncer(ctx, tx, b, e)
		if err != nil {
			return err
		}
		group := append(y.auth(a.AppID, kgp.FlagAdd, add), y.auth(a.AppID, kgp.FlagCancel, cancel)...)
		res.Added, res.Cancelled, res.Batches = len(add), len(cancel), len(group)
		if err := tx.PutAuths(ctx, a.AppID, tenantID, put, y.now); err != nil {
			return err
		}
		if err := tx.DeleteAuths(ctx, a.AppID, drop); err != nil {
			return err
		}
		return y.queue(ctx, group)
	})
	return res, err
}

// AuthorizedUsers lists a page of the users authorized on an application.
func (s *Service) AuthorizedUsers(ctx context.Context, v market.Viewer, tenantID, appID string, p store.Page) ([]string, store.Cursor, error) {
	if err := s.mayList(ctx, v, tenantID); err != nil {
		return nil, store.Cursor{}, err
	}
	a, err := s.db.App(ctx, appID)
	if err != nil || a.TenantID != tenantID {
		return nil, store.Cursor{}, market.Errorf(market.CodeNotFound, "application %s not found", appID)
	}
	return s.db.AuthUsers(ctx, appID, p)
}
