// The order in which each operation's preconditions fail is part of its
// decision (STYLE: "tested as a table, never an accident of statement
// order"). Each table starts from an input where every precondition fails,
// expects the first error, repairs that one precondition, and moves on;
// after the last row the operation succeeds.
#include <functional>

#include "core/issue_write.hpp"
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

// ---- issues_guard: core::decide_issue_write, every write to an issue row ----

namespace {

// What the database holds for one write: what issues_guard would load.
struct Stored {
    std::vector<RunInfo> runs;
    std::vector<AgentInfo> agents;
    std::vector<std::pair<Uuid, Membership>> memberships;  // the board user's, by company
    std::vector<Uuid> blockers;
};

struct IssueWrite {
    IssueWriteInput input;
    Stored db;
};

template <typename T, typename Key>
std::optional<T> stored_row(const std::vector<T>& rows, const Key& key, Uuid T::*id) {
    for (const auto& r : rows)
        if (r.*id == key) return r;
    return std::nullopt;
}

// Decides as issues_guard does: loads what the decision asks for and decides
// again. `asked` receives the requests in order; a repeated request fails.
IssueWriteOutcome decide_loading(const IssueWrite& w, std::vector<IssueWriteNeed::Kind>* asked = nullptr) {
    IssueWriteInput in = w.input;
    std::vector<std::pair<IssueWriteNeed::Kind, Uuid>> seen;
    for (;;) {
        IssueWriteOutcome out = decide_issue_write(in);
        if (!out.need) return out;
        const IssueWriteNeed need = *out.need;
        for (const auto& [kind, id] : seen)
            if (kind == need.kind && id == need.id) {
                ADD_FAILURE() << "asked twice for the same fact";
                return out;
            }
        seen.emplace_back(need.kind, need.id);
        if (asked != nullptr) asked->push_back(need.kind);
        switch (need.kind) {
            case IssueWriteNeed::Kind::Run: in.facts.runs[need.id] = stored_row(w.db.runs, need.id, &RunInfo::id); break;
            case IssueWriteNeed::Kind::Membership: {
                std::optional<Membership> m;
                for (const auto& [company, membership] : w.db.memberships)
                    if (company == need.id) m = membership;
                in.facts.memberships[need.id] = m;
                break;
            }
            case IssueWriteNeed::Kind::GateRuns:
                in.facts.gate_runs = RunSet(w.db.runs);
                in.facts.partition = &kSeed;
                break;
            case IssueWriteNeed::Kind::Agent:
                in.facts.agents[need.id] = stored_row(w.db.agents, need.id, &AgentInfo::id);
                break;
            case IssueWriteNeed::Kind::Blockers: in.facts.unresolved_blocker_ids = w.db.blockers; break;
        }
    }
}

IssueWriteOutcome expect_write_precedence(IssueWrite w, const std::vector<Step<IssueWrite>>& steps) {
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const PcError e = catch_pc_error([&] { decide_loading(w); });
        EXPECT_EQ(e.code(), steps[i].code) << "row " << i << ": " << steps[i].message;
        EXPECT_EQ(msg_of(e), steps[i].message) << "row " << i;
        steps[i].repair(w);
    }
    IssueWriteOutcome out;
    EXPECT_NO_THROW(out = decide_loading(w)) << "every precondition repaired";
    return out;
}

IssueWrite update_of(const IssueState& current) {
    IssueWrite w;
    w.input.event = IssueWriteEvent::Update;
    w.input.current = current;
    w.input.proposed = current;
    w.input.now = kNow;
    return w;
}

Actor agent_a(const OptUuid& run, const Uuid& company) {
    Actor a = Actor::agent(kAgentA, run, company);
    a.agent_name_key = kNameKeyA;
    return a;
}

using W = Step<IssueWrite>;

}  // namespace

