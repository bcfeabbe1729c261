// The application's error mapping (paperclip_error.hpp): first the helper on
// its own (JSON details, libpq's message text, the SQLSTATE -> HTTP table),
// then every error of SPEC §4 (and the trigger errors of §6) raised by the
// real server and mapped: HTTP status, message word for word, detail keys.
#include <thread>

#include "client_fixture.hpp"

namespace pctest {
namespace {

using namespace ids;
namespace pc = paperclip::client;

// ------------------------------------------------------------ the helper

TEST(JsonDetails, ParsesEveryValueKindTheExtensionEmits) {
    const pc::JsonObject o = pc::parse_json_object(
        R"( {"issueId": "000000c0-0000-4000-8000-000000000101", "checkoutRunId": null,)"
        R"( "clearAssignee": true, "stale": false, "ids": ["a", "b\"c"], "empty": [],)"
        R"( "n": -12.5e1, "esc": "\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "raw": "Ω"} )");
    ASSERT_EQ(o.size(), 9u);
    EXPECT_EQ(o.at("issueId").as_string(), "000000c0-0000-4000-8000-000000000101");
    EXPECT_TRUE(o.at("checkoutRunId").is_null());
    EXPECT_TRUE(o.at("clearAssignee").as_bool());
    EXPECT_FALSE(o.at("stale").as_bool());
    EXPECT_EQ(o.at("ids").as_string_array(), (std::vector<std::string>{"a", "b\"c"}));
    EXPECT_TRUE(o.at("empty").as_string_array().empty());
    EXPECT_DOUBLE_EQ(o.at("n").as_number(), -125.0);
    EXPECT_EQ(o.at("esc").as_string(), "\\/\b\f\n\r\t\xC3\xA9\xF0\x9F\x98\x80");
    EXPECT_EQ(o.at("raw").as_string(), "\xCE\xA9");
    EXPECT_THROW(o.at("issueId").as_bool(), std::logic_error);
    EXPECT_TRUE(pc::parse_json_object("{}").empty());
    // Round trip through the writer.
    EXPECT_EQ(pc::parse_json_object(pc::to_json(o)).at("esc").as_string(), o.at("esc").as_string());
}

TEST(JsonDetails, RefusesWhatIsNotAFlatObject) {
    for (const char* bad : {"", "[]", "{", "{\"a\"}", "{\"a\": }", "{\"a\": 1,}", "{\"a\": {\"b\": 1}}",
                            "{\"a\": [1]}", "{\"a\": \"x\"} x", "{\"a\": \"\\q\"}", "{\"a\": \"\\ud800\"}",
                            "{\"a\": \"\\udc00\"}", "{\"a\": 01}", "{\"a\": nul}", "{\"a\": \"x\", \"a\": \"y\"}",
                            "{\"a\": \"tab\there\"}", "{'a': 1}"}) {
        EXPECT_THROW(pc::parse_json_object(bad), pc::JsonParseError) << bad;
    }
}

TEST(ServerMessage, SplitsLibpqErrorText) {
    const pc::ServerMessage m = pc::parse_server_message(
        "ERROR:  Issue checkout conflict\nDETAIL:  {\"issueId\": \"x\"}\nHINT:  wait\nCONTEXT:  SQL function\n");
    EXPECT_EQ(m.severity, "ERROR");
    EXPECT_EQ(m.sqlstate, "");
    EXPECT_EQ(m.message, "Issue checkout conflict");
    EXPECT_EQ(m.detail, "{\"issueId\": \"x\"}");
    EXPECT_EQ(m.hint, "wait");

    const pc::ServerMessage v = pc::parse_server_message(
        "ERROR:  PC409: Issue checkout conflict\nDETAIL:  {}\nLOCATION:  somewhere\n");
    EXPECT_EQ(v.sqlstate, "PC409");
    EXPECT_EQ(v.message, "Issue checkout conflict");
    EXPECT_EQ(v.detail, "{}");

    const pc::ServerMessage multi =
        pc::parse_server_message("ERROR:  first\nsecond\nDETAIL:  d1\nd2\nLINE 1: SELEC\n        ^\n");
    EXPECT_EQ(multi.message, "first\nsecond");
    EXPECT_EQ(multi.detail, "d1\nd2");
}

