#include "ModuleObject.h"

#include "ObjectPath.h"

namespace kmodd {

ModuleObject::ModuleObject(sdbus::IConnection& connection, LoadedModule module,
                           const Kernel& kernel, const ModuleIndex& index, ModuleFactsCache& facts,
                           const ModuleEngine& engine)
    : AdaptorInterfaces(connection, moduleObjectPath(module.name)), module_(std::move(module)),
      kernel_(kernel), index_(index), facts_(facts), engine_(engine) {
    registerAdaptor();
}

ModuleObject::~ModuleObject() {
    unregisterAdaptor();
}

void ModuleObject::update(const LoadedModule& module) {
    std::vector<std::string> changed;
    if (module.state != module_.state) {
        changed.emplace_back("State");
    }
    if (module.refcount != module_.refcount) {
        changed.emplace_back("RefCount");
    }
    if (module.holders != module_.holders) {
        changed.emplace_back("Holders");
    }
    module_ = module;
    if (!changed.empty()) {
        unchanging_.reset();
        emitPropertiesChangedSignal(org::kmodd::Module1_adaptor::INTERFACE_NAME, changed);
    }
}

std::map<std::string, sdbus::Variant> ModuleObject::properties() {
    const FileFacts file = fileFacts();
    auto properties =
        unchanging_.value_or(toProperties({Name(), State(), RefCount(), Holders(), {}, file}));
    if (!unchanging_ && fileFacts_) {
        unchanging_ = properties;
    }
    const PublishedParameters published = parameters();
    properties.insert_or_assign("Parameters", sdbus::Variant(published.values));
    properties.insert_or_assign("RestrictedParameters", sdbus::Variant(published.restricted));
    return properties;
}

std::string ModuleObject::Name() {
    return module_.name.str();
}

std::string ModuleObject::State() {
    return std::string(stateName(module_.state));
}

uint32_t ModuleObject::RefCount() {
    return module_.refcount.value_or(0);
}

std::vector<std::string> ModuleObject::Holders() {
    return namesOf(module_.holders);
}

std::map<std::string, std::string> ModuleObject::Parameters() {
    return parameters().values;
}

std::vector<std::string> ModuleObject::RestrictedParameters() {
    return parameters().restricted;
}

// A getter must not throw anything but sdbus::Error through sd-bus; a module that went away
// meanwhile simply has no parameters.
PublishedParameters ModuleObject::parameters() const {
    try {
        return publishedParameters(
            kernel_.moduleParameters(module_.name).value_or(ModuleParameters{}));
    } catch (const std::exception&) {
        return {};
    }
}

std::string ModuleObject::Path() {
    return fileFacts().path;
}

std::string ModuleObject::Version() {
    return fileFacts().version;
}

std::string ModuleObject::Signer() {
    return fileFacts().signer;
}

FileFacts ModuleObject::fileFacts() {
    if (fileFacts_) {
        return *fileFacts_;
    }
    try {
        const auto path = index_.fileOf(module_.name);
        if (!path) {
            fileFacts_ = FileFacts{};
            return *fileFacts_;
        }
        if (const auto facts = facts_.cached(*path)) {
            fileFacts_ = fileFactsOf(*path, facts.get());
            return *fileFacts_;
        }
        // Read for a later Get; this one answers without waiting.
        facts_.get({{module_.name, *path}}, engine_.config()->trustedPaths,
                   ModuleFactsCache::Priority::Normal, [](const ModuleFactsCache::Outcome&) {});
        return fileFactsOf(*path, nullptr);
    } catch (const std::exception&) {
        fileFacts_ = FileFacts{};
        return *fileFacts_;
    }
}

} // namespace kmodd
