#include "Subprocess.h"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <poll.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace kmodd::testing {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

std::string findExecutable(const std::string& name) {
    if (name.find('/') != std::string::npos) {
        return name;
    }
    const char* path = std::getenv("PATH");
    std::string directories = path != nullptr ? path : "/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= directories.size()) {
        const auto end = std::min(directories.find(':', start), directories.size());
        const auto candidate = directories.substr(start, end - start) + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
        start = end + 1;
    }
    throw std::runtime_error("cannot find " + name + " in PATH");
}

// Our environment with options' variables added, a variable given there replacing ours.
std::vector<std::string> childEnvironment(const std::vector<std::string>& overrides) {
    std::vector<std::string> result = overrides;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string variable = *entry;
        const auto name = variable.substr(0, variable.find('=') + 1);
        bool overridden = false;
        for (const auto& override : overrides) {
            overridden = overridden || override.starts_with(name);
        }
        if (!overridden) {
            result.push_back(variable);
        }
    }
    return result;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> result;
    for (auto& string : strings) {
        result.push_back(string.data());
    }
    result.push_back(nullptr);
    return result;
}

std::array<UniqueFd, 2> makePipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        fail("pipe2");
    }
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Reads what is available; returns false at end of file.
bool drain(int fd, std::string& into) {
    char buffer[4096];
    const auto count = ::read(fd, buffer, sizeof buffer);
    if (count > 0) {
        into.append(buffer, static_cast<std::size_t>(count));
        return true;
    }
    return count < 0 && (errno == EINTR || errno == EAGAIN);
}

// How far a child got before it could not start its program, with the errno.
enum class StartStage { SwitchUser, Execute };
struct StartFailure {
    StartStage stage;
    int error;
};

[[noreturn]] void reportStartFailure(int fd, StartStage stage) {
    const StartFailure failure{stage, errno};
    [[maybe_unused]] const auto written = ::write(fd, &failure, sizeof failure);
    ::_exit(127);
}

std::string describeStartFailure(const std::string& executable,
                                 const std::optional<Credentials>& user,
                                 const StartFailure& failure) {
    std::string message = "cannot run " + executable;
    if (user) {
        message += " as uid " + std::to_string(user->uid);
    }
    message += failure.stage == StartStage::SwitchUser ? ": cannot switch to that user: " : ": ";
    message += std::strerror(failure.error);
    if (user && failure.stage == StartStage::Execute && failure.error == EACCES) {
        message += " (that user cannot enter a directory on its path, or the file is not "
                   "executable by it)";
    }
    return message;
}

} // namespace

std::string Outcome::describe() const {
    return "exit " + std::to_string(exitCode) + "; stdout: " + out + "; stderr: " + err;
}

