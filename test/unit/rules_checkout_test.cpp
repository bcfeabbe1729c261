// SPEC §4.3 checkout: the guarded UPDATE, then adopt unowned, adopt stale,
// same run, else 409 with conflictReason. Reference scenarios 1-21.
#include "support.hpp"

using namespace pc_test;

namespace {

CheckoutRequest request(const Uuid& agent, const OptUuid& run, std::vector<std::string> expected) {
    CheckoutRequest r;
    r.agent_id = agent;
    r.agent_name_key = kNameKeyA;
    r.expected_statuses = std::move(expected);
    r.run_id = run;
    r.now = kNow;
    return r;
}

// Postconditions of a successful main UPDATE by (agent, run) -- scenario 1.
void expect_checked_out_to(const IssueState& r, const Uuid& agent, const Uuid& run) {
    EXPECT_EQ(r.id, kIssue);
    EXPECT_EQ(r.company_id, kCompany);
    EXPECT_EQ(r.status, "in_progress");
    EXPECT_EQ(r.assignee_agent_id, OptUuid(agent));
    EXPECT_EQ(r.assignee_user_id, std::nullopt);
    EXPECT_EQ(r.checkout_run_id, OptUuid(run));
    EXPECT_EQ(r.execution_run_id, OptUuid(run));
    EXPECT_EQ(r.execution_agent_name_key, OptText(kNameKeyA));
    EXPECT_EQ(r.execution_locked_at, OptTimestamp(kNow));
    EXPECT_EQ(r.started_at, OptTimestamp(kNow));
}

PcError checkout_error(const IssueState& s, const CheckoutRequest& r, const LockRules& rules) {
    return catch_pc_error([&] { checkout_transition(s, r, rules); });
}

}  // namespace

// ---- main UPDATE ----

// Scenario 1.
TEST(CheckoutMainUpdate, UnassignedTodoIssueIsCheckedOutToTheAgentAndRun) {
    World w;
    const auto d = checkout_transition(make_issue("todo"), request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(d.path, CheckoutPath::MainUpdate);
    expect_checked_out_to(d.result, kAgentA, kR);
    EXPECT_EQ(d.adopted_from_run_id, std::nullopt);
    EXPECT_TRUE(d.clearings.empty());
}

// Scenario 2.
TEST(CheckoutMainUpdate, BacklogIssueOfThisAssigneeMatchesAnyExpectedStatus) {
    World w;
    const auto d = checkout_transition(make_issue("backlog", kAgentA),
                                   request(kAgentA, kR, {"backlog", "todo"}), w.rules);
    EXPECT_EQ(d.path, CheckoutPath::MainUpdate);
    expect_checked_out_to(d.result, kAgentA, kR);
}

TEST(CheckoutMainUpdate, ClearsTheUserAssignee) {
    World w;
    IssueState s = make_issue("todo");
    s.assignee_user_id = "user-1";
    const auto d = checkout_transition(s, request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(d.path, CheckoutPath::MainUpdate);
    EXPECT_EQ(d.result.assignee_user_id, std::nullopt);
    EXPECT_EQ(d.result.assignee_agent_id, OptUuid(kAgentA));
}

// Scenario 9: the execution lock already names this run; started_at is overwritten.
TEST(CheckoutMainUpdate, ExecutionLockOfThisRunIsNoObstacleAndStartedAtIsRestamped) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, std::nullopt, kR);
    const auto d = checkout_transition(s, request(kAgentA, kR, {"in_progress"}), w.rules);
    EXPECT_EQ(d.path, CheckoutPath::MainUpdate);
    expect_checked_out_to(d.result, kAgentA, kR);
    EXPECT_NE(d.result.started_at, OptTimestamp(kOldStartedAt));
}

