#include "paperclip_error.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <pqxx/except>

namespace paperclip::client {

// ---------------------------------------------------------------- JsonValue

JsonValue JsonValue::boolean(bool b) {
    JsonValue v;
    v.kind_ = Kind::Bool;
    v.bool_ = b;
    return v;
}

JsonValue JsonValue::number(double d, std::string text) {
    JsonValue v;
    v.kind_ = Kind::Number;
    v.number_ = d;
    v.text_ = std::move(text);
    return v;
}

JsonValue JsonValue::string(std::string s) {
    JsonValue v;
    v.kind_ = Kind::String;
    v.text_ = std::move(s);
    return v;
}

JsonValue JsonValue::string_array(std::vector<std::string> items) {
    JsonValue v;
    v.kind_ = Kind::StringArray;
    v.items_ = std::move(items);
    return v;
}

namespace {
[[noreturn]] void wrong_kind(const char* wanted) {
    throw std::logic_error(std::string("JSON value is not ") + wanted);
}
}  // namespace

bool JsonValue::as_bool() const {
    if (kind_ != Kind::Bool) wrong_kind("a boolean");
    return bool_;
}
double JsonValue::as_number() const {
    if (kind_ != Kind::Number) wrong_kind("a number");
    return number_;
}
const std::string& JsonValue::as_string() const {
    if (kind_ != Kind::String) wrong_kind("a string");
    return text_;
}
const std::vector<std::string>& JsonValue::as_string_array() const {
    if (kind_ != Kind::StringArray) wrong_kind("an array of strings");
    return items_;
}

std::string JsonValue::to_json() const {
    switch (kind_) {
        case Kind::Null: return "null";
        case Kind::Bool: return bool_ ? "true" : "false";
        case Kind::Number: return text_;
        case Kind::String: return json_quote(text_);
        case Kind::StringArray: {
            std::string out = "[";
            for (std::size_t i = 0; i < items_.size(); ++i) {
                if (i) out += ", ";
                out += json_quote(items_[i]);
            }
            return out + "]";
        }
    }
    return "null";
}

std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    return out + "\"";
}

std::string to_json(const JsonObject& object) {
    std::string out = "{";
    bool first = true;
    for (const auto& [key, value] : object) {
        if (!first) out += ", ";
        first = false;
        out += json_quote(key) + ": " + value.to_json();
    }
    return out + "}";
}

// ------------------------------------------------------------------- parser

namespace {

// A recursive-descent parser for the one shape the extension emits. Strict
// JSON (RFC 8259) within that shape: no trailing commas, no comments.
class Parser {
public:
    explicit Parser(std::string_view text) : s_(text) {}

    JsonObject object() {
        skip_ws();
        expect('{');
        JsonObject out;
        skip_ws();
        if (peek() == '}') {
            ++pos_;
        } else {
            for (;;) {
                skip_ws();
                if (peek() != '"') fail("expected a string key");
                std::string key = string();
                skip_ws();
                expect(':');
                skip_ws();
                JsonValue v = value();
                if (!out.emplace(key, std::move(v)).second) fail("duplicate key \"" + key + "\"");
                skip_ws();
                if (peek() == ',') {
                    ++pos_;
                    continue;
                }
                expect('}');
                break;
            }
        }
        skip_ws();
        if (pos_ != s_.size()) fail("trailing characters after the object");
        return out;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw JsonParseError("invalid JSON at offset " + std::to_string(pos_) + ": " + what);
    }
    char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
    bool at_end() const { return pos_ >= s_.size(); }
    void expect(char c) {
        if (at_end() || s_[pos_] != c) fail(std::string("expected '") + c + "'");
        ++pos_;
    }
    void skip_ws() {
        while (!at_end() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
    }
    bool literal(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }

    JsonValue value() {
        const char c = peek();
        if (c == '"') return JsonValue::string(string());
        if (c == '[') return array();
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        if (literal("null")) return JsonValue();
        if (literal("true")) return JsonValue::boolean(true);
        if (literal("false")) return JsonValue::boolean(false);
        if (c == '{') fail("nested objects are not part of the extension's details");
        fail("expected a value");
    }

    JsonValue array() {
        expect('[');
        std::vector<std::string> items;
        skip_ws();
        if (peek() == ']') {
            ++pos_;
            return JsonValue::string_array(std::move(items));
        }
        for (;;) {
            skip_ws();
            if (peek() != '"') fail("arrays hold strings only");
            items.push_back(string());
            skip_ws();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            expect(']');
            return JsonValue::string_array(std::move(items));
        }
    }

    JsonValue number() {
        const std::size_t start = pos_;
        if (peek() == '-') ++pos_;
        if (peek() == '0') {
            ++pos_;
        } else if (peek() >= '1' && peek() <= '9') {
            while (std::isdigit(static_cast<unsigned char>(peek()))) ++pos_;
        } else {
            fail("expected a digit");
        }
        if (peek() == '.') {
            ++pos_;
            if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("expected a digit after '.'");
            while (std::isdigit(static_cast<unsigned char>(peek()))) ++pos_;
        }
        if (peek() == 'e' || peek() == 'E') {
            ++pos_;
            if (peek() == '+' || peek() == '-') ++pos_;
            if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("expected an exponent");
            while (std::isdigit(static_cast<unsigned char>(peek()))) ++pos_;
        }
        std::string text(s_.substr(start, pos_ - start));
        return JsonValue::number(std::strtod(text.c_str(), nullptr), text);
    }

    unsigned hex4() {
        if (pos_ + 4 > s_.size()) fail("truncated \\u escape");
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = s_[pos_++];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
            else fail("bad hex digit in \\u escape");
        }
        return v;
    }

