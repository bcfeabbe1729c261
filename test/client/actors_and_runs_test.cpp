// A pooled connection serves many requests: the actor must never outlive the
// transaction that set it (SPEC §3), and a run that the application marks
// terminal releases its locks in that same transaction (SPEC §6).
#include "client_fixture.hpp"

namespace pctest {
namespace {

using namespace ids;

class ActorsAndRuns : public ClientTest {
protected:
    static std::string actor_type(pqxx::transaction_base& w) {
        return w.exec1("SELECT actor_type FROM paperclip.current_actor()")[0].as<std::string>();
    }
};

TEST_F(ActorsAndRuns, ActorIsClearedAtCommitAndAtRollback) {
    insert_issue({kIssue1});
    auto c = app();
    {
        pqxx::work w{*c};
        set_agent(w, kAgentA, kRunA1);
        EXPECT_EQ(actor_type(w), "agent");
        w.commit();
    }
    {
        pqxx::work w{*c};
        EXPECT_EQ(actor_type(w), "none");
    }
    // The next request on the pooled connection forgot to set its actor.
    auto e = error_of([&] {
        pqxx::work w{*c};
        w.exec_params("SELECT paperclip.checkout($1, $2, '{todo}')", kIssue1, kAgentA);
    });
    EXPECT_TRUE(IsAppError(e, 403, "no actor is set for this transaction"));

    // A request that failed: the actor goes with the rollback.
    auto failed = error_of([&] {
        pqxx::work w{*c};
        set_board(w, kMember);
        EXPECT_EQ(actor_type(w), "board");
        w.exec("SELECT 1 / 0");
    });
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->sqlstate, "22012");
    {
        pqxx::work w{*c};
        EXPECT_EQ(actor_type(w), "none");
    }
    EXPECT_EQ(issue(kIssue1).status, "todo");
}

TEST_F(ActorsAndRuns, ActorCannotBeSwitchedWithinATransaction) {
    insert_issue({kIssue1, "in_progress", kAgentA, kRunA1, kRunA1});
    auto c = app();
    auto e = error_of([&] {
        pqxx::work w{*c};
        set_agent(w, kAgentA, kRunA1);
        set_board(w, kMember);  // SQL running later in the request may not become the board
        w.exec_params("SELECT paperclip.admin_force_release($1)", kIssue1);
        w.commit();
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->status, 403);
    EXPECT_EQ(e->sqlstate, "PC403");
    EXPECT_EQ(issue(kIssue1).checkout_run_id, kRunA1);
}

// The harness marks its run failed with a plain UPDATE; the locks the run held
// are gone when that transaction commits, before any checkout; the status and
// the assignee stay, and the assignee's next run takes over with a plain write.
TEST_F(ActorsAndRuns, RunMarkedFailedReleasesItsLocksInTheSameTransaction) {
    insert_issue({kIssue1, "in_progress", kAgentA, kRunA1, kRunA1});
    auto c = app();
    {
        pqxx::work w{*c};
        set_agent(w, kAgentA, kRunA1);
        w.exec_params("UPDATE paperclip.heartbeat_runs SET status = 'failed', finished_at = now() WHERE id = $1",
                      kRunA1);
        const pqxx::row r = w.exec_params1(
            "SELECT checkout_run_id IS NULL, execution_run_id IS NULL FROM paperclip.issues WHERE id = $1", kIssue1);
        EXPECT_TRUE(r[0].as<bool>());
        EXPECT_TRUE(r[1].as<bool>());
        w.commit();
    }
    IssueRow row = issue(kIssue1);
    EXPECT_EQ(row.status, "in_progress");
    EXPECT_EQ(row.assignee_agent_id, kAgentA);
    EXPECT_EQ(row.checkout_run_id, "NULL");
    EXPECT_EQ(row.execution_run_id, "NULL");
    EXPECT_EQ(row.execution_agent_name_key, "NULL");
    EXPECT_EQ(row.execution_locked_at, "NULL");

    {
        pqxx::work w{*c};
        set_agent(w, kAgentA, kRunA2);
        w.exec_params("UPDATE paperclip.issues SET title = 'continued' WHERE id = $1", kIssue1);
        w.commit();
    }
    row = issue(kIssue1);
    EXPECT_EQ(row.title, "continued");
    EXPECT_EQ(row.checkout_run_id, kRunA2);
    EXPECT_EQ(row.execution_run_id, kRunA2);
}

}  // namespace
}  // namespace pctest
