// The rules every write to an issue obeys (SPEC §6), as the triggers apply them.
#include <gtest/gtest.h>

#include "core/write_gate.hpp"
#include "support.hpp"

using namespace paperclip::core;
using namespace pc_test;

namespace {

Actor agent_a(bool manages = false) {
    Actor a = Actor::agent(kAgentA, kR, kCompany);
    a.agent_name_key = "alpha";
    a.manages_active_checkouts = manages;
    return a;
}


}  // namespace

// [35] another agent's in_progress issue: 409 with upstream's details.
TEST(AgentGate, AnotherAgentsInProgressIssueIs409) {
    const IssueState s = make_locked("in_progress", kAgentB, kRB, kRB);
    const PcError e = catch_pc_error([&] { agent_gate(s, agent_a()); });
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(msg_of(e), "Issue is checked out by another agent");
    EXPECT_EQ(e.detail(), "{\"issueId\": " + q(kIssueS) + ", \"assigneeAgentId\": " + q(kAgentBS) +
                              ", \"actorAgentId\": " + q(kAgentAS) + "}");
}

// [36] another agent's issue in any other status: 403.
TEST(AgentGate, AnotherAgentsTodoIssueIs403WithSecurityPrinciples) {
    const IssueState s = make_issue("todo", kAgentB);
    const PcError e = catch_pc_error([&] { agent_gate(s, agent_a()); });
    EXPECT_EQ(e.code(), ErrorCode::Forbidden);
    EXPECT_EQ(msg_of(e), "Agent cannot mutate another agent's issue");
    EXPECT_NE(e.detail().find("\"securityPrinciples\": [\"Least Privilege\", \"Complete Mediation\", \"Fail Securely\"]"),
              std::string::npos);
}

// [37] tasks:manage_active_checkouts overrides.
TEST(AgentGate, ManageActiveCheckoutsPasses) {
    EXPECT_EQ(agent_gate(make_locked("in_progress", kAgentB, kRB, kRB), agent_a(true)), AgentGate::Pass);
}

TEST(AgentGate, OwnInProgressIssueNeedsTheOwnershipCheck) {
    EXPECT_EQ(agent_gate(make_issue("in_progress", kAgentA), agent_a()), AgentGate::CheckOwnership);
}

// [34] no ownership check outside in_progress; unassigned issues pass.
TEST(AgentGate, OwnIssueOutsideInProgressAndUnassignedIssuesPass) {
    EXPECT_EQ(agent_gate(make_issue("todo", kAgentA), agent_a()), AgentGate::Pass);
    EXPECT_EQ(agent_gate(make_issue("in_progress"), agent_a()), AgentGate::Pass);
}

TEST(AgentGate, IssueOfAnotherCompanyIs403) {
    IssueState s = make_issue("todo");
    s.company_id = kOtherCompany;
    const PcError e = catch_pc_error([&] { agent_gate(s, agent_a()); });
    EXPECT_EQ(e.code(), ErrorCode::Forbidden);
    EXPECT_EQ(msg_of(e), "Agent key cannot access another company");
}

TEST(LockColumns, AnyOfTheFourDiffers) {
    const IssueState base = make_locked("in_progress", kAgentA, kR, kR);
    EXPECT_FALSE(lock_columns_differ(base, base));
    IssueState t = base;
    t.checkout_run_id.reset();
    EXPECT_TRUE(lock_columns_differ(base, t));
    t = base;
    t.execution_agent_name_key = "other";
    EXPECT_TRUE(lock_columns_differ(base, t));
    t = base;
    t.status = "in_review";  // not a lock column
    EXPECT_FALSE(lock_columns_differ(base, t));
}

TEST(LockColumns, OnlyAnOperatorWritesThemDirectly) {
    EXPECT_NO_THROW(refuse_direct_lock_write(Actor::database_operator("dba")));
    const PcError e = catch_pc_error([] { refuse_direct_lock_write(Actor::board("u")); });
    EXPECT_EQ(e.code(), ErrorCode::Forbidden);
    EXPECT_EQ(msg_of(e), "lock columns change only through paperclip functions");
}

