// Package secret finds credentials left in an image's files: private keys
// anywhere, authorized_keys files, and passwords in cloud-init data and
// shell histories.
package secret

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Kind of a Hit; the values are the report's rule ids.
const (
	PrivateKey     = "private-key"
	AuthorizedKeys = "authorized-keys"
	PasswordInFile = "password-in-file"
)

// Hit is one credential found in a file.
type Hit struct {
	// Kind is PrivateKey, AuthorizedKeys or PasswordInFile.
	Kind string
	// Line is the 1-based line where it starts, 0 if unknown.
	Line int
	// Evidence describes it with the secret masked.
	Evidence string
}

var beginMarker = []byte("-----BEGIN ")

// ScratchSize is the read buffer ScanPrivateKeys wants.
const ScratchSize = chunk + overlap

// chunk is how much is read at a time when searching big files; overlap
// keeps a marker split across two chunks visible.
const (
	chunk     = 4 << 20
	overlap   = 64
	maxPEM    = 64 << 10 // no real private key block is longer
	maxSmall  = 4 << 20  // text files inspected line by line
	maxTokens = 8
)

// ScanPrivateKeys searches the whole content for PEM blocks holding
// private keys (PKCS#1, SEC1, PKCS#8, encrypted PKCS#8, OpenSSH). A block
// must decode as PEM to count: the marker text alone, as found in libraries
// and documentation, is not a key. scratch, if at least chunk+overlap long,
// is used as the read buffer (callers scanning many files reuse one).
func ScanPrivateKeys(r io.ReaderAt, size int64, scratch []byte) []Hit {
	var hits []Hit
	if len(scratch) < ScratchSize {
		scratch = make([]byte, ScratchSize)
	}
	step := int64(len(scratch) - overlap)
	for off := int64(0); off < size; off += step {
		n, _ := r.ReadAt(scratch[:min(int64(len(scratch)), size-off)], off)
		b := scratch[:n]
		for i := 0; ; {
			j := bytes.Index(b[i:], beginMarker)
			if j < 0 {
				break
			}
			at := off + int64(i+j)
			i += j + len(beginMarker)
			if at-off >= step && off+int64(n) < size {
				break // the next window starts before this marker and will see it
			}
			if h, ok := pemAt(r, size, at); ok {
				hits = append(hits, h)
			}
		}
	}
	return hits
}

// ScanPrivateKeysBytes is ScanPrivateKeys for content in memory.
func ScanPrivateKeysBytes(data []byte) []Hit {
	var hits []Hit
	r := bytes.NewReader(data)
	for i := 0; ; {
		j := bytes.Index(data[i:], beginMarker)
		if j < 0 {
			return hits
		}
		at := int64(i + j)
		i += j + len(beginMarker)
		if h, ok := pemAt(r, int64(len(data)), at); ok {
			hits = append(hits, h)
		}
	}
}

func pemAt(r io.ReaderAt, size, at int64) (Hit, bool) {
	win := make([]byte, min(maxPEM, size-at))
	n, _ := r.ReadAt(win, at)
	block, _ := pem.Decode(win[:n])
	if block == nil || !strings.HasSuffix(block.Type, "PRIVATE KEY") {
		return Hit{}, false
	}
	ev := block.Type
	if fp := fingerprint(block); fp != "" {
		ev += ", public key " + fp
	} else if strings.Contains(block.Type, "ENCRYPTED") || block.Headers["Proc-Type"] != "" {
		ev += " (encrypted)"
	}
	return Hit{Kind: PrivateKey, Evidence: ev + fmt.Sprintf(" at byte %d", at)}, true
}

// fingerprint returns the SSH SHA256 fingerprint of the key's public half,
// so that a reviewer can match it against authorized_keys elsewhere.
func fingerprint(block *pem.Block) string {
	key, err := ssh.ParseRawPrivateKey(pem.EncodeToMemory(block))
	if err != nil {
		return ""
	}
	signer, err := ssh.NewSignerFromKey(key)
	if err != nil {
		return ""
	}
	return ssh.FingerprintSHA256(signer.PublicKey())
}

// IsAuthorizedKeys reports whether p names an OpenSSH authorized keys file.
func IsAuthorizedKeys(p string) bool {
	b := path.Base(p)
	return b == "authorized_keys" || b == "authorized_keys2"
}

// ScanAuthorizedKeys lists the keys in an authorized_keys file; comments
// and blank lines are not keys, so an emptied file passes.
func ScanAuthorizedKeys(data []byte) []Hit {
	var hits []Hit
	rest := data
	line := 0
	for len(rest) > 0 {
		line++
		var l []byte
		l, rest, _ = bytes.Cut(rest, []byte("\n"))
		t := bytes.TrimSpace(l)
		if len(t) == 0 || t[0] == '#' {
			continue
		}
		pk, comment, _, _, err := ssh.ParseAuthorizedKey(t)
		ev := "unparsable key line"
		if err == nil {
			ev = fmt.Sprintf("%s %s", pk.Type(), ssh.FingerprintSHA256(pk))
			if comment != "" {
				ev += " " + comment
			}
		}
		hits = append(hits, Hit{Kind: AuthorizedKeys, Line: line, Evidence: ev})
	}
	return hits
}

