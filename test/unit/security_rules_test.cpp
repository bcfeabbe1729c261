// The rules the attack on 1.0 found missing (issue 12; SPEC §6, §10), as
// decisions of the core: run end per company and per column, adoption of an
// unowned lock on the record, the integrity rules every writer obeys, and
// echoed input values cut at 256 characters.
#include "core/write_gate.hpp"
#include "support.hpp"

using namespace pc_test;

namespace {

RunInfo ended(const Uuid& id, const Uuid& company = kCompany) { return {id, kAgentA, company, "failed"}; }

}  // namespace

// SPEC §6: where checkout_run_id is the run, only checkout_run_id is cleared;
// a newer run holding execution_run_id keeps it.
TEST(ReleaseEndedRun, CheckoutColumnOnlyNewerExecutionRunKeepsIt) {
    const IssueState issue = make_locked("in_progress", kAgentA, kF, kR);
    const Outcome out = release_ended_run(issue, ended(kF), "run_terminal");
    EXPECT_TRUE(out.write);
    EXPECT_FALSE(out.result.checkout_run_id);
    EXPECT_EQ(out.result.execution_run_id, kR);
    EXPECT_EQ(out.result.execution_agent_name_key, std::optional<std::string>(kOldNameKey));
    ASSERT_EQ(out.clearings.size(), 1u);
    EXPECT_EQ(out.clearings[0].lock, LockClearing::Lock::Checkout);
    ASSERT_EQ(out.audit.size(), 1u);
    EXPECT_EQ(out.audit[0].action, action::kStaleLockCleared);
}

// Where execution_run_id is the run, the three execution columns are cleared
// and the checkout column of another run stays.
TEST(ReleaseEndedRun, ExecutionColumnsOnly) {
    const IssueState issue = make_locked("in_progress", kAgentA, kR, kF);
    const Outcome out = release_ended_run(issue, ended(kF), "run_terminal");
    EXPECT_EQ(out.result.checkout_run_id, kR);
    EXPECT_FALSE(out.result.execution_run_id);
    EXPECT_FALSE(out.result.execution_agent_name_key);
    EXPECT_FALSE(out.result.execution_locked_at);
    ASSERT_EQ(out.clearings.size(), 1u);
    EXPECT_EQ(out.clearings[0].lock, LockClearing::Lock::Execution);
}

// Both columns naming the run: both cleared, each on the record.
TEST(ReleaseEndedRun, BothColumnsTwoClearings) {
    const Outcome out = release_ended_run(make_locked("in_progress", kAgentA, kF, kF), ended(kF), "run_terminal");
    EXPECT_FALSE(out.result.checkout_run_id);
    EXPECT_FALSE(out.result.execution_run_id);
    EXPECT_EQ(out.clearings.size(), 2u);
    EXPECT_EQ(out.audit.size(), 2u);
}

// Only issues of the run's own company are touched.
TEST(ReleaseEndedRun, AnotherCompanysIssueIsLeftAlone) {
    const IssueState issue = make_locked("in_progress", kAgentA, kF, kF);
    const Outcome out = release_ended_run(issue, ended(kF, kOtherCompany), "run_terminal");
    EXPECT_FALSE(out.write);
    EXPECT_EQ(out.result, issue);
    EXPECT_TRUE(out.audit.empty());
}

// SPEC §10: every lock the ownership gate adopts writes an audit row.
TEST(OwnershipGate, AdoptingAnUnownedLockIsRecorded) {
    World w;
    const IssueState issue = make_issue("in_progress", kAgentA);
    const OwnershipOutcome out = check_ownership(issue, kAgentA, kR, kNameKeyA, kNow, w.rules, "ownership_gate");
    EXPECT_TRUE(out.write);
    EXPECT_EQ(out.result.checkout_run_id, kR);
    ASSERT_EQ(out.audit.size(), 1u);
    EXPECT_EQ(out.audit[0].action, action::kCheckoutLockAdopted);
    EXPECT_EQ(out.audit[0].details.str(),
              std::string("{\"previousCheckoutRunId\": null, \"checkoutRunId\": ") + q(kRunRS) +
                  ", \"reason\": \"unowned_checkout\"}");
}

TEST(Integrity, PrimaryKeysNeverChange) {
    EXPECT_NO_THROW(require_primary_key_unchanged("issues", kIssue, kIssue));
    const PcError e = catch_pc_error([] { require_primary_key_unchanged("issues", kIssue, kBlocker1); });
    EXPECT_EQ(e.code(), ErrorCode::Unprocessable);
    EXPECT_EQ(e.detail(), std::string("{\"table\": \"issues\", \"id\": ") + q(kIssueS) + ", \"newId\": " + q(kBlocker1S) + "}");
}

TEST(Integrity, LockColumnNamesARunOfTheIssuesCompany) {
    const IssueState issue = make_issue("todo");
    const RunInfo own{kR, kAgentA, kCompany, "running"};
    const RunInfo other{kRB, kAgentB, kOtherCompany, "running"};
    EXPECT_NO_THROW(require_lock_run_in_company(issue, "checkout_run_id", kR, &own));
    EXPECT_NO_THROW(require_lock_run_in_company(issue, "checkout_run_id", kG, nullptr));  // the foreign key's case
    const PcError e = catch_pc_error([&] { require_lock_run_in_company(issue, "execution_run_id", kRB, &other); });
    EXPECT_EQ(e.code(), ErrorCode::Unprocessable);
    EXPECT_EQ(msg_of(e), msg::kLockRunOtherCompany);
}

