#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

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

// The terminal-status table is the only runtime source; the C++ list is its
// seed. Every install script must insert exactly the seed as its built-in rows.
namespace {
std::set<std::string> builtin_rows_of(const std::string& script) {
    std::ifstream in(script);
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    const std::string insert = "INSERT INTO @extschema@.terminal_run_statuses (status, builtin, note) VALUES";
    const std::size_t start = s.find(insert);
    if (start == std::string::npos) return {};
    const std::size_t end = s.find(';', start);
    const std::regex row(R"re(\('([a-z_]+)',\s*true\s*,)re");
    std::set<std::string> out;
    const std::string values = s.substr(start, end - start);
    for (std::sregex_iterator it(values.begin(), values.end(), row), last; it != last; ++it)
        out.insert((*it)[1]);
    return out;
}
}  // namespace

TEST(TerminalRunStatuses, EveryInstallScriptSeedsExactlyTheBuiltinList) {
    const std::set<std::string> seed(builtin_terminal_run_statuses().begin(),
                                     builtin_terminal_run_statuses().end());
    int scripts = 0;
    const std::regex install_script(R"(paperclip_locks--[0-9.]+\.sql)");
    for (const auto& entry : std::filesystem::directory_iterator(std::string(PAPERCLIP_SOURCE_DIR) + "/sql")) {
        const std::string name = entry.path().filename().string();
        if (!std::regex_match(name, install_script)) continue;
        ++scripts;
        EXPECT_EQ(builtin_rows_of(entry.path().string()), seed) << name;
    }
    EXPECT_GE(scripts, 1) << "no install script found under sql/";
}
