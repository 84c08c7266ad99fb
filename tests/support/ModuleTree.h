#pragma once

#include "Compression.h"
#include "ScratchDirectory.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace kmodd::testing {

/// A fake kernel module for a ModuleTree: a small ELF object compiled with the host compiler,
/// with a .modinfo section and exported symbols, which depmod indexes like a real module.
/// Every member but name has a default initializer so that designated initializers stay
/// -Wmissing-field-initializers clean.
struct ModuleSpec {
    std::string name;                      ///< file name stem, e.g. "dummy" or "user-mod"
    std::vector<std::string> exports{};    ///< symbols it exports (others depend on these)
    std::vector<std::string> uses{};       ///< symbols it needs from other modules
    std::vector<std::string> aliases{};    ///< modinfo alias= entries
    std::vector<std::string> parameters{}; ///< "name:type", e.g. "numdummies:int"
    std::string directory = "kernel/drivers/test";
    std::string version{}; ///< modinfo version=, if not empty
    /// modinfo softdep=, e.g. "pre: nlmon post: ifb"; depmod writes it to modules.softdep
    std::string softdep{};
};

/// A temporary directory holding <root>/lib/modules/<release>/..., removed on destruction.
/// Everything in it is owned by root with mode 0755/0644, so it passes the trust rules until a
/// test changes that.
class ModuleTree {
  public:
    static constexpr const char* release = "6.1.0-kmodd-test";

    ModuleTree();

    /// Compiles and places a module; returns its path.
    std::filesystem::path add(const ModuleSpec& spec);
    /// Replaces a module's file with a compressed copy (.ko.gz, .ko.xz, .ko.zst); returns it.
    /// The host's kmod is built without zlib, so depmod leaves .ko.gz modules out of the index.
    /// An xz stream gets the check xzCheck (the kernel's build writes CRC32).
    std::filesystem::path compress(const std::string& name, Compression compression,
                                   XzCheck xzCheck = XzCheck::Crc32);
    /// Lists a module as built into the kernel (modules.builtin).
    void addBuiltin(const std::string& name, const std::string& directory = "kernel/fs");
    /// Runs depmod -b over the tree; call after the last add/compress.
    void index();

    /// Writes a file of the tree's modprobe.d (<root>/etc/modprobe.d), e.g.
    /// writeModprobeConfig("test.conf", "options dummy numdummies=3\n").
    std::filesystem::path writeModprobeConfig(const std::string& fileName, const std::string& text);
    /// <root>/etc/modprobe.d, which exists (empty) from the start: pass it as the index's
    /// configuration so that the host's modprobe.d stays out of the test.
    std::filesystem::path modprobeDirectory() const;

    const std::filesystem::path& root() const noexcept { return directory_.path(); }
    /// <root>/lib/modules/<release>
    std::filesystem::path moduleDirectory() const;
    /// The trusted root for this tree: <root>/lib/modules
    std::filesystem::path trustedRoot() const;
    /// Path of a module added earlier (after compress, the compressed file).
    std::filesystem::path pathOf(const std::string& name) const;

  private:
    ScratchDirectory directory_{"modules"};
    std::vector<std::string> builtins_;
    std::map<std::string, std::filesystem::path> modules_; ///< canonical name -> current file
    std::map<std::string, std::string> exporters_;         ///< symbol -> canonical module name
};

/// Runs a command (argv[0] looked up in PATH), throws std::runtime_error if it fails.
void runCommand(const std::vector<std::string>& argv);

} // namespace kmodd::testing