TEST(Integrity, RunBelongsToItsAgentsCompany) {
    const AgentInfo a{kAgentA, kCompany, "idle", "CodexCoder", false};
    EXPECT_NO_THROW(require_run_in_agent_company(kCompany, kAgentA, &a));
    EXPECT_EQ(catch_pc_error([&] { require_run_in_agent_company(kOtherCompany, kAgentA, &a); }).code(),
              ErrorCode::Unprocessable);
}

TEST(Integrity, RelationStaysWithinOneCompany) {
    IssueState mine = make_issue("todo");
    IssueState theirs = make_issue("todo");
    theirs.id = kBlocker1;
    theirs.company_id = kOtherCompany;
    EXPECT_NO_THROW(require_relation_in_one_company(kCompany, kIssue, mine, kIssue, mine));
    EXPECT_EQ(catch_pc_error([&] { require_relation_in_one_company(kCompany, kIssue, mine, kBlocker1, theirs); }).code(),
              ErrorCode::Unprocessable);
    EXPECT_EQ(catch_pc_error([&] { require_relation_in_one_company(kCompany, kBlocker1, theirs, kIssue, mine); }).code(),
              ErrorCode::Unprocessable);
    EXPECT_EQ(catch_pc_error([&] { require_relation_in_one_company(kCompany, kIssue, mine, kG, std::nullopt); }).code(),
              ErrorCode::NotFound);
}

TEST(Integrity, CommentsChangeOnlyTheirBodyAndOnlyTheAuthorAgent) {
    const Actor a = Actor::agent(kAgentA, kR, kCompany);
    const Actor b = Actor::agent(kAgentB, kRB, kCompany);
    const Actor board = Actor::board("board-user");
    const CommentRow by_a{kIssue, kCompany, kAgentA, std::nullopt};
    EXPECT_NO_THROW(require_comment_change_allowed(a, by_a, &by_a));
    EXPECT_NO_THROW(require_comment_change_allowed(a, by_a, nullptr));
    EXPECT_NO_THROW(require_comment_change_allowed(board, by_a, &by_a));
    EXPECT_EQ(msg_of(catch_pc_error([&] { require_comment_change_allowed(b, by_a, nullptr); })), msg::kCommentOthersComment);
    CommentRow moved = by_a;
    moved.author_agent_id = kAgentB;
    EXPECT_EQ(msg_of(catch_pc_error([&] { require_comment_change_allowed(a, by_a, &moved); })), msg::kCommentColumnsFixed);
    moved = by_a;
    moved.company_id = kOtherCompany;
    EXPECT_EQ(msg_of(catch_pc_error([&] { require_comment_change_allowed(board, by_a, &moved); })), msg::kCommentColumnsFixed);
    EXPECT_NO_THROW(require_comment_change_allowed(Actor::database_operator("dba"), by_a, &moved));
}

TEST(Integrity, AuditRowsOnlyInOnesOwnName) {
    const Actor a = Actor::agent(kAgentA, kR, kCompany);
    EXPECT_NO_THROW(require_audit_row_in_own_name(a, kAgentA, kR));
    EXPECT_NO_THROW(require_audit_row_in_own_name(a, std::nullopt, std::nullopt));
    EXPECT_EQ(catch_pc_error([&] { require_audit_row_in_own_name(a, kAgentB, std::nullopt); }).code(), ErrorCode::Forbidden);
    EXPECT_EQ(catch_pc_error([&] { require_audit_row_in_own_name(a, kAgentA, kR2); }).code(), ErrorCode::Forbidden);
    const Actor board = Actor::board("board-user");
    EXPECT_NO_THROW(require_audit_row_in_own_name(board, std::nullopt, std::nullopt));
    EXPECT_EQ(catch_pc_error([&] { require_audit_row_in_own_name(board, kAgentA, std::nullopt); }).code(), ErrorCode::Forbidden);
    EXPECT_NO_THROW(require_audit_row_in_own_name(Actor::database_operator("dba"), kAgentA, kR));
}

// SPEC §10: at most 256 characters of an input value, marked as cut; UTF-8
// characters are never split.
TEST(EchoInput, CutAt256CharactersMarked) {
    EXPECT_EQ(echo_input(std::string(256, 'x')), std::string(256, 'x'));
    EXPECT_EQ(echo_input(std::string(257, 'x')), std::string(256, 'x') + "... (cut)");
    std::string e;
    for (int i = 0; i < 300; ++i) e += "\xc3\xa9";  // é
    std::string expected;
    for (int i = 0; i < 256; ++i) expected += "\xc3\xa9";
    EXPECT_EQ(echo_input(e), expected + "... (cut)");
    EXPECT_EQ(echo_input(std::string(1 << 20, '\x01')).size(), 256u + 9u);
}
