package sdk

import (
	"context"
	"net/http"

	"github.com/mercato-oss/mercato/kgp"
)

// UploadEventFile uploads a file to a market event (§8.8); its sha256 is computed and sent with
// it, and the platform checks it.
func (c *Client) UploadEventFile(ctx context.Context, eventID, fileName string, file []byte) error {
	return c.uploadEvent(ctx, eventID, kgp.EventUpload{Type: kgp.EventFile, FileName: fileName}, file)
}

// UploadEventCharacters uploads a text of at most 1024 characters to a market event.
func (c *Client) UploadEventCharacters(ctx context.Context, eventID, text string) error {
	return c.uploadEvent(ctx, eventID, kgp.EventUpload{Type: kgp.EventCharacters, Characters: text}, nil)
}

func (c *Client) uploadEvent(ctx context.Context, eventID string, up kgp.EventUpload, file []byte) error {
	body, ct, err := kgp.EncodeEventUpload(up, file)
	if err != nil {
		return err
	}
	var ack kgp.ErrorResponse
	return c.do(ctx, request{method: http.MethodPost, path: kgp.MarketEventPath(eventID), body: body, contentType: ct}, &ack)
}
