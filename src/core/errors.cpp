#include "core/errors.hpp"

namespace paperclip::core {

const char* sqlstate_text(ErrorCode code) {
    switch (code) {
        case ErrorCode::BadRequest: return "PC400";
        case ErrorCode::Unauthorized: return "PC401";
        case ErrorCode::Forbidden: return "PC403";
        case ErrorCode::NotFound: return "PC404";
        case ErrorCode::Conflict: return "PC409";
        case ErrorCode::Unprocessable: return "PC422";
    }
    return "PC500";
}

std::string sqlstate_of(ErrorCode code) { return sqlstate_text(code); }

void fail(ErrorCode code, const std::string& message) { throw PcError(code, message); }

void fail(ErrorCode code, const std::string& message, const JsonObject& details) {
    throw PcError(code, message, details.str());
}

void fail_validation(const std::string& field, const std::string& problem) {
    throw PcError(ErrorCode::BadRequest, msg::kValidation,
                  JsonObject().add("field", field).add("problem", problem).str());
}

}  // namespace paperclip::core
