// Who performs an operation (SPEC §3), and how that actor appears in the audit log.
#pragma once

#include <string>

#include "core/lock_state.hpp"

namespace paperclip::core {

struct Actor {
    // TrustedApp: no actor, on a database attached in compat mode (SPEC §8),
    // from a member of paperclip_trusted_app or an operator.
    enum class Kind { None, Agent, Board, Operator, TrustedApp };
    Kind kind = Kind::None;
    Uuid agent_id{};          // Agent
    OptUuid run_id;           // Agent
    Uuid agent_company_id{};  // Agent: the agent's company
    // Agent: read with the agent row when the actor was set, for the
    // transaction the actor holds (the ownership gate needs nothing else).
    std::string agent_name_key;
    bool manages_active_checkouts = false;
    std::string user_id;      // Board
    std::string role_name;    // Operator, TrustedApp: the session's role

    static Actor agent(const Uuid& agent, const OptUuid& run, const Uuid& company) {
        Actor a;
        a.kind = Kind::Agent;
        a.agent_id = agent;
        a.run_id = run;
        a.agent_company_id = company;
        return a;
    }
    static Actor agent(const AgentInfo& info, const OptUuid& run, const std::string& name_key) {
        Actor a = agent(info.id, run, info.company_id);
        a.agent_name_key = name_key;
        a.manages_active_checkouts = info.manages_active_checkouts;
        return a;
    }
    static Actor board(const std::string& user) {
        Actor a;
        a.kind = Kind::Board;
        a.user_id = user;
        return a;
    }
    static Actor database_operator(const std::string& role) { return with_role(Kind::Operator, role); }
    bool is_agent() const { return kind == Kind::Agent; }
    bool is_board() const { return kind == Kind::Board; }
    static Actor trusted_app(const std::string& role) { return with_role(Kind::TrustedApp, role); }
    bool is_operator() const { return kind == Kind::Operator; }
    bool is_trusted_app() const { return kind == Kind::TrustedApp; }
    // No actor needed: a database operator, or a trusted application in
    // compat mode, passes every actor gate.
    bool passes_actor_gates() const { return is_operator() || is_trusted_app(); }
    const char* kind_name() const;

private:
    // An actor known by the session's role alone (an operator, a trusted app).
    static Actor with_role(Kind kind, const std::string& role) {
        Actor a;
        a.kind = kind;
        a.role_name = role;
        return a;
    }
};

// The actor columns of an activity_log row.
struct AuditActor {
    std::string actor_type;  // 'agent' | 'user' | 'system'
    std::string actor_id;
    OptUuid agent_id;
    OptUuid run_id;
};
AuditActor audit_actor_of(const Actor& actor);

}  // namespace paperclip::core
