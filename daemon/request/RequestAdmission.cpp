#include "RequestAdmission.h"

#include "Authorization.h"
#include "Error.h"

#include <string>

namespace kmodd {

RequestAdmission::Ticket::~Ticket() {
    if (const auto found = counts_->find(uid_); found != counts_->end() && --found->second == 0) {
        counts_->erase(found);
    }
}

RequestAdmission::RequestAdmission(std::size_t perUid) : perUid_(perUid) {}

std::shared_ptr<RequestAdmission::Ticket> RequestAdmission::admit(uid_t uid) {
    if (skipsPolkit(uid)) {
        return nullptr; // root holds no place: nothing to give back
    }
    std::size_t& count = (*counts_)[uid];
    if (count >= perUid_) {
        throw Error(ErrorKind::Busy, "uid " + std::to_string(uid) + " already has " +
                                         std::to_string(count) +
                                         " requests in flight, the most kmodd takes from one "
                                         "user; try again when one has been answered");
    }
    ++count;
    return std::shared_ptr<Ticket>(new Ticket(counts_, uid));
}

std::size_t RequestAdmission::inFlight(uid_t uid) const {
    const auto found = counts_->find(uid);
    return found == counts_->end() ? 0 : found->second;
}

} // namespace kmodd
