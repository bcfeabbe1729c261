// paperclip_error: how an application turns the errors of the paperclip_locks
// extension, as libpqxx 6.4 reports them, into HTTP answers.
//
// The extension raises every rule violation with SQLSTATE PCnnn, the upstream
// Paperclip message word for word, and -- where upstream returns details -- a
// flat JSON object in the error's DETAIL (SPEC §4, §5). An HTTP layer answers
//
//     status nnn, body {"error": <message>, "details": <DETAIL object>}
//
// exactly as upstream's error handler does.
//
// Where libpqxx 6.4 keeps the parts of an error:
//   - pqxx::sql_error::sqlstate() holds the SQLSTATE ("PC409"), except that a
//     few classes are constructed without one (pqxx::insufficient_privilege);
//   - what() holds libpq's full message text:
//         ERROR:  Issue checkout conflict
//         DETAIL:  {"issueId": "...", ...}
//         HINT:  ...
//     (with "PC409: " before the message and a LOCATION line when the
//     connection's verbosity is verbose); libpqxx 6.4 keeps no PGresult, so
//     the fields are parsed back out of this text;
//   - deadlocks (40P01) and serialization failures (40001) are
//     pqxx::transaction_rollback subclasses, which in 6.4 are NOT sql_error:
//     to_app_error() looks at the dynamic type first.
//
// Non-PC SQLSTATEs (the choice an application makes; see http_status_for_sqlstate):
//   40001, 40P01 serialization failure, deadlock   -> 503, retryable: run the
//                                                     whole transaction again
//   42501 insufficient privilege                    -> 403
//   55P03 lock not available (NOWAIT, lock_timeout) -> 409, retryable: the row
//                                                     is held by another session
//   57014 query canceled (statement_timeout)        -> 503, retryable
//   a lost connection (pqxx::broken_connection)     -> 503, retryable after
//                                                     reconnecting
//   anything else                                   -> 500, not retryable
#pragma once

#include <exception>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace paperclip::client {

// One value of the flat JSON objects the extension emits: null, a boolean, a
// number, a string or an array of strings.
class JsonValue {
public:
    enum class Kind { Null, Bool, Number, String, StringArray };

    JsonValue() = default;  // null
    static JsonValue boolean(bool b);
    static JsonValue number(double d, std::string text);
    static JsonValue string(std::string s);
    static JsonValue string_array(std::vector<std::string> items);

    Kind kind() const { return kind_; }
    bool is_null() const { return kind_ == Kind::Null; }
    // Each accessor throws std::logic_error when the value is of another kind.
    bool as_bool() const;
    double as_number() const;
    const std::string& as_string() const;
    const std::vector<std::string>& as_string_array() const;

    std::string to_json() const;

private:
    Kind kind_ = Kind::Null;
    bool bool_ = false;
    double number_ = 0;
    std::string text_;  // the string, or a number's original text
    std::vector<std::string> items_;
};

// A JSON object, keys sorted (JSON objects are unordered).
using JsonObject = std::map<std::string, JsonValue>;

class JsonParseError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Parses one JSON object whose values are null, booleans, numbers, strings or
// arrays of strings (nested objects are refused). Handles every string escape,
// \uXXXX included (surrogate pairs become one UTF-8 sequence). Throws
// JsonParseError, naming the offset, on anything else.
JsonObject parse_json_object(std::string_view text);

std::string json_quote(std::string_view s);
std::string to_json(const JsonObject& object);

// The fields of libpq's error text (PQresultErrorMessage, sql_error::what()).
struct ServerMessage {
    std::string severity;  // "ERROR", "FATAL", ... ("" when the text has no severity prefix)
    std::string sqlstate;  // only when the text carries it (verbose verbosity)
    std::string message;   // the primary message
    std::string detail;    // "" when absent
    std::string hint;      // "" when absent
};
ServerMessage parse_server_message(std::string_view text);

// HTTP status for a SQLSTATE: PCnnn -> nnn, the table above for the rest.
int http_status_for_sqlstate(std::string_view sqlstate);
// Whether a client may retry the whole transaction after this SQLSTATE.
bool is_retryable_sqlstate(std::string_view sqlstate);

// What the application answers.
struct AppError {
    int status = 500;
    std::string sqlstate;    // "" when libpqxx did not report one and it is not implied by the type
    std::string message;     // upstream's {"error": ...}
    std::string detail;      // DETAIL as sent by the server
    bool has_details = false;  // DETAIL was a JSON object
    JsonObject details;      // that object, parsed
    std::string hint;
    bool retryable = false;

    bool is_paperclip() const { return sqlstate.size() == 5 && sqlstate.compare(0, 2, "PC") == 0; }
    // {"error": message[, "details": {...}]} -- upstream's response body.
    std::string body() const;
};

// Maps any exception a libpqxx call can throw. A DETAIL that is not a JSON
// object (PostgreSQL's own errors) stays in `detail` with has_details false.
AppError to_app_error(const std::exception& e);
// For catch (...) sites: std::current_exception() and the like.
AppError to_app_error(const std::exception_ptr& e);

}  // namespace paperclip::client
