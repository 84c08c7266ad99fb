#include "Logging.h"

#include <cstdlib>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace kmodd {

bool stderrIsJournal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    struct stat status {};
    if (stream == nullptr || ::fstat(STDERR_FILENO, &status) != 0) {
        return false;
    }
    const std::string expected =
        std::to_string(status.st_dev) + ":" + std::to_string(status.st_ino);
    return expected == stream;
}

std::shared_ptr<spdlog::logger> makeLogger(spdlog::level::level_enum level) {
    std::shared_ptr<spdlog::sinks::sink> sink;
    if (stderrIsJournal()) {
        sink = std::make_shared<spdlog::sinks::systemd_sink_mt>("kmodd");
    } else {
        sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
        sink->set_pattern("kmodd: %l: %v");
    }
    auto logger = std::make_shared<spdlog::logger>("kmodd", std::move(sink));
    logger->set_level(level);
    return logger;
}

} // namespace kmodd
