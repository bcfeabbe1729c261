// Shared fixtures for the decision-core unit tests: fixed ids, a run set that
// covers every liveness case, issue builders and a PcError catcher.
//
// Cast (reference paperclip-semantics.md §7 conventions): A and B are agents of
// company C. R, R2 are live (running) runs of A, L a live run of A that already
// holds a lock, F a failed run of A, T timed_out, I interrupted, S
// scheduled_retry, P provisioning (an unknown status), Q queued, E
// adapter_failed (terminal only when an operator adds it), X a failed run of B,
// RB a live run of B, G a run id with no row (missing).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/lock_state.hpp"
#include "core/checkout.hpp"
#include "core/execution_lock.hpp"
#include "core/force_release.hpp"
#include "core/liveness.hpp"
#include "core/ownership.hpp"
#include "core/release.hpp"
#include "core/stale_locks.hpp"
#include "core/uuid.hpp"
#include "core/vocabulary.hpp"

namespace pc_test {

using namespace paperclip::core;

inline Uuid uuid(const char* text) {
    const auto u = Uuid::parse(text);
    if (!u) throw std::invalid_argument(std::string("bad test uuid ") + text);
    return *u;
}

// Text forms, so expected JSON details can be written out literally.
inline constexpr const char* kCompanyS = "c0000000-0000-4000-8000-000000000001";
inline constexpr const char* kOtherCompanyS = "c0000000-0000-4000-8000-000000000002";
inline constexpr const char* kIssueS = "10000000-0000-4000-8000-000000000001";
inline constexpr const char* kBlocker1S = "10000000-0000-4000-8000-0000000000b1";
inline constexpr const char* kBlocker2S = "10000000-0000-4000-8000-0000000000b2";
inline constexpr const char* kAgentAS = "a0000000-0000-4000-8000-00000000000a";
inline constexpr const char* kAgentBS = "a0000000-0000-4000-8000-00000000000b";
inline constexpr const char* kRunRS = "e0000000-0000-4000-8000-000000000001";
inline constexpr const char* kRunR2S = "e0000000-0000-4000-8000-000000000002";
inline constexpr const char* kRunLS = "e0000000-0000-4000-8000-00000000000c";
inline constexpr const char* kRunFS = "e0000000-0000-4000-8000-00000000000f";
inline constexpr const char* kRunTS = "e0000000-0000-4000-8000-000000000010";
inline constexpr const char* kRunIS = "e0000000-0000-4000-8000-000000000011";
inline constexpr const char* kRunSS = "e0000000-0000-4000-8000-000000000012";
inline constexpr const char* kRunPS = "e0000000-0000-4000-8000-000000000013";
inline constexpr const char* kRunQS = "e0000000-0000-4000-8000-000000000014";
inline constexpr const char* kRunES = "e0000000-0000-4000-8000-000000000015";
inline constexpr const char* kRunCS = "e0000000-0000-4000-8000-000000000016";
inline constexpr const char* kRunUS = "e0000000-0000-4000-8000-000000000017";
inline constexpr const char* kRunXS = "e0000000-0000-4000-8000-0000000000b0";
inline constexpr const char* kRunRBS = "e0000000-0000-4000-8000-0000000000b1";
inline constexpr const char* kRunGS = "e0000000-0000-4000-8000-0000000000ff";

inline const Uuid kCompany = uuid(kCompanyS);
inline const Uuid kOtherCompany = uuid(kOtherCompanyS);
inline const Uuid kIssue = uuid(kIssueS);
inline const Uuid kBlocker1 = uuid(kBlocker1S);
inline const Uuid kBlocker2 = uuid(kBlocker2S);
inline const Uuid kAgentA = uuid(kAgentAS);
inline const Uuid kAgentB = uuid(kAgentBS);
inline const Uuid kR = uuid(kRunRS);     // A, running
inline const Uuid kR2 = uuid(kRunR2S);   // A, running
inline const Uuid kL = uuid(kRunLS);     // A, running (the live holder)
inline const Uuid kF = uuid(kRunFS);     // A, failed
inline const Uuid kT = uuid(kRunTS);     // A, timed_out
inline const Uuid kI = uuid(kRunIS);     // A, interrupted
inline const Uuid kS = uuid(kRunSS);     // A, scheduled_retry
inline const Uuid kP = uuid(kRunPS);     // A, provisioning (unknown status)
inline const Uuid kQ = uuid(kRunQS);     // A, queued
inline const Uuid kE = uuid(kRunES);     // A, adapter_failed (operator-added)
inline const Uuid kC = uuid(kRunCS);     // A, cancelled
inline const Uuid kU = uuid(kRunUS);     // A, succeeded
inline const Uuid kX = uuid(kRunXS);     // B, failed
inline const Uuid kRB = uuid(kRunRBS);   // B, running
inline const Uuid kG = uuid(kRunGS);     // no such run

inline constexpr const char* kNameKeyA = "codexcoder";
inline constexpr const char* kOldNameKey = "previousagent";
inline constexpr std::int64_t kNow = 5000;
inline constexpr std::int64_t kOldLockedAt = 1000;
inline constexpr std::int64_t kOldStartedAt = 100;

inline std::vector<RunInfo> standard_runs() {
    return {
        {kR, kAgentA, kCompany, "running"},          {kR2, kAgentA, kCompany, "running"},
        {kL, kAgentA, kCompany, "running"},          {kF, kAgentA, kCompany, "failed"},
        {kT, kAgentA, kCompany, "timed_out"},        {kI, kAgentA, kCompany, "interrupted"},
        {kS, kAgentA, kCompany, "scheduled_retry"},  {kP, kAgentA, kCompany, "provisioning"},
        {kQ, kAgentA, kCompany, "queued"},           {kE, kAgentA, kCompany, "adapter_failed"},
        {kC, kAgentA, kCompany, "cancelled"},        {kU, kAgentA, kCompany, "succeeded"},
        {kX, kAgentB, kCompany, "failed"},           {kRB, kAgentB, kCompany, "running"},
    };
}

// The built-in terminal set plus what an operator might add (SPEC §2).
inline std::set<std::string> extended_terminal_set() {
    return {"succeeded", "failed", "cancelled", "timed_out", "interrupted",
            "error", "adapter_failed", "terminated"};
}

// LockRules keeps references: the partition and run set live here with it.
struct World {
    RunStatusPartition partition;
    RunSet runs;
    LockRules rules;

