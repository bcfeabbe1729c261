// What every entry point opens: the caller's actor (captured before anything
// else), an SPI connection, and the switch to the extension owner for the
// extension's own statements.
#pragma once

#include "core/access.hpp"
#include "core/rules.hpp"
#include "pg/actor_state.hpp"
#include "pg/spi.hpp"
#include "pg/store.hpp"
#include "pg/terminal_statuses.hpp"

namespace paperclip::pg {

struct Operation {
    core::Actor actor = current_actor();
    SpiSession spi;
    AsExtensionOwner as_owner;

    // now() of this transaction, as the rules stamp it.
    static std::int64_t now() { return GetCurrentTransactionStartTimestamp(); }

    // Copies a row or record out of SPI memory and closes the connection.
    Datum finish_returning(Datum value) {
        Datum out = spi.return_datum(value, false, -1);
        spi.finish();
        return out;
    }
};

// The issue, locked, or PC404 Issue not found.
LockedIssue lock_issue_or_404(const core::Uuid& issue_id);

// Records what an ownership check did: the stale locks it cleared and, when
// it took over a stale run's checkout, the adoption.
void write_ownership_audit(const core::Actor& actor, const core::IssueState& before,
                           const core::OwnershipDecision& decision, const core::Uuid& run_id,
                           const char* source);

// The gate behind every agent write to an issue (the issues and comments
// triggers): company, another agent's issue (409/403 unless
// tasks:manage_active_checkouts), and on the agent's own in_progress issue
// the ownership check of assert_checkout_owner, audited. `current` is the
// issue row, locked. Returns the decision when the ownership check ran.
std::optional<core::OwnershipDecision> check_agent_write(const core::Actor& actor,
                                                         const core::IssueState& current);

}  // namespace paperclip::pg
