package main

import (
	"strings"
	"testing"
)

// The credential-cipher vectors of §3.7 (Java 17 and an independent Python implementation agree).
const (
	cryptPlain  = "admin@example.com"
	cryptIV     = "0123456789abcdef"
	cryptAES128 = "0123456789abcdefRaWrfaBD5QErTI4Ga7RHZGOAl9Kjyp/nhOkNG/ut7Z4="
	cryptAES256 = "0123456789abcdeft1kgY3d9sCM0azHpJlAm0O+dZoNryNMXCfEQUqu54rU="
)

// TestCryptGolden checks both directions against the spec's vectors.
func TestCryptGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"encrypt aes128", []string{"crypt", "encrypt", "--key", vectorKey, "--type", "2", "--iv", cryptIV, cryptPlain}, cryptAES128},
		{"encrypt aes256", []string{"crypt", "encrypt", "--key", vectorKey, "--type", "1", "--iv", cryptIV, cryptPlain}, cryptAES256},
		{"encrypt default type is aes256", []string{"crypt", "encrypt", "--key", vectorKey, "--iv", cryptIV, cryptPlain}, cryptAES256},
		{"decrypt aes128", []string{"crypt", "decrypt", "--key", vectorKey, "--type", "2", cryptAES128}, cryptPlain},
		{"decrypt aes256", []string{"crypt", "decrypt", "--key", vectorKey, "--type", "1", cryptAES256}, cryptPlain},
		{"decrypt flags last", []string{"crypt", "decrypt", cryptAES256, "--key", vectorKey}, cryptPlain},
		{"plaintext after --", []string{"crypt", "encrypt", "--key", vectorKey, "--iv", cryptIV, "--", cryptPlain}, cryptAES256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := cli(t, "", tt.args...)
			if code != exitOK || out != tt.want+"\n" || errOut != "" {
				t.Errorf("exit %d\nstdout %q (want %q)\nstderr %q", code, out, tt.want+"\n", errOut)
			}
		})
	}
}

// TestCryptRandomIV checks that encrypting without --iv yields a fresh alphanumeric IV and a value
// that decrypts back.
func TestCryptRandomIV(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{"1", "2"} {
		t.Run("type "+typ, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := cli(t, "", "crypt", "encrypt", "--key", vectorKey, "--type", typ, cryptPlain)
			value := strings.TrimSuffix(out, "\n")
			if code != exitOK || len(value) < 16 || strings.Trim(value[:16], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			code, out, errOut = cli(t, "", "crypt", "decrypt", "--key", vectorKey, "--type", typ, value)
			if code != exitOK || out != cryptPlain+"\n" {
				t.Errorf("decrypt: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
		})
	}
}

// TestCryptErrors checks that command-line mistakes exit 2 and bad values exit 1, each with a
// message on stderr and nothing on stdout.
func TestCryptErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no direction", []string{"crypt"}, exitUsage, "usage: mercato crypt"},
		{"unknown direction", []string{"crypt", "rot13"}, exitUsage, `unknown direction "rot13"`},
		{"encrypt missing key", []string{"crypt", "encrypt", cryptPlain}, exitUsage, "missing required --key"},
		{"decrypt missing key", []string{"crypt", "decrypt", cryptAES256}, exitUsage, "missing required --key"},
		{"bad type", []string{"crypt", "encrypt", "--key", vectorKey, "--type", "3", cryptPlain}, exitUsage, `--type "3"`},
		{"empty type", []string{"crypt", "encrypt", "--key", vectorKey, "--type", "", cryptPlain}, exitUsage, "--type"},
		{"no plaintext", []string{"crypt", "encrypt", "--key", vectorKey}, exitUsage, "want 1 argument"},
		{"two values", []string{"crypt", "decrypt", "--key", vectorKey, cryptAES256, cryptAES128}, exitUsage, "want 1 argument"},
		{"iv when decrypting", []string{"crypt", "decrypt", "--key", vectorKey, "--iv", cryptIV, cryptAES256}, exitUsage, "not defined"},
		{"bad iv", []string{"crypt", "encrypt", "--key", vectorKey, "--iv", "short", cryptPlain}, exitFail, "mercato crypt encrypt:"},
		{"too long", []string{"crypt", "encrypt", "--key", vectorKey, strings.Repeat("x", 100)}, exitFail, "mercato crypt encrypt:"},
		{"value too short", []string{"crypt", "decrypt", "--key", vectorKey, "0123456789"}, exitFail, "mercato crypt decrypt:"},
		{"wrong type", []string{"crypt", "decrypt", "--key", vectorKey, "--type", "2", cryptAES256}, exitFail, "mercato crypt decrypt:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := cli(t, "", tt.args...)
			if code != tt.code || out != "" || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d (want %d)\nstdout %q (want none)\nstderr %q (want %q)", code, tt.code, out, errOut, tt.stderr)
			}
		})
	}
}
