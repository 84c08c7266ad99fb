#include "FakeKernel.h"

#include "Compression.h"
#include "Error.h"
#include "ModInfo.h"
#include "WholeFile.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <linux/module.h>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>
#include <vector>

namespace kmodd::testing {
namespace {

// Splits like the kernel's next_arg(): spaces separate parameters except inside double quotes,
// and the quotes are dropped.
std::map<std::string, std::string> parseParameters(const std::string& text) {
    std::map<std::string, std::string> parameters;
    std::vector<std::string> words(1);
    bool quoted = false;
    for (const char c : text) {
        if (c == '"') {
            quoted = !quoted;
        } else if (c == ' ' && !quoted) {
            words.emplace_back();
        } else {
            words.back() += c;
        }
    }
    for (const auto& word : words) {
        if (word.empty()) {
            continue;
        }
        const auto equals = word.find('=');
        parameters[word.substr(0, equals)] =
            equals == std::string::npos ? "Y" : word.substr(equals + 1);
    }
    return parameters;
}

} // namespace

int FakeKernel::finitModule(int fd, const std::string& parameters, unsigned flags) {
    pause();
    std::vector<std::byte> data =
        readWholeFile<std::vector<std::byte>>(fd).value_or(std::vector<std::byte>{});
    const Compression compression = detectCompression(data);
    const bool compressedFlag = (flags & MODULE_INIT_COMPRESSED_FILE) != 0;
    if (compressedFlag != (compression != Compression::None)) {
        return compressedFlag ? EINVAL : ENOEXEC;
    }
    if (compressedFlag) {
        std::lock_guard lock(mutex_);
        if (compression_.empty()) {
            return EOPNOTSUPP;
        }
        if (compression_ != compressionName(compression)) {
            return EINVAL;
        }
        if (compression == Compression::Xz && xzCheck(data) != XzCheck::None &&
            xzCheck(data) != XzCheck::Crc32) {
            return EINVAL;
        }
    }
    if (compressedFlag) {
        try {
            data = decompress(compression, data);
        } catch (const Error&) {
            return EINVAL;
        }
    }
    return insert(Call::FinitModule, data, parameters, flags);
}

int FakeKernel::initModule(std::span<const std::byte> image, const std::string& parameters) {
    pause();
    return insert(Call::InitModule, image, parameters, 0);
}

int FakeKernel::insert(Call call, std::span<const std::byte> image, const std::string& parameters,
                       unsigned flags) {
    std::vector<std::string> names;
    std::vector<std::string> dependencies;
    try {
        const ModInfo modinfo = ModInfo::read(image);
        names = modinfo.values("name");
        for (const auto& list : modinfo.values("depends")) {
            std::istringstream items(list);
            for (std::string item; std::getline(items, item, ',');) {
                if (!item.empty()) {
                    dependencies.push_back(item);
                }
            }
        }
    } catch (const Error&) {
    }
    const std::string name = names.empty() ? std::string() : names.front();
    waitWhileHung(call, name);
    std::lock_guard lock(mutex_);
    record({call, name, parameters, flags});
    if (name.empty()) {
        return ENOEXEC;
    }
    if (int errnum = 0; takeFailure(call, name, errnum)) {
        return errnum;
    }
    if (modules_.contains(name)) {
        return EEXIST;
    }
    for (const auto& dependency : dependencies) {
        if (!modules_.contains(dependency)) {
            return ENOENT;
        }
    }
    modules_[name] = Entry{dependencies, 0, parameters};
    loadOrder_.push_back(name);
    save();
    return 0;
}

int FakeKernel::deleteModule(const ModuleName& name, unsigned flags) {
    pause();
    waitWhileHung(Call::DeleteModule, name.str());
    std::lock_guard lock(mutex_);
    record({Call::DeleteModule, name.str(), "", flags});
    if (int errnum = 0; takeFailure(Call::DeleteModule, name.str(), errnum)) {
        return errnum;
    }
    const auto found = modules_.find(name.str());
    if (found == modules_.end()) {
        return ENOENT;
    }
    if (!holdersOf(name.str()).empty() || found->second.extraReferences > 0) {
        return EWOULDBLOCK;
    }
    modules_.erase(found);
    std::erase(loadOrder_, name.str());
    save();
    return 0;
}

std::vector<LoadedModule> FakeKernel::loadedModules() const {
    std::lock_guard lock(mutex_);
    std::vector<LoadedModule> loaded;
    // /proc/modules lists the newest module first.
    for (auto name = loadOrder_.rbegin(); name != loadOrder_.rend(); ++name) {
        const auto holders = holdersOf(*name);
        LoadedModule module{ModuleName::parse(*name),
                            16384,
                            static_cast<unsigned>(holders.size()) +
                                modules_.at(*name).extraReferences,
                            {},
                            ModuleState::Live};
        for (const auto& holder : holders) {
            module.holders.push_back(ModuleName::parse(holder));
        }
        loaded.push_back(std::move(module));
    }
    return loaded;
}

std::optional<ModuleParameters> FakeKernel::moduleParameters(const ModuleName& name) const {
    std::lock_guard lock(mutex_);
    const auto found = modules_.find(name.str());
    if (found == modules_.end()) {
        return std::nullopt;
    }
    ModuleParameters parameters;
    for (auto& [parameter, value] : parseParameters(found->second.parameters)) {
        const bool restricted = restrictedParameters_.contains({name.str(), parameter});
        parameters.emplace(parameter, restricted ? std::nullopt : std::optional(std::move(value)));
    }
    return parameters;
}

void FakeKernel::restrictParameter(const std::string& module, const std::string& parameter) {
    std::lock_guard lock(mutex_);
    restrictedParameters_.emplace(module, parameter);
}

ModuleRestrictions FakeKernel::moduleRestrictions() const {
    std::lock_guard lock(mutex_);
    return restrictions_;
}

void FakeKernel::setModuleRestrictions(ModuleRestrictions restrictions) {
    std::lock_guard lock(mutex_);
    restrictions_ = std::move(restrictions);
}

std::string FakeKernel::compression() const {
    std::lock_guard lock(mutex_);
    return compression_;
}

void FakeKernel::setCompression(std::string algorithm) {
    std::lock_guard lock(mutex_);
    compression_ = std::move(algorithm);
}

void FakeKernel::failNext(Call call, const std::string& module, int errnum) {
    std::lock_guard lock(mutex_);
    failures_[{call, module}] = errnum;
}

void FakeKernel::failAlways(Call call, const std::string& module, int errnum) {
    std::lock_guard lock(mutex_);
    lastingFailures_[{call, module}] = errnum;
}

void FakeKernel::failRandomly(unsigned percent, int errnum, unsigned seed) {
    std::lock_guard lock(mutex_);
    randomFailurePercent_ = percent;
    randomFailureErrno_ = errnum;
    random_.seed(seed);
}

void FakeKernel::setDelay(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex_);
    delay_ = delay;
}

