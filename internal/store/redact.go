package store

import (
	"net/url"
	"strings"
)

// RedactDSN returns dsn with its password replaced by "xxxxx", for logs and messages.
func RedactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Redact removes dsn's password from a message that may quote the DSN (a driver's connection
// error does).
func Redact(msg, dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return msg
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		msg = strings.ReplaceAll(msg, url.UserPassword(u.User.Username(), pw).String(), url.UserPassword(u.User.Username(), "xxxxx").String())
		msg = strings.ReplaceAll(msg, pw, "xxxxx")
	}
	return msg
}
