#include "RequestLog.h"

#include "MessageIds.h"

#include <algorithm>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <set>

using namespace kmodd;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

namespace {

RequestRecord loadRecord() {
    return {.operation = Operation::Load,
            .caller = {":1.42", 1000, 4242, "session-2.scope"},
            .requested = "net-dummy",
            .parameters = "numdummies=2",
            .flags = 1,
            .module = "dummy",
            .kernelParameters = "numdummies=2 debug"};
}

std::string field(const std::vector<std::string>& fields, const std::string& name) {
    const auto found = std::find_if(fields.begin(), fields.end(), [&](const std::string& entry) {
        return entry.starts_with(name + "=");
    });
    return found == fields.end() ? "(absent)" : found->substr(name.size() + 1);
}

} // namespace

TEST(RequestParametersForTheJournal, AreWrittenAsOnACommandLine) {
    EXPECT_EQ(describeParameters({{"numdummies", "2"}, {"verbose", ""}}), "numdummies=2 verbose");
    EXPECT_EQ(describeParameters({}), "");
}

TEST(AJournalRecord, NamesTheCallerModuleParametersAndResultOfASuccess) {
    const auto fields = journalFields(loadRecord(), nullptr, "Loaded dummy");

    EXPECT_EQ(field(fields, "KMODD_OPERATION"), "load");
    EXPECT_EQ(field(fields, "KMODD_MODULE"), "dummy");
    EXPECT_EQ(field(fields, "KMODD_REQUESTED"), "net-dummy");
    EXPECT_EQ(field(fields, "KMODD_PARAMETERS"), "numdummies=2");
    EXPECT_EQ(field(fields, "KMODD_KERNEL_PARAMETERS"), "numdummies=2 debug");
    EXPECT_EQ(field(fields, "KMODD_RESULT"), "ok");
    EXPECT_EQ(field(fields, "KMODD_CALLER_UID"), "1000");
    EXPECT_EQ(field(fields, "KMODD_CALLER_PID"), "4242");
    EXPECT_EQ(field(fields, "KMODD_CALLER_UNIT"), "session-2.scope");
    EXPECT_EQ(field(fields, "KMODD_CALLER_BUS_NAME"), ":1.42");
    EXPECT_EQ(field(fields, "MESSAGE_ID"), messageId::moduleLoaded);
    EXPECT_EQ(field(fields, "PRIORITY"), "6");
    EXPECT_THAT(field(fields, "MESSAGE"), StartsWith("Loaded dummy; requested by uid 1000"));
}

TEST(AJournalRecord, RecordsARefusalAsAWarningWithItsOwnMessageId) {
    const Error refusal(ErrorKind::NotAuthorized, "not authorized to load dummy");
    const auto fields = journalFields(loadRecord(), &refusal, "");

    EXPECT_EQ(field(fields, "KMODD_RESULT"), "NotAuthorized");
    EXPECT_EQ(field(fields, "MESSAGE_ID"), messageId::requestNotAuthorized);
    EXPECT_EQ(field(fields, "PRIORITY"), "4");
    EXPECT_THAT(field(fields, "MESSAGE"), HasSubstr("Refused to load 'net-dummy'"));
    EXPECT_THAT(field(fields, "MESSAGE"), HasSubstr("not authorized to load dummy"));
}

TEST(AJournalRecord, RecordsAKernelFailureAsAnError) {
    const Error failure(ErrorKind::KernelRejected, "cannot load dummy: invalid module format");
    const auto fields = journalFields(loadRecord(), &failure, "");

    EXPECT_EQ(field(fields, "KMODD_RESULT"), "KernelRejected");
    EXPECT_EQ(field(fields, "MESSAGE_ID"), messageId::requestFailed);
    EXPECT_EQ(field(fields, "PRIORITY"), "3");
}

TEST(AJournalRecord, HasOneMessageIdPerOutcome) {
    RequestRecord alreadyLoaded = loadRecord();
    alreadyLoaded.alreadyLoaded = true;
    RequestRecord unload = loadRecord();
    unload.operation = Operation::Unload;
    const RequestRecord reload{.operation = Operation::Reload};
    const Error notAllowed(ErrorKind::NotAllowed, "policy");
    const Error notAuthorized(ErrorKind::NotAuthorized, "polkit");
    const Error untrusted(ErrorKind::Untrusted, "world-writable");
    const Error inUse(ErrorKind::InUse, "used by bridge");
    const auto idOf = [](const RequestRecord& record, const Error* error) {
        return field(journalFields(record, error, "done"), "MESSAGE_ID");
    };

    EXPECT_EQ(idOf(loadRecord(), nullptr), messageId::moduleLoaded);
    EXPECT_EQ(idOf(alreadyLoaded, nullptr), messageId::moduleAlreadyLoaded);
    EXPECT_EQ(idOf(unload, nullptr), messageId::moduleUnloaded);
    EXPECT_EQ(idOf(reload, nullptr), messageId::configReloaded);
    EXPECT_EQ(idOf(loadRecord(), &notAllowed), messageId::requestNotAllowed);
    EXPECT_EQ(idOf(unload, &notAuthorized), messageId::requestNotAuthorized);
    EXPECT_EQ(idOf(loadRecord(), &untrusted), messageId::moduleUntrusted);
    EXPECT_EQ(idOf(unload, &inUse), messageId::requestFailed);
    const std::set<std::string> ids{messageId::moduleLoaded,      messageId::moduleAlreadyLoaded,
                                    messageId::moduleUnloaded,    messageId::configReloaded,
                                    messageId::requestNotAllowed, messageId::requestNotAuthorized,
                                    messageId::moduleUntrusted,   messageId::requestFailed};
    EXPECT_EQ(ids.size(), 8u) << "two outcomes share a MESSAGE_ID";
}

