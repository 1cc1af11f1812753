// Command capi is the C ABI of the industrial-software cloud SDK (isdk), built as a shared
// library for desktop programs written in C or C++:
//
//	go build -buildmode=c-shared -o libisdk.so ./isdk/capi
//
// The public functions and types are those of isdk.h; shim.c defines them over the Go exports
// below (isdkgo_*). A C program links one SDK per process, as Huawei's Sdk:: calls are static:
// the library's state is therefore process-wide (sdk, lastErr), the one place in the project
// where package-level state is the design rather than a shortcut.
package main

/*
#include <stdlib.h>
#include "isdk.h"

void isdkc_call_event(isdk_event_cb cb, const char *json, void *user_data);
long isdkc_call_deps(isdk_dependency_cb cb, const char *main_file, char *buf, size_t len, void *user_data);
*/
import "C"

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/mercato-oss/mercato/isdk"
)

var (
	sdk     = isdk.New()
	errMu   sync.Mutex
	lastErr string
)

func main() {}

// result records err as the last error and maps it to a return code.
func result(err error) C.int {
	if err == nil {
		return C.ISDK_OK
	}
	errMu.Lock()
	lastErr = err.Error()
	errMu.Unlock()
	switch {
	case errors.Is(err, isdk.ErrNotInitialized):
		return C.ISDK_ERR_NOT_INITIALIZED
	case errors.Is(err, isdk.ErrInitialized):
		return C.ISDK_ERR_INITIALIZED
	case errors.Is(err, isdk.ErrInCallback):
		return C.ISDK_ERR_IN_CALLBACK
	case errors.Is(err, isdk.ErrNoDataInCloud):
		return C.ISDK_ERR_NO_DATA_IN_CLOUD
	case errors.Is(err, isdk.ErrInvalid):
		return C.ISDK_ERR_INVALID
	}
	return C.ISDK_ERR_FAILED
}

func str(s *C.char) string {
	if s == nil {
		return ""
	}
	return C.GoString(s)
}

//export isdkgo_init
func isdkgo_init(cfg *C.isdk_config) C.int {
	if cfg == nil {
		return result(fmt.Errorf("%w: isdk_init needs a configuration", isdk.ErrInvalid))
	}
	opts := isdk.Options{Server: str(cfg.server), Token: str(cfg.token), Instance: str(cfg.instance), Workspace: str(cfg.workspace),
		Version: str(cfg.version), CompressAssemblies: cfg.compress_assemblies != 0, ChunkSize: int64(cfg.chunk_size),
		Heartbeat: time.Duration(cfg.heartbeat_ms) * time.Millisecond}
	if cb, ud := cfg.dependencies, cfg.dependencies_user_data; cb != nil {
		opts.Dependencies = func(main string) ([]string, error) { return dependencies(cb, ud, main) }
	}
	return result(sdk.Init(opts))
}

// dependencies asks the program's callback for an assembly's dependencies.
func dependencies(cb C.isdk_dependency_cb, ud unsafe.Pointer, main string) ([]string, error) {
	cmain := C.CString(main)
	defer C.free(unsafe.Pointer(cmain))
	size := C.size_t(4096)
	for range 4 {
		buf := (*C.char)(C.malloc(size))
		n := C.isdkc_call_deps(cb, cmain, buf, size, ud)
		if n < 0 {
			C.free(unsafe.Pointer(buf))
			return nil, errors.New("the program could not list the assembly's dependencies")
		}
		if C.size_t(n) < size {
			list := C.GoStringN(buf, C.int(n))
			C.free(unsafe.Pointer(buf))
			return strings.FieldsFunc(list, func(r rune) bool { return r == '\n' || r == '\r' }), nil
		}
		C.free(unsafe.Pointer(buf))
		size = C.size_t(n) + 1
	}
	return nil, errors.New("the dependency callback's list kept growing")
}

//export isdkgo_register_event_recall
func isdkgo_register_event_recall(cb C.isdk_event_cb, ud unsafe.Pointer) C.int {
	if cb == nil {
		return result(sdk.RegisterEventRecall(nil))
	}
	return result(sdk.RegisterEventRecall(func(e isdk.Event) {
		js := C.CString(e.JSON())
		defer C.free(unsafe.Pointer(js))
		C.isdkc_call_event(cb, js, ud)
	}))
}

//export isdkgo_shut_out
func isdkgo_shut_out() C.int { return result(sdk.ShutOut()) }

//export isdkgo_open_cloud_file
func isdkgo_open_cloud_file(cloudPath, openType *C.char) C.int {
	return result(sdk.OpenCloudFile(str(cloudPath), isdk.OpenType(str(openType))))
}

//export isdkgo_save
func isdkgo_save(path *C.char, isAssembly C.int) C.int {
	return result(sdk.Save(str(path), isAssembly != 0))
}

//export isdkgo_select_save_as_path
func isdkgo_select_save_as_path(path, cloudPath *C.char, isAssembly C.int) C.int {
	return result(sdk.SelectSaveAsPath(str(path), str(cloudPath), isAssembly != 0))
}

//export isdkgo_check_in
func isdkgo_check_in(path *C.char) C.int { return result(sdk.CheckIn(str(path))) }

//export isdkgo_uploading
func isdkgo_uploading(path *C.char) C.int {
	if sdk.Uploading(str(path)) {
		return 1
	}
	return 0
}

//export isdkgo_get_solution
func isdkgo_get_solution(path *C.char) C.int { return result(sdk.GetSolution(str(path))) }

func device(d *C.isdk_device_info) isdk.DeviceInfo {
	if d == nil {
		return isdk.DeviceInfo{}
	}
	return isdk.DeviceInfo{MAC: str(d.mac), Disk: str(d.disk), Mainboard: str(d.mainboard), CPU: str(d.cpu)}
}

//export isdkgo_get_license_file_request
func isdkgo_get_license_file_request(fileName *C.char, d *C.isdk_device_info) C.int {
	return result(sdk.GetLicenseFileRequest(str(fileName), device(d)))
}

//export isdkgo_get_license_string_request
func isdkgo_get_license_string_request(d *C.isdk_device_info) C.int {
	return result(sdk.GetLicenseStringRequest(device(d)))
}

//export isdkgo_verify_license
func isdkgo_verify_license(license *C.char, d *C.isdk_device_info) C.int {
	_, err := sdk.VerifyLicense(str(license), device(d))
	return result(err)
}

//export isdkgo_license_verify_notify
func isdkgo_license_verify_notify(ok C.int, msg *C.char) C.int {
	return result(sdk.LicenseVerifyNotify(ok != 0, str(msg)))
}

//export isdkgo_upgrade_notify
func isdkgo_upgrade_notify() C.int { return result(sdk.UpgradeNotify()) }

//export isdkgo_last_error
func isdkgo_last_error(buf *C.char, n C.size_t) C.size_t {
	errMu.Lock()
	msg := lastErr
	errMu.Unlock()
	if n > 0 && buf != nil {
		out := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(n))
		k := copy(out[:n-1], msg)
		out[k] = 0
	}
	return C.size_t(len(msg))
}
