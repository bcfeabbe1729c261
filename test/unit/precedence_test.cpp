// The order in which each operation's preconditions fail is part of its
// decision (STYLE: "tested as a table, never an accident of statement
// order"). Each table starts from an input where every precondition fails,
// expects the first error, repairs that one precondition, and moves on;
// after the last row the operation succeeds.
#include <functional>

#include "support.hpp"

using namespace pc_test;

namespace {

const RunStatusPartition kSeed = RunStatusPartition::seed();

template <typename Input>
struct Step {
    ErrorCode code;
    std::string message;
    std::function<void(Input&)> repair;  // what makes this precondition pass
};

template <typename Input, typename Decide>
void expect_precedence(Input input, const std::vector<Step<Input>>& steps, Decide decide) {
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const PcError e = catch_pc_error([&] { decide(input); });
        EXPECT_EQ(e.code(), steps[i].code) << "row " << i << ": " << steps[i].message;
        EXPECT_EQ(msg_of(e), steps[i].message) << "row " << i;
        steps[i].repair(input);
    }
    EXPECT_NO_THROW(decide(input)) << "every precondition repaired";
}

IssueContext broken_context() {
    IssueContext ctx;
    ctx.actor = Actor{};       // no actor
    ctx.issue = std::nullopt;  // no such issue
    ctx.partition = &kSeed;
    ctx.now = kNow;
    return ctx;
}

std::vector<RunInfo> runs_with(const Uuid& id, const Uuid& agent, const Uuid& company, const char* status) {
    return {{id, agent, company, status}};
}

}  // namespace

TEST(Precedence, Checkout) {
    CheckoutInput in;
    in.context = broken_context();
    in.agent_id = kAgentB;  // not the actor
    in.expected_statuses = {};
    in.run_id = kR2;  // not the actor's run
    in.unresolved_blocker_ids = {kBlocker1};
    using S = Step<CheckoutInput>;
    expect_precedence(in, std::vector<S>{
        {ErrorCode::BadRequest, msg::kValidation, [](auto& i) { i.expected_statuses = {"todo"}; }},
        {ErrorCode::Forbidden, msg::kNoActor,
         [](auto& i) { i.context.actor = Actor::agent(kAgentA, std::nullopt, kOtherCompany); }},
        {ErrorCode::NotFound, msg::kIssueNotFound,
         [](auto& i) { i.context.issue = make_issue("in_progress", kAgentB); }},
        {ErrorCode::Forbidden, msg::kAgentOtherCompany,
         [](auto& i) { i.context.actor = Actor::agent(kAgentA, std::nullopt, kCompany); }},
        {ErrorCode::Forbidden, msg::kCheckoutAsItself, [](auto& i) { i.agent_id = kAgentA; }},
        {ErrorCode::Unauthorized, msg::kRunIdRequired,
         [](auto& i) { i.context.actor = Actor::agent(kAgentA, kR, kCompany); }},
        {ErrorCode::Forbidden, msg::kOwnRunOnly, [](auto& i) { i.run_id = std::nullopt; }},
        {ErrorCode::NotFound, msg::kAssigneeAgentNotFound,
         [](auto& i) { i.agent = AgentInfo{kAgentA, kOtherCompany, "pending_approval", "CodexCoder"}; }},
        {ErrorCode::Unprocessable, msg::kAssigneeOtherCompany, [](auto& i) { i.agent->company_id = kCompany; }},
        {ErrorCode::Conflict, msg::kPendingApprovalAgent, [](auto& i) { i.agent->status = "terminated"; }},
        {ErrorCode::Conflict, msg::kTerminatedAgent, [](auto& i) { i.agent->status = "active"; }},
        {ErrorCode::Unprocessable, msg::kCheckoutRunNotFound,
         [](auto& i) { i.context.runs = RunSet(runs_with(kR, kAgentB, kCompany, "running")); }},
        {ErrorCode::Unprocessable, msg::kCheckoutRunOtherAgent,
         [](auto& i) { i.context.runs = RunSet(runs_with(kR, kAgentA, kCompany, "failed")); }},
        {ErrorCode::Unprocessable, msg::kCheckoutRunNotLive,
         [](auto& i) { i.context.runs = RunSet(runs_with(kR, kAgentA, kCompany, "running")); }},
        {ErrorCode::Unprocessable, msg::kBlocked, [](auto& i) { i.unresolved_blocker_ids.clear(); }},
        {ErrorCode::Conflict, msg::kCheckoutConflict, [](auto& i) { i.context.issue = make_issue("todo"); }},
    }, [](const CheckoutInput& i) { decide_checkout(i); });
}

