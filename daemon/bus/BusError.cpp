#include "BusError.h"

#include "WireNames.h"

namespace kmodd {

Error currentError() {
    try {
        throw;
    } catch (const Error& error) {
        return error;
    } catch (const std::exception& error) {
        return Error(ErrorKind::Failed, error.what());
    } catch (...) {
        return Error(ErrorKind::Failed, "unexpected failure");
    }
}

sdbus::Error toBusError(const Error& error) {
    return sdbus::Error(wire::error::busName(errorName(error.kind())), error.what());
}

} // namespace kmodd