    World() : partition(RunStatusPartition::seed()), runs(standard_runs()), rules(partition, runs) {}
    explicit World(std::set<std::string> terminal)
        : partition(std::move(terminal)), runs(standard_runs()), rules(partition, runs) {}
    World(const World&) = delete;
    World& operator=(const World&) = delete;
};

inline IssueState make_issue(const std::string& status, const OptUuid& assignee = std::nullopt) {
    IssueState s;
    s.id = kIssue;
    s.company_id = kCompany;
    s.status = status;
    s.assignee_agent_id = assignee;
    s.started_at = kOldStartedAt;
    return s;
}

// Sets the execution lock with its companions, as acquire_execution_lock would.
inline void set_execution(IssueState& s, const Uuid& run) {
    s.execution_run_id = run;
    s.execution_agent_name_key = kOldNameKey;
    s.execution_locked_at = kOldLockedAt;
}

inline IssueState make_locked(const std::string& status, const OptUuid& assignee,
                              const OptUuid& checkout, const OptUuid& execution) {
    IssueState s = make_issue(status, assignee);
    s.checkout_run_id = checkout;
    if (execution) set_execution(s, *execution);
    return s;
}

// Runs fn, which must throw PcError; returns the error (a failure is recorded otherwise).
inline PcError catch_pc_error(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const PcError& e) {
        return e;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected PcError, got std::exception: " << e.what();
        return PcError(ErrorCode::BadRequest, "<wrong exception>");
    }
    ADD_FAILURE() << "expected PcError, nothing was thrown";
    return PcError(ErrorCode::BadRequest, "<nothing thrown>");
}

inline std::string msg_of(const PcError& e) { return e.what(); }

inline std::string q(const char* uuid_text) { return std::string("\"") + uuid_text + "\""; }

// The details of 409 Issue checkout conflict / Issue run ownership conflict,
// written out key by key (null for an absent id).
inline std::string lock_details_json(const char* status, const char* assignee, const char* checkout,
                                     const char* execution) {
    auto v = [](const char* s) { return s ? q(s) : std::string("null"); };
    return std::string("{\"issueId\": ") + q(kIssueS) + ", \"status\": \"" + status +
           "\", \"assigneeAgentId\": " + v(assignee) + ", \"checkoutRunId\": " + v(checkout) +
           ", \"executionRunId\": " + v(execution);
}

inline std::string checkout_conflict_json(const char* status, const char* assignee,
                                          const char* checkout, const char* execution,
                                          const char* reason) {
    return lock_details_json(status, assignee, checkout, execution) +
           ", \"conflictReason\": \"" + reason + "\"}";
}

inline std::string ownership_conflict_json(const char* status, const char* assignee,
                                           const char* checkout, const char* execution,
                                           const char* actor_agent, const char* actor_run) {
    return lock_details_json(status, assignee, checkout, execution) +
           ", \"actorAgentId\": " + q(actor_agent) + ", \"actorRunId\": " + q(actor_run) + "}";
}

}  // namespace pc_test
