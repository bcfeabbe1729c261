// SPEC §4.5 assert_checkout_owner: the holding run passes; a live successor run
// of the same assignee adopts an unowned or stale lock; otherwise 409 Issue run
// ownership conflict. Reference scenarios 29-32.
#include "support.hpp"

using namespace pc_test;

namespace {

OwnershipOutcome own(const IssueState& s, const Uuid& agent, const Uuid& run, const LockRules& rules) {
    return check_ownership(s, agent, run, kNameKeyA, kNow, rules, "test");
}

PcError own_error(const IssueState& s, const Uuid& agent, const Uuid& run, const LockRules& rules) {
    return catch_pc_error([&] { own(s, agent, run, rules); });
}

void expect_locked_to(const IssueState& r, const Uuid& run) {
    EXPECT_EQ(r.status, "in_progress");
    EXPECT_EQ(r.assignee_agent_id, OptUuid(kAgentA));
    EXPECT_EQ(r.checkout_run_id, OptUuid(run));
    EXPECT_EQ(r.execution_run_id, OptUuid(run));
    EXPECT_EQ(r.execution_agent_name_key, OptText(kNameKeyA));
    EXPECT_EQ(r.execution_locked_at, OptTimestamp(kNow));
    EXPECT_EQ(r.started_at, OptTimestamp(kOldStartedAt));
}

}  // namespace

// ---- the holding run ----

TEST(OwnershipHoldingRun, PassesWithTheRowUnchanged) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kR, kR);
    const auto d = own(s, kAgentA, kR, w.rules);
    EXPECT_EQ(d.result, s);
    EXPECT_FALSE(d.write);
    EXPECT_EQ(d.adopted_from_run_id, std::nullopt);
    EXPECT_TRUE(d.clearings.empty());
    EXPECT_EQ(d.result.execution_locked_at, OptTimestamp(kOldLockedAt));
}

TEST(OwnershipHoldingRun, CheckoutRunWithoutExecutionLockPasses) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kR, std::nullopt);
    const auto d = own(s, kAgentA, kR, w.rules);
    EXPECT_EQ(d.result, s);
    EXPECT_FALSE(d.write);
}

TEST(OwnershipHoldingRun, AStaleExecutionLockOfAnotherRunIsDroppedOnTheWay) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kR, kF);
    const auto d = own(s, kAgentA, kR, w.rules);
    EXPECT_TRUE(d.write);
    EXPECT_EQ(d.adopted_from_run_id, std::nullopt);
    EXPECT_EQ(d.result.checkout_run_id, OptUuid(kR));
    EXPECT_EQ(d.result.execution_run_id, std::nullopt);
    EXPECT_EQ(d.result.execution_agent_name_key, std::nullopt);
    EXPECT_EQ(d.result.execution_locked_at, std::nullopt);
    ASSERT_EQ(d.clearings.size(), 1u);
    EXPECT_EQ(d.clearings[0].lock, LockClearing::Lock::Execution);
    EXPECT_EQ(d.clearings[0].previous_run_id, kF);
}

// ---- adopt an unowned lock ----

TEST(OwnershipAdoptUnowned, LiveRunOfTheAssigneeTakesAnUnlockedInProgressIssue) {
    World w;
    const auto d = own(make_issue("in_progress", kAgentA), kAgentA, kR, w.rules);
    EXPECT_TRUE(d.write);
    EXPECT_EQ(d.adopted_from_run_id, std::nullopt);
    EXPECT_TRUE(d.clearings.empty());
    expect_locked_to(d.result, kR);
}

TEST(OwnershipAdoptUnowned, ExecutionLockOfTheActorRunIsCompletedWithTheCheckout) {
    World w;
    const auto d = own(make_locked("in_progress", kAgentA, std::nullopt, kR), kAgentA, kR, w.rules);
    EXPECT_TRUE(d.write);
    EXPECT_EQ(d.adopted_from_run_id, std::nullopt);
    expect_locked_to(d.result, kR);
}

