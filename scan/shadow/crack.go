package shadow

import (
	"bufio"
	"bytes"
	"context"
	"crypto/subtle"
	_ "embed"
	"errors"
	"runtime"
	"strings"
	"sync"
	"unicode"

	"github.com/go-crypt/crypt"
	"github.com/go-crypt/crypt/algorithm"
	"github.com/go-crypt/crypt/algorithm/bcrypt"
	"github.com/go-crypt/crypt/algorithm/md5crypt"
	"github.com/go-crypt/crypt/algorithm/shacrypt"
	"github.com/go-crypt/x/yescrypt"
)

//go:embed words.txt
var builtinWords []byte

// DefaultWords returns the built-in dictionary: common passwords, vendor
// defaults and keyboard walks, a few hundred entries so that even yescrypt
// (tens of milliseconds per guess) finishes in seconds per account.
func DefaultWords() []string { return ParseWords(builtinWords) }

// ParseWords reads one password per line; blank lines and a trailing CR are
// dropped, everything else (spaces, '#') is part of the password.
func ParseWords(data []byte) []string {
	var out []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		w := strings.TrimRight(sc.Text(), "\r")
		if w == "" || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

// Scheme names the crypt scheme of a hash ("yescrypt", "sha512crypt", ...),
// or "" when it is not one this package can check.
func Scheme(hash string) string {
	switch {
	case strings.HasPrefix(hash, "$y$"):
		return "yescrypt"
	case strings.HasPrefix(hash, "$6$"):
		return "sha512crypt"
	case strings.HasPrefix(hash, "$5$"):
		return "sha256crypt"
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		return "bcrypt"
	case strings.HasPrefix(hash, "$1$"):
		return "md5crypt"
	}
	return ""
}

// ErrUnsupported is returned for hashes of schemes (or yescrypt parameters)
// that Verifier cannot compute.
var ErrUnsupported = errors.New("unsupported hash scheme")

// Verifier checks candidate passwords against one hash.
type Verifier struct {
	hash    string
	digest  algorithm.Digest // sha*, md5, bcrypt
	setting []byte           // yescrypt
}

// NewVerifier parses hash once so that many guesses are cheap to try.
func NewVerifier(hash string) (*Verifier, error) {
	switch Scheme(hash) {
	case "":
		return nil, ErrUnsupported
	case "yescrypt":
		v := &Verifier{hash: hash, setting: []byte(hash)}
		// Probe once: parameters outside the library's range fail here,
		// not on every guess.
		if _, err := yescrypt.Hash(nil, v.setting); err != nil {
			return nil, errors.Join(ErrUnsupported, err)
		}
		return v, nil
	}
	d := crypt.NewDecoder()
	for _, reg := range []func(algorithm.DecoderRegister) error{
		bcrypt.RegisterDecoder, shacrypt.RegisterDecoder, md5crypt.RegisterDecoder,
	} {
		if err := reg(d); err != nil {
			return nil, err
		}
	}
	digest, err := d.Decode(hash)
	if err != nil {
		return nil, errors.Join(ErrUnsupported, err)
	}
	return &Verifier{hash: hash, digest: digest}, nil
}

// Match reports whether password produces the hash.
func (v *Verifier) Match(password string) bool {
	if v.digest != nil {
		return v.digest.Match(password)
	}
	got, err := yescrypt.Hash([]byte(password), v.setting)
	return err == nil && subtle.ConstantTimeCompare(got, []byte(v.hash)) == 1
}

// Candidates returns the guesses for an account: variants of its own name
// first (the §6.1 rule forbids a password equal to the account name), then
// the dictionary.
func Candidates(name string, words []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(w string) {
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	rev := []rune(name)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	title := name
	if r := []rune(name); len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
		title = string(r)
	}
	for _, w := range []string{name, title, strings.ToUpper(name), string(rev),
		name + "1", name + "123", name + "1234", name + "!", title + "123", title + "@123", name + "@123", name + name} {
		add(w)
	}
	for _, w := range words {
		add(w)
	}
	return out
}

// Crack tries candidates against the hash on all cores and returns the
// matching password. ok is false when none matched or ctx ended first;
// err is ErrUnsupported for a scheme that cannot be checked.
func Crack(ctx context.Context, hash string, candidates []string) (password string, ok bool, err error) {
	v, err := NewVerifier(hash)
	if err != nil {
		return "", false, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		found string
		hit   bool
		wg    sync.WaitGroup
		next  = make(chan string)
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for w := range next {
				if v.Match(w) {
					mu.Lock()
					if !hit {
						found, hit = w, true
					}
					mu.Unlock()
					cancel()
				}
			}
		})
	}
feed:
	for _, w := range candidates {
		select {
		case next <- w:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return found, hit, nil
}
