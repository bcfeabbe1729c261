// What every operation's decision returns: the issue row as the operation
// leaves it, whether to write it back, and the audit rows to record, in
// order. The PostgreSQL layer applies it (pg::apply) in the caller's
// transaction; an error is thrown as PcError instead.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/audit.hpp"
#include "core/actor.hpp"
#include "core/lock_state.hpp"
#include "core/vocabulary.hpp"

namespace paperclip::core {

struct Outcome {
    IssueState result;
    bool write = false;
    std::vector<LockClearing> clearings;  // stale locks cleared on the way (audited)
    std::vector<AuditEntry> audit;
};

// The inputs every issue operation shares: who acts, the issue (locked;
// nullopt when there is no such issue), the board user's membership in its
// company, and the run rows locked for it with the terminal-status set.
struct IssueContext {
    Actor actor;
    std::optional<IssueState> issue;
    std::optional<Membership> membership;
    RunSet runs;
    const RunStatusPartition* partition = nullptr;
    std::int64_t now = 0;
};

}  // namespace paperclip::core
