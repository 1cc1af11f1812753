package fulfil

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestValidateURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url      string
		insecure bool
		ok       bool
	}{
		{"https://saas.example.com/produce", false, true},
		{"http://saas.example.com/produce", false, false},
		{"https://10.0.0.1/produce", false, false},
		{"https://localhost/produce", false, false},
		{"https://user:pw@saas.example.com/", false, false},
		{"saas.example.com", false, false},
		{"http://127.0.0.1:9090/produce", true, true},
		{"ftp://127.0.0.1/", true, false},
	} {
		if err := ValidateURL(tc.url, tc.insecure); (err == nil) != tc.ok {
			t.Errorf("%s (insecure %v): %v", tc.url, tc.insecure, err)
		}
	}
}

func TestClientRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) }))
	defer srv.Close()
	if _, err := NewHTTPClient(false).Get(srv.URL); err == nil || !strings.Contains(err.Error(), "non-public") {
		t.Fatalf("loopback call: %v", err)
	}
	resp, err := NewHTTPClient(true).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
