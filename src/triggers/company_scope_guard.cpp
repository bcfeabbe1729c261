// companies, company_memberships, agents, issue_relations: writes need an
// actor with write access to the row's company. Agents may not touch
// companies, memberships or agents (an agent granting itself
// tasks:manage_active_checkouts would walk past the ownership gate).
// Trigger arguments: the company column, then 'agents_may_write' or not.
#include <string>

#include "core/compat.hpp"
#include "core/errors.hpp"
#include "pg/issue_tuple.hpp"
#include "entry_points.hpp"
#include "pg/operation.hpp"
#include "pg/trigger.hpp"

namespace paperclip::triggers {


Datum company_scope_guard(FunctionCallInfo fcinfo) {
    TriggerData* td = pg::trigger_data(fcinfo, "company_scope_guard",
                                       {"companies", "company_memberships", "agents", "issue_relations"},
                                       {{true, true, pg::kOnInsert | pg::kOnUpdate | pg::kOnDelete}});
    if (td->tg_trigger->tgnargs != 2 ||
        (std::string(td->tg_trigger->tgargs[1]) != "agents_may_write" &&
         std::string(td->tg_trigger->tgargs[1]) != "agents_may_not_write"))
        throw pg::SqlStateError(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
                                "trigger function paperclip.company_scope_guard() needs two arguments",
                                "The company column, then 'agents_may_write' or 'agents_may_not_write'.");
    if (pg::extension_write_in_progress()) return PointerGetDatum(pg::unchanged_row(td));
    const core::Actor actor = pg::current_actor();
    if (actor.is_trusted_app() && TRIGGER_FIRED_BY_UPDATE(td->tg_event)) {
        // Compat mode (SPEC §8): the primary keys of companies and agents never change.
        const std::string table = SPI_getrelname(td->tg_relation);
        if (table == "companies" || table == "agents") {
            TupleDesc desc = td->tg_relation->rd_att;
            const int id_column = pg::column_of(desc, "id");
            core::require_same_primary_key(pg::uuid_column(td->tg_trigtuple, desc, id_column),
                                           pg::uuid_column(td->tg_newtuple, desc, id_column));
        }
    }
    if (actor.passes_actor_gates()) return PointerGetDatum(pg::unchanged_row(td));
    core::require_actor(actor);
    const char* company_column = td->tg_trigger->tgargs[0];
    const bool agents_may_write = std::string(td->tg_trigger->tgargs[1]) == "agents_may_write";
    const char* table = SPI_getrelname(td->tg_relation);
    if (actor.is_agent() && !agents_may_write)
        core::fail(core::ErrorCode::Forbidden, std::string(core::msg::kAgentsCannotModify) + table);

    TupleDesc desc = td->tg_relation->rd_att;
    const int col = pg::column_of(desc, company_column);
    const core::OptUuid current = pg::uuid_column(td->tg_trigtuple, desc, col);
    const core::OptUuid proposed =
        TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? pg::uuid_column(td->tg_newtuple, desc, col) : current;
    if (!current || !proposed) core::fail_validation("companyId", "must not be null");
    {
        pg::OwnerScope scope;
        pg::require_company_write_access(actor, *current);
        if (*proposed != *current) pg::require_company_write_access(actor, *proposed);
        scope.finish();
    }
    return PointerGetDatum(pg::unchanged_row(td));
}

}  // namespace paperclip::triggers
