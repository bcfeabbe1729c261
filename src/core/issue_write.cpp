#include "core/issue_write.hpp"

#include <utility>

#include "core/access.hpp"
#include "core/compat.hpp"
#include "core/errors.hpp"
#include "core/ownership.hpp"
#include "core/vocabulary.hpp"
#include "core/write_gate.hpp"

namespace paperclip::core {

namespace {

// Thrown inside the decision when a fact is not loaded yet; never leaves it.
struct NotLoaded {
    IssueWriteNeed need;
};

template <typename T>
const T* fact(const std::map<Uuid, std::optional<T>>& facts, IssueWriteNeed::Kind kind, const Uuid& id) {
    const auto it = facts.find(id);
    if (it == facts.end()) throw NotLoaded{{kind, id}};
    return it->second ? &*it->second : nullptr;
}

class IssueWrite {
public:
    explicit IssueWrite(const IssueWriteInput& in)
        : in_(in), facts_(in.facts), actor_(in.actor), current_(in.current), proposed_(in.proposed),
          is_insert_(in.event == IssueWriteEvent::Insert), is_delete_(in.event == IssueWriteEvent::Delete),
          previous_(is_insert_ ? nullptr : &current_),
          lock_write_(is_insert_ ? (current_.checkout_run_id || current_.execution_run_id ||
                                    current_.execution_agent_name_key || current_.execution_locked_at)
                                 : lock_columns_differ(current_, proposed_)) {}

    IssueWriteOutcome decide() {
        // Every writer: an issue's id never changes (it would take another
        // issue's audit history with it).
        if (!is_insert_ && !is_delete_) require_primary_key_unchanged("issues", current_.id, proposed_.id);
        if (actor_.is_trusted_app()) return trusted_app_write();
        if (actor_.is_operator()) return operator_write();
        if (!is_insert_ && !is_delete_ && lock_write_ && is_run_deletion_cascade())
            return stored(apply_issue_rules(&current_, proposed_, true, in_.now));
        return actor_write();
    }

private:
    // A trusted application in compat mode (SPEC §8): the unchanged server
    // runs its own workflow; its writes keep the data meaningful (the rules
    // of core/compat.hpp, and lock columns naming runs of the issue's company).
    IssueWriteOutcome trusted_app_write() {
        if (is_delete_) return {};
        if (lock_write_) require_lock_runs_in_company();
        return stored(apply_trusted_issue_rules(proposed_));
    }

    // Operators may write lock columns (repairs, migrations and fixtures), but
    // only naming runs of the issue's company, and assign only assignable agents.
    IssueWriteOutcome operator_write() {
        if (is_delete_) return {};
        if (lock_write_) require_lock_runs_in_company();
        require_assignable_assignee(is_insert_);
        // An operator's INSERT of an in_progress issue without an assignee is
        // a restore or a migration of a row admin_force_release(clear_assignee)
        // made (SPEC §4.7 never changes status): it is taken as it stands, not
        // as a move into in_progress, so pg_dump's output restores.
        const bool restores_unassigned_in_progress = is_insert_ && proposed_.status == status::kInProgress &&
                                                     !proposed_.assignee_agent_id && !proposed_.assignee_user_id;
        return stored(apply_issue_rules(restores_unassigned_in_progress ? &proposed_ : previous_, proposed_,
                                        lock_write_, in_.now));
    }

    // An agent, a board user, or nobody.
    IssueWriteOutcome actor_write() {
        require_actor(actor_);
        if (lock_write_) refuse_direct_lock_write(actor_);
        require_company_write_of(current_.company_id);
        if (!is_insert_ && proposed_.company_id != current_.company_id) require_company_write_of(proposed_.company_id);
        IssueWriteOutcome out;
        if (actor_.is_agent() && !is_insert_) pass_ownership_gate(out.audit);
        if (is_delete_) return out;
        require_assignable_assignee(false);
        // As upstream's PATCH: no move to in_progress past unresolved
        // blockers (a new issue has no relations yet).
        if (!is_insert_ && enters_in_progress(previous_, proposed_)) {
            if (!facts_.unresolved_blocker_ids) throw NotLoaded{{IssueWriteNeed::Kind::Blockers, current_.id}};
            require_no_unresolved_blockers(*facts_.unresolved_blocker_ids);
        }
        out.row = apply_issue_rules(previous_, proposed_, false, in_.now);
        return out;
    }

