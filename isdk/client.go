package isdk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// client speaks the marketplace's JSON API (docs/api.md, "Industrial-software cloud") with the
// buyer's bearer token.
type client struct {
	base     string // https://market.example/api/v1
	token    string
	instance string
	http     *http.Client
}

// APIError is an error answer of the marketplace: its HTTP status and the JSON API's error code
// (invalid, not_found, conflict, ...) and message.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// fileInfo is a drive entry as the API shows it.
type fileInfo struct {
	ID           string `json:"id"`
	Path         string `json:"path"`
	Kind         string `json:"kind"`
	Version      int    `json:"version"`
	Size         int64  `json:"size"`
	SHA256       string `json:"sha256"`
	WorkState    string `json:"work_state"`
	CheckedOutBy string `json:"checked_out_by"`
}

type uploadInfo struct {
	ID       string `json:"id"`
	Offset   int64  `json:"offset"`
	State    string `json:"state"`
	Reason   string `json:"reason"`
	MaxChunk int64  `json:"max_chunk"`
}

type driveInfo struct {
	User     string `json:"user"`
	MaxChunk int64  `json:"max_chunk"`
}

type noticeInfo struct {
	Current     string `json:"current_version"`
	Latest      string `json:"latest_version"`
	Upgrade     bool   `json:"upgrade"`
	Forced      bool   `json:"forced"`
	InstallMode string `json:"install_mode"`
	Notes       string `json:"notes"`
}

// instancePath is the API path of the instance's drive, plus rest.
func (c *client) instancePath(rest string) string {
	return "/instances/" + url.PathEscape(c.instance) + "/cloud" + rest
}

// do sends a JSON request (body nil for none) and decodes a JSON answer into out (nil to drop it).
func (c *client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	resp, err := c.send(ctx, method, path, rd, -1, "application/json")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// send sends a request and returns a successful answer; an error answer becomes an *APIError.
func (c *client) send(ctx context.Context, method, path string, body io.Reader, size int64, ctype string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	if size >= 0 {
		req.ContentLength = size
		if size == 0 {
			req.Body = http.NoBody
		}
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&e) != nil || e.Error.Code == "" {
		return nil, &APIError{Status: resp.StatusCode, Code: "http_" + strconv.Itoa(resp.StatusCode), Message: resp.Status}
	}
	return nil, &APIError{Status: resp.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
}

func (c *client) fileByPath(ctx context.Context, p string) (*fileInfo, error) {
	var f fileInfo
	return &f, c.do(ctx, "GET", c.instancePath("/file?path="+url.QueryEscape(p)), nil, &f)
}

func (c *client) fileAction(ctx context.Context, id, action string) (*fileInfo, error) {
	var f fileInfo
	return &f, c.do(ctx, "POST", "/cloud/files/"+url.PathEscape(id)+"/"+action, nil, &f)
}

// download streams a version of a file to w and returns the SHA-256 the marketplace declared.
func (c *client) download(ctx context.Context, id string, version int, w io.Writer) (string, error) {
	resp, err := c.send(ctx, "GET", fmt.Sprintf("/cloud/files/%s/content?version=%d", url.PathEscape(id), version), nil, -1, "")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return strings.ToLower(resp.Header.Get("X-Mercato-Sha256")), err
}

type beginRequest struct {
	FileID      string `json:"file_id,omitempty"`
	Path        string `json:"path,omitempty"`
	Kind        string `json:"kind"`
	BaseVersion int    `json:"base_version,omitempty"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

func (c *client) begin(ctx context.Context, r beginRequest) (*uploadInfo, error) {
	var u uploadInfo
	return &u, c.do(ctx, "POST", c.instancePath("/uploads"), r, &u)
}

// saveWhole sends content of n bytes whole, in one request, as r describes.
func (c *client) saveWhole(ctx context.Context, r beginRequest, body io.Reader, f *fileInfo) error {
	q := url.Values{"kind": {r.Kind}, "sha256": {r.SHA256}}
	if r.FileID != "" {
		q.Set("file_id", r.FileID)
		q.Set("base_version", strconv.Itoa(r.BaseVersion))
	} else {
		q.Set("path", r.Path)
	}
	resp, err := c.send(ctx, "POST", c.instancePath("/files?"+q.Encode()), body, r.Size, "application/octet-stream")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(f)
}

func (c *client) upload(ctx context.Context, id string) (*uploadInfo, error) {
	var u uploadInfo
	return &u, c.do(ctx, "GET", "/cloud/uploads/"+url.PathEscape(id), nil, &u)
}

// put sends n bytes of body at offset; complete also completes the upload, and then the answer
// is the file (decoded into f) instead of the upload.
func (c *client) put(ctx context.Context, id string, offset int64, body io.Reader, n int64, complete bool, f *fileInfo) error {
	q := "?offset=" + strconv.FormatInt(offset, 10)
	if complete {
		q += "&complete=1"
	}
	resp, err := c.send(ctx, "PUT", "/cloud/uploads/"+url.PathEscape(id)+q, body, n, "application/octet-stream")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if complete {
		return json.NewDecoder(resp.Body).Decode(f)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