    static void append_utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }

    std::string string() {
        expect('"');
        std::string out;
        for (;;) {
            if (at_end()) fail("unterminated string");
            const unsigned char c = static_cast<unsigned char>(s_[pos_++]);
            if (c == '"') return out;
            if (c < 0x20) fail("control character in string");
            if (c != '\\') {
                out.push_back(static_cast<char>(c));  // UTF-8 passes through
                continue;
            }
            if (at_end()) fail("unterminated escape");
            const char e = s_[pos_++];
            switch (e) {
                case '"': out.push_back('"'); break;
                case '\\': out.push_back('\\'); break;
                case '/': out.push_back('/'); break;
                case 'b': out.push_back('\b'); break;
                case 'f': out.push_back('\f'); break;
                case 'n': out.push_back('\n'); break;
                case 'r': out.push_back('\r'); break;
                case 't': out.push_back('\t'); break;
                case 'u': {
                    unsigned cp = hex4();
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        if (!literal("\\u")) fail("high surrogate without its low surrogate");
                        const unsigned low = hex4();
                        if (low < 0xDC00 || low > 0xDFFF) fail("bad low surrogate");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        fail("lone low surrogate");
                    }
                    append_utf8(out, cp);
                    break;
                }
                default: fail(std::string("bad escape \\") + e);
            }
        }
    }

    std::string_view s_;
    std::size_t pos_ = 0;
};

bool is_sqlstate_code(std::string_view s) {
    if (s.size() != 5) return false;
    for (char c : s)
        if (!(std::isdigit(static_cast<unsigned char>(c)) || (c >= 'A' && c <= 'Z'))) return false;
    return true;
}

}  // namespace

JsonObject parse_json_object(std::string_view text) { return Parser(text).object(); }

// --------------------------------------------------------- server messages