TEST(Precedence, IssueWriteByAnAgent) {
    // An agent's UPDATE that breaks every rule at once: another id, another
    // company, a lock column, another agent's checked-out issue, an
    // unassignable new assignee, two assignees.
    IssueWrite w = update_of(make_locked("in_progress", kAgentB, kL, kL));
    w.input.proposed.id = kBlocker1;
    w.input.proposed.company_id = kOtherCompany;
    w.input.proposed.checkout_run_id = kR2;
    w.input.proposed.assignee_user_id = "user-1";
    w.db.runs = {{kL, kAgentA, kCompany, "running"}, {kR, kAgentA, kCompany, "running"}};
    const IssueWriteOutcome out = expect_write_precedence(w, {
        {ErrorCode::Unprocessable, msg::kPrimaryKeyFixed, [](auto& x) { x.input.proposed.id = kIssue; }},
        {ErrorCode::Forbidden, msg::kNoActor,
         [](auto& x) { x.input.actor = agent_a(std::nullopt, kOtherCompany); }},
        {ErrorCode::Forbidden, msg::kLockColumnsDirect, [](auto& x) { x.input.proposed.checkout_run_id = kL; }},
        // The issue's company, then the company it would move to.
        {ErrorCode::Forbidden, msg::kAgentOtherCompany,
         [](auto& x) { x.input.actor = agent_a(std::nullopt, kCompany); }},
        {ErrorCode::Forbidden, msg::kAgentOtherCompany, [](auto& x) { x.input.proposed.company_id = kCompany; }},
        {ErrorCode::Conflict, msg::kCheckedOutByOther, [](auto& x) { x.input.current.status = "todo"; }},
        {ErrorCode::Forbidden, msg::kMutateOthersIssue, [](auto& x) {
             x.input.current.status = "in_progress";
             x.input.current.assignee_agent_id = kAgentA;  // its own issue: the ownership rule
         }},
        {ErrorCode::Unauthorized, msg::kRunIdRequired,
         [](auto& x) { x.input.actor = agent_a(kR, kCompany); }},
        // The live run L holds the lock; once it failed, R adopts it.
        {ErrorCode::Conflict, msg::kOwnershipConflict, [](auto& x) { x.db.runs[0].status = "failed"; }},
        // The proposed assignee B is written: it must be assignable.
        {ErrorCode::NotFound, msg::kAssigneeAgentNotFound,
         [](auto& x) { x.db.agents = {AgentInfo{kAgentB, kOtherCompany, "pending_approval", "B"}}; }},
        {ErrorCode::Unprocessable, msg::kAssigneeOtherCompany, [](auto& x) { x.db.agents[0].company_id = kCompany; }},
        {ErrorCode::Conflict, msg::kPendingApprovalAgent, [](auto& x) { x.db.agents[0].status = "active"; }},
        {ErrorCode::Unprocessable, msg::kOneAssignee, [](auto& x) { x.input.proposed.assignee_user_id.reset(); }},
    });
    // The gate's adoption is audited even though the new assignee then ends
    // every claim a run had (SPEC §6, §10).
    ASSERT_EQ(out.audit.size(), 1u);
    EXPECT_EQ(out.audit[0].action, action::kCheckoutLockAdopted);
    EXPECT_NE(out.audit[0].details.str().find("stale_checkout_run"), std::string::npos);
    ASSERT_TRUE(out.row);
    EXPECT_EQ(out.row->assignee_agent_id, kAgentB);
    EXPECT_FALSE(out.row->checkout_run_id);
}

TEST(Precedence, IssueWriteGateAdoptsIntoTheRowAndAudits) {
    // The agent's own in_progress issue no run holds: its run adopts the
    // lock in the row version returned, audited as unowned_checkout.
    IssueWrite w = update_of(make_issue("in_progress", kAgentA));
    w.input.actor = agent_a(kR, kCompany);
    w.input.proposed.started_at = kOldStartedAt + 1;
    w.db.runs = {{kR, kAgentA, kCompany, "running"}};
    std::vector<IssueWriteNeed::Kind> asked;
    const IssueWriteOutcome out = decide_loading(w, &asked);
    ASSERT_TRUE(out.row);
    EXPECT_EQ(out.row->checkout_run_id, kR);
    EXPECT_EQ(out.row->execution_run_id, kR);
    EXPECT_EQ(out.row->execution_agent_name_key, std::string(kNameKeyA));
    EXPECT_EQ(out.row->execution_locked_at, kNow);
    EXPECT_EQ(out.row->started_at, kOldStartedAt + 1);  // the writer's own column
    ASSERT_EQ(out.audit.size(), 1u);
    EXPECT_NE(out.audit[0].details.str().find("unowned_checkout"), std::string::npos);
    EXPECT_EQ(asked, std::vector<IssueWriteNeed::Kind>{IssueWriteNeed::Kind::GateRuns});
}