// Found by the differential oracle (test/upstream, seed 771534085 case 1468):
// the checkout run is stale while this very run holds the execution lock. The
// clearing must keep the stale checkout (SPEC §4.2: the execution run is a
// different, live run), but a run that holds nothing is no reason for a 409
// against the run that holds the execution (SPEC §2, §4.3: no self-conflict).
TEST(CheckoutMainUpdate, StaleCheckoutNextToThisRunsExecutionLockIsTakenOver) {
    World w;
    const IssueState s = make_locked("todo", std::nullopt, kF, kR);
    const auto d = checkout_transition(s, request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(d.path, CheckoutPath::MainUpdate);
    expect_checked_out_to(d.result, kAgentA, kR);
}

// ... but never past another live run's execution lock.
TEST(CheckoutConflict, StaleCheckoutNextToAnotherLiveRunsExecutionLockConflicts) {
    World w;
    const IssueState s = make_locked("todo", std::nullopt, kF, kL);
    const PcError e = checkout_error(s, request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_NE(e.detail().find("held_by_live_run"), std::string::npos) << e.detail();
}

// Scenario 6: board checkout (no run): both lock columns stay NULL.
TEST(CheckoutMainUpdate, BoardCheckoutAssignsWithoutLocks) {
    World w;
    const auto d = checkout_transition(make_issue("todo"), request(kAgentA, std::nullopt, {"todo"}), w.rules);
    EXPECT_EQ(d.path, CheckoutPath::MainUpdate);
    EXPECT_EQ(d.result.status, "in_progress");
    EXPECT_EQ(d.result.assignee_agent_id, OptUuid(kAgentA));
    EXPECT_EQ(d.result.checkout_run_id, std::nullopt);
    EXPECT_EQ(d.result.execution_run_id, std::nullopt);
    EXPECT_EQ(d.result.execution_agent_name_key, std::nullopt);
    EXPECT_EQ(d.result.execution_locked_at, std::nullopt);
    EXPECT_EQ(d.result.started_at, OptTimestamp(kNow));
}

// Scenario 12: a terminal execution run is cleared first, then the UPDATE wins.
TEST(CheckoutMainUpdate, TerminalExecutionRunIsClearedFirst) {
    World w;
    const IssueState s = make_locked("todo", std::nullopt, std::nullopt, kF);
    const auto d = checkout_transition(s, request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(d.path, CheckoutPath::MainUpdate);
    expect_checked_out_to(d.result, kAgentA, kR);
    ASSERT_EQ(d.clearings.size(), 1u);
    EXPECT_EQ(d.clearings[0].lock, LockClearing::Lock::Execution);
    EXPECT_EQ(d.clearings[0].previous_run_id, kF);
}

// Scenario 10 (S-B): F is wiped by the clearing, the main UPDATE wins, nothing is "adopted".
TEST(CheckoutMainUpdate, StaleLocksOfThisAssigneeAreClearedThenTakenByTheUpdate) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kF, kF);
    const auto d = checkout_transition(s, request(kAgentA, kR2, {"in_progress"}), w.rules);
    EXPECT_EQ(d.path, CheckoutPath::MainUpdate);
    expect_checked_out_to(d.result, kAgentA, kR2);
    EXPECT_EQ(d.adopted_from_run_id, std::nullopt);
    ASSERT_EQ(d.clearings.size(), 1u);
    EXPECT_EQ(d.clearings[0].previous_checkout_run_id, OptUuid(kF));
}

// Scenario 11 (S-B "Fix B path"): todo, assignee B, checkout F of a failed run.
TEST(CheckoutMainUpdate, StaleCheckoutOnATodoIssueIsClearedThenCheckedOut) {
    World w;
    const IssueState s = make_locked("todo", kAgentB, kX, std::nullopt);
    const auto d = checkout_transition(s, request(kAgentB, kRB, {"todo"}), w.rules);
    EXPECT_EQ(d.path, CheckoutPath::MainUpdate);
    expect_checked_out_to(d.result, kAgentB, kRB);
    ASSERT_EQ(d.clearings.size(), 1u);
    EXPECT_EQ(d.clearings[0].lock, LockClearing::Lock::Checkout);
}

// Scenarios 13 and 17: timed_out and interrupted are terminal; a missing run too.
TEST(CheckoutMainUpdate, TimedOutInterruptedAndMissingHoldersAreNoObstacle) {
    World w;
    for (const Uuid& holder : {kT, kI, kG, kC, kU}) {
        const IssueState s = make_locked("todo", std::nullopt, std::nullopt, holder);
        const auto d = checkout_transition(s, request(kAgentA, kR, {"todo"}), w.rules);
        EXPECT_EQ(d.path, CheckoutPath::MainUpdate) << holder.to_string();
        EXPECT_EQ(d.result.execution_run_id, OptUuid(kR)) << holder.to_string();
    }
}

TEST(CheckoutMainUpdate, OperatorAddedTerminalStatusReleasesTheLockOnlyOnceAdded) {
    World builtin;
    World extended(extended_terminal_set());
    const IssueState s = make_locked("todo", std::nullopt, std::nullopt, kE);
    const PcError e = checkout_error(s, request(kAgentA, kR, {"todo"}), builtin.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(e.detail(), checkout_conflict_json("todo", nullptr, nullptr, kRunES, "held_by_live_run"));
    const auto d = checkout_transition(s, request(kAgentA, kR, {"todo"}), extended.rules);
    EXPECT_EQ(d.path, CheckoutPath::MainUpdate);
    expect_checked_out_to(d.result, kAgentA, kR);
}

// ---- adopt an unowned in_progress checkout of this assignee ----

// Scenario 8.
TEST(CheckoutAdoptUnowned, InProgressIssueOfThisAssigneeWithoutLocksIsAdopted) {
    World w;
    const IssueState s = make_issue("in_progress", kAgentA);
    const auto d = checkout_transition(s, request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(d.path, CheckoutPath::AdoptUnowned);
    EXPECT_EQ(d.result.status, "in_progress");
    EXPECT_EQ(d.result.assignee_agent_id, OptUuid(kAgentA));
    EXPECT_EQ(d.result.checkout_run_id, OptUuid(kR));
    EXPECT_EQ(d.result.execution_run_id, OptUuid(kR));
    EXPECT_EQ(d.result.execution_agent_name_key, OptText(kNameKeyA));
    EXPECT_EQ(d.result.execution_locked_at, OptTimestamp(kNow));
    EXPECT_EQ(d.result.started_at, OptTimestamp(kOldStartedAt));  // not a new start
    EXPECT_EQ(d.adopted_from_run_id, std::nullopt);
}

TEST(CheckoutAdoptUnowned, ExecutionLockOfThisRunStillCountsAsUnowned) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, std::nullopt, kR);
    const auto d = checkout_transition(s, request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(d.path, CheckoutPath::AdoptUnowned);
    EXPECT_EQ(d.result.checkout_run_id, OptUuid(kR));
    EXPECT_EQ(d.result.execution_run_id, OptUuid(kR));
    EXPECT_EQ(d.result.execution_agent_name_key, OptText(kNameKeyA));
    EXPECT_EQ(d.result.execution_locked_at, OptTimestamp(kNow));
}

TEST(CheckoutAdoptUnowned, StaleExecutionLockIsClearedThenAdopted) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, std::nullopt, kF);
    const auto d = checkout_transition(s, request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(d.path, CheckoutPath::AdoptUnowned);
    EXPECT_EQ(d.result.checkout_run_id, OptUuid(kR));
    EXPECT_EQ(d.result.execution_run_id, OptUuid(kR));
    ASSERT_EQ(d.clearings.size(), 1u);
    EXPECT_EQ(d.clearings[0].previous_run_id, kF);
}

TEST(CheckoutAdoptUnowned, ALiveExecutionRunOfAnotherRunBlocksAdoption) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, std::nullopt, kL);
    const PcError e = checkout_error(s, request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(msg_of(e), "Issue checkout conflict");
    EXPECT_EQ(e.detail(), checkout_conflict_json("in_progress", kAgentAS, nullptr, kRunLS, "held_by_live_run"));
}