    // The gate of SPEC §6 for an agent: another agent's issue is refused
    // (unless it manages active checkouts); on its own in_progress issue the
    // write passes assert_checkout_owner's rule, whose clearing or adoption
    // goes into the row version stored, and is audited.
    void pass_ownership_gate(std::vector<AuditEntry>& audit) {
        if (agent_gate(current_, actor_) == AgentGate::Pass) return;
        const Uuid run_id = agent_run_of(actor_, std::nullopt);
        if (!facts_.gate_runs || facts_.partition == nullptr)
            throw NotLoaded{{IssueWriteNeed::Kind::GateRuns, run_id}};
        const LockRules rules(*facts_.partition, *facts_.gate_runs);
        OwnershipOutcome gate = check_ownership(current_, actor_.agent_id, run_id, actor_.agent_name_key, in_.now,
                                                rules, "ownership_gate");
        audit = std::move(gate.audit);
        proposed_.checkout_run_id = gate.result.checkout_run_id;
        proposed_.execution_run_id = gate.result.execution_run_id;
        proposed_.execution_agent_name_key = gate.result.execution_agent_name_key;
        proposed_.execution_locked_at = gate.result.execution_locked_at;
    }

    // The ON DELETE SET NULL cascade: only run-id columns went to NULL, each
    // naming a run that no longer exists, and nothing else changed.
    bool is_run_deletion_cascade() const {
        IssueState expected = current_;
        const bool checkout_nulled = current_.checkout_run_id && !proposed_.checkout_run_id;
        const bool execution_nulled = current_.execution_run_id && !proposed_.execution_run_id;
        if (checkout_nulled) expected.checkout_run_id.reset();
        if (execution_nulled) expected.execution_run_id.reset();
        if (!(checkout_nulled || execution_nulled) || expected != proposed_) return false;
        if (checkout_nulled && run(*current_.checkout_run_id)) return false;
        if (execution_nulled && run(*current_.execution_run_id)) return false;
        return true;
    }

    // SPEC §6: a lock column names only a run of the issue's own company, for
    // every writer; checked where a column is set to a run (or the issue moves).
    void require_lock_runs_in_company() const {
        const bool moved = previous_ != nullptr && previous_->company_id != proposed_.company_id;
        const std::pair<const char*, OptUuid IssueState::*> columns[] = {
            {"checkout_run_id", &IssueState::checkout_run_id},
            {"execution_run_id", &IssueState::execution_run_id}};
        for (const auto& [name, column] : columns) {
            const OptUuid& run_id = proposed_.*column;
            if (!run_id || (previous_ != nullptr && previous_->*column == run_id && !moved)) continue;
            require_lock_run_in_company(proposed_, name, *run_id, run(*run_id));
        }
    }

    // SPEC §10: an assignee written by any UPDATE or INSERT is assignable, as in
    // checkout. One exception: a database operator's INSERT is held to the same
    // company only -- pg_restore and imports bring back issues whose assignee was
    // terminated after it was assigned, and a dump must restore (SPEC §1).
    void require_assignable_assignee(bool operator_insert) const {
        if (!assignee_written(previous_, proposed_)) return;
        const AgentInfo* agent = fact(facts_.agents, IssueWriteNeed::Kind::Agent, *proposed_.assignee_agent_id);
        if (operator_insert && agent != nullptr) {
            AgentInfo any_status = *agent;
            any_status.status = "idle";
            require_assignable_agent(&any_status, proposed_.company_id);
            return;
        }
        require_assignable_agent(agent, proposed_.company_id);
    }

    // Company write access; a board user's depends on its membership there.
    void require_company_write_of(const Uuid& company_id) const {
        const Membership* membership =
            actor_.is_board() ? fact(facts_.memberships, IssueWriteNeed::Kind::Membership, company_id) : nullptr;
        require_company_write(actor_, company_id, membership);
    }

    const RunInfo* run(const Uuid& run_id) const { return fact(facts_.runs, IssueWriteNeed::Kind::Run, run_id); }

    static IssueWriteOutcome stored(IssueState row) {
        IssueWriteOutcome out;
        out.row = std::move(row);
        return out;
    }

    const IssueWriteInput& in_;
    const IssueWriteFacts& facts_;
    const Actor& actor_;
    const IssueState& current_;
    IssueState proposed_;  // with what the ownership gate cleared or adopted
    const bool is_insert_;
    const bool is_delete_;
    const IssueState* previous_;  // nullptr for an INSERT
    const bool lock_write_;
};

}  // namespace

IssueWriteOutcome decide_issue_write(const IssueWriteInput& input) {
    try {
        return IssueWrite(input).decide();
    } catch (const NotLoaded& missing) {
        IssueWriteOutcome out;
        out.need = missing.need;
        return out;
    }
}

}  // namespace paperclip::core
