#include "PrivateSystemBus.h"

#include "TextFile.h"
#include "WaitUntil.h"

#include <csignal>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>

namespace kmodd::testing {
namespace {

namespace fs = std::filesystem;

// The policy part of /usr/share/dbus-1/system.conf; what it leaves out (user, fork, pid file,
// syslog, the setuid activation helper) would only get in the way of a throwaway bus.
constexpr const char* systemBusPolicy = R"(
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
)";

std::string configText(const fs::path& socket, const std::vector<fs::path>& policies,
                       const std::optional<fs::path>& serviceDirectory) {
    std::string config =
        R"(<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path=)" +
        socket.string() + "</listen>\n" + systemBusPolicy;
    if (serviceDirectory) {
        config += "  <servicedir>" + serviceDirectory->string() + "</servicedir>\n";
    }
    for (const auto& policy : policies) {
        config += "  <include>" + policy.string() + "</include>\n";
    }
    return config + "</busconfig>\n";
}

// The socket file appears at bind(), a moment before listen(): only a connection tells.
bool acceptsConnections(const fs::path& socket) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    socket.string().copy(address.sun_path, sizeof address.sun_path - 1);
    const UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    return ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

} // namespace

PrivateSystemBus::PrivateSystemBus(const ScratchDirectory& directory,
                                   const std::vector<fs::path>& policies,
                                   const std::optional<fs::path>& serviceDirectory)
    : socket_(directory / "system_bus_socket"), address_("unix:path=" + socket_.string()),
      log_(directory / "dbus-daemon.log"),
      daemon_(
          {"dbus-daemon", "--nofork", "--nosyslog",
           "--config-file=" +
               directory.write("system-bus.conf", configText(socket_, policies, serviceDirectory))
                   .string()},
          {.logFile = log_}) {
    waitUntil(
        [&] {
            if (!daemon_.running()) {
                daemon_.stop({});
                throw std::runtime_error("dbus-daemon exited: " + readText(log_));
            }
            return acceptsConnections(socket_);
        },
        "dbus-daemon to listen on " + address_);
}

void PrivateSystemBus::pause() {
    ::kill(daemon_.pid(), SIGSTOP);
}

void PrivateSystemBus::resume() {
    ::kill(daemon_.pid(), SIGCONT);
}

} // namespace kmodd::testing
