// The rules for every write to paperclip.issues, from every client (SPEC §6):
// load -> core::decide_issue_write -> apply. BEFORE ROW: the row is already
// locked by the executor, so the run rows the decision asks for come second,
// as in every function. A row trigger cannot UPDATE the row it guards: what
// the decision clears or adopts goes into the row version it returns.
#include <optional>

#include "core/issue_write.hpp"
#include "entry_points.hpp"
#include "pg/issue_tuple.hpp"
#include "pg/operation.hpp"
#include "pg/trigger.hpp"

namespace paperclip::triggers {

namespace {

// Loads the one fact the decision asked for into its input, through the
// pg/ modules that hold the SQL.
void load(const core::IssueWriteNeed& need, core::IssueWriteInput& input) {
    core::IssueWriteFacts& facts = input.facts;
    switch (need.kind) {
        case core::IssueWriteNeed::Kind::Run: facts.runs[need.id] = pg::read_run(need.id); return;
        case core::IssueWriteNeed::Kind::Membership:
            facts.memberships[need.id] = pg::membership_of(input.actor, need.id);
            return;
        case core::IssueWriteNeed::Kind::GateRuns:
            facts.gate_runs = pg::lock_runs_of(input.current, need.id);
            facts.partition = &pg::run_status_partition();
            return;
        case core::IssueWriteNeed::Kind::Agent: facts.agents[need.id] = pg::find_agent(need.id); return;
        case core::IssueWriteNeed::Kind::Blockers:
            facts.unresolved_blocker_ids = pg::unresolved_blockers(need.id, input.current.company_id);
            return;
    }
}

}  // namespace

Datum issues_guard(FunctionCallInfo fcinfo) {
    TriggerData* td = pg::row_guard_data(fcinfo, "issues_guard", "issues");
    if (pg::extension_write_in_progress()) return PointerGetDatum(pg::unchanged_row(td));

    // Load: the actor (before the switch to the extension owner), the row
    // versions, then each fact the decision asks for.
    const pg::IssueTuple codec(td->tg_relation->rd_att);
    core::IssueWriteInput input;
    input.actor = pg::current_actor();
    input.event = TRIGGER_FIRED_BY_INSERT(td->tg_event)   ? core::IssueWriteEvent::Insert
                  : TRIGGER_FIRED_BY_DELETE(td->tg_event) ? core::IssueWriteEvent::Delete
                                                          : core::IssueWriteEvent::Update;
    input.current = codec.read(td->tg_trigtuple);  // OLD, or NEW for INSERT
    input.proposed = input.event == core::IssueWriteEvent::Update ? codec.read(td->tg_newtuple) : input.current;
    input.now = pg::Operation::now();

    std::optional<pg::OwnerScope> scope;  // opened at the first read
    core::IssueWriteOutcome outcome = core::decide_issue_write(input);
    while (outcome.need) {
        if (!scope) scope.emplace();
        load(*outcome.need, input);
        outcome = core::decide_issue_write(input);
    }

    // Apply: the gate's audit rows, then the row version to store.
    if (!outcome.audit.empty()) {
        if (!scope) scope.emplace();
        pg::write_audit(input.actor, input.current, outcome.audit);
    }
    if (scope) scope->finish();
    if (!outcome.row) return PointerGetDatum(td->tg_trigtuple);  // a DELETE
    return PointerGetDatum(codec.write(pg::unchanged_row(td), input.proposed, *outcome.row));
}

}  // namespace paperclip::triggers
