package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/cloud"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/server"
	"github.com/mercato-oss/mercato/isdk"
)

// cloudsaveResult is what `bench cloudsave` measures.
type cloudsaveResult struct {
	Engine      string  `json:"engine"`
	Files       int     `json:"files"`
	FileBytes   int64   `json:"file_bytes"`
	Assemblies  int     `json:"assemblies"`
	AsmBytes    int64   `json:"assembly_bytes"`
	Parallel    int     `json:"parallel"`
	TotalMB     float64 `json:"total_mb"`
	SaveMBps    float64 `json:"save_mb_per_sec"`
	CopyMBps    float64 `json:"copy_mb_per_sec"`
	Ratio       float64 `json:"ratio"`
	FilesMBps   float64 `json:"files_save_mb_per_sec"`
	FilesCopy   float64 `json:"files_copy_mb_per_sec"`
	AsmMBps     float64 `json:"assemblies_save_mb_per_sec"`
	AsmCopyMBps float64 `json:"assemblies_copy_mb_per_sec"`
}

func benchCloudSave(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench cloudsave", "[--files N] [--file-kib K] [--assemblies N] [--assembly-mib M] [--parallel P] [--dir DIR] [--db DSN] [--json]",
		"Start the marketplace on this machine and save N files of K KiB and N assemblies of M MiB (folders of 10 parts) through\n"+
			"the client SDK (isdk) as new cloud files: hashing, zipping, HTTP on loopback, SHA-256 verification, blob storage in a\n"+
			"local directory, a version per file. The baseline copies the same bytes, file by file with the same parallelism, to\n"+
			"the same disk in the same run. The content is random, so neither path gains by compressing.", stderr)
	files := fs.Int("files", 1000, "single files to save")
	fileKiB := fs.Int("file-kib", 1024, "size of each single file, KiB")
	asms := fs.Int("assemblies", 20, "assemblies to save")
	asmMiB := fs.Int("assembly-mib", 50, "size of each assembly, MiB")
	parallel := fs.Int("parallel", 4, "saves (and copies) in flight at once")
	dir := fs.String("dir", "", "where sources, copies, the database and the blobs go (default: a temporary directory)")
	dsn := fs.String("db", "", "database (default: SQLite in the directory); PostgreSQL needs an empty schema")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	if _, code, ok := parseCommand(fs, args, 0); !ok {
		return code
	}
	io := stdio{nil, stdout, stderr}
	if *files < 0 || *asms < 0 || *files+*asms == 0 || *fileKiB < 1 || *asmMiB < 1 || *parallel < 1 {
		return fail(io, "bench cloudsave", errors.New("--files and --assemblies must not be negative (nor both 0); sizes and --parallel positive"))
	}
	work, err := os.MkdirTemp(*dir, "mercato-bench-cloud-")
	if err != nil {
		return fail(io, "bench", err)
	}
	defer os.RemoveAll(work)
	if *dsn == "" {
		*dsn = "sqlite:" + filepath.Join(work, "cloud.db")
	}
	b := &cloudBench{work: work, files: *files, fileSize: int64(*fileKiB) << 10, asms: *asms, asmSize: int64(*asmMiB) << 20, parallel: *parallel}
	r, err := b.run(context.Background(), *dsn)
	if err != nil {
		return fail(io, "bench cloudsave", err)
	}
	if *asJSON {
		json.NewEncoder(stdout).Encode(r)
		return exitOK
	}
	fmt.Fprintf(stdout, "cloudsave: %d files of %d KiB and %d assemblies of %d MiB (%.0f MB) saved through the SDK at %.0f MB/s; copying the same bytes on the same disk %.0f MB/s; ratio %.2f (files %.0f vs %.0f MB/s, assemblies %.0f vs %.0f MB/s; %s, %d in flight)\n",
		r.Files, *fileKiB, r.Assemblies, *asmMiB, r.TotalMB, r.SaveMBps, r.CopyMBps, r.Ratio, r.FilesMBps, r.FilesCopy, r.AsmMBps, r.AsmCopyMBps, r.Engine, r.Parallel)
	return exitOK
}

// cloudBench is one run of `bench cloudsave`.
type cloudBench struct {
	work                string
	files, asms         int
	fileSize, asmSize   int64
	parallel            int
	fileSrc, asmSrc     []string // the local files and assembly folders
	fileBytes, asmBytes int64
}

const asmParts = 10

// cloudRounds is how many rounds the runs alternate in.
const cloudRounds = 10

// round returns the r-th of cloudRounds slices of srcs.
func round(srcs []string, r int) []string {
	return srcs[len(srcs)*r/cloudRounds : len(srcs)*(r+1)/cloudRounds]
}

