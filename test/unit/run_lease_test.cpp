// SPEC §9: renew_run_lease's decision -- who may renew, in which order the
// preconditions fail, and that a run's death is final.
#include "core/run_lease.hpp"

#include "support.hpp"

using namespace pc_test;

namespace {
constexpr std::int64_t kClock = 1000 * kUsecPerSecond;
constexpr std::int64_t kMinute = 60 * kUsecPerSecond;

const Actor kAgentActorR = Actor::agent(kAgentA, kR, kCompany);
const Actor kAgentNoRun = Actor::agent(kAgentA, std::nullopt, kCompany);
const Actor kAgentActorR2 = Actor::agent(kAgentA, kR2, kCompany);
const Actor kAgentB_RB = Actor::agent(kAgentB, kRB, kCompany);
const Actor kBoard = Actor::board("user-1");
const Actor kOperator = Actor::database_operator("ops_role");
const Actor kNoActor{};

const RunInfo kRunR{kR, kAgentA, kCompany, "running"};
const RunInfo kRunF{kF, kAgentA, kCompany, "failed"};
const RunInfo kRunP{kP, kAgentA, kCompany, "provisioning"};

LeaseRenewal renewal(std::int64_t ttl = kMinute, bool bind = false) {
    LeaseRenewal r;
    r.ttl = ttl;
    r.bind_session = bind;
    r.now = kClock;
    r.backend_pid = 4242;
    r.backend_start = 777;
    return r;
}

// A lease read at kClock.
RunLease lease_until(std::int64_t expires_at) {
    RunLease l;
    l.expires_at = expires_at;
    l.renewed_at = expires_at - kMinute;
    l.judged_at = kClock;
    return l;
}

RunLease bound_lease(std::int64_t expires_at, bool ended) {
    RunLease l = lease_until(expires_at);
    l.backend_pid = 99;
    l.backend_start = 55;
    l.bound_session_ended = ended;
    return l;
}

RenewedLease renew(const Actor& actor, const RunInfo* run, const std::optional<RunLease>& current,
                   const LeaseRenewal& r = renewal()) {
    const RunStatusPartition partition = RunStatusPartition::seed();
    return decide_lease_renewal(actor, run ? run->id : kG, run, current, partition, r);
}

int code_of(const std::function<void()>& fn) { return catch_pc_error(fn).http_status(); }
}  // namespace

// ---- the lease itself ----

TEST(LeaseState, HoldsStrictlyBeforeExpiresAt) {
    EXPECT_EQ(lease_state(lease_until(kClock + 1)), LeaseState::Holds);
    EXPECT_EQ(lease_state(lease_until(kClock)), LeaseState::Expired);
    EXPECT_EQ(lease_state(lease_until(kClock - 1)), LeaseState::Expired);
}

TEST(LeaseState, ABoundSessionThatEndedKillsEvenAnUnexpiredLease) {
    EXPECT_EQ(lease_state(bound_lease(kClock + kMinute, true)), LeaseState::SessionEnded);
    EXPECT_EQ(lease_state(bound_lease(kClock + kMinute, false)), LeaseState::Holds);
}

// ---- liveness: one rule, the lease included (SPEC §9) ----

TEST(Liveness, StatusFirstThenLease) {
    const RunStatusPartition partition = RunStatusPartition::seed();
    RunInfo run{kR, kAgentA, kCompany, "running"};
    EXPECT_EQ(liveness_of(nullptr, partition), Liveness::Missing);
    EXPECT_EQ(liveness_of(&run, partition), Liveness::Live);  // no lease: status alone
    run.lease = lease_until(kClock + 1);
    EXPECT_EQ(liveness_of(&run, partition), Liveness::Live);
    run.lease = lease_until(kClock);
    EXPECT_EQ(liveness_of(&run, partition), Liveness::LeaseEnded);
    run.lease = bound_lease(kClock + kMinute, true);
    EXPECT_EQ(liveness_of(&run, partition), Liveness::LeaseEnded);
    // A terminal status decides before the lease, current or not.
    run.status = "failed";
    EXPECT_EQ(liveness_of(&run, partition), Liveness::Terminal);
    run.lease = lease_until(kClock + kMinute);
    EXPECT_EQ(liveness_of(&run, partition), Liveness::Terminal);
    // An unknown status holds while its lease does.
    run.status = "provisioning";
    EXPECT_TRUE(is_live(&run, partition));
}

TEST(Liveness, AnExpiredLeaseIsStaleForEveryRuleAndSaysSo) {
    const RunStatusPartition partition = RunStatusPartition::seed();
    RunInfo zombie{kR, kAgentA, kCompany, "running"};
    zombie.lease = lease_until(kClock - 1);
    RunInfo failed{kF, kAgentA, kCompany, "failed"};
    failed.lease = lease_until(kClock - 1);
    const RunSet runs({zombie, failed});
    const LockRules rules(partition, runs);
    EXPECT_TRUE(rules.is_stale(kR));
    EXPECT_TRUE(rules.lease_ended(kR));
    EXPECT_TRUE(rules.is_stale(kF));
    EXPECT_FALSE(rules.lease_ended(kF));  // terminal: its status is the reason
    EXPECT_FALSE(rules.lease_ended(kG));  // missing
}

