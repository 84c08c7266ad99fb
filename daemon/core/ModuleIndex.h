#pragma once

#include "ModprobeRules.h"
#include "ModuleName.h"
#include "PathChangeWatch.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct kmod_ctx;

namespace kmodd {

/// A module and the file it is loaded from.
struct ModuleFile {
    ModuleName name;
    std::filesystem::path path;

    bool operator==(const ModuleFile&) const = default;
};

/// What a requested name or alias stands for.
struct Resolution {
    std::string requested;             ///< as the caller wrote it
    ModuleName name;                   ///< the module it resolved to
    bool builtin = false;              ///< built into the kernel: nothing to load
    std::vector<ModuleFile> loadOrder; ///< dependencies first (modules.dep order), the module last
};

/// How ModuleIndex::reloadIfChanged() learns that the indexes or modprobe.d changed.
enum class ChangeDetection {
    Watch,   ///< an inotify watch first; the files are compared only after it saw a change
    Compare, ///< every file compared every time, as where inotify cannot tell
};

/// Module lookup through libkmod on one module directory, as modprobe resolves names: the name
/// itself, then aliases (modprobe.d, modules.alias), then built-in modules; as modprobe does,
/// a module that modprobe.d blacklists is never the result of an alias. The libkmod context
/// and its indexes stay loaded; reloadIfChanged() reopens them when depmod or a modprobe.d
/// change has made them stale. Not thread-safe: use from one thread.
class ModuleIndex {
  public:
    /// Opens moduleDirectory (e.g. /lib/modules/6.1.0-28-amd64). configDirectories are the
    /// modprobe.d-style directories whose aliases count; nullopt means libkmod's defaults.
    /// Throws Error(Failed) if the directory has no usable index.
    explicit ModuleIndex(
        std::filesystem::path moduleDirectory,
        std::optional<std::vector<std::filesystem::path>> configDirectories = std::nullopt,
        ChangeDetection changeDetection = ChangeDetection::Watch);
    ~ModuleIndex();
    ModuleIndex(const ModuleIndex&) = delete;
    ModuleIndex& operator=(const ModuleIndex&) = delete;

    /// Reopens the indexes and configuration if they changed on disk since they were read. Call
    /// it once per request, so that every request sees what modprobe would see then, without
    /// the few stat() it takes for every lookup of a request (a boot list makes dozens). While
    /// the watch has seen nothing change, it costs one read() of the watch's descriptor; after a
    /// reopen failed (the directory gone), every call tries again until one succeeds.
    void reloadIfChanged() const;

    /// Whether changes are watched (ChangeDetection::Watch, and inotify can tell), rather than
    /// every file compared on every reloadIfChanged().
    bool watchesForChanges() const noexcept { return watch_ && watch_->watching(); }

    /// Resolves a validated request name with the indexes as they are loaded. Throws
    /// Error(NotFound) naming it when nothing matches, Error(NotAllowed) when an alias matches
    /// only blacklisted modules, Error(InvalidArgument) when it matches several modules.
    Resolution resolve(std::string_view requested) const;

    /// The file the module directory holds under exactly this name (no alias, no dependency);
    /// nullopt for a built-in module or one the directory does not know.
    std::optional<std::filesystem::path> fileOf(const ModuleName& name) const;

    /// What modprobe.d and the kernel command line say about a module (options, install and
    /// remove commands, soft dependencies); empty rules for a name libkmod cannot look up.
    ModprobeRules rulesOf(const ModuleName& name) const;

    /// The modprobe.d files and directories the rules come from: the configured ones, or
    /// libkmod's defaults.
    std::vector<std::filesystem::path> configDirectories() const;

    const std::filesystem::path& directory() const noexcept { return directory_; }

  private:
    using Context = std::unique_ptr<kmod_ctx, kmod_ctx* (*)(kmod_ctx*)>;
    Context open() const;
    /// What the modprobe.d files are now: name, size and modification time of each.
    std::vector<std::string> configFilesState() const;

    std::filesystem::path directory_;
    std::optional<std::vector<std::filesystem::path>> configDirectories_;
    /// Set before the indexes are read, so that no change after the read goes unseen.
    mutable std::optional<PathChangeWatch> watch_;
    mutable Context context_;
    /// libkmod notices a file added or removed (the directory's mtime), not one edited in place.
    mutable std::vector<std::string> configFiles_;
    /// A change was seen and the reopen failed: compare again on every call until it works.
    mutable bool stale_ = false;
};

} // namespace kmodd
