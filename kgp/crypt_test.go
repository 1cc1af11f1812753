package kgp

import (
	"bufio"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

func TestSHA1PRNGVectors(t *testing.T) {
	t.Parallel()
	// §3.7: Java 17 KeyGenerator("AES") with SecureRandom("SHA1PRNG"), reproduced in Python.
	for _, tc := range []struct {
		typ  EncryptType
		key  string
		want string
	}{
		{EncryptAES128, "51af0a11efae74f41e603346626ec778", "0123456789abcdefRaWrfaBD5QErTI4Ga7RHZGOAl9Kjyp/nhOkNG/ut7Z4="},
		{EncryptAES256, "51af0a11efae74f41e603346626ec77813830770b50c862c981485b0e92cbf67", "0123456789abcdeft1kgY3d9sCM0azHpJlAm0O+dZoNryNMXCfEQUqu54rU="},
	} {
		key, err := CredentialKey(vectorKey, tc.typ)
		if err != nil || hex.EncodeToString(key) != tc.key {
			t.Fatalf("type %s: key %x, %v; want %s", tc.typ, key, err, tc.key)
		}
		got, err := EncryptCredentialIV(vectorKey, tc.typ, "0123456789abcdef", "admin@example.com")
		if err != nil || got != tc.want {
			t.Fatalf("type %s: %s, %v; want %s", tc.typ, got, err, tc.want)
		}
		pt, err := DecryptCredential(vectorKey, tc.typ, tc.want)
		if err != nil || pt != "admin@example.com" {
			t.Fatalf("type %s: decrypt = %q, %v", tc.typ, pt, err)
		}
	}
}

func TestSHA1PRNGLongStream(t *testing.T) {
	t.Parallel()
	// Longer outputs are prefixes of each other, and the 32-byte key starts with the 16-byte one.
	a, b := SHA1PRNG([]byte("seed"), 100), SHA1PRNG([]byte("seed"), 41)
	if string(a[:41]) != string(b) {
		t.Fatal("stream is not prefix-stable")
	}
}

func TestCredentialRoundTrip(t *testing.T) {
	t.Parallel()
	for _, typ := range []EncryptType{EncryptAES128, EncryptAES256, ""} {
		for _, pt := range []string{"", "p", "exactly-16-bytes", "密码-pässwörd"} {
			v, err := EncryptCredential("k", typ, pt)
			if err != nil {
				t.Fatal(err)
			}
			if !alphanumeric(v[:16]) {
				t.Fatalf("IV %q not alphanumeric", v[:16])
			}
			got, err := DecryptCredential("k", typ, v)
			if err != nil || got != pt {
				t.Fatalf("%q -> %q -> %q, %v", pt, v, got, err)
			}
			if _, err := DecryptCredential("other", typ, v); err == nil && pt != "" {
				// A wrong key gives bad padding except with probability ~1/256.
				t.Logf("wrong key decrypted %q without a padding error", pt)
			}
		}
	}
}

func TestCredentialLengthRule(t *testing.T) {
	t.Parallel()
	// 16 + Base64 of 80 bytes = 16 + 108 = 124 fits; 96 bytes would be 16 + 128 = 144.
	if _, err := EncryptCredential("k", EncryptAES256, strings.Repeat("x", 79)); err != nil {
		t.Fatal(err)
	}
	if _, err := EncryptCredential("k", EncryptAES256, strings.Repeat("x", 80)); err == nil {
		t.Fatal("a value over 128 characters was accepted")
	}
}

func TestCredentialRejects(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"", "0123456789abcdef", "0123456789abcdef!!!", "0123456789abcdefAAAA", "0123456789abcdefRaWrfaBD5QErTI4Ga7RHZGOAl9Kjyp/nhOkNG/ut7Z4="} {
		if _, err := DecryptCredential(vectorKey, EncryptAES256, v); err == nil {
			t.Errorf("%q decrypted", v)
		}
	}
	if _, err := EncryptCredentialIV("k", "3", "0123456789abcdef", "x"); err == nil {
		t.Error("encryptType 3 accepted")
	}
	if _, err := EncryptCredentialIV("k", "1", "0123456789abcde!", "x"); err == nil {
		t.Error("non-alphanumeric IV accepted")
	}
}

func readVector(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	s := bufio.NewScanner(f)
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), "="); ok && !strings.HasPrefix(k, "#") {
			m[k] = v
		}
	}
	return m
}

func TestClientSecretJavaVector(t *testing.T) {
	t.Parallel()
	v := readVector(t, "testdata/oaep-java17.txt")
	priv, err := ParseRSAPrivateKey(v["private"])
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecryptClientSecret(priv, v["ciphertext"])
	if err != nil || got != v["plaintext"] {
		t.Fatalf("decrypt = %q, %v", got, err)
	}
	pub, err := ParseRSAPublicKey(v["public"])
	if err != nil {
		t.Fatal(err)
	}
	ct, err := EncryptClientSecret(pub, "round trip")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := DecryptClientSecret(priv, ct); err != nil || got != "round trip" {
		t.Fatalf("round trip = %q, %v", got, err)
	}
	if enc, _ := MarshalRSAPublicKey(pub); enc != v["public"] {
		t.Fatal("public key does not re-encode to the JDK's form")
	}
}
