package conformance

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/kgp"
)

// maxURLLen is the documented length of frontEndUrl and adminUrl (§4.2).
const maxURLLen = 512

// queryAppInfo checks the credentials KooGallery shows the buyer. With encryptType they must
// decrypt with the access key (§3.7); without it they are taken as plaintext, as the 2.0 demo
// sends them (§14.4). In 1.0 newInstance returns appInfo too, and it is checked as well.
func queryAppInfo(ctx context.Context, c *caseRun) (string, error) {
	id, created, err := c.create(ctx, c.fresh(mockOneTimeNew))
	if err != nil {
		return "", err
	}
	var notes []string
	if a := created.resp.AppInfo; a != nil {
		note, err := c.checkAppInfo("newInstance", created.resp.EncryptType, a)
		if err != nil {
			return "", err
		}
		notes = append(notes, "newInstance: "+note)
	}
	got, r, err := c.queryInfo(ctx, []string{id}, created.code() == kgp.ResultProcessing)
	if err != nil {
		return "", err
	}
	info, ok := got[id]
	switch {
	case !ok:
		return "", broke("appInfo", "queryInstance of %s has no entry for it", id)
	case info.AppInfo == nil && len(notes) == 0:
		return "no appInfo: conforms only if the credentials reach the buyer by SMS or email (§4.2)", nil
	case info.AppInfo != nil:
		note, err := c.checkAppInfo("queryInstance", r.resp.EncryptType, info.AppInfo)
		if err != nil {
			return "", err
		}
		notes = append(notes, "queryInstance: "+note)
	}
	return strings.Join(notes, "; "), nil
}

// checkAppInfo applies the appInfo rules to one answer.
func (c *caseRun) checkAppInfo(where string, et kgp.EncryptType, a *kgp.AppInfo) (string, error) {
	switch {
	case a.FrontEndURL == "":
		return "", broke("appInfo", "%s appInfo has no frontEndUrl (mandatory, §4.2)", where)
	case len(a.FrontEndURL) > maxURLLen || len(a.AdminURL) > maxURLLen:
		return "", broke("appInfo", "%s appInfo URL longer than %d characters (§4.2)", where, maxURLLen)
	}
	fields := []struct{ name, value string }{{"userName", a.UserName}, {"password", a.Password}}
	n := 0
	for _, f := range fields {
		if f.value == "" {
			continue
		}
		n++
		if l := utf8.RuneCountInString(f.value); l > kgp.MaxCredentialLen {
			return "", broke("appInfo", "%s appInfo.%s is %d characters; KooGallery accepts at most %d, IV included, and fails the order (§3.7)",
				where, f.name, l, kgp.MaxCredentialLen)
		}
		if et == "" {
			continue
		}
		pt, err := kgp.DecryptCredential(c.cfg.Key, et, f.value)
		if err == nil && !utf8.ValidString(pt) {
			err = fmt.Errorf("the plaintext is not UTF-8 text")
		}
		if err != nil {
			return "", broke("appInfo", "%s appInfo.%s does not decrypt with the access key as encryptType %q says: %v", where, f.name, et, err)
		}
	}
	switch {
	case n == 0:
		return "frontEndUrl only, no credentials", nil
	case et == "":
		return fmt.Sprintf("%d credential(s) in plaintext (no encryptType, accepted per §14.4)", n), nil
	}
	return fmt.Sprintf("%d credential(s) decrypt as encryptType %s", n, et), nil
}
