// A small CAD program's use of the industrial-software cloud SDK through its C ABI (isdk.h):
// it saves a new part and a new assembly to the cloud, opens each with a check-out, edits and
// saves it back, checks it in, and shows the rules the SDK enforces (a missing dependency, the
// OpenOnly rule). It prints every event it receives and exits 0 when every step went as expected.
//
// Build (see docs/industrial-sdk.md):
//   go build -buildmode=c-shared -o libisdk.so ./isdk/capi
//   g++ -std=c++17 -I isdk/capi examples/cad/main.cpp -L. -lisdk -Wl,-rpath,. -pthread -o cad
// Run with ISDK_SERVER, ISDK_TOKEN, ISDK_INSTANCE, ISDK_WORKSPACE (where cloud files open) and
// ISDK_LOCAL (where the program keeps its new designs) set.

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>

#include "isdk.h"

namespace fs = std::filesystem;

namespace {

// Events arrive on the SDK's thread; the program waits for them on its own.
std::mutex mu;
std::condition_variable cv;
std::deque<std::string> events;

void on_event(const char *json, void *) {
    std::lock_guard<std::mutex> lock(mu);
    events.emplace_back(json);
    cv.notify_all();
}

// field returns the string value of "key" in a flat JSON object (the events' shape), unescaped.
std::string field(const std::string &json, const std::string &key) {
    std::string pat = "\"" + key + "\":\"";
    size_t i = json.find(pat);
    if (i == std::string::npos) return "";
    std::string out;
    for (i += pat.size(); i < json.size() && json[i] != '"'; i++) {
        if (json[i] == '\\' && i + 1 < json.size()) {
            char c = json[++i];
            switch (c) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'u': out += '?'; i += 4; break;  // not needed for the paths used here
            default: out += c;
            }
        } else {
            out += json[i];
        }
    }
    return out;
}

// wait_for returns the next event whose operate is op, printing those it passes.
std::string wait_for(const std::string &op) {
    std::unique_lock<std::mutex> lock(mu);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
        while (events.empty()) {
            if (cv.wait_until(lock, deadline) == std::cv_status::timeout) {
                std::cerr << "FAIL: no " << op << " event within 60 s\n";
                std::exit(1);
            }
        }
        std::string e = events.front();
        events.pop_front();
        std::cout << "event: " << e << "\n";
        if (field(e, "operate") == op) return e;
    }
}

void expect(bool ok, const std::string &what) {
    if (!ok) {
        char buf[512];
        isdk_last_error(buf, sizeof buf);
        std::cerr << "FAIL: " << what << " (last error: " << buf << ")\n";
        std::exit(1);
    }
    std::cout << "ok: " << what << "\n";
}

std::string env(const char *name) {
    const char *v = std::getenv(name);
    if (!v || !*v) {
        std::cerr << "FAIL: " << name << " is not set\n";
        std::exit(2);
    }
    return v;
}

void write_file(const fs::path &p, const std::string &content) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
}

void append_file(const fs::path &p, const std::string &line) { std::ofstream(p, std::ios::app) << line; }

std::string read_file(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// dependencies lists the parts an assembly file names on its "part <file>" lines: the SDK checks
// that each is in the assembly folder before it saves.
long dependencies(const char *main_file, char *buf, size_t len, void *) {
    std::ifstream in(main_file);
    if (!in) return -1;
    std::string list, line;
    while (std::getline(in, line))
        if (line.rfind("part ", 0) == 0) list += line.substr(5) + "\n";
    if (list.size() < len) std::memcpy(buf, list.c_str(), list.size() + 1);
    return static_cast<long>(list.size());
}

bool succeeded(const std::string &event) { return field(event, "status") == "success"; }

// save_and_check_in saves path (as cloud_path when given), then checks it in.
void save_and_check_in(const std::string &path, const char *cloud_path, int assembly, const std::string &what) {
    int rc = cloud_path ? isdk_select_save_as_path(path.c_str(), cloud_path, assembly) : isdk_save(path.c_str(), assembly);
    expect(rc == ISDK_OK, what + ": call accepted");
    expect(succeeded(wait_for(ISDK_EVENT_SAVE_RESULT)), what + ": saved");
    expect(isdk_uploading(path.c_str()) == 0, what + ": upload over");
    expect(isdk_check_in(path.c_str()) == ISDK_OK, what + ": check-in accepted");
    expect(succeeded(wait_for(ISDK_EVENT_CHECK_IN)), what + ": checked in");
}

// open returns the mainFile of a cloud file opened with open_type.
std::string open(const char *cloud_path, const char *open_type, const std::string &work_state) {
    expect(isdk_open_cloud_file(cloud_path, open_type) == ISDK_OK, std::string("open ") + cloud_path);
    std::string e = wait_for(ISDK_EVENT_OPEN_FILE);
    expect(field(e, "workState") == work_state && field(e, "openType") == open_type, std::string("opened ") + cloud_path + " " + open_type);
    return field(e, "mainFile");
}

}  // namespace

