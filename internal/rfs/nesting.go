package rfs

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// MaxNesting bounds how deeply brackets, braces, parentheses and unary operators may nest in a
// file (and in each JSON string, which hcl parses as a template). hcl's parsers recurse once or
// more per level, and a stack overflow is fatal to the whole process, not an error: a few
// hundred kilobytes of "[" would kill the server. Real templates nest a dozen levels.
const MaxNesting = 200

// nesting returns an error when src nests deeper than MaxNesting. It counts every bracket,
// quoted or not, so it may overestimate; it never underestimates.
func nesting(src []byte) error {
	depth, run := 0, 0
	for _, c := range src {
		switch c {
		case '(', '[', '{':
			depth++
			if depth > MaxNesting {
				return fmt.Errorf("brackets nest deeper than %d levels", MaxNesting)
			}
		case ')', ']', '}':
			depth = max(0, depth-1)
		}
		if c == '!' || c == '-' {
			if run++; run > MaxNesting {
				return fmt.Errorf("more than %d unary operators in a row", MaxNesting)
			}
		} else if c != ' ' && c != '\t' {
			run = 0
		}
	}
	return nil
}

// jsonNesting checks a JSON file: its bytes, then each string as decoded (escapes such as
// \u005b would otherwise hide brackets from the first check).
func jsonNesting(src []byte) error {
	if err := nesting(src); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(src))
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // syntax errors are the parser's to report
		}
		if s, ok := tok.(string); ok {
			if err := nesting([]byte(s)); err != nil {
				return err
			}
		}
	}
}
