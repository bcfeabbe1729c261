#include <optional>
#include <set>
#include <stdexcept>
#include <string>

#include "core/errors.hpp"
#include "core/vocabulary.hpp"
#include "entry_points.hpp"
#include "pg/issue_tuple.hpp"
#include "pg/spi.hpp"
#include "pg/tables.hpp"
#include "pg/terminal_statuses.hpp"
#include "pg/trigger.hpp"

namespace paperclip::pg {

namespace {
bool g_valid = false;
Oid g_table = InvalidOid;
std::optional<core::RunStatusPartition> g_partition;

void on_relcache_invalidation(Datum, Oid relid) {
    if (relid == InvalidOid || relid == g_table) g_valid = false;
}

SavedPlan load_plan("SELECT t.status FROM {terminal_run_statuses} AS t", {});
}  // namespace

void register_terminal_status_invalidation() {
    CacheRegisterRelcacheCallback(on_relcache_invalidation, Datum(0));
}

const core::RunStatusPartition& run_status_partition() {
    if (g_valid) return *g_partition;
    std::set<std::string> statuses;
    SpiSession spi;
    AsExtensionOwner as_owner;
    const auto n = load_plan.run({});
    for (std::uint64_t i = 0; i < n; ++i) statuses.insert(load_plan.row(i).text(1));
    // The built-in ones hold whatever the table says (SPEC §2, §6): the
    // table's guard keeps them, and a table emptied past it (triggers
    // disabled by a superuser) still cannot make a failed run hold its locks.
    for (const auto& builtin : core::builtin_terminal_run_statuses()) statuses.insert(builtin);
    g_table = pg_call([] {
        return get_relname_relid("terminal_run_statuses", get_namespace_oid(kExtensionSchema, false));
    });
    spi.finish();
    g_partition = core::RunStatusPartition(std::move(statuses));
    g_valid = true;
    return *g_partition;
}

}  // namespace paperclip::pg

namespace paperclip::triggers {

// AFTER ... FOR EACH STATEMENT on terminal_run_statuses: every backend's
// cached set is stale from the next transaction on.
Datum terminal_run_statuses_changed(FunctionCallInfo fcinfo) {
    return pg::invalidate_cache_of(fcinfo, "terminal_run_statuses_changed", "terminal_run_statuses");
}

// SPEC §6: the built-in terminal statuses cannot be removed, by anyone.
// Operators add statuses and remove the ones they added; a row marked
// builtin is never deleted, updated or inserted (an operator's "built-in"
// status could never be removed, and pg_dump skips built-in rows).
Datum terminal_run_statuses_guard(FunctionCallInfo fcinfo) {
    TriggerData* td = pg::trigger_data(fcinfo, "terminal_run_statuses_guard", {"terminal_run_statuses"},
                                       {{true, true, pg::kOnInsert | pg::kOnUpdate | pg::kOnDelete},
                                        {true, false, pg::kOnTruncate}});
    const auto refuse = [](const char* message, const core::OptText& status, const char* hint) {
        core::JsonObject d;
        d.add("status", status ? core::OptText(core::echo_input(*status)) : std::nullopt)
            .add("builtinStatuses", core::builtin_terminal_run_statuses());
        throw core::PcError(core::ErrorCode::Forbidden, message, d.str(), hint);
    };
    const char* const kRemoved = "built-in terminal run statuses cannot be removed";
    const char* const kRemovedHint = "Operators add statuses, and remove only the ones they added.";
    if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event)) refuse(kRemoved, std::nullopt, kRemovedHint);
    TupleDesc desc = td->tg_relation->rd_att;
    const int status_col = pg::column_of(desc, "status");
    const int builtin_col = pg::column_of(desc, "builtin");
    const auto is_builtin = [&](HeapTuple row) {
        bool isnull = false;
        const Datum d = heap_getattr(row, builtin_col, desc, &isnull);
        return !isnull && DatumGetBool(d);
    };
    HeapTuple row = td->tg_trigtuple;
    const core::OptText status = pg::text_column(row, desc, status_col);
    if (TRIGGER_FIRED_BY_INSERT(td->tg_event)) {
        if (is_builtin(row))
            refuse("only the extension adds built-in terminal run statuses", status, "Add the status with builtin = false.");
        return PointerGetDatum(row);
    }
    if (is_builtin(row)) refuse(kRemoved, status, kRemovedHint);
    if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) && is_builtin(td->tg_newtuple))
        refuse("only the extension adds built-in terminal run statuses", status, "Keep builtin = false.");
    return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : row);
}

}  // namespace paperclip::triggers
