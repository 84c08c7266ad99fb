#pragma once

#include "Error.h"
#include "FileIdentity.h"
#include "ModuleFacts.h"
#include "ModuleIndex.h"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace kmodd {

/// The facts of module files (readModuleFacts), kept per file identity and read by a small
/// pool of reader threads, so that the thread that asks (the D-Bus loop) never reads or
/// decompresses a module file: it only stats the files it asks about. Concurrent requests for
/// the same file and identity share one read; at most `readers` files are read at once, so
/// that a flood of requests costs a bounded amount of memory and no more descriptors.
class ModuleFactsCache {
  public:
    using Facts = std::shared_ptr<const ModuleFacts>;
    /// Each file's facts or error, in the order asked.
    using Outcome = std::vector<ModuleFactsOrError>;
    using Done = std::function<void(const Outcome&)>;
    /// Runs a task on the thread that asks (MainThreadDispatcher::post). Safe from any thread.
    using Post = std::function<void(std::function<void()>)>;
    /// Urgent reads (root's) are started before the others waiting.
    enum class Priority { Urgent, Normal };

    static constexpr std::size_t defaultReaders = 2;
    static constexpr std::size_t defaultCapacity = 1024; ///< files kept; the oldest go first

    explicit ModuleFactsCache(Post post, std::size_t readers = defaultReaders,
                              std::size_t capacity = defaultCapacity);
    ~ModuleFactsCache();
    ModuleFactsCache(const ModuleFactsCache&) = delete;
    ModuleFactsCache& operator=(const ModuleFactsCache&) = delete;

    /// Gives done the facts of each file: at once when every file's current identity is
    /// cached, else through post once the missing ones are read (through trustedRoots). A read
    /// that fails (Untrusted, not a module) gives that file its error and is not cached.
    void get(const std::vector<ModuleFile>& files,
             const std::vector<std::filesystem::path>& trustedRoots, Priority priority, Done done);

    /// The cached facts of the file as it is now, or nullptr; starts no read.
    Facts cached(const std::filesystem::path& file) const;

    /// Stops the readers after the reads they are doing; the reads not started are answered
    /// with Error(Busy) through post. Later calls to get() are answered so too.
    void stop();

    /// Files read so far (for tests: identical requests share a read, cached files are not read).
    std::size_t reads() const;

  private:
    struct Read;
    void run();
    void store(const Facts& facts);

    const Post post_;
    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::map<FileIdentity, Facts> cache_;
    std::deque<FileIdentity> age_;                         ///< cache_'s keys, oldest first
    std::map<std::string, std::shared_ptr<Read>> reading_; ///< queued or being read, by file
    std::deque<std::shared_ptr<Read>> queue_;
    bool stopping_ = false;
    std::size_t reads_ = 0;
    std::vector<std::thread> readers_; ///< last: they start once the rest exists
};

} // namespace kmodd
