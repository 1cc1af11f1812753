package store

import (
	"strings"
	"testing"
)

// FuzzKeyring: the key file parser and the sealed-value opener take whatever is on disk. Neither
// panics; a sealed value opens to what was sealed, and any change to it fails to open rather
// than opening to something else.
func FuzzKeyring(f *testing.F) {
	f.Add([]byte("# comment\n"+newKeyLine()), "secret", 3)
	f.Add([]byte("k1 AAAA\n"), "", 0)
	f.Add([]byte{}, "x", 40)
	f.Fuzz(func(t *testing.T, file []byte, plain string, flip int) {
		if k, err := ParseKeyring(file); err == nil {
			k.open(sealPrefix + string(file)) // never panics
		}
		k, err := ParseKeyring([]byte(newKeyLine()))
		if err != nil {
			t.Fatal(err)
		}
		sealed := k.seal(plain)
		if got, err := k.open(sealed); err != nil || got != plain {
			t.Fatalf("seal/open %q: %q, %v", plain, got, err)
		}
		if plain == "" || flip < 0 {
			return
		}
		i := len(sealPrefix) + flip%(len(sealed)-len(sealPrefix))
		changed := sealed[:i] + string(rune(sealed[i]^1)) + sealed[i+1:]
		if changed == sealed || !strings.HasPrefix(changed, sealPrefix) {
			return
		}
		if got, err := k.open(changed); err == nil && got != plain {
			t.Fatalf("a changed sealed value opened to %q", got)
		}
	})
}
