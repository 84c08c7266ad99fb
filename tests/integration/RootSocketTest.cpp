// Root's socket (--root-socket): root's kmodctl reaches kmodd without the bus daemon, so that
// nothing other users send through the bus can delay it (issue 13), and only root gets in.
#include "RequestLimits.h"
#include "ServiceTest.h"
#include "WaitUntil.h"

#include <csignal>
#include <fstream>
#include <gmock/gmock.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <system_error>
#include <systemd/sd-bus.h>
#include <unistd.h>

namespace kmodd::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

// A direct connection to the socket, as root's kmodctl makes (busctl and gdbus would say Hello
// to a bus first).
class DirectConnection {
  public:
    explicit DirectConnection(const fs::path& socket) {
        check(sd_bus_new(&bus_), "sd_bus_new");
        check(sd_bus_set_address(bus_, ("unix:path=" + socket.string()).c_str()),
              "sd_bus_set_address");
        check(sd_bus_start(bus_), "sd_bus_start");
    }
    ~DirectConnection() { sd_bus_flush_close_unref(bus_); }
    DirectConnection(const DirectConnection&) = delete;
    DirectConnection& operator=(const DirectConnection&) = delete;

    sd_bus_message* newCall(const char* interface, const char* member) {
        sd_bus_message* call = nullptr;
        check(sd_bus_message_new_method_call(bus_, &call, busName, managerPath, interface, member),
              "sd_bus_message_new_method_call");
        return call;
    }

    /// "return", or the error name of the reply; takes call.
    std::string send(sd_bus_message* call) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message* reply = nullptr;
        const int result = sd_bus_call(bus_, call, 0, &error, &reply);
        sd_bus_message_unref(call);
        sd_bus_message_unref(reply);
        const std::string outcome = result >= 0 ? "return" : error.name ? error.name : "none";
        lastError_ = error.message ? error.message : "";
        sd_bus_error_free(&error);
        return outcome;
    }

    /// Sends call (and takes it) without waiting for the reply.
    void sendWithoutWaiting(sd_bus_message* call) {
        const int sent = sd_bus_send(bus_, call, nullptr);
        sd_bus_message_unref(call);
        check(sent, "sd_bus_send");
        check(sd_bus_flush(bus_), "sd_bus_flush");
    }

    const std::string& lastError() const { return lastError_; }

  private:
    static void check(int result, const char* what) {
        if (result < 0) {
            throw std::system_error(-result, std::generic_category(), what);
        }
    }

    sd_bus* bus_ = nullptr;
    std::string lastError_;
};

class TheRootSocket : public ServiceTest {
  protected:
    Outcome kmodctlWithSocket(const std::string& socket,
                              const std::vector<std::string>& arguments) {
        std::vector<std::string> argv{KMODCTL};
        argv.insert(argv.end(), arguments.begin(), arguments.end());
        return run(argv, {.environment = {std::string(wire::rootSocketVariable) + "=" + socket}});
    }
};

TEST_F(TheRootSocket, ServesRootsKmodctlWhileTheBusDaemonIsFrozen) {
    pauseBus();

    const auto loaded = kmodctl({"load", "dummy"});
    const auto listed = kmodctl({"list"});
    const auto unloaded = kmodctl({"unload", "dummy"});

    EXPECT_EQ(loaded.exitCode, exitCode::success) << loaded.err;
    EXPECT_THAT(listed.out, HasSubstr("dummy"));
    EXPECT_EQ(unloaded.exitCode, exitCode::success) << unloaded.err;
}

// A load on root's socket is answered before it is published (its caller gets no signals),
// but in the same turn of kmodd's loop: a request sent after the answer finds the object.
TEST_F(TheRootSocket, PublishesARootLoadBeforeTheNextRequest) {
    DirectConnection root(rootSocket());
    sd_bus_message* load = root.newCall(managerInterface, "Load");
    sd_bus_message_append(load, "sa{ss}t", "dummy", 0, std::uint64_t{0});
    ASSERT_EQ(root.send(load), "return") << root.lastError();

    const auto state = busctl(
        {"get-property", busName, "/org/kmodd/Manager1/module/dummy", moduleInterface, "State"});
    EXPECT_EQ(state.out, "s \"live\"\n") << state.describe();
}

TEST_F(TheRootSocket, IsASocketOnlyRootCanOpen) {
    struct stat status {};
    ASSERT_EQ(::lstat(rootSocket().c_str(), &status), 0);

    EXPECT_TRUE(S_ISSOCK(status.st_mode));
    EXPECT_EQ(status.st_uid, 0u);
    EXPECT_EQ(status.st_mode & 0777, 0600u);
}

