// SPEC §4.1 clear_execution_run_if_terminal, §4.2 clear_checkout_run_if_terminal,
// and the two in a row (what checkout and the sweep do).
#include "support.hpp"

using namespace pc_test;

// ---- clear_execution_if_terminal (SPEC §4.1) ----

TEST(ClearExecutionIfTerminal, TerminalExecutionRunIsClearedWithNameKeyAndLockedAt) {
    World w;
    IssueState s = make_locked("todo", kAgentA, std::nullopt, kF);
    const auto c = clear_execution_if_terminal(s, w.rules);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->lock, LockClearing::Lock::Execution);
    EXPECT_EQ(c->previous_run_id, kF);
    EXPECT_EQ(c->previous_run_status, OptText("failed"));
    EXPECT_EQ(c->previous_checkout_run_id, std::nullopt);
    EXPECT_EQ(c->previous_execution_run_id, OptUuid(kF));
    EXPECT_EQ(s.execution_run_id, std::nullopt);
    EXPECT_EQ(s.execution_agent_name_key, std::nullopt);
    EXPECT_EQ(s.execution_locked_at, std::nullopt);
    EXPECT_EQ(s.checkout_run_id, std::nullopt);
}

TEST(ClearExecutionIfTerminal, EveryBuiltinTerminalStatusIsCleared) {
    World w;
    const std::vector<std::pair<Uuid, std::string>> runs = {
        {kU, "succeeded"}, {kF, "failed"}, {kC, "cancelled"}, {kT, "timed_out"}, {kI, "interrupted"}};
    for (const auto& [run, status] : runs) {
        IssueState s = make_locked("todo", kAgentA, std::nullopt, run);
        const auto c = clear_execution_if_terminal(s, w.rules);
        ASSERT_TRUE(c.has_value()) << status;
        EXPECT_EQ(c->previous_run_status, OptText(status));
        EXPECT_EQ(s.execution_run_id, std::nullopt) << status;
        EXPECT_EQ(s.execution_agent_name_key, std::nullopt) << status;
        EXPECT_EQ(s.execution_locked_at, std::nullopt) << status;
    }
}

TEST(ClearExecutionIfTerminal, MissingExecutionRunIsClearedAndRecordedWithoutStatus) {
    World w;
    IssueState s = make_locked("todo", std::nullopt, std::nullopt, kG);
    const auto c = clear_execution_if_terminal(s, w.rules);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->previous_run_id, kG);
    EXPECT_EQ(c->previous_run_status, std::nullopt);
    EXPECT_EQ(s.execution_run_id, std::nullopt);
    EXPECT_EQ(s.execution_agent_name_key, std::nullopt);
    EXPECT_EQ(s.execution_locked_at, std::nullopt);
}

TEST(ClearExecutionIfTerminal, LiveExecutionRunIsKept) {
    World w;
    // running, scheduled_retry, queued, provisioning (unknown) and a not-yet-added
    // operator status all hold.
    for (const Uuid& run : {kL, kS, kQ, kP, kE}) {
        IssueState s = make_locked("in_progress", kAgentA, run, run);
        const IssueState before = s;
        EXPECT_FALSE(clear_execution_if_terminal(s, w.rules).has_value()) << run.to_string();
        EXPECT_EQ(s, before) << run.to_string();
        EXPECT_EQ(s.execution_agent_name_key, OptText(kOldNameKey));
    }
}

TEST(ClearExecutionIfTerminal, NoExecutionRunMeansNothingToClear) {
    World w;
    IssueState s = make_locked("in_progress", kAgentA, kF, std::nullopt);
    const IssueState before = s;
    EXPECT_FALSE(clear_execution_if_terminal(s, w.rules).has_value());
    EXPECT_EQ(s, before);  // the stale checkout is clear_checkout's business
}

TEST(ClearExecutionIfTerminal, AlsoClearsCheckoutWhenItNamesTheSameRun) {
    World w;
    IssueState s = make_locked("in_progress", kAgentA, kF, kF);
    const auto c = clear_execution_if_terminal(s, w.rules);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->previous_checkout_run_id, OptUuid(kF));
    EXPECT_EQ(c->previous_execution_run_id, OptUuid(kF));
    EXPECT_EQ(s.checkout_run_id, std::nullopt);
    EXPECT_EQ(s.execution_run_id, std::nullopt);
    EXPECT_EQ(s.execution_agent_name_key, std::nullopt);
    EXPECT_EQ(s.execution_locked_at, std::nullopt);
}

