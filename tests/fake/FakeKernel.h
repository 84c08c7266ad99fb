#pragma once

#include "Kernel.h"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace kmodd::testing {

/// A simulated module table behind the Kernel interface. Loading reads the module's name and
/// `depends=` from the image's .modinfo (decompressing it when finit_module is told the file
/// is compressed and `compression` matches; an xz stream only with a CRC32 check or none, as
/// Linux's decoder), requires the dependencies to be loaded (else
/// ENOENT, as for an unknown symbol), and takes a reference on each of them. Any call can be
/// told to fail with an errno or to take a while. Thread-safe.
class FakeKernel final : public Kernel {
  public:
    enum class Call { FinitModule, InitModule, DeleteModule };

    /// One syscall as the fake saw it.
    struct Record {
        Call call;
        std::string module; ///< name from .modinfo (load) or the argument (unload)
        std::string parameters;
        unsigned flags = 0;

        bool operator==(const Record&) const = default;
    };

    int finitModule(int fd, const std::string& parameters, unsigned flags) override;
    int initModule(std::span<const std::byte> image, const std::string& parameters) override;
    int deleteModule(const ModuleName& name, unsigned flags) override;

    std::vector<LoadedModule> loadedModules() const override;
    std::optional<ModuleParameters> moduleParameters(const ModuleName& name) const override;
    std::string compression() const override;
    ModuleRestrictions moduleRestrictions() const override;

    /// The algorithm finit_module accepts with MODULE_INIT_COMPRESSED_FILE ("" for none).
    void setCompression(std::string algorithm);
    /// What moduleRestrictions() answers (the fake enforces none of it: pair it with failNext).
    void setModuleRestrictions(ModuleRestrictions restrictions);
    /// The next call of that kind for module fails with errnum (once).
    void failNext(Call call, const std::string& module, int errnum);
    /// Every call of that kind for module fails with errnum, as a module the kernel rejects.
    void failAlways(Call call, const std::string& module, int errnum);
    /// Every call of that kind for module blocks, as a module init that never returns, until
    /// releaseHung() (which kmodd-test-daemon never calls).
    void hang(Call call, const std::string& module);
    void releaseHung();
    /// From now on, percent of all calls fail with errnum, drawn from a generator seeded with
    /// seed (as a one-shot failure does: nothing changes).
    void failRandomly(unsigned percent, int errnum, unsigned seed);
    /// Every call sleeps this long before acting (to observe queueing).
    void setDelay(std::chrono::milliseconds delay);
    /// Writes the module table to file now and after every change, one module a line in load
    /// order ("b:a" for b depending on a), replacing the file in one rename: a kernel's state
    /// outlives the process that loaded the modules.
    void persistTo(std::filesystem::path file);
    /// Puts a module in the table directly, as if loaded outside kmodd.
    void addLoaded(const std::string& name, std::vector<std::string> dependencies = {});
    /// Makes a parameter's sysfs file readable by root only (mode 0600), for every module named
    /// so, loaded now or later: moduleParameters() lists it without its value.
    void restrictParameter(const std::string& module, const std::string& parameter);
    /// Sets a module's reference count (e.g. an open device).
    void setRefcount(const std::string& name, unsigned refcount);

    std::vector<Record> calls() const;
    /// Stops keeping the records calls() returns: where nobody reads them (kmodd-test-daemon),
    /// they would grow with every request.
    void stopRecordingCalls();

  private:
    struct Entry {
        std::vector<std::string> dependencies;
        unsigned extraReferences = 0;
        std::string parameters;
    };

    int insert(Call call, std::span<const std::byte> image, const std::string& parameters,
               unsigned flags);
    void record(Record call);
    bool takeFailure(Call call, const std::string& module, int& errnum);
    void waitWhileHung(Call call, const std::string& module);
    std::vector<std::string> holdersOf(const std::string& name) const;
    void pause() const;
    void save() const;

    mutable std::mutex mutex_;
    std::map<std::string, Entry> modules_;
    std::vector<std::string> loadOrder_;
    std::map<std::pair<Call, std::string>, int> failures_;
    std::map<std::pair<Call, std::string>, int> lastingFailures_;
    std::set<std::pair<Call, std::string>> hung_;
    std::condition_variable released_;
    unsigned randomFailurePercent_ = 0;
    int randomFailureErrno_ = 0;
    std::minstd_rand random_;
    std::optional<std::filesystem::path> stateFile_;
    std::vector<Record> calls_;
    bool recordingCalls_ = true;
    std::string compression_;
    std::set<std::pair<std::string, std::string>> restrictedParameters_; ///< (module, parameter)
    ModuleRestrictions restrictions_;
    std::chrono::milliseconds delay_{0};
};

} // namespace kmodd::testing
