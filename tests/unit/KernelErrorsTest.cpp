#include "KernelErrors.h"

#include <cerrno>
#include <gtest/gtest.h>
#include <string>

using kmodd::ErrorKind;
using kmodd::kernelError;
using kmodd::KernelOperation;

namespace {

struct ErrnoCase {
    KernelOperation operation;
    int errnum;
    ErrorKind kind;
    const char* reasonFragment;
};

class AKernelError : public ::testing::TestWithParam<ErrnoCase> {};

TEST_P(AKernelError, NamesTheModuleAndExplainsTheErrno) {
    const auto& c = GetParam();
    const auto error = kernelError(c.operation, "dummy", c.errnum);
    const std::string message = error.what();
    EXPECT_EQ(error.kind(), c.kind) << message;
    const std::string prefix =
        c.operation == KernelOperation::Load ? "cannot load dummy: " : "cannot unload dummy: ";
    EXPECT_EQ(message.rfind(prefix, 0), 0U) << message;
    EXPECT_NE(message.find(c.reasonFragment), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

// Every errno init_module(2), finit_module(2) and delete_module(2) document, plus the ones a
// module's init function commonly returns.
INSTANTIATE_TEST_SUITE_P(
    Load, AKernelError,
    ::testing::Values(
        ErrnoCase{KernelOperation::Load, ENOEXEC, ErrorKind::KernelRejected, "different kernel"},
        ErrnoCase{KernelOperation::Load, EKEYREJECTED, ErrorKind::KernelRejected, "signature"},
        ErrnoCase{KernelOperation::Load, ENOKEY, ErrorKind::KernelRejected, "unsigned"},
        ErrnoCase{KernelOperation::Load, EBADMSG, ErrorKind::KernelRejected, "malformed"},
        ErrnoCase{KernelOperation::Load, EINVAL, ErrorKind::InvalidParameter, "parameter value"},
        ErrnoCase{KernelOperation::Load, ENODEV, ErrorKind::KernelRejected, "no device"},
        ErrnoCase{KernelOperation::Load, ENXIO, ErrorKind::KernelRejected, "not present"},
        ErrnoCase{KernelOperation::Load, EPERM, ErrorKind::KernelRejected, "disabled"},
        ErrnoCase{KernelOperation::Load, EACCES, ErrorKind::KernelRejected, "security module"},
        ErrnoCase{KernelOperation::Load, ENOENT, ErrorKind::KernelRejected, "symbol"},
        ErrnoCase{KernelOperation::Load, EBUSY, ErrorKind::Busy, "busy"},
        ErrnoCase{KernelOperation::Load, ETXTBSY, ErrorKind::KernelRejected, "open for writing"},
        ErrnoCase{KernelOperation::Load, EFBIG, ErrorKind::KernelRejected, "too large"},
        ErrnoCase{KernelOperation::Load, ENOMEM, ErrorKind::Failed, "out of memory"},
        ErrnoCase{KernelOperation::Load, ENOSYS, ErrorKind::KernelRejected, "loadable modules"},
        ErrnoCase{KernelOperation::Load, EOPNOTSUPP, ErrorKind::KernelRejected, "decompress"},
        ErrnoCase{KernelOperation::Load, EBADF, ErrorKind::Failed, "not open for reading"},
        ErrnoCase{KernelOperation::Load, EFAULT, ErrorKind::Failed, "could not read"},
        ErrnoCase{KernelOperation::Load, EINTR, ErrorKind::Failed, "interrupted"},
        ErrnoCase{KernelOperation::Load, EIO, ErrorKind::KernelRejected,
                  "initialisation failed: Input/output error"}));

INSTANTIATE_TEST_SUITE_P(
    Unload, AKernelError,
    ::testing::Values(
        ErrnoCase{KernelOperation::Unload, ENOENT, ErrorKind::NotFound, "not loaded"},
        ErrnoCase{KernelOperation::Unload, EWOULDBLOCK, ErrorKind::InUse, "in use"},
        ErrnoCase{KernelOperation::Unload, EBUSY, ErrorKind::Busy, "being removed"},
        ErrnoCase{KernelOperation::Unload, EPERM, ErrorKind::KernelRejected, "not permitted"},
        ErrnoCase{KernelOperation::Unload, EFAULT, ErrorKind::Failed, "could not read"},
        ErrnoCase{KernelOperation::Unload, EINTR, ErrorKind::Failed, "interrupted"},
        ErrnoCase{KernelOperation::Unload, EIO, ErrorKind::KernelRejected,
                  "refused: Input/output error"}));

TEST(AKernelErrorName, IsTheDBusErrorSuffix) {
    EXPECT_EQ(kmodd::errorName(ErrorKind::NotAllowed), "NotAllowed");
    EXPECT_EQ(kmodd::errorName(ErrorKind::KernelRejected), "KernelRejected");
    EXPECT_EQ(kmodd::errorName(ErrorKind::InvalidParameter), "InvalidParameter");
}

} // namespace
