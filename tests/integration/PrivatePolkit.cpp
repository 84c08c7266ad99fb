#include "PrivatePolkit.h"

#include "TextFile.h"

#include <signal.h>
#include <stdexcept>
#include <string>

namespace kmodd::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* testRules = R"(// Rules of the kmodd integration tests.
polkit.addRule(function(action, subject) {
    if (action.id.indexOf("org.kmodd.") != 0) {
        return polkit.Result.NOT_HANDLED;
    }
    if (subject.user == "kmodd-trusted") {
        return polkit.Result.YES;
    }
    if (subject.user == "kmodd-dummy-only" && action.lookup("module") == "dummy") {
        return polkit.Result.YES;
    }
    return polkit.Result.NOT_HANDLED;
});
)";

std::string passwdLine(const std::string& name, Credentials user) {
    return name + ":x:" + std::to_string(user.uid) + ":" + std::to_string(user.gid) +
           "::/nonexistent:/usr/sbin/nologin\n";
}

} // namespace

PrivatePolkit::PrivatePolkit(const ScratchDirectory& directory, const fs::path& sourceDirectory)
    : log_(directory / "polkitd.log") {
    directory.write("polkit/actions/org.kmodd.policy",
                    readText(sourceDirectory / "polkit/org.kmodd.policy"));
    directory.write("polkit/rules.d/10-kmodd-test.rules", testRules);
    directory.write("polkit/rules.d/50-kmodd-example.rules",
                    readText(sourceDirectory / "polkit/50-kmodd-example.rules"));
    directory.write("polkit/passwd", readText("/etc/passwd") +
                                         passwdLine("kmodd-trusted", accounts::trusted) +
                                         passwdLine("kmodd-dummy-only", accounts::dummyOnly) +
                                         passwdLine("kmodd-member", accounts::groupMember));
    directory.write("polkit/group", readText("/etc/group") + "kmodd:x:64100:kmodd-member\n");

    for (const auto& [source, target] : std::initializer_list<std::pair<fs::path, fs::path>>{
             {"actions", "/usr/share/polkit-1/actions"},
             {"rules.d", "/etc/polkit-1/rules.d"},
             {"passwd", "/etc/passwd"},
             {"group", "/etc/group"}}) {
        mounts_.push_back(std::make_unique<BindMount>(directory / "polkit" / source, target));
    }
    polkitd_.emplace(std::vector<std::string>{"/usr/lib/polkit-1/polkitd", "--no-debug"},
                     SpawnOptions{.logFile = log_});
}

bool PrivatePolkit::running() {
    if (!polkitd_) {
        return false;
    }
    if (!polkitd_->running()) {
        polkitd_.reset();
        throw std::runtime_error("polkitd exited: " + readText(log_));
    }
    return true;
}

void PrivatePolkit::stop() {
    if (polkitd_) {
        polkitd_->stop(std::chrono::seconds(5));
        polkitd_.reset();
    }
}

void PrivatePolkit::pause() {
    if (polkitd_) {
        ::kill(polkitd_->pid(), SIGSTOP);
    }
}

void PrivatePolkit::resume() {
    if (polkitd_) {
        ::kill(polkitd_->pid(), SIGCONT);
    }
}

} // namespace kmodd::testing