// [39] leaving in_progress clears the four lock columns.
TEST(IssueRules, LeavingInProgressClearsTheLocks) {
    const IssueState before = make_locked("in_progress", kAgentA, kR, kR);
    IssueState after = before;
    after.status = "in_review";
    const IssueState r = apply_issue_rules(&before, after, false, kNow);
    EXPECT_FALSE(r.checkout_run_id);
    EXPECT_FALSE(r.execution_run_id);
    EXPECT_FALSE(r.execution_agent_name_key);
    EXPECT_FALSE(r.execution_locked_at);
}

// [39] a new assignee clears them too; an operator's explicit write keeps them.
TEST(IssueRules, ChangingTheAssigneeClearsTheLocksUnlessAnOperatorWroteThem) {
    const IssueState before = make_locked("in_progress", kAgentA, kR, kR);
    IssueState after = before;
    after.assignee_agent_id = kAgentB;
    EXPECT_FALSE(apply_issue_rules(&before, after, false, kNow).checkout_run_id);
    EXPECT_EQ(apply_issue_rules(&before, after, true, kNow).checkout_run_id, OptUuid(kR));
}

// A title edit of a todo issue keeps a scheduler's execution lock.
TEST(IssueRules, UnrelatedEditsKeepTheLocks) {
    const IssueState before = make_locked("todo", kAgentA, std::nullopt, kL);
    EXPECT_EQ(apply_issue_rules(&before, before, false, kNow).execution_run_id, OptUuid(kL));
}

// [40]
TEST(IssueRules, InProgressNeedsAnAssignee) {
    const IssueState before = make_issue("todo");
    IssueState after = before;
    after.status = "in_progress";
    const PcError e = catch_pc_error([&] { apply_issue_rules(&before, after, false, kNow); });
    EXPECT_EQ(e.code(), ErrorCode::Unprocessable);
    EXPECT_EQ(msg_of(e), "in_progress issues require an assignee");
}

// [40]
TEST(IssueRules, AtMostOneAssignee) {
    IssueState after = make_issue("todo", kAgentA);
    after.assignee_user_id = "user-1";
    const PcError e = catch_pc_error([&] { apply_issue_rules(nullptr, after, false, kNow); });
    EXPECT_EQ(e.code(), ErrorCode::Unprocessable);
    EXPECT_EQ(msg_of(e), "Issue can only have one assignee");
}

TEST(IssueRules, UnknownStatusIs400) {
    IssueState after = make_issue("open");
    const PcError e = catch_pc_error([&] { apply_issue_rules(nullptr, after, false, kNow); });
    EXPECT_EQ(e.code(), ErrorCode::BadRequest);
}

TEST(IssueRules, StatusSideEffects) {
    IssueState before = make_issue("todo", kAgentA);
    IssueState after = before;
    after.status = "in_progress";
    IssueState r = apply_issue_rules(&before, after, false, kNow);
    EXPECT_EQ(r.started_at, OptTimestamp(kNow));
    before = r;
    after = r;
    after.status = "done";
    r = apply_issue_rules(&before, after, false, kNow + 1);
    EXPECT_EQ(r.completed_at, OptTimestamp(kNow + 1));
    EXPECT_FALSE(r.cancelled_at);
    before = r;
    after = r;
    after.status = "cancelled";
    r = apply_issue_rules(&before, after, false, kNow + 2);
    EXPECT_EQ(r.cancelled_at, OptTimestamp(kNow + 2));
    EXPECT_FALSE(r.completed_at);
    before = r;
    after = r;
    after.status = "todo";
    r = apply_issue_rules(&before, after, false, kNow + 3);
    EXPECT_FALSE(r.cancelled_at);
    EXPECT_FALSE(r.completed_at);
}

// execution_run_id IS NULL implies its companions are NULL.
TEST(IssueRules, ExecutionCompanionsFollowTheRun) {
    IssueState s = make_locked("todo", kAgentA, std::nullopt, kL);
    s.execution_run_id.reset();
    const IssueState r = apply_issue_rules(nullptr, s, true, kNow);
    EXPECT_FALSE(r.execution_agent_name_key);
    EXPECT_FALSE(r.execution_locked_at);
}

