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

}  // namespace paperclip::pg
