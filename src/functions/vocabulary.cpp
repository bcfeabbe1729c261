// SQL faces of the vocabularies (SPEC §2), so SQL and C++ share one definition.
#include "core/liveness.hpp"
#include "core/vocabulary.hpp"
#include "entry_points.hpp"
#include "pg/args.hpp"
#include "pg/run_leases.hpp"
#include "pg/spi.hpp"
#include "pg/terminal_statuses.hpp"

namespace paperclip::functions {

// Used by the CHECK constraint on issues.status.
Datum is_issue_status(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    PG_RETURN_BOOL(core::is_issue_status(pg::arg_text(fcinfo, 0, "status")));
}

// A run in this status (NULL: no such run) holds nothing -- asked of the one
// liveness rule, for a run known only by its status.
Datum run_status_is_terminal(FunctionCallInfo fcinfo) {
    const core::OptText status = pg::arg_opt_text(fcinfo, 0);
    core::RunInfo run;
    if (status) run.status = *status;
    PG_RETURN_BOOL(!core::is_live(status ? &run : nullptr, pg::run_status_partition()));
}

// Whether a run holds, from its status (NULL: no such run) and its lease's
// expires_at, backend_pid and backend_start (NULL expires_at: no lease) --
// asked of the one liveness rule (issue_locks.stale).
Datum run_is_live(FunctionCallInfo fcinfo) {
    const core::OptText status = pg::arg_opt_text(fcinfo, 0);
    core::RunInfo run;
    if (status) run.status = *status;
    if (!PG_ARGISNULL(1))
        run.lease = pg::lease_of(PG_GETARG_TIMESTAMPTZ(1),
                                 PG_ARGISNULL(2) ? std::nullopt : std::optional<std::int32_t>(PG_GETARG_INT32(2)),
                                 PG_ARGISNULL(3) ? std::nullopt : core::OptTimestamp(PG_GETARG_TIMESTAMPTZ(3)));
    PG_RETURN_BOOL(core::is_live(status ? &run : nullptr, pg::run_status_partition()));
}

Datum normalize_agent_name_key(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    const std::string key = core::normalize_agent_name_key(pg::arg_text(fcinfo, 0, "name"));
    PG_RETURN_TEXT_P(pg::pg_call([&] { return cstring_to_text_with_len(key.data(), key.size()); }));
}

}  // namespace paperclip::functions
