// kmodd-bench-echo: the smallest sdbus-c++ service, the peer kmodd's reads are measured against.
// It owns org.kmodd.BenchEcho on the system bus ($DBUS_SYSTEM_BUS_ADDRESS) and answers
// org.kmodd.BenchEcho.Echo(s) -> s with its argument, until it is killed.

#include <cstdlib>
#include <iostream>
#include <sdbus-c++/sdbus-c++.h>

int main() {
    try {
        auto connection = sdbus::createSystemBusConnection();
        auto object = sdbus::createObject(*connection, "/org/kmodd/BenchEcho");
        object->registerMethod("Echo")
            .onInterface("org.kmodd.BenchEcho")
            .implementedAs([](const std::string& text) { return text; });
        object->finishRegistration();
        connection->requestName("org.kmodd.BenchEcho");
        connection->enterEventLoop();
    } catch (const sdbus::Error& error) {
        std::cerr << "kmodd-bench-echo: " << error.getMessage() << "\n";
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
