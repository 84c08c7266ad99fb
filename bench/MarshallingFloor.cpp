// kmodd-bench-marshalling: what sd-bus alone costs to write ListModules' reply, a(ssuas) of the
// host benchmark's 100 modules (BENCHMARKS.md, "Why ListModules cannot be made much cheaper").
// Each of COUNT messages is written one WAY with sd-bus's public calls, without sdbus-c++:
//
//   basic   sd_bus_message_open_container / append_basic / close_container, as sdbus-c++ does
//   space   the same with sd_bus_message_append_string_space (no UTF-8 check)
//   format  one sd_bus_message_append(m, "(ssuas)", ...) per module
//   copy    sd_bus_message_copy of one sealed message written the basic way
//
//   valgrind --tool=callgrind --toggle-collect='*writeList*' kmodd-bench-marshalling WAY COUNT
//
// counts the instructions spent writing the COUNT bodies only; divide by COUNT. No bus is needed:
// the connection is one end of a socket pair, started but never authenticated.

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

namespace {

constexpr int moduleCount = 100;
constexpr int holderIndex = 3; // bridge, holding stp

struct Modules {
    std::array<std::string, moduleCount> names;

    Modules() {
        const std::array<const char*, 4> tree{"bridge", "dummy", "stp", "veth"};
        for (int i = 0; i < moduleCount; ++i) {
            names[i] = i < 4 ? tree[i] : "bench_filler_" + std::to_string(i);
        }
    }
};

void check(int result, const char* what) {
    if (result < 0) {
        std::cerr << "kmodd-bench-marshalling: " << what << ": " << std::strerror(-result) << '\n';
        std::exit(EXIT_FAILURE);
    }
}

void appendString(sd_bus_message* message, const std::string& text, bool space) {
    if (!space) {
        check(sd_bus_message_append_basic(message, 's', text.c_str()), "append_basic");
        return;
    }
    char* target = nullptr;
    check(sd_bus_message_append_string_space(message, text.size(), &target), "string_space");
    std::memcpy(target, text.data(), text.size());
}

void byCalls(sd_bus_message* message, const Modules& modules, bool space) {
    const std::uint32_t refcount = 0;
    check(sd_bus_message_open_container(message, 'a', "(ssuas)"), "open");
    for (int i = 0; i < moduleCount; ++i) {
        check(sd_bus_message_open_container(message, 'r', "ssuas"), "open");
        appendString(message, modules.names[i], space);
        appendString(message, "live", space);
        check(sd_bus_message_append_basic(message, 'u', &refcount), "append_basic");
        check(sd_bus_message_open_container(message, 'a', "s"), "open");
        if (i == holderIndex) {
            appendString(message, "stp", space);
        }
        check(sd_bus_message_close_container(message), "close");
        check(sd_bus_message_close_container(message), "close");
    }
    check(sd_bus_message_close_container(message), "close");
}

void byFormat(sd_bus_message* message, const Modules& modules) {
    check(sd_bus_message_open_container(message, 'a', "(ssuas)"), "open");
    for (int i = 0; i < moduleCount; ++i) {
        const char* name = modules.names[i].c_str();
        check(i == holderIndex
                  ? sd_bus_message_append(message, "(ssuas)", name, "live", 0U, 1, "stp")
                  : sd_bus_message_append(message, "(ssuas)", name, "live", 0U, 0),
              "append");
    }
    check(sd_bus_message_close_container(message), "close");
}

void byCopy(sd_bus_message* message, sd_bus_message* source) {
    check(sd_bus_message_rewind(source, 1), "rewind");
    check(sd_bus_message_copy(message, source, 1), "copy");
}

// The only function callgrind counts in: the source message is written outside it.
__attribute__((noinline)) void writeList(const std::string& way, sd_bus_message* message,
                                         const Modules& modules, sd_bus_message* source) {
    if (way == "format") {
        byFormat(message, modules);
    } else if (way == "copy") {
        byCopy(message, source);
    } else {
        byCalls(message, modules, way == "space");
    }
}

sd_bus_message* newMessage(sd_bus* bus) {
    sd_bus_message* message = nullptr;
    check(sd_bus_message_new_signal(bus, &message, "/org/kmodd/Bench", "org.kmodd.Bench", "List"),
          "new message");
    return message;
}

} // namespace

int main(int argc, char** argv) {
    const std::string way = argc == 3 ? argv[1] : "";
    if (way != "basic" && way != "space" && way != "format" && way != "copy") {
        std::cerr << "usage: kmodd-bench-marshalling basic|space|format|copy COUNT\n";
        return EXIT_FAILURE;
    }
    const long count = std::strtol(argv[2], nullptr, 10);
    int sockets[2];
    check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) < 0 ? -errno : 0,
          "socketpair");
    sd_bus* bus = nullptr;
    check(sd_bus_new(&bus), "sd_bus_new");
    check(sd_bus_set_fd(bus, sockets[0], sockets[0]), "sd_bus_set_fd");
    check(sd_bus_start(bus), "sd_bus_start");

    const Modules modules;
    sd_bus_message* source = newMessage(bus);
    byCalls(source, modules, false);
    check(sd_bus_message_seal(source, 1, 0), "seal");
    for (long i = 0; i < count; ++i) {
        sd_bus_message* message = newMessage(bus);
        writeList(way, message, modules, source);
        check(sd_bus_message_seal(message, 2 + static_cast<std::uint64_t>(i), 0), "seal");
        if (std::strcmp(sd_bus_message_get_signature(message, 1), "a(ssuas)") != 0) {
            std::cerr << "kmodd-bench-marshalling: wrote the wrong signature\n";
            return EXIT_FAILURE;
        }
        sd_bus_message_unref(message);
    }
    sd_bus_message_unref(source);
    sd_bus_flush_close_unref(bus);
    close(sockets[1]);
    return EXIT_SUCCESS;
}
