// The shared library's entry: module magic, the backend-wide hooks, and the
// export of every SQL function and trigger (one line each; the C symbol is
// the name the install script gives in AS 'MODULE_PATHNAME', '...').
#include "entry_points.hpp"
#include "pg/actor_state.hpp"
#include "pg/attachment.hpp"
#include "pg/bridge.hpp"
#include "pg/lease_reaper.hpp"
#include "pg/terminal_statuses.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
void _PG_init(void) {
    paperclip::pg::register_actor_callbacks();
    paperclip::pg::register_terminal_status_invalidation();
    paperclip::pg::register_attachment_invalidation();
    paperclip::pg::define_lease_reaper_settings();
    if (process_shared_preload_libraries_in_progress) paperclip::pg::register_lease_reapers();
    // The actor lives in backend memory, never in a GUC: reserving the prefix
    // makes SET paperclip.anything an error instead of a silent placeholder.
    MarkGUCPrefixReserved("paperclip");
}
}

using namespace paperclip;

PAPERCLIP_EXPORT(paperclip_checkout, functions::checkout)
PAPERCLIP_EXPORT(paperclip_release, functions::release)
PAPERCLIP_EXPORT(paperclip_assert_checkout_owner, functions::assert_checkout_owner)
PAPERCLIP_EXPORT(paperclip_acquire_execution_lock, functions::acquire_execution_lock)
PAPERCLIP_EXPORT(paperclip_admin_force_release, functions::admin_force_release)
PAPERCLIP_EXPORT(paperclip_clear_execution_run_if_terminal, functions::clear_execution_run_if_terminal)
PAPERCLIP_EXPORT(paperclip_clear_checkout_run_if_terminal, functions::clear_checkout_run_if_terminal)
PAPERCLIP_EXPORT(paperclip_sweep_stale_locks, functions::sweep_stale_locks)
PAPERCLIP_EXPORT(paperclip_lock_is_sweepable, functions::lock_is_sweepable_by_status)
PAPERCLIP_EXPORT(paperclip_lock_is_sweepable_with_leases, functions::lock_is_sweepable)
PAPERCLIP_EXPORT(paperclip_renew_run_lease, functions::renew_run_lease)
PAPERCLIP_EXPORT(paperclip_set_actor_agent, functions::set_actor_agent)
PAPERCLIP_EXPORT(paperclip_set_actor_board, functions::set_actor_board)
PAPERCLIP_EXPORT(paperclip_current_actor, functions::current_actor)
PAPERCLIP_EXPORT(paperclip_is_issue_status, functions::is_issue_status)
PAPERCLIP_EXPORT(paperclip_run_status_is_terminal, functions::run_status_is_terminal)
PAPERCLIP_EXPORT(paperclip_run_is_live, functions::run_is_live)
PAPERCLIP_EXPORT(paperclip_normalize_agent_name_key, functions::normalize_agent_name_key)

PAPERCLIP_EXPORT(paperclip_issues_guard, triggers::issues_guard)
PAPERCLIP_EXPORT(paperclip_issue_comments_guard, triggers::issue_comments_guard)
PAPERCLIP_EXPORT(paperclip_heartbeat_runs_guard, triggers::heartbeat_runs_guard)
PAPERCLIP_EXPORT(paperclip_heartbeat_runs_released, triggers::heartbeat_runs_released)
PAPERCLIP_EXPORT(paperclip_activity_log_guard, triggers::activity_log_guard)
PAPERCLIP_EXPORT(paperclip_company_scope_guard, triggers::company_scope_guard)
PAPERCLIP_EXPORT(paperclip_terminal_run_statuses_changed, triggers::terminal_run_statuses_changed)
PAPERCLIP_EXPORT(paperclip_terminal_run_statuses_guard, triggers::terminal_run_statuses_guard)
PAPERCLIP_EXPORT(paperclip_attachment_changed, triggers::attachment_changed)