TEST(HttpStatus, PaperclipCodesMapStraightAndTheRestByTable) {
    for (int n : {400, 401, 403, 404, 409, 422}) EXPECT_EQ(pc::http_status_for_sqlstate("PC" + std::to_string(n)), n);
    EXPECT_EQ(pc::http_status_for_sqlstate("PC0A1"), 500);
    EXPECT_EQ(pc::http_status_for_sqlstate("40001"), 503);
    EXPECT_EQ(pc::http_status_for_sqlstate("40P01"), 503);
    EXPECT_EQ(pc::http_status_for_sqlstate("42501"), 403);
    EXPECT_EQ(pc::http_status_for_sqlstate("55P03"), 409);
    EXPECT_EQ(pc::http_status_for_sqlstate("57014"), 503);
    EXPECT_EQ(pc::http_status_for_sqlstate("23505"), 500);
    EXPECT_EQ(pc::http_status_for_sqlstate("XX000"), 500);
    EXPECT_EQ(pc::http_status_for_sqlstate(""), 500);
    EXPECT_TRUE(pc::is_retryable_sqlstate("40P01"));
    EXPECT_FALSE(pc::is_retryable_sqlstate("PC409"));
}

TEST(HttpStatus, MapsLibpqxxExceptionTypesFirst) {
    // libpqxx 6.4: deadlocks are transaction_rollback, not sql_error, and carry no SQLSTATE.
    const AppError dl = pc::to_app_error(pqxx::deadlock_detected("ERROR:  deadlock detected\n"));
    EXPECT_EQ(dl.status, 503);
    EXPECT_EQ(dl.sqlstate, "40P01");
    EXPECT_TRUE(dl.retryable);
    EXPECT_EQ(dl.message, "deadlock detected");
    const AppError priv = pc::to_app_error(pqxx::insufficient_privilege("ERROR:  permission denied for x\n"));
    EXPECT_EQ(priv.status, 403);
    EXPECT_EQ(priv.sqlstate, "42501");
    const AppError pcerr = pc::to_app_error(
        pqxx::sql_error("ERROR:  Issue not found\n", "SELECT 1", "PC404"));
    EXPECT_EQ(pcerr.status, 404);
    EXPECT_EQ(pcerr.body(), "{\"error\": \"Issue not found\"}");
    const AppError conflict = pc::to_app_error(pqxx::sql_error(
        "ERROR:  Issue checkout conflict\nDETAIL:  {\"status\": \"todo\", \"checkoutRunId\": null}\n", "", "PC409"));
    EXPECT_EQ(conflict.body(),
              "{\"error\": \"Issue checkout conflict\", \"details\": {\"checkoutRunId\": null, \"status\": \"todo\"}}");
    EXPECT_EQ(pc::to_app_error(pqxx::broken_connection("server closed the connection")).status, 503);
    const AppError other = pc::to_app_error(std::runtime_error("boom"));
    EXPECT_EQ(other.status, 500);
    EXPECT_EQ(other.message, "boom");
    EXPECT_FALSE(other.retryable);
}

// ------------------------------------------- every SPEC §4 error, for real

class ServerErrors : public ClientTest {
protected:
    // Runs `sql` (params: up to three strings) in one transaction of the
    // application's connection, after `actor` sets the actor.
    template <class Actor, class... Args>
    std::optional<AppError> call(Actor&& actor, const std::string& sql, Args&&... args) {
        auto c = app();
        return error_of([&] {
            pqxx::work w{*c};
            actor(w);
            w.exec_params(sql, std::forward<Args>(args)...);
            w.commit();
        });
    }
    static auto agent(const char* a, const char* r) {
        return [a, r](pqxx::transaction_base& w) { set_agent(w, a, r); };
    }
    static auto board(const char* u) {
        return [u](pqxx::transaction_base& w) { set_board(w, u); };
    }
    const std::string checkout_sql = "SELECT paperclip.checkout($1, $2, $3::text[], $4)";
    const std::string checkout_board_sql = "SELECT paperclip.checkout($1, $2, $3::text[])";
};

