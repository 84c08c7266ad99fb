#include "ModuleFacts.h"

#include "Error.h"
#include "TrustedFile.h"

#include <array>
#include <cstring>
#include <libkmod.h>
#include <memory>

namespace kmodd {
namespace {

// What the daemon reads of a module; the rest (aliases, descriptions of the module) is left
// out so that a cache of hundreds of files stays small.
constexpr std::array keptKeys{"version", "signer", "parm", "parmtype"};

struct ContextUnref {
    void operator()(kmod_ctx* context) const { kmod_unref(context); }
};
struct ModuleUnref {
    void operator()(kmod_module* module) const { kmod_module_unref(module); }
};
struct InfoListFree {
    void operator()(kmod_list* list) const { kmod_module_info_free_list(list); }
};

bool kept(std::string_view key) {
    for (const std::string_view wanted : keptKeys) {
        if (key == wanted) {
            return true;
        }
    }
    return false;
}

[[noreturn]] void unreadable(const ModuleFile& file, int error) {
    throw Error(ErrorKind::KernelRejected,
                "cannot load " + file.name.str() + ": " + file.path.string() +
                    " is not a readable kernel module (" + std::strerror(error) + ")");
}

} // namespace

std::string ModuleFacts::first(std::string_view key) const {
    const auto values = modinfo.values(key);
    return values.empty() ? std::string() : values.front();
}

ModuleFacts readModuleFacts(const std::vector<std::filesystem::path>& trustedRoots,
                            const ModuleFile& file) {
    const TrustedModuleFile opened = openTrustedModule(trustedRoots, file.path);
    // libkmod reads the signature (signer) too, and decompresses; it takes a path only, and
    // /proc/self/fd names the checked descriptor. An empty list of configuration directories:
    // reading a file needs no modprobe.d. One context per call, since a context is not
    // thread-safe and this runs on several threads.
    const char* noConfiguration[] = {nullptr};
    const std::unique_ptr<kmod_ctx, ContextUnref> context(kmod_new(nullptr, noConfiguration));
    if (!context) {
        unreadable(file, ENOMEM);
    }
    const std::string descriptor = "/proc/self/fd/" + std::to_string(opened.fd.get());
    kmod_module* found = nullptr;
    if (const int error = kmod_module_new_from_path(context.get(), descriptor.c_str(), &found);
        error < 0) {
        unreadable(file, -error);
    }
    const std::unique_ptr<kmod_module, ModuleUnref> module(found);
    kmod_list* entries = nullptr;
    if (const int error = kmod_module_get_info(module.get(), &entries); error < 0) {
        unreadable(file, -error);
    }
    const std::unique_ptr<kmod_list, InfoListFree> info(entries);
    std::vector<std::pair<std::string, std::string>> keptEntries;
    kmod_list* entry = nullptr;
    kmod_list_foreach(entry, info.get()) {
        const char* key = kmod_module_info_get_key(entry);
        const char* value = kmod_module_info_get_value(entry);
        if (key != nullptr && value != nullptr && kept(key)) {
            keptEntries.emplace_back(key, value);
        }
    }
    return {opened.identity, ModInfo(std::move(keptEntries))};
}

} // namespace kmodd
