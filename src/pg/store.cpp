#include <string>
#include <vector>

#include "core/access.hpp"
#include "core/vocabulary.hpp"
#include "pg/spi.hpp"
#include "pg/store.hpp"

namespace paperclip::pg {

namespace {

int g_extension_writes = 0;

#define ISSUE_COLUMNS                                                                  \
    "i.id, i.company_id, i.status, i.assignee_agent_id, i.assignee_user_id, "          \
    "i.checkout_run_id, i.execution_run_id, i.execution_agent_name_key, "              \
    "i.execution_locked_at, i.started_at"

SavedPlan lock_issue_plan("SELECT " ISSUE_COLUMNS ", i FROM paperclip.issues AS i "
                          "WHERE i.id" PC_EQ "$1 FOR UPDATE",
                          {UUIDOID});
SavedPlan read_issue_plan("SELECT " ISSUE_COLUMNS " FROM paperclip.issues AS i WHERE i.id" PC_EQ "$1",
                          {UUIDOID});
SavedPlan lock_runs_plan("SELECT r.id, r.agent_id, r.company_id, r.status "
                         "FROM paperclip.heartbeat_runs AS r WHERE r.id" PC_EQ "ANY ($1) "
                         "ORDER BY r.id FOR NO KEY UPDATE",
                         {UUIDARRAYOID});
SavedPlan read_run_plan("SELECT r.id, r.agent_id, r.company_id, r.status "
                        "FROM paperclip.heartbeat_runs AS r WHERE r.id" PC_EQ "$1",
                        {UUIDOID});
// permissions grant tasks:manage_active_checkouts as {"tasks:manage_active_checkouts": true}
// or {"grants": ["tasks:manage_active_checkouts", ...]}.
SavedPlan agent_plan("SELECT a.id, a.company_id, a.status, a.name, "
                     "coalesce(a.permissions OPERATOR(pg_catalog.->) 'tasks:manage_active_checkouts'::pg_catalog.text"
                     PC_EQ "'true'::pg_catalog.jsonb, false) "
                     "OR coalesce((a.permissions OPERATOR(pg_catalog.->) 'grants'::pg_catalog.text) "
                     "OPERATOR(pg_catalog.?) 'tasks:manage_active_checkouts'::pg_catalog.text, false) "
                     "FROM paperclip.agents AS a WHERE a.id" PC_EQ "$1",
                     {UUIDOID});
SavedPlan membership_plan("SELECT m.status, m.membership_role FROM paperclip.company_memberships AS m "
                          "WHERE m.company_id" PC_EQ "$1 AND m.principal_type" PC_EQ "'user'::pg_catalog.text "
                          "AND m.principal_id" PC_EQ "$2",
                          {UUIDOID, TEXTOID});
SavedPlan blockers_plan("SELECT r.issue_id FROM paperclip.issue_relations AS r "
                        "JOIN paperclip.issues AS b ON b.id" PC_EQ "r.issue_id "
                        "WHERE r.related_issue_id" PC_EQ "$1 AND r.type" PC_EQ "'blocks'::pg_catalog.text "
                        "AND b.status" PC_NE "'done'::pg_catalog.text "
                        "ORDER BY r.issue_id",
                        {UUIDOID});
SavedPlan write_issue_plan(
    "UPDATE paperclip.issues AS i SET status = $2, assignee_agent_id = $3, assignee_user_id = $4, "
    "checkout_run_id = $5, execution_run_id = $6, execution_agent_name_key = $7, "
    "execution_locked_at = $8, started_at = $9, updated_at = pg_catalog.now() "
    "WHERE i.id" PC_EQ "$1 RETURNING i",
    {UUIDOID, TEXTOID, UUIDOID, TEXTOID, UUIDOID, UUIDOID, TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID});
SavedPlan audit_plan(
    "INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, "
    "entity_id, agent_id, run_id, details) VALUES ($1, $2, $3, $4, 'issue', $5, $6, $7, $8::pg_catalog.jsonb)",
    {UUIDOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, UUIDOID, UUIDOID, TEXTOID});

core::IssueState issue_from(const Row& r) {
    core::IssueState s;
    s.id = r.uuid(1);
    s.company_id = r.uuid(2);
    s.status = r.text(3);
    s.assignee_agent_id = r.opt_uuid(4);
    s.assignee_user_id = r.opt_text(5);
    s.checkout_run_id = r.opt_uuid(6);
    s.execution_run_id = r.opt_uuid(7);
    s.execution_agent_name_key = r.opt_text(8);
    s.execution_locked_at = r.opt_timestamp(9);
    s.started_at = r.opt_timestamp(10);
    return s;
}

core::RunInfo run_from(const Row& r) {
    return core::RunInfo{r.uuid(1), r.uuid(2), r.uuid(3), r.text(4)};
}

}  // namespace

std::optional<LockedIssue> lock_issue(const core::Uuid& issue_id) {
    if (lock_issue_plan.run({p_uuid(issue_id)}) == 0) return std::nullopt;
    const Row r = lock_issue_plan.row(0);
    return LockedIssue{issue_from(r), r.datum(11)};
}

std::optional<core::IssueState> read_issue(const core::Uuid& issue_id) {
    if (read_issue_plan.run({p_uuid(issue_id)}) == 0) return std::nullopt;
    return issue_from(read_issue_plan.row(0));
}

core::RunSet lock_runs(const std::vector<core::Uuid>& ids) {
    if (ids.empty()) return core::RunSet{};
    const auto n = lock_runs_plan.run({p_uuids(ids)});
    std::vector<core::RunInfo> runs;
    for (std::uint64_t i = 0; i < n; ++i) runs.push_back(run_from(lock_runs_plan.row(i)));
    return core::RunSet(std::move(runs));
}

std::optional<core::RunInfo> read_run(const core::Uuid& run_id) {
    if (read_run_plan.run({p_uuid(run_id)}) == 0) return std::nullopt;
    return run_from(read_run_plan.row(0));
}

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

std::vector<core::Uuid> unresolved_blockers(const core::Uuid& issue_id) {
    const auto n = blockers_plan.run({p_uuid(issue_id)});
    std::vector<core::Uuid> out;
    for (std::uint64_t i = 0; i < n; ++i) out.push_back(blockers_plan.row(i).uuid(1));
    return out;
}

Datum write_issue(const core::IssueState& s) {
    ExtensionWrite guard;
    write_issue_plan.run({p_uuid(s.id), p_text(s.status), p_uuid(s.assignee_agent_id),
                          p_text(s.assignee_user_id), p_uuid(s.checkout_run_id),
                          p_uuid(s.execution_run_id), p_text(s.execution_agent_name_key),
                          p_timestamptz(s.execution_locked_at), p_timestamptz(s.started_at)});
    return write_issue_plan.row(0).datum(1);
}

void write_audit(const core::Actor& actor, const core::Uuid& company_id, const core::Uuid& issue_id,
                 const core::AuditEntry& entry) {
    const core::AuditActor who = core::audit_actor_of(actor);
    ExtensionWrite guard;
    audit_plan.run({p_uuid(company_id), p_text(who.actor_type), p_text(who.actor_id),
                    p_text(entry.action), p_text(issue_id.to_string()), p_uuid(who.agent_id),
                    p_uuid(who.run_id), p_text(entry.details.str())});
}

void write_clearings(const core::Actor& actor, const core::IssueState& issue,
                     const std::vector<core::LockClearing>& clearings, const std::string& source) {
    for (const auto& c : clearings)
        write_audit(actor, issue.company_id, issue.id, core::stale_lock_cleared_entry(issue.id, c, source));
}

bool extension_write_in_progress() { return g_extension_writes > 0; }
void reset_extension_writes() { g_extension_writes = 0; }
ExtensionWrite::ExtensionWrite() { ++g_extension_writes; }
ExtensionWrite::~ExtensionWrite() { --g_extension_writes; }

void require_company_write_access(const core::Actor& actor, const core::Uuid& company_id) {
    std::optional<core::Membership> membership;
    if (actor.is_board()) membership = find_membership(company_id, actor.user_id);
    core::require_company_write(actor, company_id, membership ? &*membership : nullptr);
}

}  // namespace paperclip::pg
