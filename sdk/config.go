package sdk

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// Defaults of Config.
const (
	// DefaultProvisionBudget is how long newInstance waits for the merchant before answering
	// 000004: KooGallery gives a call 5 s, and the rest is margin for the network.
	DefaultProvisionBudget = 3 * time.Second
	// DefaultProvisionTimeout bounds one attempt of a background provisioning.
	DefaultProvisionTimeout = 10 * time.Minute
	// DefaultMaxBodyBytes bounds every request body; KooGallery's largest, an authSync of 500
	// users, stays far below it.
	DefaultMaxBodyBytes = 1 << 20
)

// OrderQuerier looks up an order on the open API; *Client implements it.
type OrderQuerier interface {
	QueryOrder(ctx context.Context, orderID, orderLineID string) (*kgp.OrderInfo, error)
}

// Config configures a Handler. Key and Store are required.
type Config struct {
	// Key is the access key bound to the basic interfaces: it verifies 2.0 signatures and 1.0
	// authTokens, signs Body-Sign and encrypts appInfo credentials.
	Key string
	// KitKey is the access key bound to the joint-operation kit interfaces. Empty means the
	// product has no kit interfaces: kit calls are refused with 000001.
	KitKey string
	// EncryptType selects the appInfo cipher: kgp.EncryptAES256 ("1", the default) or
	// kgp.EncryptAES128 ("2"). It must match the product's release settings.
	EncryptType kgp.EncryptType

	// Store keeps the Handler's state: sqlitestore.Open(dir) for SQLite in a state directory,
	// or the merchant's own implementation. The caller opens and closes it.
	Store Store
	// Orders, when set, is asked for the order of each new 2.0 order line, so that a
	// pay-per-use line gets the (orderId, productId) idempotency key and the merchant gets the
	// order details in NewInstanceCall.Order. Without it the key is (orderId, orderLineId).
	Orders OrderQuerier

	// Window is how far a request timestamp may be from Now: kgp.DefaultWindow (60 s) if zero.
	Window time.Duration
	// Nonces remembers the nonces of accepted requests; an in-memory cache if nil. Use a shared
	// cache when several processes serve one production URL.
	Nonces kgp.NonceCache
	// ProvisionBudget is how long newInstance waits for provisioning before answering 000004
	// and finishing in the background; DefaultProvisionBudget if zero.
	ProvisionBudget time.Duration
	// ProvisionTimeout bounds one provisioning attempt; DefaultProvisionTimeout if zero.
	ProvisionTimeout time.Duration
	// MaxBodyBytes bounds request bodies; DefaultMaxBodyBytes if zero.
	MaxBodyBytes int64

	// NewInstanceID makes the ID of a new instance from the delivery that first reserves it;
	// random UUIDs if nil. It is called once per order line (or pay-per-use product): retries
	// get the stored ID. Returning call.BusinessID follows §4.1's recommendation; the ID must
	// be unique, so do that only if the platform's businessIds are.
	NewInstanceID func(call *NewInstanceCall) string
	// Logger receives the Handler's logs; nothing is logged if nil.
	Logger *slog.Logger
	// Now is the clock of the timestamp window; time.Now if nil.
	Now func() time.Time
}

// withDefaults validates c and fills in the defaults.
func (c Config) withDefaults() (Config, error) {
	if c.Key == "" {
		return c, errors.New("sdk: Config.Key (the access key) is required")
	}
	if c.Store == nil {
		return c, errors.New("sdk: Config.Store is required (sqlitestore.Open, or your own sdk.Store)")
	}
	if c.EncryptType == "" {
		c.EncryptType = kgp.EncryptAES256
	}
	if _, err := kgp.CredentialKey(c.Key, c.EncryptType); err != nil {
		return c, err
	}
	if c.Window <= 0 {
		c.Window = kgp.DefaultWindow
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Nonces == nil {
		c.Nonces = kgp.NewMemoryNonceCache(2*c.Window, c.Now)
	}
	if c.ProvisionBudget <= 0 {
		c.ProvisionBudget = DefaultProvisionBudget
	}
	if c.ProvisionTimeout <= 0 {
		c.ProvisionTimeout = DefaultProvisionTimeout
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.NewInstanceID == nil {
		c.NewInstanceID = func(*NewInstanceCall) string { return newUUID() }
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
