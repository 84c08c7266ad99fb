// The integration tests bind-mount files over /etc and /usr/share (see PrivatePolkit.h), so
// they run in a mount namespace of their own, entered before the first test starts.
#include "BindMount.h"

#include <gtest/gtest.h>

namespace {

class PrivateMountNamespace : public ::testing::Environment {
  public:
    void SetUp() override { kmodd::testing::enterPrivateMountNamespace(); }
};

} // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new PrivateMountNamespace);
    return RUN_ALL_TESTS();
}
