#include "ModuleIndex.h"

#include "Error.h"

#include <cstring>
#include <libkmod.h>
#include <set>
#include <syslog.h>

namespace kmodd {
namespace {

struct ModuleUnref {
    void operator()(kmod_module* module) const { kmod_module_unref(module); }
};
using ModulePtr = std::unique_ptr<kmod_module, ModuleUnref>;

struct ModuleListUnref {
    void operator()(kmod_list* list) const { kmod_module_unref_list(list); }
};
using ModuleList = std::unique_ptr<kmod_list, ModuleListUnref>;

std::vector<ModulePtr> modulesIn(const ModuleList& list) {
    std::vector<ModulePtr> modules;
    kmod_list* entry = nullptr;
    kmod_list_foreach(entry, list.get()) {
        modules.emplace_back(kmod_module_get_module(entry));
    }
    return modules;
}

// modprobe's order: every dependency before its dependents, each module once.
void appendWithDependencies(kmod_module* module, const std::filesystem::path& directory,
                            std::set<std::string>& visited, std::vector<ModuleFile>& loadOrder) {
    const std::string name = kmod_module_get_name(module);
    if (!visited.insert(name).second) {
        return;
    }
    for (const auto& dependency : modulesIn(ModuleList(kmod_module_get_dependencies(module)))) {
        appendWithDependencies(dependency.get(), directory, visited, loadOrder);
    }
    const char* path = kmod_module_get_path(module);
    if (path == nullptr) {
        throw Error(ErrorKind::NotFound,
                    "module '" + name + "' has no file in " + directory.string());
    }
    loadOrder.push_back({ModuleName::parse(name), path});
}

} // namespace

ModuleIndex::ModuleIndex(std::filesystem::path moduleDirectory,
                         std::optional<std::vector<std::filesystem::path>> configDirectories)
    : directory_(std::filesystem::absolute(moduleDirectory)),
      configDirectories_(std::move(configDirectories)), context_(open()) {}

ModuleIndex::Context ModuleIndex::open() const {
    std::vector<const char*> configPaths;
    if (configDirectories_) {
        for (const auto& config : *configDirectories_) {
            configPaths.push_back(config.c_str());
        }
        configPaths.push_back(nullptr);
    }
    Context context(kmod_new(directory_.c_str(), configDirectories_ ? configPaths.data() : nullptr),
                    kmod_unref);
    if (!context) {
        throw Error(ErrorKind::Failed,
                    "cannot open the module index in " + directory_.string() + ": out of memory");
    }
    kmod_set_log_priority(context.get(), LOG_ERR);
    if (const int error = kmod_load_resources(context.get()); error < 0) {
        // "Run depmod" would send the reader the wrong way.
        if (std::error_code ignored; !std::filesystem::exists(directory_, ignored)) {
            throw Error(ErrorKind::Failed,
                        "the module directory " + directory_.string() + " does not exist");
        }
        throw Error(ErrorKind::Failed, "cannot read the module index in " + directory_.string() +
                                           " (" + std::strerror(-error) + "): run depmod");
    }
    return context;
}

void ModuleIndex::reloadIfChanged() const {
    if (kmod_validate_resources(context_.get()) != KMOD_RESOURCES_OK) {
        context_ = open();
    }
}

ModuleIndex::~ModuleIndex() = default;

Resolution ModuleIndex::resolve(std::string_view requested) const {
    const std::string request(requested);
    kmod_list* found = nullptr;
    const int error = kmod_module_new_from_lookup(context_.get(), request.c_str(), &found);
    const ModuleList results(found);
    if (error < 0) {
        throw Error(ErrorKind::Failed, "cannot look up module '" + request + "' in " +
                                           directory_.string() + ": " + std::strerror(-error));
    }

    // One module can match an alias through several patterns: count distinct modules.
    std::vector<ModulePtr> candidates;
    std::set<std::string> candidateNames;
    for (auto& module : modulesIn(results)) {
        if (candidateNames.insert(kmod_module_get_name(module.get())).second) {
            candidates.push_back(std::move(module));
        }
    }
    if (candidates.empty()) {
        throw Error(ErrorKind::NotFound,
                    "module '" + request + "' not found in " + directory_.string());
    }
    if (candidates.size() > 1) {
        std::string names;
        for (const auto& name : candidateNames) {
            names += (names.empty() ? "" : ", ") + name;
        }
        throw Error(ErrorKind::InvalidArgument, "'" + request +
                                                    "' is an alias of several modules (" + names +
                                                    "): request one of them by name");
    }

    kmod_module* module = candidates.front().get();
    Resolution resolution{request, ModuleName::parse(kmod_module_get_name(module)), false, {}};
    if (kmod_module_get_path(module) == nullptr &&
        kmod_module_get_initstate(module) == KMOD_MODULE_BUILTIN) {
        resolution.builtin = true;
        return resolution;
    }
    std::set<std::string> visited;
    appendWithDependencies(module, directory_, visited, resolution.loadOrder);
    return resolution;
}

std::optional<std::filesystem::path> ModuleIndex::fileOf(const ModuleName& name) const {
    kmod_module* found = nullptr;
    if (kmod_module_new_from_name(context_.get(), name.str().c_str(), &found) < 0) {
        return std::nullopt;
    }
    const ModulePtr module(found);
    const char* path = kmod_module_get_path(module.get());
    return path == nullptr ? std::nullopt : std::optional<std::filesystem::path>(path);
}

} // namespace kmodd
