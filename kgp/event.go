package kgp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
	"unicode/utf8"
)

// The market-event upload (§8.8): POST /api/mkp-openapi-public/global/v1/market-event/{event_id}/file,
// multipart/form-data with a JSON part isvUpdateFileReq {"type","file_name","sha256","characters"}
// and, for type FILE, the file in part "file". Answer: error_code, error_msg.

// PathMarketEventPrefix is the path up to the event ID; MarketEventPath gives the whole path.
const PathMarketEventPrefix = "/api/mkp-openapi-public/global/v1/market-event/"

// MarketEventPath is the upload path of an event.
func MarketEventPath(eventID string) string { return PathMarketEventPrefix + eventID + "/file" }

// Upload kinds and limits.
const (
	EventFile          = "FILE"
	EventCharacters    = "CHARACTERS"
	MaxEventCharacters = 1024
	// MaxEventFile is the largest file Mercato takes (KooGallery's limit is not documented).
	MaxEventFile = 10 << 20
	// EventPartRequest and EventPartFile are the multipart part names.
	EventPartRequest = "isvUpdateFileReq"
	EventPartFile    = "file"
)

// EventUpload is the isvUpdateFileReq part.
type EventUpload struct {
	Type       string `json:"type"`
	FileName   string `json:"file_name,omitempty"`
	SHA256     string `json:"sha256,omitempty"`
	Characters string `json:"characters,omitempty"`
}

// check validates an upload against its file (nil when there is no file part).
func (u *EventUpload) check(file []byte) error {
	switch u.Type {
	case EventCharacters:
		if n := utf8.RuneCountInString(u.Characters); n < 1 || n > MaxEventCharacters || !utf8.ValidString(u.Characters) {
			return &FieldError{"characters", fmt.Sprintf("1 to %d characters required", MaxEventCharacters)}
		}
		if file != nil {
			return &FieldError{EventPartFile, "a CHARACTERS upload has no file"}
		}
	case EventFile:
		switch {
		case file == nil:
			return &FieldError{EventPartFile, "a FILE upload needs the file part"}
		case len(file) > MaxEventFile:
			return &FieldError{EventPartFile, fmt.Sprintf("larger than %d bytes", MaxEventFile)}
		case u.FileName == "" || utf8.RuneCountInString(u.FileName) > 255:
			return &FieldError{"file_name", "1 to 255 characters required"}
		case u.SHA256 == "":
			return &FieldError{"sha256", "mandatory for a file"}
		}
		sum := sha256.Sum256(file)
		if !strings.EqualFold(u.SHA256, hex.EncodeToString(sum[:])) {
			return &FieldError{"sha256", "does not match the file"}
		}
	default:
		return &FieldError{"type", "must be FILE or CHARACTERS"}
	}
	return nil
}

// EncodeEventUpload builds the multipart body of an upload and its Content-Type. For a file,
// sha256 and file_name are filled in when empty.
func EncodeEventUpload(u EventUpload, file []byte) (body []byte, contentType string, err error) {
	if u.Type == EventFile && u.SHA256 == "" {
		sum := sha256.Sum256(file)
		u.SHA256 = hex.EncodeToString(sum[:])
	}
	if u.Type != EventFile {
		file = nil
	}
	if err := u.check(file); err != nil {
		return nil, "", err
	}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+EventPartRequest+`"`)
	h.Set("Content-Type", "application/json")
	p, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if err := json.NewEncoder(p).Encode(u); err != nil {
		return nil, "", err
	}
	if file != nil {
		fp, err := w.CreateFormFile(EventPartFile, u.FileName)
		if err != nil {
			return nil, "", err
		}
		fp.Write(file)
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return b.Bytes(), w.FormDataContentType(), nil
}

// DecodeEventUpload reads and checks an upload: the request part, and the file whose sha256
// must match.
func DecodeEventUpload(contentType string, body []byte) (*EventUpload, []byte, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, nil, &FieldError{"Content-Type", "multipart/form-data with a boundary required"}
	}
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var up *EventUpload
	var file []byte
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, &FieldError{"body", "not a multipart body: " + err.Error()}
		}
		data, err := io.ReadAll(io.LimitReader(p, MaxEventFile+1))
		if err != nil {
			return nil, nil, &FieldError{p.FormName(), "unreadable: " + err.Error()}
		}
		switch p.FormName() {
		case EventPartRequest:
			if up != nil {
				return nil, nil, &FieldError{EventPartRequest, "given twice"}
			}
			up = &EventUpload{}
			if err := decodeStrict(data, up); err != nil {
				return nil, nil, &FieldError{EventPartRequest, "not the upload request JSON: " + err.Error()}
			}
		case EventPartFile:
			if file != nil {
				return nil, nil, &FieldError{EventPartFile, "given twice"}
			}
			file = data
		}
	}
	if up == nil {
		return nil, nil, &FieldError{EventPartRequest, "mandatory part missing"}
	}
	if err := up.check(file); err != nil {
		return nil, nil, err
	}
	return up, file, nil
}