TEST(ClearExecutionIfTerminal, KeepsACheckoutThatNamesADifferentRun) {
    World w;
    // Different live checkout run: kept.
    IssueState live = make_locked("in_progress", kAgentA, kL, kF);
    ASSERT_TRUE(clear_execution_if_terminal(live, w.rules).has_value());
    EXPECT_EQ(live.checkout_run_id, OptUuid(kL));
    EXPECT_EQ(live.execution_run_id, std::nullopt);
    // Different stale checkout run: also kept (only the execution lock is this function's).
    IssueState stale = make_locked("in_progress", kAgentA, kT, kF);
    ASSERT_TRUE(clear_execution_if_terminal(stale, w.rules).has_value());
    EXPECT_EQ(stale.checkout_run_id, OptUuid(kT));
    EXPECT_EQ(stale.execution_run_id, std::nullopt);
}

TEST(ClearExecutionIfTerminal, NeverTouchesStatusAssigneeOrStartedAt) {
    World w;
    IssueState s = make_locked("in_progress", kAgentA, kF, kF);
    s.started_at = 777;
    ASSERT_TRUE(clear_execution_if_terminal(s, w.rules).has_value());
    EXPECT_EQ(s.status, "in_progress");
    EXPECT_EQ(s.assignee_agent_id, OptUuid(kAgentA));
    EXPECT_EQ(s.started_at, OptTimestamp(777));
    EXPECT_EQ(s.id, kIssue);
    EXPECT_EQ(s.company_id, kCompany);
}

TEST(ClearExecutionIfTerminal, OperatorAddedStatusClearsOnlyOnceAdded) {
    World builtin;
    World extended(extended_terminal_set());
    IssueState a = make_locked("todo", kAgentA, std::nullopt, kE);
    IssueState b = a;
    EXPECT_FALSE(clear_execution_if_terminal(a, builtin.rules).has_value());
    EXPECT_EQ(a.execution_run_id, OptUuid(kE));
    const auto c = clear_execution_if_terminal(b, extended.rules);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->previous_run_status, OptText("adapter_failed"));
    EXPECT_EQ(b.execution_run_id, std::nullopt);
}

// ---- clear_checkout_if_terminal (SPEC §4.2) ----

TEST(ClearCheckoutIfTerminal, TerminalCheckoutRunClearsAllFourLockColumns) {
    World w;
    IssueState s = make_locked("in_progress", kAgentA, kF, kF);
    const auto c = clear_checkout_if_terminal(s, w.rules);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->lock, LockClearing::Lock::Checkout);
    EXPECT_EQ(c->previous_run_id, kF);
    EXPECT_EQ(c->previous_run_status, OptText("failed"));
    EXPECT_EQ(c->previous_checkout_run_id, OptUuid(kF));
    EXPECT_EQ(c->previous_execution_run_id, OptUuid(kF));
    EXPECT_EQ(s.checkout_run_id, std::nullopt);
    EXPECT_EQ(s.execution_run_id, std::nullopt);
    EXPECT_EQ(s.execution_agent_name_key, std::nullopt);
    EXPECT_EQ(s.execution_locked_at, std::nullopt);
    EXPECT_EQ(s.status, "in_progress");
    EXPECT_EQ(s.assignee_agent_id, OptUuid(kAgentA));
}

TEST(ClearCheckoutIfTerminal, TerminalCheckoutWithoutExecutionLockIsCleared) {
    World w;
    IssueState s = make_locked("todo", kAgentB, kX, std::nullopt);
    const auto c = clear_checkout_if_terminal(s, w.rules);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->previous_execution_run_id, std::nullopt);
    EXPECT_EQ(s.checkout_run_id, std::nullopt);
    EXPECT_EQ(s.assignee_agent_id, OptUuid(kAgentB));  // no assignee precondition, no assignee change
}

TEST(ClearCheckoutIfTerminal, MissingCheckoutRunIsCleared) {
    World w;
    IssueState s = make_locked("in_progress", kAgentA, kG, std::nullopt);
    const auto c = clear_checkout_if_terminal(s, w.rules);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->previous_run_id, kG);
    EXPECT_EQ(c->previous_run_status, std::nullopt);
    EXPECT_EQ(s.checkout_run_id, std::nullopt);
}

