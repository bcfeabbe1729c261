// SPEC §4.6 acquire_execution_lock and §4.7 admin_force_release (the decision part).
#include "support.hpp"

using namespace pc_test;

namespace {
const RunInfo& run_info(const World& w, const Uuid& id) {
    const RunInfo* r = w.runs.find(id);
    if (!r) throw std::logic_error("test run not in the run set");
    return *r;
}
ExecutionLockOutcome acquire(const IssueState& s, const World& w, const Uuid& run) {
    return acquire_transition(s, run_info(w, run), kNameKeyA, kNow, w.rules);
}
void expect_refused_unchanged(const ExecutionLockOutcome& d, const IssueState& before) {
    EXPECT_FALSE(d.acquired);
    EXPECT_FALSE(d.write);
    EXPECT_EQ(d.result, before);
    EXPECT_TRUE(d.clearings.empty());
}
}  // namespace

// ---- acquire_execution_lock ----

TEST(AcquireExecutionLock, FreeIssueGetsExecutionRunNameKeyAndLockedAt) {
    World w;
    const IssueState s = make_issue("todo", kAgentA);
    const auto d = acquire(s, w, kR);
    EXPECT_TRUE(d.acquired);
    EXPECT_TRUE(d.write);
    EXPECT_TRUE(d.clearings.empty());
    EXPECT_EQ(d.result.execution_run_id, OptUuid(kR));
    EXPECT_EQ(d.result.execution_agent_name_key, OptText(kNameKeyA));
    EXPECT_EQ(d.result.execution_locked_at, OptTimestamp(kNow));
    // Only the execution lock: checkout, status and assignee are not the scheduler's.
    EXPECT_EQ(d.result.checkout_run_id, std::nullopt);
    EXPECT_EQ(d.result.status, "todo");
    EXPECT_EQ(d.result.assignee_agent_id, OptUuid(kAgentA));
    EXPECT_EQ(d.result.started_at, OptTimestamp(kOldStartedAt));
}

TEST(AcquireExecutionLock, UnassignedIssueIsAcquiredByAnyAgentsRun) {
    World w;
    const auto d = acquire(make_issue("backlog"), w, kRB);
    EXPECT_TRUE(d.acquired);
    EXPECT_EQ(d.result.execution_run_id, OptUuid(kRB));
    EXPECT_EQ(d.result.assignee_agent_id, std::nullopt);
}

// SPEC §4.6: "when no other live run holds it" -- nothing about the assignee.
// A lock never names a run of an agent other than the assignee (the
// invariant the stress checker holds us to): another agent's run is refused
// on an assigned issue, and takes an unassigned one.
TEST(AcquireExecutionLock, RunOfANonAssigneeIsRefusedOnAnAssignedIssue) {
    World w;
    const IssueState s = make_issue("todo", kAgentA);
    expect_refused_unchanged(acquire(s, w, kRB), s);
}

TEST(AcquireExecutionLock, AnyAgentsRunTakesAnUnassignedIssue) {
    World w;
    const IssueState s = make_issue("todo", std::nullopt);
    const auto d = acquire(s, w, kRB);
    EXPECT_TRUE(d.acquired);
    EXPECT_EQ(d.result.execution_run_id, OptUuid(kRB));
}

TEST(AcquireExecutionLock, AnotherLiveExecutionRunHoldsSoFalseAndNoChange) {
    World w;
    for (const Uuid& holder : {kL, kS, kP, kQ, kRB}) {
        const IssueState s = make_locked("todo", std::nullopt, std::nullopt, holder);
        expect_refused_unchanged(acquire(s, w, kR), s);
    }
}

TEST(AcquireExecutionLock, AnotherLiveCheckoutRunHoldsSoFalseAndNoChange) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kL, std::nullopt);
    expect_refused_unchanged(acquire(s, w, kR), s);
}

TEST(AcquireExecutionLock, RefusalLeavesStaleLocksForTheClearingFunctions) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kL, kF);
    expect_refused_unchanged(acquire(s, w, kR), s);
}

TEST(AcquireExecutionLock, StaleExecutionRunIsClearedAndReplaced) {
    World w;
    const IssueState s = make_locked("todo", kAgentA, std::nullopt, kF);
    const auto d = acquire(s, w, kR);
    EXPECT_TRUE(d.acquired);
    EXPECT_TRUE(d.write);
    ASSERT_EQ(d.clearings.size(), 1u);
    EXPECT_EQ(d.clearings[0].lock, LockClearing::Lock::Execution);
    EXPECT_EQ(d.clearings[0].previous_run_id, kF);
    EXPECT_EQ(d.result.execution_run_id, OptUuid(kR));
    EXPECT_EQ(d.result.execution_agent_name_key, OptText(kNameKeyA));
    EXPECT_EQ(d.result.execution_locked_at, OptTimestamp(kNow));
}

