package sdk

import (
	"fmt"

	"github.com/mercato-oss/mercato/kgp"
)

// appInfo credentials are sealed (encrypted with the access key, as KooGallery wants them) as
// soon as NewInstance returns them: the state directory then holds no plaintext password, and a
// credential too long for KooGallery's 128 characters fails the attempt at once instead of
// failing every queryInstance later.

// seal encrypts the credentials of a plaintext appInfo and checks every field rule.
func (h *Handler) seal(plain *kgp.AppInfo) (*kgp.AppInfo, error) {
	if plain == nil {
		return nil, nil
	}
	sealed := *plain
	for _, f := range []struct {
		name string
		v    *string
	}{{"userName", &sealed.UserName}, {"password", &sealed.Password}} {
		if *f.v == "" {
			continue
		}
		enc, err := kgp.EncryptCredential(h.cfg.Key, h.cfg.EncryptType, *f.v)
		if err != nil {
			return nil, fmt.Errorf("sdk: appInfo.%s: %w", f.name, err)
		}
		*f.v = enc
	}
	if _, err := kgp.EncodeResponse(&kgp.Response{ResultCode: kgp.ResultSuccess, AppInfo: &sealed}); err != nil {
		return nil, fmt.Errorf("sdk: appInfo: %w", err)
	}
	return &sealed, nil
}

// present returns a stored appInfo in the configured encryption. Values sealed under another
// encryptType (the product's setting changed) are re-encrypted.
func (h *Handler) present(sealed *kgp.AppInfo, et kgp.EncryptType) (*kgp.AppInfo, kgp.EncryptType) {
	if sealed == nil {
		return nil, ""
	}
	if et == h.cfg.EncryptType || (sealed.UserName == "" && sealed.Password == "") {
		return sealed, h.cfg.EncryptType
	}
	plain, err := h.open(sealed, et)
	if err == nil {
		var again *kgp.AppInfo
		if again, err = h.seal(plain); err == nil {
			return again, h.cfg.EncryptType
		}
	}
	h.log.Error("stored appInfo cannot be re-encrypted; answering without it", "err", err)
	return nil, ""
}

// open decrypts the credentials of a sealed appInfo.
func (h *Handler) open(sealed *kgp.AppInfo, et kgp.EncryptType) (*kgp.AppInfo, error) {
	plain := *sealed
	for _, v := range []*string{&plain.UserName, &plain.Password} {
		if *v == "" {
			continue
		}
		dec, err := kgp.DecryptCredential(h.cfg.Key, et, *v)
		if err != nil {
			return nil, err
		}
		*v = dec
	}
	return &plain, nil
}

// opened returns a copy of in with its appInfo decrypted, for the merchant's eyes.
func (h *Handler) opened(in *Instance) *Instance {
	out := *in
	if in.AppInfo != nil {
		plain, err := h.open(in.AppInfo, in.EncryptType)
		if err != nil {
			h.log.Error("stored appInfo cannot be decrypted", "instance", in.ID, "err", err)
			plain = nil
		}
		out.AppInfo = plain
	}
	return &out
}
