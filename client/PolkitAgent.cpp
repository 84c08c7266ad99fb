#include "PolkitAgent.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kmodctl {
namespace {

constexpr int notifyFd = 3;

// Runs in the forked child: only async-signal-safe calls until execv.
[[noreturn]] void execAgent(int writeEnd, pid_t parent) {
    if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || ::getppid() != parent) {
        ::_exit(EXIT_FAILURE);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // The agent prompts on the terminal even when our output goes to a pipe or a file.
    if (!::isatty(STDOUT_FILENO) || !::isatty(STDERR_FILENO)) {
        const int tty = ::open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (tty >= 0) {
            if (!::isatty(STDOUT_FILENO)) {
                ::dup2(tty, STDOUT_FILENO);
            }
            if (!::isatty(STDERR_FILENO)) {
                ::dup2(tty, STDERR_FILENO);
            }
        }
    }
    if (writeEnd == notifyFd) {
        ::fcntl(notifyFd, F_SETFD, 0);
    } else {
        ::dup2(writeEnd, notifyFd);
    }
    ::close_range(notifyFd + 1, ~0U, 0);
    const char* const argv[] = {"pkttyagent", "--notify-fd", "3", "--fallback", nullptr};
    ::execv(KMODD_PKTTYAGENT, const_cast<char* const*>(argv));
    ::_exit(EXIT_FAILURE);
}

} // namespace

std::unique_ptr<PolkitAgent> PolkitAgent::startIfUseful(bool askPassword) {
    if (!askPassword || ::geteuid() == 0 || !::isatty(STDIN_FILENO) ||
        ::access(KMODD_PKTTYAGENT, X_OK) != 0) {
        return nullptr;
    }
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
        return nullptr;
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) {
        execAgent(pipeFds[1], parent);
    }
    ::close(pipeFds[1]);
    if (pid > 0) {
        // The agent closes its end once it has registered with polkit (or it has exited).
        pollfd registered{pipeFds[0], POLLIN, 0};
        while (::poll(&registered, 1, -1) < 0 && errno == EINTR) {
        }
    }
    ::close(pipeFds[0]);
    return pid > 0 ? std::unique_ptr<PolkitAgent>(new PolkitAgent(pid)) : nullptr;
}

PolkitAgent::~PolkitAgent() {
    ::kill(pid_, SIGTERM);
    ::kill(pid_, SIGCONT);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
}

} // namespace kmodctl
