package store

import (
	"database/sql"
	"sync/atomic"
	"time"
)

// checkpointer copies SQLite's write-ahead log into the database file from a connection of its
// own. SQLite's automatic checkpoint runs inside whichever commit crosses 1000 WAL pages, so a
// writer paid for it at random (a quarter of the throughput of a stream of 1000-record usage
// pushes); here the writer never does. PASSIVE checkpoints never wait for the writer; if the log
// still grows past the limit (a burst of writes while readers hold old snapshots), a TRUNCATE
// checkpoint waits for the writer once, and the log file starts over at zero bytes. The
// connections' journal_size_limit also truncates the file whenever the log restarts, so a burst
// does not leave a large file behind until shutdown.
type checkpointer struct {
	db    *sql.DB
	limit atomic.Int64 // pages
	stop  chan struct{}
	done  chan struct{}
}

const (
	checkpointEvery = 200 * time.Millisecond
	walLimit        = 16384 // pages: 64 MiB of 4 KiB pages
)

func startCheckpointer(dsn string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	c := &checkpointer{db: db, stop: make(chan struct{}), done: make(chan struct{})}
	c.limit.Store(walLimit)
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		var busy, log, done int
		if err := c.db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done); err != nil {
			continue // the next tick tries again; a failed checkpoint loses nothing
		}
		if int64(log) > c.limit.Load() {
			c.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
		}
	}
}

// close stops the checkpointer and leaves the log empty.
func (c *checkpointer) close() {
	if c == nil {
		return
	}
	close(c.stop)
	<-c.done
	c.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	c.db.Close()
}
