#include <stdexcept>
#include <string>

#include "core/errors.hpp"
#include "pg/attachment.hpp"
#include "entry_points.hpp"
#include "pg/spi.hpp"
#include "pg/trigger.hpp"

namespace paperclip::pg {

namespace {
bool g_valid = false;
Oid g_table = InvalidOid;  // paperclip.attachment when it exists
Attachment g_attachment;
std::uint64_t g_generation = 1;

void on_relcache_invalidation(Datum, Oid relid) {
    if (relid == InvalidOid || relid == g_table) g_valid = false;
}
// CREATE or DROP EXTENSION creates or drops schema paperclip and with it
// paperclip.attachment, whose oid no relcache callback knew yet.
void on_namespace_invalidation(Datum, int, uint32) { g_valid = false; }

Attachment load() {
    Attachment a;
    const Oid nsp = pg_call([] { return get_namespace_oid("paperclip", true); });
    g_table = OidIsValid(nsp) ? pg_call([&] { return get_relname_relid("attachment", nsp); }) : InvalidOid;
    if (!OidIsValid(g_table)) return a;  // paperclip_locks: its own tables
    a.standalone = false;
    a.attached = false;
    // Read rarely (after an invalidation), so no saved plan; as the owner,
    // since any role's write to an attached table may be the first to ask.
    SpiSession spi;
    AsExtensionOwner as_owner;
    const std::uint64_t n = pg_call([] {
        const int rc = SPI_execute(
            "SELECT a.target_schema::pg_catalog.text, a.mode, a.release_on_run_end, "
            "a.run_lease_column::pg_catalog.text FROM paperclip.attachment AS a",
            true, 2);
        if (rc != SPI_OK_SELECT) elog(ERROR, "reading paperclip.attachment failed: %s", SPI_result_code_string(rc));
        return static_cast<std::uint64_t>(SPI_processed);
    });
    if (n > 1) throw std::logic_error("paperclip.attachment holds more than one row");
    if (n == 1) {
        const Row r(SPI_tuptable->vals[0], SPI_tuptable->tupdesc);
        a.attached = true;
        a.schema = r.text(1);
        a.mode = r.text(2) == "compat" ? AttachMode::Compat : AttachMode::Strict;
        a.release_on_run_end = r.boolean(3);
        a.run_lease_column = r.opt_text(4);
    }
    spi.finish();
    return a;
}
}  // namespace

void register_attachment_invalidation() {
    CacheRegisterRelcacheCallback(on_relcache_invalidation, Datum(0));
    CacheRegisterSyscacheCallback(NAMESPACEOID, on_namespace_invalidation, Datum(0));
}

const Attachment& attachment() {
    if (g_valid) return g_attachment;
    Attachment fresh = load();
    // Saved plans name the schema and the run lease column (pg/tables.hpp).
    if (fresh.schema != g_attachment.schema || fresh.attached != g_attachment.attached ||
        fresh.run_lease_column != g_attachment.run_lease_column)
        ++g_generation;
    g_attachment = std::move(fresh);
    g_valid = true;
    return g_attachment;
}

std::uint64_t attachment_generation() {
    attachment();
    return g_generation;
}

const Attachment& require_attachment() {
    const Attachment& a = attachment();
    if (!a.attached)
        pg_call([] {
            ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                            errmsg("paperclip_locks_attach is not attached to an application schema"),
                            errhint("Call paperclip.attach() first.")));
        });
    return a;
}

}  // namespace paperclip::pg

namespace paperclip::triggers {

// AFTER ... FOR EACH STATEMENT on paperclip.attachment: every backend reads
// the attachment again from its next statement on.
Datum attachment_changed(FunctionCallInfo fcinfo) {
    return pg::invalidate_cache_of(fcinfo, "attachment_changed", "attachment");
}

}  // namespace paperclip::triggers