TEST(CheckoutAdoptUnowned, BoardCheckoutNeverAdoptsItReturnsTheRowUnchanged) {
    World w;
    const IssueState s = make_issue("in_progress", kAgentA);
    const auto d = checkout_transition(s, request(kAgentA, std::nullopt, {"todo"}), w.rules);
    EXPECT_EQ(d.path, CheckoutPath::SameRun);  // sameRunLock(NULL, NULL)
    EXPECT_EQ(d.result, s);
}

// ---- adopt a stale checkout of this assignee ----
//
// The clearing step (§4.1, §4.2) runs first, so a stale checkout survives to
// this branch only when the execution column names a different, live run.
// Adoption is then allowed only when that live run is the actor's own run.

TEST(CheckoutAdoptStale, StaleCheckoutUnderTheActorsOwnExecutionLockIsAdopted) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kF, kR);
    for (const std::vector<std::string>& expected :
         {std::vector<std::string>{"todo"}, std::vector<std::string>{"in_progress"}}) {
        const auto d = checkout_transition(s, request(kAgentA, kR, expected), w.rules);
        EXPECT_EQ(d.path, CheckoutPath::AdoptStale) << expected[0];
        EXPECT_EQ(d.adopted_from_run_id, OptUuid(kF));
        EXPECT_TRUE(d.clearings.empty()) << "the guard of §4.2 kept F";
        EXPECT_EQ(d.result.status, "in_progress");
        EXPECT_EQ(d.result.assignee_agent_id, OptUuid(kAgentA));
        EXPECT_EQ(d.result.checkout_run_id, OptUuid(kR));
        EXPECT_EQ(d.result.execution_run_id, OptUuid(kR));
        EXPECT_EQ(d.result.execution_agent_name_key, OptText(kNameKeyA));
        EXPECT_EQ(d.result.execution_locked_at, OptTimestamp(kNow));
        EXPECT_EQ(d.result.started_at, OptTimestamp(kOldStartedAt));
    }
}