TEST(Precedence, CheckoutByABoardUser) {
    CheckoutInput in;
    in.context = broken_context();
    in.context.actor = Actor::board("user-1");
    in.context.issue = make_issue("todo");
    in.agent_id = kAgentA;
    in.expected_statuses = {"todo"};
    in.agent = AgentInfo{kAgentA, kCompany, "active", "CodexCoder"};
    using S = Step<CheckoutInput>;
    expect_precedence(in, std::vector<S>{
        {ErrorCode::Forbidden, msg::kNoCompanyAccess,
         [](auto& i) { i.context.membership = Membership{"suspended", "admin"}; }},
        {ErrorCode::Forbidden, msg::kInactiveCompanyAccess,
         [](auto& i) { i.context.membership = Membership{"active", "viewer"}; }},
        {ErrorCode::Forbidden, msg::kViewerReadOnly,
         [](auto& i) { i.context.membership = Membership{"active", "member"}; }},
    }, [](const CheckoutInput& i) { decide_checkout(i); });
}

TEST(Precedence, Release) {
    ReleaseInput in;
    in.context = broken_context();
    in.agent_id = kAgentB;
    in.run_id = kR2;
    using S = Step<ReleaseInput>;
    expect_precedence(in, std::vector<S>{
        {ErrorCode::Forbidden, msg::kNoActor,
         [](auto& i) { i.context.actor = Actor::agent(kAgentA, std::nullopt, kOtherCompany); }},
        {ErrorCode::NotFound, msg::kIssueNotFound,
         [](auto& i) { i.context.issue = make_locked("in_progress", kAgentB, kL, kL); }},
        {ErrorCode::Forbidden, msg::kAgentOtherCompany,
         [](auto& i) { i.context.actor = Actor::agent(kAgentA, std::nullopt, kCompany); }},
        {ErrorCode::Forbidden, msg::kReleaseAsItself, [](auto& i) { i.agent_id = std::nullopt; }},
        {ErrorCode::Unauthorized, msg::kRunIdRequired,
         [](auto& i) { i.context.actor = Actor::agent(kAgentA, kR, kCompany); }},
        {ErrorCode::Forbidden, msg::kOwnRunOnly, [](auto& i) { i.run_id = kR; }},
        {ErrorCode::Conflict, msg::kOnlyAssigneeRelease, [](auto& i) {
             i.context.issue = make_locked("in_progress", kAgentA, kL, kL);
             i.context.runs = RunSet(runs_with(kL, kAgentA, kCompany, "running"));
         }},
        {ErrorCode::Conflict, msg::kOnlyCheckoutRunRelease,
         [](auto& i) { i.context.runs = RunSet(runs_with(kL, kAgentA, kCompany, "failed")); }},
    }, [](const ReleaseInput& i) { decide_release(i); });
}

TEST(Precedence, AssertCheckoutOwner) {
    OwnershipInput in;
    in.context = broken_context();
    in.agent_id = kAgentB;
    in.run_id = std::nullopt;
    using S = Step<OwnershipInput>;
    expect_precedence(in, std::vector<S>{
        {ErrorCode::Unauthorized, msg::kRunIdRequired, [](auto& i) { i.run_id = kR2; }},
        {ErrorCode::Forbidden, msg::kNoActor,
         [](auto& i) { i.context.actor = Actor::agent(kAgentA, std::nullopt, kOtherCompany); }},
        {ErrorCode::Forbidden, msg::kActAsItself, [](auto& i) { i.agent_id = kAgentA; }},
        {ErrorCode::Unauthorized, msg::kRunIdRequired,
         [](auto& i) { i.context.actor = Actor::agent(kAgentA, kR, kOtherCompany); }},
        {ErrorCode::Forbidden, msg::kOwnRunOnly, [](auto& i) { i.run_id = kR; }},
        {ErrorCode::NotFound, msg::kIssueNotFound,
         [](auto& i) { i.context.issue = make_locked("in_progress", kAgentA, kL, kL); }},
        {ErrorCode::Forbidden, msg::kAgentOtherCompany,
         [](auto& i) { i.context.actor = Actor::agent(kAgentA, kR, kCompany); }},
        {ErrorCode::NotFound, msg::kAgentNotFound, [](auto& i) { i.agent_name_key = std::string(kNameKeyA); }},
        {ErrorCode::Unprocessable, msg::kAgentRunNotFound, [](auto& i) {
             i.context.runs = RunSet({{kR, kAgentB, kCompany, "running"}, {kL, kAgentA, kCompany, "running"}});
         }},
        {ErrorCode::Unprocessable, msg::kAgentRunOtherAgent, [](auto& i) {
             i.context.runs = RunSet({{kR, kAgentA, kCompany, "running"}, {kL, kAgentA, kCompany, "running"}});
         }},
        {ErrorCode::Conflict, msg::kOwnershipConflict, [](auto& i) {
             i.context.runs = RunSet({{kR, kAgentA, kCompany, "running"}, {kL, kAgentA, kCompany, "failed"}});
         }},
    }, [](const OwnershipInput& i) { decide_ownership(i); });
}