TEST(Precedence, IssueWriteByABoardUser) {
    IssueWrite w = update_of(make_issue("todo"));
    w.input.actor = Actor::board("user-1");
    w.input.proposed.status = "in_progress";
    w.input.proposed.assignee_agent_id = kAgentA;
    w.input.proposed.assignee_user_id = "user-2";
    w.input.proposed.company_id = kOtherCompany;
    w.db.blockers = {kBlocker1};
    const IssueWriteOutcome out = expect_write_precedence(w, {
        {ErrorCode::Forbidden, msg::kNoCompanyAccess,
         [](auto& x) { x.db.memberships = {{kCompany, Membership{"active", "member"}}}; }},
        {ErrorCode::Forbidden, msg::kNoCompanyAccess,
         [](auto& x) { x.db.memberships.push_back({kOtherCompany, Membership{"active", "viewer"}}); }},
        {ErrorCode::Forbidden, msg::kViewerReadOnly,
         [](auto& x) { x.db.memberships[1].second.membership_role = "member"; }},
        {ErrorCode::NotFound, msg::kAssigneeAgentNotFound,
         [](auto& x) { x.db.agents = {AgentInfo{kAgentA, kCompany, "terminated", "CodexCoder"}}; }},
        {ErrorCode::Unprocessable, msg::kAssigneeOtherCompany, [](auto& x) { x.input.proposed.company_id = kCompany; }},
        {ErrorCode::Conflict, msg::kTerminatedAgent, [](auto& x) { x.db.agents[0].status = "idle"; }},
        {ErrorCode::Unprocessable, msg::kBlocked, [](auto& x) { x.db.blockers.clear(); }},
        {ErrorCode::Unprocessable, msg::kOneAssignee, [](auto& x) { x.input.proposed.assignee_user_id.reset(); }},
    });
    ASSERT_TRUE(out.row);
    EXPECT_EQ(out.row->started_at, kNow);  // the status side effect
    EXPECT_TRUE(out.audit.empty());
}

TEST(Precedence, IssueWriteBlockersBeforeTheIssueRules) {
    IssueWrite w = update_of(make_issue("todo"));
    w.input.actor = agent_a(kR, kCompany);
    w.input.proposed.status = "in_progress";
    w.db.blockers = {kBlocker1};
    w.db.agents = {AgentInfo{kAgentA, kCompany, "active", "CodexCoder"}};
    expect_write_precedence(w, {
        {ErrorCode::Unprocessable, msg::kBlocked, [](auto& x) { x.db.blockers.clear(); }},
        {ErrorCode::Unprocessable, msg::kInProgressNeedsAssignee,
         [](auto& x) { x.input.proposed.assignee_agent_id = kAgentA; }},
    });
    // A new issue has no relations yet: an INSERT never asks for blockers.
    IssueWrite insert = w;
    insert.input.event = IssueWriteEvent::Insert;
    insert.input.current = insert.input.proposed = make_issue("in_progress", kAgentA);
    insert.db.blockers = {kBlocker1};
    std::vector<IssueWriteNeed::Kind> asked;
    EXPECT_NO_THROW(decide_loading(insert, &asked));
    EXPECT_EQ(asked, std::vector<IssueWriteNeed::Kind>{IssueWriteNeed::Kind::Agent});
}

TEST(Precedence, IssueWriteRunDeletionCascadePassesWithoutAnActor) {
    // ON DELETE SET NULL under a session with no actor: only the run-id
    // columns go to NULL, and only once the run is gone.
    IssueWrite w = update_of(make_locked("in_progress", kAgentA, kF, kF));
    w.input.proposed.checkout_run_id.reset();
    w.input.proposed.execution_run_id.reset();
    w.input.proposed.status = "todo";
    w.db.runs = {{kF, kAgentA, kCompany, "failed"}};
    const IssueWriteOutcome out = expect_write_precedence(w, {
        // Another column changed too: not the cascade, whatever the runs.
        {ErrorCode::Forbidden, msg::kNoActor, [](auto& x) { x.input.proposed.status = "in_progress"; }},
        // The run still exists: not the cascade.
        {ErrorCode::Forbidden, msg::kNoActor, [](auto& x) { x.db.runs.clear(); }},
    });
    ASSERT_TRUE(out.row);
    EXPECT_FALSE(out.row->execution_agent_name_key);  // the companions follow execution_run_id
    EXPECT_FALSE(out.row->execution_locked_at);
    EXPECT_EQ(out.row->status, "in_progress");
}