int main() {
    expect(isdk_save("/nowhere.prt", 0) == ISDK_ERR_NOT_INITIALIZED, "a call before isdk_init is refused");
    std::string server = env("ISDK_SERVER"), token = env("ISDK_TOKEN"), instance = env("ISDK_INSTANCE");
    std::string workspace = env("ISDK_WORKSPACE"), version = "2.0";
    fs::path local = env("ISDK_LOCAL");
    isdk_config cfg{};
    cfg.server = server.c_str();
    cfg.token = token.c_str();
    cfg.instance = instance.c_str();
    cfg.workspace = workspace.c_str();
    cfg.version = version.c_str();
    cfg.dependencies = dependencies;
    expect(isdk_init(&cfg) == ISDK_OK, "isdk_init");
    expect(isdk_register_event_recall(on_event, nullptr) == ISDK_OK, "register the event callback");

    // A new part: saved as a cloud file, then opened with a check-out, edited and saved back.
    fs::path part = local / "Bracket.prt";
    write_file(part, "solid bracket\nhole 8mm\n");
    save_and_check_in(part.string(), "/designs/Bracket.prt", 0, "new part");
    std::string main_part = open("/designs/Bracket.prt", ISDK_OPEN_AND_CHECKOUT, ISDK_CHECKOUT);
    expect(read_file(main_part) == "solid bracket\nhole 8mm\n", "opened part has the saved content");
    append_file(main_part, "fillet 2mm\n");
    save_and_check_in(main_part, nullptr, 0, "edited part");

    // A new assembly: its folder is named after its assembly file and holds every part.
    fs::path folder = local / "Gearbox";
    write_file(folder / "Gearbox.asm", "part shaft.prt\npart gears/spur.prt\n");
    write_file(folder / "shaft.prt", "shaft d=20\n");
    write_file(folder / "gears" / "spur.prt", "spur z=32\n");
    save_and_check_in(folder.string(), "/designs/Gearbox.zip", 1, "new assembly");
    fs::path opened = open("/designs/Gearbox.zip", ISDK_OPEN_AND_CHECKOUT, ISDK_CHECKOUT);
    fs::path asm_file = opened / (opened.filename().string() + ".asm");  // the file named as its folder
    expect(read_file(opened / "gears" / "spur.prt") == "spur z=32\n", "opened assembly unzipped");
    append_file(asm_file, "part bolt.prt\n");
    expect(isdk_save(opened.c_str(), 1) == ISDK_OK, "save with a missing part: call accepted");
    std::string e = wait_for(ISDK_EVENT_SAVE_RESULT);
    expect(!succeeded(e) && field(e, "reason").find("bolt.prt is missing") != std::string::npos, "a missing dependency fails the save");
    write_file(opened / "bolt.prt", "bolt M8\n");
    save_and_check_in(opened.string(), nullptr, 1, "edited assembly");

    // The OpenOnly rule: opened OpenOnly while checked in, the part cannot be saved back.
    std::string ro = open("/designs/Bracket.prt", ISDK_OPEN_ONLY, ISDK_CHECKIN);
    append_file(ro, "chamfer 1mm\n");
    expect(isdk_save(ro.c_str(), 0) == ISDK_OK, "save of an OpenOnly file: call accepted");
    e = wait_for(ISDK_EVENT_SAVE_RESULT);
    expect(!succeeded(e) && field(e, "reason").find("OpenOnly") != std::string::npos, "an OpenOnly file is not saved back");

    expect(isdk_shut_out() == ISDK_OK, "isdk_shut_out");
    std::cout << "cad example: all steps passed\n";
    return 0;
}