TEST_F(ServerErrors, IssueNotFound404) {
    EXPECT_TRUE(IsAppError(call(agent(kAgentA, kRunA1), checkout_sql, kIssueMissing, kAgentA, "{todo}", kRunA1), 404,
                           "Issue not found"));
    EXPECT_TRUE(IsAppError(call(board(kMember), "SELECT paperclip.admin_force_release($1)", kIssueMissing), 404,
                           "Issue not found"));
    EXPECT_TRUE(IsAppError(call(agent(kAgentA, kRunA1), "SELECT paperclip.release($1)", kIssueMissing), 404,
                           "Issue not found"));
}

TEST_F(ServerErrors, AssigneeAgentNotFound404) {
    insert_issue({kIssue1});
    EXPECT_TRUE(IsAppError(call(board(kMember), checkout_board_sql, kIssue1, kAgentMissing, "{todo}"), 404,
                           "Assignee agent not found"));
    EXPECT_EQ(issue(kIssue1).status, "todo");
}

TEST_F(ServerErrors, AssigneeMustBelongToSameCompany422) {
    insert_issue({kIssue1});
    EXPECT_TRUE(IsAppError(call(board(kMember), checkout_board_sql, kIssue1, kAgentOther, "{todo}"), 422,
                           "Assignee must belong to same company"));
    EXPECT_EQ(issue(kIssue1).assignee_agent_id, "NULL");
}

TEST_F(ServerErrors, PendingApprovalAgent409) {
    insert_issue({kIssue1});
    EXPECT_TRUE(IsAppError(call(board(kMember), checkout_board_sql, kIssue1, kAgentPending, "{todo}"), 409,
                           "Cannot assign work to pending approval agents"));
    EXPECT_EQ(issue(kIssue1).assignee_agent_id, "NULL");
}

TEST_F(ServerErrors, TerminatedAgent409) {
    insert_issue({kIssue1});
    EXPECT_TRUE(IsAppError(call(board(kMember), checkout_board_sql, kIssue1, kAgentTerminated, "{todo}"), 409,
                           "Cannot assign work to terminated agents"));
    EXPECT_EQ(issue(kIssue1).assignee_agent_id, "NULL");
}

TEST_F(ServerErrors, BlockedByUnresolvedBlockers422) {
    // A cancelled blocker stays unresolved (only done resolves).
    insert_issue({kBlocker, "cancelled"});
    insert_issue({kIssue1});
    admin_exec(std::string("INSERT INTO paperclip.issue_relations (company_id, issue_id, related_issue_id) VALUES ('") +
               kCompany + "', '" + kBlocker + "', '" + kIssue1 + "')");
    const auto e = call(agent(kAgentA, kRunA1), checkout_sql, kIssue1, kAgentA, "{todo}", kRunA1);
    ASSERT_TRUE(IsAppError(e, 422, "Issue is blocked by unresolved blockers", {"unresolvedBlockerIssueIds"}));
    EXPECT_EQ(e->details.at("unresolvedBlockerIssueIds").as_string_array(), std::vector<std::string>{kBlocker});
    EXPECT_EQ(issue(kIssue1).status, "todo");
}

