#pragma once

#include "Caller.h"
#include "Error.h"
#include "RefusalRateLimit.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <spdlog/logger.h>
#include <string>
#include <vector>

namespace kmodd {

/// The requests that change state, and so are logged.
enum class Operation { Load, Unload, Reload, LoadBootModules };

/// One state-changing request, as the journal records it.
struct RequestRecord {
    Operation operation = Operation::Load;
    Caller caller{};
    std::string requested{};  ///< the name as the caller wrote it; empty for reload
    std::string parameters{}; ///< as requested, "name=value name2"
    std::uint64_t flags = 0;
    std::string module{};           ///< what the name resolved to, once known
    std::string kernelParameters{}; ///< what a load gives the kernel (defaults + request)
    bool alreadyLoaded = false;     ///< a load found its module loaded or built in
};

/// How much of a request's parameters the journal records: a refused flood is not copied whole.
inline constexpr std::size_t describedParametersLength = 4096;

/// Formats Load's a{ss} for the journal: "name=value flag", in name order, cut after
/// describedParametersLength bytes (journalFields escapes it).
std::string describeParameters(const std::map<std::string, std::string>& parameters);

/// The journal fields of a request's outcome ("FIELD=value"): MESSAGE, PRIORITY, MESSAGE_ID and
/// the KMODD_* fields. error is nullptr on success; summary then says what happened. Every value
/// has its control characters escaped (escapeControlCharacters): no caller can forge a line.
std::vector<std::string> journalFields(const RequestRecord& record, const Error* error,
                                       const std::string& summary);

/// The journal fields of the record that reports a kernel operation that has not returned:
/// what ("loading dummy") and for how long.
std::vector<std::string> stuckKernelOperationFields(const std::string& what,
                                                    std::chrono::steady_clock::duration elapsed);

/// The journal fields of the record that stands for suppressed refusals of one caller uid.
std::vector<std::string> suppressedRefusalsFields(uid_t uid, std::uint64_t suppressed);

/// Writes one structured journal record per state-changing request when it is answered. Reads
/// are not logged. Failures are rate-limited per caller uid (RefusalRateLimit), the dropped
/// ones summed up in one record when that uid's next failure is logged.
class RequestLog {
  public:
    /// mirror also gets each record's MESSAGE (for runs where stderr is not the journal), or is
    /// nullptr.
    explicit RequestLog(std::shared_ptr<spdlog::logger> mirror,
                        RefusalRateLimit rateLimit = RefusalRateLimit())
        : mirror_(std::move(mirror)), rateLimit_(rateLimit) {}

    /// summary: what happened, e.g. "Loaded dummy".
    void success(const RequestRecord& record, const std::string& summary);
    void failure(const RequestRecord& record, const Error& error);
    /// Safe from any thread (the kernel queue's watchdog calls it).
    void stuckKernelOperation(const std::string& what, std::chrono::steady_clock::duration elapsed);

  private:
    void write(const std::vector<std::string>& fields, bool failed);

    std::shared_ptr<spdlog::logger> mirror_;
    RefusalRateLimit rateLimit_;
};

} // namespace kmodd
