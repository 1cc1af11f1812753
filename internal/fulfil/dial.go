package fulfil

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// NewHTTPClient returns the client merchant calls go through. Unless insecure is set it refuses
// to connect to loopback, private, link-local and other non-public addresses, whatever name
// resolved to them, so that a merchant URL cannot reach the marketplace's own network. It never
// follows redirects (an answer is the production URL's, or it is a failure) and speaks TLS 1.2+.
func NewHTTPClient(insecure bool) *http.Client {
	dialer := &net.Dialer{Timeout: Timeout}
	if !insecure {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil {
				return err
			}
			if !public(ip) {
				return fmt.Errorf("refusing to call non-public address %s", ip)
			}
			return nil
		}
	}
	return &http.Client{
		Transport: &http.Transport{
			DialContext:         dialer.DialContext,
			TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout: Timeout,
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func public(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() &&
		!netip.MustParsePrefix("100.64.0.0/10").Contains(ip) // carrier-grade NAT
}

// ValidateURL checks a merchant production URL: HTTPS with a domain name (protocol §2), unless
// insecure allows plain HTTP and IP addresses (the sandbox and tests).
func ValidateURL(raw string, insecure bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return market.Errorf(market.CodeInvalid, "production URL %q is not an absolute URL", raw)
	}
	if u.User != nil || u.Fragment != "" {
		return market.Errorf(market.CodeInvalid, "production URL must not carry credentials or a fragment")
	}
	if insecure {
		if u.Scheme != "https" && u.Scheme != "http" {
			return market.Errorf(market.CodeInvalid, "production URL must be http or https")
		}
		return nil
	}
	if u.Scheme != "https" {
		return market.Errorf(market.CodeInvalid, "production URL must use HTTPS")
	}
	if _, err := netip.ParseAddr(u.Hostname()); err == nil {
		return market.Errorf(market.CodeInvalid, "production URL must use a domain name, not an IP address")
	}
	if u.Hostname() == "localhost" {
		return market.Errorf(market.CodeInvalid, "production URL must not be localhost")
	}
	return nil
}
