// paperclip.set_actor_agent, set_actor_board, current_actor (SPEC §3).
#include "core/errors.hpp"
#include "entry_points.hpp"
#include "pg/args.hpp"
#include "pg/operation.hpp"

namespace paperclip::functions {

Datum set_actor_agent(FunctionCallInfo fcinfo) {
    const core::Uuid agent_id = pg::arg_uuid(fcinfo, 0, "agentId");
    const core::OptUuid run_id = pg::arg_opt_uuid(fcinfo, 1);
    pg::OwnerScope scope;
    const auto agent = pg::find_agent(agent_id);
    if (!agent) core::fail(core::ErrorCode::NotFound, core::msg::kAgentNotFound);
    if (run_id) {
        const auto run = pg::read_run(*run_id);
        if (!run) core::fail(core::ErrorCode::Unprocessable, core::msg::kAgentRunNotFound, core::JsonObject().add("runId", run_id));
        if (run->agent_id != agent_id)
            core::fail(core::ErrorCode::Unprocessable, core::msg::kAgentRunOtherAgent,
                       core::JsonObject().add("runId", run_id).add("runAgentId", run->agent_id).add("agentId", agent_id));
    }
    pg::set_agent_actor(*agent, run_id);
    scope.finish();
    PG_RETURN_VOID();
}

Datum set_actor_board(FunctionCallInfo fcinfo) {
    const std::string user_id = pg::arg_text(fcinfo, 0, "userId");
    if (user_id.empty()) core::fail_validation("userId", "must not be empty");
    pg::set_board_actor(user_id);
    PG_RETURN_VOID();
}

Datum current_actor(FunctionCallInfo fcinfo) {
    const core::Actor actor = pg::current_actor();
    const bool agent = actor.is_agent();
    pg::SpiSession spi;
    Datum out = pg::make_result_record(
        fcinfo, {pg::p_text(std::string(actor.kind_name())),
                 agent ? pg::p_uuid(actor.agent_id) : pg::p_uuid(core::OptUuid{}),
                 pg::p_uuid(agent ? actor.run_id : core::OptUuid{}),
                 agent ? pg::p_uuid(actor.agent_company_id) : pg::p_uuid(core::OptUuid{}),
                 pg::p_text(actor.is_board() ? core::OptText(actor.user_id) : std::nullopt),
                 pg::p_text(actor.passes_actor_gates() ? core::OptText(actor.role_name) : std::nullopt)});
    out = spi.return_datum(out, false, -1);
    spi.finish();
    return out;
}

}  // namespace paperclip::functions
