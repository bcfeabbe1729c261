#include "core/run_lease.hpp"

#include <string>

#include "core/access.hpp"
#include "core/errors.hpp"

namespace paperclip::core {

void validate_lease_ttl(std::int64_t ttl) {
    if (ttl < kMinLeaseTtl || ttl > kMaxLeaseTtl)
        fail_validation("ttl", "must be between 1 second and 1 day");
}

RenewedLease decide_lease_renewal(const Actor& actor, const Uuid& run_id, const RunInfo* run,
                                  const std::optional<RunLease>& current,
                                  const RunStatusPartition& partition, const LeaseRenewal& renewal) {
    require_actor(actor);
    if (run == nullptr) fail(ErrorCode::NotFound, msg::kRunNotFound, JsonObject().add("runId", run_id));
    // The run's own agent (acting with this run, when it names one) or an
    // operator, or a trusted application in compat mode (SPEC §9); a board
    // user has no business keeping a run alive.
    const bool own_agent =
        actor.is_agent() && actor.agent_id == run->agent_id && (!actor.run_id || *actor.run_id == run_id);
    if (!own_agent && !actor.passes_actor_gates()) {
        JsonObject d;
        d.add("runId", run_id).add("runAgentId", run->agent_id);
        if (actor.is_agent()) d.add("actorAgentId", actor.agent_id).add("actorRunId", actor.run_id);
        fail(ErrorCode::Forbidden, msg::kRenewOwnRunOnly, d);
    }
    // The run as it stands at the renewal's clock, with the lease it has now.
    RunInfo judged = *run;
    judged.lease = current;
    if (judged.lease) judged.lease->judged_at = renewal.now;
    if (judged.app_lease) judged.app_lease->judged_at = renewal.now;
    switch (liveness_of(&judged, partition)) {
        case Liveness::Live: break;
        case Liveness::LeaseEnded:
            fail(ErrorCode::Conflict, msg::kRunLeaseExpired,
                 JsonObject()
                     .add("runId", run_id)
                     .add("reason", "run_lease_expired")
                     .add("sessionEnded",
                          judged.lease && lease_state(*judged.lease) == LeaseState::SessionEnded));
        case Liveness::Terminal:
        case Liveness::Missing:
            fail(ErrorCode::Conflict, msg::kRunNotLive,
                 JsonObject().add("runId", run_id).add("runStatus", run->status));
    }

    RenewedLease out{run_id, run->company_id, {}};
    out.lease.expires_at = renewal.now + renewal.ttl;
    out.lease.renewed_at = renewal.now;
    if (renewal.bind_session) {
        out.lease.backend_pid = renewal.backend_pid;
        out.lease.backend_start = renewal.backend_start;
    } else if (current) {
        // Renewing without bind_session keeps the binding a harness made.
        out.lease.backend_pid = current->backend_pid;
        out.lease.backend_start = current->backend_start;
    }
    return out;
}

}  // namespace paperclip::core
