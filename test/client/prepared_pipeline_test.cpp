// What an application server does with a connection pool: prepare the calls
// once, keep them across DDL by operators, and pipeline several calls in one
// round trip.
#include "client_fixture.hpp"

namespace pctest {
namespace {

using namespace ids;

class PreparedAndPipelined : public ClientTest {
protected:
    static void prepare_checkout(pqxx::connection& c) {
        c.prepare("checkout",
                  "SELECT status, checkout_run_id::text, execution_run_id::text "
                  "FROM paperclip.checkout($1, $2, $3::text[], $4)");
        c.prepare("set_agent", "SELECT paperclip.set_actor_agent($1, $2)");
    }
    // One transaction: set the actor, run the prepared checkout, commit.
    static pqxx::row prepared_checkout(pqxx::connection& c, const char* issue_id, const char* agent, const char* run,
                                       const char* statuses) {
        pqxx::work w{c};
        w.exec_prepared("set_agent", agent, run);
        const pqxx::row r = w.exec_prepared1("checkout", issue_id, agent, statuses, run);
        w.commit();
        return r;
    }
};

// The extension created at 1.0, the release before the default version.
class PreparedAcrossUpgrade : public PreparedAndPipelined {
protected:
    std::string install_version() const override { return "1.0"; }
    std::string extversion() const {
        auto a = admin_conn();
        pqxx::work w{*a};
        return w.exec1("SELECT extversion FROM pg_extension WHERE extname = 'paperclip_locks'")[0].as<std::string>();
    }
};

// A session that prepared its checkout under 1.0 keeps working after an
// operator runs ALTER EXTENSION ... UPDATE on another connection (a real
// 1.0 -> default-version upgrade; test/upgrade.sh runs the whole suite on an
// upgraded database).
TEST_F(PreparedAcrossUpgrade, PreparedCheckoutSurvivesAlterExtensionUpdate) {
    ASSERT_EQ(extversion(), "1.0");
    insert_issue({kIssue1});
    insert_issue({kIssue2});
    auto c = app();
    prepare_checkout(*c);
    const pqxx::row before = prepared_checkout(*c, kIssue1, kAgentA, kRunA1, "{todo}");
    EXPECT_EQ(before[0].as<std::string>(), "in_progress");
    EXPECT_EQ(before[1].as<std::string>(), kRunA1);

    admin_exec("ALTER EXTENSION paperclip_locks UPDATE");
    EXPECT_NE(extversion(), "1.0");

    const pqxx::row after = prepared_checkout(*c, kIssue2, kAgentB, kRunB1, "{todo}");
    EXPECT_EQ(after[0].as<std::string>(), "in_progress");
    EXPECT_EQ(after[1].as<std::string>(), kRunB1);
    EXPECT_EQ(after[2].as<std::string>(), kRunB1);
    EXPECT_EQ(issue(kIssue2).assignee_agent_id, kAgentB);
    // The lock taken under 1.0 is still held by its run.
    EXPECT_EQ(issue(kIssue1).checkout_run_id, kRunA1);
}

// An operator adds a terminal status on another connection; the prepared
// statement (and the extension's saved plans behind it) of a session that
// already used them sees a run in that status as terminal from its next
// transaction.
TEST_F(PreparedAndPipelined, PreparedCheckoutSeesAnOperatorAddedTerminalStatus) {
    admin_exec(std::string("UPDATE paperclip.heartbeat_runs SET status = 'adapter_failed' WHERE id = '") + kRunA1 +
               "'");
    insert_issue({kIssue1, "in_progress", kAgentA, kRunA1, kRunA1});
    auto c = app();
    prepare_checkout(*c);
    c->prepare("is_terminal", "SELECT paperclip.run_status_is_terminal($1)");

    // Unknown statuses hold: adapter_failed is not terminal yet.
    const auto refused = error_of([&] { prepared_checkout(*c, kIssue1, kAgentA, kRunA2, "{in_progress}"); });
    ASSERT_TRUE(IsAppError(refused, 409, "Issue checkout conflict",
                           {"issueId", "status", "assigneeAgentId", "checkoutRunId", "executionRunId",
                            "conflictReason"}));
    EXPECT_EQ(detail_str(*refused, "checkoutRunId"), kRunA1);
    EXPECT_EQ(detail_str(*refused, "conflictReason"), "held_by_live_run");
    {
        pqxx::work w{*c};
        EXPECT_FALSE(w.exec_prepared1("is_terminal", "adapter_failed")[0].as<bool>());
    }

    {
        auto op = operator_();
        pqxx::work w{*op};
        w.exec("INSERT INTO paperclip.terminal_run_statuses (status, note) VALUES ('adapter_failed', 'adapter crashed')");
        w.commit();
    }

    {
        pqxx::work w{*c};
        EXPECT_TRUE(w.exec_prepared1("is_terminal", "adapter_failed")[0].as<bool>());
    }
    const pqxx::row r = prepared_checkout(*c, kIssue1, kAgentA, kRunA2, "{in_progress}");
    EXPECT_EQ(r[0].as<std::string>(), "in_progress");
    EXPECT_EQ(r[1].as<std::string>(), kRunA2);
    EXPECT_EQ(r[2].as<std::string>(), kRunA2);
}

// Several calls in one round trip through pqxx::pipeline, in one transaction.
TEST_F(PreparedAndPipelined, PipelinedCheckoutsRunInOneTransaction) {
    insert_issue({kIssue1});
    insert_issue({kIssue2});
    insert_issue({kIssue3});
    auto c = app();
    pqxx::work w{*c};
    set_agent(w, kAgentA, kRunA1);
    pqxx::pipeline p{w};
    std::vector<pqxx::pipeline::query_id> q;
    for (const char* id : {kIssue1, kIssue2, kIssue3})
        q.push_back(p.insert("SELECT checkout_run_id::text FROM paperclip.checkout(" + w.quote(id) + ", " +
                             w.quote(kAgentA) + ", '{todo}', " + w.quote(kRunA1) + ")"));
    const auto count = p.insert("SELECT count(*) FROM paperclip.activity_log WHERE action = 'issue.checked_out'");
    p.complete();
    for (const auto id : q) {
        const pqxx::result r = p.retrieve(id);
        ASSERT_EQ(r.size(), 1u);
        EXPECT_EQ(r[0][0].as<std::string>(), kRunA1);
    }
    EXPECT_EQ(p.retrieve(count)[0][0].as<long>(), 3);
    w.commit();

    for (const char* id : {kIssue1, kIssue2, kIssue3}) {
        const IssueRow row = issue(id);
        EXPECT_EQ(row.status, "in_progress");
        EXPECT_EQ(row.assignee_agent_id, kAgentA);
        EXPECT_EQ(row.execution_run_id, kRunA1);
    }
}

// A pipelined call that conflicts throws where its result is retrieved, mapped
// like any other; the transaction rolls back, so the earlier call is undone.
TEST_F(PreparedAndPipelined, PipelinedConflictIsReportedAtItsResult) {
    insert_issue({kIssue1});
    insert_issue({kIssue2, "in_progress", kAgentB, kRunB1, kRunB1});
    auto c = app();
    {
        pqxx::work w{*c};
        set_agent(w, kAgentA, kRunA1);
        pqxx::pipeline p{w};
        const auto first = p.insert("SELECT status FROM paperclip.checkout(" + w.quote(kIssue1) + ", " +
                                    w.quote(kAgentA) + ", '{todo}', " + w.quote(kRunA1) + ")");
        const auto second = p.insert("SELECT status FROM paperclip.checkout(" + w.quote(kIssue2) + ", " +
                                     w.quote(kAgentA) + ", '{todo,in_progress}', " + w.quote(kRunA1) + ")");
        EXPECT_EQ(p.retrieve(first)[0][0].as<std::string>(), "in_progress");
        const auto e = error_of([&] { p.retrieve(second); });
        ASSERT_TRUE(IsAppError(e, 409, "Issue checkout conflict",
                               {"issueId", "status", "assigneeAgentId", "checkoutRunId", "executionRunId",
                                "conflictReason"}));
        EXPECT_EQ(detail_str(*e, "checkoutRunId"), kRunB1);
        EXPECT_EQ(detail_str(*e, "issueId"), kIssue2);
    }
    EXPECT_EQ(issue(kIssue1).status, "todo");
    EXPECT_EQ(issue(kIssue1).assignee_agent_id, "NULL");
    EXPECT_EQ(audit_count(kIssue1, "issue.checked_out"), 0);
}

}  // namespace
}  // namespace pctest
