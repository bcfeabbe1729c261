#include <string>

#include "core/errors.hpp"
#include "core/vocabulary.hpp"
#include "pg/actor_state.hpp"
#include "pg/attachment.hpp"
#include "pg/spi.hpp"
#include "pg/issue_rows.hpp"

namespace paperclip::pg {

namespace {

struct TransactionActor {
    bool set = false;
    core::Actor actor;
    // The subtransaction the actor was set in: if it (or an enclosing one)
    // rolls back, the actor goes with it (SPEC §10).
    SubTransactionId set_in = InvalidSubTransactionId;
};
TransactionActor g_actor;

void clear_actor() {
    g_actor = TransactionActor{};
    reset_extension_writes();
}

// Subtransaction ids only grow within a transaction, and a subtransaction's
// children get larger ids than it: everything started at or after the
// aborted one has an id >= its id.
void on_subxact_event(SubXactEvent event, SubTransactionId aborted, SubTransactionId, void*) {
    if (event != SUBXACT_EVENT_ABORT_SUB) return;
    if (g_actor.set && g_actor.set_in >= aborted) g_actor = TransactionActor{};
    abort_extension_writes(aborted);
}

void on_xact_event(XactEvent event, void*) {
    switch (event) {
        case XACT_EVENT_COMMIT:
        case XACT_EVENT_PARALLEL_COMMIT:
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_ABORT:
        case XACT_EVENT_PREPARE:
            clear_actor();
            break;
        default:
            break;
    }
}

bool same_actor(const core::Actor& a, const core::Actor& b) {
    return a.kind == b.kind && a.agent_id == b.agent_id && a.run_id == b.run_id &&
           a.user_id == b.user_id;
}

void install(const core::Actor& actor) {
    if (g_actor.set && !same_actor(g_actor.actor, actor))
        throw core::PcError(core::ErrorCode::Forbidden,
                            core::msg::kActorAlreadySet,
                            core::JsonObject()
                                .add("currentActorType", g_actor.actor.kind_name())
                                .add("requestedActorType", actor.kind_name())
                                .str(),
                            core::msg::kActorAlreadySetHint);
    if (!IsTransactionBlock())
        pg_call([] {
            if (errstart(WARNING, TEXTDOMAIN)) {
                errcode(ERRCODE_NO_ACTIVE_SQL_TRANSACTION);
                errmsg("%s", core::msg::kActorOutsideTransaction);
                errdetail("%s", core::msg::kActorOutsideTransactionDetail);
                errhint("%s", core::msg::kActorOutsideTransactionHint);
                errfinish(nullptr, 0, nullptr);
            }
        });
    if (!g_actor.set) g_actor.set_in = GetCurrentSubTransactionId();
    g_actor.set = true;
    g_actor.actor = actor;
}

}  // namespace

void register_actor_callbacks() {
    RegisterXactCallback(on_xact_event, nullptr);
    RegisterSubXactCallback(on_subxact_event, nullptr);
}

void set_agent_actor(const core::AgentInfo& agent, const core::OptUuid& run_id) {
    install(core::Actor::agent(agent, run_id, core::normalize_agent_name_key(agent.name)));
}

void set_board_actor(const std::string& user_id) { install(core::Actor::board(user_id)); }

bool role_is_operator(Oid role) {
    if (pg_call([&] { return superuser_arg(role); })) return true;
    if (role == extension_owner(true)) return true;
    return pg_call([&] {
        const Oid operator_role = get_role_oid("paperclip_operator", true);
        return OidIsValid(operator_role) && has_privs_of_role(role, operator_role);
    });
}

bool role_is_trusted_app(Oid role) {
    return pg_call([&] {
        Oid trusted = get_role_oid("paperclip_trusted_app", true);
        return OidIsValid(trusted) && has_privs_of_role(role, trusted);
    });
}

core::Actor current_actor() {
    if (g_actor.set) return g_actor.actor;
    const Oid role = GetUserId();
    const bool is_operator = role_is_operator(role);
    // Compat mode (SPEC §8): the unchanged Paperclip server sets no actor.
    const bool trusted = attachment().compat() && (is_operator || role_is_trusted_app(role));
    if (!trusted && !is_operator) return core::Actor{};
    const char* name = pg_call([&] { return GetUserNameFromId(role, false); });
    return trusted ? core::Actor::trusted_app(name) : core::Actor::database_operator(name);
}

}  // namespace paperclip::pg