func (b *cloudBench) run(ctx context.Context, dsn string) (*cloudsaveResult, error) {
	if err := b.makeSources(); err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := server.New(ctx, server.Config{DB: dsn, KeyFile: benchKeyFile(), Site: "cn", CallWorkers: 1, OperatorToken: testOperatorToken, Log: log, Out: io.Discard,
		Blob: "file://" + filepath.ToSlash(filepath.Join(b.work, "blobs")) + "?create_dir=1"})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if err := s.Start(ctx); err != nil {
		return nil, err
	}
	token, key, err := seedCloud(ctx, s)
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()

	r := &cloudsaveResult{Engine: string(s.DB.Dialect), Files: b.files, FileBytes: b.fileBytes, Assemblies: b.asms, AsmBytes: b.asmBytes, Parallel: b.parallel}
	r.TotalMB = float64(b.fileBytes+b.asmBytes) / 1e6
	sdk := isdk.New()
	if err := sdk.Init(isdk.Options{Server: "http://" + ln.Addr().String(), Token: token, Instance: key, Workspace: filepath.Join(b.work, "ws"), Version: "1.0"}); err != nil {
		return nil, err
	}
	defer sdk.ShutOut()
	results := newSaveResults(sdk)
	// The two runs alternate in rounds, and which goes first alternates too, so that both meet
	// the same disk: a virtual disk's speed drifts over a minute, and each run's writes are
	// still being flushed while the next begins.
	var fileCopy, fileSave, asmCopy, asmSave time.Duration
	for r := range cloudRounds {
		steps := []struct {
			srcs []string
			do   func(int, string) error
			into *time.Duration
		}{
			{round(b.fileSrc, r), b.copy("files"), &fileCopy},
			{round(b.fileSrc, r), b.save(sdk, results, false), &fileSave},
			{round(b.asmSrc, r), b.copy("assemblies"), &asmCopy},
			{round(b.asmSrc, r), b.save(sdk, results, true), &asmSave},
		}
		if r%2 == 1 {
			steps[0], steps[1], steps[2], steps[3] = steps[1], steps[0], steps[3], steps[2]
		}
		for _, st := range steps {
			d, err := b.timed(st.srcs, st.do)
			if err != nil {
				return nil, err
			}
			*st.into += d
		}
	}
	mb := func(n int64, d time.Duration) float64 { return float64(n) / 1e6 / d.Seconds() }
	r.FilesMBps, r.FilesCopy = mb(b.fileBytes, fileSave), mb(b.fileBytes, fileCopy)
	r.AsmMBps, r.AsmCopyMBps = mb(b.asmBytes, asmSave), mb(b.asmBytes, asmCopy)
	r.SaveMBps, r.CopyMBps = mb(b.fileBytes+b.asmBytes, fileSave+asmSave), mb(b.fileBytes+b.asmBytes, fileCopy+asmCopy)
	r.Ratio = r.SaveMBps / r.CopyMBps
	d, err := s.Cloud.Drive(context.Background(), market.AsOperator(), key)
	if err != nil {
		return nil, err
	}
	if d.Drive.UsedBytes < b.fileBytes+b.asmBytes {
		return nil, fmt.Errorf("the drive holds %d bytes, less than the %d saved", d.Drive.UsedBytes, b.fileBytes+b.asmBytes)
	}
	stop()
	return r, <-served
}

// makeSources writes the single files and the assembly folders, random bytes each.
func (b *cloudBench) makeSources() error {
	rng := rand.NewChaCha8([32]byte{'m', 'e', 'r', 'c', 'a', 't', 'o'})
	write := func(p string, n int64) error {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		if _, err = io.CopyN(f, rng, n); err == nil {
			err = f.Sync() // no write-back of the sources during the measurements
		}
		return errors.Join(err, f.Close())
	}
	for i := range b.files {
		p := filepath.Join(b.work, "src", "files", fmt.Sprintf("part-%05d.prt", i))
		if err := write(p, b.fileSize); err != nil {
			return err
		}
		b.fileSrc, b.fileBytes = append(b.fileSrc, p), b.fileBytes+b.fileSize
	}
	for i := range b.asms {
		name := fmt.Sprintf("Asm%03d", i)
		folder := filepath.Join(b.work, "src", "asm", name)
		for j := range asmParts {
			p := filepath.Join(folder, fmt.Sprintf("part-%02d.prt", j))
			if j == 0 {
				p = filepath.Join(folder, name+".asm")
			}
			if err := write(p, b.asmSize/asmParts); err != nil {
				return err
			}
			b.asmBytes += b.asmSize / asmParts
		}
		b.asmSrc = append(b.asmSrc, folder)
	}
	return nil
}