TEST(LeaseTtl, OneSecondToOneDayInclusive) {
    EXPECT_NO_THROW(validate_lease_ttl(kMinLeaseTtl));
    EXPECT_NO_THROW(validate_lease_ttl(kMaxLeaseTtl));
    for (std::int64_t bad : {std::int64_t{0}, kMinLeaseTtl - 1, kMaxLeaseTtl + 1, std::int64_t{-1}}) {
        const PcError e = catch_pc_error([&] { validate_lease_ttl(bad); });
        EXPECT_EQ(e.code(), ErrorCode::BadRequest) << bad;
        EXPECT_EQ(e.detail(), R"({"field": "ttl", "problem": "must be between 1 second and 1 day"})");
    }
}

// ---- who may renew, and the order of the errors ----

TEST(RenewLease, PreconditionsFailInOrder403_404_403_409) {
    const std::optional<RunLease> expired = lease_until(kClock - 1);
    // No actor comes first, even for an unknown run.
    EXPECT_EQ(code_of([&] { renew(kNoActor, nullptr, std::nullopt); }), 403);
    // Unknown run before whose run it is.
    EXPECT_EQ(code_of([&] { renew(kAgentB_RB, nullptr, std::nullopt); }), 404);
    // Another agent's terminal run with an expired lease: 403, not 409.
    EXPECT_EQ(code_of([&] { renew(kAgentB_RB, &kRunF, expired); }), 403);
    // Own terminal run with an expired lease: the status decides (Run is not live).
    const PcError e = catch_pc_error([&] { renew(kAgentNoRun, &kRunF, expired); });
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(msg_of(e), "Run is not live");
    EXPECT_EQ(e.detail(), "{\"runId\": " + q(kRunFS) + ", \"runStatus\": \"failed\"}");
}

TEST(RenewLease, NotFoundNamesTheRun) {
    const PcError e = catch_pc_error([&] { renew(kAgentActorR, nullptr, std::nullopt); });
    EXPECT_EQ(e.code(), ErrorCode::NotFound);
    EXPECT_EQ(msg_of(e), "run not found");
    EXPECT_EQ(e.detail(), "{\"runId\": " + q(kRunGS) + "}");
}

TEST(RenewLease, OnlyTheRunsOwnAgentWithThatRunOrAnOperator) {
    EXPECT_EQ(code_of([&] { renew(kAgentB_RB, &kRunR, std::nullopt); }), 403);
    EXPECT_EQ(code_of([&] { renew(kAgentActorR2, &kRunR, std::nullopt); }), 403);
    EXPECT_EQ(code_of([&] { renew(kBoard, &kRunR, std::nullopt); }), 403);
    EXPECT_NO_THROW(renew(kAgentActorR, &kRunR, std::nullopt));
    EXPECT_NO_THROW(renew(kAgentNoRun, &kRunR, std::nullopt));
    EXPECT_NO_THROW(renew(kOperator, &kRunR, std::nullopt));
}

TEST(RenewLease, AnUnknownStatusHolds) {
    EXPECT_NO_THROW(renew(kAgentNoRun, &kRunP, std::nullopt));
}

// ---- the new lease ----

TEST(RenewLease, ExpiryIsTheClockPlusTtlWithTheRunsCompany) {
    const RenewedLease out = renew(kAgentActorR, &kRunR, std::nullopt, renewal(5 * kMinute));
    EXPECT_EQ(out.run_id, kR);
    EXPECT_EQ(out.company_id, kCompany);
    EXPECT_EQ(out.lease.expires_at, kClock + 5 * kMinute);
    EXPECT_EQ(out.lease.renewed_at, kClock);
    EXPECT_FALSE(out.lease.bound());
}

TEST(RenewLease, BindSessionRecordsTheCallersBackend) {
    const RenewedLease out = renew(kAgentActorR, &kRunR, lease_until(kClock + 1), renewal(kMinute, true));
    ASSERT_TRUE(out.lease.backend_pid);
    EXPECT_EQ(*out.lease.backend_pid, 4242);
    EXPECT_EQ(out.lease.backend_start, std::optional<std::int64_t>(777));
}

TEST(RenewLease, RenewingWithoutBindKeepsTheBinding) {
    const RenewedLease out = renew(kOperator, &kRunR, bound_lease(kClock + 1, false), renewal(kMinute, false));
    ASSERT_TRUE(out.lease.backend_pid);
    EXPECT_EQ(*out.lease.backend_pid, 99);
    EXPECT_EQ(out.lease.backend_start, std::optional<std::int64_t>(55));
    EXPECT_EQ(out.lease.expires_at, kClock + kMinute);
}

TEST(RenewLease, ALeaseMayBeShortened) {
    const RenewedLease out = renew(kAgentActorR, &kRunR, lease_until(kClock + 60 * kMinute), renewal(kMinLeaseTtl));
    EXPECT_EQ(out.lease.expires_at, kClock + kMinLeaseTtl);
}

// ---- death is final ----

