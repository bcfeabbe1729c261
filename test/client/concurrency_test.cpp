// Several connections at once (SPEC §7): each waiting session is detected with
// pg_isolation_test_session_is_blocked before the holder lets go, so every
// interleaving below is the one named, not a timing accident.
#include "client_fixture.hpp"

namespace pctest {
namespace {

using namespace ids;

class Concurrency : public ClientTest {
protected:
    // A checkout as agent(agent, run), committed, on a background connection.
    static Background::Body checkout_as(const char* issue_id, const char* agent, const char* run,
                                        const char* statuses) {
        return [=](pqxx::connection& c) {
            pqxx::work w{c};
            set_agent(w, agent, run);
            const pqxx::result r = w.exec_params(
                "SELECT status, assignee_agent_id::text, checkout_run_id::text, execution_run_id::text "
                "FROM paperclip.checkout($1, $2, $3::text[], $4)",
                issue_id, agent, statuses, run);
            w.commit();
            return r;
        };
    }
};

// §7 #54: two agents race for one unassigned issue. Both are parked behind a
// third session's row lock, then let go together: exactly one wins, and the
// loser's 409 names the winner's run.
TEST_F(Concurrency, TwoAgentsRaceExactlyOneWinsTheLoserSeesTheWinnersRun) {
    insert_issue({kIssue1});
    auto holder = admin_conn();
    pqxx::work h{*holder};
    h.exec_params("SELECT 1 FROM paperclip.issues WHERE id = $1 FOR UPDATE", kIssue1);

    auto a = background_app();
    auto b = background_app();
    a->start(checkout_as(kIssue1, kAgentA, kRunA1, "{todo}"));
    b->start(checkout_as(kIssue1, kAgentB, kRunB1, "{todo}"));
    // The first to arrive waits for the holder, the second queues behind the first.
    ASSERT_TRUE(wait_until_blocked(a->pid(), {holder->backendpid(), b->pid()}));
    ASSERT_TRUE(wait_until_blocked(b->pid(), {holder->backendpid(), a->pid()}));
    h.abort();
    a->join();
    b->join();

    ASSERT_NE(a->error().has_value(), b->error().has_value())
        << "a: " << (a->error() ? a->error()->body() : "ok") << ", b: " << (b->error() ? b->error()->body() : "ok");
    const bool a_won = !a->error();
    const char* winner = a_won ? kAgentA : kAgentB;
    const char* winner_run = a_won ? kRunA1 : kRunB1;
    const Background& won = a_won ? *a : *b;
    const Background& lost = a_won ? *b : *a;

    ASSERT_EQ(won.rows().size(), 1u);
    EXPECT_EQ(won.rows()[0][0].as<std::string>(), "in_progress");
    EXPECT_EQ(won.rows()[0][2].as<std::string>(), winner_run);

    const AppError& e = *lost.error();
    ASSERT_TRUE(IsAppError(e, 409, "Issue checkout conflict",
                           {"issueId", "status", "assigneeAgentId", "checkoutRunId", "executionRunId",
                            "conflictReason"}));
    EXPECT_EQ(detail_str(e, "checkoutRunId"), winner_run);
    EXPECT_EQ(detail_str(e, "executionRunId"), winner_run);
    EXPECT_EQ(detail_str(e, "assigneeAgentId"), winner);
    EXPECT_EQ(detail_str(e, "status"), "in_progress");
    EXPECT_EQ(detail_str(e, "conflictReason"), "assigned_to_other_agent");

    const IssueRow row = issue(kIssue1);
    EXPECT_EQ(row.assignee_agent_id, winner);
    EXPECT_EQ(row.checkout_run_id, winner_run);
    EXPECT_EQ(row.execution_run_id, winner_run);
    EXPECT_EQ(audit_count(kIssue1, "issue.checked_out"), 1);
}

// A run turns terminal while its successor waits: session 1 holds the issue
// row in an open transaction, the successor's checkout blocks behind it;
// session 1 marks the old run failed and commits; the successor's checkout
// then succeeds -- the lock of a run that holds nothing is never a conflict.
TEST_F(Concurrency, RunTurnsTerminalWhileItsSuccessorWaits) {
    insert_issue({kIssue1, "in_progress", kAgentA, kRunA1, kRunA1});
    // While kRunA1 lives, its successor is refused (the rule this test turns on).
    {
        auto c = app();
        auto e = error_of([&] {
            pqxx::work w{*c};
            set_agent(w, kAgentA, kRunA2);
            w.exec_params("SELECT paperclip.checkout($1, $2, '{in_progress}', $3)", kIssue1, kAgentA, kRunA2);
        });
        ASSERT_TRUE(IsAppError(e, 409, "Issue checkout conflict",
                               {"issueId", "status", "assigneeAgentId", "checkoutRunId", "executionRunId",
                                "conflictReason"}));
        EXPECT_EQ(detail_str(*e, "conflictReason"), "held_by_live_run");
    }

    auto session1 = admin_conn();
    pqxx::work s1{*session1};
    s1.exec_params("SELECT 1 FROM paperclip.issues WHERE id = $1 FOR UPDATE", kIssue1);

    auto successor = background_app();
    successor->start(checkout_as(kIssue1, kAgentA, kRunA2, "{in_progress}"));
    ASSERT_TRUE(wait_until_blocked(successor->pid(), {session1->backendpid()}));

    s1.exec_params("UPDATE paperclip.heartbeat_runs SET status = 'failed', finished_at = now() WHERE id = $1",
                   kRunA1);
    s1.commit();
    successor->join();

    ASSERT_FALSE(successor->error()) << successor->error()->body();
    ASSERT_EQ(successor->rows().size(), 1u);
    EXPECT_EQ(successor->rows()[0][0].as<std::string>(), "in_progress");
    EXPECT_EQ(successor->rows()[0][1].as<std::string>(), kAgentA);
    EXPECT_EQ(successor->rows()[0][2].as<std::string>(), kRunA2);
    EXPECT_EQ(successor->rows()[0][3].as<std::string>(), kRunA2);

    const IssueRow row = issue(kIssue1);
    EXPECT_EQ(row.checkout_run_id, kRunA2);
    EXPECT_EQ(row.execution_run_id, kRunA2);
    EXPECT_EQ(row.execution_agent_name_key, "alphacoder");
    EXPECT_EQ(audit_count(kIssue1, "issue.checked_out"), 1);
}

// A checkout blocked behind an uncommitted force-release completes after it
// commits, and decides on the released state (no assignee, no locks).
TEST_F(Concurrency, CheckoutBlockedBehindForceReleaseSeesTheReleasedState) {
    insert_issue({kIssue1, "in_progress", kAgentA, kRunA1, kRunA1});
    // Before the force-release, B is refused: the issue is A's.
    {
        auto c = app();
        auto e = error_of([&] {
            pqxx::work w{*c};
            set_agent(w, kAgentB, kRunB1);
            w.exec_params("SELECT paperclip.checkout($1, $2, '{todo,in_progress}', $3)", kIssue1, kAgentB, kRunB1);
        });
        ASSERT_TRUE(IsAppError(e, 409, "Issue checkout conflict",
                               {"issueId", "status", "assigneeAgentId", "checkoutRunId", "executionRunId",
                                "conflictReason"}));
        EXPECT_EQ(detail_str(*e, "conflictReason"), "assigned_to_other_agent");
    }

    auto board = app();
    pqxx::work fr{*board};
    set_board(fr, kMember);
    const pqxx::row released = fr.exec_params1(
        "SELECT previous_checkout_run_id::text FROM paperclip.admin_force_release($1, clear_assignee => true, "
        "reason => 'harness crashed')",
        kIssue1);
    EXPECT_EQ(released[0].as<std::string>(), kRunA1);

    auto b = background_app();
    b->start(checkout_as(kIssue1, kAgentB, kRunB1, "{todo,in_progress}"));
    ASSERT_TRUE(wait_until_blocked(b->pid(), {board->backendpid()}));
    fr.commit();
    b->join();

    ASSERT_FALSE(b->error()) << b->error()->body();
    ASSERT_EQ(b->rows().size(), 1u);
    EXPECT_EQ(b->rows()[0][0].as<std::string>(), "in_progress");
    EXPECT_EQ(b->rows()[0][1].as<std::string>(), kAgentB);
    EXPECT_EQ(b->rows()[0][2].as<std::string>(), kRunB1);
    EXPECT_EQ(b->rows()[0][3].as<std::string>(), kRunB1);
    EXPECT_EQ(audit_count(kIssue1, "issue.admin_force_release"), 1);
    EXPECT_EQ(audit_count(kIssue1, "issue.checked_out"), 1);
    const paperclip::client::JsonObject d = only_audit_details(kIssue1, "issue.admin_force_release");
    ASSERT_EQ(d.count("reason"), 1u);
    EXPECT_EQ(d.at("reason").as_string(), "harness crashed");
}

// §7 #55: two live runs of the same agent race for one unassigned issue:
// exactly one run holds it; the other is told a live run holds it (wait).
TEST_F(Concurrency, TwoRunsOfOneAgentRaceExactlyOneHoldsTheIssue) {
    insert_issue({kIssue1});
    auto holder = admin_conn();
    pqxx::work h{*holder};
    h.exec_params("SELECT 1 FROM paperclip.issues WHERE id = $1 FOR UPDATE", kIssue1);

    auto r1 = background_app();
    auto r2 = background_app();
    r1->start(checkout_as(kIssue1, kAgentA, kRunA1, "{todo}"));
    r2->start(checkout_as(kIssue1, kAgentA, kRunA2, "{todo}"));
    ASSERT_TRUE(wait_until_blocked(r1->pid(), {holder->backendpid(), r2->pid()}));
    ASSERT_TRUE(wait_until_blocked(r2->pid(), {holder->backendpid(), r1->pid()}));
    h.abort();
    r1->join();
    r2->join();

    ASSERT_NE(r1->error().has_value(), r2->error().has_value());
    const char* winner_run = r1->error() ? kRunA2 : kRunA1;
    const AppError& e = r1->error() ? *r1->error() : *r2->error();
    ASSERT_TRUE(IsAppError(e, 409, "Issue checkout conflict",
                           {"issueId", "status", "assigneeAgentId", "checkoutRunId", "executionRunId",
                            "conflictReason"}));
    EXPECT_EQ(detail_str(e, "checkoutRunId"), winner_run);
    EXPECT_EQ(detail_str(e, "assigneeAgentId"), kAgentA);
    EXPECT_EQ(detail_str(e, "conflictReason"), "held_by_live_run");
    const IssueRow row = issue(kIssue1);
    EXPECT_EQ(row.checkout_run_id, winner_run);
    EXPECT_EQ(row.execution_run_id, winner_run);
}

// §7 #56: two live successor runs of the assignee meet a stale checkout at
// the same time (assert_checkout_owner, the gate behind every agent write):
// exactly one adopts it; the other gets the ownership conflict naming it.
TEST_F(Concurrency, TwoSuccessorRunsNeverBothAdoptAStaleCheckout) {
    insert_issue({kIssue1, "in_progress", kAgentA, kRunAFailed, kRunAFailed});
    auto holder = admin_conn();
    pqxx::work h{*holder};
    h.exec_params("SELECT 1 FROM paperclip.issues WHERE id = $1 FOR UPDATE", kIssue1);

    auto owner_as = [](const char* run) -> Background::Body {
        return [run](pqxx::connection& c) {
            pqxx::work w{c};
            set_agent(w, kAgentA, run);
            const pqxx::result r = w.exec_params(
                "SELECT checkout_run_id::text, adopted_from_run_id::text "
                "FROM paperclip.assert_checkout_owner($1, $2, $3)",
                kIssue1, kAgentA, run);
            w.commit();
            return r;
        };
    };
    auto r1 = background_app();
    auto r2 = background_app();
    r1->start(owner_as(kRunA1));
    r2->start(owner_as(kRunA2));
    ASSERT_TRUE(wait_until_blocked(r1->pid(), {holder->backendpid(), r2->pid()}));
    ASSERT_TRUE(wait_until_blocked(r2->pid(), {holder->backendpid(), r1->pid()}));
    h.abort();
    r1->join();
    r2->join();

    ASSERT_NE(r1->error().has_value(), r2->error().has_value())
        << "r1: " << (r1->error() ? r1->error()->body() : "ok") << ", r2: " << (r2->error() ? r2->error()->body() : "ok");
    const Background& won = r1->error() ? *r2 : *r1;
    const char* winner_run = r1->error() ? kRunA2 : kRunA1;
    const char* loser_run = r1->error() ? kRunA1 : kRunA2;
    ASSERT_EQ(won.rows().size(), 1u);
    EXPECT_EQ(won.rows()[0][0].as<std::string>(), winner_run);
    const AppError& e = r1->error() ? *r1->error() : *r2->error();
    ASSERT_TRUE(IsAppError(e, 409, "Issue run ownership conflict",
                           {"issueId", "status", "assigneeAgentId", "checkoutRunId", "executionRunId",
                            "actorAgentId", "actorRunId"}));
    EXPECT_EQ(detail_str(e, "checkoutRunId"), winner_run);
    EXPECT_EQ(detail_str(e, "actorRunId"), loser_run);
    const IssueRow row = issue(kIssue1);
    EXPECT_EQ(row.checkout_run_id, winner_run);
    EXPECT_EQ(row.execution_run_id, winner_run);
}

// SPEC §6/§7: a run finalized by its harness while a successor's checkout
// holds the issue row and waits for that run's row. The finalizing
// transaction must not wait for the issue (it would deadlock); the successor
// then sees the run terminal and takes the issue.
TEST_F(Concurrency, RunFinalizationAndAWaitingCheckoutNeverDeadlock) {
    insert_issue({kIssue1, "in_progress", kAgentA, kRunA1, kRunA1});
    auto harness = app();
    pqxx::work x{*harness};
    set_agent(x, kAgentA, kRunA1);
    // Step 1 of finalizing: the run row is now held by the harness.
    x.exec_params("UPDATE paperclip.heartbeat_runs SET error = 'process lost' WHERE id = $1", kRunA1);

    auto successor = background_app();
    successor->start(checkout_as(kIssue1, kAgentA, kRunA2, "{in_progress}"));
    ASSERT_TRUE(wait_until_blocked(successor->pid(), {harness->backendpid()}));

    // Step 2: the status turns terminal while the successor holds the issue row.
    auto finalize = error_of([&] {
        x.exec("SET LOCAL lock_timeout = '5s'");
        x.exec_params("UPDATE paperclip.heartbeat_runs SET status = 'failed' WHERE id = $1", kRunA1);
        x.commit();
    });
    EXPECT_FALSE(finalize) << finalize->body();
    successor->join();
    ASSERT_FALSE(successor->error()) << successor->error()->body();
    EXPECT_EQ(successor->rows()[0][2].as<std::string>(), kRunA2);
    const IssueRow row = issue(kIssue1);
    EXPECT_EQ(row.checkout_run_id, kRunA2);
    EXPECT_EQ(row.execution_run_id, kRunA2);
}

}  // namespace
}  // namespace pctest