// timed runs do on every source, b.parallel at once, and returns the elapsed time.
func (b *cloudBench) timed(srcs []string, do func(i int, src string) error) (time.Duration, error) {
	began := time.Now()
	next := make(chan int)
	errs := make(chan error, len(srcs))
	var wg sync.WaitGroup
	for range b.parallel {
		wg.Go(func() {
			for i := range next {
				errs <- do(i, srcs[i])
			}
		})
	}
	for i := range srcs {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return 0, err
		}
	}
	return time.Since(began), nil
}

// copy is the baseline: each source file copied to a file of its own on the same disk.
func (b *cloudBench) copy(kind string) func(int, string) error {
	return func(i int, src string) error {
		return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(b.work, p)
			dst := filepath.Join(b.work, "copy", kind, rel)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			in, err := os.Open(p)
			if err != nil {
				return err
			}
			defer in.Close()
			out, err := os.Create(dst)
			if err != nil {
				return err
			}
			if _, err = io.Copy(out, in); err == nil {
				err = out.Sync() // as durable as a saved version
			}
			return errors.Join(err, out.Close())
		})
	}
}

// save saves a source as a new cloud file through the SDK and waits for its SaveResult.
func (b *cloudBench) save(sdk *isdk.Sdk, results *saveResults, assembly bool) func(int, string) error {
	return func(i int, src string) error {
		cloudPath := "/bench/files/" + filepath.Base(src)
		if assembly {
			cloudPath = "/bench/assemblies/" + filepath.Base(src) + ".zip"
		}
		wait := results.expect(src)
		if err := sdk.SelectSaveAsPath(src, cloudPath, assembly); err != nil {
			return err
		}
		if e := <-wait; e.Params["status"] != isdk.StatusSuccess {
			return fmt.Errorf("saving %s: %s", src, e.Params["reason"])
		}
		return nil
	}
}

// saveResults routes each SaveResult event to the save waiting for it.
type saveResults struct {
	mu      sync.Mutex
	waiting map[string]chan isdk.Event
}

func newSaveResults(sdk *isdk.Sdk) *saveResults {
	r := &saveResults{waiting: map[string]chan isdk.Event{}}
	sdk.RegisterEventRecall(func(e isdk.Event) {
		if e.Operate != isdk.EventSaveResult {
			return
		}
		r.mu.Lock()
		ch := r.waiting[e.ComeBackParams["path"]]
		delete(r.waiting, e.ComeBackParams["path"])
		r.mu.Unlock()
		if ch != nil {
			ch <- e
		}
	})
	return r
}

func (r *saveResults) expect(path string) chan isdk.Event {
	ch := make(chan isdk.Event, 1)
	r.mu.Lock()
	r.waiting[path] = ch
	r.mu.Unlock()
	return ch
}

// seedCloud creates an industrial product whose package keeps data in the cloud, a buyer and
// the buyer's instance; it returns the buyer's token and the instance's key.
func seedCloud(ctx context.Context, s *server.Server) (token, key string, err error) {
	op := market.AsOperator()
	nm, err := s.Catalog.CreateMerchant(ctx, op, catalog.MerchantRequest{Name: "bench", ProductionURL: "https://merchant.bench.example/produce"})
	if err != nil {
		return "", "", err
	}
	if _, err := s.Catalog.CreateProduct(ctx, op, catalog.ProductRequest{MerchantID: nm.Merchant.ID, Name: "bench CAD", Specs: []catalog.SpecRequest{
		{SkuCode: "bench-cad", Name: "CAD", Charging: market.ChargingPeriod, Delivery: market.DeliveryLicense,
			Plans: []catalog.PlanRequest{{ProductID: "OFFIBENCHCAD", Period: market.PeriodMonth, Price: 1000}}}}}); err != nil {
		return "", "", err
	}
	if _, err := s.Cloud.SetPackage(ctx, op, cloud.PackageRequest{SkuCode: "bench-cad", DataInCloud: true, Version: "1.0", QuotaBytes: 1 << 40}); err != nil {
		return "", "", err
	}
	b, token, err := s.Identity.CreateBuyer(ctx, op, identity.BuyerRequest{Name: "bench"})
	if err != nil {
		return "", "", err
	}
	if _, err := s.Billing.TopUp(ctx, op, b.CustomerID, market.MaxAmount, "bench"); err != nil {
		return "", "", err
	}
	o, err := s.Orders.Purchase(ctx, market.AsBuyer(b.CustomerID), order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFIBENCHCAD", PeriodNumber: 1}}})
	if err != nil {
		return "", "", err
	}
	return token, o.Lines[0].ID, nil
}