// Scenario 29.
TEST(OwnershipAdoptUnowned, StaleExecutionLockIsClearedThenTheIssueAdopted) {
    World w;
    const auto d = own(make_locked("in_progress", kAgentA, std::nullopt, kF), kAgentA, kR, w.rules);
    EXPECT_TRUE(d.write);
    EXPECT_EQ(d.adopted_from_run_id, std::nullopt);
    expect_locked_to(d.result, kR);
    ASSERT_EQ(d.clearings.size(), 1u);
    EXPECT_EQ(d.clearings[0].previous_run_id, kF);
}

TEST(OwnershipAdoptUnowned, UnknownStatusActorRunIsLiveAndMayAdopt) {
    World w;
    const auto d = own(make_issue("in_progress", kAgentA), kAgentA, kP, w.rules);
    EXPECT_TRUE(d.write);
    expect_locked_to(d.result, kP);
}

// ---- adopt a stale lock (adopted_from_run_id set) ----

// Scenario 30.
TEST(OwnershipAdoptStale, TimedOutCheckoutRunIsTakenOverAndReported) {
    World w;
    const auto d = own(make_locked("in_progress", kAgentA, kT, kT), kAgentA, kR, w.rules);
    EXPECT_TRUE(d.write);
    EXPECT_EQ(d.adopted_from_run_id, OptUuid(kT));
    expect_locked_to(d.result, kR);
}

TEST(OwnershipAdoptStale, FailedCheckoutRunWithoutExecutionLockIsTakenOver) {
    World w;
    const auto d = own(make_locked("in_progress", kAgentA, kF, std::nullopt), kAgentA, kR2, w.rules);
    EXPECT_TRUE(d.write);
    EXPECT_EQ(d.adopted_from_run_id, OptUuid(kF));
    expect_locked_to(d.result, kR2);
}

TEST(OwnershipAdoptStale, MissingCheckoutRunIsTakenOver) {
    World w;
    const auto d = own(make_locked("in_progress", kAgentA, kG, kG), kAgentA, kR, w.rules);
    EXPECT_EQ(d.adopted_from_run_id, OptUuid(kG));
    expect_locked_to(d.result, kR);
}

TEST(OwnershipAdoptStale, StaleCheckoutUnderTheActorsOwnExecutionLockIsTakenOver) {
    World w;
    const auto d = own(make_locked("in_progress", kAgentA, kF, kR), kAgentA, kR, w.rules);
    EXPECT_EQ(d.adopted_from_run_id, OptUuid(kF));
    expect_locked_to(d.result, kR);
}

TEST(OwnershipAdoptStale, StaleCheckoutUnderADifferentStaleExecutionRunIsTakenOver) {
    World w;
    const auto d = own(make_locked("in_progress", kAgentA, kF, kT), kAgentA, kR, w.rules);
    EXPECT_EQ(d.adopted_from_run_id, OptUuid(kF));
    expect_locked_to(d.result, kR);
}

// ---- 409 Issue run ownership conflict ----

