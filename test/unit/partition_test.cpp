// SPEC §2: terminal vs holding run statuses; reference scenario 61.
#include "support.hpp"

using namespace pc_test;

namespace {
const std::vector<std::string> kSpecTerminal = {"succeeded", "failed", "cancelled", "timed_out",
                                                "interrupted"};
}

TEST(RunStatusPartition, EveryBuiltinTerminalStatusIsTerminal) {
    const RunStatusPartition p;
    for (const auto& s : kSpecTerminal) {
        EXPECT_TRUE(p.is_terminal(s)) << s;
        EXPECT_FALSE(p.holds(s)) << s;
        EXPECT_TRUE(p.is_terminal_or_missing(&s)) << s;
    }
    EXPECT_EQ(p.terminal_statuses(), std::set<std::string>(kSpecTerminal.begin(), kSpecTerminal.end()));
}

TEST(RunStatusPartition, QueuedRunningScheduledRetryAndProvisioningHold) {
    const RunStatusPartition p;
    for (const std::string s : {"queued", "running", "scheduled_retry", "provisioning"}) {
        EXPECT_TRUE(p.holds(s)) << s;
        EXPECT_FALSE(p.is_terminal(s)) << s;
        EXPECT_FALSE(p.is_terminal_or_missing(&s)) << s;
    }
}

TEST(RunStatusPartition, AnUnknownFutureStatusHolds) {
    const RunStatusPartition p;
    // Statuses are exact text: a differently-cased terminal name is just unknown.
    for (const std::string s : {"some_future_live_status", "", "FAILED", "Succeeded", "paused"}) {
        EXPECT_TRUE(p.holds(s)) << '"' << s << '"';
        EXPECT_FALSE(p.is_terminal_or_missing(&s)) << '"' << s << '"';
    }
}

TEST(RunStatusPartition, AMissingRunCountsAsTerminal) {
    const RunStatusPartition builtin;
    const RunStatusPartition empty{std::set<std::string>{}};
    EXPECT_TRUE(builtin.is_terminal_or_missing(nullptr));
    EXPECT_TRUE(empty.is_terminal_or_missing(nullptr));
}

TEST(RunStatusPartition, OperatorAddedStatusIsTerminalOnlyWhenInTheSet) {
    const RunStatusPartition builtin;
    const RunStatusPartition extended{extended_terminal_set()};
    for (const std::string s : {"adapter_failed", "error", "terminated"}) {
        EXPECT_TRUE(builtin.holds(s)) << s << " holds until an operator adds it";
        EXPECT_TRUE(extended.is_terminal(s)) << s << " is terminal once added";
        EXPECT_FALSE(extended.holds(s)) << s;
    }
    // Adding statuses leaves the others where they were.
    EXPECT_TRUE(extended.is_terminal("failed"));
    EXPECT_TRUE(extended.holds("running"));
    EXPECT_TRUE(extended.holds("scheduled_retry"));
}

TEST(RunStatusPartition, TheConfiguredSetIsTheWholeTruth) {
    // Built from paperclip.terminal_run_statuses: a status not in it holds.
    const RunStatusPartition only_failed{std::set<std::string>{"failed"}};
    EXPECT_TRUE(only_failed.is_terminal("failed"));
    EXPECT_TRUE(only_failed.holds("succeeded"));
    EXPECT_TRUE(only_failed.holds("interrupted"));
}

// Scenario 61 (EL partition): exactly one of holds / terminal for every status.
TEST(RunStatusPartition, ExactlyOneOfTerminalOrHoldsForEveryStatus) {
    const RunStatusPartition el{std::set<std::string>{"succeeded", "interrupted", "failed", "error",
                                                      "adapter_failed", "cancelled", "timed_out"}};
    const std::vector<std::pair<std::string, bool>> expected_holds = {
        {"scheduled_retry", true}, {"queued", true},         {"running", true},
        {"succeeded", false},      {"interrupted", false},   {"failed", false},
        {"cancelled", false},      {"timed_out", false},     {"error", false},
        {"adapter_failed", false}, {"some_future_live_status", true}};
    for (const auto& [status, holds] : expected_holds) {
        EXPECT_EQ(el.holds(status), holds) << status;
        EXPECT_EQ(el.is_terminal(status), !holds) << status;
        EXPECT_NE(el.holds(status), el.is_terminal(status)) << status;
    }
    // The same holds for the built-in partition over every status ever observed.
    const RunStatusPartition builtin;
    for (const std::string s : {"queued", "scheduled_retry", "running", "succeeded", "interrupted",
                                "failed", "cancelled", "timed_out", "error", "adapter_failed",
                                "terminated", "provisioning"})
        EXPECT_NE(builtin.holds(s), builtin.is_terminal(s)) << s;
}

// LockRules asks the partition about the run a lock names.
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
