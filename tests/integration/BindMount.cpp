#include "BindMount.h"

#include <cerrno>
#include <cstring>
#include <sched.h>
#include <stdexcept>
#include <string>
#include <sys/mount.h>

namespace kmodd::testing {

BindMount::BindMount(const std::filesystem::path& source, const std::filesystem::path& target)
    : target_(target) {
    if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
        throw std::runtime_error("cannot bind-mount " + source.string() + " over " +
                                 target.string() + ": " + std::strerror(errno));
    }
}

BindMount::~BindMount() {
    ::umount2(target_.c_str(), MNT_DETACH);
}

void enterPrivateMountNamespace() {
    if (::unshare(CLONE_NEWNS) != 0) {
        throw std::runtime_error(std::string("cannot create a mount namespace (run as root): ") +
                                 std::strerror(errno));
    }
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        throw std::runtime_error(std::string("cannot make / private: ") + std::strerror(errno));
    }
}

} // namespace kmodd::testing
