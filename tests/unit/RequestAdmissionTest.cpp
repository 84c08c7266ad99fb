#include "RequestAdmission.h"

#include "Error.h"
#include "ErrorFrom.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <vector>

using namespace kmodd;
using ::testing::HasSubstr;

namespace {

constexpr uid_t nobody = 65534;
constexpr uid_t other = 1000;
constexpr uid_t root = 0;

using Tickets = std::vector<std::shared_ptr<RequestAdmission::Ticket>>;

Tickets admitMany(RequestAdmission& admission, uid_t uid, std::size_t count) {
    Tickets tickets;
    for (std::size_t i = 0; i < count; ++i) {
        tickets.push_back(admission.admit(uid));
    }
    return tickets;
}

} // namespace

TEST(ARequestAdmission, RefusesOneRequestMoreThanAUidMayHaveInFlightSayingWhy) {
    RequestAdmission admission(16);
    const Tickets held = admitMany(admission, nobody, 16);

    const std::string message =
        kmodd::testing::errorFrom([&] { admission.admit(nobody); }, ErrorKind::Busy);

    EXPECT_THAT(message, HasSubstr("uid 65534 already has 16 requests in flight"));
}

TEST(ARequestAdmission, GivesThePlaceBackWhenTheRequestIsAnswered) {
    RequestAdmission admission(2);
    Tickets held = admitMany(admission, nobody, 2);
    held.pop_back();

    EXPECT_EQ(admission.inFlight(nobody), 1U);
    EXPECT_NO_THROW(held.push_back(admission.admit(nobody)));
    held.clear();
    EXPECT_EQ(admission.inFlight(nobody), 0U);
}

TEST(ARequestAdmission, CountsEachUidOnItsOwn) {
    RequestAdmission admission(2);
    const Tickets held = admitMany(admission, nobody, 2);

    EXPECT_NO_THROW(admitMany(admission, other, 2));
}

TEST(ARequestAdmission, NeverRefusesRoot) {
    RequestAdmission admission(1);
    const Tickets held = admitMany(admission, nobody, 1);

    EXPECT_NO_THROW(admitMany(admission, root, 100));
    EXPECT_EQ(admission.inFlight(root), 0U);
}

TEST(ARequestAdmission, ToleratesATicketThatOutlivesIt) {
    std::shared_ptr<RequestAdmission::Ticket> ticket;
    {
        RequestAdmission admission(1);
        ticket = admission.admit(nobody);
    }
    ticket.reset(); // must not touch the admission that is gone
}
