// SPEC §3 actors, §4 access rules and §5 error codes: who may do what.
#include "core/access.hpp"

#include "support.hpp"

using namespace pc_test;

namespace {
const Actor kAgentActor = Actor::agent(kAgentA, kR, kCompany);
const Actor kBoardActor = Actor::board("user-1");
const Actor kOperatorActor = Actor::database_operator("ops_role");
const Actor kNoActor{};

const Membership kAdmin{"active", "admin"};
const Membership kMember{"active", "member"};
const Membership kViewer{"active", "viewer"};
const Membership kInactiveAdmin{"inactive", "admin"};
const Membership kInactiveViewer{"suspended", "viewer"};

void expect_forbidden(const std::function<void()>& fn, const std::string& message) {
    const PcError e = catch_pc_error(fn);
    EXPECT_EQ(e.code(), ErrorCode::Forbidden);
    EXPECT_EQ(sqlstate_of(e.code()), "PC403");
    EXPECT_EQ(msg_of(e), message);
}
}  // namespace

// ---- require_actor ----

TEST(RequireActor, NoActorIsRefusedWith403AndAHint) {
    const PcError e = catch_pc_error([] { require_actor(kNoActor); });
    EXPECT_EQ(e.code(), ErrorCode::Forbidden);
    EXPECT_EQ(msg_of(e), "no actor is set for this transaction");
    EXPECT_NE(e.hint().find("paperclip.set_actor_agent()"), std::string::npos);
    EXPECT_NE(e.hint().find("paperclip_operator"), std::string::npos);
}

TEST(RequireActor, EveryActorKindPasses) {
    EXPECT_NO_THROW(require_actor(kAgentActor));
    EXPECT_NO_THROW(require_actor(kBoardActor));
    EXPECT_NO_THROW(require_actor(kOperatorActor));
}

// ---- require_company_write ----

TEST(RequireCompanyWrite, OperatorWritesAnyCompanyWithoutMembership) {
    EXPECT_NO_THROW(require_company_write(kOperatorActor, kCompany, nullptr));
    EXPECT_NO_THROW(require_company_write(kOperatorActor, kOtherCompany, nullptr));
}

TEST(RequireCompanyWrite, AgentWritesItsOwnCompany) {
    EXPECT_NO_THROW(require_company_write(kAgentActor, kCompany, nullptr));
}

TEST(RequireCompanyWrite, AgentOfAnotherCompanyIsRefused) {
    expect_forbidden([] { require_company_write(kAgentActor, kOtherCompany, nullptr); },
                     "Agent key cannot access another company");
    // A membership row is irrelevant to an agent.
    expect_forbidden([] { require_company_write(kAgentActor, kOtherCompany, &kAdmin); },
                     "Agent key cannot access another company");
}

TEST(RequireCompanyWrite, BoardUserWithActiveWriteMembershipWrites) {
    EXPECT_NO_THROW(require_company_write(kBoardActor, kCompany, &kAdmin));
    EXPECT_NO_THROW(require_company_write(kBoardActor, kCompany, &kMember));
}

TEST(RequireCompanyWrite, BoardUserWithoutMembershipIsRefused) {
    expect_forbidden([] { require_company_write(kBoardActor, kCompany, nullptr); },
                     "User does not have access to this company");
}

TEST(RequireCompanyWrite, BoardUserWithInactiveMembershipIsRefused) {
    expect_forbidden([] { require_company_write(kBoardActor, kCompany, &kInactiveAdmin); },
                     "User does not have active company access");
    expect_forbidden([] { require_company_write(kBoardActor, kCompany, &kInactiveViewer); },
                     "User does not have active company access");
}

TEST(RequireCompanyWrite, ViewerIsReadOnly) {
    expect_forbidden([] { require_company_write(kBoardActor, kCompany, &kViewer); },
                     "Viewer access is read-only");
}

TEST(RequireCompanyWrite, NoActorIsRefused) {
    expect_forbidden([] { require_company_write(kNoActor, kCompany, &kAdmin); },
                     "no actor is set for this transaction");
}

// ---- require_board_or_operator (force-release) ----

TEST(RequireBoardOrOperator, BoardAndOperatorPass) {
    EXPECT_NO_THROW(require_board_or_operator(kBoardActor));
    EXPECT_NO_THROW(require_board_or_operator(kOperatorActor));
}

// Scenario 48.
TEST(RequireBoardOrOperator, AgentGets403BoardAccessRequired) {
    expect_forbidden([] { require_board_or_operator(kAgentActor); }, "Board access required");
    const PcError e = catch_pc_error([] { require_board_or_operator(kAgentActor); });
    EXPECT_EQ(e.detail(), "");
}

TEST(RequireBoardOrOperator, NoActorGets403) {
    expect_forbidden([] { require_board_or_operator(kNoActor); }, "Board access required");
}

// ---- require_assignable_agent (upstream assertAssignableAgent, scenario 22) ----

