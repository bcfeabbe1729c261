// SPEC §2: run liveness -- one rule (core/liveness.hpp), asked by every
// operation: a run holds while it exists and its status is not in the
// terminal set; reference scenario 61.
#include "support.hpp"

using namespace pc_test;

namespace {
const std::vector<std::string> kSpecTerminal = {"succeeded", "failed", "cancelled", "timed_out",
                                                "interrupted"};

bool live_with_status(const std::string& status, const RunStatusPartition& p) {
    const RunInfo run{kR, kAgentA, kCompany, status};
    return is_live(&run, p);
}
}  // namespace

TEST(RunLiveness, EveryBuiltinTerminalStatusHoldsNothing) {
    const RunStatusPartition p = RunStatusPartition::seed();
    for (const auto& s : kSpecTerminal) {
        EXPECT_TRUE(p.is_terminal(s)) << s;
        EXPECT_FALSE(live_with_status(s, p)) << s;
    }
}

TEST(RunLiveness, QueuedRunningScheduledRetryAndProvisioningHold) {
    const RunStatusPartition p = RunStatusPartition::seed();
    for (const std::string s : {"queued", "running", "scheduled_retry", "provisioning"})
        EXPECT_TRUE(live_with_status(s, p)) << s;
}

TEST(RunLiveness, AnUnknownFutureStatusHolds) {
    const RunStatusPartition p = RunStatusPartition::seed();
    // Statuses are exact text: a differently-cased terminal name is just unknown.
    for (const std::string s : {"some_future_live_status", "", "FAILED", "Succeeded", "paused"})
        EXPECT_TRUE(live_with_status(s, p)) << '"' << s << '"';
}

TEST(RunLiveness, AMissingRunHoldsNothingWhateverTheSet) {
    EXPECT_FALSE(is_live(nullptr, RunStatusPartition::seed()));
    EXPECT_FALSE(is_live(nullptr, RunStatusPartition{std::set<std::string>{}}));
}

TEST(RunLiveness, AnEmptyTerminalSetLetsEveryExistingRunHold) {
    const RunStatusPartition none{std::set<std::string>{}};
    for (const auto& s : kSpecTerminal) EXPECT_TRUE(live_with_status(s, none)) << s;
}

TEST(RunLiveness, OperatorAddedStatusHoldsNothingOnlyOnceAdded) {
    const RunStatusPartition builtin = RunStatusPartition::seed();
    const RunStatusPartition extended{extended_terminal_set()};
    for (const std::string s : {"adapter_failed", "error", "terminated"}) {
        EXPECT_TRUE(live_with_status(s, builtin)) << s << " holds until an operator adds it";
        EXPECT_FALSE(live_with_status(s, extended)) << s << " holds nothing once added";
    }
    // Adding statuses leaves the others where they were.
    EXPECT_FALSE(live_with_status("failed", extended));
    EXPECT_TRUE(live_with_status("running", extended));
    EXPECT_TRUE(live_with_status("scheduled_retry", extended));
}

TEST(RunLiveness, TheConfiguredSetIsTheWholeTruth) {
    // Built from paperclip.terminal_run_statuses: a status not in it holds.
    const RunStatusPartition only_failed{std::set<std::string>{"failed"}};
    EXPECT_FALSE(live_with_status("failed", only_failed));
    EXPECT_TRUE(live_with_status("succeeded", only_failed));
    EXPECT_TRUE(live_with_status("interrupted", only_failed));
}

// Scenario 61 (the EL deployment's set): each status lands on the side the
// reference gives it.
TEST(RunLiveness, ScenarioSixtyOneTable) {
    const RunStatusPartition el{std::set<std::string>{"succeeded", "interrupted", "failed", "error",
                                                      "adapter_failed", "cancelled", "timed_out"}};
    const std::vector<std::pair<std::string, bool>> expected_live = {
        {"scheduled_retry", true}, {"queued", true},         {"running", true},
        {"succeeded", false},      {"interrupted", false},   {"failed", false},
        {"cancelled", false},      {"timed_out", false},     {"error", false},
        {"adapter_failed", false}, {"some_future_live_status", true}};
    for (const auto& [status, live] : expected_live) EXPECT_EQ(live_with_status(status, el), live) << status;
}

// LockRules asks is_live() about the run a lock names.
TEST(LockRulesLiveness, NoRunIdIsNeitherStaleNorLive) {
    World w;
    EXPECT_FALSE(w.rules.is_stale(std::nullopt));
    EXPECT_FALSE(w.rules.is_live(std::nullopt));
}

TEST(LockRulesLiveness, MissingRunRowIsStale) {
    World w;
    EXPECT_TRUE(w.rules.is_stale(kG));
    EXPECT_FALSE(w.rules.is_live(kG));
}

TEST(LockRulesLiveness, TerminalRunsAreStaleAndHoldingRunsAreLive) {
    World w;
    for (const Uuid& run : {kF, kT, kI, kC, kU, kX}) {
        EXPECT_TRUE(w.rules.is_stale(run)) << run.to_string();
        EXPECT_FALSE(w.rules.is_live(run)) << run.to_string();
    }
    for (const Uuid& run : {kR, kL, kS, kP, kQ, kE, kRB}) {
        EXPECT_TRUE(w.rules.is_live(run)) << run.to_string();
        EXPECT_FALSE(w.rules.is_stale(run)) << run.to_string();
    }
}

TEST(LockRulesLiveness, OperatorAddedTerminalStatusMakesItsRunStale) {
    World builtin;
    World extended(extended_terminal_set());
    EXPECT_TRUE(builtin.rules.is_live(kE));
    EXPECT_TRUE(extended.rules.is_stale(kE));
}
