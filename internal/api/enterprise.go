package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Joint operation: enterprises, departments, users, bindings, applications, authorizations and
// their syncs (docs/joint-operation.md). The enterprise's administrator (a buyer) and the
// operator change them; the enterprise's users read their enterprise and themselves.

func (a *API) registerEnterprises(mux Mux) {
	const e = "/api/v1/enterprises/{tid}"
	mux.Handle("POST /api/v1/enterprises", a.auth(a.createEnterprise))
	mux.Handle("GET /api/v1/enterprises", a.auth(a.listEnterprises))
	mux.Handle("GET "+e, a.auth(a.getEnterprise))
	mux.Handle("PATCH "+e, a.auth(a.renameEnterprise))
	mux.Handle("POST "+e+"/departments", a.auth(a.addDepartment))
	mux.Handle("GET "+e+"/departments", a.auth(a.listDepartments))
	mux.Handle("PATCH "+e+"/departments/{code}", a.auth(a.changeDepartment))
	mux.Handle("DELETE "+e+"/departments/{code}", a.auth(a.deleteDepartment))
	mux.Handle("POST "+e+"/departments/sync", a.auth(a.syncDepartments))
	mux.Handle("POST "+e+"/users", a.auth(a.addUsers))
	mux.Handle("GET "+e+"/users", a.auth(a.listUsers))
	mux.Handle("GET "+e+"/users/{name}", a.auth(a.getUser))
	mux.Handle("PATCH "+e+"/users/{name}", a.auth(a.changeUser))
	mux.Handle("DELETE "+e+"/users/{name}", a.auth(a.deleteUser))
	mux.Handle("POST "+e+"/bindings", a.auth(a.bind))
	mux.Handle("GET "+e+"/bindings", a.auth(a.listBindings))
	mux.Handle("DELETE "+e+"/bindings/{key}", a.auth(a.unbind))
	mux.Handle("POST "+e+"/bindings/{key}/apps", a.auth(a.createApp))
	mux.Handle("GET "+e+"/apps", a.auth(a.listApps))
	mux.Handle("DELETE "+e+"/bindings/{key}/apps/{app}", a.auth(a.deleteApp))
	mux.Handle("GET "+e+"/apps/{app}/users", a.auth(a.listAuthorized))
	mux.Handle("POST "+e+"/authorizations", a.auth(a.authorize))
	mux.Handle("GET "+e+"/syncs", a.auth(a.listSyncs))
	mux.Handle("POST "+e+"/syncs/{id}/retry", a.auth(a.retrySync))
	mux.Handle("PUT /api/v1/merchants/{id}/kit-key", a.auth(a.putKitKey))
	mux.Handle("GET /api/v1/merchants/{id}/kit-key", a.auth(a.getKitKey))
	mux.Handle("POST /api/v1/merchants/{id}/test-credentials", a.auth(a.testCredential))
	mux.Handle("GET /api/v1/kit-notices", a.auth(a.listKitNotices))
}

func (a *API) createEnterprise(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req enterprise.EnterpriseRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	e, err := a.Enterprises.CreateEnterprise(r.Context(), v, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewEnterprise(e))
	return nil
}

func (a *API) listEnterprises(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	page, err := query(r).page()
	if err != nil {
		return err
	}
	list, next, err := a.Enterprises.Enterprises(r.Context(), v, page)
	if err != nil {
		return err
	}
	writeList(w, r, "enterprises", views(list, viewEnterprise), next)
	return nil
}

func (a *API) getEnterprise(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	e, err := a.Enterprises.Enterprise(r.Context(), v, r.PathValue("tid"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewEnterprise(e))
	return nil
}

func (a *API) renameEnterprise(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req struct {
		Name string `json:"name"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	e, err := a.Enterprises.RenameEnterprise(r.Context(), v, r.PathValue("tid"), req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewEnterprise(e))
	return nil
}

func (a *API) addDepartment(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req enterprise.DepartmentRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	d, err := a.Enterprises.AddDepartment(r.Context(), v, r.PathValue("tid"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewDepartment(d))
	return nil
}

func (a *API) listDepartments(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	ds, err := a.Enterprises.Departments(r.Context(), v, r.PathValue("tid"))
	if err != nil {
		return err
	}
	writeList(w, r, "departments", views(ds, viewDepartment), store.Cursor{})
	return nil
}

func (a *API) changeDepartment(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req enterprise.DepartmentChange
	if err := decode(w, r, &req); err != nil {
		return err
	}
	d, err := a.Enterprises.ChangeDepartment(r.Context(), v, r.PathValue("tid"), r.PathValue("code"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewDepartment(d))
	return nil
}

func (a *API) deleteDepartment(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	if err := a.Enterprises.DeleteDepartment(r.Context(), v, r.PathValue("tid"), r.PathValue("code")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) syncDepartments(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	n, err := a.Enterprises.SyncDepartments(r.Context(), v, r.PathValue("tid"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]int{"bindings": n})
	return nil
}

func (a *API) addUsers(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req struct {
		Users []enterprise.UserRequest `json:"users"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	us, err := a.Enterprises.AddUsers(r.Context(), v, r.PathValue("tid"), req.Users)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"users": views(us, viewUser)})
	return nil
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	us, next, err := a.Enterprises.Users(r.Context(), v, store.UserFilter{TenantID: r.PathValue("tid"), OrgCode: q.q.Get("org_code"), Page: page})
	if err != nil {
		return err
	}
	writeList(w, r, "users", views(us, viewUser), next)
	return nil
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	u, err := a.Enterprises.User(r.Context(), v, r.PathValue("tid"), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewUser(u))
	return nil
}

func (a *API) changeUser(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req enterprise.UserChange
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u, err := a.Enterprises.ChangeUser(r.Context(), v, r.PathValue("tid"), r.PathValue("name"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewUser(u))
	return nil
}

func (a *API) deleteUser(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	if err := a.Enterprises.DeleteUser(r.Context(), v, r.PathValue("tid"), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) bind(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req struct {
		InstanceKey string `json:"instance_key"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	b, err := a.Enterprises.Bind(r.Context(), v, r.PathValue("tid"), req.InstanceKey)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewBinding(b))
	return nil
}

func (a *API) listBindings(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	bs, err := a.Enterprises.Bindings(r.Context(), v, r.PathValue("tid"))
	if err != nil {
		return err
	}
	writeList(w, r, "bindings", views(bs, viewBinding), store.Cursor{})
	return nil
}

func (a *API) unbind(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	if err := a.Enterprises.Unbind(r.Context(), v, r.PathValue("tid"), r.PathValue("key")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
