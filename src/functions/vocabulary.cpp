// SQL faces of the vocabularies (SPEC §2), so SQL and C++ share one definition.
#include "core/vocabulary.hpp"
#include "pg/args.hpp"
#include "pg/spi.hpp"
#include "pg/terminal_statuses.hpp"

using namespace paperclip;

// Used by the CHECK constraint on issues.status.
PAPERCLIP_FUNCTION(paperclip_is_issue_status) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    PG_RETURN_BOOL(core::is_issue_status(pg::arg_text(fcinfo, 0, "status")));
}

// NULL (no such run) counts as terminal.
PAPERCLIP_FUNCTION(paperclip_run_status_is_terminal) {
    const core::OptText status = pg::arg_opt_text(fcinfo, 0);
    const bool terminal = pg::run_status_partition().is_terminal_or_missing(status ? &*status : nullptr);
    PG_RETURN_BOOL(terminal);
}

PAPERCLIP_FUNCTION(paperclip_normalize_agent_name_key) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    const std::string key = core::normalize_agent_name_key(pg::arg_text(fcinfo, 0, "name"));
    PG_RETURN_TEXT_P(pg::pg_call([&] { return cstring_to_text_with_len(key.data(), key.size()); }));
}
