#include "Error.h"
#include "ExitStatus.h"
#include "WireNames.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kmodctl {
namespace {

using ::testing::HasSubstr;

std::string kmoddError(kmodd::ErrorKind kind) {
    return kmodd::wire::error::busName(kmodd::errorName(kind));
}

TEST(AKmodctlExitStatus, IsThreeWhenThePolicyOrPolkitRefuses) {
    EXPECT_EQ(exitStatusForError(kmoddError(kmodd::ErrorKind::NotAllowed)), exitNotAllowed);
    EXPECT_EQ(exitStatusForError(kmoddError(kmodd::ErrorKind::NotAuthorized)), exitNotAllowed);
    EXPECT_EQ(exitStatusForError("org.freedesktop.DBus.Error.AccessDenied"), exitNotAllowed);
    EXPECT_EQ(exitNotAllowed, 3);
}

TEST(AKmodctlExitStatus, IsFourForNoSuchModule) {
    EXPECT_EQ(exitStatusForError(kmoddError(kmodd::ErrorKind::NotFound)), exitNotFound);
    EXPECT_EQ(exitNotFound, 4);
}

TEST(AKmodctlExitStatus, IsTwoForAnInvalidNameOrParameterSyntax) {
    EXPECT_EQ(exitStatusForError(kmoddError(kmodd::ErrorKind::InvalidArgument)), exitUsage);
    EXPECT_EQ(exitUsage, 2);
}

TEST(AKmodctlExitStatus, IsOneForEveryOtherFailure) {
    using kmodd::ErrorKind;
    for (ErrorKind kind : {ErrorKind::Untrusted, ErrorKind::InvalidParameter, ErrorKind::InUse,
                           ErrorKind::KernelRejected, ErrorKind::Busy, ErrorKind::ConfigInvalid,
                           ErrorKind::Failed}) {
        EXPECT_EQ(exitStatusForError(kmoddError(kind)), exitFailure) << kmoddError(kind);
    }
    EXPECT_EQ(exitStatusForError("org.freedesktop.DBus.Error.ServiceUnknown"), exitFailure);
    EXPECT_EQ(exitStatusForError(kmodd::wire::error::busName("NotFoundAtAll")), exitFailure);
    EXPECT_EQ(exitStatusForError("org.example.Error.NotFound"), exitFailure);
    EXPECT_EQ(exitFailure, 1);
}

TEST(AKmodctlErrorDescription, IsKmoddsOwnSentence) {
    EXPECT_EQ(describeError(kmodd::wire::error::busName(kmodd::wire::error::inUse),
                            "dummy is in use by veth."),
              "dummy is in use by veth.");
}

TEST(AKmodctlErrorDescription, SaysKmoddIsNotRunningWhenNobodyOwnsItsName) {
    for (const char* name : {"org.freedesktop.DBus.Error.ServiceUnknown",
                             "org.freedesktop.DBus.Error.NameHasNoOwner"}) {
        EXPECT_THAT(describeError(name, "The name is not activatable"),
                    HasSubstr("kmodd is not running"));
    }
}

TEST(AKmodctlErrorDescription, SaysKmoddCouldNotBeStartedWhenActivationFails) {
    EXPECT_EQ(describeError("org.freedesktop.DBus.Error.Spawn.ChildExited", "exit 1"),
              "kmodd could not be started: exit 1");
}

TEST(AKmodctlErrorDescription, SaysKmoddDidNotAnswerOnATimeout) {
    EXPECT_EQ(describeError("org.freedesktop.DBus.Error.NoReply", "Connection timed out"),
              "kmodd did not answer in time");
}

TEST(AKmodctlErrorDescription, FallsBackToTheErrorName) {
    EXPECT_EQ(describeError(kmodd::wire::error::busName(kmodd::wire::error::failed), ""),
              kmodd::wire::error::busName(kmodd::wire::error::failed));
}

} // namespace
} // namespace kmodctl
