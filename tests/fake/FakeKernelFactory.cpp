// The kernel of kmodd-test-daemon: a FakeKernel set up from the environment, so that the
// integration tests can start the daemon in any state without root's real kernel.
//
//   KMODD_FAKE_COMPRESSION  the algorithm finit_module decompresses, as the kernel's
//                           /sys/module/compression names it ("zstd", "xz", "gzip"); unset or
//                           empty: none, so compressed modules go through init_module
//   KMODD_FAKE_DELAY_MS     every syscall takes this many milliseconds (to observe queueing)
//   KMODD_FAKE_PRELOADED    modules loaded before kmodd starts, as if by someone else:
//                           "a,b"; "b:a" makes b depend on (hold) a, e.g. "dummy,veth:dummy"
//   KMODD_FAKE_FAILURES     one-shot failures, "CALL:MODULE:ERRNO,...", CALL being finit, init
//                           or delete and ERRNO a name: "finit:dummy:ENOEXEC,delete:veth:EBUSY"
//   KMODD_FAKE_RANDOM_FAILURES  "PERCENT:ERRNO:SEED": that share of all calls fails with ERRNO,
//                           drawn from a generator seeded with SEED, e.g. "10:ENOMEM:1"
//   KMODD_FAKE_HANG         calls that never return, as a module init that hangs,
//                           "CALL:MODULE,...", e.g. "finit:dummy"
//   KMODD_FAKE_ROOT_ONLY_PARAMETERS  parameters whose sysfs file only root may read,
//                           "MODULE.PARAMETER,...", e.g. "dummy.numdummies"
//   KMODD_FAKE_STATE_FILE   the module table outlives the daemon in this file: read at start if
//                           it exists (one KMODD_FAKE_PRELOADED entry a line, before those of
//                           the variable) and rewritten on every change
//
// A malformed value stops the daemon with a message naming the variable.

#include "Error.h"
#include "FakeKernel.h"
#include "KernelFactory.h"
#include "ModuleName.h"

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace {

using kmodd::Error;
using kmodd::ErrorKind;
using kmodd::testing::FakeKernel;

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::istringstream stream(text);
    for (std::string part; std::getline(stream, part, separator);) {
        parts.push_back(part);
    }
    return parts;
}

[[noreturn]] void malformed(const char* variable, const std::string& value, const char* why) {
    throw Error(ErrorKind::InvalidArgument,
                std::string(variable) + "='" + value + "' is malformed: " + why);
}

std::string moduleName(const char* variable, const std::string& value, const std::string& name) {
    try {
        return kmodd::ModuleName::parse(name).str();
    } catch (const Error&) {
        malformed(variable, value, "a module name is invalid");
    }
}

unsigned number(const char* variable, const std::string& value, const std::string& text) {
    unsigned result = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), result);
    if (error != std::errc() || end != text.data() + text.size()) {
        malformed(variable, value, "not a number");
    }
    return result;
}

int errnoNamed(const char* variable, const std::string& value, const std::string& name) {
    for (int number = 1; number < 4096; ++number) {
        const char* candidate = ::strerrorname_np(number);
        if (candidate != nullptr && name == candidate) {
            return number;
        }
    }
    malformed(variable, value, "unknown errno name");
}

// Entries "a" or "b:a" (b depends on a), in the order they were loaded.
void addLoaded(FakeKernel& kernel, const char* variable, const std::string& value,
               const std::vector<std::string>& entries) {
    for (const auto& entry : entries) {
        auto names = split(entry, ':');
        if (names.empty()) {
            malformed(variable, value, "an entry is empty");
        }
        std::vector<std::string> dependencies;
        for (std::size_t i = 1; i < names.size(); ++i) {
            dependencies.push_back(moduleName(variable, value, names[i]));
        }
        kernel.addLoaded(moduleName(variable, value, names.front()), std::move(dependencies));
    }
}

FakeKernel::Call callNamed(const std::string& name) {
    if (name == "finit") {
        return FakeKernel::Call::FinitModule;
    }
    if (name == "init") {
        return FakeKernel::Call::InitModule;
    }
    if (name == "delete") {
        return FakeKernel::Call::DeleteModule;
    }
    malformed("KMODD_FAKE_FAILURES", name, "the call must be finit, init or delete");
}

std::string environment(const char* variable) {
    const char* value = std::getenv(variable);
    return value ? value : "";
}

} // namespace

std::unique_ptr<kmodd::Kernel> makeKernel() {
    auto kernel = std::make_unique<FakeKernel>();
    kernel->stopRecordingCalls();
    kernel->setCompression(environment("KMODD_FAKE_COMPRESSION"));

    if (const std::string delay = environment("KMODD_FAKE_DELAY_MS"); !delay.empty()) {
        kernel->setDelay(std::chrono::milliseconds(number("KMODD_FAKE_DELAY_MS", delay, delay)));
    }

    const std::string stateFile = environment("KMODD_FAKE_STATE_FILE");
    if (std::ifstream state(stateFile); state) {
        std::ostringstream text;
        text << state.rdbuf();
        addLoaded(*kernel, "KMODD_FAKE_STATE_FILE", stateFile, split(text.str(), '\n'));
    }
    const std::string preloaded = environment("KMODD_FAKE_PRELOADED");
    addLoaded(*kernel, "KMODD_FAKE_PRELOADED", preloaded, split(preloaded, ','));

    const std::string failures = environment("KMODD_FAKE_FAILURES");
    for (const auto& entry : split(failures, ',')) {
        const auto parts = split(entry, ':');
        if (parts.size() != 3) {
            malformed("KMODD_FAKE_FAILURES", failures, "use CALL:MODULE:ERRNO");
        }
        kernel->failNext(callNamed(parts[0]), moduleName("KMODD_FAKE_FAILURES", failures, parts[1]),
                         errnoNamed("KMODD_FAKE_FAILURES", failures, parts[2]));
    }

    if (const std::string random = environment("KMODD_FAKE_RANDOM_FAILURES"); !random.empty()) {
        const auto parts = split(random, ':');
        if (parts.size() != 3) {
            malformed("KMODD_FAKE_RANDOM_FAILURES", random, "use PERCENT:ERRNO:SEED");
        }
        kernel->failRandomly(number("KMODD_FAKE_RANDOM_FAILURES", random, parts[0]),
                             errnoNamed("KMODD_FAKE_RANDOM_FAILURES", random, parts[1]),
                             number("KMODD_FAKE_RANDOM_FAILURES", random, parts[2]));
    }
    const std::string hung = environment("KMODD_FAKE_HANG");
    for (const auto& entry : split(hung, ',')) {
        const auto parts = split(entry, ':');
        if (parts.size() != 2) {
            malformed("KMODD_FAKE_HANG", hung, "use CALL:MODULE");
        }
        kernel->hang(callNamed(parts[0]), moduleName("KMODD_FAKE_HANG", hung, parts[1]));
    }

    const std::string restricted = environment("KMODD_FAKE_ROOT_ONLY_PARAMETERS");
    for (const auto& entry : split(restricted, ',')) {
        const auto dot = entry.find('.');
        if (dot == std::string::npos || dot + 1 == entry.size()) {
            malformed("KMODD_FAKE_ROOT_ONLY_PARAMETERS", restricted, "use MODULE.PARAMETER");
        }
        kernel->restrictParameter(
            moduleName("KMODD_FAKE_ROOT_ONLY_PARAMETERS", restricted, entry.substr(0, dot)),
            entry.substr(dot + 1));
    }
    if (!stateFile.empty()) {
        kernel->persistTo(stateFile);
    }
    return kernel;
}
