// Which application tables the rules are on (SPEC §8).
//   paperclip_locks         its own tables in schema paperclip: "attached",
//                           strict, releasing on run end -- the same code path.
//   paperclip_locks_attach  the row of paperclip.attachment that attach()
//                           wrote; none: not attached.
// Cached per backend. attach() and detach() change the row, and a statement
// trigger on paperclip.attachment sends a relcache invalidation, so every
// backend reads the new attachment from its next statement on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pg/postgres.hpp"

namespace paperclip::pg {

enum class AttachMode { Strict, Compat };

struct Attachment {
    bool standalone = true;   // paperclip_locks (its own tables)
    bool attached = true;     // standalone, or attach() recorded a schema
    std::string schema = "paperclip";
    AttachMode mode = AttachMode::Strict;
    bool release_on_run_end = true;
    std::optional<std::string> run_lease_column;

    bool compat() const { return attached && mode == AttachMode::Compat; }
};

void register_attachment_invalidation();

// The current attachment (read on first use after an invalidation).
const Attachment& attachment();

// Changes whenever the attached schema or the run lease column does: saved
// plans prepared under an older generation name the old schema's tables (or
// the old column) and are prepared again.
std::uint64_t attachment_generation();

// The attachment, or 55000 "paperclip_locks_attach is not attached" for
// operations that need the application's tables.
const Attachment& require_attachment();

}  // namespace paperclip::pg
