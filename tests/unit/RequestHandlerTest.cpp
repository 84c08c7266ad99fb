#include "RequestHandler.h"

#include "FakeAuthority.h"
#include "FakeKernel.h"
#include "ModuleTree.h"
#include "WireNames.h"

#include <chrono>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

using namespace kmodd;
using namespace std::chrono_literals;
using kmodd::testing::FakeAuthority;
using kmodd::testing::FakeKernel;
using kmodd::testing::ModuleTree;
using ::testing::HasSubstr;
using Verdict = AuthorityAnswer::Verdict;

namespace {

Caller user(uid_t uid) {
    return {.busName = ":1." + std::to_string(uid), .uid = uid, .pid = 4242};
}

const Caller root{.busName = ":1.1", .uid = 0, .pid = 1};
const AuthorityAnswer allowed{Verdict::Allowed};

/// The request order of RequestHandler without a bus: the real engine on a fake kernel and a
/// module tree, the real facts cache and kernel queue, and a fake authority that answers when
/// a test says so.
class ARequestHandler : public ::testing::Test {
  protected:
    template <class Outcome> using Answer = std::shared_ptr<std::optional<Outcome>>;

    void SetUp() override {
        tree.add({.name = "dummy", .parameters = {"numdummies:int"}});
        tree.add({.name = "veth", .aliases = {"rtnl-link-veth"}});
        tree.add({.name = "floppy"});
        tree.index();
        index = std::make_unique<ModuleIndex>(tree.moduleDirectory(),
                                              std::vector<std::filesystem::path>{});
        engine = std::make_unique<ModuleEngine>(kernel, *index, config(), logger);
        sd_event* loop = nullptr;
        ASSERT_GE(sd_event_new(&loop), 0);
        event.reset(loop);
        dispatcher = std::make_unique<MainThreadDispatcher>(event.get(), logger);
        facts = std::make_unique<ModuleFactsCache>(
            [this](std::function<void()> task) { dispatcher->post(std::move(task)); });
        // One boot worker: these tests are about the order of a request, not the boot pool.
        constexpr std::size_t bootLoadWorkers = 1;
        handler = std::make_unique<RequestHandler>(
            *engine, *facts, authority, *dispatcher, log,
            ConfigFiles{tree.root() / "kmodd.yaml", tree.root() / "kmodd.yaml.d"},
            [](std::uint64_t) {}, bootLoadWorkers);
    }

    void TearDown() override {
        handler->stop(0s);
        dispatcher->runPending();
    }

    Config config(std::vector<std::string> deny = {"floppy"}) const {
        Config config;
        config.trustedPaths = {tree.trustedRoot()};
        config.deny = std::move(deny);
        return config;
    }

