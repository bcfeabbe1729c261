// Run leases (SPEC §9) as a harness and the server see them: a harness binds
// its run's lease to its own database session; when that session dies (the
// harness was killed: here pg_terminate_backend), the run is dead at once --
// nobody writes a terminal status -- and the successor run adopts the issue.
#include "client_fixture.hpp"

namespace pctest {
namespace {

using namespace ids;

class RunLeases : public ClientTest {
protected:
    // The harness of run A1: checks out the issue and binds a long lease to
    // its own session; returns its backend pid.
    int start_harness(pqxx::connection& harness) const {
        pqxx::work w{harness};
        set_agent(w, kAgentA, kRunA1);
        w.exec_params("SELECT paperclip.checkout($1, $2, '{todo}', $3)", kIssue1, kAgentA, kRunA1);
        w.exec_params("SELECT paperclip.renew_run_lease($1, '1 hour', true)", kRunA1);
        const int pid = w.exec1("SELECT pg_backend_pid()")[0].as<int>();
        w.commit();
        return pid;
    }
    void successor_adopts() const {
        auto c = app();
        pqxx::work w{*c};
        set_agent(w, kAgentA, kRunA2);
        const auto r = w.exec_params1(
            "SELECT checkout_run_id::text, adopted_from_run_id::text FROM paperclip.assert_checkout_owner($1, $2, $3)",
            kIssue1, kAgentA, kRunA2);
        EXPECT_EQ(r[0].as<std::string>(), kRunA2);
        EXPECT_EQ(r[1].as<std::string>(), kRunA1);
        w.commit();
    }
    std::optional<AppError> successor_conflict() const {
        return error_of([&] {
            auto c = app();
            pqxx::work w{*c};
            set_agent(w, kAgentA, kRunA2);
            w.exec_params("SELECT * FROM paperclip.assert_checkout_owner($1, $2, $3)", kIssue1, kAgentA, kRunA2);
        });
    }
};

TEST_F(RunLeases, KilledHarnessSessionIsDeadAtOnceAndTheSuccessorAdopts) {
    insert_issue({kIssue1});
    auto harness = app();
    const int pid = start_harness(*harness);

    // While the harness's session lives, its run holds the issue.
    EXPECT_TRUE(IsAppError(successor_conflict(), 409, "Issue run ownership conflict",
                           {"issueId", "status", "assigneeAgentId", "checkoutRunId", "executionRunId",
                            "actorAgentId", "actorRunId"}));

    // The harness is killed; pg_terminate_backend waits until the backend is gone.
    {
        pqxx::nontransaction n{*observer_};
        EXPECT_TRUE(n.exec_params1("SELECT pg_terminate_backend($1, 10000)", pid)[0].as<bool>());
    }
    // No terminal status was written; the run is dead all the same.
    {
        pqxx::nontransaction n{*observer_};
        EXPECT_EQ(n.exec_params1("SELECT status FROM paperclip.heartbeat_runs WHERE id = $1", kRunA1)[0]
                      .as<std::string>(),
                  "running");
        EXPECT_TRUE(n.exec_params1("SELECT stale FROM paperclip.issue_locks WHERE issue_id = $1", kIssue1)[0]
                        .as<bool>());
    }
    successor_adopts();
    EXPECT_EQ(audit_count(kIssue1, "issue.checkout_lock_adopted"), 1);

    // A run whose bound session ended is never renewed again, from any session.
    auto again = error_of([&] {
        auto c = operator_();
        pqxx::work w{*c};
        w.exec_params("SELECT paperclip.renew_run_lease($1, '1 hour', true)", kRunA1);
    });
    ASSERT_TRUE(IsAppError(again, 409, "Run lease expired", {"runId", "reason", "sessionEnded"}));
    EXPECT_EQ(detail_str(*again, "reason"), "run_lease_expired");
}

TEST_F(RunLeases, AHarnessThatDisconnectsCleanlyAlsoEndsItsRun) {
    insert_issue({kIssue1});
    {
        auto harness = app();
        start_harness(*harness);
    }  // the connection closes: the backend exits
    // Poll (with a deadline) until the backend has exited: a closed
    // connection's backend goes away asynchronously.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    bool stale = false;
    while (!stale && std::chrono::steady_clock::now() < deadline) {
        pqxx::nontransaction n{*observer_};
        stale = n.exec_params1("SELECT stale FROM paperclip.issue_locks WHERE issue_id = $1", kIssue1)[0].as<bool>();
        if (!stale) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(stale);
    successor_adopts();
}

TEST_F(RunLeases, AnUnboundLeaseSurvivesItsSessionUntilItExpires) {
    insert_issue({kIssue1});
    {
        auto harness = app();
        pqxx::work w{*harness};
        set_agent(w, kAgentA, kRunA1);
        w.exec_params("SELECT paperclip.checkout($1, $2, '{todo}', $3)", kIssue1, kAgentA, kRunA1);
        w.exec_params("SELECT paperclip.renew_run_lease($1, '1 hour')", kRunA1);  // not bound
        w.commit();
    }
    // The session is gone but the lease is current: the run still holds.
    EXPECT_TRUE(IsAppError(successor_conflict(), 409, "Issue run ownership conflict",
                           {"issueId", "status", "assigneeAgentId", "checkoutRunId", "executionRunId",
                            "actorAgentId", "actorRunId"}));
}

}  // namespace
}  // namespace pctest