TEST_F(ServerErrors, CheckoutConflict409NamesTheHolderAndTheReason) {
    insert_issue({kIssue1, "in_progress", kAgentB, kRunB1, kRunB1});
    const auto e = call(agent(kAgentA, kRunA1), checkout_sql, kIssue1, kAgentA, "{todo,in_progress}", kRunA1);
    ASSERT_TRUE(IsAppError(e, 409, "Issue checkout conflict",
                           {"issueId", "status", "assigneeAgentId", "checkoutRunId", "executionRunId",
                            "conflictReason"}));
    EXPECT_EQ(detail_str(*e, "issueId"), kIssue1);
    EXPECT_EQ(detail_str(*e, "status"), "in_progress");
    EXPECT_EQ(detail_str(*e, "assigneeAgentId"), kAgentB);
    EXPECT_EQ(detail_str(*e, "checkoutRunId"), kRunB1);
    EXPECT_EQ(detail_str(*e, "executionRunId"), kRunB1);
    EXPECT_EQ(detail_str(*e, "conflictReason"), "assigned_to_other_agent");

    // The assignee's other run, while the first one lives: wait, do not give up.
    insert_issue({kIssue2, "in_progress", kAgentA, kRunA1, kRunA1});
    const auto held = call(agent(kAgentA, kRunA2), checkout_sql, kIssue2, kAgentA, "{in_progress}", kRunA2);
    ASSERT_TRUE(IsAppError(held, 409, "Issue checkout conflict",
                           {"issueId", "status", "assigneeAgentId", "checkoutRunId", "executionRunId",
                            "conflictReason"}));
    EXPECT_EQ(detail_str(*held, "checkoutRunId"), kRunA1);
    EXPECT_EQ(detail_str(*held, "conflictReason"), "held_by_live_run");
    // Another agent's issue whose runs are terminal: give up, and the 409
    // names no run that holds nothing (§7 #19).
    insert_issue({kIssue3, "in_progress", kAgentB, kRunAFailed, kRunAFailed});
    const auto stale = call(agent(kAgentA, kRunA1), checkout_sql, kIssue3, kAgentA, "{in_progress}", kRunA1);
    ASSERT_TRUE(IsAppError(stale, 409, "Issue checkout conflict",
                           {"issueId", "status", "assigneeAgentId", "checkoutRunId", "executionRunId",
                            "conflictReason"}));
    EXPECT_EQ(detail_str(*stale, "assigneeAgentId"), kAgentB);
    EXPECT_EQ(detail_str(*stale, "checkoutRunId"), "NULL");
    EXPECT_EQ(detail_str(*stale, "executionRunId"), "NULL");
    EXPECT_EQ(detail_str(*stale, "conflictReason"), "assigned_to_other_agent");
    EXPECT_EQ(issue(kIssue3).assignee_agent_id, kAgentB);

    // A conflict writes nothing.
    EXPECT_EQ(audit_count(kIssue1, "issue.checked_out"), 0);
    EXPECT_EQ(audit_count(kIssue2, "issue.checked_out"), 0);
    EXPECT_EQ(issue(kIssue2).checkout_run_id, kRunA1);
}

TEST_F(ServerErrors, RunOwnershipConflict409FromTheWriteGateAndTheFunction) {
    insert_issue({kIssue1, "in_progress", kAgentA, kRunA1, kRunA1, "held"});
    const std::vector<std::string> keys{"issueId",        "status",       "assigneeAgentId", "checkoutRunId",
                                        "executionRunId", "actorAgentId", "actorRunId"};
    const auto by_write =
        call(agent(kAgentA, kRunA2), "UPDATE paperclip.issues SET title = 'x' WHERE id = $1", kIssue1);
    ASSERT_TRUE(IsAppError(by_write, 409, "Issue run ownership conflict", keys));
    EXPECT_EQ(detail_str(*by_write, "checkoutRunId"), kRunA1);
    EXPECT_EQ(detail_str(*by_write, "executionRunId"), kRunA1);
    EXPECT_EQ(detail_str(*by_write, "assigneeAgentId"), kAgentA);
    EXPECT_EQ(detail_str(*by_write, "actorAgentId"), kAgentA);
    EXPECT_EQ(detail_str(*by_write, "actorRunId"), kRunA2);
    EXPECT_EQ(detail_str(*by_write, "status"), "in_progress");

    const auto by_call = call(agent(kAgentA, kRunA2), "SELECT paperclip.assert_checkout_owner($1, $2, $3)", kIssue1,
                              kAgentA, kRunA2);
    ASSERT_TRUE(IsAppError(by_call, 409, "Issue run ownership conflict", keys));
    EXPECT_EQ(detail_str(*by_call, "actorRunId"), kRunA2);
    EXPECT_EQ(issue(kIssue1).title, "held");
}

TEST_F(ServerErrors, OnlyAssigneeCanRelease409) {
    insert_issue({kIssue1, "in_progress", kAgentA, kRunA1, kRunA1});
    EXPECT_TRUE(IsAppError(call(agent(kAgentB, kRunB1), "SELECT paperclip.release($1)", kIssue1), 409,
                           "Only assignee can release issue"));
    EXPECT_EQ(issue(kIssue1).assignee_agent_id, kAgentA);
}

