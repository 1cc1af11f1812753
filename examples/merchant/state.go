package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// The demo keeps its own business data — instances, tenants, applications, users,
// departments — in one JSON file in the state directory, rewritten atomically after every
// change. A real merchant has its own database; what matters here is that every write is an
// upsert by the entity's natural key, so that a repeated call never creates a second copy.

// instance is the merchant's own record of a provisioned instance.
type instance struct {
	ID          string `json:"id"`
	OrderID     string `json:"orderId"`
	OrderLineID string `json:"orderLineId,omitempty"`
	Sku         string `json:"sku,omitempty"`
	ProductID   string `json:"productId,omitempty"`
	Plan        string `json:"plan"`
	Seats       int    `json:"seats,omitempty"`
	Trial       bool   `json:"trial,omitempty"`
	PayPerUse   bool   `json:"payPerUse,omitempty"`
	ExpireTime  string `json:"expireTime,omitempty"`
	Status      string `json:"status"` // active, frozen, released
	UserName    string `json:"userName"`
	Password    string `json:"password"`
	// Usage is the cumulative pay-per-use usage × 10^4, reported by queryInstance.
	Usage   int64    `json:"usage,omitempty"`
	History []string `json:"history,omitempty"` // what KooGallery did to it, for the demo page
}

type tenant struct {
	InstanceID, TenantID, Code, Name, Domain string
}

type application struct {
	InstanceID, TenantID, AppID, ClientID string
	SecretDecrypted                       bool
	// Secret is the decrypted client secret: the merchant's own credential at the auth centre.
	// A real merchant keeps it in its secret store.
	Secret string `json:",omitempty"`
}

type user struct {
	InstanceID, TenantID, AppID, UserName, Name, OrgCode, Role string
	Enabled, Authorized                                        bool
}

type department struct {
	InstanceID, TenantID, OrgCode, Name, Parent string
}

// state is everything the example merchant knows, keyed by natural keys.
type state struct {
	Instances   map[string]*instance    `json:"instances"`
	Tenants     map[string]*tenant      `json:"tenants"`
	Apps        map[string]*application `json:"apps"`
	Users       map[string]*user        `json:"users"`
	Departments map[string]*department  `json:"departments"`
}

// db guards the state and writes it through to path.
type db struct {
	mu   sync.Mutex
	path string
	s    state
}

func openDB(dir string) (*db, error) {
	d := &db{path: filepath.Join(dir, "merchant.json")}
	raw, err := os.ReadFile(d.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(raw, &d.s); err != nil {
			return nil, fmt.Errorf("merchant: %s: %w", d.path, err)
		}
	}
	if d.s.Instances == nil {
		d.s.Instances = map[string]*instance{}
	}
	if d.s.Tenants == nil {
		d.s.Tenants = map[string]*tenant{}
	}
	if d.s.Apps == nil {
		d.s.Apps = map[string]*application{}
	}
	if d.s.Users == nil {
		d.s.Users = map[string]*user{}
	}
	if d.s.Departments == nil {
		d.s.Departments = map[string]*department{}
	}
	return d, nil
}

// update runs fn on the state and saves it; fn's error discards nothing already changed in
// memory, so fn must check before it changes.
func (d *db) update(fn func(s *state) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := fn(&d.s); err != nil {
		return err
	}
	return d.save()
}

// view runs fn on the state under the lock.
func (d *db) view(fn func(s *state)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fn(&d.s)
}

// save writes the state to a temporary file and renames it over the old one, so that a crash
// leaves either the old or the new state, never half of one.
func (d *db) save() error {
	raw, err := json.Marshal(&d.s)
	if err != nil {
		return err
	}
	tmp := d.path + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, d.path)
}
