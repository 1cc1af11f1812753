// Package shadow reads /etc/passwd and /etc/shadow and decides which accounts
// can log in with a password, and cracks their hashes against a dictionary.
package shadow

import (
	"bufio"
	"bytes"
	"strings"
)

// Account is one user from /etc/passwd joined with its /etc/shadow entry.
type Account struct {
	// Name is the login name.
	Name string
	// UID is the numeric user id, as written.
	UID string
	// Shell is the login shell from /etc/passwd.
	Shell string
	// Hash is the password field: from /etc/shadow, or from /etc/passwd when
	// that field is not "x" (a legacy layout that still works).
	Hash string
	// Line is the 1-based line of Hash in its file.
	Line int
	// InPasswd is true when Hash came from /etc/passwd.
	InPasswd bool
	// Listed is true when the account has an /etc/passwd line.
	Listed bool
}

// entry is one colon-separated line.
type entry struct {
	fields []string
	line   int
}

// parseColon splits a colon-separated database, skipping blank lines, comments
// and NIS "+"/"-" lines, which carry no local password.
func parseColon(data []byte, minFields int) []entry {
	var out []entry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) < minFields || f[0] == "" {
			continue
		}
		out = append(out, entry{fields: f, line: n})
	}
	return out
}

// Parse joins passwd and shadow. Accounts in shadow without a passwd line are
// kept, with InPasswd false and no shell: they cannot log in, but their
// hashes are still worth cracking (a weak one is copied around with the
// image).
func Parse(passwd, shadowData []byte) []Account {
	var accts []Account
	index := map[string]int{}
	for _, e := range parseColon(passwd, 7) {
		a := Account{Name: e.fields[0], UID: e.fields[2], Shell: e.fields[6], Hash: e.fields[1], Line: e.line, Listed: true}
		// "x" sends login to /etc/shadow; an account with "x" and no shadow
		// entry has no password at all and stays Locked.
		a.InPasswd = a.Hash != "x"
		index[a.Name] = len(accts)
		accts = append(accts, a)
	}
	for _, e := range parseColon(shadowData, 2) {
		i, ok := index[e.fields[0]]
		if !ok {
			index[e.fields[0]] = len(accts)
			accts = append(accts, Account{Name: e.fields[0]})
			i = len(accts) - 1
		}
		if accts[i].InPasswd {
			continue // a password in passwd itself (even empty) is what login(1) and PAM use
		}
		accts[i].Hash, accts[i].Line = e.fields[1], e.line
	}
	return accts
}

// nologinShells cannot start an interactive session.
var nologinShells = map[string]bool{
	"/usr/sbin/nologin": true, "/sbin/nologin": true, "/bin/false": true,
	"/usr/bin/false": true, "/bin/sync": true, "/sbin/shutdown": true,
	"/sbin/halt": true, "/usr/sbin/halt": true, "/usr/sbin/shutdown": true,
	"/usr/bin/nologin": true, "/bin/nologin": true,
}

// LoginCapable reports whether the account can start a session: it has an
// /etc/passwd line and a shell that is not nologin, false, sync, halt or
// shutdown.
func (a Account) LoginCapable() bool {
	return a.Listed && !nologinShells[strings.TrimSpace(a.Shell)]
}

// State classifies a password field.
type State int

// Password field states.
const (
	// Locked: "*", "!", "!!", "!<hash>", "*LK*", "x": no password login.
	Locked State = iota
	// Empty: no password at all; login without one where PAM has nullok.
	Empty
	// Set: a usable hash.
	Set
)

// PasswordState classifies the account's hash.
func (a Account) PasswordState() State {
	h := a.Hash
	switch {
	case h == "":
		return Empty
	case h[0] == '!' || h[0] == '*' || h == "x" || strings.HasPrefix(h, "*LK*"):
		return Locked
	}
	return Set
}
