#include <set>
#include <stdexcept>
#include <string>

#include "pg/spi.hpp"
#include "pg/terminal_statuses.hpp"

namespace paperclip::pg {

namespace {
bool g_valid = false;
Oid g_table = InvalidOid;
core::RunStatusPartition g_partition;

void on_relcache_invalidation(Datum, Oid relid) {
    if (relid == InvalidOid || relid == g_table) g_valid = false;
}

SavedPlan load_plan("SELECT status FROM paperclip.terminal_run_statuses", {});
}  // namespace

void register_terminal_status_invalidation() {
    CacheRegisterRelcacheCallback(on_relcache_invalidation, Datum(0));
}

const core::RunStatusPartition& run_status_partition() {
    if (g_valid) return g_partition;
    std::set<std::string> statuses;
    SpiSession spi;
    AsExtensionOwner as_owner;
    const auto n = load_plan.run({});
    for (std::uint64_t i = 0; i < n; ++i) statuses.insert(load_plan.row(i).text(1));
    g_table = pg_call([] {
        return get_relname_relid("terminal_run_statuses", get_namespace_oid("paperclip", false));
    });
    spi.finish();
    g_partition = core::RunStatusPartition(std::move(statuses));
    g_valid = true;
    return g_partition;
}

}  // namespace paperclip::pg

PAPERCLIP_FUNCTION(paperclip_terminal_run_statuses_changed) {
    auto* trigdata = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (!CALLED_AS_TRIGGER(fcinfo))
        throw std::logic_error("terminal_run_statuses_changed must be called as a trigger");
    const Oid relid = RelationGetRelid(trigdata->tg_relation);
    paperclip::pg::pg_call([&] { CacheInvalidateRelcacheByRelid(relid); });
    return PointerGetDatum(nullptr);
}