TEST(RenewLease, AnExpiredLeaseIsNeverRenewedByAnyone) {
    for (const Actor* actor : {&kAgentActorR, &kOperator}) {
        const PcError e = catch_pc_error([&] { renew(*actor, &kRunR, lease_until(kClock)); });
        EXPECT_EQ(e.code(), ErrorCode::Conflict);
        EXPECT_EQ(msg_of(e), "Run lease expired");
        EXPECT_EQ(e.detail(), "{\"runId\": " + q(kRunRS) +
                                  ", \"reason\": \"run_lease_expired\", \"sessionEnded\": false}");
    }
    // Not with bind_session either, nor with the longest ttl.
    EXPECT_EQ(code_of([&] { renew(kAgentActorR, &kRunR, lease_until(kClock - 1), renewal(kMaxLeaseTtl, true)); }),
              409);
}

TEST(RenewLease, ALeaseWhoseBoundSessionEndedIsDead) {
    const PcError e = catch_pc_error([&] { renew(kAgentActorR, &kRunR, bound_lease(kClock + kMinute, true)); });
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(msg_of(e), "Run lease expired");
    EXPECT_EQ(e.detail(), "{\"runId\": " + q(kRunRS) +
                              ", \"reason\": \"run_lease_expired\", \"sessionEnded\": true}");
    EXPECT_EQ(code_of([&] { renew(kAgentActorR, &kRunR, bound_lease(kClock + kMinute, true), renewal(kMinute, true)); }),
              409);
}

// ---- the attached lease column (SPEC §9 run_lease_column) ----

namespace {
AppLease app_lease_until(std::int64_t expires_at) { return AppLease{expires_at, kClock}; }
}  // namespace

TEST(AppLeaseColumn, SetAndInThePastCountsExactlyLikeAnExpiredLeaseRow) {
    const RunStatusPartition partition = RunStatusPartition::seed();
    RunInfo run{kR, kAgentA, kCompany, "running"};
    run.app_lease = app_lease_until(kClock + 1);
    EXPECT_EQ(liveness_of(&run, partition), Liveness::Live);
    run.app_lease = app_lease_until(kClock);
    EXPECT_EQ(liveness_of(&run, partition), Liveness::LeaseEnded);
    // Either signal ends the run: a live lease row does not outvote the column.
    run.lease = lease_until(kClock + kMinute);
    EXPECT_EQ(liveness_of(&run, partition), Liveness::LeaseEnded);
    // NULL in the column: the lease row and the status decide.
    run.app_lease.reset();
    EXPECT_EQ(liveness_of(&run, partition), Liveness::Live);
    // The status still comes first.
    run.status = "failed";
    run.app_lease = app_lease_until(kClock - 1);
    EXPECT_EQ(liveness_of(&run, partition), Liveness::Terminal);
    const RunSet runs({RunInfo{kR, kAgentA, kCompany, "running", std::nullopt, app_lease_until(kClock - 1)}});
    EXPECT_TRUE(LockRules(partition, runs).lease_ended(kR));
}

TEST(AppLeaseColumn, ADeathTheColumnShowsIsRecordedInTheLeaseRowOnce) {
    const RunStatusPartition partition = RunStatusPartition::seed();
    RunInfo run{kR, kAgentA, kCompany, "running"};
    EXPECT_EQ(death_to_record(run, partition), std::nullopt);  // no column value
    run.app_lease = app_lease_until(kClock + 1);
    EXPECT_EQ(death_to_record(run, partition), std::nullopt);  // still holds
    run.app_lease = app_lease_until(kClock - 5);
    EXPECT_EQ(death_to_record(run, partition), OptTimestamp(kClock - 5));
    run.lease = lease_until(kClock + kMinute);  // a live lease row: cut back to the column's death
    EXPECT_EQ(death_to_record(run, partition), OptTimestamp(kClock - 5));
    run.lease = lease_until(kClock - 5);  // already recorded
    EXPECT_EQ(death_to_record(run, partition), std::nullopt);
    run.lease = lease_until(kClock - 9);  // an earlier death stays
    EXPECT_EQ(death_to_record(run, partition), std::nullopt);
    run.lease.reset();
    run.status = "failed";  // terminal: its status is final enough
    EXPECT_EQ(death_to_record(run, partition), std::nullopt);
}

TEST(AppLeaseColumn, RenewalIsRefusedOnceTheColumnEndedJudgedAtTheRenewalsClock) {
    RunInfo run{kR, kAgentA, kCompany, "running"};
    run.app_lease = AppLease{kClock, 0};  // read at an earlier instant: judged again at the clock
    const PcError e = catch_pc_error([&] { renew(kAgentActorR, &run, std::nullopt); });
    EXPECT_EQ(e.code(), ErrorCode::Conflict);
    EXPECT_EQ(msg_of(e), "Run lease expired");
    EXPECT_EQ(e.detail(), "{\"runId\": " + q(kRunRS) + ", \"reason\": \"run_lease_expired\", \"sessionEnded\": false}");
    run.app_lease = AppLease{kClock + 1, 0};
    EXPECT_NO_THROW(renew(kAgentActorR, &run, std::nullopt));
}
