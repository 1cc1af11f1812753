package market

import "time"

// Market event upload kinds (protocol §8.8).
const (
	EventFile       = "FILE"
	EventCharacters = "CHARACTERS"
)

// MarketEvent is a slot on an order for the merchant to upload a file or a text to (protocol
// §8.8: POST .../market-event/{event_id}/file): a delivery document, a confirmation. Kind is ""
// until the merchant uploads; a new upload replaces the previous one.
type MarketEvent struct {
	ID         string
	OrderID    string
	MerchantID string
	BuyerID    string
	Title      string
	Kind       string // EventFile, EventCharacters or ""
	FileName   string
	SHA256     string // lowercase hex, of a file
	Size       int64
	UploadedAt time.Time
	CreatedAt  time.Time
}
