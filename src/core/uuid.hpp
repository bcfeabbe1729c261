// A 16-byte UUID value for the decision core. Byte order and comparison match
// PostgreSQL's uuid type, so "ascending id" means the same thing here and in SQL.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace paperclip::core {

struct Uuid {
    std::array<std::uint8_t, 16> bytes{};

    static std::optional<Uuid> parse(const std::string& text);
    std::string to_string() const;

    friend bool operator==(const Uuid& a, const Uuid& b) { return a.bytes == b.bytes; }
    friend bool operator!=(const Uuid& a, const Uuid& b) { return a.bytes != b.bytes; }
    friend bool operator<(const Uuid& a, const Uuid& b) { return a.bytes < b.bytes; }
};

using OptUuid = std::optional<Uuid>;

// Upstream's sameRunLock: with an actor run, the lock must name it; without one,
// the lock must be empty.
inline bool same_run_lock(const OptUuid& lock_run, const OptUuid& actor_run) {
    if (actor_run) return lock_run == actor_run;
    return !lock_run.has_value();
}

}  // namespace paperclip::core
