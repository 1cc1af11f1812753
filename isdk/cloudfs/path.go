// Package cloudfs holds the conventions of the industrial-software cloud drive that the client
// SDK (isdk) and the marketplace must agree on: what a cloud path may be, and how an assembly
// travels (the zip of its folder). Both sides check with the same code, so a name the SDK accepts
// is one the marketplace stores, and an assembly the marketplace stores is one the SDK unpacks.
//
// It imports only the standard library.
package cloudfs

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a broken rule: a bad name, an assembly that does not follow the folder rule, a zip
// that could not be unpacked safely. Its message is fit to show the engineer.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// IsRule reports whether err is a broken rule (rather than an I/O failure).
func IsRule(err error) bool {
	_, ok := errors.AsType[*Error](err)
	return ok
}

// Limits of names. Cloud files are opened on Windows desktops, so a name must be one Windows can
// create too: the drive refuses what a Windows engineer could not open.
const (
	MaxPath = 1024 // bytes of a whole cloud path
	MaxName = 255  // bytes of one segment
	// MaxDepth bounds folder nesting.
	MaxDepth = 32
)

// reserved are the device names Windows will not create as files, with or without extension.
var reserved = map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true}

// CheckName validates one path segment: a file or folder name.
func CheckName(name string) error {
	switch {
	case name == "":
		return errorf("empty name")
	case name == "." || name == "..":
		return errorf("name %q is not allowed (no relative segments)", name)
	case len(name) > MaxName:
		return errorf("name %.40q… is longer than %d bytes", name, MaxName)
	case !utf8.ValidString(name):
		return errorf("name %q is not valid UTF-8", name)
	case strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") || strings.HasPrefix(name, " "):
		return errorf("name %q starts with a space or ends with a dot or space", name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) {
			return errorf("name %q contains %q, which is not allowed", name, r)
		}
	}
	stem, _, _ := strings.Cut(name, ".")
	if reserved[strings.ToUpper(strings.TrimRight(stem, " "))] {
		return errorf("name %q is a reserved device name", name)
	}
	return nil
}

// CleanPath validates a cloud path and returns it in canonical form: absolute, "/"-separated,
// no empty, "." or ".." segments, no trailing slash. "/" (the root) is refused: it names no file.
// Nothing is resolved: a path that needs resolving is refused, so that no name can climb out of
// its instance's drive.
func CleanPath(p string) (string, error) {
	if len(p) > MaxPath {
		return "", errorf("path is longer than %d bytes", MaxPath)
	}
	if !strings.HasPrefix(p, "/") {
		return "", errorf("path %q must start with /", p)
	}
	segs := strings.Split(p[1:], "/")
	if len(segs) > MaxDepth {
		return "", errorf("path %q is nested deeper than %d", p, MaxDepth)
	}
	for _, s := range segs {
		if err := CheckName(s); err != nil {
			return "", errorf("path %q: %v", p, err)
		}
	}
	return p, nil
}

// Split returns a clean path's folder ("/" for a top-level name) and last segment.
func Split(p string) (folder, name string) {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/", p[i+1:]
	}
	return p[:i], p[i+1:]
}

// Fold is the key two paths collide on: Windows file systems ignore case, so "/A.prt" and
// "/a.prt" cannot live side by side on the engineer's disk, and the drive refuses the second.
func Fold(p string) string { return strings.ToLower(p) }

// Folders lists the folders above a clean path, outermost first ("/a/b/c" → "/a", "/a/b").
func Folders(p string) []string {
	var out []string
	for i := 1; i < len(p); i++ {
		if p[i] == '/' {
			out = append(out, p[:i])
		}
	}
	return out
}
