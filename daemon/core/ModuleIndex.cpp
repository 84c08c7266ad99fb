#include "ModuleIndex.h"

#include "Error.h"
#include "ModuleName.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <fnmatch.h>
#include <libkmod.h>
#include <set>
#include <sstream>
#include <sys/stat.h>
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

std::string joined(const std::set<std::string>& names) {
    return fmt::format("{}", fmt::join(names, ", "));
}

// The modules of a lookup's result that modprobe.d blacklists.
std::set<std::string> blacklistedAmong(kmod_ctx* context, const ModuleList& modules) {
    std::set<std::string> blacklisted;
    kmod_list* kept = nullptr;
    if (modules.get() == nullptr ||
        kmod_module_apply_filter(context, KMOD_FILTER_BLACKLIST, modules.get(), &kept) < 0) {
        return blacklisted;
    }
    const ModuleList allowed(kept);
    std::set<std::string> allowedNames;
    for (const auto& module : modulesIn(allowed)) {
        allowedNames.insert(kmod_module_get_name(module.get()));
    }
    for (const auto& module : modulesIn(modules)) {
        if (!allowedNames.contains(kmod_module_get_name(module.get()))) {
            blacklisted.insert(kmod_module_get_name(module.get()));
        }
    }
    return blacklisted;
}

struct ConfigIterFree {
    void operator()(kmod_config_iter* iter) const { kmod_config_iter_free_iter(iter); }
};

// The softdeps as libkmod has them configured (modprobe.d, modules.softdep), names as written:
// kmod_module_get_softdeps() drops the names it cannot find, and a missing soft dependency is
// one kmodd reports. The first entry whose pattern matches wins, as in libkmod. Its value
// reads "pre: a b post: c" (libkmod 30 writes no space before "post:"); names hold no ':'.
void readSoftDependencies(kmod_ctx* context, const ModuleName& name, ModprobeRules& rules) {
    const std::unique_ptr<kmod_config_iter, ConfigIterFree> iter(kmod_config_get_softdeps(context));
    while (iter && kmod_config_iter_next(iter.get())) {
        const char* pattern = kmod_config_iter_get_key(iter.get());
        const char* value = kmod_config_iter_get_value(iter.get());
        if (pattern == nullptr || value == nullptr ||
            ::fnmatch(pattern, name.str().c_str(), 0) != 0) {
            continue;
        }
        std::string_view text = value;
        const auto postAt = text.find("post:");
        const auto section = [&](std::string_view part, std::vector<ModuleName>& into) {
            std::istringstream words{std::string(part)};
            for (std::string word; words >> word;) {
                try {
                    into.push_back(ModuleName::parse(word));
                } catch (const Error&) {
                    // Not a module name: libkmod would find nothing under it either.
                }
            }
        };
        std::string_view pre = text.substr(0, postAt);
        if (pre.starts_with("pre:")) {
            section(pre.substr(4), rules.pre);
        }
        if (postAt != std::string_view::npos) {
            section(text.substr(postAt + 5), rules.post);
        }
        return;
    }
}

std::optional<std::string> optionalText(const char* text) {
    return text == nullptr ? std::nullopt : std::optional<std::string>(text);
}

// The module directory (depmod's index files in it) and the modprobe.d files and directories.
std::optional<PathChangeWatch> watchFor(ChangeDetection detection,
                                        const std::filesystem::path& moduleDirectory,
                                        const std::vector<std::filesystem::path>& configPaths) {
    if (detection != ChangeDetection::Watch) {
        return std::nullopt;
    }
    std::vector<WatchedPath> paths{{moduleDirectory}};
    for (const auto& config : configPaths) {
        paths.push_back({config, true});
    }
    return std::optional<PathChangeWatch>(std::in_place, std::move(paths));
}

} // namespace

ModuleIndex::ModuleIndex(std::filesystem::path moduleDirectory,
                         std::optional<std::vector<std::filesystem::path>> configDirectories,
                         ChangeDetection changeDetection)
    : directory_(std::filesystem::absolute(moduleDirectory)),
      configDirectories_(std::move(configDirectories)),
      watch_(watchFor(changeDetection, directory_, this->configDirectories())), context_(open()),
      configFiles_(configFilesState()) {}

std::vector<std::string> ModuleIndex::configFilesState() const {
    std::vector<std::string> state;
    for (const auto& path : configDirectories()) {
        std::error_code error;
        const auto describe = [&](const std::filesystem::path& file) {
            struct stat st {};
            if (::stat(file.c_str(), &st) == 0) {
                state.push_back(file.string() + " " + std::to_string(st.st_size) + " " +
                                std::to_string(st.st_mtim.tv_sec) + "." +
                                std::to_string(st.st_mtim.tv_nsec));
            }
        };
        if (!std::filesystem::is_directory(path, error)) {
            describe(path);
            continue;
        }
        for (std::filesystem::directory_iterator entry(path, error), end; !error && entry != end;
             entry.increment(error)) {
            describe(entry->path());
        }
    }
    std::sort(state.begin(), state.end());
    return state;
}

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
    // The watch is looked at first, and set again then: what changes during the comparison
    // below is seen by the next call.
    if (watch_ && !watch_->changedSinceLastLook() && !stale_) {
        return;
    }
    stale_ = true;
    auto configFiles = configFilesState();
    if (kmod_validate_resources(context_.get()) != KMOD_RESOURCES_OK ||
        configFiles != configFiles_) {
        context_ = open();
        configFiles_ = std::move(configFiles);
    }
    stale_ = false;
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
    const std::set<std::string> blacklisted = blacklistedAmong(context_.get(), results);
    if (!candidateNames.contains(withUnderscores(request)) && !blacklisted.empty()) {
        // As modprobe: an alias never resolves to a blacklisted module (its name still does).
        std::erase_if(candidates, [&](const ModulePtr& module) {
            return blacklisted.contains(kmod_module_get_name(module.get()));
        });
        std::erase_if(candidateNames,
                      [&](const std::string& name) { return blacklisted.contains(name); });
        if (candidates.empty()) {
            throw Error(ErrorKind::NotAllowed,
                        "cannot load '" + request + "': it is an alias of " + joined(blacklisted) +
                            ", which modprobe.d blacklists; as with modprobe, a blacklisted module "
                            "is loaded only by its own name");
        }
    }
    if (candidates.size() > 1) {
        throw Error(ErrorKind::InvalidArgument,
                    "'" + request + "' is an alias of several modules (" + joined(candidateNames) +
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

ModprobeRules ModuleIndex::rulesOf(const ModuleName& name) const {
    ModprobeRules rules;
    kmod_module* found = nullptr;
    if (kmod_module_new_from_name(context_.get(), name.str().c_str(), &found) < 0) {
        return rules;
    }
    const ModulePtr module(found);
    rules.options = optionalText(kmod_module_get_options(module.get())).value_or("");
    rules.install = optionalText(kmod_module_get_install_commands(module.get()));
    rules.remove = optionalText(kmod_module_get_remove_commands(module.get()));
    readSoftDependencies(context_.get(), name, rules);
    return rules;
}

std::vector<std::filesystem::path> ModuleIndex::configDirectories() const {
    if (configDirectories_) {
        return *configDirectories_;
    }
    // libkmod's defaults (kmod's libkmod.c default_config_paths), /usr/lib for newer kmod.
    return {"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
            "/usr/lib/modprobe.d", "/lib/modprobe.d"};
}

} // namespace kmodd