TEST(Precedence, IssueWriteByATrustedAppInCompatMode) {
    IssueWrite w = update_of(make_issue("todo"));
    w.input.actor = Actor::trusted_app("paperclip_app");
    w.input.proposed.id = kBlocker1;
    w.input.proposed.status = "bogus";
    w.input.proposed.checkout_run_id = kG;
    w.input.proposed.execution_run_id = kRB;
    w.input.proposed.assignee_agent_id = kAgentB;
    w.input.proposed.assignee_user_id = "user-1";
    w.db.runs = {{kG, kAgentB, kOtherCompany, "running"}, {kRB, kAgentB, kOtherCompany, "running"}};
    w.db.agents = {AgentInfo{kAgentB, kCompany, "terminated", "B"}};
    w.db.blockers = {kBlocker1};
    const IssueWriteOutcome out = expect_write_precedence(w, {
        {ErrorCode::Unprocessable, msg::kPrimaryKeyFixed, [](auto& x) { x.input.proposed.id = kIssue; }},
        // The checkout column, then the execution column.
        {ErrorCode::Unprocessable, msg::kLockRunOtherCompany, [](auto& x) { x.db.runs[0].company_id = kCompany; }},
        {ErrorCode::Unprocessable, msg::kLockRunOtherCompany, [](auto& x) { x.db.runs[1].company_id = kCompany; }},
        {ErrorCode::BadRequest, msg::kValidation, [](auto& x) { x.input.proposed.status = "in_progress"; }},
        {ErrorCode::Unprocessable, msg::kOneAssignee, [](auto& x) { x.input.proposed.assignee_user_id.reset(); }},
    });
    // Passed without an actor: a direct lock write, a terminated assignee, a
    // move to in_progress past a blocker, and no status side effects.
    ASSERT_TRUE(out.row);
    EXPECT_EQ(out.row->checkout_run_id, kG);
    EXPECT_EQ(out.row->started_at, kOldStartedAt);
    // ... and in_progress with no assignee at all.
    w.input.proposed.id = kIssue;
    w.input.proposed.status = "in_progress";
    w.input.proposed.assignee_agent_id.reset();
    w.input.proposed.assignee_user_id.reset();
    w.db.runs[0].company_id = w.db.runs[1].company_id = kCompany;
    std::vector<IssueWriteNeed::Kind> asked;
    EXPECT_NO_THROW(decide_loading(w, &asked));
    EXPECT_EQ(asked, (std::vector<IssueWriteNeed::Kind>{IssueWriteNeed::Kind::Run, IssueWriteNeed::Kind::Run}));
}

TEST(Precedence, IssueWriteByAnOperator) {
    IssueWrite w = update_of(make_issue("todo"));
    w.input.actor = Actor::database_operator("ops");
    w.input.proposed.id = kBlocker1;
    w.input.proposed.status = "in_progress";
    w.input.proposed.assignee_agent_id = kAgentB;
    set_execution(w.input.proposed, kG);
    w.db.runs = {{kG, kAgentB, kOtherCompany, "running"}};
    w.db.blockers = {kBlocker1};
    const IssueWriteOutcome out = expect_write_precedence(w, {
        {ErrorCode::Unprocessable, msg::kPrimaryKeyFixed, [](auto& x) { x.input.proposed.id = kIssue; }},
        {ErrorCode::Unprocessable, msg::kLockRunOtherCompany, [](auto& x) { x.db.runs[0].company_id = kCompany; }},
        {ErrorCode::NotFound, msg::kAssigneeAgentNotFound,
         [](auto& x) { x.db.agents = {AgentInfo{kAgentB, kOtherCompany, "terminated", "B"}}; }},
        {ErrorCode::Unprocessable, msg::kAssigneeOtherCompany, [](auto& x) { x.db.agents[0].company_id = kCompany; }},
        // An UPDATE: a terminated agent is not assignable, even by an operator.
        {ErrorCode::Conflict, msg::kTerminatedAgent, [](auto& x) { x.db.agents[0].status = "active"; }},
    });
    // The lock columns it wrote stay although the assignee changed; blockers
    // are not its rule.
    ASSERT_TRUE(out.row);
    EXPECT_EQ(out.row->execution_run_id, kG);
    EXPECT_EQ(out.row->started_at, kNow);
    // Without the written lock columns, the new assignee clears nothing, and
    // an in_progress issue still needs an assignee.
    IssueWrite unassigned = update_of(make_issue("todo"));
    unassigned.input.actor = Actor::database_operator("ops");
    unassigned.input.proposed.status = "in_progress";
    EXPECT_EQ(msg_of(catch_pc_error([&] { decide_loading(unassigned); })), msg::kInProgressNeedsAssignee);
}

