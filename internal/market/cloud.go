package market

import "time"

// The industrial-software cloud (rules §7): a package's fields per spec, each instance's cloud
// drive of versioned files with check-out locks, uploads, license requests, solve jobs.

// IndustrialPackage is what the seller declares about the software package of a spec.
type IndustrialPackage struct {
	SkuCode    string
	ProductID  string // the catalog product the spec belongs to
	MerchantID string
	// DataInCloud (数据在云) enables the cloud drive and the SDK's data calls.
	DataInCloud bool
	// Version is the package's current version; clients on another version are told to upgrade.
	Version string
	// ForcedUpgrade makes every upgrade notice forced; ForcedVersions forces it only for the
	// clients on those old versions.
	ForcedUpgrade  bool
	ForcedVersions []string
	TrialSupported bool
	TrialDays      int // 3–180 when TrialSupported
	InstallMode    InstallMode
	// QuotaBytes bounds each instance's drive; 0 takes the marketplace's default.
	QuotaBytes int64
	Notes      string // release notes shown with an upgrade notice
	UpdatedAt  time.Time
}

// InstallMode is how the client installs the package.
type InstallMode string

// Install modes: silent (the installer runs without questions and tolerates a re-install after
// an interruption) or interactive.
const (
	InstallSilent      InstallMode = "SILENT"
	InstallInteractive InstallMode = "INTERACTIVE"
)

// FileKind is what a drive entry is.
type FileKind string

// Drive entry kinds. An assembly is stored as the zip of its folder (isdk/cloudfs).
const (
	KindFolder   FileKind = "FOLDER"
	KindFile     FileKind = "FILE"
	KindAssembly FileKind = "ASSEMBLY"
)

// WorkState is a file's lock state as ISCDesk reports it.
type WorkState string

// Work states.
const (
	CheckedIn  WorkState = "CHECKIN"
	CheckedOut WorkState = "CHECKOUT"
)

// CloudFile is an entry of an instance's drive: a folder, a file or an assembly, with its current
// version and its check-out lock.
type CloudFile struct {
	ID          string
	InstanceKey string
	Path        string // "/designs/Gearbox.zip"
	Kind        FileKind
	Version     int // current version; 0 for a folder
	Size        int64
	SHA256      string // of the current version, lowercase hex
	// CheckedOutBy is the user holding the exclusive check-out, "" when checked in.
	CheckedOutBy string
	CheckedOutAt time.Time
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// State is the file's work state.
func (f *CloudFile) State() WorkState {
	if f.CheckedOutBy != "" {
		return CheckedOut
	}
	return CheckedIn
}

// Part is one stored piece of a version's content, in order.
type Part struct {
	Key  string `json:"k"`
	Size int64  `json:"n"`
}

// CloudVersion is one saved version of a file: every save adds one, and a restore adds one
// with an older version's content (sharing its stored parts).
type CloudVersion struct {
	FileID       string
	Version      int
	Size         int64
	SHA256       string
	Parts        []Part
	Author       string
	RestoredFrom int // the version restored, 0 for a save
	CreatedAt    time.Time
}

// UploadState is where an upload is.
type UploadState string

// Upload states.
const (
	UploadOpen     UploadState = "OPEN"
	UploadDone     UploadState = "DONE"
	UploadRejected UploadState = "REJECTED" // verification failed; its content was deleted
	UploadAborted  UploadState = "ABORTED"
	UploadExpired  UploadState = "EXPIRED"
)

// Upload is a resumable upload of a new version: declared size and SHA-256, the bytes received
// so far (stored as parts) and the running hash's state.
type Upload struct {
	ID          string
	InstanceKey string
	BuyerID     string
	UserID      string
	Path        string
	Kind        FileKind
	// FileID is the file a save adds a version to; "" for a save-as to a new path.
	FileID string
	// BaseVersion is the version the client's content derives from (0: no check).
	BaseVersion int
	Size        int64
	SHA256      string
	Received    int64
	HashState   []byte
	Parts       []Part
	State       UploadState
	Reason      string // why it was rejected
	Version     int    // the version it became, once done
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// Drive is an instance's drive: its quota and what it uses. Reserved counts the declared sizes
// of open uploads, so that concurrent uploads cannot together exceed the quota.
type Drive struct {
	InstanceKey string
	UsedBytes   int64
	Reserved    int64
	QuotaBytes  int64
}

// DeviceInfo is a license request's device fingerprint.
type DeviceInfo struct {
	MAC       string `json:"mac"`
	Disk      string `json:"disk"`
	Mainboard string `json:"mainboard"`
	CPU       string `json:"cpu"`
}

// LicenseRequest is a client's request for a license file or string, with the signed license it
// was issued and what the software reported after verifying it.
type LicenseRequest struct {
	ID           string
	InstanceKey  string
	BuyerID      string
	UserID       string
	Kind         string // FILE or STRING
	FileName     string
	DeviceSHA256 string
	License      string // the signed license issued
	IssuedAt     time.Time
	ExpireAt     time.Time
	VerifiedAt   time.Time
	VerifyOK     bool
	VerifyError  string
}

// Solution is a solve job submitted from the SDK (GetSolution).
type Solution struct {
	ID          string
	InstanceKey string
	FileID      string
	Version     int
	UserID      string
	State       string // SUBMITTED, then RECORDED by the stub solver
	Result      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// UpgradeNotice tells a client on CurrentVersion about the package's LatestVersion.
type UpgradeNotice struct {
	CurrentVersion string
	LatestVersion  string
	Upgrade        bool
	Forced         bool
	InstallMode    InstallMode
	Notes          string
}
