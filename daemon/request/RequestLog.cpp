#include "RequestLog.h"

#include "EscapedText.h"
#include "MessageIds.h"

#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

namespace kmodd {
namespace {

std::string_view operationName(Operation operation) {
    switch (operation) {
    case Operation::Load:
        return "load";
    case Operation::Unload:
        return "unload";
    case Operation::Reload:
        return "reload";
    case Operation::LoadBootModules:
        return "load-boot-modules";
    }
    return "";
}

bool isRefusal(ErrorKind kind) {
    return kind == ErrorKind::NotAllowed || kind == ErrorKind::NotAuthorized ||
           kind == ErrorKind::Untrusted;
}

// Refusals are what an administrator audits; mistakes of the caller are only notable; the rest
// means something is wrong with the system or the module.
int priorityOf(ErrorKind kind) {
    if (isRefusal(kind)) {
        return LOG_WARNING;
    }
    switch (kind) {
    case ErrorKind::InvalidArgument:
    case ErrorKind::NotFound:
    case ErrorKind::InvalidParameter:
    case ErrorKind::InUse:
    case ErrorKind::Busy:
        return LOG_NOTICE;
    default:
        return LOG_ERR;
    }
}

const char* successId(const RequestRecord& record) {
    switch (record.operation) {
    case Operation::Unload:
        return messageId::moduleUnloaded;
    case Operation::Reload:
        return messageId::configReloaded;
    default:
        return record.alreadyLoaded ? messageId::moduleAlreadyLoaded : messageId::moduleLoaded;
    }
}

const char* failureId(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::NotAllowed:
        return messageId::requestNotAllowed;
    case ErrorKind::NotAuthorized:
        return messageId::requestNotAuthorized;
    case ErrorKind::Untrusted:
        return messageId::moduleUntrusted;
    default:
        return messageId::requestFailed;
    }
}

std::string whatWasAsked(const RequestRecord& record) {
    switch (record.operation) {
    case Operation::Load:
        return "load '" + record.requested + "'";
    case Operation::Unload:
        return "unload '" + record.requested + "'";
    case Operation::Reload:
        return "reload the configuration";
    case Operation::LoadBootModules:
        return "load the boot modules";
    }
    return "";
}

// A caller whose uid the bus could not tell (it left before kmodd asked) is only its bus name.
bool isIdentified(const Caller& caller) {
    return caller.uid != static_cast<uid_t>(-1);
}

std::string callerText(const Caller& caller) {
    if (!isIdentified(caller)) {
        return "; requested by bus name " + caller.busName;
    }
    std::string text =
        "; requested by uid " + std::to_string(caller.uid) + ", pid " + std::to_string(caller.pid);
    if (!caller.unit.empty()) {
        text += ", unit " + caller.unit;
    }
    return text;
}

} // namespace

std::string describeParameters(const std::map<std::string, std::string>& parameters) {
    std::string text;
    for (const auto& [name, value] : parameters) {
        if (text.size() >= describedParametersLength) {
            text.resize(describedParametersLength);
            return text + "... (" + std::to_string(parameters.size()) + " parameters)";
        }
        text += (text.empty() ? "" : " ") + name + (value.empty() ? "" : "=" + value);
    }
    return text;
}

