#include "ModuleListReply.h"

namespace kmodd {

void writeModuleList(sdbus::Message& reply, const ModuleList& modules) {
    static const std::string entry = "(ssuas)";
    static const std::string fields = "ssuas";
    static const std::string holderEntry = "s";
    reply.openContainer(entry);
    for (const auto& module : modules) {
        reply.openStruct(fields);
        reply << std::get<0>(module) << std::get<1>(module) << std::get<2>(module);
        reply.openContainer(holderEntry);
        for (const auto& holder : std::get<3>(module)) {
            reply << holder;
        }
        reply.closeContainer();
        reply.closeStruct();
    }
    reply.closeContainer();
}

} // namespace kmodd
