#include "UeventMonitor.h"

#include <gtest/gtest.h>
#include <string>

using namespace kmodd;
using namespace std::string_literals;

TEST(AKernelUevent, IsAModuleEventWhenItsSubsystemIsModule) {
    EXPECT_TRUE(isModuleUevent(
        "add@/module/dummy\0ACTION=add\0DEVPATH=/module/dummy\0SUBSYSTEM=module\0SEQNUM=7\0"s));
    EXPECT_TRUE(isModuleUevent("remove@/module/dummy\0ACTION=remove\0SUBSYSTEM=module"s));
}

TEST(AKernelUevent, IsNoModuleEventForAnotherSubsystem) {
    EXPECT_FALSE(isModuleUevent(
        "add@/devices/virtual/net/dummy0\0ACTION=add\0SUBSYSTEM=net\0INTERFACE=dummy0\0"s));
    EXPECT_FALSE(isModuleUevent("add@/x\0SUBSYSTEM=modules\0"s));
    EXPECT_FALSE(isModuleUevent("add@/x\0NOTSUBSYSTEM=module\0"s));
}

TEST(AKernelUevent, IsNoModuleEventWithoutAKernelHeader) {
    EXPECT_FALSE(isModuleUevent("libudev\0SUBSYSTEM=module\0"s));
    EXPECT_FALSE(isModuleUevent("SUBSYSTEM=module"s));
    EXPECT_FALSE(isModuleUevent(""));
}
