#include "core/errors.hpp"

namespace paperclip::core {

std::string sqlstate_of(ErrorCode code) {
    return "PC" + std::to_string(static_cast<int>(code));
}

void fail(ErrorCode code, const std::string& message) { throw PcError(code, message); }

void fail(ErrorCode code, const std::string& message, const JsonObject& details) {
    throw PcError(code, message, details.str());
}

void fail_validation(const std::string& field, const std::string& problem) {
    throw PcError(ErrorCode::BadRequest, msg::kValidation,
                  JsonObject().add("field", field).add("problem", problem).str());
}

}  // namespace paperclip::core
