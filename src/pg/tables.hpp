// Where the extension's statements find their tables. Every statement names a
// table as a placeholder -- {issues}, {terminal_run_statuses} -- and SavedPlan
// resolves it when it prepares the plan:
//   - the application's eight tables (companies, company_memberships, agents,
//     heartbeat_runs, issues, issue_relations, issue_comments, activity_log)
//     in app_schema(): "paperclip" today; attach mode (SPEC §8) points it at
//     the schema holding an existing Paperclip database;
//   - the extension's own tables (terminal_run_statuses, run_leases) in "paperclip";
//   - {r.run_lease_expiry}: the lease column attach(run_lease_column) named on
//     the run row aliased r (SPEC §9), or NULL::timestamptz when none is.
// No statement outside src/pg/ names a table.
#pragma once

#include <string>

namespace paperclip::pg {

// The schema the extension's own objects live in.
inline constexpr const char* kExtensionSchema = "paperclip";

// The schema of the application's tables.
const std::string& app_schema();

// `sql` with every {table} placeholder replaced by the table's schema-qualified
// name. An unknown placeholder is a programming error (std::logic_error).
std::string resolve_tables(const std::string& sql);

}  // namespace paperclip::pg