TEST(CheckoutAdoptStale, MissingCheckoutRunIsAdoptedToo) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kG, kR);
    const auto d = checkout_transition(s, request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(d.path, CheckoutPath::AdoptStale);
    EXPECT_EQ(d.adopted_from_run_id, OptUuid(kG));
    EXPECT_EQ(d.result.checkout_run_id, OptUuid(kR));
}

TEST(CheckoutAdoptStale, WithoutAnExecutionHolderTheClearingPreemptsAdoption) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kF, std::nullopt);
    // Expected status matches: cleared, then the main UPDATE.
    const auto main = checkout_transition(s, request(kAgentA, kR, {"in_progress"}), w.rules);
    EXPECT_EQ(main.path, CheckoutPath::MainUpdate);
    EXPECT_EQ(main.adopted_from_run_id, std::nullopt);
    EXPECT_EQ(main.clearings.size(), 1u);
    // It does not: cleared, then adopted as unowned.
    const auto unowned = checkout_transition(s, request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(unowned.path, CheckoutPath::AdoptUnowned);
    EXPECT_EQ(unowned.adopted_from_run_id, std::nullopt);
    EXPECT_EQ(unowned.result.checkout_run_id, OptUuid(kR));
}

TEST(CheckoutAdoptStale, NeverTakesOverFromAnotherLiveExecutionRun) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kF, kR2);
    const PcError e = checkout_error(s, request(kAgentA, kR, {"in_progress"}), w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(msg_of(e), "Issue checkout conflict");
    EXPECT_EQ(e.detail(),
              checkout_conflict_json("in_progress", kAgentAS, kRunFS, kRunR2S, "held_by_live_run"));
}

TEST(CheckoutAdoptStale, NeverForAnotherAgentsIssue) {
    World w;
    // Scenario 19 (cross-agent boundary): B's failed run X is cleared, B stays assignee.
    const IssueState s = make_locked("in_progress", kAgentB, kX, kX);
    const PcError e = checkout_error(s, request(kAgentA, kR, {"in_progress"}), w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(e.detail(),
              checkout_conflict_json("in_progress", kAgentBS, nullptr, nullptr, "assigned_to_other_agent"));
}

// ---- same run: no self-conflict ----

// Scenario 4.
TEST(CheckoutSameRun, TheHoldingRunGetsTheRowBackUnchanged) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kR, kR);
    const auto d = checkout_transition(s, request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(d.path, CheckoutPath::SameRun);
    EXPECT_EQ(d.result, s);
    EXPECT_EQ(d.result.execution_agent_name_key, OptText(kOldNameKey));
    EXPECT_EQ(d.result.execution_locked_at, OptTimestamp(kOldLockedAt));
    EXPECT_EQ(d.adopted_from_run_id, std::nullopt);
    EXPECT_TRUE(d.clearings.empty());
}

TEST(CheckoutSameRun, CheckoutRunWithoutExecutionLockIsStillTheHolder) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kR, std::nullopt);
    const auto d = checkout_transition(s, request(kAgentA, kR, {"todo", "backlog"}), w.rules);
    EXPECT_EQ(d.path, CheckoutPath::SameRun);
    EXPECT_EQ(d.result, s);
}

TEST(CheckoutPathName, NamesEveryPath) {
    EXPECT_STREQ(checkout_path_name(CheckoutPath::MainUpdate), "main_update");
    EXPECT_STREQ(checkout_path_name(CheckoutPath::AdoptUnowned), "adopt_unowned");
    EXPECT_STREQ(checkout_path_name(CheckoutPath::AdoptStale), "adopt_stale");
    EXPECT_STREQ(checkout_path_name(CheckoutPath::SameRun), "same_run");
}

// ---- 409 Issue checkout conflict, with conflictReason ----

