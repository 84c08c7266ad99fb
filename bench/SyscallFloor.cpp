// kmodd-bench-syscalls: the floor under any module loader, for the real-kernel benchmarks
// (bench/vm/kernel.sh). Each cycle opens and finit_module()s the given files in order, then
// delete_module(O_NONBLOCK)s them in reverse order, as a loader that resolved nothing would.
//
//   kmodd-bench-syscalls CYCLES MODULE.ko [--params=TEXT]...
//
// --params gives the file before it the parameters modprobe.d gives it (e.g. systemd's
// "options dummy numdummies=0"), so that the floor does the kernel work the loaders do.
// Prints one line per cycle: the nanoseconds spent inserting and removing. The module name
// given to delete_module is the file name without ".ko", '-' read as '_' as the kernel does.

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct ModuleFile {
    std::string path;
    std::string name;
    std::string parameters;
};

[[noreturn]] void die(const std::string& what, int error) {
    std::cerr << "kmodd-bench-syscalls: " << what << ": " << std::strerror(error) << "\n";
    std::exit(EXIT_FAILURE);
}

ModuleFile moduleFile(const std::string& path) {
    std::string name = std::filesystem::path(path).filename().string();
    if (!name.ends_with(".ko")) {
        std::cerr << "kmodd-bench-syscalls: " << path << " is not an uncompressed .ko file\n";
        std::exit(2);
    }
    name.resize(name.size() - 3);
    std::replace(name.begin(), name.end(), '-', '_');
    return {path, name, ""};
}

void insert(const ModuleFile& module) {
    const int fd = open(module.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        die("cannot open " + module.path, errno);
    }
    if (syscall(SYS_finit_module, fd, module.parameters.c_str(), 0) != 0) {
        die("cannot load " + module.name, errno);
    }
    close(fd);
}

void remove(const ModuleFile& module) {
    if (syscall(SYS_delete_module, module.name.c_str(), O_NONBLOCK) != 0) {
        die("cannot unload " + module.name, errno);
    }
}

std::int64_t nanosecondsSince(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: kmodd-bench-syscalls CYCLES MODULE.ko [--params=TEXT]...\n";
        return 2;
    }
    const int cycles = std::atoi(argv[1]);
    std::vector<ModuleFile> modules;
    constexpr std::string_view paramsOption = "--params=";
    for (int i = 2; i < argc; ++i) {
        const std::string_view argument = argv[i];
        if (!argument.starts_with(paramsOption)) {
            modules.push_back(moduleFile(argv[i]));
        } else if (modules.empty()) {
            std::cerr << "kmodd-bench-syscalls: --params needs a module file before it\n";
            return 2;
        } else {
            modules.back().parameters = argument.substr(paramsOption.size());
        }
    }
    for (int cycle = 0; cycle < cycles; ++cycle) {
        const auto inserting = Clock::now();
        for (const auto& module : modules) {
            insert(module);
        }
        const auto inserted = nanosecondsSince(inserting);
        const auto removing = Clock::now();
        for (auto module = modules.rbegin(); module != modules.rend(); ++module) {
            remove(*module);
        }
        std::cout << inserted << " " << nanosecondsSince(removing) << "\n";
    }
    return EXIT_SUCCESS;
}