// SPEC §6 comments: the company of the comment, then access, then the author.
TEST(CommentRules, CompanyThenAccessThenAuthor) {
    const IssueState issue = make_issue("todo");
    const Actor agent = Actor::agent(kAgentA, kR, kCompany);
    const Actor outsider = Actor::agent(kAgentA, kR, kOtherCompany);
    const Actor board = Actor::board("user-1");
    const Membership admin{"active", "admin"};
    // Everything wrong: the company of the comment is reported first.
    PcError e = catch_pc_error([&] { check_comment(outsider, issue, kOtherCompany, std::nullopt, kAgentB, std::nullopt); });
    EXPECT_EQ(e.code(), ErrorCode::Unprocessable);
    EXPECT_EQ(msg_of(e), msg::kCommentOtherCompany);
    e = catch_pc_error([&] { check_comment(outsider, issue, kCompany, std::nullopt, kAgentB, std::nullopt); });
    EXPECT_EQ(msg_of(e), msg::kAgentOtherCompany);
    e = catch_pc_error([&] { check_comment(agent, issue, kCompany, std::nullopt, kAgentB, std::nullopt); });
    EXPECT_EQ(msg_of(e), msg::kCommentAsItself);
    e = catch_pc_error([&] { check_comment(agent, issue, kCompany, std::nullopt, std::nullopt, std::string("user-1")); });
    EXPECT_EQ(msg_of(e), msg::kCommentAsItself);
    EXPECT_NO_THROW(check_comment(agent, issue, kCompany, std::nullopt, kAgentA, std::nullopt));
    EXPECT_NO_THROW(check_comment(agent, issue, kCompany, std::nullopt, std::nullopt, std::nullopt));
    // A board user: membership first, then the author.
    e = catch_pc_error([&] { check_comment(board, issue, kCompany, std::nullopt, std::nullopt, std::string("user-2")); });
    EXPECT_EQ(msg_of(e), msg::kNoCompanyAccess);
    e = catch_pc_error([&] { check_comment(board, issue, kCompany, admin, std::nullopt, std::string("user-2")); });
    EXPECT_EQ(e.code(), ErrorCode::Forbidden);
    EXPECT_EQ(msg_of(e), msg::kBoardCommentAsItself);
    e = catch_pc_error([&] { check_comment(board, issue, kCompany, admin, kAgentA, std::nullopt); });
    EXPECT_EQ(msg_of(e), msg::kBoardCommentAsItself);
    EXPECT_NO_THROW(check_comment(board, issue, kCompany, admin, std::nullopt, std::string("user-1")));
    EXPECT_NO_THROW(check_comment(board, issue, kCompany, admin, std::nullopt, std::nullopt));
}

// SPEC §6/§10 runs: an agent writes only its own runs, in its own company;
// a board user needs write access to the run's company.
TEST(RunWriteRules, AgentOwnRunsOnlyBoardNeedsAccess) {
    const Actor agent = Actor::agent(kAgentA, kR, kCompany);
    const Membership admin{"active", "admin"};
    PcError e = catch_pc_error([&] { check_run_write(agent, kAgentB, kOtherCompany, std::nullopt); });
    EXPECT_EQ(e.code(), ErrorCode::Forbidden);
    EXPECT_EQ(msg_of(e), msg::kOtherAgentsRun);
    e = catch_pc_error([&] { check_run_write(agent, kAgentA, kOtherCompany, std::nullopt); });
    EXPECT_EQ(msg_of(e), msg::kAgentOtherCompany);
    EXPECT_NO_THROW(check_run_write(agent, kAgentA, kCompany, std::nullopt));
    const Actor board = Actor::board("user-1");
    e = catch_pc_error([&] { check_run_write(board, kAgentA, std::nullopt, admin); });
    EXPECT_EQ(e.code(), ErrorCode::BadRequest);
    e = catch_pc_error([&] { check_run_write(board, kAgentA, kCompany, std::nullopt); });
    EXPECT_EQ(msg_of(e), msg::kNoCompanyAccess);
    EXPECT_NO_THROW(check_run_write(board, kAgentB, kCompany, admin));
    EXPECT_NO_THROW(check_run_write(Actor::database_operator("ops"), kAgentB, kCompany, std::nullopt));
}
