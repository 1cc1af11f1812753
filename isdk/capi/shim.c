/*
 * The public C functions of isdk.h, with their const-correct signatures, over the Go exports
 * (isdkgo_*), whose generated prototypes cgo writes without const. Compiling this file against
 * both headers checks that the two agree. It also calls the program's function pointers, which
 * Go cannot call itself.
 */
#include "isdk.h"
#include "_cgo_export.h"

void isdkc_call_event(isdk_event_cb cb, const char *json, void *user_data) { cb(json, user_data); }

long isdkc_call_deps(isdk_dependency_cb cb, const char *main_file, char *buf, size_t len, void *user_data) {
    return cb(main_file, buf, len, user_data);
}

int isdk_init(const isdk_config *config) { return isdkgo_init((isdk_config *)config); }
int isdk_register_event_recall(isdk_event_cb cb, void *user_data) { return isdkgo_register_event_recall(cb, user_data); }
int isdk_shut_out(void) { return isdkgo_shut_out(); }
int isdk_open_cloud_file(const char *cloud_path, const char *open_type) {
    return isdkgo_open_cloud_file((char *)cloud_path, (char *)open_type);
}
int isdk_save(const char *path, int is_assembly) { return isdkgo_save((char *)path, is_assembly); }
int isdk_select_save_as_path(const char *path, const char *cloud_path, int is_assembly) {
    return isdkgo_select_save_as_path((char *)path, (char *)cloud_path, is_assembly);
}
int isdk_check_in(const char *path) { return isdkgo_check_in((char *)path); }
int isdk_uploading(const char *path) { return isdkgo_uploading((char *)path); }
int isdk_get_solution(const char *file_path) { return isdkgo_get_solution((char *)file_path); }
int isdk_get_license_file_request(const char *file_name, const isdk_device_info *device) {
    return isdkgo_get_license_file_request((char *)file_name, (isdk_device_info *)device);
}
int isdk_get_license_string_request(const isdk_device_info *device) {
    return isdkgo_get_license_string_request((isdk_device_info *)device);
}
int isdk_verify_license(const char *license, const isdk_device_info *device) {
    return isdkgo_verify_license((char *)license, (isdk_device_info *)device);
}
int isdk_license_verify_notify(int ok, const char *error) { return isdkgo_license_verify_notify(ok, (char *)error); }
int isdk_upgrade_notify(void) { return isdkgo_upgrade_notify(); }

size_t isdk_last_error(char *buf, size_t len) { return isdkgo_last_error(buf, len); }
