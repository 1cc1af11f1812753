package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestDemo runs the README's main command end to end: marketplace, SDK merchant, whole story.
func TestDemo(t *testing.T) {
	t.Parallel()
	for _, gen := range []string{"1", "2"} {
		t.Run("generation"+gen, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			if code := run([]string{"demo", "--generation", gen}, nil, &out, &errb); code != exitOK {
				t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
			}
			if got := strings.Count(out.String(), "] ok "); got != 12 || !strings.Contains(out.String(), "demo passed") {
				t.Fatalf("%d steps passed:\n%s", got, out.String())
			}
		})
	}
}

func TestDemoFlags(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if code := run([]string{"demo", "--merchant-url", "http://x"}, nil, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "--key") {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if code := run([]string{"demo", "--generation", "3"}, nil, &out, &errb); code != exitUsage {
		t.Fatalf("exit %d", code)
	}
}
