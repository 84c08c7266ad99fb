#include "LinuxKernel.h"

#include "Error.h"
#include "ProcModules.h"
#include "UniqueFd.h"
#include "WholeFile.h"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <system_error>
#include <unistd.h>

namespace kmodd {
namespace {

int resultOf(long syscallResult) {
    return syscallResult == 0 ? 0 : errno;
}

struct Attribute {
    std::string text;
    bool readableByOthers = false; ///< mode has S_IROTH: anyone could read it themselves
};

// A sysfs attribute without its trailing newlines; nullopt when it is missing (as when its
// module is unloaded meanwhile), is not a readable file (write-only parameters) or fails to read.
std::optional<Attribute> readAttribute(int directory, const char* name) {
    const UniqueFd fd(::openat(directory, name, O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
        (st.st_mode & (S_IRUSR | S_IRGRP | S_IROTH)) == 0) {
        return std::nullopt;
    }
    auto text = readWholeFile<std::string>(fd.get());
    if (!text) {
        return std::nullopt;
    }
    text->erase(text->find_last_not_of('\n') + 1);
    return Attribute{std::move(*text), (st.st_mode & S_IROTH) != 0};
}

// An attribute's text, or fallback when it cannot be read.
std::string textOf(const std::filesystem::path& path, std::string_view fallback) {
    const auto attribute = readAttribute(AT_FDCWD, path.c_str());
    return attribute ? attribute->text : std::string(fallback);
}

struct CloseDirectory {
    void operator()(DIR* stream) const { ::closedir(stream); }
};

// The entries of a directory; none if it is missing or unreadable.
std::vector<std::string> namesIn(int parent, const char* directory) {
    std::vector<std::string> names;
    const int fd = ::openat(parent, directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return names;
    }
    DIR* opened = ::fdopendir(fd);
    if (opened == nullptr) {
        ::close(fd);
        return names;
    }
    const std::unique_ptr<DIR, CloseDirectory> stream(opened);
    while (const dirent* entry = ::readdir(stream.get())) {
        const std::string_view name = entry->d_name;
        if (name != "." && name != "..") {
            names.emplace_back(name);
        }
    }
    return names;
}

} // namespace

LinuxKernel::LinuxKernel(std::filesystem::path procRoot, std::filesystem::path sysRoot)
    : procRoot_(std::move(procRoot)), sysRoot_(std::move(sysRoot)) {}

int LinuxKernel::finitModule(int fd, const std::string& parameters, unsigned flags) {
    return resultOf(::syscall(SYS_finit_module, fd, parameters.c_str(), flags));
}

int LinuxKernel::initModule(std::span<const std::byte> image, const std::string& parameters) {
    return resultOf(::syscall(SYS_init_module, image.data(), image.size(), parameters.c_str()));
}

int LinuxKernel::deleteModule(const ModuleName& name, unsigned flags) {
    return resultOf(::syscall(SYS_delete_module, name.str().c_str(), flags));
}

std::vector<LoadedModule> LinuxKernel::loadedModules() const {
    const auto path = procRoot_ / "modules";
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    const auto text = fd ? readWholeFile<std::string>(fd.get()) : std::nullopt;
    if (!text) {
        throw Error(ErrorKind::Failed,
                    "cannot read " + path.string() + ": " + std::generic_category().message(errno));
    }
    return parseProcModules(*text);
}

std::optional<ModuleParameters> LinuxKernel::moduleParameters(const ModuleName& name) const {
    const auto path = sysRoot_ / "module" / name.str();
    const UniqueFd directory(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!directory) {
        return std::nullopt;
    }
    ModuleParameters parameters;
    for (const auto& parameter : namesIn(directory.get(), "parameters")) {
        if (auto value = readAttribute(directory.get(), ("parameters/" + parameter).c_str())) {
            parameters.emplace(parameter, value->readableByOthers
                                              ? std::optional(std::move(value->text))
                                              : std::nullopt);
        }
    }
    // A module unloaded while it was being read has lost its directory: it is gone.
    if (::access(path.c_str(), F_OK) != 0) {
        return std::nullopt;
    }
    return parameters;
}

std::string LinuxKernel::compression() const {
    return textOf(sysRoot_ / "module" / "compression", "");
}

ModuleRestrictions LinuxKernel::moduleRestrictions() const {
    ModuleRestrictions restrictions;
    const auto disabled = procRoot_ / "sys" / "kernel" / "modules_disabled";
    restrictions.modulesDisabled = textOf(disabled, "0") == "1";
    // "none [integrity] confidentiality": the bracketed word is in force.
    const auto lockdown = sysRoot_ / "kernel" / "security" / "lockdown";
    const std::string modes = textOf(lockdown, "");
    const auto open = modes.find('[');
    const auto close = modes.find(']', open);
    if (open != std::string::npos && close != std::string::npos &&
        modes.substr(open + 1, close - open - 1) != "none") {
        restrictions.lockdown = modes.substr(open + 1, close - open - 1);
    }
    const auto enforce = sysRoot_ / "module" / "module" / "parameters" / "sig_enforce";
    restrictions.signaturesEnforced = textOf(enforce, "N") == "Y";
    return restrictions;
}

} // namespace kmodd
