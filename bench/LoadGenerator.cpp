#include "LoadGenerator.h"

#include <cerrno>
#include <cstdint>
#include <ctime>
#include <limits>
#include <poll.h>
#include <system_error>

namespace kmodd::bench {
namespace {

using Clock = std::chrono::steady_clock;

// sd-bus deadlines are absolute CLOCK_MONOTONIC microseconds.
std::uint64_t monotonicMicroseconds() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000 +
           static_cast<std::uint64_t>(now.tv_nsec) / 1'000;
}

} // namespace

double PhaseResult::requestsPerSecond() const {
    const double seconds = std::chrono::duration<double>(elapsed).count();
    return seconds > 0 ? static_cast<double>(completed) / seconds : 0;
}

struct LoadGenerator::Client {
    sdbus::IConnection* connection;
    std::vector<std::unique_ptr<sdbus::IProxy>> proxies; ///< one per entry of the mix
    Clock::time_point sent{};
};

/// One run(): the clients' state and the loop that polls them.
class LoadGenerator::Phase {
  public:
    Phase(const std::vector<std::unique_ptr<sdbus::IConnection>>& connections,
          const std::vector<Request>& mix, std::size_t requests, Clock::time_point deadline)
        : mix_(mix), requests_(requests), deadline_(deadline) {
        clients_.reserve(connections.size());
        for (const auto& connection : connections) {
            Client client{connection.get(), {}};
            for (const auto& request : mix_) {
                client.proxies.push_back(
                    sdbus::createProxy(*connection, request.destination, request.objectPath));
            }
            clients_.push_back(std::move(client));
        }
        result_.latencies.reserve(requests);
    }

    PhaseResult run() {
        const auto start = Clock::now();
        for (std::size_t client = 0; client < clients_.size(); ++client) {
            issue(client);
        }
        std::vector<pollfd> watched(clients_.size());
        while (inFlight_ > 0) {
            std::uint64_t wakeUp = std::numeric_limits<std::uint64_t>::max();
            for (std::size_t client = 0; client < clients_.size(); ++client) {
                const auto poll = clients_[client].connection->getEventLoopPollData();
                watched[client] = {poll.fd, poll.events, 0};
                wakeUp = std::min(wakeUp, poll.timeout_usec);
            }
            const std::uint64_t now = monotonicMicroseconds();
            // At most a second, so that a lost reply cannot hold the phase forever unnoticed.
            const int timeoutMs =
                wakeUp <= now
                    ? 0
                    : static_cast<int>(std::min<std::uint64_t>((wakeUp - now + 999) / 1000, 1000));
            if (::poll(watched.data(), watched.size(), timeoutMs) < 0 && errno != EINTR) {
                throw std::system_error(errno, std::generic_category(), "poll");
            }
            const std::uint64_t after = monotonicMicroseconds();
            for (std::size_t client = 0; client < clients_.size(); ++client) {
                if (watched[client].revents != 0 || wakeUp <= after) {
                    while (clients_[client].connection->processPendingRequest()) {
                    }
                }
            }
        }
        result_.elapsed = Clock::now() - start;
        return std::move(result_);
    }

  private:
    void issue(std::size_t client) {
        if (issued_ == requests_ || Clock::now() >= deadline_) {
            return;
        }
        const std::size_t index = issued_ % mix_.size();
        ++issued_;
        ++inFlight_;
        auto& state = clients_[client];
        auto& proxy = *state.proxies[index];
        auto call = proxy.createMethodCall(mix_[index].interface, mix_[index].method);
        mix_[index].appendArguments(call);
        state.sent = Clock::now();
        proxy.callMethod(call, [this, client](sdbus::MethodReply&, const sdbus::Error* error) {
            onReply(client, error);
        });
    }

    void onReply(std::size_t client, const sdbus::Error* error) {
        result_.latencies.add(Clock::now() - clients_[client].sent);
        ++result_.completed;
        --inFlight_;
        if (error != nullptr && result_.errors++ == 0) {
            result_.firstError = error->getName() + ": " + error->getMessage();
        }
        issue(client);
    }

    const std::vector<Request>& mix_;
    std::size_t requests_;
    Clock::time_point deadline_;
    std::vector<Client> clients_;
    std::size_t issued_ = 0;
    std::size_t inFlight_ = 0;
    PhaseResult result_;
};

LoadGenerator::LoadGenerator(std::size_t clients) {
    for (std::size_t i = 0; i < clients; ++i) {
        connections_.push_back(sdbus::createSystemBusConnection());
    }
}

LoadGenerator::~LoadGenerator() = default;

PhaseResult LoadGenerator::run(const std::vector<Request>& mix, std::size_t requests,
                               std::chrono::seconds timeLimit) {
    return Phase(connections_, mix, requests, Clock::now() + timeLimit).run();
}

} // namespace kmodd::bench
