package shadow

import "testing"

const passwd = `root:x:0:0:root:/root:/bin/bash
noshadow:x:1002:1002::/home/noshadow:/bin/bash
nopass::1003:1003::/home/nopass:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
legacy:$1$sd1PdwFt$eYUFlmKw/jQtL32IS1Z5J.:1001:1001::/home/legacy:/bin/sh
# comment
+nisuser::::::
alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash
svc:x:999:999::/:/usr/sbin/nologin
`

const shadowFile = `root:!:19000:0:99999:7:::
daemon:*:19000:0:99999:7:::
alice:$y$j9T$HTCIZC6mLczEdmi1g36ap.$jBzm8Wur8kSSm1vql5Zlb3yi1Na5acm1zN872C.nSIA:19000:0:99999:7:::
svc:$6$abc$def:19000::::::
ghost::19000::::::
legacy:*:19000::::::
`

func TestParse(t *testing.T) {
	t.Parallel()
	accts := Parse([]byte(passwd), []byte(shadowFile))
	got := map[string]Account{}
	for _, a := range accts {
		got[a.Name] = a
	}
	tests := []struct {
		name    string
		state   State
		capable bool
		line    int
	}{
		{"root", Locked, true, 1},
		{"daemon", Locked, false, 2},
		{"alice", Set, true, 3},
		{"svc", Set, false, 4},
		{"ghost", Empty, false, 5},
		{"noshadow", Locked, true, 2},
		{"nopass", Empty, true, 3},
		{"legacy", Set, true, 5},
	}
	for _, tt := range tests {
		a, ok := got[tt.name]
		if !ok {
			t.Errorf("%s missing", tt.name)
			continue
		}
		if a.PasswordState() != tt.state || a.LoginCapable() != tt.capable || a.Line != tt.line {
			t.Errorf("%s: state %v capable %v line %d, want %v %v %d", tt.name, a.PasswordState(), a.LoginCapable(), a.Line, tt.state, tt.capable, tt.line)
		}
	}
	if got["legacy"].InPasswd != true {
		t.Error("legacy hash should come from passwd")
	}
	if _, ok := got["+nisuser"]; ok {
		t.Error("NIS line parsed as an account")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(passwd), []byte(shadowFile))
	f.Add([]byte("a:b"), []byte(":::\n\r\n#"))
	f.Fuzz(func(t *testing.T, p, s []byte) {
		for _, a := range Parse(p, s) {
			if a.Name == "" {
				t.Fatal("empty account name")
			}
			_ = a.PasswordState()
			_ = a.LoginCapable()
		}
	})
}

func FuzzVerifier(f *testing.F) {
	for _, g := range golden {
		f.Add(g.hash, "Secret#42")
	}
	f.Add("$y$jZZ$$", "x")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		if len(hash) > 200 || len(pw) > 64 {
			return
		}
		if Scheme(hash) == "bcrypt" || Scheme(hash) == "yescrypt" {
			return // cost parameters in the input would make one iteration take minutes
		}
		v, err := NewVerifier(hash)
		if err != nil {
			return
		}
		_ = v.Match(pw)
	})
}