// Scenario 32 (S-B): the actor run must be live.
TEST(OwnershipConflict, TerminalActorRunCannotAdopt) {
    World w;
    const PcError e = own_error(make_issue("in_progress", kAgentA), kAgentA, kF, w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(sqlstate_of(e.code()), "PC409");
    EXPECT_EQ(msg_of(e), "Issue run ownership conflict");
    EXPECT_EQ(e.detail(), ownership_conflict_json("in_progress", kAgentAS, nullptr, nullptr, kAgentAS, kRunFS));
}

TEST(OwnershipConflict, TerminalActorRunCannotTakeOverAStaleLockEither) {
    World w;
    const PcError e = own_error(make_locked("in_progress", kAgentA, kT, kT), kAgentA, kF, w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    // Reported as the lazy clearing leaves it: T holds nothing.
    EXPECT_EQ(e.detail(), ownership_conflict_json("in_progress", kAgentAS, nullptr, nullptr, kAgentAS, kRunFS));
}

TEST(OwnershipConflict, MissingActorRunCannotAdopt) {
    World w;
    const PcError e = own_error(make_issue("in_progress", kAgentA), kAgentA, kG, w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(e.detail(), ownership_conflict_json("in_progress", kAgentAS, nullptr, nullptr, kAgentAS, kRunGS));
}

// Scenario 31.
TEST(OwnershipConflict, LiveOtherRunHoldsWithActorDetails) {
    World w;
    const PcError e = own_error(make_locked("in_progress", kAgentA, kL, kL), kAgentA, kF, w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(msg_of(e), "Issue run ownership conflict");
    EXPECT_EQ(e.detail(),
              "{\"issueId\": \"" + std::string(kIssueS) + "\", \"status\": \"in_progress\", " +
                  "\"assigneeAgentId\": \"" + kAgentAS + "\", \"checkoutRunId\": \"" + kRunLS +
                  "\", \"executionRunId\": \"" + kRunLS + "\", \"actorAgentId\": \"" + kAgentAS +
                  "\", \"actorRunId\": \"" + kRunFS + "\"}");
}

TEST(OwnershipConflict, LiveSuccessorCannotTakeOverALiveRun) {
    World w;
    const PcError e = own_error(make_locked("in_progress", kAgentA, kL, kL), kAgentA, kR, w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(e.detail(), ownership_conflict_json("in_progress", kAgentAS, kRunLS, kRunLS, kAgentAS, kRunRS));
}

TEST(OwnershipConflict, ScheduledRetryHolderBlocksTheSuccessor) {
    World w;
    const PcError e = own_error(make_locked("in_progress", kAgentA, kS, kS), kAgentA, kR, w.rules);
    EXPECT_EQ(e.detail(), ownership_conflict_json("in_progress", kAgentAS, kRunSS, kRunSS, kAgentAS, kRunRS));
}

TEST(OwnershipConflict, StaleCheckoutUnderAnotherLiveExecutionRunIsNotAdopted) {
    World w;
    const PcError e = own_error(make_locked("in_progress", kAgentA, kF, kL), kAgentA, kR, w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(e.detail(), ownership_conflict_json("in_progress", kAgentAS, kRunFS, kRunLS, kAgentAS, kRunRS));
}

TEST(OwnershipConflict, UnownedCheckoutUnderAnotherLiveExecutionRunIsNotAdopted) {
    World w;
    const PcError e = own_error(make_locked("in_progress", kAgentA, std::nullopt, kL), kAgentA, kR, w.rules);
    EXPECT_EQ(e.detail(), ownership_conflict_json("in_progress", kAgentAS, nullptr, kRunLS, kAgentAS, kRunRS));
}

TEST(OwnershipConflict, IssueNotInProgress) {
    World w;
    for (const std::string status : {"todo", "backlog", "in_review", "blocked", "done", "cancelled"}) {
        const PcError e = own_error(make_issue(status, kAgentA), kAgentA, kR, w.rules);
        EXPECT_EQ(e.code(), ErrorCode::Conflict) << status;
        EXPECT_EQ(e.detail(), ownership_conflict_json(status.c_str(), kAgentAS, nullptr, nullptr, kAgentAS, kRunRS));
    }
}

TEST(OwnershipConflict, IssueOfAnotherAssignee) {
    World w;
    const PcError e = own_error(make_locked("in_progress", kAgentB, kRB, kRB), kAgentA, kR, w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(e.detail(), ownership_conflict_json("in_progress", kAgentBS, kRunRBS, kRunRBS, kAgentAS, kRunRS));
}

TEST(OwnershipConflict, AnotherAgentNeverAdoptsEvenAStaleLock) {
    World w;
    const PcError e = own_error(make_locked("in_progress", kAgentB, kX, kX), kAgentA, kR, w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(e.detail(), ownership_conflict_json("in_progress", kAgentBS, nullptr, nullptr, kAgentAS, kRunRS));
}

TEST(OwnershipConflict, UnassignedInProgressIssueIsNobodysToAdopt) {
    World w;
    const PcError e = own_error(make_issue("in_progress"), kAgentA, kR, w.rules);
    EXPECT_EQ(e.detail(), ownership_conflict_json("in_progress", nullptr, nullptr, nullptr, kAgentAS, kRunRS));
}
