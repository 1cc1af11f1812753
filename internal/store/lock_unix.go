//go:build unix

package store

import (
	"fmt"
	"os"
	"syscall"
)

// lockFile takes an exclusive lock beside a SQLite database, so that a second process on the same
// file fails at once: SQLite mode is one process, and that process may treat every job it finds
// running at start as orphaned by a crash (RecoverOrphans).
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("store: %s is in use by another mercato process (use PostgreSQL for several)", path)
	}
	return f, nil
}
