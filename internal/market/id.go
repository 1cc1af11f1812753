package market

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// IDs look like KooGallery's: orders "CS" + yyMMddHHmm (UTC) + random characters (KooGallery's
// have 5, CS2211181819B4LVS; Mercato uses 8, since 5 collide within a minute of a few thousand
// orders), order lines "<orderId>-000001", buyers a 32-hex customerId.

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// NewOrderID returns a fresh order ID for an order placed at t.
func NewOrderID(t time.Time) string {
	return "CS" + t.UTC().Format("0601021504") + randomString(8, idAlphabet)
}

// LineID returns the ID of line n (from 1) of an order.
func LineID(orderID string, n int) string {
	return fmt.Sprintf("%s-%06d", orderID, n)
}

// NewHexID returns 16 random bytes as 32 lowercase hex characters (customerId, tokens).
func NewHexID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// NewUUID returns a random version-4 UUID (businessId, nonces).
func NewUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// NewSecret returns a random alphanumeric string of n characters (access keys, SKs, tokens).
func NewSecret(n int) string {
	return randomString(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
}

func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	limit := 256 - 256%len(alphabet)
	var one [1]byte
	for i := range b {
		for {
			rand.Read(one[:])
			if int(one[0]) < limit {
				b[i] = alphabet[int(one[0])%len(alphabet)]
				break
			}
		}
	}
	return string(b)
}
