package store

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Secrets at rest: the columns that hold secrets — merchants' access and kit keys, open-API SKs,
// instances' appInfo — are sealed with AES-256-GCM under a key-encryption key from a key file.
// A sealed value reads "enc:v1:<key id>:<base64 of nonce and ciphertext>"; a value without the
// prefix was stored before sealing and is read as it is (Rewrap seals it).
//
// The key file holds one key per line, "<id> <base64 of 32 bytes>"; the first line is the
// primary, which seals; every line opens. Rotation: put a new key first (RotateKeyFile), run
// Rewrap, then drop the old lines.

const sealPrefix = "enc:v1:"

// Keyring holds the keys that seal and open stored secrets.
type Keyring struct {
	primary string
	aeads   map[string]cipher.AEAD
}

// ParseKeyring reads a key file's contents.
func ParseKeyring(data []byte) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, b64, ok := strings.Cut(line, " ")
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if !ok || err != nil || len(key) != 32 || id == "" || strings.ContainsRune(id, ':') {
			return nil, fmt.Errorf("key file line %d: want \"<id> <base64 of 32 bytes>\"", n)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("key file line %d: key id %q appears twice", n, id)
		}
		k.aeads[id] = aead
		if k.primary == "" {
			k.primary = id
		}
	}
	if k.primary == "" {
		return nil, errors.New("key file holds no key")
	}
	return k, sc.Err()
}

// newKeyLine returns a key file line with a fresh random key.
func newKeyLine() string {
	key := make([]byte, 32)
	rand.Read(key)
	id := make([]byte, 4)
	rand.Read(id)
	return fmt.Sprintf("k%x %s\n", id, base64.StdEncoding.EncodeToString(key))
}

// LoadKeyFile reads the key file at path, creating it (0600, one fresh key) when it does not
// exist and create is set. It refuses a key file others may read.
func LoadKeyFile(path string, create bool) (*Keyring, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("store: creating key file: %w", err)
		}
		data = []byte("# Mercato key-encryption keys: the first seals, all open. Keep this file secret and backed up.\n" + newKeyLine())
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("store: key file: %w", err)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("store: key file %s is readable by others (mode %v); chmod 600 it", path, st.Mode().Perm())
	}
	return ParseKeyring(data)
}

// RotateKeyFile puts a fresh key first in the key file at path: it seals from now on, the old
// ones still open. Run Rewrap afterwards to seal everything with it.
func RotateKeyFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if _, err := ParseKeyring(data); err != nil {
		return err
	}
	var out []byte
	header, rest := "", string(data)
	for strings.HasPrefix(rest, "#") { // keep the comments on top
		line, after, _ := strings.Cut(rest, "\n")
		header, rest = header+line+"\n", after
	}
	out = append(out, header...)
	out = append(out, newKeyLine()...)
	out = append(out, rest...)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, out, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// seal encrypts a secret with the primary key; "" stays "" and a nil keyring stores plaintext.
func (k *Keyring) seal(plain string) string {
	if k == nil || plain == "" {
		return plain
	}
	aead := k.aeads[k.primary]
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return sealPrefix + k.primary + ":" + base64.RawStdEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(plain), nil))
}

// open decrypts a sealed value; an unsealed one is returned as it is.
func (k *Keyring) open(stored string) (string, error) {
	rest, ok := strings.CutPrefix(stored, sealPrefix)
	if !ok {
		return stored, nil
	}
	if k == nil {
		return "", errors.New("store: a sealed secret, and no key file to open it")
	}
	id, b64, _ := strings.Cut(rest, ":")
	aead, ok := k.aeads[id]
	if !ok {
		return "", fmt.Errorf("store: a secret sealed with key %q, which the key file no longer holds", id)
	}
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", errors.New("store: a sealed secret is damaged")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("store: a secret sealed with key %q does not open: %w", id, err)
	}
	return string(plain), nil
}

// openAll opens each of the secrets in place, stopping at the first that fails.
func (k *Keyring) openAll(secrets ...*string) error {
	for _, s := range secrets {
		v, err := k.open(*s)
		if err != nil {
			return err
		}
		*s = v
	}
	return nil
}
