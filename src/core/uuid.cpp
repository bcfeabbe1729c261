#include "core/uuid.hpp"

namespace paperclip::core {

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::optional<Uuid> Uuid::parse(const std::string& text) {
    Uuid out;
    std::size_t nibble = 0;
    for (char c : text) {
        if (c == '-') continue;
        const int v = hex_value(c);
        if (v < 0 || nibble >= 32) return std::nullopt;
        auto& byte = out.bytes[nibble / 2];
        byte = static_cast<std::uint8_t>(nibble % 2 == 0 ? v << 4 : byte | v);
        ++nibble;
    }
    if (nibble != 32) return std::nullopt;
    return out;
}

std::string Uuid::to_string() const {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
        s.push_back(digits[bytes[i] >> 4]);
        s.push_back(digits[bytes[i] & 0x0f]);
    }
    return s;
}

}  // namespace paperclip::core
