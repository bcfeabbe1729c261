#include <gtest/gtest.h>

#include "core/vocabulary.hpp"

using namespace paperclip::core;

// SPEC §2: normalized agent name key.
TEST(NameKey, LowerCasesAndDropsNonAlphanumerics) {
    EXPECT_EQ(normalize_agent_name_key("CodexCoder"), "codexcoder");
    EXPECT_EQ(normalize_agent_name_key("Claude Code-2 (beta)"), "claudecode2beta");
    EXPECT_EQ(normalize_agent_name_key(""), "");
}
