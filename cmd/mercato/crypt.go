package main

import (
	"fmt"
	"io"

	"github.com/mercato-oss/mercato/kgp"
)

// cryptAbout explains the cipher once for both directions.
const cryptAbout = `appInfo.userName and appInfo.password travel as IV + Base64(AES-CBC(key, IV, value)), the
AES key derived from the access key with Java's SHA1PRNG (§3.7). --type is the encryptType the
product was released with: 1 = AES-256 (the default), 2 = AES-128.`

// runCrypt dispatches `mercato crypt encrypt|decrypt`.
func runCrypt(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s := stdio{stdin, stdout, stderr}
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprintf(stderr, "usage: mercato crypt encrypt --key K [--type 1|2] [--iv IV] PLAINTEXT\n"+
			"       mercato crypt decrypt --key K [--type 1|2] VALUE\n\n%s\n", cryptAbout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	switch args[0] {
	case "encrypt":
		return cryptRun("crypt encrypt", true, args[1:], s)
	case "decrypt":
		return cryptRun("crypt decrypt", false, args[1:], s)
	}
	fmt.Fprintf(stderr, "mercato crypt: unknown direction %q: want encrypt or decrypt\n", args[0])
	return exitUsage
}

// cryptRun encrypts or decrypts its one argument and prints the result.
func cryptRun(name string, encrypt bool, args []string, s stdio) int {
	synopsis := "--key K [--type 1|2] VALUE"
	if encrypt {
		synopsis = "--key K [--type 1|2] [--iv IV] PLAINTEXT"
	}
	fs := newFlagSet(name, synopsis, cryptAbout, s.err)
	key := fs.String("key", "", "access key (the Key of the product's production interface)")
	typ := fs.String("type", string(kgp.EncryptAES256), "encryptType: 1 = AES-256, 2 = AES-128")
	var iv *string
	if encrypt {
		iv = fs.String("iv", "", "16 alphanumeric characters; random when omitted")
	}
	pos, code, ok := parseCommand(fs, args, 1, "key")
	if !ok {
		return code
	}
	t, err := encryptType(*typ)
	if err != nil {
		return usageError(fs, "%v", err)
	}
	var out string
	switch {
	case !encrypt:
		out, err = kgp.DecryptCredential(*key, t, pos[0])
	case *iv != "":
		out, err = kgp.EncryptCredentialIV(*key, t, *iv, pos[0])
	default:
		out, err = kgp.EncryptCredential(*key, t, pos[0])
	}
	return printResult(s, name, out, err)
}

// encryptType accepts exactly the two documented values. kgp also reads "" as the default, which a
// command line should not: an empty --type is more likely an unset variable than a choice.
func encryptType(v string) (kgp.EncryptType, error) {
	switch t := kgp.EncryptType(v); t {
	case kgp.EncryptAES256, kgp.EncryptAES128:
		return t, nil
	}
	return "", fmt.Errorf("--type %q: want 1 (AES-256) or 2 (AES-128)", v)
}