TEST(Precedence, AcquireExecutionLock) {
    ExecutionLockInput in;
    in.context = broken_context();
    in.run_id = kR2;
    using S = Step<ExecutionLockInput>;
    expect_precedence(in, std::vector<S>{
        {ErrorCode::Forbidden, msg::kNoActor,
         [](auto& i) { i.context.actor = Actor::agent(kAgentA, std::nullopt, kOtherCompany); }},
        {ErrorCode::Unauthorized, msg::kRunIdRequired,
         [](auto& i) { i.context.actor = Actor::agent(kAgentA, kR, kOtherCompany); }},
        {ErrorCode::Forbidden, msg::kOwnRunOnly, [](auto& i) { i.run_id = kR; }},
        {ErrorCode::NotFound, msg::kIssueNotFound, [](auto& i) { i.context.issue = make_issue("todo"); }},
        {ErrorCode::Forbidden, msg::kAgentOtherCompany,
         [](auto& i) { i.context.actor = Actor::agent(kAgentA, kR, kCompany); }},
        {ErrorCode::Unprocessable, msg::kExecutionRunNotFound,
         [](auto& i) { i.context.runs = RunSet(runs_with(kR, kAgentA, kOtherCompany, "running")); }},
        {ErrorCode::Unprocessable, msg::kExecutionRunOtherCompany,
         [](auto& i) { i.context.runs = RunSet(runs_with(kR, kAgentA, kCompany, "running")); }},
    }, [](const ExecutionLockInput& i) { decide_execution_lock(i); });
}

TEST(Precedence, AdminForceRelease) {
    ForceReleaseInput in;
    in.context = broken_context();
    in.context.actor = Actor::agent(kAgentA, kR, kCompany);
    using S = Step<ForceReleaseInput>;
    expect_precedence(in, std::vector<S>{
        {ErrorCode::Forbidden, msg::kBoardAccessRequired, [](auto& i) { i.context.actor = Actor{}; }},
        {ErrorCode::Forbidden, msg::kBoardAccessRequired,
         [](auto& i) { i.context.actor = Actor::board("user-1"); }},
        {ErrorCode::NotFound, msg::kIssueNotFound,
         [](auto& i) { i.context.issue = make_locked("in_progress", kAgentA, kL, kL); }},
        {ErrorCode::Forbidden, msg::kNoCompanyAccess,
         [](auto& i) { i.context.membership = Membership{"active", "viewer"}; }},
        {ErrorCode::Forbidden, msg::kViewerReadOnly,
         [](auto& i) { i.context.membership = Membership{"active", "admin"}; }},
    }, [](const ForceReleaseInput& i) { decide_force_release(i); });
}

TEST(Precedence, ClearIfTerminal) {
    ClearIfTerminalInput in;
    in.context = broken_context();
    in.which = StaleLock::Execution;
    in.source = "test";
    using S = Step<ClearIfTerminalInput>;
    expect_precedence(in, std::vector<S>{
        {ErrorCode::Forbidden, msg::kNoActor,
         [](auto& i) { i.context.actor = Actor::agent(kAgentA, kR, kOtherCompany); }},
        {ErrorCode::NotFound, msg::kIssueNotFound, [](auto& i) { i.context.issue = make_issue("todo"); }},
        {ErrorCode::Forbidden, msg::kAgentOtherCompany,
         [](auto& i) { i.context.actor = Actor::agent(kAgentA, kR, kCompany); }},
    }, [](const ClearIfTerminalInput& i) { decide_clear_if_terminal(i); });
}

TEST(Precedence, SweepStaleLocks) {
    // The batch size is validated before the caller's privilege.
    EXPECT_EQ(catch_pc_error([] { require_sweep_allowed(Actor{}, 0); }).code(), ErrorCode::BadRequest);
    EXPECT_EQ(msg_of(catch_pc_error([] { require_sweep_allowed(Actor::board("user-1"), 10); })),
              msg::kSweepNeedsOperator);
    EXPECT_NO_THROW(require_sweep_allowed(Actor::database_operator("ops"), 10));
}