ServerMessage parse_server_message(std::string_view text) {
    ServerMessage out;
    enum class Field { Message, Detail, Hint, Other };
    Field current = Field::Message;
    bool first = true;
    auto append = [](std::string& to, std::string_view line) {
        if (!to.empty()) to.push_back('\n');
        to.append(line);
    };
    static constexpr std::string_view kSeverities[] = {"ERROR",   "FATAL", "PANIC", "WARNING",
                                                       "NOTICE",  "INFO",  "LOG",   "DEBUG"};
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        start = end + 1;

        if (first) {
            first = false;
            for (std::string_view sev : kSeverities) {
                if (line.size() > sev.size() + 3 && line.substr(0, sev.size()) == sev &&
                    line.substr(sev.size(), 3) == ":  ") {
                    out.severity = std::string(sev);
                    line.remove_prefix(sev.size() + 3);
                    // Verbose verbosity: "ERROR:  PC409: Issue checkout conflict".
                    if (line.size() > 7 && is_sqlstate_code(line.substr(0, 5)) && line.substr(5, 2) == ": ") {
                        out.sqlstate = std::string(line.substr(0, 5));
                        line.remove_prefix(7);
                    }
                    break;
                }
            }
            out.message = std::string(line);
            continue;
        }
        if (line.substr(0, 9) == "DETAIL:  ") {
            current = Field::Detail;
            append(out.detail, line.substr(9));
        } else if (line.substr(0, 7) == "HINT:  ") {
            current = Field::Hint;
            append(out.hint, line.substr(7));
        } else if (line.substr(0, 10) == "CONTEXT:  " || line.substr(0, 8) == "QUERY:  " ||
                   line.substr(0, 11) == "LOCATION:  " || line.substr(0, 12) == "STATEMENT:  " ||
                   (line.substr(0, 5) == "LINE " && line.find(':') != std::string_view::npos)) {
            current = Field::Other;
        } else {
            // A continuation line: the server's text had a newline in it.
            switch (current) {
                case Field::Message: append(out.message, line); break;
                case Field::Detail: append(out.detail, line); break;
                case Field::Hint: append(out.hint, line); break;
                case Field::Other: break;
            }
        }
    }
    return out;
}

// ----------------------------------------------------------------- mapping

int http_status_for_sqlstate(std::string_view sqlstate) {
    if (sqlstate.size() == 5 && sqlstate.substr(0, 2) == "PC") {
        int n = 0;
        for (char c : sqlstate.substr(2)) {
            if (!std::isdigit(static_cast<unsigned char>(c))) return 500;
            n = n * 10 + (c - '0');
        }
        return n >= 400 && n <= 599 ? n : 500;
    }
    if (sqlstate == "40001" || sqlstate == "40P01") return 503;
    if (sqlstate == "42501") return 403;
    if (sqlstate == "55P03") return 409;
    if (sqlstate == "57014") return 503;
    return 500;
}

bool is_retryable_sqlstate(std::string_view sqlstate) {
    return sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" || sqlstate == "57014";
}

std::string AppError::body() const {
    std::string out = "{\"error\": " + json_quote(message);
    if (has_details) out += ", \"details\": " + to_json(details);
    return out + "}";
}

AppError to_app_error(const std::exception& e) {
    AppError out;
    const std::string text = e.what();
    const ServerMessage m = parse_server_message(text);
    out.message = m.message.empty() ? text : m.message;
    out.detail = m.detail;
    out.hint = m.hint;

    // Order matters: in libpqxx 6.4 transaction_rollback is not an sql_error,
    // and some sql_error classes carry no SQLSTATE.
    if (dynamic_cast<const pqxx::deadlock_detected*>(&e)) {
        out.sqlstate = "40P01";
    } else if (dynamic_cast<const pqxx::serialization_failure*>(&e)) {
        out.sqlstate = "40001";
    } else if (dynamic_cast<const pqxx::statement_completion_unknown*>(&e)) {
        out.sqlstate = "40003";
    } else if (dynamic_cast<const pqxx::transaction_rollback*>(&e)) {
        out.sqlstate = m.sqlstate.empty() ? "40000" : m.sqlstate;
    } else if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
        out.sqlstate = sql->sqlstate();
        if (out.sqlstate.empty() && dynamic_cast<const pqxx::insufficient_privilege*>(&e)) out.sqlstate = "42501";
        if (out.sqlstate.empty()) out.sqlstate = m.sqlstate;
    } else if (dynamic_cast<const pqxx::broken_connection*>(&e)) {
        out.status = 503;
        out.retryable = true;
        return out;
    } else {
        return out;  // not a server error: 500
    }
    out.status = http_status_for_sqlstate(out.sqlstate);
    out.retryable = is_retryable_sqlstate(out.sqlstate);

    if (!out.detail.empty() && out.detail.front() == '{') {
        try {
            out.details = parse_json_object(out.detail);
            out.has_details = true;
        } catch (const JsonParseError&) {
            // A PostgreSQL detail that only looks like an object: keep the text.
        }
    }
    return out;
}

AppError to_app_error(const std::exception_ptr& e) {
    try {
        if (e) std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return to_app_error(ex);
    } catch (...) {
    }
    AppError out;
    out.message = "unknown error";
    return out;
}

}  // namespace paperclip::client
