// A small ordered JSON object writer for error details and audit rows. Keys keep
// the order they are added in, so DETAIL lines read like upstream's responses.
#pragma once

#include <string>
#include <vector>

#include "core/uuid.hpp"

namespace paperclip::core {

// An input value as an error may echo it (SPEC §10): at most 256 characters
// (UTF-8 code points, never cut inside one), followed by "... (cut)" when
// there was more. Applied before the value is quoted or concatenated, so an
// input of any size costs a bounded amount of memory and log.
inline constexpr std::size_t kEchoedInputCharacters = 256;
std::string echo_input(const std::string& value);

class JsonObject {
public:
    JsonObject& add(const std::string& key, const std::string& value);
    JsonObject& add(const std::string& key, const char* value);
    JsonObject& add(const std::string& key, const OptUuid& value);
    JsonObject& add(const std::string& key, const Uuid& value);
    JsonObject& add(const std::string& key, const std::optional<std::string>& value);
    JsonObject& add(const std::string& key, bool value);
    JsonObject& add(const std::string& key, const std::vector<Uuid>& values);
    JsonObject& add(const std::string& key, const std::vector<std::string>& values);
    JsonObject& add_null(const std::string& key);

    bool empty() const { return fields_.empty(); }
    std::string str() const;

    static std::string quote(const std::string& s);

private:
    void add_raw(const std::string& key, std::string json_value);
    std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace paperclip::core
