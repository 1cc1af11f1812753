package isdk

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/mercato-oss/mercato/isdk/cloudfs"
)

// The management calls (licenses, upgrades), solve jobs, and CheckIn.

// DeviceInfo is a license request's device fingerprint: MAC, disk, mainboard and CPU serials,
// at most 5 KB in all.
type DeviceInfo = cloudfs.Device

// GetLicenseStringRequest asks the marketplace for a license string for this device. The
// marketplace checks the buyer's instance; the result is a LicenseVerify event whose params
// carry the "license" and its "requestId". Verify it (VerifyLicense) and report the outcome with
// LicenseVerifyNotify.
func (s *Sdk) GetLicenseStringRequest(dev DeviceInfo) error {
	return s.requestLicense("", dev)
}

// GetLicenseFileRequest is GetLicenseStringRequest for a license file: the license is written to
// fileName (relative names go under the workspace's "licenses" folder), and the event's params
// carry "licenseFile", its absolute path.
func (s *Sdk) GetLicenseFileRequest(fileName string, dev DeviceInfo) error {
	if fileName == "" {
		return fmt.Errorf("%w: GetLicenseFileRequest needs a file name", ErrInvalid)
	}
	return s.requestLicense(fileName, dev)
}

func (s *Sdk) requestLicense(fileName string, dev DeviceInfo) error {
	if err := dev.Check(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	come := map[string]string{"fileName": fileName}
	return s.begin(false, func(ctx context.Context) {
		body := map[string]any{"kind": "STRING", "device": dev}
		if fileName != "" {
			body["kind"], body["file_name"] = "FILE", filepath.Base(fileName)
		}
		var out struct {
			ID      string `json:"id"`
			License string `json:"license"`
		}
		err := s.api.do(ctx, "POST", s.api.instancePath("/license-requests"), body, &out)
		params := success("requestId", out.ID)
		if err == nil && fileName != "" {
			path := fileName
			if !filepath.IsAbs(path) {
				path = filepath.Join(s.opts.Workspace, "licenses", fileName)
			}
			if err = os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
				err = os.WriteFile(path, []byte(out.License+"\n"), 0o600)
			}
			params["licenseFile"] = path
		}
		params["license"] = out.License
		if err != nil {
			params = failed(reason(err))
		} else {
			s.mu.Lock()
			s.license = out.ID
			s.mu.Unlock()
		}
		s.emit(Event{Operate: EventLicenseVerify, Params: params, ComeBackParams: come})
	})
}

// VerifyLicense checks a license the marketplace issued: its signature (with the marketplace's
// public key, fetched once), that it was issued for dev, and that it has not expired.
func (s *Sdk) VerifyLicense(license string, dev DeviceInfo) (*cloudfs.License, error) {
	var key []byte
	ctx, err := s.live(func() { key = s.licenseK })
	if err != nil {
		return nil, err
	}
	if key == nil {
		var out struct {
			PublicKey string `json:"public_key"`
		}
		if err := s.api.do(ctx, "GET", "/cloud/license-key", nil, &out); err != nil {
			return nil, err
		}
		k, err := base64.StdEncoding.DecodeString(out.PublicKey)
		if err != nil || len(k) != ed25519.PublicKeySize {
			return nil, errors.New("isdk: the marketplace's license key is malformed")
		}
		key = k
		s.mu.Lock()
		s.licenseK = k
		s.mu.Unlock()
	}
	return cloudfs.VerifyLicense(license, key, &dev, time.Now())
}

// LicenseVerifyNotify reports whether the software accepted the license of its last request:
// ok, or the error it met (Sdk::LicenseVerifyNotify). It returns when the marketplace has
// recorded it.
func (s *Sdk) LicenseVerifyNotify(ok bool, errText string) error {
	var id string
	ctx, err := s.live(func() { id = s.license })
	if err != nil {
		return err
	}
	if id == "" {
		return errors.New("isdk: LicenseVerifyNotify follows a license request's LicenseVerify event")
	}
	if ok {
		errText = ""
	}
	return s.api.do(ctx, "POST", "/cloud/license-requests/"+id+"/verify", map[string]any{"ok": ok, "error": errText}, nil)
}

// UpgradeNotify confirms a non-forced upgrade notice (Sdk::UpgradeNotify): ISCDesk upgrades the
// software after it exits. It returns when the marketplace has recorded it.
func (s *Sdk) UpgradeNotify() error {
	var n *noticeInfo
	ctx, err := s.live(func() { n = s.notice })
	if err != nil {
		return err
	}
	switch {
	case n == nil:
		return errors.New("isdk: there is no upgrade notice to confirm")
	case n.Forced:
		return errors.New("isdk: a forced upgrade needs no confirmation")
	}
	return s.api.do(ctx, "POST", s.api.instancePath("/upgrade/confirm"), map[string]string{"version": s.opts.Version}, nil)
}

// GetSolution submits a solve job for a file opened from the cloud, at the version it was
// opened or last saved as. The result is a SolutionResult event with the job's "solutionId" and
// "state".
func (s *Sdk) GetSolution(filePath string) error {
	come := map[string]string{"filePath": filePath}
	return s.begin(true, func(ctx context.Context) {
		s.mu.Lock()
		o := s.opened[key(filePath)]
		s.mu.Unlock()
		var out struct {
			ID    string `json:"id"`
			State string `json:"state"`
		}
		err := errors.New(filePath + " was not opened from the cloud")
		if o != nil {
			err = s.api.do(ctx, "POST", "/cloud/files/"+o.fileID+"/solutions", map[string]int{"version": o.version}, &out)
		}
		params := success("solutionId", out.ID, "state", out.State)
		if err != nil {
			params = failed(reason(err))
		}
		s.emit(Event{Operate: EventSolution, Params: params, ComeBackParams: come})
	})
}

// CheckIn checks in a file opened from the cloud (not one of the §7 calls: ISCDesk's file
// browser does it; here the software may). The file then counts as opened OpenOnly: saving it
// again needs OpenCloudFile with OpenAndCheckout. The result is a CheckInResult event.
func (s *Sdk) CheckIn(path string) error {
	come := map[string]string{"path": path}
	return s.begin(true, func(ctx context.Context) {
		release := s.hold(key(path)) // not while a save of it uploads
		defer release()
		s.mu.Lock()
		o := s.opened[key(path)]
		s.mu.Unlock()
		err := errors.New(path + " was not opened from the cloud")
		if o != nil {
			_, err = s.api.fileAction(ctx, o.fileID, "checkin")
		}
		params := success()
		if err != nil {
			params = failed(reason(err))
		} else {
			s.mu.Lock()
			o.openType, o.workState = OpenOnly, CheckIn
			s.mu.Unlock()
		}
		s.emit(Event{Operate: EventCheckIn, Params: params, ComeBackParams: come})
	})
}
