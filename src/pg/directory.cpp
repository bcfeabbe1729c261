#include <string>
#include <vector>

#include "core/access.hpp"
#include "core/vocabulary.hpp"
#include "pg/directory.hpp"
#include "pg/spi.hpp"

namespace paperclip::pg {

namespace {

// permissions grant tasks:manage_active_checkouts as {"tasks:manage_active_checkouts": true}
// or {"grants": ["tasks:manage_active_checkouts", ...]}.
SavedPlan agent_plan("SELECT a.id, a.company_id, a.status, a.name, "
                     "coalesce(a.permissions OPERATOR(pg_catalog.->) 'tasks:manage_active_checkouts'::pg_catalog.text"
                     PC_EQ "'true'::pg_catalog.jsonb, false) "
                     "OR coalesce((a.permissions OPERATOR(pg_catalog.->) 'grants'::pg_catalog.text) "
                     "OPERATOR(pg_catalog.?) 'tasks:manage_active_checkouts'::pg_catalog.text, false) "
                     "FROM {agents} AS a WHERE a.id" PC_EQ "$1",
                     {UUIDOID});
SavedPlan membership_plan("SELECT m.status, m.membership_role FROM {company_memberships} AS m "
                          "WHERE m.company_id" PC_EQ "$1 AND m.principal_type" PC_EQ "'user'::pg_catalog.text "
                          "AND m.principal_id" PC_EQ "$2",
                          {UUIDOID, TEXTOID});
// A blocker is resolved once it is done. The relation's company is the
// issue's (company_scope_guard holds a relation and both its issues to one
// company; upstream reads blockers with the same company filter): the
// filter lets the query use upstream's only index on related issues,
// issue_relations_company_related_issue_idx (company_id, related_issue_id),
// where without it every checkout read the whole issue_relations table.
SavedPlan blockers_plan("SELECT r.issue_id FROM {issue_relations} AS r "
                        "JOIN {issues} AS b ON b.id" PC_EQ "r.issue_id "
                        "WHERE r.company_id" PC_EQ "$3 AND r.related_issue_id" PC_EQ "$1 "
                        "AND r.type" PC_EQ "'blocks'::pg_catalog.text "
                        "AND b.status" PC_NE "$2 "
                        "ORDER BY r.issue_id",
                        {UUIDOID, TEXTOID, UUIDOID});

}  // namespace

std::optional<core::AgentInfo> find_agent(const core::Uuid& agent_id) {
    if (agent_plan.run({p_uuid(agent_id)}) == 0) return std::nullopt;
    const Row r = agent_plan.row(0);
    return core::AgentInfo{r.uuid(1), r.uuid(2), r.text(3), r.text(4), r.boolean(5)};
}

std::optional<core::Membership> find_membership(const core::Uuid& company_id, const std::string& user_id) {
    if (membership_plan.run({p_uuid(company_id), p_text(user_id)}) == 0) return std::nullopt;
    const Row r = membership_plan.row(0);
    return core::Membership{r.opt_text(1).value_or(""), r.opt_text(2).value_or("")};
}

std::optional<core::Membership> membership_of(const core::Actor& actor, const core::Uuid& company_id) {
    if (!actor.is_board()) return std::nullopt;
    return find_membership(company_id, actor.user_id);
}

std::vector<core::Uuid> unresolved_blockers(const core::Uuid& issue_id, const core::Uuid& company_id) {
    const auto n = blockers_plan.run({p_uuid(issue_id), p_text(std::string(core::status::kDone)), p_uuid(company_id)});
    std::vector<core::Uuid> out;
    for (std::uint64_t i = 0; i < n; ++i) out.push_back(blockers_plan.row(i).uuid(1));
    return out;
}

void require_company_write_access(const core::Actor& actor, const core::Uuid& company_id) {
    core::require_company_write(actor, company_id, membership_of(actor, company_id));
}

}  // namespace paperclip::pg
