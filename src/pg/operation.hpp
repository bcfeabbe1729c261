// What every entry point opens, and the load and apply halves around each
// operation's core decision:
//
//     read arguments -> pg::load_X (lock order inside) -> core::decide_X -> pg::apply
#pragma once

#include <optional>

#include "core/checkout.hpp"
#include "core/execution_lock.hpp"
#include "core/force_release.hpp"
#include "core/ownership.hpp"
#include "core/release.hpp"
#include "core/stale_locks.hpp"
#include "pg/actor_state.hpp"
#include "pg/audit_log.hpp"
#include "pg/directory.hpp"
#include "pg/issue_rows.hpp"
#include "pg/spi.hpp"
#include "pg/terminal_statuses.hpp"

namespace paperclip::pg {

// An SPI connection and the switch to the extension owner for the
// extension's own statements: what a trigger opens around its lookups.
struct OwnerScope {
    SpiSession spi;
    AsExtensionOwner as_owner;
    void finish() { spi.finish(); }
};

// What a function opens: the caller's actor (captured before the switch to
// the owner), then the owner scope.
struct Operation {
    core::Actor actor = current_actor();
    OwnerScope scope;

    // now() of this transaction, as the rules stamp it.
    static std::int64_t now() { return GetCurrentTransactionStartTimestamp(); }

    // Copies a row or record out of SPI memory and closes the connection.
    Datum finish_returning(Datum value) {
        Datum out = scope.spi.return_datum(value, false, -1);
        scope.finish();
        return out;
    }
    void finish() { scope.finish(); }
};

// ---- load: the rows each decision reads, locked in SPEC §7's order ----
// Each returns the issue row as it was locked (0 when there is none).
Datum load_checkout(const Operation& op, const core::Uuid& issue_id, core::CheckoutInput& input);
Datum load_release(const Operation& op, const core::Uuid& issue_id, core::ReleaseInput& input);
Datum load_ownership(const Operation& op, const core::Uuid& issue_id, core::OwnershipInput& input);
Datum load_execution_lock(const Operation& op, const core::Uuid& issue_id, core::ExecutionLockInput& input);
Datum load_force_release(const Operation& op, const core::Uuid& issue_id, core::ForceReleaseInput& input);
Datum load_clear_if_terminal(const Operation& op, const core::Uuid& issue_id, core::ClearIfTerminalInput& input);

// ---- apply: what a decision returned ----
// Writes the issue row when the outcome says so (returning the new row), then
// the audit rows, in the caller's transaction.
std::optional<Datum> apply(const core::Actor& actor, const core::Outcome& outcome);

// The gate behind every agent write to an issue (the issues and comments
// triggers): company, another agent's issue (409/403 unless
// tasks:manage_active_checkouts), and on the agent's own in_progress issue
// the ownership rule of assert_checkout_owner, audited. `current` is the
// issue row, locked. Returns the outcome when the ownership rule ran; the
// caller writes its row.
std::optional<core::OwnershipOutcome> check_agent_write(const core::Actor& actor,
                                                        const core::IssueState& current);

}  // namespace paperclip::pg
