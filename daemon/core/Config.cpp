#include "Config.h"

#include "Error.h"
#include "ModuleName.h"
#include "Policy.h"
#include "TrustedConfigFiles.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <sstream>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

namespace kmodd {
namespace {

namespace fs = std::filesystem;

std::string typeName(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Map:
        return "a map";
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Scalar:
        return "a single value";
    default:
        return "nothing";
    }
}

/// Reads one YAML document into a Config, naming the file, line and key in every error.
class DocumentReader {
  public:
    DocumentReader(Config& config, const std::string& fileName)
        : config_(config), fileName_(fileName) {}

    void read(const YAML::Node& root) {
        if (root.IsNull()) {
            return;
        }
        if (!root.IsMap()) {
            fail(root.Mark(), "the top level must be a map of keys, not " + typeName(root));
        }
        for (const auto& [key, value] : entries(root, "")) {
            const std::string& name = key.Scalar();
            if (name == "trusted_paths") {
                config_.trustedPaths = trustedPaths(key, value);
            } else if (name == "allow") {
                config_.allow = globs(key, value);
            } else if (name == "deny") {
                config_.deny = globs(key, value);
            } else if (name == "modules") {
                readModules(key, value);
            } else if (name == "boot") {
                config_.boot = bootNames(key, value);
            } else {
                fail(key.Mark(), "unknown key " + quoteForMessage(name, 128) +
                                     " (expected trusted_paths, allow, deny, modules, boot)");
            }
        }
    }

  private:
    using Entry = std::pair<YAML::Node, YAML::Node>;

    [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const {
        throw Error(ErrorKind::ConfigInvalid,
                    fileName_ + ":" + std::to_string(mark.line + 1) + ": " + message);
    }

    [[noreturn]] void fail(const YAML::Mark& mark, const std::string& key,
                           const std::string& reason) const {
        fail(mark, "key " + quoteForMessage(key, 128) + ": " + reason);
    }

    static std::string childKey(const std::string& parent, const YAML::Node& key) {
        return parent.empty() ? key.Scalar() : parent + "." + key.Scalar();
    }

    // The entries of a map, refusing non-scalar keys and keys given twice ('-' and '_' being the
    // same), which yaml-cpp lets through.
    std::vector<Entry> entries(const YAML::Node& map, const std::string& path) const {
        std::vector<Entry> result;
        std::map<std::string, int> firstLines;
        for (const auto& entry : map) {
            const YAML::Node& key = entry.first;
            if (!key.IsScalar()) {
                fail(key.Mark(), path, "a map key must be a name, not " + typeName(key));
            }
            const auto [first, isNew] =
                firstLines.emplace(withUnderscores(key.Scalar()), key.Mark().line);
            if (!isNew) {
                fail(key.Mark(), childKey(path, key),
                     "given twice (first on line " + std::to_string(first->second + 1) + ")");
            }
            result.emplace_back(key, entry.second);
        }
        return result;
    }

    std::vector<Entry> mapEntries(const YAML::Node& key, const YAML::Node& value,
                                  const std::string& path) const {
        if (!value.IsMap()) {
            fail(key.Mark(), path, "expected a map, not " + typeName(value));
        }
        return entries(value, path);
    }

    // The items of a list of single values, with each item's node for its line.
    std::vector<YAML::Node> scalarList(const YAML::Node& key, const YAML::Node& value,
                                       const std::string& what) const {
        const std::string path = key.Scalar();
        if (!value.IsSequence()) {
            fail(key.Mark(), path, "expected a list of " + what + ", not " + typeName(value));
        }
        std::vector<YAML::Node> items;
        for (const YAML::Node& item : value) {
            if (!item.IsScalar()) {
                fail(item.Mark(), path, "expected a list of " + what + ", found " + typeName(item));
            }
            items.push_back(item);
        }
        return items;
    }

    std::vector<fs::path> trustedPaths(const YAML::Node& key, const YAML::Node& value) const {
        std::vector<fs::path> paths;
        for (const YAML::Node& item : scalarList(key, value, "absolute paths")) {
            const fs::path written(item.Scalar());
            if (!written.is_absolute()) {
                fail(item.Mark(), "trusted_paths",
                     quoteForMessage(item.Scalar(), 128) + " is not an absolute path");
            }
            fs::path normal = "/";
            for (const fs::path& part : written.relative_path()) {
                if (part == "..") {
                    fail(item.Mark(), "trusted_paths",
                         quoteForMessage(item.Scalar(), 128) + " contains '..'");
                }
                if (!part.empty() && part != ".") {
                    normal /= part;
                }
            }
            paths.push_back(normal);
        }
        if (paths.empty()) {
            fail(key.Mark(), "trusted_paths", "the list must name at least one directory");
        }
        return paths;
    }

    std::vector<std::string> globs(const YAML::Node& key, const YAML::Node& value) const {
        std::vector<std::string> patterns;
        for (const YAML::Node& item : scalarList(key, value, "glob patterns")) {
            if (!isValidGlob(item.Scalar())) {
                fail(item.Mark(), key.Scalar(),
                     quoteForMessage(item.Scalar(), 128) +
                         " is not a valid glob: use letters, digits, '_', '-', '*', '?' and "
                         "[...] sets of them or ranges such as [a-z]");
            }
            patterns.push_back(canonicalGlob(item.Scalar()));
        }
        return patterns;
    }

    std::vector<std::string> bootNames(const YAML::Node& key, const YAML::Node& value) const {
        std::vector<std::string> names;
        for (const YAML::Node& item : scalarList(key, value, "module names")) {
            try {
                names.push_back(validateRequestedName(item.Scalar()));
            } catch (const Error& error) {
                fail(item.Mark(), "boot", error.what());
            }
        }
        return names;
    }

    void readModules(const YAML::Node& key, const YAML::Node& value) const {
        for (const auto& [nameKey, settings] : mapEntries(key, value, "modules")) {
            const std::string path = childKey("modules", nameKey);
            const ModuleName module = moduleName(nameKey, path);
            ParameterList parameters;
            for (const auto& [settingKey, setting] : mapEntries(nameKey, settings, path)) {
                if (settingKey.Scalar() != "parameters") {
                    fail(settingKey.Mark(), "unknown key " +
                                                quoteForMessage(childKey(path, settingKey), 128) +
                                                " (expected parameters)");
                }
                parameters =
                    readParameters(module, settingKey, setting, childKey(path, settingKey));
            }
            auto& defaults = config_.defaultParameters.try_emplace(module).first->second;
            defaults = defaults.mergedWith(module, parameters);
        }
    }

    ModuleName moduleName(const YAML::Node& key, const std::string& path) const {
        try {
            return ModuleName::parse(key.Scalar());
        } catch (const Error& error) {
            fail(key.Mark(), path, error.what());
        }
    }

    ParameterList readParameters(const ModuleName& module, const YAML::Node& key,
                                 const YAML::Node& value, const std::string& path) const {
        ParameterList parameters;
        for (const auto& [nameKey, parameterValue] : mapEntries(key, value, path)) {
            const std::string parameterPath = childKey(path, nameKey);
            Parameter parameter{nameKey.Scalar(),
                                parameterText(nameKey, parameterValue, parameterPath)};
            try {
                parameters.set(module, std::move(parameter));
            } catch (const Error& error) {
                fail(nameKey.Mark(), parameterPath, error.what());
            }
        }
        return parameters;
    }

    // A scalar as written (so `true` and `0x10` stay text), a list as "v1,v2", null as a flag.
    std::optional<std::string> parameterText(const YAML::Node& key, const YAML::Node& value,
                                             const std::string& path) const {
        if (value.IsNull()) {
            return std::nullopt;
        }
        if (value.IsScalar()) {
            return value.Scalar();
        }
        const std::string expected = "expected a value, a list of values or nothing (a flag)";
        if (!value.IsSequence() || value.size() == 0) {
            fail(key.Mark(), path, expected + ", not " + typeName(value));
        }
        std::vector<std::string> items;
        for (const YAML::Node& item : value) {
            if (!item.IsScalar()) {
                fail(item.Mark(), path, expected + ", found " + typeName(item) + " in the list");
            }
            items.push_back(item.Scalar());
        }
        return fmt::format("{}", fmt::join(items, ","));
    }

    Config& config_;
    const std::string& fileName_;
};

// The mark of each document's root node, as LoadAll's nodes would carry it, for at most two
// documents. It replaces LoadAll, which loops forever, allocating a null document per pass, on
// malformed input that yaml-cpp 0.7 accepts without consuming it (jbeder/yaml-cpp#1319).
class DocumentRoots final : public YAML::EventHandler {
  public:
    static std::vector<YAML::Mark> of(const std::string& yamlText) {
        std::istringstream stream(yamlText);
        YAML::Parser parser(stream);
        DocumentRoots roots;
        while (roots.marks_.size() < 2 && parser.HandleNextDocument(roots)) {
        }
        return roots.marks_;
    }

