// companies, company_memberships, agents, issue_relations: writes need an
// actor with write access to the row's company. Agents may not touch
// companies, memberships or agents (an agent granting itself
// tasks:manage_active_checkouts would walk past the ownership gate).
// Trigger arguments: the company column, then 'agents_may_write' or not.
#include <string>

#include "core/compat.hpp"
#include "core/errors.hpp"
#include "core/write_gate.hpp"
#include "pg/issue_tuple.hpp"
#include "entry_points.hpp"
#include "pg/operation.hpp"
#include "pg/trigger.hpp"

namespace paperclip::triggers {

namespace {

// For every writer, operators included (SPEC §10): the ids of companies and
// agents never change; a relation and both its issues belong to one company.
void require_row_integrity(const TriggerData* td, const std::string& table, bool relation_rules) {
    if (TRIGGER_FIRED_BY_DELETE(td->tg_event)) return;
    TupleDesc desc = td->tg_relation->rd_att;
    if ((table == "companies" || table == "agents") && TRIGGER_FIRED_BY_UPDATE(td->tg_event)) {
        const int id_col = pg::column_of(desc, "id");
        core::require_primary_key_unchanged(table.c_str(), pg::uuid_column(td->tg_trigtuple, desc, id_col),
                                            pg::uuid_column(td->tg_newtuple, desc, id_col));
    }
    if (table != "issue_relations" || !relation_rules) return;
    HeapTuple row = pg::unchanged_row(td);
    const core::OptUuid company_id = pg::uuid_column(row, desc, pg::column_of(desc, "company_id"));
    const core::OptUuid issue_id = pg::uuid_column(row, desc, pg::column_of(desc, "issue_id"));
    const core::OptUuid related_id = pg::uuid_column(row, desc, pg::column_of(desc, "related_issue_id"));
    if (!company_id || !issue_id || !related_id) return;  // NOT NULL says so
    pg::OwnerScope scope;
    core::require_relation_in_one_company(*company_id, *issue_id, pg::read_issue(*issue_id), *related_id,
                                          pg::read_issue(*related_id));
    scope.finish();
}

}  // namespace


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
    const std::string table = RelationGetRelationName(td->tg_relation);
    if (actor.passes_actor_gates()) {
        // A trusted application in compat mode (SPEC §8) keeps the primary
        // keys; the relation rules are the server's own.
        require_row_integrity(td, table, actor.is_operator());
        return PointerGetDatum(pg::unchanged_row(td));
    }
    core::require_actor(actor);
    const char* company_column = td->tg_trigger->tgargs[0];
    const bool agents_may_write = std::string(td->tg_trigger->tgargs[1]) == "agents_may_write";
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
    require_row_integrity(td, table, true);
    return PointerGetDatum(pg::unchanged_row(td));
}

}  // namespace paperclip::triggers
