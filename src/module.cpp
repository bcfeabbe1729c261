// The shared library's entry: module magic and the backend-wide hooks.
#include "pg/actor_state.hpp"
#include "pg/terminal_statuses.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
void _PG_init(void) {
    paperclip::pg::register_actor_callbacks();
    paperclip::pg::register_terminal_status_invalidation();
    // The actor lives in backend memory, never in a GUC: reserving the prefix
    // makes SET paperclip.anything an error instead of a silent placeholder.
    MarkGUCPrefixReserved("paperclip");
}
}
