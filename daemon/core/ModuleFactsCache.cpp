#include "ModuleFactsCache.h"

#include <sys/stat.h>

namespace kmodd {
namespace {

using ReadOutcome = ModuleFactsOrError;

std::optional<FileIdentity> currentIdentity(const std::filesystem::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        return std::nullopt;
    }
    return identityOf(st);
}

// A file that cannot be stat'ed is read anyway: the read says why it fails.
std::string readKey(const std::filesystem::path& file, const std::optional<FileIdentity>& id) {
    if (!id) {
        return file.string();
    }
    return file.string() + '\0' + std::to_string(id->device) + ':' + std::to_string(id->inode) +
           ':' + std::to_string(id->size) + ':' + std::to_string(id->mtimeSeconds) + '.' +
           std::to_string(id->mtimeNanoseconds) + ':' + std::to_string(id->ctimeSeconds) + '.' +
           std::to_string(id->ctimeNanoseconds);
}

const Error stopped(ErrorKind::Busy, "kmodd is shutting down and takes no new requests");

// One get(): the outcomes gathered so far; lives on the asking thread only.
struct Gathering {
    ModuleFactsCache::Outcome facts;
    std::size_t missing = 0;
    ModuleFactsCache::Done done;

    void take(std::size_t index, const ReadOutcome& outcome) {
        facts[index] = outcome;
        if (--missing == 0) {
            done(facts);
        }
    }
};

} // namespace

struct ModuleFactsCache::Read {
    std::string key;
    ModuleFile file;
    std::vector<std::filesystem::path> trustedRoots;
    std::vector<std::function<void(const ReadOutcome&)>> waiters; ///< run through post
};

ModuleFactsCache::ModuleFactsCache(Post post, std::size_t readers, std::size_t capacity)
    : post_(std::move(post)), capacity_(capacity) {
    for (std::size_t i = 0; i < readers; ++i) {
        readers_.emplace_back([this] { run(); });
    }
}

ModuleFactsCache::~ModuleFactsCache() {
    stop();
}

void ModuleFactsCache::get(const std::vector<ModuleFile>& files,
                           const std::vector<std::filesystem::path>& trustedRoots,
                           Priority priority, Done done) {
    auto gathering = std::make_shared<Gathering>();
    gathering->facts.resize(files.size(), Facts());
    gathering->done = std::move(done);
    bool stopping = false;
    {
        std::lock_guard lock(mutex_);
        stopping = stopping_;
        for (std::size_t i = 0; i < files.size() && !stopping; ++i) {
            const auto identity = currentIdentity(files[i].path);
            if (identity) {
                if (const auto found = cache_.find(*identity); found != cache_.end()) {
                    gathering->facts[i] = found->second;
                    continue;
                }
            }
            ++gathering->missing;
            const std::string key = readKey(files[i].path, identity);
            auto& read = reading_[key];
            if (!read) {
                read = std::make_shared<Read>(Read{key, files[i], trustedRoots, {}});
                if (priority == Priority::Urgent) {
                    queue_.push_front(read);
                } else {
                    queue_.push_back(read);
                }
                wake_.notify_one();
            }
            read->waiters.push_back(
                [gathering, i](const ReadOutcome& outcome) { gathering->take(i, outcome); });
        }
    }
    if (stopping) {
        gathering->done(Outcome(files.size(), stopped));
    } else if (gathering->missing == 0) {
        gathering->done(gathering->facts);
    }
}

ModuleFactsCache::Facts ModuleFactsCache::cached(const std::filesystem::path& file) const {
    const auto identity = currentIdentity(file);
    if (!identity) {
        return nullptr;
    }
    std::lock_guard lock(mutex_);
    const auto found = cache_.find(*identity);
    return found == cache_.end() ? nullptr : found->second;
}

void ModuleFactsCache::stop() {
    std::deque<std::shared_ptr<Read>> cancelled;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        cancelled.swap(queue_);
        for (const auto& read : cancelled) {
            reading_.erase(read->key);
        }
    }
    wake_.notify_all();
    for (auto& reader : readers_) {
        if (reader.joinable()) {
            reader.join();
        }
    }
    for (auto& read : cancelled) {
        post_([waiters = std::move(read->waiters)] {
            for (const auto& waiter : waiters) {
                waiter(stopped);
            }
        });
    }
}

std::size_t ModuleFactsCache::reads() const {
    std::lock_guard lock(mutex_);
    return reads_;
}

void ModuleFactsCache::run() {
    for (;;) {
        std::shared_ptr<Read> read;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_) {
                return;
            }
            read = std::move(queue_.front());
            queue_.pop_front();
        }
        ReadOutcome outcome = [&]() -> ReadOutcome {
            try {
                return std::make_shared<const ModuleFacts>(
                    readModuleFacts(read->trustedRoots, read->file));
            } catch (const Error& error) {
                return error;
            } catch (const std::exception& error) {
                return Error(ErrorKind::Failed,
                             "cannot read " + read->file.path.string() + ": " + error.what());
            }
        }();
        std::vector<std::function<void(const ReadOutcome&)>> waiters;
        {
            std::lock_guard lock(mutex_);
            ++reads_;
            // Taken with the cache filled, under one lock: a later get() finds one or the other.
            if (const auto* facts = std::get_if<Facts>(&outcome)) {
                store(*facts);
            }
            reading_.erase(read->key);
            waiters = std::move(read->waiters);
        }
        post_([waiters = std::move(waiters), outcome = std::move(outcome)] {
            for (const auto& waiter : waiters) {
                waiter(outcome);
            }
        });
    }
}

void ModuleFactsCache::store(const Facts& facts) {
    if (!cache_.emplace(facts->identity, facts).second) {
        return;
    }
    age_.push_back(facts->identity);
    while (cache_.size() > capacity_) {
        cache_.erase(age_.front());
        age_.pop_front();
    }
}

} // namespace kmodd