TEST_F(ServerErrors, OnlyCheckoutRunCanRelease409) {
    insert_issue({kIssue1, "in_progress", kAgentA, kRunA1, kRunA1});
    const auto e = call(agent(kAgentA, kRunA2), "SELECT paperclip.release($1, $2, $3)", kIssue1, kAgentA, kRunA2);
    ASSERT_TRUE(IsAppError(e, 409, "Only checkout run can release issue",
                           {"issueId", "assigneeAgentId", "checkoutRunId", "actorRunId"}));
    EXPECT_EQ(detail_str(*e, "issueId"), kIssue1);
    EXPECT_EQ(detail_str(*e, "assigneeAgentId"), kAgentA);
    EXPECT_EQ(detail_str(*e, "checkoutRunId"), kRunA1);
    EXPECT_EQ(detail_str(*e, "actorRunId"), kRunA2);
    EXPECT_EQ(issue(kIssue1).checkout_run_id, kRunA1);
}

TEST_F(ServerErrors, BoardAccessRequired403) {
    insert_issue({kIssue1, "in_progress", kAgentA, kRunA1, kRunA1});
    EXPECT_TRUE(IsAppError(call(agent(kAgentA, kRunA1), "SELECT paperclip.admin_force_release($1)", kIssue1), 403,
                           "Board access required"));
    EXPECT_EQ(issue(kIssue1).checkout_run_id, kRunA1);
}

TEST_F(ServerErrors, UserDoesNotHaveAccessToThisCompany403) {
    insert_issue({kIssue1, "in_progress", kAgentA, kRunA1, kRunA1});
    EXPECT_TRUE(IsAppError(call(board(kOutsider), "SELECT paperclip.admin_force_release($1, true)", kIssue1), 403,
                           "User does not have access to this company"));
    EXPECT_TRUE(IsAppError(call(board(kOutsider), checkout_board_sql, kIssue1, kAgentA, "{in_progress}"), 403,
                           "User does not have access to this company"));
    EXPECT_EQ(issue(kIssue1).checkout_run_id, kRunA1);
}

TEST_F(ServerErrors, AgentRunIdRequired401) {
    insert_issue({kIssue1});
    EXPECT_TRUE(IsAppError(call(agent(kAgentA, nullptr), checkout_board_sql, kIssue1, kAgentA, "{todo}"), 401,
                           "Agent run id required"));
    EXPECT_EQ(issue(kIssue1).status, "todo");
}

TEST_F(ServerErrors, ValidationError400) {
    insert_issue({kIssue1});
    for (const char* statuses : {"{}", "{open}"}) {
        const auto e = call(agent(kAgentA, kRunA1), checkout_sql, kIssue1, kAgentA, statuses, kRunA1);
        ASSERT_TRUE(IsAppError(e, 400, "Validation error", {"field", "problem"})) << statuses;
        EXPECT_EQ(detail_str(*e, "field"), "expectedStatuses");
    }
    EXPECT_EQ(issue(kIssue1).status, "todo");
}

// The route checks upstream made before the service call (§7 #24, #27) and
// the board access levels (semantics §4.1 A-1): all 403.
TEST_F(ServerErrors, IdentityAndAccessLevelErrors403) {
    insert_issue({kIssue1, "in_progress", kAgentA, kRunA1, kRunA1});
    insert_issue({kIssue2});
    EXPECT_TRUE(IsAppError(call(agent(kAgentA, kRunA1), checkout_sql, kIssue2, kAgentB, "{todo}", kRunA1), 403,
                           "Agent can only checkout as itself"));
    EXPECT_TRUE(IsAppError(call(agent(kAgentOther, nullptr), checkout_board_sql, kIssue2, kAgentOther, "{todo}"), 403,
                           "Agent key cannot access another company"));
    EXPECT_TRUE(IsAppError(call(board(kViewer), "SELECT paperclip.admin_force_release($1)", kIssue1), 403,
                           "Viewer access is read-only"));
    EXPECT_TRUE(IsAppError(call(board(kFormer), "SELECT paperclip.admin_force_release($1)", kIssue1), 403,
                           "User does not have active company access"));
    // The run is part of the agent actor: no acting with another run of its own.
    const auto e = call(agent(kAgentA, kRunA1), checkout_sql, kIssue2, kAgentA, "{todo}", kRunA2);
    ASSERT_TRUE(IsAppError(e, 403, "agent can only act with its own run", {"actorRunId", "runId"}));
    EXPECT_EQ(detail_str(*e, "actorRunId"), kRunA1);
    EXPECT_EQ(detail_str(*e, "runId"), kRunA2);
    EXPECT_EQ(issue(kIssue1).checkout_run_id, kRunA1);
    EXPECT_EQ(issue(kIssue2).status, "todo");
}

