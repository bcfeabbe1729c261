// The three upstream HTTP route scenarios (paperclip-semantics.md §3.11, §7
// scenarios 29, 43, 48-50), as the application server performs them: set the
// actor, make the call, map the error. The extension answers what the routes
// answered.
#include "client_fixture.hpp"

namespace pctest {
namespace {

using namespace ids;
namespace pc = paperclip::client;

class RouteScenarios : public ClientTest {};

// §7 #29 (PATCH /issues/:id): the assignee's write, made by its new run,
// recovers an execution lock left behind by its failed run. The application
// does a plain UPDATE; the ownership gate adopts the lock for the new run.
TEST_F(RouteScenarios, AssignedAgentWriteRecoversTerminalStaleExecutionRun) {
    insert_issue({kIssue1, "in_progress", kAgentA, nullptr, kRunAFailed, "before"});

    auto c = app();
    pqxx::work w{*c};
    set_agent(w, kAgentA, kRunA2);
    const pqxx::result r = w.exec_params("UPDATE paperclip.issues SET title = 'after' WHERE id = $1", kIssue1);
    EXPECT_EQ(r.affected_rows(), 1u);
    w.commit();

    const IssueRow row = issue(kIssue1);
    EXPECT_EQ(row.title, "after");
    EXPECT_EQ(row.status, "in_progress");
    EXPECT_EQ(row.assignee_agent_id, kAgentA);
    EXPECT_EQ(row.checkout_run_id, kRunA2);
    EXPECT_EQ(row.execution_run_id, kRunA2);
    EXPECT_EQ(row.execution_agent_name_key, "alphacoder");
    EXPECT_EQ(row.execution_locked_at, "set");
}

// §7 #43 (POST /issues/:id/release): the rightful assignee releases after the
// run that held its checkout failed.
TEST_F(RouteScenarios, RightfulAssigneeReleasesAfterItsOwningRunFailed) {
    insert_issue({kIssue1, "in_progress", kAgentA, kRunAFailed, kRunAFailed});

    auto c = app();
    pqxx::work w{*c};
    set_agent(w, kAgentA, kRunA2);
    const pqxx::row r = w.exec_params1(
        "SELECT status, assignee_agent_id IS NULL, checkout_run_id IS NULL, execution_run_id IS NULL "
        "FROM paperclip.release($1, $2, $3)",
        kIssue1, kAgentA, kRunA2);
    EXPECT_EQ(r[0].as<std::string>(), "todo");
    EXPECT_TRUE(r[1].as<bool>());
    EXPECT_TRUE(r[2].as<bool>());
    EXPECT_TRUE(r[3].as<bool>());
    w.commit();

    const IssueRow row = issue(kIssue1);
    EXPECT_EQ(row.status, "todo");
    EXPECT_EQ(row.assignee_agent_id, "NULL");
    EXPECT_EQ(row.checkout_run_id, "NULL");
    EXPECT_EQ(row.execution_run_id, "NULL");
    EXPECT_EQ(row.execution_agent_name_key, "NULL");
    EXPECT_EQ(row.execution_locked_at, "NULL");
    EXPECT_EQ(audit_count(kIssue1, "issue.released"), 1);
}

// §7 #48-50 (POST /issues/:id/admin/force-release): refused to an agent and to
// a board user of another company, with nothing changed and nothing audited;
// a member board user's call with clear_assignee returns the previous run ids
// and writes exactly one issue.admin_force_release row.
TEST_F(RouteScenarios, ForceReleaseIsBoardOnlyAuditedAndReturnsPreviousRuns) {
    insert_issue({kIssue1, "in_progress", kAgentA, kRunA1, kRunAFailed});
    const std::string sql =
        "SELECT status, coalesce(assignee_agent_id::text, 'NULL'), coalesce(checkout_run_id::text, 'NULL'), "
        "coalesce(execution_run_id::text, 'NULL'), execution_locked_at IS NULL, "
        "previous_checkout_run_id::text, previous_execution_run_id::text "
        "FROM paperclip.admin_force_release($1, clear_assignee => true)";
    auto c = app();

    // #48: an agent.
    auto by_agent = error_of([&] {
        pqxx::work w{*c};
        set_agent(w, kAgentA, kRunA1);
        w.exec_params(sql, kIssue1);
    });
    EXPECT_TRUE(IsAppError(by_agent, 403, "Board access required"));

    // #49: a board user without access to the issue's company.
    auto by_outsider = error_of([&] {
        pqxx::work w{*c};
        set_board(w, kOutsider);
        w.exec_params(sql, kIssue1);
    });
    EXPECT_TRUE(IsAppError(by_outsider, 403, "User does not have access to this company"));

    IssueRow row = issue(kIssue1);
    EXPECT_EQ(row.assignee_agent_id, kAgentA);
    EXPECT_EQ(row.checkout_run_id, kRunA1);
    EXPECT_EQ(row.execution_run_id, kRunAFailed);
    EXPECT_EQ(audit_count(kIssue1, "issue.admin_force_release"), 0);

    // #50: a member, ?clearAssignee=true.
    {
        pqxx::work w{*c};
        set_board(w, kMember);
        const pqxx::row r = w.exec_params1(sql, kIssue1);
        EXPECT_EQ(r[0].as<std::string>(), "in_progress");
        EXPECT_EQ(r[1].as<std::string>(), "NULL");
        EXPECT_EQ(r[2].as<std::string>(), "NULL");
        EXPECT_EQ(r[3].as<std::string>(), "NULL");
        EXPECT_TRUE(r[4].as<bool>());
        EXPECT_EQ(r[5].as<std::string>(), kRunA1);       // previous.checkoutRunId
        EXPECT_EQ(r[6].as<std::string>(), kRunAFailed);  // previous.executionRunId
        w.commit();
    }
    row = issue(kIssue1);
    EXPECT_EQ(row.status, "in_progress");
    EXPECT_EQ(row.assignee_agent_id, "NULL");
    EXPECT_EQ(row.checkout_run_id, "NULL");
    EXPECT_EQ(row.execution_run_id, "NULL");
    EXPECT_EQ(row.execution_locked_at, "NULL");

    std::string actor_type, actor_id;
    const pc::JsonObject d = only_audit_details(kIssue1, "issue.admin_force_release", &actor_type, &actor_id);
    EXPECT_EQ(actor_type, "user");
    EXPECT_EQ(actor_id, kMember);
    ASSERT_EQ(d.count("issueId"), 1u);
    EXPECT_EQ(d.at("issueId").as_string(), kIssue1);
    ASSERT_EQ(d.count("actorUserId"), 1u);
    EXPECT_EQ(d.at("actorUserId").as_string(), kMember);
    ASSERT_EQ(d.count("prevCheckoutRunId"), 1u);
    EXPECT_EQ(d.at("prevCheckoutRunId").as_string(), kRunA1);
    ASSERT_EQ(d.count("prevExecutionRunId"), 1u);
    EXPECT_EQ(d.at("prevExecutionRunId").as_string(), kRunAFailed);
    ASSERT_EQ(d.count("clearAssignee"), 1u);
    EXPECT_TRUE(d.at("clearAssignee").as_bool());
    // No reason was given: the five upstream keys only (SPEC §4.7 adds reason when given).
    EXPECT_EQ(d.size(), 5u) << pc::to_json(d);
}

}  // namespace
}  // namespace pctest
