#include "Output.h"

#include "Colour.h"
#include "EscapedText.h"
#include "Json.h"
#include "Table.h"
#include "WireNames.h"

#include <algorithm>
#include <cctype>

namespace kmodctl {
namespace {

using kmodd::escapeControlCharacters;
namespace loadResult = kmodd::wire::loadResult;
namespace moduleState = kmodd::wire::moduleState;
namespace planOutcome = kmodd::wire::planOutcome;

// Every human-readable output path joins what kmodd sent through these: each item escaped.
std::string joined(const std::vector<std::string>& items, const std::string& separator) {
    std::string text;
    for (const std::string& item : items) {
        text += (text.empty() ? "" : separator) + escapeControlCharacters(item);
    }
    return text;
}

std::vector<std::string> assignments(const std::map<std::string, std::string>& parameters) {
    std::vector<std::string> lines;
    for (const auto& [name, value] : parameters) {
        lines.push_back(name + "=" + value);
    }
    return lines;
}

// The status lines of the parameters: values, then the names whose values only root may read.
std::vector<std::string> parameterLines(const ModuleDetails& details) {
    std::vector<std::string> lines = assignments(details.parameters);
    for (const std::string& name : details.restrictedParameters) {
        lines.push_back(name + " (value readable by root only)");
    }
    std::sort(lines.begin(), lines.end());
    return lines;
}

std::string jsonKey(std::string propertyName) {
    std::transform(propertyName.begin(), propertyName.end(), propertyName.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return propertyName;
}

std::string jsonValue(const PropertyValue& value) {
    struct Visitor {
        std::string operator()(const std::string& text) const { return jsonString(text); }
        std::string operator()(std::uint32_t number) const { return std::to_string(number); }
        std::string operator()(const std::vector<std::string>& items) const {
            return jsonStringArray(items);
        }
        std::string operator()(const std::map<std::string, std::string>& members) const {
            return jsonStringObject(members);
        }
    };
    return std::visit(Visitor{}, value);
}

std::string humanValue(const PropertyValue& value) {
    struct Visitor {
        std::string operator()(const std::string& text) const {
            return escapeControlCharacters(text);
        }
        std::string operator()(std::uint32_t number) const { return std::to_string(number); }
        std::string operator()(const std::vector<std::string>& items) const {
            return joined(items, ",");
        }
        std::string operator()(const std::map<std::string, std::string>& members) const {
            return joined(assignments(members), ",");
        }
    };
    return std::visit(Visitor{}, value);
}

std::string paintedState(const std::string& state, bool colour) {
    return painted(state, Colour::Green,
                   colour && (state == moduleState::live || state == moduleState::builtin));
}

std::string orDash(const std::string& text) {
    return text.empty() ? "-" : text;
}

// The fields list and status share.
JsonObject moduleJson(const std::string& name, const std::string& state, std::uint32_t refCount,
                      const std::vector<std::string>& holders) {
    JsonObject object;
    object.string("name", name)
        .string("state", state)
        .number("refcount", refCount)
        .raw("holders", jsonStringArray(holders));
    return object;
}

} // namespace

std::string formatModuleList(std::vector<ModuleSummary> modules, bool json, bool colour) {
    std::sort(modules.begin(), modules.end(),
              [](const ModuleSummary& a, const ModuleSummary& b) { return a.name < b.name; });
    if (json) {
        std::vector<std::string> objects;
        for (const ModuleSummary& module : modules) {
            objects.push_back(
                moduleJson(module.name, module.state, module.refCount, module.holders).str());
        }
        return jsonArray(objects) + "\n";
    }
    std::vector<std::vector<std::string>> rows;
    for (const ModuleSummary& module : modules) {
        rows.push_back({escapeControlCharacters(module.name), escapeControlCharacters(module.state),
                        std::to_string(module.refCount), joined(module.holders, ",")});
    }
    const auto paintState = [colour](const std::string& state) {
        return paintedState(state, colour);
    };
    return formatTable({{"MODULE"}, {"STATE", false, paintState}, {"REFS", true}, {"USED-BY"}},
                       rows);
}

std::string formatModuleDetails(const ModuleDetails& details, bool json, bool colour) {
    if (json) {
        return moduleJson(details.name, details.state, details.refCount, details.holders)
                   .raw("parameters", jsonStringObject(details.parameters))
                   .raw("restrictedparameters", jsonStringArray(details.restrictedParameters))
                   .string("path", details.path)
                   .string("version", details.version)
                   .string("signer", details.signer)
                   .str() +
               "\n";
    }
    std::string text;
    auto line = [&text](const std::string& label, const std::string& value) {
        text += std::string(10 - label.size(), ' ') + label + ": " + value + "\n";
    };
    line("Module", escapeControlCharacters(details.name));
    line("State", paintedState(escapeControlCharacters(details.state), colour));
    line("References", std::to_string(details.refCount));
    line("Used by", orDash(joined(details.holders, ", ")));
    line("Path", orDash(escapeControlCharacters(details.path)));
    line("Version", orDash(escapeControlCharacters(details.version)));
    line("Signer", orDash(escapeControlCharacters(details.signer)));
    line("Parameters", orDash(joined(parameterLines(details), "\n" + std::string(12, ' '))));
    return text;
}

std::string formatError(std::string_view message, bool colour) {
    return painted("kmodctl:", Colour::Red, colour) + " " + escapeControlCharacters(message) + "\n";
}

std::string formatWarning(std::string_view message, bool colour) {
    return painted("kmodctl:", Colour::Yellow, colour) + " warning: " + std::string(message) + "\n";
}

std::string loadResultSentence(const std::string& name, const std::string& result) {
    const std::string module = escapeControlCharacters(name);
    if (result == loadResult::alreadyLoaded) {
        return module + " is already loaded.";
    }
    if (result == loadResult::builtin) {
        return module + " is built into the kernel.";
    }
    return "Loaded " + module + ".";
}

std::string formatLoadOutcome(const LoadOutcome& outcome, bool json, bool verbose) {
    if (json) {
        std::vector<std::string> modules;
        for (const auto& step : outcome.modules) {
            modules.push_back(JsonObject()
                                  .string("module", step.module)
                                  .string("file", step.file)
                                  .string("parameters", step.parameters)
                                  .string("result", step.outcome)
                                  .str());
        }
        std::vector<std::string> skipped;
        for (const auto& entry : outcome.skipped) {
            skipped.push_back(
                JsonObject().string("module", entry.module).string("reason", entry.reason).str());
        }
        return JsonObject()
                   .string("name", outcome.requested)
                   .string("module", outcome.module)
                   .string("result", outcome.result)
                   .raw("inserted", jsonStringArray(outcome.inserted))
                   .raw("modules", jsonArray(modules))
                   .raw("skipped", jsonArray(skipped))
                   .str() +
               "\n";
    }
    if (outcome.result == loadResult::dryRun) {
        std::string plan;
        for (const auto& step : outcome.modules) {
            const bool loaded = step.outcome == planOutcome::alreadyLoaded;
            plan += (loaded ? "loaded " : "insert ") + step.module + " " + step.file;
            if (!step.parameters.empty()) {
                plan += " " + step.parameters;
            }
            plan += loaded ? " (already loaded)\n" : "\n";
        }
        return plan;
    }
    if (!verbose) {
        return "";
    }
    std::string parameters;
    for (const auto& step : outcome.modules) {
        if (step.outcome == planOutcome::inserted && !step.parameters.empty()) {
            parameters += "Parameters of " + step.module + ": " + step.parameters + "\n";
        }
    }
    std::vector<std::string> dependencies;
    std::copy_if(outcome.inserted.begin(), outcome.inserted.end(), std::back_inserter(dependencies),
                 [&](const std::string& name) { return name != outcome.module; });
    if (outcome.result == loadResult::loaded && !dependencies.empty()) {
        return "Loaded " + outcome.module + " and its dependencies " + joined(dependencies, ", ") +
               ".\n" + parameters;
    }
    return loadResultSentence(outcome.module, outcome.result) + "\n" + parameters;
}

std::string formatUnloaded(const std::string& module, const std::vector<std::string>& unloaded,
                           bool json, bool verbose) {
    if (json) {
        return JsonObject()
                   .string("module", module)
                   .string("result", "unloaded")
                   .raw("unloaded", jsonStringArray(unloaded))
                   .str() +
               "\n";
    }
    if (!verbose) {
        return "";
    }
    std::vector<std::string> dependencies;
    std::copy_if(unloaded.begin(), unloaded.end(), std::back_inserter(dependencies),
                 [&](const std::string& name) { return name != module; });
    if (dependencies.empty()) {
        return "Unloaded " + module + ".\n";
    }
    return "Unloaded " + module + " and what its load had inserted: " + joined(dependencies, ", ") +
           ".\n";
}

std::string formatBootResultsJson(const std::vector<BootResult>& results) {
    std::vector<std::string> objects;
    for (const BootResult& entry : results) {
        const bool succeeded = entry.succeeded();
        objects.push_back(JsonObject()
                              .string("name", entry.name)
                              .string("module", entry.module)
                              .string("result", succeeded ? entry.result : "failed")
                              .raw("error", succeeded ? "null" : jsonString(entry.result))
                              .str());
    }
    return jsonArray(objects) + "\n";
}

std::string formatMonitorEvent(const MonitorEvent& event, bool json) {
    const char* kind = event.kind == MonitorEvent::Kind::Loaded     ? "loaded"
                       : event.kind == MonitorEvent::Kind::Unloaded ? "unloaded"
                                                                    : "changed";
    if (json) {
        JsonObject object;
        object.string("event", kind).string("module", event.module);
        if (event.kind == MonitorEvent::Kind::Changed) {
            JsonObject properties;
            for (const auto& [name, value] : event.changed) {
                properties.raw(jsonKey(name), jsonValue(value));
            }
            object.raw("properties", properties.str());
        }
        return object.str() + "\n";
    }
    std::string line = std::string(kind) + " " + escapeControlCharacters(event.module);
    for (const auto& [name, value] : event.changed) {
        line += " " + escapeControlCharacters(name) + "=" + humanValue(value);
    }
    return line + "\n";
}

} // namespace kmodctl