TEST(AcquireExecutionLock, StaleCheckoutRunIsClearedToo) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kF, std::nullopt);
    const auto d = acquire(s, w, kR);
    EXPECT_TRUE(d.acquired);
    ASSERT_EQ(d.clearings.size(), 1u);
    EXPECT_EQ(d.clearings[0].lock, LockClearing::Lock::Checkout);
    EXPECT_EQ(d.result.checkout_run_id, std::nullopt);
    EXPECT_EQ(d.result.execution_run_id, OptUuid(kR));
}

TEST(AcquireExecutionLock, StaleRunInBothColumnsIsClearedOnce) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kF, kF);
    const auto d = acquire(s, w, kR);
    EXPECT_TRUE(d.acquired);
    EXPECT_EQ(d.clearings.size(), 1u);
    EXPECT_EQ(d.result.checkout_run_id, std::nullopt);
    EXPECT_EQ(d.result.execution_run_id, OptUuid(kR));
}

TEST(AcquireExecutionLock, RunThatAlreadyHoldsItIsTrueWithoutChange) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kR, kR);
    const auto d = acquire(s, w, kR);
    EXPECT_TRUE(d.acquired);
    EXPECT_FALSE(d.write);
    EXPECT_EQ(d.result, s);
    EXPECT_EQ(d.result.execution_locked_at, OptTimestamp(kOldLockedAt));
}

TEST(AcquireExecutionLock, CheckoutRunTakesTheEmptyExecutionLock) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kR, std::nullopt);
    const auto d = acquire(s, w, kR);
    EXPECT_TRUE(d.acquired);
    EXPECT_TRUE(d.write);
    EXPECT_EQ(d.result.checkout_run_id, OptUuid(kR));
    EXPECT_EQ(d.result.execution_run_id, OptUuid(kR));
}

TEST(AcquireExecutionLock, TerminalRunHoldsNothingSoItCannotAcquire) {
    World w;
    const IssueState s = make_issue("todo", kAgentA);
    for (const Uuid& run : {kF, kT, kI}) expect_refused_unchanged(acquire(s, w, run), s);
}

TEST(AcquireExecutionLock, UnknownStatusRunIsLiveAndAcquires) {
    World w;
    const auto d = acquire(make_issue("todo", kAgentA), w, kP);
    EXPECT_TRUE(d.acquired);
    EXPECT_EQ(d.result.execution_run_id, OptUuid(kP));
}

// ---- admin_force_release ----

TEST(ForceRelease, ClearsTheFourLockColumnsAndKeepsAssigneeAndStatus) {
    IssueState s = make_locked("in_progress", kAgentA, kR, kF);
    const IssueState r = force_release_transition(s, false);
    EXPECT_EQ(r.checkout_run_id, std::nullopt);
    EXPECT_EQ(r.execution_run_id, std::nullopt);
    EXPECT_EQ(r.execution_agent_name_key, std::nullopt);
    EXPECT_EQ(r.execution_locked_at, std::nullopt);
    EXPECT_EQ(r.assignee_agent_id, OptUuid(kAgentA));
    EXPECT_EQ(r.status, "in_progress");
    EXPECT_EQ(r.started_at, OptTimestamp(kOldStartedAt));
}

TEST(ForceRelease, ClearAssigneeClearsOnlyTheAgentAssignee) {
    const IssueState r = force_release_transition(make_locked("in_progress", kAgentA, kL, kL), true);
    EXPECT_EQ(r.assignee_agent_id, std::nullopt);
    EXPECT_EQ(r.status, "in_progress");
    EXPECT_EQ(r.checkout_run_id, std::nullopt);
    EXPECT_EQ(r.execution_run_id, std::nullopt);
}

TEST(ForceRelease, NeverChangesStatus) {
    for (const auto& status : issue_statuses()) {
        EXPECT_EQ(force_release_transition(make_locked(status, kAgentA, kR, kR), true).status, status);
        EXPECT_EQ(force_release_transition(make_locked(status, kAgentA, kR, kR), false).status, status);
    }
}

TEST(ForceRelease, UserAssigneeIsNotTouched) {
    IssueState s = make_issue("todo");
    s.assignee_user_id = "user-1";
    EXPECT_EQ(force_release_transition(s, true).assignee_user_id, OptText("user-1"));
}

// ---- lock_details: the shared 409 details ----

TEST(LockDetails, HasTheUpstreamKeysInOrder) {
    EXPECT_EQ(lock_details(make_locked("in_progress", kAgentA, kR, kL)).str(),
              lock_details_json("in_progress", kAgentAS, kRunRS, kRunLS) + "}");
    EXPECT_EQ(lock_details(make_issue("todo")).str(), lock_details_json("todo", nullptr, nullptr, nullptr) + "}");
}
