#include <gtest/gtest.h>

#include <set>

#include "core/vocabulary.hpp"

using namespace paperclip::core;

// SPEC §2: normalized agent name key.
TEST(NameKey, LowerCasesAndDropsNonAlphanumerics) {
    EXPECT_EQ(normalize_agent_name_key("CodexCoder"), "codexcoder");
    EXPECT_EQ(normalize_agent_name_key("Claude Code-2 (beta)"), "claudecode2beta");
    EXPECT_EQ(normalize_agent_name_key(""), "");
}

TEST(NameKey, KeepsDigitsAndDropsEveryPunctuationAndSpace) {
    EXPECT_EQ(normalize_agent_name_key("Agent_007"), "agent007");
    EXPECT_EQ(normalize_agent_name_key("  A.B/C:D\tE\n"), "abcde");
    EXPECT_EQ(normalize_agent_name_key("ZZ-top 42"), "zztop42");
    EXPECT_EQ(normalize_agent_name_key("---"), "");
}

TEST(NameKey, NonAsciiBytesAreNotAlphanumericAndAreDropped) {
    // "Zoë" in UTF-8: Z o 0xC3 0xAB
    EXPECT_EQ(normalize_agent_name_key("Zo\xC3\xAB"), "zo");
}

TEST(NameKey, IsIdempotent) {
    const std::string once = normalize_agent_name_key("Codex Coder #3");
    EXPECT_EQ(once, "codexcoder3");
    EXPECT_EQ(normalize_agent_name_key(once), once);
}

// SPEC §2: issue statuses.
TEST(IssueStatuses, AreExactlyTheSevenOfTheSpecInOrder) {
    const std::vector<std::string> expected = {"backlog", "todo", "in_progress", "in_review",
                                               "blocked", "done", "cancelled"};
    EXPECT_EQ(issue_statuses(), expected);
    for (const auto& s : expected) EXPECT_TRUE(is_issue_status(s)) << s;
}

TEST(IssueStatuses, UnknownOrMisspelledStatusesAreRejected) {
    for (const char* s : {"open", "", "In_Progress", "in progress", "DONE", "todo ", "canceled",
                          "running"})
        EXPECT_FALSE(is_issue_status(s)) << '"' << s << '"';
}

// SPEC §2: the built-in terminal run statuses.
TEST(TerminalRunStatuses, BuiltinSetIsExactlyTheSpecFive) {
    const std::set<std::string> got(builtin_terminal_run_statuses().begin(),
                                    builtin_terminal_run_statuses().end());
    const std::set<std::string> expected = {"succeeded", "failed", "cancelled", "timed_out",
                                            "interrupted"};
    EXPECT_EQ(got, expected);
    EXPECT_EQ(builtin_terminal_run_statuses().size(), 5u);
}
