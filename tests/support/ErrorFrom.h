#pragma once

#include "Error.h"

#include <functional>
#include <gtest/gtest.h>
#include <string>

namespace kmodd::testing {

/// The message of the kmodd::Error that action throws, whose kind the test expects to be
/// expectedKind; fails the test and returns "" when action throws none.
inline std::string errorFrom(const std::function<void()>& action, ErrorKind expectedKind) {
    try {
        action();
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), expectedKind) << error.what();
        return error.what();
    }
    ADD_FAILURE() << "no error was thrown";
    return {};
}

} // namespace kmodd::testing
