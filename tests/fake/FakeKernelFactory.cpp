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
//
// A malformed value stops the daemon with a message naming the variable.

#include "Error.h"
#include "FakeKernel.h"
#include "KernelFactory.h"
#include "ModuleName.h"

#include <charconv>
#include <cstdlib>
#include <cstring>
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

int errnoNamed(const std::string& name) {
    for (int number = 1; number < 4096; ++number) {
        const char* candidate = ::strerrorname_np(number);
        if (candidate != nullptr && name == candidate) {
            return number;
        }
    }
    return 0;
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
    kernel->setCompression(environment("KMODD_FAKE_COMPRESSION"));

    if (const std::string delay = environment("KMODD_FAKE_DELAY_MS"); !delay.empty()) {
        unsigned milliseconds = 0;
        const auto [end, error] =
            std::from_chars(delay.data(), delay.data() + delay.size(), milliseconds);
        if (error != std::errc() || end != delay.data() + delay.size()) {
            malformed("KMODD_FAKE_DELAY_MS", delay, "not a number of milliseconds");
        }
        kernel->setDelay(std::chrono::milliseconds(milliseconds));
    }

    const std::string preloaded = environment("KMODD_FAKE_PRELOADED");
    for (const auto& entry : split(preloaded, ',')) {
        auto names = split(entry, ':');
        if (names.empty()) {
            malformed("KMODD_FAKE_PRELOADED", preloaded, "an entry is empty");
        }
        std::vector<std::string> dependencies;
        for (std::size_t i = 1; i < names.size(); ++i) {
            dependencies.push_back(moduleName("KMODD_FAKE_PRELOADED", preloaded, names[i]));
        }
        kernel->addLoaded(moduleName("KMODD_FAKE_PRELOADED", preloaded, names.front()),
                          std::move(dependencies));
    }

    const std::string failures = environment("KMODD_FAKE_FAILURES");
    for (const auto& entry : split(failures, ',')) {
        const auto parts = split(entry, ':');
        if (parts.size() != 3) {
            malformed("KMODD_FAKE_FAILURES", failures, "use CALL:MODULE:ERRNO");
        }
        const int errnum = errnoNamed(parts[2]);
        if (errnum == 0) {
            malformed("KMODD_FAKE_FAILURES", failures, "unknown errno name");
        }
        kernel->failNext(callNamed(parts[0]), moduleName("KMODD_FAKE_FAILURES", failures, parts[1]),
                         errnum);
    }
    return kernel;
}
