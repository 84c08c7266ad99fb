// kmodd-bench-agent: an agent's Load + Unload cycle through kmodd, for the real-kernel agent
// benchmark (bench/vm/agent.sh). One system bus connection for every cycle, as a desktop agent
// or a management daemon holds it, so that the figure is kmodd's round trip and work, not a
// client's start-up.
//
//   kmodd-bench-agent MODULE [--root-socket]
//
// With --root-socket, the one connection is a direct one to kmodd's root socket
// (/run/kmodd/private), as root's kmodctl makes, instead of the system bus.
//
// Runs one cycle per line read from stdin, so that the calling script can alternate it with
// other methods while the connection stays open, and answers each with one line: the
// nanoseconds Load(MODULE) and Unload(MODULE) took. A load that does not insert MODULE, or an
// unload that fails, stops the run: every cycle must do the work.

#include "WireNames.h"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <systemd/sd-bus.h>

namespace {

using Clock = std::chrono::steady_clock;

using kmodd::wire::busName;
using kmodd::wire::managerInterface;
using kmodd::wire::managerPath;

[[noreturn]] void die(const std::string& what) {
    std::cerr << "kmodd-bench-agent: " << what << "\n";
    std::exit(EXIT_FAILURE);
}

[[noreturn]] void dieOfCall(const std::string& call, const sd_bus_error& error, int result) {
    die(call + " failed: " + (error.message != nullptr ? error.message : std::strerror(-result)));
}

std::int64_t nanosecondsSince(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
}

std::int64_t load(sd_bus* bus, const std::string& module) {
    sd_bus_error error = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    const auto start = Clock::now();
    const int called =
        sd_bus_call_method(bus, busName, managerPath, managerInterface, "Load", &error, &reply,
                           "sa{ss}t", module.c_str(), 0, std::uint64_t{0});
    const auto took = nanosecondsSince(start);
    if (called < 0) {
        dieOfCall("Load(" + module + ")", error, called);
    }
    const char* name = nullptr;
    const char* result = nullptr;
    if (sd_bus_message_read(reply, "ss", &name, &result) < 0 ||
        std::strcmp(result, "loaded") != 0) {
        die("Load(" + module + ") did not insert it: " + (result != nullptr ? result : "no reply"));
    }
    sd_bus_message_unref(reply);
    return took;
}

std::int64_t unload(sd_bus* bus, const std::string& module) {
    sd_bus_error error = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    const auto start = Clock::now();
    const int called = sd_bus_call_method(bus, busName, managerPath, managerInterface, "Unload",
                                          &error, &reply, "st", module.c_str(), std::uint64_t{0});
    const auto took = nanosecondsSince(start);
    if (called < 0) {
        dieOfCall("Unload(" + module + ")", error, called);
    }
    sd_bus_message_unref(reply);
    return took;
}

sd_bus* connect(bool rootSocket) {
    sd_bus* bus = nullptr;
    if (!rootSocket) {
        if (const int opened = sd_bus_open_system(&bus); opened < 0) {
            die(std::string("cannot connect to the system bus: ") + std::strerror(-opened));
        }
        return bus;
    }
    const std::string address = std::string("unix:path=") + kmodd::wire::rootSocketPath;
    if (sd_bus_new(&bus) < 0 || sd_bus_set_address(bus, address.c_str()) < 0 ||
        sd_bus_start(bus) < 0) {
        die(std::string("cannot connect to ") + kmodd::wire::rootSocketPath);
    }
    return bus;
}

} // namespace

int main(int argc, char** argv) {
    const bool rootSocket = argc == 3 && std::strcmp(argv[2], "--root-socket") == 0;
    if (argc != 2 && !rootSocket) {
        std::cerr << "usage: kmodd-bench-agent MODULE [--root-socket]\n";
        return 2;
    }
    const std::string module = argv[1];
    sd_bus* bus = connect(rootSocket);
    for (std::string line; std::getline(std::cin, line);) {
        const auto loaded = load(bus, module);
        const auto unloaded = unload(bus, module);
        std::cout << loaded << " " << unloaded << std::endl;
    }
    sd_bus_flush_close_unref(bus);
    return EXIT_SUCCESS;
}
