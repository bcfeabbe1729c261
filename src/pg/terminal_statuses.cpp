#include <optional>
#include <set>
#include <stdexcept>
#include <string>

#include "entry_points.hpp"
#include "pg/spi.hpp"
#include "pg/trigger.hpp"
#include "pg/tables.hpp"
#include "pg/terminal_statuses.hpp"

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
    TriggerData* td = pg::trigger_data(fcinfo, "terminal_run_statuses_changed");
    const Oid relid = RelationGetRelid(td->tg_relation);
    pg::pg_call([&] { CacheInvalidateRelcacheByRelid(relid); });
    return PointerGetDatum(nullptr);
}

}  // namespace paperclip::triggers
