#include "core/json.hpp"

#include <cstdio>

namespace paperclip::core {

std::string echo_input(const std::string& value) {
    std::size_t characters = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        // A UTF-8 character starts at every byte that is not a continuation byte.
        if ((static_cast<unsigned char>(value[i]) & 0xC0) != 0x80 && characters++ == kEchoedInputCharacters)
            return value.substr(0, i) + "... (cut)";
    }
    return value;
}

std::string JsonObject::quote(const std::string& s) {
    std::string out;
    out.reserve(s.size() + 2);
    out.push_back('"');
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
    out.push_back('"');
    return out;
}

void JsonObject::add_raw(const std::string& key, std::string json_value) {
    for (auto& field : fields_) {
        if (field.first == key) {
            field.second = std::move(json_value);
            return;
        }
    }
    fields_.emplace_back(key, std::move(json_value));
}

JsonObject& JsonObject::add(const std::string& key, const std::string& value) {
    add_raw(key, quote(value));
    return *this;
}
JsonObject& JsonObject::add(const std::string& key, const char* value) {
    add_raw(key, quote(value));
    return *this;
}
JsonObject& JsonObject::add(const std::string& key, const Uuid& value) {
    add_raw(key, quote(value.to_string()));
    return *this;
}
JsonObject& JsonObject::add(const std::string& key, const OptUuid& value) {
    add_raw(key, value ? quote(value->to_string()) : "null");
    return *this;
}
JsonObject& JsonObject::add(const std::string& key, const std::optional<std::string>& value) {
    add_raw(key, value ? quote(*value) : "null");
    return *this;
}
JsonObject& JsonObject::add(const std::string& key, bool value) {
    add_raw(key, value ? "true" : "false");
    return *this;
}
JsonObject& JsonObject::add(const std::string& key, const std::vector<Uuid>& values) {
    std::string arr = "[";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) arr += ", ";
        arr += quote(values[i].to_string());
    }
    add_raw(key, arr + "]");
    return *this;
}
JsonObject& JsonObject::add(const std::string& key, const std::vector<std::string>& values) {
    std::string arr = "[";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) arr += ", ";
        arr += quote(values[i]);
    }
    add_raw(key, arr + "]");
    return *this;
}
JsonObject& JsonObject::add_null(const std::string& key) {
    add_raw(key, "null");
    return *this;
}

std::string JsonObject::str() const {
    std::string out = "{";
    for (std::size_t i = 0; i < fields_.size(); ++i) {
        if (i) out += ", ";
        out += quote(fields_[i].first);
        out += ": ";
        out += fields_[i].second;
    }
    out += "}";
    return out;
}

}  // namespace paperclip::core
