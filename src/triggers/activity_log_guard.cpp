// activity_log is append-only (SPEC §6), and nobody writes an audit row in
// someone else's name.
#include "core/errors.hpp"
#include "core/write_gate.hpp"
#include "pg/issue_tuple.hpp"
#include "entry_points.hpp"
#include "pg/operation.hpp"
#include "pg/trigger.hpp"

namespace paperclip::triggers {


Datum activity_log_guard(FunctionCallInfo fcinfo) {
    TriggerData* td = pg::trigger_data(fcinfo, "activity_log_guard", {"activity_log"},
                                       {{true, true, pg::kOnInsert | pg::kOnUpdate | pg::kOnDelete},
                                        {true, false, pg::kOnTruncate}});
    // A trusted application in compat mode (SPEC §8) keeps its own log: the
    // Paperclip server deletes a removed company's rows.
    if (!TRIGGER_FIRED_BY_INSERT(td->tg_event)) {
        if (pg::current_actor().is_trusted_app())
            return PointerGetDatum(TRIGGER_FIRED_FOR_ROW(td->tg_event) ? pg::unchanged_row(td) : nullptr);
        throw core::PcError(core::ErrorCode::Forbidden, core::msg::kAuditAppendOnly, {},
                            core::msg::kAuditAppendOnlyHint);
    }
    if (pg::extension_write_in_progress()) return PointerGetDatum(td->tg_trigtuple);
    const core::Actor actor = pg::current_actor();
    if (actor.passes_actor_gates()) return PointerGetDatum(td->tg_trigtuple);
    core::require_actor(actor);

    TupleDesc desc = td->tg_relation->rd_att;
    HeapTuple row = td->tg_trigtuple;
    const core::OptText actor_type = pg::text_column(row, desc, pg::column_of(desc, "actor_type"));
    const core::OptText actor_id = pg::text_column(row, desc, pg::column_of(desc, "actor_id"));
    const core::OptUuid company_id = pg::uuid_column(row, desc, pg::column_of(desc, "company_id"));
    const core::AuditActor who = core::audit_actor_of(actor);
    if (actor_type != who.actor_type || actor_id != who.actor_id)
        core::fail(core::ErrorCode::Forbidden, core::msg::kAuditOwnName,
                   core::JsonObject()
                       .add("actorType", actor_type ? core::OptText(core::echo_input(*actor_type)) : std::nullopt)
                       .add("actorId", actor_id ? core::OptText(core::echo_input(*actor_id)) : std::nullopt)
                       .add("expectedActorType", who.actor_type)
                       .add("expectedActorId", who.actor_id));
    core::require_audit_row_in_own_name(actor, pg::uuid_column(row, desc, pg::column_of(desc, "agent_id")),
                                        pg::uuid_column(row, desc, pg::column_of(desc, "run_id")));
    if (!company_id) core::fail_validation("companyId", "must not be null");
    {
        pg::OwnerScope scope;
        pg::require_company_write_access(actor, *company_id);
        scope.finish();
    }
    // created_at is the database's clock for every writer but operators (SPEC §10).
    return PointerGetDatum(pg::replace_timestamptz_column(row, desc, pg::column_of(desc, "created_at"),
                                                          GetCurrentTransactionStartTimestamp()));
}

}  // namespace paperclip::triggers