// SPEC §6: the same rules for a plain UPDATE from any client.
TEST_F(ServerErrors, TriggerErrorsOfTheWriteGate) {
    insert_issue({kIssue1, "in_progress", kAgentA, kRunA1, kRunA1, "held"});
    insert_issue({kIssue2, "todo", kAgentA, nullptr, nullptr, "assigned"});
    insert_issue({kIssue3, "todo", nullptr, nullptr, nullptr, "free"});
    const std::string title = "UPDATE paperclip.issues SET title = 'x' WHERE id = $1";

    const auto checked_out = call(agent(kAgentB, kRunB1), title, kIssue1);
    ASSERT_TRUE(IsAppError(checked_out, 409, "Issue is checked out by another agent",
                           {"issueId", "assigneeAgentId", "actorAgentId"}));
    EXPECT_EQ(detail_str(*checked_out, "assigneeAgentId"), kAgentA);
    EXPECT_EQ(detail_str(*checked_out, "actorAgentId"), kAgentB);

    const auto others = call(agent(kAgentB, kRunB1), title, kIssue2);
    ASSERT_TRUE(IsAppError(others, 403, "Agent cannot mutate another agent's issue",
                           {"issueId", "assigneeAgentId", "actorAgentId", "status", "securityPrinciples"}));
    EXPECT_EQ(others->details.at("securityPrinciples").as_string_array(),
              (std::vector<std::string>{"Least Privilege", "Complete Mediation", "Fail Securely"}));
    EXPECT_EQ(detail_str(*others, "status"), "todo");

    EXPECT_TRUE(IsAppError(
        call(board(kMember), "UPDATE paperclip.issues SET status = 'in_progress' WHERE id = $1", kIssue3), 422,
        "in_progress issues require an assignee"));
    EXPECT_TRUE(IsAppError(
        call(board(kMember), "UPDATE paperclip.issues SET assignee_user_id = $2 WHERE id = $1", kIssue2, kMember),
        422, "Issue can only have one assignee"));

    const auto lock_write = call(board(kMember), "UPDATE paperclip.issues SET checkout_run_id = NULL WHERE id = $1",
                                 kIssue1);
    ASSERT_TRUE(lock_write);
    EXPECT_EQ(lock_write->status, 403);
    EXPECT_EQ(lock_write->sqlstate, "PC403");
    EXPECT_EQ(issue(kIssue1).checkout_run_id, kRunA1);
}

// ------------------------------------- PostgreSQL's own errors, mapped

// A lock timeout inside checkout reaches the client as 55P03 (not XX000): 409, retryable.
TEST_F(ServerErrors, LockTimeoutInsideAFunctionIs409Retryable) {
    insert_issue({kIssue1});
    auto holder = admin_conn();
    pqxx::work h{*holder};
    h.exec_params("SELECT 1 FROM paperclip.issues WHERE id = $1 FOR UPDATE", kIssue1);
    const auto e = call(
        [](pqxx::transaction_base& w) {
            w.exec("SET LOCAL lock_timeout = '50ms'");
            set_agent(w, kAgentA, kRunA1);
        },
        checkout_sql, kIssue1, kAgentA, "{todo}", kRunA1);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->sqlstate, "55P03");
    EXPECT_EQ(e->status, 409);
    EXPECT_TRUE(e->retryable);
    EXPECT_FALSE(e->has_details);
}