TEST(RequireAssignableAgent, UnknownAgentIs404) {
    const PcError e = catch_pc_error([] { require_assignable_agent(nullptr, kCompany); });
    EXPECT_EQ(e.code(), ErrorCode::NotFound);
    EXPECT_EQ(sqlstate_of(e.code()), "PC404");
    EXPECT_EQ(msg_of(e), "Assignee agent not found");
}

TEST(RequireAssignableAgent, AgentOfAnotherCompanyIs422) {
    const AgentInfo agent{kAgentA, kOtherCompany, "idle", "CodexCoder"};
    const PcError e = catch_pc_error([&] { require_assignable_agent(&agent, kCompany); });
    EXPECT_EQ(e.code(), ErrorCode::Unprocessable);
    EXPECT_EQ(msg_of(e), "Assignee must belong to same company");
}

TEST(RequireAssignableAgent, CompanyIsCheckedBeforeStatus) {
    const AgentInfo agent{kAgentA, kOtherCompany, "terminated", "CodexCoder"};
    const PcError e = catch_pc_error([&] { require_assignable_agent(&agent, kCompany); });
    EXPECT_EQ(e.code(), ErrorCode::Unprocessable);
}

TEST(RequireAssignableAgent, PendingApprovalAgentIs409) {
    const AgentInfo agent{kAgentA, kCompany, "pending_approval", "CodexCoder"};
    const PcError e = catch_pc_error([&] { require_assignable_agent(&agent, kCompany); });
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(msg_of(e), "Cannot assign work to pending approval agents");
}

TEST(RequireAssignableAgent, TerminatedAgentIs409) {
    const AgentInfo agent{kAgentA, kCompany, "terminated", "CodexCoder"};
    const PcError e = catch_pc_error([&] { require_assignable_agent(&agent, kCompany); });
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(msg_of(e), "Cannot assign work to terminated agents");
}

TEST(RequireAssignableAgent, OtherStatusesOfTheSameCompanyAreAssignable) {
    for (const char* status : {"idle", "running", "active", "paused", "error"}) {
        const AgentInfo agent{kAgentA, kCompany, status, "CodexCoder"};
        EXPECT_NO_THROW(require_assignable_agent(&agent, kCompany)) << status;
    }
}

// ---- require_live_run_of_agent: a checkout's run must exist, be the agent's, be live ----

TEST(RequireLiveRunOfAgent, MissingRunIs422) {
    const RunStatusPartition p = RunStatusPartition::seed();
    const PcError e = catch_pc_error([&] { require_live_run_of_agent(nullptr, kG, kAgentA, p); });
    EXPECT_EQ(e.code(), ErrorCode::Unprocessable);
    EXPECT_EQ(msg_of(e), "checkout run not found");
    EXPECT_EQ(e.detail(), "{\"runId\": " + q(kRunGS) + "}");
}

TEST(RequireLiveRunOfAgent, RunOfAnotherAgentIs422) {
    const RunStatusPartition p = RunStatusPartition::seed();
    const RunInfo run{kRB, kAgentB, kCompany, "running"};
    const PcError e = catch_pc_error([&] { require_live_run_of_agent(&run, kRB, kAgentA, p); });
    EXPECT_EQ(e.code(), ErrorCode::Unprocessable);
    EXPECT_EQ(msg_of(e), "checkout run belongs to another agent");
    EXPECT_EQ(e.detail(), "{\"runId\": " + q(kRunRBS) + ", \"runAgentId\": " + q(kAgentBS) +
                              ", \"agentId\": " + q(kAgentAS) + "}");
}

TEST(RequireLiveRunOfAgent, TerminalRunIs422) {
    const RunStatusPartition p = RunStatusPartition::seed();
    const RunInfo run{kF, kAgentA, kCompany, "failed"};
    const PcError e = catch_pc_error([&] { require_live_run_of_agent(&run, kF, kAgentA, p); });
    EXPECT_EQ(e.code(), ErrorCode::Unprocessable);
    EXPECT_EQ(msg_of(e), "checkout run is not live");
    EXPECT_EQ(e.detail(), "{\"runId\": " + q(kRunFS) + ", \"runStatus\": \"failed\"}");
}

TEST(RequireLiveRunOfAgent, HoldingAndUnknownStatusesAreLive) {
    const RunStatusPartition p = RunStatusPartition::seed();
    for (const char* status : {"running", "queued", "scheduled_retry", "provisioning"}) {
        const RunInfo run{kR, kAgentA, kCompany, status};
        EXPECT_NO_THROW(require_live_run_of_agent(&run, kR, kAgentA, p)) << status;
    }
}

TEST(RequireLiveRunOfAgent, OperatorAddedTerminalStatusIsNotLive) {
    const RunInfo run{kE, kAgentA, kCompany, "adapter_failed"};
    EXPECT_NO_THROW(require_live_run_of_agent(&run, kE, kAgentA, RunStatusPartition::seed()));
    const RunStatusPartition extended{extended_terminal_set()};
    const PcError e = catch_pc_error([&] { require_live_run_of_agent(&run, kE, kAgentA, extended); });
    EXPECT_EQ(msg_of(e), "checkout run is not live");
}