    void OnDocumentStart(const YAML::Mark&) override { atRoot_ = true; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  const std::string&) override {
        node(mark);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {
        node(mark);
    }
    void OnMapEnd() override {}

  private:
    void node(const YAML::Mark& mark) {
        if (atRoot_) {
            marks_.push_back(mark);
            atRoot_ = false;
        }
    }

    std::vector<YAML::Mark> marks_;
    bool atRoot_ = false;
};

} // namespace

Config applyConfigText(Config base, const std::string& yamlText, const std::string& fileName) {
    YAML::Node document;
    std::vector<YAML::Mark> roots;
    try {
        roots = DocumentRoots::of(yamlText);
        document = YAML::Load(yamlText);
    } catch (const YAML::Exception& error) {
        throw Error(ErrorKind::ConfigInvalid,
                    fileName + ":" + std::to_string(error.mark.line + 1) +
                        ": invalid YAML: " + quoteForMessage(error.msg, 128));
    }
    if (roots.size() > 1) {
        throw Error(ErrorKind::ConfigInvalid,
                    fileName + ":" + std::to_string(roots[1].line + 1) +
                        ": a config file holds one YAML document, this is the second");
    }
    DocumentReader(base, fileName).read(document);
    return base;
}

Config loadConfig(const fs::path& mainFile, const fs::path& dropInDirectory) {
    Config config;
    for (const ConfigSource& source : readTrustedConfigFiles(mainFile, dropInDirectory)) {
        config = applyConfigText(std::move(config), source.text, source.file);
    }
    return config;
}

} // namespace kmodd
