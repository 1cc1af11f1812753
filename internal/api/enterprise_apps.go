package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

func (a *API) createApp(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req enterprise.AppRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	app, err := a.Enterprises.CreateApp(r.Context(), v, r.PathValue("tid"), r.PathValue("key"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewApp(app))
	return nil
}

func (a *API) listApps(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	apps, err := a.Enterprises.Apps(r.Context(), v, r.PathValue("tid"), query(r).q.Get("instance_key"))
	if err != nil {
		return err
	}
	writeList(w, r, "apps", views(apps, viewApp), store.Cursor{})
	return nil
}

func (a *API) deleteApp(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	if err := a.Enterprises.DeleteApp(r.Context(), v, r.PathValue("tid"), r.PathValue("key"), r.PathValue("app")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listAuthorized(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	page, err := query(r).page()
	if err != nil {
		return err
	}
	names, next, err := a.Enterprises.AuthorizedUsers(r.Context(), v, r.PathValue("tid"), r.PathValue("app"), page)
	if err != nil {
		return err
	}
	writeList(w, r, "users", names, next)
	return nil
}

func (a *API) authorize(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req enterprise.AuthRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	res, err := a.Enterprises.Authorize(r.Context(), v, r.PathValue("tid"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, res)
	return nil
}

func (a *API) listSyncs(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	list, next, err := a.Enterprises.Syncs(r.Context(), v, store.SyncFilter{TenantID: r.PathValue("tid"), InstanceKey: q.q.Get("instance_key"), Page: page})
	if err != nil {
		return err
	}
	writeList(w, r, "syncs", views(list, viewSync), next)
	return nil
}

func (a *API) retrySync(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	s, err := a.Enterprises.RetrySync(r.Context(), v, r.PathValue("tid"), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, viewSync(s))
	return nil
}

func (a *API) putKitKey(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req enterprise.KitKeyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	k, err := a.Enterprises.PutKitKey(r.Context(), v, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewKitKey(k))
	return nil
}

func (a *API) getKitKey(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	k, err := a.Enterprises.KitKey(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewKitKey(k))
	return nil
}

func (a *API) testCredential(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	c, err := a.Enterprises.CreateTestCredential(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeSecret(w, http.StatusCreated, c)
	return nil
}

func (a *API) listKitNotices(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	list, next, err := a.Enterprises.Notices(r.Context(), v, q.q.Get("merchant_id"), page)
	if err != nil {
		return err
	}
	writeList(w, r, "notices", views(list, viewNotice), next)
	return nil
}