// ---- agent_run_of: an agent acts with its run (401 without one) ----

TEST(AgentRunOf, UsesTheActorRunWhenNoneIsNamed) {
    EXPECT_EQ(agent_run_of(Actor::agent(kAgentA, kR, kCompany), std::nullopt), kR);
}

TEST(AgentRunOf, AcceptsTheActorRunWhenNamed) {
    EXPECT_EQ(agent_run_of(Actor::agent(kAgentA, kR, kCompany), kR), kR);
}

// The run is part of the agent actor: an agent set up without one cannot name
// a run per call and act as it (SPEC §3, §5: PC401).
TEST(AgentRunOf, ANamedRunDoesNotStandInForTheActorsMissingRun) {
    const PcError e = catch_pc_error([] { agent_run_of(Actor::agent(kAgentA, std::nullopt, kCompany), kR2); });
    EXPECT_EQ(e.code(), ErrorCode::Unauthorized);
    EXPECT_EQ(msg_of(e), "Agent run id required");
}

TEST(AgentRunOf, TheActorsOwnRunIsUsed) {
    EXPECT_EQ(agent_run_of(Actor::agent(kAgentA, kR, kCompany), std::nullopt), kR);
    EXPECT_EQ(agent_run_of(Actor::agent(kAgentA, kR, kCompany), kR), kR);
}

TEST(AgentRunOf, AnotherRunThanTheActorsIs403) {
    const PcError e = catch_pc_error([] { agent_run_of(Actor::agent(kAgentA, kR, kCompany), kR2); });
    EXPECT_EQ(e.code(), ErrorCode::Forbidden);
    EXPECT_EQ(msg_of(e), "agent can only act with its own run");
    EXPECT_EQ(e.detail(), "{\"actorRunId\": " + q(kRunRS) + ", \"runId\": " + q(kRunR2S) + "}");
}

// Scenarios 25 and 33.
TEST(AgentRunOf, NoRunAtAllIs401AgentRunIdRequired) {
    const PcError e = catch_pc_error([] { agent_run_of(Actor::agent(kAgentA, std::nullopt, kCompany), std::nullopt); });
    EXPECT_EQ(e.code(), ErrorCode::Unauthorized);
    EXPECT_EQ(sqlstate_of(e.code()), "PC401");
    EXPECT_EQ(msg_of(e), "Agent run id required");
    EXPECT_EQ(e.detail(), "");
}

// ---- actors and their audit columns (SPEC §3) ----

TEST(ActorKinds, FactoriesSetKindAndFields) {
    EXPECT_TRUE(kAgentActor.is_agent());
    EXPECT_EQ(kAgentActor.agent_id, kAgentA);
    EXPECT_EQ(kAgentActor.run_id, OptUuid(kR));
    EXPECT_EQ(kAgentActor.agent_company_id, kCompany);
    EXPECT_TRUE(kBoardActor.is_board());
    EXPECT_EQ(kBoardActor.user_id, "user-1");
    EXPECT_TRUE(kOperatorActor.is_operator());
    EXPECT_EQ(kOperatorActor.role_name, "ops_role");
    EXPECT_EQ(kNoActor.kind, Actor::Kind::None);
    EXPECT_STREQ(kAgentActor.kind_name(), "agent");
    EXPECT_STREQ(kBoardActor.kind_name(), "board");
    EXPECT_STREQ(kOperatorActor.kind_name(), "operator");
    EXPECT_STREQ(kNoActor.kind_name(), "none");
}

TEST(AuditActor, AgentIsAuditedAsAgentWithItsRun) {
    const AuditActor a = audit_actor_of(kAgentActor);
    EXPECT_EQ(a.actor_type, "agent");
    EXPECT_EQ(a.actor_id, kAgentAS);
    EXPECT_EQ(a.agent_id, OptUuid(kAgentA));
    EXPECT_EQ(a.run_id, OptUuid(kR));
}

TEST(AuditActor, BoardUserIsAuditedAsUser) {
    const AuditActor a = audit_actor_of(kBoardActor);
    EXPECT_EQ(a.actor_type, "user");
    EXPECT_EQ(a.actor_id, "user-1");
    EXPECT_EQ(a.agent_id, std::nullopt);
    EXPECT_EQ(a.run_id, std::nullopt);
}

TEST(AuditActor, OperatorIsAuditedAsUserNamedAfterItsRole) {
    const AuditActor a = audit_actor_of(kOperatorActor);
    EXPECT_EQ(a.actor_type, "user");
    EXPECT_EQ(a.actor_id, "ops_role");
    EXPECT_EQ(a.agent_id, std::nullopt);
}

TEST(AuditActor, NoActorIsAuditedAsSystem) {
    const AuditActor a = audit_actor_of(kNoActor);
    EXPECT_EQ(a.actor_type, "system");
    EXPECT_EQ(a.actor_id, "system");
}
