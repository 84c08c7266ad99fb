// kmodd-bench-modprobe-unit: the load half of an agent's cycle through systemd, for the
// real-kernel agent benchmark (bench/vm/agent.sh): StartUnit("modprobe@MODULE.service") on one
// system bus connection, timed until systemd's JobRemoved says the job is done (what
// `systemctl start` waits for). systemd has no unit that unloads, so each cycle then removes
// the modules with delete_module(O_NONBLOCK), as the floor does.
//
//   kmodd-bench-modprobe-unit MODULE NAME...
//
// NAME... are the modules the unit's modprobe inserts, in the order to remove them. Runs one
// cycle per line read from stdin and answers each with one line: the nanoseconds the start job
// and the removal took. A job that does not end "done" with MODULE loaded stops the run.

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <sys/syscall.h>
#include <systemd/sd-bus.h>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kSystemd = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";

[[noreturn]] void die(const std::string& what) {
    std::cerr << "kmodd-bench-modprobe-unit: " << what << "\n";
    std::exit(EXIT_FAILURE);
}

[[noreturn]] void dieOfCall(const std::string& call, const sd_bus_error& error, int result) {
    die(call + " failed: " + (error.message != nullptr ? error.message : std::strerror(-result)));
}

std::int64_t nanosecondsSince(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
}

// The jobs systemd has reported finished, by object path, and whether each ended "done".
struct FinishedJobs {
    std::set<std::string> done;
    std::set<std::string> failed;
};

int onJobRemoved(sd_bus_message* signal, void* userdata, sd_bus_error* /*error*/) {
    auto& jobs = *static_cast<FinishedJobs*>(userdata);
    std::uint32_t id = 0;
    const char* job = nullptr;
    const char* unit = nullptr;
    const char* result = nullptr;
    if (sd_bus_message_read(signal, "uoss", &id, &job, &unit, &result) >= 0) {
        (std::strcmp(result, "done") == 0 ? jobs.done : jobs.failed).insert(job);
    }
    return 0;
}

bool isLoaded(const std::string& module) {
    std::ifstream modules("/proc/modules");
    for (std::string line; std::getline(modules, line);) {
        if (line.starts_with(module + " ")) {
            return true;
        }
    }
    return false;
}

std::int64_t startUnit(sd_bus* bus, FinishedJobs& jobs, const std::string& module) {
    const std::string unit = "modprobe@" + module + ".service";
    sd_bus_error error = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    const auto start = Clock::now();
    const int called = sd_bus_call_method(bus, kSystemd, kPath, kManager, "StartUnit", &error,
                                          &reply, "ss", unit.c_str(), "replace");
    if (called < 0) {
        dieOfCall("StartUnit(" + unit + ")", error, called);
    }
    const char* path = nullptr;
    if (sd_bus_message_read(reply, "o", &path) < 0) {
        die("StartUnit(" + unit + ") returned no job");
    }
    const std::string job = path;
    sd_bus_message_unref(reply);
    while (!jobs.done.contains(job) && !jobs.failed.contains(job)) {
        const int processed = sd_bus_process(bus, nullptr);
        if (processed < 0) {
            die(std::string("cannot read the bus: ") + std::strerror(-processed));
        }
        if (processed == 0 && sd_bus_wait(bus, UINT64_MAX) < 0) {
            die("cannot wait for the bus");
        }
    }
    const auto took = nanosecondsSince(start);
    if (jobs.failed.contains(job) || !isLoaded(module)) {
        die(unit + " did not load " + module);
    }
    jobs.done.erase(job);
    return took;
}

std::int64_t removeModules(const std::vector<std::string>& names) {
    const auto start = Clock::now();
    for (const auto& name : names) {
        if (syscall(SYS_delete_module, name.c_str(), O_NONBLOCK) != 0) {
            die("cannot unload " + name + ": " + std::strerror(errno));
        }
    }
    return nanosecondsSince(start);
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: kmodd-bench-modprobe-unit MODULE NAME...\n";
        return 2;
    }
    const std::string module = argv[1];
    const std::vector<std::string> names(argv + 2, argv + argc);
    sd_bus* bus = nullptr;
    if (const int opened = sd_bus_open_system(&bus); opened < 0) {
        die(std::string("cannot connect to the system bus: ") + std::strerror(-opened));
    }
    FinishedJobs jobs;
    if (sd_bus_match_signal(bus, nullptr, kSystemd, kPath, kManager, "JobRemoved", onJobRemoved,
                            &jobs) < 0) {
        die("cannot subscribe to JobRemoved");
    }
    // systemd sends job signals only while some client has subscribed.
    sd_bus_error error = SD_BUS_ERROR_NULL;
    if (const int called =
            sd_bus_call_method(bus, kSystemd, kPath, kManager, "Subscribe", &error, nullptr, "");
        called < 0) {
        dieOfCall("Subscribe", error, called);
    }
    for (std::string line; std::getline(std::cin, line);) {
        const auto loaded = startUnit(bus, jobs, module);
        const auto unloaded = removeModules(names);
        std::cout << loaded << " " << unloaded << std::endl;
    }
    sd_bus_flush_close_unref(bus);
    return EXIT_SUCCESS;
}
