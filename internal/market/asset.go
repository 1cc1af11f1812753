package market

import (
	"encoding/json"
	"time"
)

// The asset centre (rules §5.2, §6.1–§6.3): a merchant's VM images, container images and
// deployable software packages, each with versions, every version scanned by mercato-scan and
// reviewed before a product may use it.

// AssetKind is what an asset is.
type AssetKind string

// Asset kinds. An image is a VM disk image (qcow2, vmdk, raw) or a container image tarball; a
// package a deployable software package (.zip, .tar, .tar.gz).
const (
	AssetImage   AssetKind = "IMAGE"
	AssetPackage AssetKind = "PACKAGE"
)

// AssetState is where an asset's newest version is in its review.
type AssetState string

// Review states: DRAFT → SUBMITTED (scanning) → APPROVED | REJECTED (with the scan report);
// REJECTED → APPEALED → APPROVED | REJECTED (the operator decides, with a comment).
const (
	AssetDraft     AssetState = "DRAFT"
	AssetSubmitted AssetState = "SUBMITTED"
	AssetApproved  AssetState = "APPROVED"
	AssetRejected  AssetState = "REJECTED"
	AssetAppealed  AssetState = "APPEALED"
)

// Architectures an asset is built for. ARM64 images are Kunpeng images (rules §6.2, §6.3).
const (
	ArchX86   = "x86_64"
	ArchARM64 = "arm64"
)

// Asset is a merchant's image or package. Its review state is its newest version's: a new
// version goes through review again while products go on using ApprovedVersion.
type Asset struct {
	ID          string
	MerchantID  string
	Kind        AssetKind
	Name        string
	Description string
	Arch        string   // ArchX86 or ArchARM64
	Regions     []string // where the asset will be published; ARM64 only in the Kunpeng regions
	State       AssetState
	// Version is the newest version's number (0 before the first one); ApprovedVersion the newest
	// approved version's (0 when none), the one products deploy.
	Version         int
	ApprovedVersion int
	// ScanError is the last failure of the scanner on a SUBMITTED asset (a crash, a timeout, an
	// incomplete scan): the scan is retried, it is not a rejection. ScanAttempts counts them.
	ScanError    string
	ScanAttempts int
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// AssetVersion is one version of an asset: its content (uploaded, or fetched from SourceURL)
// and its review.
type AssetVersion struct {
	AssetID  string
	N        int    // 1, 2, ...
	Label    string // the seller's version name ("1.4.2"), unique per asset
	FileName string // the uploaded file's name; a package's must be NAME.zip/.tar/.tar.gz
	Size     int64
	SHA256   string // lowercase hex, once the content is stored
	Parts    []Part
	// SourceURL is where a version registered by URL is fetched from; FetchError why the last
	// fetch failed for good. Ready is true once the content is stored.
	SourceURL  string
	FetchError string
	Ready      bool
	State      AssetState
	// Report is mercato-scan's JSON report (schema mercato-scan/v1) of the last complete scan.
	Report json.RawMessage
	// Appeal is the seller's reason for appealing a rejection; Comment the operator's decision.
	Appeal      string
	Comment     string
	CreatedBy   string
	CreatedAt   time.Time
	SubmittedAt time.Time
	DecidedAt   time.Time
}

// AssetEvent is one step of an asset's review history.
type AssetEvent struct {
	AssetID string
	N       int
	Version int
	From    AssetState
	To      AssetState
	By      string // a seller user, "operator", or "scanner"
	Comment string
	At      time.Time
}

// AssetUpload is a resumable upload of a new asset version: declared size and SHA-256, the
// bytes received so far (stored as parts) and the running hash's state.
type AssetUpload struct {
	ID         string
	AssetID    string
	MerchantID string
	Label      string
	FileName   string
	Size       int64
	SHA256     string
	Received   int64
	HashState  []byte
	Parts      []Part
	State      UploadState
	Reason     string
	Version    int // the version it became, once DONE
	CreatedBy  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
}
