#include <string>
#include <vector>

#include "pg/audit_log.hpp"
#include "pg/issue_rows.hpp"
#include "pg/spi.hpp"

namespace paperclip::pg {

namespace {
SavedPlan audit_plan(
    "INSERT INTO {activity_log} (company_id, actor_type, actor_id, action, entity_type, "
    "entity_id, agent_id, run_id, details) "
    "SELECT u.company_id, $5, $6, u.action, 'issue', u.issue_id::pg_catalog.text, $7, $8, "
    "u.details::pg_catalog.jsonb "
    "FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3), "
    "pg_catalog.unnest($4)) WITH ORDINALITY AS u(company_id, issue_id, action, details, n) "
    "ORDER BY u.n",
    {UUIDARRAYOID, UUIDARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTOID, TEXTOID, UUIDOID, UUIDOID});
}  // namespace

void write_audit(const core::Actor& actor, const std::vector<AuditRow>& rows) {
    if (rows.empty()) return;
    std::vector<core::Uuid> companies, issues;
    std::vector<std::string> actions, details;
    for (const auto& r : rows) {
        companies.push_back(r.company_id);
        issues.push_back(r.issue_id);
        actions.emplace_back(r.entry.action);
        details.push_back(r.entry.details.str());
    }
    const core::AuditActor who = core::audit_actor_of(actor);
    ExtensionWrite guard;
    audit_plan.run({p_uuids(companies), p_uuids(issues), p_texts(actions), p_texts(details),
                    p_text(who.actor_type), p_text(who.actor_id), p_uuid(who.agent_id), p_uuid(who.run_id)});
}

void write_audit(const core::Actor& actor, const core::IssueState& issue,
                 const std::vector<core::AuditEntry>& entries) {
    std::vector<AuditRow> rows;
    for (const auto& e : entries) rows.push_back({issue.company_id, issue.id, e});
    write_audit(actor, rows);
}

}  // namespace paperclip::pg
