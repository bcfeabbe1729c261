// Every SQL function and trigger of the extension, as a named C++ entry
// point. src/module.cpp exports each under its C symbol (the name in
// sql/paperclip_locks--1.0.sql's AS 'MODULE_PATHNAME', '...'); src/README.md
// maps each to its decision, queries and tests.
#pragma once

#include "pg/postgres.hpp"

namespace paperclip::functions {
// src/functions/checkout.cpp
Datum checkout(FunctionCallInfo fcinfo);
// src/functions/release.cpp
Datum release(FunctionCallInfo fcinfo);
// src/functions/assert_checkout_owner.cpp
Datum assert_checkout_owner(FunctionCallInfo fcinfo);
// src/functions/acquire_execution_lock.cpp
Datum acquire_execution_lock(FunctionCallInfo fcinfo);
// src/functions/admin_force_release.cpp
Datum admin_force_release(FunctionCallInfo fcinfo);
// src/functions/clear_if_terminal.cpp
Datum clear_execution_run_if_terminal(FunctionCallInfo fcinfo);
Datum clear_checkout_run_if_terminal(FunctionCallInfo fcinfo);
// src/functions/sweep.cpp
Datum sweep_stale_locks(FunctionCallInfo fcinfo);
Datum lock_is_sweepable(FunctionCallInfo fcinfo);
Datum lock_is_sweepable_by_status(FunctionCallInfo fcinfo);
// src/functions/renew_run_lease.cpp
Datum renew_run_lease(FunctionCallInfo fcinfo);
// src/functions/actor.cpp
Datum set_actor_agent(FunctionCallInfo fcinfo);
Datum set_actor_board(FunctionCallInfo fcinfo);
Datum current_actor(FunctionCallInfo fcinfo);
// src/functions/vocabulary.cpp
Datum is_issue_status(FunctionCallInfo fcinfo);
Datum run_status_is_terminal(FunctionCallInfo fcinfo);
Datum run_is_live(FunctionCallInfo fcinfo);
Datum normalize_agent_name_key(FunctionCallInfo fcinfo);
}  // namespace paperclip::functions

namespace paperclip::triggers {
// src/triggers/issues_guard.cpp
Datum issues_guard(FunctionCallInfo fcinfo);
// src/triggers/issue_comments_guard.cpp
Datum issue_comments_guard(FunctionCallInfo fcinfo);
// src/triggers/heartbeat_runs_guard.cpp
Datum heartbeat_runs_guard(FunctionCallInfo fcinfo);
Datum heartbeat_runs_released(FunctionCallInfo fcinfo);
// src/triggers/activity_log_guard.cpp
Datum activity_log_guard(FunctionCallInfo fcinfo);
// src/triggers/company_scope_guard.cpp
Datum company_scope_guard(FunctionCallInfo fcinfo);
// src/pg/terminal_statuses.cpp
Datum terminal_run_statuses_changed(FunctionCallInfo fcinfo);
Datum terminal_run_statuses_guard(FunctionCallInfo fcinfo);
// src/pg/attachment.cpp
Datum attachment_changed(FunctionCallInfo fcinfo);
}  // namespace paperclip::triggers
