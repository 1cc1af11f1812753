package server

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/store"
)

// What operators watch: Prometheus metrics at /metrics, readiness at /readyz, an access log.

// httpMetrics counts requests by route pattern (not by path: IDs would explode the series).
type httpMetrics struct {
	requests *prometheus.CounterVec
	seconds  *prometheus.HistogramVec
}

func newHTTPMetrics() *httpMetrics {
	return &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mercato_http_requests_total",
			Help: "HTTP requests by route pattern, method and status."}, []string{"route", "method", "status"}),
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mercato_http_request_seconds",
			Help: "HTTP request latency by route pattern.", Buckets: prometheus.DefBuckets}, []string{"route"}),
	}
}

// registry gathers the server's metrics: the Go runtime's, the process's, each service's, the
// HTTP edge's and the job queue's.
func (s *Server) registry(hm *httpMetrics, jobs *jobMetrics) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		hm.requests, hm.seconds, jobs.wait, jobs.run, store.NewQueueCollector(s.DB))
	reg.MustRegister(s.Calls.Collectors()...)
	reg.MustRegister(s.Metering.Collectors()...)
	reg.MustRegister(s.Licenses.Collectors()...)
	return reg
}

// metricsHandler serves the registry in the Prometheus text format.
func metricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// statusWriter records the status and size of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (flush, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observed wraps the router: one access-log line and the metrics of each request. Health,
// readiness and metrics requests are logged at DEBUG: probes would drown everything else.
func observed(mux *http.ServeMux, hm *httpMetrics, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		mux.ServeHTTP(sw, r)
		route := r.Pattern // set by the mux on the request it routed
		if route == "" {
			route = "unrouted"
		}
		d := time.Since(start)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		hm.requests.WithLabelValues(route, r.Method, strconv.Itoa(sw.status)).Inc()
		hm.seconds.WithLabelValues(route).Observe(d.Seconds())
		level := slog.LevelInfo
		switch r.URL.Path {
		case "/healthz", "/readyz", "/metrics":
			level = slog.LevelDebug
		}
		log.Log(r.Context(), level, "http", "method", r.Method, "path", r.URL.Path, "route", route, "status", sw.status,
			"bytes", sw.bytes, "duration", d, "remote", r.RemoteAddr)
	})
}

// readyz answers 200 when the database answers and the job queue runs, 503 otherwise: a load
// balancer sends traffic only to replicas that can do their work.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	problem := ""
	if err := s.DB.Ping(ctx); err != nil {
		problem = "database: " + err.Error()
	} else if !s.started.Load() {
		problem = "job queue: not started"
	} else if _, err := s.Queue.JobList(ctx, river.NewJobListParams().First(1)); err != nil {
		problem = "job queue: " + err.Error()
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if problem != "" {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("not ready: " + store.Redact(problem, s.Cfg.DB) + "\n"))
		return
	}
	w.Write([]byte("ready\n"))
}

// jobMetrics measures the job queue's work: how long jobs waited for a worker and how long
// they ran, by kind, from River's completion events.
type jobMetrics struct {
	wait, run *prometheus.HistogramVec
}

func newJobMetrics() *jobMetrics {
	buckets := []float64{.005, .01, .05, .1, .5, 1, 5, 30, 120}
	return &jobMetrics{
		wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mercato_job_wait_seconds",
			Help: "Time from when a job was due to when a worker took it, by kind.", Buckets: buckets}, []string{"kind"}),
		run: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mercato_job_run_seconds",
			Help: "Time a job's attempt ran, by kind.", Buckets: buckets}, []string{"kind"}),
	}
}

// follow observes the queue's events until they stop (the queue stopped).
func (m *jobMetrics) follow(q *river.Client[*sql.Tx]) {
	events, cancel := q.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobSnoozed)
	go func() {
		defer cancel()
		for e := range events {
			if e.Job == nil || e.JobStats == nil {
				continue
			}
			m.wait.WithLabelValues(e.Job.Kind).Observe(e.JobStats.QueueWaitDuration.Seconds())
			m.run.WithLabelValues(e.Job.Kind).Observe(e.JobStats.RunDuration.Seconds())
		}
	}()
}
