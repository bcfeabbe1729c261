// paperclip.renew_run_lease(run_id, ttl, bind_session) (SPEC §9): locks the run
// row, reads its lease, and moves the expiry to the clock plus ttl -- unless
// the run is terminal or its lease already ended: a dead run stays dead.
#include "core/errors.hpp"
#include "core/run_lease.hpp"
#include "entry_points.hpp"
#include "pg/args.hpp"
#include "pg/operation.hpp"
#include "pg/run_leases.hpp"

namespace paperclip::functions {

namespace {

// An interval as microseconds, a month counted as 30 days and a day as 24
// hours (as interval comparison does); 128-bit so no input overflows.
std::int64_t interval_usecs(const Interval* ttl) {
    const __int128 usecs = static_cast<__int128>(ttl->month) * DAYS_PER_MONTH * USECS_PER_DAY +
                           static_cast<__int128>(ttl->day) * USECS_PER_DAY + ttl->time;
    if (usecs > core::kMaxLeaseTtl) return core::kMaxLeaseTtl + 1;
    if (usecs < 0) return -1;
    return static_cast<std::int64_t>(usecs);
}

}  // namespace

Datum renew_run_lease(FunctionCallInfo fcinfo) {
    const core::Uuid run_id = pg::arg_uuid(fcinfo, 0, "runId");
    if (PG_ARGISNULL(1)) core::fail_validation("ttl", "must not be null");
    const std::int64_t ttl = interval_usecs(PG_GETARG_INTERVAL_P(1));
    const bool bind_session = pg::arg_bool(fcinfo, 2, "bindSession");
    core::validate_lease_ttl(ttl);

    pg::Operation op;
    core::require_actor(op.actor);
    // The clock, not the transaction start: a renewal that reaches the lease
    // after it expired is too late, however early its transaction began. Read
    // once the run row is locked, so an operation that judged the run dead
    // while holding that row is never contradicted.
    std::int64_t now = GetCurrentTimestamp();
    const std::optional<core::RunInfo> run = pg::lock_run_for_renewal(run_id, now);
    const std::optional<core::RunLease> current = run ? run->lease : std::nullopt;

    core::LeaseRenewal renewal;
    renewal.ttl = ttl;
    renewal.bind_session = bind_session;
    renewal.now = now;
    renewal.backend_pid = MyProcPid;
    renewal.backend_start = MyStartTimestamp;
    const core::RenewedLease renewed = core::decide_lease_renewal(
        op.actor, run_id, run ? &*run : nullptr, current, pg::run_status_partition(), renewal);
    pg::write_run_lease(renewed);
    op.finish();
    PG_RETURN_TIMESTAMPTZ(renewed.lease.expires_at);
}

}  // namespace paperclip::functions
