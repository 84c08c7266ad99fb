#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <sys/types.h>

namespace kmodd {

/// Bounds the state-changing requests each unprivileged uid has in flight (requestLimit::
/// requestsPerUid), so that one user's flood cannot take the memory, the file descriptors or
/// polkit's attention everyone else needs. Root is never counted nor refused: capacity taken
/// by others is no reason to turn it away. Loop thread only.
class RequestAdmission {
  public:
    /// One admitted request's place; given back when the last copy is destroyed (after the
    /// request is answered).
    class Ticket {
      public:
        Ticket(const Ticket&) = delete;
        Ticket& operator=(const Ticket&) = delete;
        ~Ticket();

      private:
        friend class RequestAdmission;
        using Counts = std::map<uid_t, std::size_t>;
        Ticket(std::shared_ptr<Counts> counts, uid_t uid) : counts_(std::move(counts)), uid_(uid) {}

        std::shared_ptr<Counts> counts_; ///< shared: a ticket may outlive the admission
        uid_t uid_;
    };

    explicit RequestAdmission(std::size_t perUid);

    /// A ticket for one more request of uid; throws Error(Busy) saying why when uid already has
    /// perUid requests in flight. Root always gets one.
    std::shared_ptr<Ticket> admit(uid_t uid);

    /// Requests uid has in flight now.
    std::size_t inFlight(uid_t uid) const;

  private:
    std::size_t perUid_;
    std::shared_ptr<Ticket::Counts> counts_ = std::make_shared<Ticket::Counts>();
};

} // namespace kmodd
