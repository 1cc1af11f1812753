/*
 * isdk.h: the C ABI of Mercato's industrial-software cloud SDK (docs/industrial-sdk.md).
 *
 * Build the library:  go build -buildmode=c-shared -o libisdk.so ./isdk/capi
 * Link a program:     g++ prog.cpp -I isdk/capi -L. -lisdk -pthread
 *
 * The calls mirror Huawei's Sdk:: calls. isdk_init must come first: any other call before it
 * returns ISDK_ERR_NOT_INITIALIZED. The data calls (open, save, save as, solve, check in) and the
 * license requests return at once; their results arrive as events: JSON strings such as
 *
 *   {"operate":"SaveResult","params":{"status":"success"},"comeBackParams":{...}}
 *
 * passed to the callback isdk_register_event_recall sets. The callback runs on a thread of the
 * library's, one event at a time; the string lives until it returns. It must not block for long,
 * and must not call isdk_shut_out (which then returns ISDK_ERR_IN_CALLBACK instead of waiting
 * for itself). Every function is safe to call from any thread. Strings are UTF-8.
 */
#ifndef ISDK_H
#define ISDK_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes. On an error, isdk_last_error tells why. */
#define ISDK_OK 0
#define ISDK_ERR_NOT_INITIALIZED 1   /* isdk_init has not succeeded (or isdk_shut_out ran) */
#define ISDK_ERR_INITIALIZED 2       /* isdk_init was already called */
#define ISDK_ERR_IN_CALLBACK 3       /* isdk_shut_out inside the event callback */
#define ISDK_ERR_NO_DATA_IN_CLOUD 4  /* the instance's package does not keep data in the cloud */
#define ISDK_ERR_INVALID 5           /* a bad argument */
#define ISDK_ERR_FAILED 6            /* the marketplace refused or could not be reached */

/* Event operates ("operate" of the event JSON). */
#define ISDK_EVENT_HEARTBEAT "HeartBeat"
#define ISDK_EVENT_OPEN_FILE "OpenFile"
#define ISDK_EVENT_SAVE_RESULT "SaveResult"
#define ISDK_EVENT_UPGRADE "Upgrade"
#define ISDK_EVENT_DESK_CLOSED "ISCDeskClosed"
#define ISDK_EVENT_LICENSE_VERIFY "LicenseVerify"
#define ISDK_EVENT_UPLOAD_START "UploadStart"
#define ISDK_EVENT_UPLOAD_END "UploadEnd"
#define ISDK_EVENT_SOLUTION "SolutionResult"
#define ISDK_EVENT_CHECK_IN "CheckInResult"

/* Open types and work states. */
#define ISDK_OPEN_ONLY "OpenOnly"
#define ISDK_OPEN_AND_CHECKOUT "OpenAndCheckout"
#define ISDK_CHECKIN "CHECKIN"
#define ISDK_CHECKOUT "CHECKOUT"

/* The event callback: event_json is valid until the callback returns. */
typedef void (*isdk_event_cb)(const char *event_json, void *user_data);

/*
 * The dependency callback: write the files the assembly file main_file references, one per
 * line, relative to its folder or absolute, into buf (len bytes, NUL-terminated when it fits)
 * and return the length of the whole list without the NUL; the library calls again with a larger
 * buffer when it did not fit. Return -1 on an error.
 */
typedef long (*isdk_dependency_cb)(const char *main_file, char *buf, size_t len, void *user_data);

typedef struct isdk_config {
    const char *server;    /* the marketplace: https://market.example */
    const char *token;     /* the buyer's bearer token */
    const char *instance;  /* the key of the buyer's instance of the software */
    const char *workspace; /* the local folder cloud files open into */
    const char *version;   /* the software's version, for upgrade notices */
    isdk_dependency_cb dependencies; /* optional: lists an assembly's dependencies */
    void *dependencies_user_data;
    int compress_assemblies; /* non-zero: deflate assembly zips */
    long long chunk_size;    /* bytes per upload request; 0: 32 MiB */
    int heartbeat_ms;        /* > 0: HeartBeat / ISCDeskClosed events at this interval */
} isdk_config;

typedef struct isdk_device_info {
    const char *mac;       /* several values comma-separated */
    const char *disk;
    const char *mainboard;
    const char *cpu;
} isdk_device_info;         /* at most 5 KB in all */

/* Basic. */
int isdk_init(const isdk_config *config);
int isdk_register_event_recall(isdk_event_cb cb, void *user_data);
int isdk_shut_out(void);

/* Data in cloud. open_type is ISDK_OPEN_ONLY or ISDK_OPEN_AND_CHECKOUT. */
int isdk_open_cloud_file(const char *cloud_path, const char *open_type);
int isdk_save(const char *path, int is_assembly);
int isdk_select_save_as_path(const char *path, const char *cloud_path, int is_assembly);
int isdk_check_in(const char *path);
int isdk_uploading(const char *path); /* 1 while path uploads, else 0 */

/* Compute in cloud. */
int isdk_get_solution(const char *file_path);

/* Management. */
int isdk_get_license_file_request(const char *file_name, const isdk_device_info *device);
int isdk_get_license_string_request(const isdk_device_info *device);
int isdk_verify_license(const char *license, const isdk_device_info *device);
int isdk_license_verify_notify(int ok, const char *error);
int isdk_upgrade_notify(void);

/*
 * Copies the last error's message into buf (len bytes, always NUL-terminated when len > 0) and
 * returns its full length. The last error is the process's, not the thread's.
 */
size_t isdk_last_error(char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* ISDK_H */
