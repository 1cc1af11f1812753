package kgp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestEventUploadRoundTrip(t *testing.T) {
	t.Parallel()
	file := []byte("%PDF-1.7\r\n--not a boundary\r\n")
	cases := []struct {
		up   EventUpload
		file []byte
	}{
		{EventUpload{Type: EventFile, FileName: "交付报告.pdf"}, file},
		{EventUpload{Type: EventCharacters, Characters: strings.Repeat("确", MaxEventCharacters)}, nil},
	}
	for _, c := range cases {
		body, ct, err := EncodeEventUpload(c.up, c.file)
		if err != nil {
			t.Fatal(err)
		}
		up, got, err := DecodeEventUpload(ct, body)
		if err != nil {
			t.Fatalf("%s: %v", c.up.Type, err)
		}
		if up.Type != c.up.Type || up.Characters != c.up.Characters || !bytes.Equal(got, c.file) || (c.file != nil && up.SHA256 == "") {
			t.Fatalf("%s: decoded %+v %q", c.up.Type, up, got)
		}
	}
}

func TestEventUploadRefusals(t *testing.T) {
	t.Parallel()
	ok, ct, err := EncodeEventUpload(EventUpload{Type: EventFile, FileName: "a.txt"}, []byte("one"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, contentType, body, field string
	}{
		{"sha256 of another file", ct, strings.Replace(string(ok), "\r\none\r\n", "\r\ntwo\r\n", 1), "sha256"},
		{"not multipart", "application/json", `{"type":"FILE"}`, "Content-Type"},
		{"no request part", ct, strings.Replace(string(ok), EventPartRequest, "other", 1), EventPartRequest},
		{"unknown type", ct, strings.Replace(string(ok), `"FILE"`, `"VIDEO"`, 1), "type"},
	}
	for _, c := range cases {
		_, _, err := DecodeEventUpload(c.contentType, []byte(c.body))
		if fe, ok := errors.AsType[*FieldError](err); !ok || fe.Field != c.field {
			t.Errorf("%s: %v, want a FieldError on %s", c.name, err, c.field)
		}
	}
	if _, _, err := EncodeEventUpload(EventUpload{Type: EventCharacters, Characters: strings.Repeat("x", MaxEventCharacters+1)}, nil); err == nil {
		t.Error("1025 characters encoded")
	}
}

func TestDecodeOAuthError(t *testing.T) {
	t.Parallel()
	e := DecodeOAuthError([]byte(`{"error":"invalid_grant","error_description":"Invalid authorization code"}`))
	if e == nil || e.Code != OAuthInvalidGrant || e.Description != "Invalid authorization code" {
		t.Fatalf("%+v", e)
	}
	if DecodeOAuthError([]byte(`{"access_token":"x"}`)) != nil || DecodeOAuthError([]byte(`<html>`)) != nil {
		t.Fatal("a non-error body decoded as an error")
	}
}

func FuzzDecodeEventUpload(f *testing.F) {
	body, ct, _ := EncodeEventUpload(EventUpload{Type: EventFile, FileName: "a.txt"}, []byte("one"))
	f.Add(ct, body)
	body, ct, _ = EncodeEventUpload(EventUpload{Type: EventCharacters, Characters: "ok"}, nil)
	f.Add(ct, body)
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\n\r\n--x--"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		up, file, err := DecodeEventUpload(contentType, body)
		if err != nil {
			return
		}
		// What decodes is a valid upload: encoding it again gives the same upload.
		again, ct, err := EncodeEventUpload(*up, file)
		if err != nil {
			t.Fatalf("decoded %+v does not encode: %v", up, err)
		}
		up2, file2, err := DecodeEventUpload(ct, again)
		if err != nil || *up2 != *up || !bytes.Equal(file, file2) {
			t.Fatalf("round trip: %+v %v", up2, err)
		}
	})
}