Subprocess::Subprocess(const std::vector<std::string>& argv, const SpawnOptions& options) {
    commandLine_ = fmt::format("{}", fmt::join(argv, " "));
    std::vector<std::string> arguments = argv;
    const std::string executable = findExecutable(argv.at(0));
    std::vector<std::string> environment = childEnvironment(options.environment);
    const auto argumentPointers = pointers(arguments);
    const auto environmentPointers = pointers(environment);

    UniqueFd devNull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!devNull) {
        fail("open /dev/null");
    }
    UniqueFd outWrite;
    UniqueFd errWrite;
    if (options.logFile) {
        outWrite.reset(
            ::open(options.logFile->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
        if (!outWrite) {
            fail("open " + options.logFile->string());
        }
        errWrite.reset(::fcntl(outWrite.get(), F_DUPFD_CLOEXEC, 3));
    } else {
        auto out = makePipe();
        auto err = makePipe();
        outPipe_ = std::move(out[0]);
        outWrite = std::move(out[1]);
        errPipe_ = std::move(err[0]);
        errWrite = std::move(err[1]);
    }

    // Closed by a successful execve; the child writes why it did not get there otherwise.
    auto [startFailureRead, startFailureWrite] = makePipe();
    pid_ = ::fork();
    if (pid_ < 0) {
        fail("fork");
    }
    if (pid_ == 0) {
        // Only async-signal-safe calls from here: the test process has other threads.
        ::dup2(devNull.get(), STDIN_FILENO);
        ::dup2(outWrite.get(), STDOUT_FILENO);
        ::dup2(errWrite.get(), STDERR_FILENO);
        // Marked rather than closed, so that startFailureWrite stays open until execve.
        ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
        if (options.user &&
            (::setgroups(0, nullptr) != 0 ||
             ::setresgid(options.user->gid, options.user->gid, options.user->gid) != 0 ||
             ::setresuid(options.user->uid, options.user->uid, options.user->uid) != 0)) {
            reportStartFailure(startFailureWrite.get(), StartStage::SwitchUser);
        }
        // After the credential change, which clears it: nothing outlives a crashed test.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::execve(executable.c_str(), argumentPointers.data(), environmentPointers.data());
        reportStartFailure(startFailureWrite.get(), StartStage::Execute);
    }
    startFailureWrite.reset();
    StartFailure failure{};
    ssize_t got = 0;
    do {
        got = ::read(startFailureRead.get(), &failure, sizeof failure);
    } while (got < 0 && errno == EINTR);
    if (got == static_cast<ssize_t>(sizeof failure)) {
        ::waitpid(pid_, nullptr, 0);
        reaped_ = true;
        throw std::runtime_error(describeStartFailure(executable, options.user, failure));
    }
    // glibc 2.36 declares pidfd_open without C linkage for C++.
    pidFd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
    if (!pidFd_) {
        fail("pidfd_open");
    }
}

Subprocess::~Subprocess() {
    if (pid_ > 0 && !reaped_) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

bool Subprocess::running() const {
    if (reaped_) {
        return false;
    }
    pollfd exited{pidFd_.get(), POLLIN, 0};
    return ::poll(&exited, 1, 0) == 0;
}

void Subprocess::collectUntil(Clock::time_point deadline, const std::function<bool()>& done) {
    while (!done()) {
        std::vector<pollfd> fds;
        if (outPipe_) {
            fds.push_back({outPipe_.get(), POLLIN, 0});
        }
        if (errPipe_) {
            fds.push_back({errPipe_.get(), POLLIN, 0});
        }
        // The exit matters only once the pipes are closed: the last output may still be in
        // them when the process has already exited.
        if (fds.empty()) {
            fds.push_back({pidFd_.get(), POLLIN, 0});
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            return;
        }
        const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
        if (ready < 0 && errno != EINTR) {
            fail("poll");
        }
        for (const auto& fd : fds) {
            if (fd.revents == 0) {
                continue;
            }
            if (fd.fd == pidFd_.get()) {
                return;
            }
            UniqueFd& pipe = fd.fd == outPipe_.get() ? outPipe_ : errPipe_;
            if (!drain(pipe.get(), fd.fd == outPipe_.get() ? outcome_.out : outcome_.err)) {
                pipe.reset();
            }
        }
    }
}

Outcome Subprocess::reap() {
    if (!reaped_) {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0) {
            if (errno != EINTR) {
                fail("waitpid");
            }
        }
        reaped_ = true;
        outcome_.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return outcome_;
}

bool Subprocess::waitForOutput(const std::string& text, std::chrono::milliseconds timeout) {
    const auto found = [&] {
        return outcome_.out.find(text) != std::string::npos;
    };
    collectUntil(Clock::now() + timeout, found);
    return found();
}

Outcome Subprocess::wait(std::chrono::milliseconds timeout) {
    collectUntil(Clock::now() + timeout);
    if (running()) {
        ::kill(pid_, SIGKILL);
        const auto outcome = reap();
        throw std::runtime_error(commandLine_ + " did not finish within " +
                                 std::to_string(timeout.count()) + " ms; " + outcome.describe());
    }
    return reap();
}

Outcome Subprocess::stop(std::chrono::milliseconds grace) {
    if (running()) {
        ::kill(pid_, SIGTERM);
        collectUntil(Clock::now() + grace);
        if (running()) {
            ::kill(pid_, SIGKILL);
        }
    }
    return reap();
}

Outcome run(const std::vector<std::string>& argv, const SpawnOptions& options,
            std::chrono::milliseconds timeout) {
    return Subprocess(argv, options).wait(timeout);
}

} // namespace kmodd::testing