// Were the file's mode ever wrong, the peer's credentials still keep others out: a process
// that connects as nobody finds the connection closed before it has said anything.
TEST_F(TheRootSocket, ClosesAConnectionFromAnotherUserWhateverTheFilesMode) {
    fs::permissions(rootSocket(), fs::perms(0666));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    rootSocket().string().copy(address.sun_path, sizeof(address.sun_path) - 1);

    const pid_t child = ::fork();
    if (child == 0) {
        // Only async-signal-safe calls after fork(): exit 0 if kmodd closed the connection.
        if (::setresgid(accounts::nobody.gid, accounts::nobody.gid, accounts::nobody.gid) != 0 ||
            ::setresuid(accounts::nobody.uid, accounts::nobody.uid, accounts::nobody.uid) != 0) {
            ::_exit(2);
        }
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 ||
            ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
            ::_exit(3);
        }
        char byte = 0;
        ::_exit(::read(fd, &byte, 1) == 0 ? 0 : 4);
    }
    ASSERT_GT(child, 0);
    int status = -1;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    DirectConnection root(rootSocket());

    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    EXPECT_THAT(daemonLog(), HasSubstr("only root is served there"));
    EXPECT_EQ(root.send(root.newCall(managerInterface, "ListModules")), "return");
}

TEST_F(TheRootSocket, RefusesALoadBeyondTheWireBoundsAsTheBusDoes) {
    DirectConnection root(rootSocket());
    sd_bus_message* load = root.newCall(managerInterface, "Load");
    sd_bus_message_append(load, "s", "dummy");
    sd_bus_message_open_container(load, 'a', "{ss}");
    for (std::size_t i = 0; i <= requestLimit::parameters; ++i) {
        sd_bus_message_append(load, "{ss}", ("p" + std::to_string(i)).c_str(), "1");
    }
    sd_bus_message_close_container(load);
    sd_bus_message_append(load, "t", std::uint64_t{0});

    const auto refused = root.send(load);

    EXPECT_EQ(refused, wire::error::busName("InvalidArgument"));
    EXPECT_THAT(root.lastError(), HasSubstr("at most"));
    EXPECT_FALSE(isLoaded("dummy"));
    EXPECT_EQ(root.send(root.newCall(managerInterface, "ListModules")), "return");
}

TEST_F(TheRootSocket, AnswersManagersPropertiesAndAnUnknownMethodWithAnError) {
    DirectConnection root(rootSocket());
    sd_bus_message* get = root.newCall("org.freedesktop.DBus.Properties", "Get");
    sd_bus_message_append(get, "ss", managerInterface, "ModuleDirectory");

    EXPECT_EQ(root.send(get), "return");
    EXPECT_EQ(root.send(root.newCall(managerInterface, "NoSuchMethod")),
              "org.freedesktop.DBus.Error.UnknownObject");
}

// A connection is let go when its peer closes it: far more clients than may be connected at
// once, one after the other, are all served.
TEST_F(TheRootSocket, LetsEveryConnectionGoWhenItsPeerCloses) {
    for (std::size_t i = 0; i < requestLimit::rootConnections + 16; ++i) {
        ASSERT_EQ(kmodctl({"list"}).exitCode, exitCode::success) << "client " << i;
    }
}

TEST_F(TheRootSocket, IsPassedByRootsKmodctlForTheBusWhenNothingListensThere) {
    const auto missing =
        kmodctlWithSocket((rootSocket().parent_path() / "missing").string(), {"load", "dummy"});
    // A file left where a socket was: connecting is refused.
    const auto stale = rootSocket().parent_path() / "stale";
    { std::ofstream(stale) << ""; }
    const auto refused = kmodctlWithSocket(stale.string(), {"unload", "dummy"});

    EXPECT_EQ(missing.exitCode, exitCode::success) << missing.err;
    EXPECT_EQ(refused.exitCode, exitCode::success) << refused.err;
}

class TheRootSocketWithASlowKernel : public TheRootSocket {
  protected:
    DaemonOptions daemonOptions() const override {
        return {.environment = {"KMODD_FAKE_DELAY_MS=400"}};
    }
};

// The reply then has nowhere to go; kmodd carries on.
TEST_F(TheRootSocketWithASlowKernel, ServesOnAfterAPeerLeavesDuringItsLoad) {
    {
        DirectConnection leaving(rootSocket());
        sd_bus_message* load = leaving.newCall(managerInterface, "Load");
        sd_bus_message_append(load, "sa{ss}t", "dummy", 0, std::uint64_t{0});
        leaving.sendWithoutWaiting(load);
        waitUntil(
            [&] {
                return manager()
                           .getProperty("KernelOperation")
                           .onInterface(managerInterface)
                           .get<std::string>() != "";
            },
            "the load of dummy to reach the kernel");
    }

    waitUntil([&] { return isLoaded("dummy"); }, "dummy to be loaded");
    const auto listed = kmodctl({"list"});

    EXPECT_EQ(listed.exitCode, exitCode::success) << listed.err;
    EXPECT_THAT(listed.out, HasSubstr("dummy"));
}

} // namespace
} // namespace kmodd::testing
