#pragma once

#include "ModuleInfo.h"

#include <string>
#include <string_view>
#include <vector>

namespace kmodctl {

/// What each command prints on stdout, for people (the default) or as JSON (--json): one
/// document per command, one line per event for monitor. Every result ends with a newline.
/// JSON keys are the lower-cased org.kmodd.Module1 property names. With colour, a module's
/// state is green when it is live or built in, as systemctl shows an active unit.

/// `list`: a table MODULE STATE REFS USED-BY sorted by name, or a JSON array.
std::string formatModuleList(std::vector<ModuleSummary> modules, bool json, bool colour = false);

/// `status`: a block of "Label: value" lines as `systemctl status` prints, or a JSON object.
std::string formatModuleDetails(const ModuleDetails& details, bool json, bool colour = false);

/// An error for stderr: "kmodctl: message", the prefix red with colour.
std::string formatError(std::string_view message, bool colour);

/// A sentence for a load result, e.g. "dummy is already loaded."
std::string loadResultSentence(const std::string& module, const std::string& result);

/// `load`: nothing on plain success (as modprobe), a sentence and each inserted module's
/// parameters with verbose, or a JSON object. A dry run prints its plan, one line per module
/// in load order: "insert MODULE FILE [PARAMETERS]" or "loaded MODULE FILE (already loaded)".
std::string formatLoadOutcome(const LoadOutcome& outcome, bool json, bool verbose);

/// A warning for stderr: "kmodctl: warning: message", the prefix yellow with colour.
std::string formatWarning(std::string_view message, bool colour);

/// `unload`: nothing, a sentence with verbose, or a JSON object; unloaded is every module
/// removed, the module first.
std::string formatUnloaded(const std::string& module, const std::vector<std::string>& unloaded,
                           bool json, bool verbose);

/// `boot --json`: an array with one object per listed name.
std::string formatBootResultsJson(const std::vector<BootResult>& results);

/// `monitor`: one line, e.g. "changed dummy State=going RefCount=0".
std::string formatMonitorEvent(const MonitorEvent& event, bool json);

} // namespace kmodctl
