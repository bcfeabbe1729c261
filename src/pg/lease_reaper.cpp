#include <string>
#include <vector>

#include "pg/lease_reaper.hpp"
#include "pg/postgres.hpp"

extern "C" {
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/snapmgr.h"
#include "utils/varlena.h"
}

namespace paperclip::pg {

namespace {

int g_interval_ms = 1000;
int g_batch_size = 100;
char* g_databases = nullptr;
char* g_role = nullptr;
bool g_in_reaper = false;

// The databases named in paperclip.lease_reaper_databases, as written.
std::vector<std::string> configured_databases() {
    std::vector<std::string> out;
    if (g_databases == nullptr || g_databases[0] == '\0') return out;
    char* copy = pstrdup(g_databases);
    List* names = NIL;
    if (!SplitIdentifierString(copy, ',', &names))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("invalid list syntax in parameter \"paperclip.lease_reaper_databases\"")));
    ListCell* cell;
    foreach (cell, names) out.emplace_back(static_cast<const char*>(lfirst(cell)));
    return out;
}

bool check_databases(char** newval, void** extra, GucSource source) {
    char* copy = pstrdup(*newval);
    List* names = NIL;
    const bool ok = SplitIdentifierString(copy, ',', &names);
    if (!ok) GUC_check_errdetail("List syntax is invalid.");
    ListCell* cell;
    if (ok)
        foreach (cell, names) {
            if (strlen(static_cast<const char*>(lfirst(cell))) >= BGW_EXTRALEN) {
                GUC_check_errdetail("Database name is too long.");
                return false;
            }
        }
    list_free(names);
    pfree(copy);
    return ok;
}

// Runs `sql` (one statement, no parameters) through SPI; returns the first
// column of the first row as int64, or -1 when it returned no row.
int64 run_int64(const char* sql) {
    if (SPI_execute(sql, false, 1) < 0) elog(ERROR, "lease reaper: SPI_execute failed: %s", sql);
    if (SPI_processed == 0) return -1;
    bool isnull = false;
    Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
    return isnull ? -1 : DatumGetInt64(d);
}

// One batch in its own transaction: the number of issues whose locks were
// released, or -1 when neither extension is installed in this database.
int64 reap_one_batch() {
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT paperclip.sweep_stale_locks(%d)::pg_catalog.int8", g_batch_size);
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    SPI_connect();
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, "paperclip lease reaper: releasing expired leases' locks");
    int64 cleared = -1;
    if (run_int64("SELECT 1::pg_catalog.int8 FROM pg_catalog.pg_extension "
                  "WHERE extname OPERATOR(pg_catalog.=) ANY ('{paperclip_locks,paperclip_locks_attach}')") == 1)
        cleared = run_int64(sql);
    SPI_finish();
    PopActiveSnapshot();
    CommitTransactionCommand();
    pgstat_report_stat(false);
    pgstat_report_activity(STATE_IDLE, nullptr);
    return cleared;
}

}  // namespace

