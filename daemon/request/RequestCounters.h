#pragma once

#include "Error.h"

#include <cstdint>
#include <map>
#include <string>

namespace kmodd {

/// What the state-changing requests came to since kmodd started, as Manager1's LoadCount,
/// UnloadCount and RefusalCounts show it. Updated where a request's outcome is final; loop
/// thread only.
class RequestCounters {
  public:
    /// A load that inserted its module (not one that found it loaded or built in).
    void countLoad() { ++loads_; }
    void countUnload() { ++unloads_; }
    /// A request answered with an error, counted by the error's name, e.g. "NotAllowed".
    void countRefusal(ErrorKind kind) { ++refusals_[std::string(errorName(kind))]; }

    std::uint64_t loads() const { return loads_; }
    std::uint64_t unloads() const { return unloads_; }
    /// Only the errors that happened.
    const std::map<std::string, std::uint64_t>& refusals() const { return refusals_; }

  private:
    std::uint64_t loads_ = 0;
    std::uint64_t unloads_ = 0;
    std::map<std::string, std::uint64_t> refusals_;
};

} // namespace kmodd