// A statement timeout while checkout waits: 57014, 503, retryable.
TEST_F(ServerErrors, StatementTimeoutInsideAFunctionIs503Retryable) {
    insert_issue({kIssue1});
    auto holder = admin_conn();
    pqxx::work h{*holder};
    h.exec_params("SELECT 1 FROM paperclip.issues WHERE id = $1 FOR UPDATE", kIssue1);
    const auto e = call(
        [](pqxx::transaction_base& w) {
            w.exec("SET LOCAL statement_timeout = '50ms'");
            set_agent(w, kAgentA, kRunA1);
        },
        checkout_sql, kIssue1, kAgentA, "{todo}", kRunA1);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->sqlstate, "57014");
    EXPECT_EQ(e->status, 503);
    EXPECT_TRUE(e->retryable);
}

// 42501 arrives as pqxx::insufficient_privilege with an empty sqlstate(): 403 anyway.
TEST_F(ServerErrors, InsufficientPrivilegeIs403) {
    const auto e = call([](pqxx::transaction_base&) {}, "SELECT paperclip.sweep_stale_locks($1::int)", "10");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->sqlstate, "42501");
    EXPECT_EQ(e->status, 403);
    EXPECT_EQ(e->message, "permission denied for function sweep_stale_locks");
}

// 40001 is a pqxx::serialization_failure, not an sql_error: 503, retryable.
TEST_F(ServerErrors, SerializationFailureIs503Retryable) {
    insert_issue({kIssue1});
    auto c = admin_conn();
    const auto e = error_of([&] {
        pqxx::transaction<pqxx::repeatable_read> t{*c};
        t.exec_params("SELECT title FROM paperclip.issues WHERE id = $1", kIssue1);
        admin_exec(std::string("UPDATE paperclip.issues SET title = 'first' WHERE id = '") + kIssue1 + "'");
        t.exec_params("UPDATE paperclip.issues SET title = 'second' WHERE id = $1", kIssue1);
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->sqlstate, "40001");
    EXPECT_EQ(e->status, 503);
    EXPECT_TRUE(e->retryable);
    EXPECT_EQ(issue(kIssue1).title, "first");
}

// 40P01 is a pqxx::deadlock_detected, not an sql_error: 503, retryable.
TEST_F(ServerErrors, DeadlockIs503Retryable) {
    insert_issue({kIssue1});
    insert_issue({kIssue2});
    auto bg = std::make_unique<Background>(admin_conn(), conninfo());
    auto c = admin_conn();
    pqxx::work w{*c};
    w.exec("SET LOCAL deadlock_timeout = '20ms'");
    w.exec_params("SELECT 1 FROM paperclip.issues WHERE id = $1 FOR UPDATE", kIssue1);
    bg->start([](pqxx::connection& bc) {
        pqxx::work t{bc};
        t.exec("SET LOCAL deadlock_timeout = '20ms'");
        t.exec_params("SELECT 1 FROM paperclip.issues WHERE id = $1 FOR UPDATE", kIssue2);
        const pqxx::result r = t.exec_params("SELECT 1 FROM paperclip.issues WHERE id = $1 FOR UPDATE", kIssue1);
        t.commit();
        return r;
    });
    ASSERT_TRUE(wait_until_blocked(bg->pid(), {c->backendpid()}));
    auto mine = error_of([&] { w.exec_params("SELECT 1 FROM paperclip.issues WHERE id = $1 FOR UPDATE", kIssue2); });
    w.abort();
    bg->join();
    // Exactly one of the two was chosen as the victim.
    ASSERT_NE(mine.has_value(), bg->error().has_value());
    const AppError& victim = mine ? *mine : *bg->error();
    EXPECT_EQ(victim.sqlstate, "40P01");
    EXPECT_EQ(victim.status, 503);
    EXPECT_TRUE(victim.retryable);
    EXPECT_EQ(victim.message, "deadlock detected");
}

// PostgreSQL's own DETAIL is text, not JSON: kept as text, 500.
TEST_F(ServerErrors, NonJsonDetailIsKeptAsText) {
    auto c = admin_conn();
    const auto e = error_of([&] {
        pqxx::work w{*c};
        w.exec("INSERT INTO paperclip.companies (name, issue_prefix) VALUES ('Dup', 'CLI')");
    });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->sqlstate, "23505");
    EXPECT_EQ(e->status, 500);
    EXPECT_FALSE(e->has_details);
    EXPECT_EQ(e->detail, "Key (issue_prefix)=(CLI) already exists.");
}

}  // namespace
}  // namespace pctest