void define_lease_reaper_settings() {
    DefineCustomIntVariable(
        "paperclip.lease_reaper_interval",
        "Time between two passes of the lease reaper over its database.",
        "Locks of runs whose lease expired are released within about this time of the expiry.",
        &g_interval_ms, 1000, 10, 3600 * 1000, PGC_SIGHUP, GUC_UNIT_MS, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "paperclip.lease_reaper_batch_size",
        "Issues the lease reaper releases per transaction.",
        "Each batch is one short transaction; the reaper repeats batches until one comes back short.",
        &g_batch_size, 100, 1, 100000, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    // Which databases get a worker, and as whom, are fixed at server start;
    // PostgreSQL allows defining such settings only while preloading.
    if (!process_shared_preload_libraries_in_progress) return;
    DefineCustomStringVariable(
        "paperclip.lease_reaper_databases",
        "Databases the lease reaper watches (comma-separated).",
        "One background worker per database; needs paperclip_locks in shared_preload_libraries "
        "and a server restart to change.",
        &g_databases, "", PGC_POSTMASTER, GUC_LIST_INPUT, check_databases, nullptr, nullptr);
    DefineCustomStringVariable(
        "paperclip.lease_reaper_role",
        "Role the lease reaper connects as; empty: the bootstrap superuser.",
        "It must be allowed to call paperclip.sweep_stale_locks without an actor (a database operator).",
        &g_role, "", PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
}

void register_lease_reapers() {
    for (const std::string& db : configured_databases()) {
        BackgroundWorker worker;
        memset(&worker, 0, sizeof worker);
        worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
        worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
        // Restarted after an unexpected exit (a FATAL, e.g. the database does
        // not exist yet); ERRORs are handled inside the loop.
        worker.bgw_restart_time = 10;
        snprintf(worker.bgw_library_name, BGW_MAXLEN, "paperclip_locks");
        snprintf(worker.bgw_function_name, BGW_MAXLEN, "paperclip_lease_reaper_main");
        snprintf(worker.bgw_name, BGW_MAXLEN, "paperclip lease reaper for database %s", db.c_str());
        snprintf(worker.bgw_type, BGW_MAXLEN, "paperclip lease reaper");
        strlcpy(worker.bgw_extra, db.c_str(), BGW_EXTRALEN);
        RegisterBackgroundWorker(&worker);
    }
}

const char* sweep_source() { return g_in_reaper ? "lease_reaper" : "sweep"; }

}  // namespace paperclip::pg

// The worker's main loop. Plain C control flow: an ERROR longjmps back to
// the sigsetjmp below, which logs it, aborts the transaction and carries on
// with the next interval -- so nothing here may hold an object with a
// destructor across a call that can raise.
extern "C" {
PGDLLEXPORT void paperclip_lease_reaper_main(Datum main_arg);

void paperclip_lease_reaper_main(Datum) {
    using namespace paperclip::pg;
    char database[BGW_EXTRALEN];
    strlcpy(database, MyBgworkerEntry->bgw_extra, BGW_EXTRALEN);

    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnection(database, (g_role != nullptr && g_role[0] != '\0') ? g_role : nullptr, 0);
    g_in_reaper = true;
    ereport(LOG, (errmsg("paperclip lease reaper started for database \"%s\"", database),
                  errdetail("Interval %d ms, batches of %d issues.", g_interval_ms, g_batch_size)));

    MemoryContext loop_context =
        AllocSetContextCreate(TopMemoryContext, "paperclip lease reaper", ALLOCSET_DEFAULT_SIZES);
    sigjmp_buf local_sigjmp_buf;
    if (sigsetjmp(local_sigjmp_buf, 1) != 0) {
        // An ERROR in a pass: report it, roll back, wait for the next interval.
        error_context_stack = nullptr;
        HOLD_INTERRUPTS();
        EmitErrorReport();
        AbortCurrentTransaction();
        FlushErrorState();
        MemoryContextSwitchTo(loop_context);
        MemoryContextResetAndDeleteChildren(loop_context);
        RESUME_INTERRUPTS();
    }
    PG_exception_stack = &local_sigjmp_buf;

    for (;;) {
        const int rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, g_interval_ms,
                                 PG_WAIT_EXTENSION);
        (void)rc;
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();  // SIGTERM: exits here
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
        MemoryContextSwitchTo(loop_context);
        // Bounded batches, each its own transaction, until one comes back short.
        int64 cleared;
        do {
            cleared = reap_one_batch();
            if (cleared > 0)
                ereport(DEBUG1, (errmsg("paperclip lease reaper released the locks of " INT64_FORMAT " issues",
                                        cleared)));
            CHECK_FOR_INTERRUPTS();
        } while (cleared >= g_batch_size);
        MemoryContextResetAndDeleteChildren(loop_context);
    }
}
}