void FakeKernel::addLoaded(const std::string& name, std::vector<std::string> dependencies) {
    std::lock_guard lock(mutex_);
    modules_[name] = Entry{std::move(dependencies), 0, ""};
    loadOrder_.push_back(name);
    save();
}

void FakeKernel::setRefcount(const std::string& name, unsigned refcount) {
    std::lock_guard lock(mutex_);
    modules_.at(name).extraReferences = refcount;
}

void FakeKernel::persistTo(std::filesystem::path file) {
    std::lock_guard lock(mutex_);
    stateFile_ = std::move(file);
    save();
}

std::vector<FakeKernel::Record> FakeKernel::calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
}

void FakeKernel::stopRecordingCalls() {
    std::lock_guard lock(mutex_);
    recordingCalls_ = false;
    calls_.clear();
}

void FakeKernel::record(Record call) {
    if (recordingCalls_) {
        calls_.push_back(std::move(call));
    }
}

void FakeKernel::hang(Call call, const std::string& module) {
    std::lock_guard lock(mutex_);
    hung_.emplace(call, module);
}

void FakeKernel::releaseHung() {
    {
        std::lock_guard lock(mutex_);
        hung_.clear();
    }
    released_.notify_all();
}

void FakeKernel::waitWhileHung(Call call, const std::string& module) {
    std::unique_lock lock(mutex_);
    released_.wait(lock, [&] { return !hung_.contains({call, module}); });
}

bool FakeKernel::takeFailure(Call call, const std::string& module, int& errnum) {
    const auto found = failures_.find({call, module});
    if (found != failures_.end()) {
        errnum = found->second;
        failures_.erase(found);
        return true;
    }
    if (const auto lasting = lastingFailures_.find({call, module});
        lasting != lastingFailures_.end()) {
        errnum = lasting->second;
        return true;
    }
    if (randomFailurePercent_ > 0 &&
        std::uniform_int_distribution<unsigned>(0, 99)(random_) < randomFailurePercent_) {
        errnum = randomFailureErrno_;
        return true;
    }
    return false;
}

std::vector<std::string> FakeKernel::holdersOf(const std::string& name) const {
    std::vector<std::string> holders;
    for (const auto& [other, entry] : modules_) {
        if (std::find(entry.dependencies.begin(), entry.dependencies.end(), name) !=
            entry.dependencies.end()) {
            holders.push_back(other);
        }
    }
    return holders;
}

void FakeKernel::save() const {
    if (!stateFile_) {
        return;
    }
    const std::filesystem::path temporary = stateFile_->string() + ".new";
    {
        std::ofstream out(temporary, std::ios::trunc);
        for (const auto& name : loadOrder_) {
            out << name;
            for (const auto& dependency : modules_.at(name).dependencies) {
                out << ':' << dependency;
            }
            out << '\n';
        }
        if (!out.flush()) {
            throw std::runtime_error("cannot write the fake kernel's state to " +
                                     temporary.string());
        }
    }
    std::filesystem::rename(temporary, *stateFile_);
}

void FakeKernel::pause() const {
    std::chrono::milliseconds delay;
    {
        std::lock_guard lock(mutex_);
        delay = delay_;
    }
    if (delay.count() > 0) {
        std::this_thread::sleep_for(delay);
    }
}

} // namespace kmodd::testing
