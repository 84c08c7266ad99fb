#include "KernelErrors.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace kmodd {
namespace {

struct Meaning {
    ErrorKind kind;
    const char* reason;
};

Meaning loadMeaning(int errnum) {
    switch (errnum) {
    case ENOEXEC:
        return {ErrorKind::KernelRejected,
                "invalid module format, or the module was built for a different kernel"};
    case EKEYREJECTED:
        return {ErrorKind::KernelRejected, "the kernel rejected the module's signature"};
    case ENOKEY:
        return {ErrorKind::KernelRejected,
                "the module is unsigned or signed with a key the kernel does not trust"};
    case EBADMSG:
        return {ErrorKind::KernelRejected, "the module's signature is malformed"};
    case EINVAL:
        return {ErrorKind::InvalidParameter,
                "the kernel refused a parameter value or an inconsistent module image"};
    case ENODEV:
        return {ErrorKind::KernelRejected, "no device this module drives was found"};
    case ENXIO:
        return {ErrorKind::KernelRejected, "the device this module drives is not present"};
    case EPERM:
        return {ErrorKind::KernelRejected,
                "module loading is disabled on this system (kernel.modules_disabled or lockdown)"};
    case EACCES:
        return {ErrorKind::KernelRejected, "a security module denied loading it"};
    case ENOENT:
        return {ErrorKind::KernelRejected,
                "it uses a symbol no loaded module provides (a dependency is missing)"};
    case EBUSY:
        return {ErrorKind::Busy, "the kernel is busy loading or unloading a module of that name"};
    case ETXTBSY:
        return {ErrorKind::KernelRejected, "the module file is open for writing"};
    case EFBIG:
        return {ErrorKind::KernelRejected, "the module file is too large"};
    case ENOMEM:
        return {ErrorKind::Failed, "the kernel is out of memory"};
    case ENOSYS:
        return {ErrorKind::KernelRejected, "this kernel does not support loadable modules"};
    case EOPNOTSUPP:
        return {ErrorKind::KernelRejected, "the kernel cannot decompress this module"};
    case EBADF:
        return {ErrorKind::Failed, "the module file was not open for reading"};
    case EFAULT:
        return {ErrorKind::Failed, "the kernel could not read the module image"};
    case EINTR:
        return {ErrorKind::Failed, "loading was interrupted by a signal"};
    default:
        return {ErrorKind::KernelRejected, nullptr};
    }
}

Meaning unloadMeaning(int errnum) {
    switch (errnum) {
    case ENOENT:
        return {ErrorKind::NotFound, "it is not loaded"};
    case EWOULDBLOCK:
        return {ErrorKind::InUse, "it is in use"};
    case EBUSY:
        return {ErrorKind::Busy, "it is still being loaded, is already being removed, or "
                                 "cannot be removed (it has no exit function)"};
    case EPERM:
        return {ErrorKind::KernelRejected,
                "module unloading is not permitted on this system (lockdown or no capability)"};
    case EFAULT:
        return {ErrorKind::Failed, "the kernel could not read the module name"};
    case EINTR:
        return {ErrorKind::Failed, "unloading was interrupted by a signal"};
    default:
        return {ErrorKind::KernelRejected, nullptr};
    }
}

} // namespace

Error loadRefusal(std::string_view module, int errnum, const ModuleRestrictions& restrictions) {
    const std::string prefix = "cannot load " + std::string(module) + ": ";
    if (errnum == EPERM && restrictions.modulesDisabled) {
        return Error(ErrorKind::KernelRejected,
                     prefix + "module loading is disabled until the next boot "
                              "(kernel.modules_disabled=1 in /proc/sys/kernel/modules_disabled)");
    }
    if (errnum == EPERM && !restrictions.lockdown.empty()) {
        return Error(ErrorKind::KernelRejected,
                     prefix + "the kernel is locked down ('" + restrictions.lockdown +
                         "' in /sys/kernel/security/lockdown) and loads only modules with a "
                         "valid signature");
    }
    const bool signature = errnum == ENOKEY || errnum == EKEYREJECTED || errnum == EBADMSG;
    if (signature && restrictions.signaturesEnforced) {
        return Error(ErrorKind::KernelRejected,
                     prefix +
                         "the kernel enforces module signatures (module.sig_enforce=1 in "
                         "/sys/module/module/parameters/sig_enforce) and " +
                         loadMeaning(errnum).reason);
    }
    return kernelError(KernelOperation::Load, module, errnum);
}

Error kernelError(KernelOperation operation, std::string_view module, int errnum) {
    const bool load = operation == KernelOperation::Load;
    const Meaning meaning = load ? loadMeaning(errnum) : unloadMeaning(errnum);
    std::string reason =
        meaning.reason ? meaning.reason
                       : (load ? "the module's initialisation failed: " : "the kernel refused: ") +
                             std::string(std::strerror(errnum));
    return Error(meaning.kind,
                 (load ? "cannot load " : "cannot unload ") + std::string(module) + ": " + reason);
}

} // namespace kmodd