std::vector<std::string> journalFields(const RequestRecord& record, const Error* error,
                                       const std::string& summary) {
    std::string message;
    int priority = LOG_INFO;
    const char* id = successId(record);
    if (error == nullptr) {
        message = summary;
    } else {
        const bool refused = isRefusal(error->kind());
        message = std::string(refused ? "Refused to " : "Could not ") + whatWasAsked(record) +
                  ": " + error->what();
        priority = priorityOf(error->kind());
        id = failureId(error->kind());
    }
    message += callerText(record.caller);
    std::vector<std::string> fields{
        "MESSAGE=" + escapeControlCharacters(message),
        "PRIORITY=" + std::to_string(priority),
        "MESSAGE_ID=" + std::string(id),
        "KMODD_OPERATION=" + std::string(operationName(record.operation)),
        "KMODD_RESULT=" + (error ? std::string(errorName(error->kind())) : std::string("ok")),
    };
    if (isIdentified(record.caller)) {
        fields.push_back("KMODD_CALLER_UID=" + std::to_string(record.caller.uid));
        fields.push_back("KMODD_CALLER_PID=" + std::to_string(record.caller.pid));
    }
    const std::pair<const char*, const std::string*> optional[] = {
        {"KMODD_MODULE=", &record.module},
        {"KMODD_REQUESTED=", &record.requested},
        {"KMODD_PARAMETERS=", &record.parameters},
        {"KMODD_KERNEL_PARAMETERS=", &record.kernelParameters},
        {"KMODD_CALLER_UNIT=", &record.caller.unit},
        {"KMODD_CALLER_BUS_NAME=", &record.caller.busName},
    };
    for (const auto& [field, value] : optional) {
        if (!value->empty()) {
            fields.push_back(field + escapeControlCharacters(*value));
        }
    }
    if (record.flags != 0) {
        fields.push_back("KMODD_FLAGS=" + std::to_string(record.flags));
    }
    return fields;
}

std::vector<std::string> stuckKernelOperationFields(const std::string& what,
                                                    std::chrono::steady_clock::duration elapsed) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
    return {
        "MESSAGE=The kernel has been " + what + " for " + std::to_string(seconds) +
            " s without returning; other kernel requests are answered Busy until it returns",
        "PRIORITY=" + std::to_string(LOG_WARNING),
        "MESSAGE_ID=" + std::string(messageId::kernelOperationStuck),
        "KMODD_KERNEL_OPERATION=" + what,
        "KMODD_RUNNING_SECONDS=" + std::to_string(seconds),
    };
}

std::vector<std::string> suppressedRefusalsFields(uid_t uid, std::uint64_t suppressed) {
    const std::string who =
        uid == static_cast<uid_t>(-1) ? "callers of unknown uid" : "uid " + std::to_string(uid);
    std::vector<std::string> fields{
        "MESSAGE=" + std::to_string(suppressed) + " more refusals from " + who + " suppressed",
        "PRIORITY=" + std::to_string(LOG_WARNING),
        "MESSAGE_ID=" + std::string(messageId::refusalsSuppressed),
        "KMODD_SUPPRESSED=" + std::to_string(suppressed),
    };
    if (uid != static_cast<uid_t>(-1)) {
        fields.push_back("KMODD_CALLER_UID=" + std::to_string(uid));
    }
    return fields;
}

void RequestLog::success(const RequestRecord& record, const std::string& summary) {
    write(journalFields(record, nullptr, summary), false);
}

void RequestLog::failure(const RequestRecord& record, const Error& error) {
    const auto verdict = rateLimit_.admit(record.caller.uid, RefusalRateLimit::Clock::now());
    if (verdict.suppressed > 0) {
        write(suppressedRefusalsFields(record.caller.uid, verdict.suppressed), true);
    }
    if (verdict.log) {
        write(journalFields(record, &error, ""), true);
    }
}

void RequestLog::stuckKernelOperation(const std::string& what,
                                      std::chrono::steady_clock::duration elapsed) {
    write(stuckKernelOperationFields(what, elapsed), true);
}

void RequestLog::write(const std::vector<std::string>& fields, bool failed) {
    std::vector<iovec> vectors;
    vectors.reserve(fields.size());
    for (const auto& field : fields) {
        vectors.push_back({const_cast<char*>(field.data()), field.size()});
    }
    // Without a journal (a test bus, a container) there is nowhere to write: not an error.
    sd_journal_sendv(vectors.data(), static_cast<int>(vectors.size()));
    if (mirror_) {
        mirror_->log(failed ? spdlog::level::warn : spdlog::level::info, "{}",
                     fields.front().substr(std::string_view("MESSAGE=").size()));
    }
}

} // namespace kmodd
