// Compat mode (SPEC §8): the unchanged Paperclip server writes without an
// actor, moves lock columns itself, leaves an in_progress issue without an
// assignee after a force-release with clearAssignee, and sets its own status
// timestamps. Such a write -- a trusted application's, or an operator's, on
// a database attached in compat mode -- passes every actor gate and is held
// to the rules that keep the data meaningful, not to those that encode a
// workflow the server runs itself. The rules every writer obeys (primary
// keys, lock runs of the issue's company, a run's company being its agent's)
// are the triggers' own and apply to it too.
#pragma once

#include "core/lock_state.hpp"

namespace paperclip::core {

// The issue rules of a trusted write: a known status (§2), at most one
// assignee, and execution_run_id IS NULL implying its two companions are NULL
// (applied, as for every writer). Not applied: in_progress needs an assignee,
// the status side effects, clearing the locks when the status leaves
// in_progress or the assignee changes, the refusal of direct lock writes,
// the assignee and blocker rules. Throws PC400 / PC422.
IssueState apply_trusted_issue_rules(IssueState row);

}  // namespace paperclip::core