// Scenario 3.
TEST(CheckoutConflict, StatusNotExpected) {
    World w;
    const PcError e = checkout_error(make_issue("done", kAgentA), request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(sqlstate_of(e.code()), "PC409");
    EXPECT_EQ(msg_of(e), "Issue checkout conflict");
    EXPECT_EQ(e.detail(),
              "{\"issueId\": \"" + std::string(kIssueS) +
                  "\", \"status\": \"done\", \"assigneeAgentId\": \"" + kAgentAS +
                  "\", \"checkoutRunId\": null, \"executionRunId\": null, "
                  "\"conflictReason\": \"status_not_expected\"}");
}

TEST(CheckoutConflict, StatusNotExpectedOnAnUnassignedIssue) {
    World w;
    const PcError e = checkout_error(make_issue("in_review"), request(kAgentA, kR, {"todo", "backlog"}), w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(e.detail(), checkout_conflict_json("in_review", nullptr, nullptr, nullptr, "status_not_expected"));
}

// Scenario 5.
TEST(CheckoutConflict, AssignedToOtherAgent) {
    World w;
    const PcError e = checkout_error(make_issue("todo", kAgentB), request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(msg_of(e), "Issue checkout conflict");
    EXPECT_EQ(e.detail(), checkout_conflict_json("todo", kAgentBS, nullptr, nullptr, "assigned_to_other_agent"));
}

TEST(CheckoutConflict, AssignedToOtherAgentWinsOverEveryOtherReason) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentB, kRB, kRB);
    const PcError e = checkout_error(s, request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(e.detail(),
              checkout_conflict_json("in_progress", kAgentBS, kRunRBS, kRunRBS, "assigned_to_other_agent"));
}

// Scenario 18.
TEST(CheckoutConflict, HeldByLiveRunOfTheSameAgent) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kL, kL);
    const PcError e = checkout_error(s, request(kAgentA, kR, {"todo", "backlog", "blocked", "in_review"}), w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(msg_of(e), "Issue checkout conflict");
    EXPECT_EQ(e.detail(), checkout_conflict_json("in_progress", kAgentAS, kRunLS, kRunLS, "held_by_live_run"));
}

// Scenario 55's loser: the other run of the same agent won.
TEST(CheckoutConflict, HeldByLiveRunEvenWhenTheStatusIsExpected) {
    World w;
    const IssueState s = make_locked("in_progress", kAgentA, kR2, kR2);
    const PcError e = checkout_error(s, request(kAgentA, kR, {"in_progress"}), w.rules);
    EXPECT_EQ(e.detail(), checkout_conflict_json("in_progress", kAgentAS, kRunR2S, kRunR2S, "held_by_live_run"));
}

// Scenario 7: a board checkout (no run) requires an empty execution lock.
TEST(CheckoutConflict, BoardCheckoutRequiresEmptyLocks) {
    World w;
    const IssueState s = make_locked("todo", kAgentA, std::nullopt, kL);
    const PcError e = checkout_error(s, request(kAgentA, std::nullopt, {"todo"}), w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(e.detail(), checkout_conflict_json("todo", kAgentAS, nullptr, kRunLS, "held_by_live_run"));
}

TEST(CheckoutConflict, BoardCheckoutRequiresEmptyCheckoutColumn) {
    World w;
    const IssueState s = make_locked("todo", kAgentA, kL, std::nullopt);
    const PcError e = checkout_error(s, request(kAgentA, std::nullopt, {"todo"}), w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(e.detail(), checkout_conflict_json("todo", kAgentAS, kRunLS, nullptr, "held_by_live_run"));
}

// Scenarios 15 and 16: scheduled_retry and an unknown status hold.
TEST(CheckoutConflict, ScheduledRetryAndUnknownStatusHoldTheExecutionLock) {
    World w;
    for (const auto& [holder, text] : {std::pair<Uuid, const char*>{kS, kRunSS}, {kP, kRunPS}, {kQ, kRunQS}}) {
        const IssueState s = make_locked("todo", std::nullopt, std::nullopt, holder);
        const PcError e = checkout_error(s, request(kAgentB, kRB, {"todo"}), w.rules);
        EXPECT_EQ(e.code(), ErrorCode::Conflict) << text;
        EXPECT_EQ(e.detail(), checkout_conflict_json("todo", nullptr, nullptr, text, "held_by_live_run"));
    }
}

// Invariant 4 of the reference (and SPEC §2 "holds"): a live checkout run blocks
// every other run, even on an unassigned issue (a state only an operator's
// direct write can produce). See the report: SPEC §4.3's wording of the guarded
// UPDATE does not check checkout_run_id when the assignee is NULL.
TEST(CheckoutConflict, LiveCheckoutRunBlocksEvenOnAnUnassignedIssue) {
    World w;
    const IssueState s = make_locked("todo", std::nullopt, kRB, std::nullopt);
    const PcError e = checkout_error(s, request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(e.detail(), checkout_conflict_json("todo", nullptr, kRunRBS, nullptr, "held_by_live_run"));
}

// Reference invariant 5: a 409 never names a run that holds nothing.
TEST(CheckoutConflict, DetailsShowTheStateAfterStaleLocksAreCleared) {
    World w;
    const IssueState s = make_locked("done", kAgentA, kF, kF);
    const PcError e = checkout_error(s, request(kAgentA, kR, {"todo"}), w.rules);
    EXPECT_EQ(e.detail(), checkout_conflict_json("done", kAgentAS, nullptr, nullptr, "status_not_expected"));
}

// ---- 422 unresolved blockers ----

// Scenario 21.
TEST(CheckoutBlockers, UnresolvedBlockerGives422WithItsId) {
    World w;
    CheckoutRequest r = request(kAgentA, kR, {"todo"});
    r.unresolved_blocker_ids = {kBlocker1};
    const PcError e = checkout_error(make_issue("todo"), r, w.rules);
    EXPECT_EQ(e.code(), ErrorCode::Unprocessable);
    EXPECT_EQ(sqlstate_of(e.code()), "PC422");
    EXPECT_EQ(msg_of(e), "Issue is blocked by unresolved blockers");
    EXPECT_EQ(e.detail(), "{\"unresolvedBlockerIssueIds\": [" + q(kBlocker1S) + "]}");
}

TEST(CheckoutBlockers, EveryUnresolvedBlockerIsListed) {
    World w;
    CheckoutRequest r = request(kAgentA, kR, {"todo"});
    r.unresolved_blocker_ids = {kBlocker1, kBlocker2};
    const PcError e = checkout_error(make_issue("todo"), r, w.rules);
    EXPECT_EQ(e.detail(), "{\"unresolvedBlockerIssueIds\": [" + q(kBlocker1S) + ", " + q(kBlocker2S) + "]}");
}

// SPEC §4.3 order: blockers are checked before the UPDATE and every fallback.
TEST(CheckoutBlockers, BlockersComeBeforeSameRunAndBeforeConflicts) {
    World w;
    CheckoutRequest r = request(kAgentA, kR, {"todo"});
    r.unresolved_blocker_ids = {kBlocker1};
    const PcError same_run = checkout_error(make_locked("in_progress", kAgentA, kR, kR), r, w.rules);
    EXPECT_EQ(same_run.code(), ErrorCode::Unprocessable);
    const PcError other = checkout_error(make_issue("todo", kAgentB), r, w.rules);
    EXPECT_EQ(other.code(), ErrorCode::Unprocessable);
}

// ---- expected_statuses validation (400) ----

TEST(ExpectedStatuses, EmptyListIsAValidationError) {
    const PcError e = catch_pc_error([] { validate_expected_statuses({}); });
    EXPECT_EQ(e.code(), ErrorCode::BadRequest);
    EXPECT_EQ(sqlstate_of(e.code()), "PC400");
    EXPECT_EQ(msg_of(e), "Validation error");
    EXPECT_EQ(e.detail(),
              "{\"field\": \"expectedStatuses\", \"problem\": \"must be a non-empty array of issue statuses\"}");
}

TEST(ExpectedStatuses, UnknownStatusIsAValidationError) {
    const PcError e = catch_pc_error([] { validate_expected_statuses({"todo", "open"}); });
    EXPECT_EQ(e.code(), ErrorCode::BadRequest);
    EXPECT_EQ(msg_of(e), "Validation error");
    EXPECT_EQ(e.detail(),
              "{\"field\": \"expectedStatuses\", \"problem\": \"unknown issue status \\\"open\\\"\"}");
}

TEST(ExpectedStatuses, EveryKnownStatusIsAccepted) {
    EXPECT_NO_THROW(validate_expected_statuses(issue_statuses()));
    EXPECT_NO_THROW(validate_expected_statuses({"in_progress"}));
}
