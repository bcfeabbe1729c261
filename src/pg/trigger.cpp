#include <string>

#include "pg/bridge.hpp"
#include "pg/tables.hpp"
#include "pg/trigger.hpp"

namespace paperclip::pg {

namespace {

// The schema a table of the extension lives in: its own tables in
// "paperclip", the application's in app_schema().
std::string schema_of(const char* table) {
    const std::string name = table;
    return name == "terminal_run_statuses" || name == "attachment" ? std::string(kExtensionSchema) : app_schema();
}

unsigned event_of(TriggerEvent event) {
    if (TRIGGER_FIRED_BY_INSERT(event)) return kOnInsert;
    if (TRIGGER_FIRED_BY_UPDATE(event)) return kOnUpdate;
    if (TRIGGER_FIRED_BY_DELETE(event)) return kOnDelete;
    if (TRIGGER_FIRED_BY_TRUNCATE(event)) return kOnTruncate;
    return 0;
}

std::string events_text(unsigned events) {
    std::string out;
    for (auto [bit, name] : {std::pair{kOnInsert, "INSERT"}, std::pair{kOnUpdate, "UPDATE"},
                             std::pair{kOnDelete, "DELETE"}, std::pair{kOnTruncate, "TRUNCATE"}}) {
        if (!(events & bit)) continue;
        if (!out.empty()) out += " OR ";
        out += name;
    }
    return out;
}

std::string use_text(const TriggerUse& use) {
    return std::string(use.before ? "BEFORE " : "AFTER ") + events_text(use.events) +
           (use.for_each_row ? " FOR EACH ROW" : " FOR EACH STATEMENT");
}

[[noreturn]] void refuse(const char* function, const std::string& fired,
                         std::initializer_list<const char*> tables, std::initializer_list<TriggerUse> uses) {
    std::string expected;
    for (const auto& use : uses) {
        if (!expected.empty()) expected += ", or ";
        expected += use_text(use);
    }
    expected += " on ";
    bool first = true;
    for (const char* table : tables) {
        if (!first) expected += ", ";
        expected += schema_of(table) + "." + table;
        first = false;
    }
    throw SqlStateError(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
                        std::string("trigger function paperclip.") + function +
                            "() fired on a table, event or level it is not written for",
                        "It " + fired + "; it is written for " + expected + ".");
}

}  // namespace

TriggerData* trigger_data(FunctionCallInfo fcinfo, const char* function,
                          std::initializer_list<const char*> tables,
                          std::initializer_list<TriggerUse> uses) {
    if (!CALLED_AS_TRIGGER(fcinfo)) refuse(function, "was called as a plain function", tables, uses);
    auto* td = reinterpret_cast<TriggerData*>(fcinfo->context);
    const TriggerEvent event = td->tg_event;
    const bool before = TRIGGER_FIRED_BEFORE(event);
    const bool after = TRIGGER_FIRED_AFTER(event);
    const bool row = TRIGGER_FIRED_FOR_ROW(event);
    const unsigned fired_event = event_of(event);

    Relation rel = td->tg_relation;
    const Oid rel_namespace = RelationGetNamespace(rel);
    const char* rel_name = RelationGetRelationName(rel);
    bool table_ok = false;
    for (const char* table : tables) {
        if (std::string(table) != rel_name) continue;
        const std::string schema = schema_of(table);
        table_ok = pg_call([&] { return get_namespace_oid(schema.c_str(), true); }) == rel_namespace;
    }
    bool use_ok = false;
    for (const auto& use : uses)
        if ((use.before ? before : after) && use.for_each_row == row && (use.events & fired_event)) use_ok = true;
    if (table_ok && use_ok) return td;

    const char* schema = pg_call([&] { return get_namespace_name(rel_namespace); });
    std::string fired = std::string("fired ") + (before ? "BEFORE " : after ? "AFTER " : "INSTEAD OF ") +
                        events_text(fired_event) + (row ? " FOR EACH ROW" : " FOR EACH STATEMENT") + " on " +
                        (schema ? schema : "?") + "." + rel_name;
    refuse(function, fired, tables, uses);
}

HeapTuple unchanged_row(const TriggerData* td) {
    if (TRIGGER_FIRED_BY_UPDATE(td->tg_event)) return td->tg_newtuple;
    return td->tg_trigtuple;
}

TriggerData* row_guard_data(FunctionCallInfo fcinfo, const char* function, const char* table) {
    return trigger_data(fcinfo, function, {table}, {{true, true, kOnInsert | kOnUpdate | kOnDelete}});
}

Datum invalidate_cache_of(FunctionCallInfo fcinfo, const char* function, const char* table) {
    TriggerData* td =
        trigger_data(fcinfo, function, {table}, {{false, false, kOnInsert | kOnUpdate | kOnDelete | kOnTruncate}});
    const Oid relid = RelationGetRelid(td->tg_relation);
    pg_call([&] { CacheInvalidateRelcacheByRelid(relid); });
    return PointerGetDatum(nullptr);
}

}  // namespace paperclip::pg
