#pragma once

#include "UniqueFd.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace kmodd::testing {

/// A user and group a child process runs as, with no supplementary groups.
struct Credentials {
    uid_t uid;
    gid_t gid;
};

/// How a finished process ended and what it printed.
struct Outcome {
    int exitCode = -1; ///< the exit status, or 128 + the signal that killed it
    std::string out;
    std::string err;

    /// "exit N; stdout: ...; stderr: ..." for assertion messages.
    std::string describe() const;
};

/// How to start a child process.
struct SpawnOptions {
    std::vector<std::string> environment{}; ///< "NAME=VALUE" added to (or replacing) ours
    std::optional<Credentials> user{};      ///< run as this user instead of root
    /// When set, stdout and stderr are appended to this file instead of being captured.
    std::optional<std::filesystem::path> logFile{};
};

/// A child process, killed and reaped on destruction if it is still running.
class Subprocess {
  public:
    /// Starts argv[0], an absolute path or a name looked up in PATH. Throws std::runtime_error
    /// saying why when the program cannot be started (as that user).
    Subprocess(const std::vector<std::string>& argv, const SpawnOptions& options = {});
    ~Subprocess();
    Subprocess(const Subprocess&) = delete;
    Subprocess& operator=(const Subprocess&) = delete;

    pid_t pid() const noexcept { return pid_; }
    /// The command line, for messages.
    const std::string& commandLine() const noexcept { return commandLine_; }

    /// True while the process has not exited (it may have exited unnoticed before the call).
    bool running() const;

    /// Reads stdout until it contains text; false when the process ends or timeout passes first.
    bool waitForOutput(const std::string& text, std::chrono::milliseconds timeout);

    /// Waits for the process to exit, collecting its output. Throws std::runtime_error (after
    /// killing it) when it is still running at the deadline.
    Outcome wait(std::chrono::milliseconds timeout);

    /// SIGTERM, then SIGKILL if it has not exited within grace; returns how it ended.
    Outcome stop(std::chrono::milliseconds grace);

  private:
    /// Reads output until the process ends, done() holds or the deadline passes.
    void collectUntil(
        std::chrono::steady_clock::time_point deadline,
        const std::function<bool()>& done = [] { return false; });
    Outcome reap();

    pid_t pid_ = -1;
    UniqueFd pidFd_;
    UniqueFd outPipe_;
    UniqueFd errPipe_;
    std::string commandLine_;
    Outcome outcome_;
    bool reaped_ = false;
};

/// Runs a command to completion (see Subprocess::wait).
Outcome run(const std::vector<std::string>& argv, const SpawnOptions& options = {},
            std::chrono::milliseconds timeout = std::chrono::seconds(20));

} // namespace kmodd::testing
