/*
 * Checks the C ABI's own rules, in C: calls before isdk_init, isdk_init twice, bad arguments,
 * isdk_shut_out inside the callback, license requests and their verification, upgrade notices,
 * isdk_last_error's truncation. Run by capi_test.go with ISDK_SERVER, ISDK_TOKEN, ISDK_INSTANCE
 * and ISDK_WORKSPACE set; prints "abi: ok" and exits 0 when every check holds.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isdk.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static char last_event[65536];
static int events, shut_out_rc = -1;

static void on_event(const char *json, void *user_data) {
    (void)user_data;
    pthread_mutex_lock(&mu);
    if (shut_out_rc == -1) shut_out_rc = isdk_shut_out(); /* forbidden here: must not deadlock */
    snprintf(last_event, sizeof last_event, "%s", json);
    events++;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&mu);
}

/* wait_event waits for the callback's n-th event and copies it into out. */
static void wait_event(int n, char *out, size_t len) {
    pthread_mutex_lock(&mu);
    while (events < n) pthread_cond_wait(&cond, &mu);
    snprintf(out, len, "%s", last_event);
    pthread_mutex_unlock(&mu);
}

static int failures;
static void check(int ok, const char *what) {
    char buf[256];
    if (ok) return;
    isdk_last_error(buf, sizeof buf);
    fprintf(stderr, "FAIL: %s (last error: %s)\n", what, buf);
    failures++;
}

/* license_of copies the "license" value of an event into out. */
static void license_of(const char *event, char *out, size_t len) {
    const char *p = strstr(event, "\"license\":\"");
    out[0] = 0;
    if (!p) return;
    p += strlen("\"license\":\"");
    size_t n = strcspn(p, "\"");
    if (n >= len) n = len - 1;
    memcpy(out, p, n);
    out[n] = 0;
}

int main(void) {
    isdk_device_info dev = {"00:16:3e:aa:bb:cc", "S3Z9NX0K123456", "BSN12345678", "BFEBFBFF000906EA"};
    isdk_device_info other = {"00:00:00:00:00:01", "S3Z9NX0K123456", "BSN12345678", "BFEBFBFF000906EA"};
    char event[65536], license[8192], small[8];

    check(isdk_shut_out() == ISDK_ERR_NOT_INITIALIZED, "isdk_shut_out before isdk_init");
    check(isdk_open_cloud_file("/a.prt", ISDK_OPEN_ONLY) == ISDK_ERR_NOT_INITIALIZED, "isdk_open_cloud_file before isdk_init");
    check(isdk_get_license_string_request(&dev) == ISDK_ERR_NOT_INITIALIZED, "license request before isdk_init");
    check(isdk_upgrade_notify() == ISDK_ERR_NOT_INITIALIZED, "isdk_upgrade_notify before isdk_init");
    check(isdk_init(NULL) == ISDK_ERR_INVALID, "isdk_init(NULL)");

    isdk_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.server = getenv("ISDK_SERVER");
    cfg.token = "not-a-token";
    cfg.instance = getenv("ISDK_INSTANCE");
    cfg.workspace = getenv("ISDK_WORKSPACE");
    cfg.version = "1.9";
    check(isdk_init(&cfg) == ISDK_ERR_FAILED, "isdk_init with a bad token");
    check(isdk_last_error(small, sizeof small) > sizeof small - 1 && strlen(small) == sizeof small - 1, "isdk_last_error truncates");
    cfg.token = getenv("ISDK_TOKEN");
    check(isdk_init(&cfg) == ISDK_OK, "isdk_init");
    check(isdk_init(&cfg) == ISDK_ERR_INITIALIZED, "isdk_init twice");
    check(isdk_register_event_recall(on_event, NULL) == ISDK_OK, "register the callback");

    /* The first event is the upgrade notice: 1.9 is not the package's 2.0. */
    wait_event(1, event, sizeof event);
    check(strstr(event, "\"operate\":\"Upgrade\"") && strstr(event, "\"latestVersion\":\"2.0\""), "upgrade notice");
    check(shut_out_rc == ISDK_ERR_IN_CALLBACK, "isdk_shut_out inside the callback is refused");
    check(isdk_upgrade_notify() == ISDK_OK, "isdk_upgrade_notify");

    check(isdk_open_cloud_file("/a.prt", "Bogus") == ISDK_ERR_INVALID, "a bad open type");
    char big[6000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    isdk_device_info huge = {"m", "d", "b", big};
    check(isdk_get_license_string_request(&huge) == ISDK_ERR_INVALID, "a fingerprint over 5 KB");
    check(isdk_license_verify_notify(1, NULL) == ISDK_ERR_FAILED, "isdk_license_verify_notify before a request");

    check(isdk_get_license_string_request(&dev) == ISDK_OK, "license string request");
    wait_event(2, event, sizeof event);
    check(strstr(event, "\"operate\":\"LicenseVerify\"") && strstr(event, "\"status\":\"success\""), "license event");
    license_of(event, license, sizeof license);
    check(isdk_verify_license(license, &dev) == ISDK_OK, "the license verifies on its device");
    check(isdk_verify_license(license, &other) == ISDK_ERR_FAILED, "the license fails on another device");
    check(isdk_license_verify_notify(1, NULL) == ISDK_OK, "isdk_license_verify_notify");

    check(isdk_shut_out() == ISDK_OK, "isdk_shut_out");
    check(isdk_save("/a.prt", 0) == ISDK_ERR_NOT_INITIALIZED, "a call after isdk_shut_out");
    if (failures) return 1;
    printf("abi: ok\n");
    return 0;
}
