package policy

import (
	"strings"
	"testing"
	"testing/fstest"
)

// debianDefault is Debian 12's common-password without libpam-pwquality.
const debianDefault = `# here are the per-package modules (the "Primary" block)
password	[success=1 default=ignore]	pam_unix.so obscure yescrypt
password	requisite			pam_deny.so
password	required			pam_permit.so
`

const withPwquality = `password	requisite			pam_pwquality.so retry=3
password	[success=1 default=ignore]	pam_unix.so obscure use_authtok try_first_pass yescrypt
password	requisite			pam_deny.so
`

func image(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for k, v := range files {
		m[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return m
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	passwdSvc := "@include common-password\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of problem evidence, in order
	}{
		{"no pam", map[string]string{}, []string{"no PAM password stack"}},
		{"debian default", map[string]string{"etc/pam.d/passwd": passwdSvc, "etc/pam.d/common-password": debianDefault},
			[]string{"no pam_pwquality or pam_cracklib"}},
		{"pwquality defaults need classes", map[string]string{"etc/pam.d/passwd": passwdSvc, "etc/pam.d/common-password": withPwquality},
			[]string{"requires 0 character classes"}},
		{"pwquality minclass=2", map[string]string{"etc/pam.d/passwd": passwdSvc, "etc/pam.d/common-password": withPwquality,
			"etc/security/pwquality.conf": "# minlen = 8\nminclass = 2\n"}, nil},
		{"pwquality.conf.d overrides", map[string]string{"etc/pam.d/passwd": passwdSvc, "etc/pam.d/common-password": withPwquality,
			"etc/security/pwquality.conf": "minclass = 2\n", "etc/security/pwquality.conf.d/50-weak.conf": "minlen=6\nusercheck=0\n"},
			[]string{"accepts 6-character", "does not reject the user name"}},
		{"args override conf", map[string]string{"etc/pam.d/common-password": strings.Replace(withPwquality, "retry=3", "retry=3 minlen=12 dcredit=-1 ucredit=-1", 1),
			"etc/security/pwquality.conf": "minlen = 6\n"}, nil},
		{"positive credits shorten", map[string]string{"etc/pam.d/common-password": strings.Replace(withPwquality, "retry=3", "minlen=9 dcredit=2 minclass=3", 1)},
			[]string{"accepts 7-character"}},
		{"not enforcing", map[string]string{"etc/pam.d/common-password": strings.Replace(withPwquality, "retry=3", "minclass=2 enforcing=0", 1)},
			[]string{"enforcing=0"}},
		{"cracklib defaults", map[string]string{"etc/pam.d/system-auth": "password requisite pam_cracklib.so try_first_pass retry=3\n"},
			[]string{"accepts 5-character", "requires 0 character", "does not reject"}},
		{"cracklib strict", map[string]string{"etc/pam.d/system-auth": "-password requisite /lib64/security/pam_cracklib.so minlen=8 dcredit=-1 lcredit=-1 ucredit=0 ocredit=0 reject_username\n"}, nil},
		{"login.defs short", map[string]string{"etc/login.defs": "PASS_MIN_LEN\t5\n", "etc/pam.d/common-password": withPwquality,
			"etc/security/pwquality.conf": "minclass=2"}, []string{"PASS_MIN_LEN 5"}},
		{"include loop", map[string]string{"etc/pam.d/passwd": "@include passwd\npassword include passwd\n"}, []string{"no pam_pwquality"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			probs := Evaluate(image(tt.files))
			if len(probs) != len(tt.want) {
				t.Fatalf("got %d problems %+v, want %v", len(probs), probs, tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(probs[i].Evidence, w) {
					t.Errorf("problem %d: %q does not contain %q", i, probs[i].Evidence, w)
				}
			}
		})
	}
}

func TestParsePAM(t *testing.T) {
	t.Parallel()
	ls := ParsePAM([]byte("password [success=1 default=ignore]  pam_unix.so obscure \\\n sha512 # c\n-password optional pam_gnome_keyring.so\n@include common-auth\n"))
	if len(ls) != 3 {
		t.Fatalf("got %+v", ls)
	}
	if ls[0].Control != "[success=1 default=ignore]" || ls[0].Module != "pam_unix.so" || len(ls[0].Args) != 2 {
		t.Errorf("line 0: %+v", ls[0])
	}
	if !ls[1].Optional || ls[1].Type != "password" {
		t.Errorf("line 1: %+v", ls[1])
	}
	if ls[2].Control != "include" || ls[2].Module != "common-auth" {
		t.Errorf("line 2: %+v", ls[2])
	}
}

func FuzzParsePAM(f *testing.F) {
	f.Add([]byte(withPwquality))
	f.Add([]byte("password [a=b [c] pam_x.so\\\n@include"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, l := range ParsePAM(data) {
			if l.Module == "" {
				t.Fatalf("empty module: %+v", l)
			}
		}
		_ = Evaluate(image(map[string]string{"etc/pam.d/passwd": string(data), "etc/security/pwquality.conf": string(data)}))
	})
}

func FuzzParseKeyValues(f *testing.F) {
	f.Add([]byte("PASS_MIN_LEN 8\nminlen = 9\n# x\n=\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for k := range ParseKeyValues(data) {
			if k == "" || strings.ContainsAny(k, "\n") {
				t.Fatalf("bad key %q", k)
			}
		}
	})
}