TEST(ClearCheckoutIfTerminal, LiveCheckoutRunIsKept) {
    World w;
    for (const Uuid& run : {kL, kS, kQ, kP}) {
        IssueState s = make_locked("in_progress", kAgentA, run, std::nullopt);
        const IssueState before = s;
        EXPECT_FALSE(clear_checkout_if_terminal(s, w.rules).has_value()) << run.to_string();
        EXPECT_EQ(s, before);
    }
}

// Scenario 20: checkout F (failed), execution L (running): false, nothing changes.
TEST(ClearCheckoutIfTerminal, NeverWhileADifferentLiveExecutionRunHolds) {
    World w;
    for (const Uuid& holder : {kL, kS, kP, kRB}) {
        IssueState s = make_locked("in_progress", kAgentA, kF, holder);
        const IssueState before = s;
        EXPECT_FALSE(clear_checkout_if_terminal(s, w.rules).has_value()) << holder.to_string();
        EXPECT_EQ(s, before) << holder.to_string();
        EXPECT_EQ(s.checkout_run_id, OptUuid(kF));
        EXPECT_EQ(s.execution_run_id, OptUuid(holder));
    }
}

TEST(ClearCheckoutIfTerminal, ADifferentStaleExecutionRunDoesNotGuard) {
    World w;
    IssueState s = make_locked("in_progress", kAgentA, kF, kT);
    const auto c = clear_checkout_if_terminal(s, w.rules);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->previous_checkout_run_id, OptUuid(kF));
    EXPECT_EQ(c->previous_execution_run_id, OptUuid(kT));
    EXPECT_EQ(s.checkout_run_id, std::nullopt);
    EXPECT_EQ(s.execution_run_id, std::nullopt);
    EXPECT_EQ(s.execution_agent_name_key, std::nullopt);
    EXPECT_EQ(s.execution_locked_at, std::nullopt);
}

TEST(ClearCheckoutIfTerminal, NoCheckoutRunMeansNothingToClear) {
    World w;
    IssueState s = make_locked("todo", std::nullopt, std::nullopt, kF);
    const IssueState before = s;
    EXPECT_FALSE(clear_checkout_if_terminal(s, w.rules).has_value());
    EXPECT_EQ(s, before);
}

// ---- clear_terminal_locks: execution first, then checkout ----

TEST(ClearTerminalLocks, ClearsExecutionThenCheckout) {
    World w;
    IssueState s = make_locked("in_progress", kAgentA, kF, kT);
    const auto cs = clear_terminal_locks(s, w.rules);
    ASSERT_EQ(cs.size(), 2u);
    EXPECT_EQ(cs[0].lock, LockClearing::Lock::Execution);
    EXPECT_EQ(cs[0].previous_run_id, kT);
    EXPECT_EQ(cs[1].lock, LockClearing::Lock::Checkout);
    EXPECT_EQ(cs[1].previous_run_id, kF);
    EXPECT_EQ(cs[1].previous_execution_run_id, std::nullopt);  // already gone
    EXPECT_EQ(s.checkout_run_id, std::nullopt);
    EXPECT_EQ(s.execution_run_id, std::nullopt);
}

TEST(ClearTerminalLocks, OneClearingWhenBothColumnsNameTheSameStaleRun) {
    World w;
    IssueState s = make_locked("in_progress", kAgentA, kF, kF);
    const auto cs = clear_terminal_locks(s, w.rules);
    ASSERT_EQ(cs.size(), 1u);
    EXPECT_EQ(cs[0].lock, LockClearing::Lock::Execution);
    EXPECT_EQ(s.checkout_run_id, std::nullopt);
    EXPECT_EQ(s.execution_run_id, std::nullopt);
}

TEST(ClearTerminalLocks, StaleCheckoutSurvivesUnderALiveExecutionRun) {
    World w;
    IssueState s = make_locked("in_progress", kAgentA, kF, kL);
    const IssueState before = s;
    EXPECT_TRUE(clear_terminal_locks(s, w.rules).empty());
    EXPECT_EQ(s, before);
}

TEST(ClearTerminalLocks, LiveLocksAreUntouched) {
    World w;
    IssueState s = make_locked("in_progress", kAgentA, kL, kL);
    const IssueState before = s;
    EXPECT_TRUE(clear_terminal_locks(s, w.rules).empty());
    EXPECT_EQ(s, before);
}
