#include "core/access.hpp"

#include "core/errors.hpp"
#include "core/liveness.hpp"

namespace paperclip::core {

void require_actor(const Actor& actor) {
    if (actor.kind == Actor::Kind::None)
        throw PcError(ErrorCode::Forbidden, msg::kNoActor, {}, msg::kNoActorHint);
}

const IssueState& require_issue(const std::optional<IssueState>& issue) {
    if (!issue) fail(ErrorCode::NotFound, msg::kIssueNotFound);
    return *issue;
}

const IssueState& require_writable_issue(const std::optional<IssueState>& issue, const Actor& actor,
                                         const std::optional<Membership>& membership) {
    const IssueState& found = require_issue(issue);
    require_company_write(actor, found.company_id, membership);
    return found;
}

void require_company_write(const Actor& actor, const Uuid& company_id, const Membership* membership) {
    switch (actor.kind) {
        case Actor::Kind::Operator:
        case Actor::Kind::TrustedApp: return;
        case Actor::Kind::Agent:
            if (actor.agent_company_id != company_id) fail(ErrorCode::Forbidden, msg::kAgentOtherCompany);
            return;
        case Actor::Kind::Board:
            if (membership == nullptr) fail(ErrorCode::Forbidden, msg::kNoCompanyAccess);
            if (membership->status != "active") fail(ErrorCode::Forbidden, msg::kInactiveCompanyAccess);
            if (membership->membership_role == "viewer") fail(ErrorCode::Forbidden, msg::kViewerReadOnly);
            return;
        case Actor::Kind::None: break;
    }
    require_actor(actor);
}

void require_company_write(const Actor& actor, const Uuid& company_id,
                           const std::optional<Membership>& membership) {
    require_company_write(actor, company_id, membership ? &*membership : nullptr);
}

void require_board_or_operator(const Actor& actor) {
    if (actor.kind == Actor::Kind::Board || actor.passes_actor_gates()) return;
    fail(ErrorCode::Forbidden, msg::kBoardAccessRequired);
}

void require_assignable_agent(const AgentInfo* agent, const Uuid& company_id) {
    if (agent == nullptr) fail(ErrorCode::NotFound, msg::kAssigneeAgentNotFound);
    if (agent->company_id != company_id) fail(ErrorCode::Unprocessable, msg::kAssigneeOtherCompany);
    if (agent->status == "pending_approval") fail(ErrorCode::Conflict, msg::kPendingApprovalAgent);
    if (agent->status == "terminated") fail(ErrorCode::Conflict, msg::kTerminatedAgent);
}

void require_live_run_of_agent(const RunInfo* run, const Uuid& run_id, const Uuid& agent_id,
                               const RunStatusPartition& partition) {
    if (run == nullptr) fail(ErrorCode::Unprocessable, msg::kCheckoutRunNotFound, JsonObject().add("runId", run_id));
    if (run->agent_id != agent_id)
        fail(ErrorCode::Unprocessable, msg::kCheckoutRunOtherAgent,
             JsonObject().add("runId", run_id).add("runAgentId", run->agent_id).add("agentId", agent_id));
    const Liveness liveness = liveness_of(run, partition);
    if (liveness != Liveness::Live) {
        JsonObject details = JsonObject().add("runId", run_id).add("runStatus", run->status);
        if (liveness == Liveness::LeaseEnded) details.add("reason", "run_lease_expired");
        fail(ErrorCode::Unprocessable, msg::kCheckoutRunNotLive, details);
    }
}

void require_names_itself(const Actor& actor, const OptUuid& named_agent, const OptText& named_user,
                          const std::string& message) {
    bool other = false;
    if (actor.is_agent()) other = named_agent ? *named_agent != actor.agent_id : named_user.has_value();
    else if (actor.is_board()) other = named_agent.has_value() || (named_user && *named_user != actor.user_id);
    if (other) fail(ErrorCode::Forbidden, message);
}

Uuid agent_run_of(const Actor& actor, const OptUuid& requested_run) {
    // The run is part of the agent actor: an agent acts with that run only.
    if (!actor.run_id) fail(ErrorCode::Unauthorized, msg::kRunIdRequired);
    if (requested_run && *requested_run != *actor.run_id)
        fail(ErrorCode::Forbidden, msg::kOwnRunOnly,
             JsonObject().add("actorRunId", actor.run_id).add("runId", requested_run));
    return *actor.run_id;
}

}  // namespace paperclip::core
