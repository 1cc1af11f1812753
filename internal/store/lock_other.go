//go:build !unix

package store

import "os"

// lockFile is a no-op where flock does not exist; run one process per SQLite file.
func lockFile(path string) (*os.File, error) { return nil, nil }