// History and cloud-init files are recognised by name.
var historyNames = map[string]bool{
	".bash_history": true, ".zsh_history": true, ".sh_history": true, ".ash_history": true,
	".history": true, ".mysql_history": true, ".psql_history": true, ".python_history": true,
	".lesshst": false, ".sqlite_history": true, ".rediscli_history": true, ".node_repl_history": true,
}

// IsHistory reports whether p is a shell or client history file.
func IsHistory(p string) bool { return historyNames[path.Base(p)] }

// IsCloudInit reports whether p holds cloud-init configuration or user data.
func IsCloudInit(p string) bool {
	switch {
	case p == "etc/cloud/cloud.cfg", strings.HasPrefix(p, "etc/cloud/cloud.cfg.d/"):
		return true
	case strings.HasPrefix(p, "var/lib/cloud/"):
		b := path.Base(p)
		return strings.HasPrefix(b, "user-data") || strings.HasPrefix(b, "vendor-data") || b == "cloud-config.txt"
	}
	return false
}

// Patterns of passwords on a command line or in cloud-config. Each has one
// group: the secret, which is masked in the evidence.
var (
	historyPatterns = []*regexp.Regexp{
		regexp.MustCompile(`(?i)\becho\s+['"]?[^'"|\s]+:([^'"|\s]+)['"]?\s*\|\s*(?:sudo\s+)?chpasswd`),
		regexp.MustCompile(`(?i)\becho\s+['"]?([^'"|\s]+)['"]?\s*\|\s*(?:sudo\s+)?passwd\b`),
		regexp.MustCompile(`(?i)\bsshpass\s+-p\s*['"]?([^'"\s]+)`),
		regexp.MustCompile(`(?i)\b(?:mysql|mysqladmin|mariadb)\b.*\s-p([^\s'"]+)`),
		regexp.MustCompile(`(?i)--password[= ]['"]?([^'"\s]+)`),
		regexp.MustCompile(`(?i)\b(?:useradd|usermod)\b.*\s-p\s+['"]?([^'"\s]+)`),
		regexp.MustCompile(`(?i)\b[A-Z_]*(?:PASSWORD|PASSWD|PWD)\s*=\s*['"]?([^'"\s]+)`),
		regexp.MustCompile(`(?i)\bopenssl\b.*-pass(?:in|out)?\s+pass:([^\s]+)`),
	}
	cloudPatterns = []*regexp.Regexp{
		regexp.MustCompile(`(?i)^\s*(?:-\s*)?(?:password|passwd|plain_text_passwd|hashed_passwd|root_pass)\s*:\s*['"]?([^'"\s#]+)`),
		regexp.MustCompile(`(?i)^\s*(?:-\s*)?[a-z0-9_.-]+:([^\s:'"]{1,})\s*$`), // chpasswd list entry "user:password"
	}
)

// ScanPasswords looks for passwords in a history or cloud-init file.
func ScanPasswords(p string, data []byte) []Hit {
	if len(data) > maxSmall {
		data = data[:maxSmall]
	}
	pats := historyPatterns
	cloud := IsCloudInit(p)
	if cloud {
		pats = cloudPatterns[:1]
	}
	var hits []Hit
	inChpasswd := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if cloud {
			// chpasswd: {list: |  user:pass ...} or list: [- user:pass]
			if strings.Contains(text, "chpasswd:") {
				inChpasswd = true
			} else if inChpasswd && len(text) > 0 && text[0] != ' ' && text[0] != '\t' && text[0] != '-' {
				inChpasswd = false
			}
		}
		use := pats
		if inChpasswd && !strings.Contains(text, "expire") && !strings.Contains(text, "list") && !strings.Contains(text, "chpasswd") {
			use = append(use[:len(use):len(use)], cloudPatterns[1])
		}
		for _, re := range use {
			m := re.FindStringSubmatchIndex(text)
			if m == nil || m[3]-m[2] == 0 {
				continue
			}
			secret := text[m[2]:m[3]]
			if isPlaceholder(secret) {
				continue
			}
			hits = append(hits, Hit{Kind: PasswordInFile, Line: line, Evidence: mask(text, m[2], m[3])})
			break
		}
		if len(hits) >= maxTokens {
			break
		}
	}
	return hits
}

// isPlaceholder skips values that are variables or prompts, not secrets.
func isPlaceholder(s string) bool {
	return strings.HasPrefix(s, "$") || strings.HasPrefix(s, "<") || s == "-" || s == "RANDOM" || s == "R" ||
		strings.EqualFold(s, "true") || strings.EqualFold(s, "false") || s == "''" || s == `""`
}

// mask keeps the line's shape but hides the secret, apart from its length
// and a short hash that lets the merchant find which password it was.
func mask(line string, from, to int) string {
	sum := sha256.Sum256([]byte(line[from:to]))
	hidden := fmt.Sprintf("****(%d chars, sha256:%s)", to-from, base64.RawStdEncoding.EncodeToString(sum[:])[:8])
	out := line[:from] + hidden + line[to:]
	if len(out) > 200 {
		out = out[:200] + "…"
	}
	return strings.TrimSpace(out)
}