    // Runs the loop until done() or ten seconds have passed.
    void runUntil(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!done()) {
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no answer in 10 s";
            ASSERT_GE(sd_event_run(event.get(), 10'000), 0);
        }
    }

    // Runs the loop until the request is answered or waits for the authority.
    template <class Outcome> void settle(const Answer<Outcome>& answer, std::size_t askedBefore) {
        runUntil([&] { return answer->has_value() || authority.asked() > askedBefore; });
    }

    Answer<LoadOutcome> sendLoad(const Caller& caller, const std::string& name,
                                 std::uint64_t flags = wire::flag::interactive) {
        auto answer = std::make_shared<std::optional<LoadOutcome>>();
        const std::size_t asked = authority.asked();
        handler->load(caller, name, {}, flags,
                      [answer](const LoadOutcome& outcome) { *answer = outcome; });
        settle(answer, asked);
        return answer;
    }

    Answer<UnloadOutcome> sendUnload(const Caller& caller, const std::string& name) {
        auto answer = std::make_shared<std::optional<UnloadOutcome>>();
        const std::size_t asked = authority.asked();
        handler->unload(caller, name, wire::flag::interactive,
                        [answer](const UnloadOutcome& outcome) { *answer = outcome; });
        settle(answer, asked);
        return answer;
    }

    // The answer of a request that never waits for the authority.
    LoadOutcome load(const Caller& caller, const std::string& name,
                     std::uint64_t flags = wire::flag::interactive) {
        const auto answer = sendLoad(caller, name, flags);
        return answer->value_or(
            LoadOutcome{"(waiting for the authority)", Error(ErrorKind::Failed, "")});
    }

    // The authority's answer to the oldest pending check, and the request's outcome.
    template <class Outcome>
    const Outcome& answerWith(const AuthorityAnswer& verdict, const Answer<Outcome>& answer) {
        authority.answerNext(verdict);
        runUntil([&] { return answer->has_value(); });
        return **answer;
    }

    static const Error* errorOf(const auto& outcome) { return std::get_if<Error>(&outcome.result); }

    static std::optional<ErrorKind> kindOf(const auto& outcome) {
        const Error* error = errorOf(outcome);
        return error ? std::optional(error->kind()) : std::nullopt;
    }

    static std::optional<LoadStatus> statusOf(const LoadOutcome& outcome) {
        const auto* report = std::get_if<LoadReport>(&outcome.result);
        return report ? std::optional(report->status) : std::nullopt;
    }

    bool isLoaded(const std::string& name) const {
        for (const auto& module : kernel.loadedModules()) {
            if (module.name.str() == name) {
                return true;
            }
        }
        return false;
    }

    std::shared_ptr<spdlog::logger> logger =
        std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
    ModuleTree tree;
    FakeKernel kernel;
    std::unique_ptr<ModuleIndex> index;
    std::unique_ptr<ModuleEngine> engine;
    EventPtr event;
    std::unique_ptr<MainThreadDispatcher> dispatcher;
    std::unique_ptr<ModuleFactsCache> facts;
    FakeAuthority authority;
    RequestLog log{nullptr};
    std::unique_ptr<RequestHandler> handler;
};

} // namespace

TEST_F(ARequestHandler, RefusesADeniedModuleWithoutAskingTheAuthority) {
    const LoadOutcome outcome = load(user(1000), "floppy");

    EXPECT_EQ(kindOf(outcome), ErrorKind::NotAllowed);
    EXPECT_EQ(authority.asked(), 0U);
}

TEST_F(ARequestHandler, RefusesAnUnknownModuleWithoutAskingTheAuthority) {
    EXPECT_EQ(kindOf(load(user(1000), "nosuchmodule")), ErrorKind::NotFound);
    EXPECT_EQ(authority.asked(), 0U);
}

TEST_F(ARequestHandler, LoadsAModuleAlreadyLoadedWithoutAskingTheAuthority) {
    kernel.addLoaded("dummy");

    EXPECT_EQ(statusOf(load(user(1000), "dummy")), LoadStatus::AlreadyLoaded);
    EXPECT_EQ(authority.asked(), 0U);
}

TEST_F(ARequestHandler, RefusesToUnloadAModuleNotLoadedWithoutAskingTheAuthority) {
    const auto answer = sendUnload(user(1000), "dummy");

    ASSERT_TRUE(answer->has_value());
    EXPECT_EQ(kindOf(**answer), ErrorKind::NotFound);
    EXPECT_EQ(authority.asked(), 0U);
}

TEST_F(ARequestHandler, LoadsForRootWithoutAskingTheAuthority) {
    EXPECT_EQ(statusOf(load(root, "dummy")), LoadStatus::Loaded);
    EXPECT_EQ(authority.asked(), 0U);
    EXPECT_TRUE(isLoaded("dummy"));
}

TEST_F(ARequestHandler, AnswersADryRunWithItsPlanWithoutAskingTheAuthority) {
    EXPECT_EQ(statusOf(load(user(1000), "dummy", wire::flag::dryRun)), LoadStatus::DryRun);
    EXPECT_EQ(authority.asked(), 0U);
    EXPECT_FALSE(isLoaded("dummy"));
}

TEST_F(ARequestHandler, AsksTheAuthorityAboutTheResolvedModuleAndLoadsOnlyWhenAllowed) {
    const auto answer = sendLoad(user(1000), "rtnl-link-veth");

    ASSERT_EQ(authority.pending(), 1U);
    EXPECT_EQ(authority.next().action, Action::LoadModule);
    EXPECT_EQ(authority.next().module, "veth");
    EXPECT_EQ(authority.next().caller.busName, ":1.1000");
    EXPECT_TRUE(authority.next().interactive);
    EXPECT_FALSE(isLoaded("veth"));

    EXPECT_EQ(statusOf(answerWith(allowed, answer)), LoadStatus::Loaded);
    EXPECT_TRUE(isLoaded("veth"));
}

TEST_F(ARequestHandler, PassesTheRequestsChoiceNotToBeAskedForAPassword) {
    sendLoad(user(1000), "dummy", 0);

    ASSERT_EQ(authority.pending(), 1U);
    EXPECT_FALSE(authority.next().interactive);
}

TEST_F(ARequestHandler, AsksTheAuthorityBeforeUnloading) {
    kernel.addLoaded("dummy");
    const auto answer = sendUnload(user(1000), "dummy");

    ASSERT_EQ(authority.pending(), 1U);
    EXPECT_EQ(authority.next().action, Action::UnloadModule);
    EXPECT_EQ(authority.next().module, "dummy");
    EXPECT_TRUE(isLoaded("dummy"));

    EXPECT_EQ(kindOf(answerWith(allowed, answer)), std::nullopt);
    EXPECT_FALSE(isLoaded("dummy"));
}

TEST_F(ARequestHandler, AsksTheAuthorityToReloadTheConfigurationForNoModule) {
    auto answer = std::make_shared<std::optional<std::optional<Error>>>();
    handler->reload(user(1000), 0,
                    [answer](const std::optional<Error>& error) { *answer = error; });

    ASSERT_EQ(authority.pending(), 1U);
    EXPECT_EQ(authority.next().action, Action::ReloadConfig);
    EXPECT_EQ(authority.next().module, "");
    authority.answerNext({Verdict::Denied, "not authorized to reload the kmodd configuration"});
    ASSERT_TRUE(answer->has_value() && answer->value().has_value());
    EXPECT_EQ(answer->value()->kind(), ErrorKind::NotAuthorized);
}

TEST_F(ARequestHandler, AnswersARefusalOfTheAuthorityWithNotAuthorizedAndItsReason) {
    const auto answer = sendLoad(user(1000), "dummy");

    const LoadOutcome& outcome =
        answerWith({Verdict::Denied, "not authorized to load dummy (polkit action x)"}, answer);

    ASSERT_EQ(kindOf(outcome), ErrorKind::NotAuthorized);
    EXPECT_STREQ(errorOf(outcome)->what(), "not authorized to load dummy (polkit action x)");
    EXPECT_FALSE(isLoaded("dummy"));
}

TEST_F(ARequestHandler, AnswersAnUnreachableAuthorityWithNotAuthorizedSayingSo) {
    const auto answer = sendLoad(user(1000), "dummy");

    const LoadOutcome& outcome = answerWith(
        {Verdict::Unreachable, "polkit is not available (timeout), so only root may load dummy"},
        answer);

    ASSERT_EQ(kindOf(outcome), ErrorKind::NotAuthorized);
    EXPECT_THAT(errorOf(outcome)->what(), HasSubstr("polkit is not available"));
    EXPECT_FALSE(isLoaded("dummy"));
}

TEST_F(ARequestHandler, ChecksThePolicyInForceAgainOnceTheAuthorityHasAllowed) {
    const auto answer = sendLoad(user(1000), "dummy");
    ASSERT_EQ(authority.pending(), 1U);
    engine->setConfig(config({"dummy"}));

    EXPECT_EQ(kindOf(answerWith(allowed, answer)), ErrorKind::NotAllowed);
    EXPECT_FALSE(isLoaded("dummy"));
}

TEST_F(ARequestHandler, AnswersBusyOnceItIsStopping) {
    handler->stop(0s);

    const LoadOutcome outcome = load(root, "dummy");

    ASSERT_EQ(kindOf(outcome), ErrorKind::Busy);
    EXPECT_THAT(errorOf(outcome)->what(), HasSubstr("shutting down"));
    EXPECT_FALSE(isLoaded("dummy"));
}

TEST_F(ARequestHandler, AnswersAPendingCheckBusyWhenItStops) {
    const auto answer = sendLoad(user(1000), "dummy");
    ASSERT_EQ(authority.pending(), 1U);

    handler->stop(0s);
    dispatcher->runPending();

    ASSERT_TRUE(answer->has_value());
    EXPECT_EQ(kindOf(**answer), ErrorKind::Busy);
    EXPECT_FALSE(isLoaded("dummy"));
}

TEST_F(ARequestHandler, RefusesOneRequestMoreThanAUserMayHaveInFlightButNotOthersOrRoots) {
    std::vector<Answer<LoadOutcome>> waiting;
    for (std::size_t i = 0; i < requestLimit::requestsPerUid; ++i) {
        waiting.push_back(sendLoad(user(1000), "dummy"));
    }
    ASSERT_EQ(authority.pending(), requestLimit::requestsPerUid);

    const LoadOutcome refused = load(user(1000), "veth");
    ASSERT_EQ(kindOf(refused), ErrorKind::Busy);
    EXPECT_THAT(errorOf(refused)->what(), HasSubstr("uid 1000 already has 16 requests in flight"));
    EXPECT_EQ(authority.asked(), requestLimit::requestsPerUid);

    sendLoad(user(1001), "veth");
    EXPECT_EQ(authority.pending(), requestLimit::requestsPerUid + 1);
    EXPECT_EQ(statusOf(load(root, "veth")), LoadStatus::Loaded);

    answerWith({Verdict::Denied, "not authorized"}, waiting.front());
    sendLoad(user(1000), "dummy");
    EXPECT_EQ(authority.pending(), requestLimit::requestsPerUid + 1)
        << "an answered request gives its place back";
}

TEST_F(ARequestHandler, RefusesACheckBeyondThoseAllCallersMayHaveWaitingButAnswersRoot) {
    for (uid_t uid = 1000; authority.pending() < requestLimit::pendingAuthorizations; ++uid) {
        for (std::size_t i = 0; i < requestLimit::requestsPerUid; ++i) {
            sendLoad(user(uid), "dummy");
        }
    }
    ASSERT_EQ(authority.pending(), requestLimit::pendingAuthorizations);

    const LoadOutcome refused = load(user(2000), "dummy");
    ASSERT_EQ(kindOf(refused), ErrorKind::Busy);
    EXPECT_THAT(errorOf(refused)->what(), HasSubstr("already waiting for polkit on 64 requests"));
    EXPECT_EQ(authority.asked(), requestLimit::pendingAuthorizations);
    EXPECT_EQ(statusOf(load(root, "dummy")), LoadStatus::Loaded);
}

TEST_F(ARequestHandler, PreparesAUsersBootListOneEntryAfterTheOtherAsTheAuthorityAnswers) {
    Config boot = config();
    boot.boot = {"dummy", "floppy", "veth"};
    engine->setConfig(boot);
    std::optional<std::variant<std::vector<BootResult>, Error>> answer;
    handler->loadBootModules(user(1000), wire::flag::interactive,
                             [&](const auto& outcome) { answer = outcome; });
    runUntil([&] { return authority.pending() == 1; });
    EXPECT_EQ(authority.next().module, "dummy");

    authority.answerNext(allowed);
    runUntil([&] { return authority.pending() == 1; });
    EXPECT_EQ(authority.next().module, "veth") << "floppy is refused without asking";
    authority.answerNext({Verdict::Denied, "not authorized"});
    runUntil([&] { return answer.has_value(); });

    const auto& results = std::get<std::vector<BootResult>>(*answer);
    ASSERT_EQ(results.size(), 3U);
    EXPECT_EQ(results[0], (BootResult{"dummy", "dummy", "loaded", false}));
    EXPECT_TRUE(results[1].failed);
    EXPECT_EQ(results[2], (BootResult{"veth", "veth", "not authorized", true}));
    EXPECT_EQ(authority.asked(), 2U);
    EXPECT_TRUE(isLoaded("dummy"));
    EXPECT_FALSE(isLoaded("veth"));
}

TEST_F(ARequestHandler, PreparesALongBootListOfRootsWithoutNestingACallPerEntry) {
    // Prepared one within the other, this many entries would overflow the loop's stack.
    constexpr std::size_t entries = 100'000;
    Config boot = config();
    boot.boot.assign(entries, "nosuchmodule");
    boot.boot.back() = "dummy";
    engine->setConfig(boot);
    std::optional<std::variant<std::vector<BootResult>, Error>> answer;
    handler->loadBootModules(root, 0, [&](const auto& outcome) { answer = outcome; });
    runUntil([&] { return answer.has_value(); });

    const auto& results = std::get<std::vector<BootResult>>(*answer);
    ASSERT_EQ(results.size(), entries);
    EXPECT_TRUE(results.front().failed);
    EXPECT_EQ(results.back(), (BootResult{"dummy", "dummy", "loaded", false}));
}

TEST(AnAuthorityAnswer, MeansNoRefusalOnlyWhenAllowed) {
    EXPECT_EQ(refusalOf({Verdict::Allowed}), std::nullopt);
    EXPECT_EQ(refusalOf({Verdict::Denied, "no"})->kind(), ErrorKind::NotAuthorized);
    EXPECT_EQ(refusalOf({Verdict::Unreachable, "gone"})->kind(), ErrorKind::NotAuthorized);
    EXPECT_EQ(refusalOf({Verdict::Cancelled, "stopping"})->kind(), ErrorKind::Busy);
    EXPECT_STREQ(refusalOf({Verdict::Unreachable, "gone"})->what(), "gone");
}