TEST(AJournalRecord, LeavesOutFieldsWithNothingToSay) {
    const RequestRecord record{.operation = Operation::Reload, .caller = {"", 0, 1, ""}};
    const auto fields = journalFields(record, nullptr, "Reloaded the configuration");

    EXPECT_EQ(field(fields, "KMODD_OPERATION"), "reload");
    EXPECT_EQ(field(fields, "MESSAGE_ID"), messageId::configReloaded);
    for (const char* name :
         {"KMODD_MODULE", "KMODD_REQUESTED", "KMODD_PARAMETERS", "KMODD_KERNEL_PARAMETERS",
          "KMODD_CALLER_UNIT", "KMODD_CALLER_BUS_NAME", "KMODD_FLAGS"}) {
        EXPECT_EQ(field(fields, name), "(absent)") << name;
    }
}

TEST(AJournalRecord, NamesAnUnidentifiedCallerByItsBusNameOnly) {
    RequestRecord record = loadRecord();
    record.caller = {.busName = ":1.77"};
    const Error failure(ErrorKind::Failed, "cannot identify the caller :1.77: no such name");
    const auto fields = journalFields(record, &failure, "");

    EXPECT_EQ(field(fields, "KMODD_CALLER_BUS_NAME"), ":1.77");
    EXPECT_EQ(field(fields, "KMODD_CALLER_UID"), "(absent)");
    EXPECT_EQ(field(fields, "KMODD_CALLER_PID"), "(absent)");
    EXPECT_EQ(field(fields, "MESSAGE_ID"), messageId::requestFailed);
    EXPECT_THAT(field(fields, "MESSAGE"), HasSubstr("; requested by bus name :1.77"));
    EXPECT_THAT(field(fields, "MESSAGE"), Not(HasSubstr("uid")));
}

// A newline in a requested name must not start a line of its own in the journal or on stderr.
TEST(AJournalRecord, EscapesControlCharactersFromTheCallerInEveryField) {
    RequestRecord record = loadRecord();
    record.requested = "dummy\nkmodd: info: Loaded evil; requested by uid 0";
    record.parameters = describeParameters({{"x", "1\x1b[2J"}});
    const Error refusal(ErrorKind::NotFound, "module 'dummy?kmodd' not found");
    const auto fields = journalFields(record, &refusal, "");

    for (const std::string& entry : fields) {
        EXPECT_EQ(entry.find('\n'), std::string::npos) << entry;
        EXPECT_EQ(entry.find('\x1b'), std::string::npos) << entry;
    }
    EXPECT_THAT(field(fields, "MESSAGE"), HasSubstr("'dummy\\nkmodd: info: Loaded evil"));
    EXPECT_EQ(field(fields, "KMODD_REQUESTED"),
              "dummy\\nkmodd: info: Loaded evil; requested by uid 0");
    EXPECT_EQ(field(fields, "KMODD_PARAMETERS"), "x=1\\x1b[2J");
}

TEST(RequestParametersForTheJournal, AreCutShortForAFlood) {
    std::map<std::string, std::string> flood;
    for (int i = 0; i < 40000; ++i) {
        flood.emplace("p" + std::to_string(i), "1");
    }
    const std::string text = describeParameters(flood);
    EXPECT_LT(text.size(), describedParametersLength + 64);
    EXPECT_THAT(text, ::testing::EndsWith("... (40000 parameters)"));
}

TEST(ASuppressedRefusalsRecord, CountsTheRefusalsAndNamesTheUid) {
    const auto fields = suppressedRefusalsFields(65534, 977);
    EXPECT_EQ(field(fields, "MESSAGE"), "977 more refusals from uid 65534 suppressed");
    EXPECT_EQ(field(fields, "MESSAGE_ID"), messageId::refusalsSuppressed);
    EXPECT_EQ(field(fields, "KMODD_CALLER_UID"), "65534");
    EXPECT_EQ(field(fields, "KMODD_SUPPRESSED"), "977");
}
