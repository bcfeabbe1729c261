#include "core/actor.hpp"

namespace paperclip::core {

const char* Actor::kind_name() const {
    switch (kind) {
        case Kind::Agent: return "agent";
        case Kind::Board: return "board";
        case Kind::Operator: return "operator";
        case Kind::TrustedApp: return "trusted_app";
        case Kind::None: break;
    }
    return "none";
}

AuditActor audit_actor_of(const Actor& actor) {
    switch (actor.kind) {
        case Actor::Kind::Agent:
            return {"agent", actor.agent_id.to_string(), actor.agent_id, actor.run_id};
        case Actor::Kind::Board:
            return {"user", actor.user_id, std::nullopt, std::nullopt};
        case Actor::Kind::Operator:
        case Actor::Kind::TrustedApp:
            // A database operator is audited under its role name (SPEC §3),
            // and so is a trusted application's role in compat mode.
            return {"user", actor.role_name, std::nullopt, std::nullopt};
        case Actor::Kind::None: break;
    }
    return {"system", "system", std::nullopt, std::nullopt};
}

}  // namespace paperclip::core
