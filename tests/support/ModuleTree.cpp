#include "ModuleTree.h"

#include "ModuleName.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <spawn.h>
#include <stdexcept>
#include <string_view>
#include <sys/wait.h>

extern char** environ;

namespace kmodd::testing {
namespace {

namespace fs = std::filesystem;

constexpr auto fileMode = fs::perms(0644);
constexpr std::string_view trustedRootInTree = "lib/modules";
constexpr std::string_view modprobeDirectoryInTree = "etc/modprobe.d";

// moduleDirectory() relative to the tree's root.
fs::path moduleDirectoryInTree() {
    return fs::path(trustedRootInTree) / ModuleTree::release;
}

std::string joined(const auto& items, std::string_view separator) {
    return fmt::format("{}", fmt::join(items, separator));
}

// The body of a C string literal holding text; octal escapes are always three digits so that
// a following digit cannot extend them.
std::string cLiteral(std::string_view text) {
    std::string literal;
    for (char c : text) {
        if (c == '"' || c == '\\') {
            literal += '\\';
            literal += c;
        } else if (c >= ' ' && c < 0x7f) {
            literal += c;
        } else {
            char escape[5];
            std::snprintf(escape, sizeof escape, "\\%03o", static_cast<unsigned char>(c));
            literal += escape;
        }
    }
    return literal;
}

// One array per entry, byte-aligned, as the kernel's MODULE_INFO emits them.
std::string modinfoEntry(std::size_t index, std::string_view entry) {
    return "__attribute__((section(\".modinfo\"), used, aligned(1))) static const char modinfo" +
           std::to_string(index) + "[] = \"" + cLiteral(entry) + "\";\n";
}

std::vector<std::string> modinfoEntries(const ModuleSpec& spec, const std::string& canonical,
                                        const std::set<std::string>& depends) {
    std::vector<std::string> entries{
        "name=" + canonical, std::string("vermagic=") + ModuleTree::release + " SMP mod_unload",
        "depends=" + joined(depends, ",")};
    if (!spec.version.empty()) {
        entries.push_back("version=" + spec.version);
    }
    if (!spec.softdep.empty()) {
        entries.push_back("softdep=" + spec.softdep);
    }
    for (const auto& alias : spec.aliases) {
        entries.push_back("alias=" + alias);
    }
    for (const auto& parameter : spec.parameters) {
        const auto colon = parameter.find(':');
        if (colon == std::string::npos) {
            throw std::runtime_error("parameter '" + parameter + "' of module '" + spec.name +
                                     "' is not written as name:type");
        }
        const auto name = parameter.substr(0, colon);
        entries.push_back("parmtype=" + parameter);
        entries.push_back("parm=" + name + ":test parameter " + name);
    }
    return entries;
}

std::string moduleSource(const ModuleSpec& spec, const std::vector<std::string>& entries) {
    std::string source;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        source += modinfoEntry(i, entries[i]);
    }
    if (!spec.exports.empty()) {
        std::vector<std::string> names;
        for (const auto& symbol : spec.exports) {
            names.push_back(cLiteral(symbol));
        }
        source += "__attribute__((section(\"__ksymtab_strings\"), used, aligned(1))) static const "
                  "char ksymtab_strings[] = \"" +
                  joined(names, "\\000") + "\";\n";
    }
    for (const auto& symbol : spec.exports) {
        source += "int " + symbol + "(void) { return 0; }\n";
    }
    if (!spec.uses.empty()) {
        for (const auto& symbol : spec.uses) {
            source += "extern int " + symbol + "(void);\n";
        }
        source += "__attribute__((used)) static int use_dependencies(void) { return 0";
        for (const auto& symbol : spec.uses) {
            source += " + " + symbol + "()";
        }
        source += "; }\n";
    }
    return source;
}

// The object file for a C source. Tests build the same few modules over and over, so each
// distinct source is compiled once per process.
std::string compiled(const std::string& source) {
    static std::mutex mutex;
    static std::map<std::string, std::string> objects;
    std::lock_guard lock(mutex);
    if (const auto found = objects.find(source); found != objects.end()) {
        return found->second;
    }
    const ScratchDirectory scratch("cc");
    const auto object = scratch / "module.o";
    runCommand({"cc", "-c", "-o", object.string(), scratch.write("module.c", source).string()});
    std::ifstream in(object, std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return objects.emplace(source, std::move(bytes)).first->second;
}

// xz's --check value for check.
std::string xzCheckOption(XzCheck check) {
    switch (check) {
    case XzCheck::None:
        return "none";
    case XzCheck::Crc32:
        return "crc32";
    case XzCheck::Crc64:
        return "crc64";
    case XzCheck::Sha256:
        return "sha256";
    }
    throw std::invalid_argument("xz cannot write check " + xzCheckName(check));
}

} // namespace

ModuleTree::ModuleTree() {
    directory_.createDirectories(moduleDirectoryInTree());
    directory_.createDirectories(modprobeDirectoryInTree);
}

fs::path ModuleTree::writeModprobeConfig(const std::string& fileName, const std::string& text) {
    return directory_.write(fs::path(modprobeDirectoryInTree) / fileName, text);
}

fs::path ModuleTree::modprobeDirectory() const {
    return directory_ / modprobeDirectoryInTree;
}

fs::path ModuleTree::add(const ModuleSpec& spec) {
    const auto canonical = ModuleName::parse(spec.name).str();
    std::set<std::string> depends;
    for (const auto& symbol : spec.uses) {
        const auto exporter = exporters_.find(symbol);
        if (exporter == exporters_.end()) {
            throw std::runtime_error("module '" + spec.name + "' uses symbol '" + symbol +
                                     "' that no module added before exports");
        }
        if (exporter->second != canonical) {
            depends.insert(exporter->second);
        }
    }

    const auto object =
        directory_.write(moduleDirectoryInTree() / spec.directory / (spec.name + ".ko"),
                         compiled(moduleSource(spec, modinfoEntries(spec, canonical, depends))));

    for (const auto& symbol : spec.exports) {
        exporters_[symbol] = canonical;
    }
    modules_[canonical] = object;
    return object;
}

fs::path ModuleTree::compress(const std::string& name, Compression compression, XzCheck xzCheck) {
    const auto original = pathOf(name);
    if (original.extension() != ".ko") {
        throw std::runtime_error("module '" + name +
                                 "' is already compressed: " + original.string());
    }
    auto compressed = original;
    switch (compression) {
    case Compression::None:
        return original;
    case Compression::Gzip:
        runCommand({"gzip", "-n", "-9", "-f", original.string()});
        compressed += ".gz";
        break;
    case Compression::Xz:
        runCommand({"xz", "--check=" + xzCheckOption(xzCheck), "--lzma2=dict=1MiB", "-f",
                    original.string()});
        compressed += ".xz";
        break;
    case Compression::Zstd:
        runCommand({"zstd", "-q", "-f", "--rm", original.string()});
        compressed += ".zst";
        break;
    }
    fs::permissions(compressed, fileMode);
    modules_[ModuleName::parse(name).str()] = compressed;
    return compressed;
}

void ModuleTree::addBuiltin(const std::string& name, const std::string& directory) {
    builtins_.push_back(directory + "/" + name + ".ko");
}

void ModuleTree::index() {
    std::string builtin;
    for (const auto& entry : builtins_) {
        builtin += entry + "\n";
    }
    // depmod warns about each of these files when it is missing.
    const auto inTree = moduleDirectoryInTree();
    directory_.write(inTree / "modules.builtin", builtin);
    directory_.write(inTree / "modules.builtin.modinfo", "");
    directory_.write(inTree / "modules.order", "");
    runCommand({"depmod", "-b", root().string(), release});
    for (const auto& entry : fs::directory_iterator(moduleDirectory())) {
        if (entry.is_regular_file() && entry.path().filename().string().starts_with("modules.")) {
            fs::permissions(entry.path(), fileMode);
        }
    }
}

fs::path ModuleTree::moduleDirectory() const {
    return directory_ / moduleDirectoryInTree();
}

fs::path ModuleTree::trustedRoot() const {
    return directory_ / trustedRootInTree;
}

fs::path ModuleTree::pathOf(const std::string& name) const {
    const auto module = modules_.find(ModuleName::parse(name).str());
    if (module == modules_.end()) {
        throw std::runtime_error("no module '" + name + "' was added to the tree");
    }
    return module->second;
}

void runCommand(const std::vector<std::string>& argv) {
    if (argv.empty()) {
        throw std::runtime_error("cannot run an empty command");
    }
    const auto command = joined(argv, " ");
    std::vector<char*> arguments;
    for (const auto& argument : argv) {
        arguments.push_back(const_cast<char*>(argument.c_str()));
    }
    arguments.push_back(nullptr);

    pid_t pid = 0;
    const int spawnError =
        ::posix_spawnp(&pid, arguments[0], nullptr, nullptr, arguments.data(), environ);
    if (spawnError != 0) {
        throw std::runtime_error("cannot run '" + command + "': " + std::strerror(spawnError));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            throw std::runtime_error("cannot wait for '" + command + "': " + std::strerror(errno));
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return;
    }
    throw std::runtime_error("command '" + command + "' " +
                             (WIFEXITED(status)
                                  ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                  : "was killed by signal " + std::to_string(WTERMSIG(status))));
}

} // namespace kmodd::testing
