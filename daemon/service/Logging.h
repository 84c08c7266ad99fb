#pragma once

#include <memory>
#include <spdlog/logger.h>

namespace kmodd {

/// True when stderr is the journal's stream for this service ($JOURNAL_STREAM names its device
/// and inode, as systemd sets it).
bool stderrIsJournal();

/// The daemon's logger: records with priorities in the journal when stderr goes there, else
/// plain lines on stderr. Safe to use from several threads.
std::shared_ptr<spdlog::logger> makeLogger(spdlog::level::level_enum level);

} // namespace kmodd