TEST(Precedence, IssueInsertByAnOperatorRestores) {
    // pg_restore: an assignee terminated since is taken (same company only),
    // and so is the unassigned in_progress issue admin_force_release leaves.
    IssueWrite w;
    w.input.actor = Actor::database_operator("ops");
    w.input.event = IssueWriteEvent::Insert;
    w.input.now = kNow;
    w.input.current = make_issue("in_progress", kAgentB);
    w.input.proposed = w.input.current;
    w.db.agents = {AgentInfo{kAgentB, kOtherCompany, "terminated", "B"}};
    expect_write_precedence(w, {
        {ErrorCode::Unprocessable, msg::kAssigneeOtherCompany, [](auto& x) { x.db.agents[0].company_id = kCompany; }},
    });
    w.input.current.assignee_agent_id.reset();
    w.input.proposed = w.input.current;
    const IssueWriteOutcome restored = decide_loading(w);
    ASSERT_TRUE(restored.row);
    EXPECT_EQ(restored.row->started_at, kOldStartedAt);  // taken as it stands
    // The same INSERT by a board user is a move into in_progress.
    w.input.actor = Actor::board("user-1");
    w.db.memberships = {{kCompany, Membership{"active", "member"}}};
    EXPECT_EQ(msg_of(catch_pc_error([&] { decide_loading(w); })), msg::kInProgressNeedsAssignee);
}

TEST(Precedence, IssueWriteAsksForNothingARefusalDoesNotNeed) {
    // SPEC §7 and the trigger's cost: a refused write never locks a run row,
    // and the gate's run rows are locked before the assignee is read.
    IssueWrite refused = update_of(make_locked("in_progress", kAgentA, kL, kL));
    refused.input.actor = agent_a(kR, kCompany);
    refused.input.proposed.checkout_run_id = kR;
    std::vector<IssueWriteNeed::Kind> asked;
    EXPECT_EQ(msg_of(catch_pc_error([&] { decide_loading(refused, &asked); })), msg::kLockColumnsDirect);
    EXPECT_TRUE(asked.empty());

    IssueWrite reassign = update_of(make_issue("in_progress", kAgentA));
    reassign.input.actor = agent_a(kR, kCompany);
    reassign.input.proposed.assignee_agent_id = kAgentB;
    reassign.db.runs = {{kR, kAgentA, kCompany, "running"}};
    reassign.db.agents = {AgentInfo{kAgentB, kCompany, "active", "B"}};
    asked.clear();
    EXPECT_NO_THROW(decide_loading(reassign, &asked));
    EXPECT_EQ(asked, (std::vector<IssueWriteNeed::Kind>{IssueWriteNeed::Kind::GateRuns, IssueWriteNeed::Kind::Agent}));

    IssueWrite by_board = update_of(make_issue("todo"));
    by_board.input.actor = Actor::board("user-1");
    by_board.input.proposed.status = "in_progress";
    by_board.input.proposed.assignee_agent_id = kAgentA;
    by_board.db.memberships = {{kCompany, Membership{"active", "member"}}};
    by_board.db.agents = {AgentInfo{kAgentA, kCompany, "active", "CodexCoder"}};
    asked.clear();
    EXPECT_NO_THROW(decide_loading(by_board, &asked));
    EXPECT_EQ(asked, (std::vector<IssueWriteNeed::Kind>{IssueWriteNeed::Kind::Membership, IssueWriteNeed::Kind::Agent,
                                                         IssueWriteNeed::Kind::Blockers}));

    // A DELETE is the row it was: nothing to store, nothing asked.
    IssueWrite deleted = update_of(make_issue("todo"));
    deleted.input.event = IssueWriteEvent::Delete;
    deleted.input.actor = Actor::trusted_app("paperclip_app");
    asked.clear();
    EXPECT_FALSE(decide_loading(deleted, &asked).row);
    EXPECT_TRUE(asked.empty());
}
