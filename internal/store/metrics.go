package store

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// queueCollector reports the job queue's depth when it is scraped: jobs by queue and state,
// counted in the database, so every replica reports the same shared queue.
type queueCollector struct {
	db    *DB
	depth *prometheus.Desc
}

// NewQueueCollector returns a Prometheus collector of the job queue's depth.
func NewQueueCollector(db *DB) prometheus.Collector {
	return &queueCollector{db: db, depth: prometheus.NewDesc("mercato_jobs",
		"Jobs in the queue by queue and state (available, scheduled, retryable, running, ...).", []string{"queue", "state"}, nil)}
}

// Describe implements prometheus.Collector.
func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.depth }

// Collect implements prometheus.Collector. Completed and discarded jobs are left out: they are
// history, kept a day, not depth.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := c.db.read.QueryContext(ctx, `SELECT queue, state, COUNT(*) FROM river_job
		WHERE state NOT IN ('completed', 'discarded', 'cancelled') GROUP BY queue, state`)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.depth, err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var queue, state string
		var n float64
		if err := rows.Scan(&queue, &state, &n); err != nil {
			ch <- prometheus.NewInvalidMetric(c.depth, err)
			return
		}
		ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, n, queue, state)
	}
}
