#include "client_fixture.hpp"

#include <unistd.h>

#include <algorithm>
#include <sstream>

namespace pctest {

namespace pc = paperclip::client;

namespace {

// Roles are cluster-wide: named per test process, like the database, so that
// suites running side by side (ctest -j) never share or drop each other's.
std::string app_role() { return "paperclip_client_app_" + std::to_string(::getpid()); }
std::string operator_role() { return "paperclip_client_operator_" + std::to_string(::getpid()); }

std::string lit(pqxx::transaction_base& t, const char* v) { return v ? t.quote(std::string(v)) : "NULL"; }

std::unique_ptr<pqxx::connection> connect_as(const std::string& conninfo, const std::string& role) {
    auto c = std::make_unique<pqxx::connection>(conninfo);
    pqxx::nontransaction n{*c};
    // A safety net: no statement of this suite may wait forever.
    n.exec("SET statement_timeout = '15s'");
    if (!role.empty()) n.exec("SET ROLE " + role);
    return c;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

}  // namespace

::testing::AssertionResult IsAppError(const std::optional<AppError>& e, int status, const std::string& message,
                                      std::vector<std::string> keys) {
    if (!e) return ::testing::AssertionFailure() << "no error was raised (expected " << status << " " << message << ")";
    const std::string sqlstate = "PC" + std::to_string(status);
    if (e->sqlstate != sqlstate || e->status != status || e->message != message)
        return ::testing::AssertionFailure() << "got " << e->status << " [" << e->sqlstate << "] " << e->body()
                                             << ", expected " << status << " [" << sqlstate << "] " << message;
    if (keys.empty()) {
        if (e->has_details || !e->detail.empty())
            return ::testing::AssertionFailure() << "expected no details, got " << e->detail;
        return ::testing::AssertionSuccess();
    }
    if (!e->has_details) return ::testing::AssertionFailure() << "expected JSON details, DETAIL was: " << e->detail;
    std::vector<std::string> got;
    for (const auto& kv : e->details) got.push_back(kv.first);
    std::sort(keys.begin(), keys.end());
    if (got != keys)
        return ::testing::AssertionFailure() << "detail keys {" << join(got) << "}, expected {" << join(keys) << "}";
    return ::testing::AssertionSuccess();
}

std::string detail_str(const AppError& e, const std::string& key) {
    const auto it = e.details.find(key);
    if (it == e.details.end()) {
        ADD_FAILURE() << "details have no key " << key << ": " << e.detail;
        return "<absent>";
    }
    if (it->second.is_null()) return "NULL";
    if (it->second.kind() != pc::JsonValue::Kind::String) {
        ADD_FAILURE() << "details." << key << " is not a string: " << it->second.to_json();
        return it->second.to_json();
    }
    return it->second.as_string();
}

void set_agent(pqxx::transaction_base& t, const char* agent, const char* run) {
    if (run) t.exec_params("SELECT paperclip.set_actor_agent($1, $2)", agent, run);
    else t.exec_params("SELECT paperclip.set_actor_agent($1)", agent);
}

void set_board(pqxx::transaction_base& t, const char* user) {
    t.exec_params("SELECT paperclip.set_actor_board($1)", user);
}

// ---------------------------------------------------------------- Background

Background::Background(std::unique_ptr<pqxx::connection> conn, std::string conninfo)
    : conn_(std::move(conn)), conninfo_(std::move(conninfo)), pid_(conn_->backendpid()) {}

Background::~Background() {
    if (!thread_.joinable()) return;
    try {
        pqxx::connection c{conninfo_};
        pqxx::nontransaction n{c};
        n.exec_params("SELECT pg_cancel_backend($1)", pid_);
    } catch (...) {
    }
    thread_.join();
}

void Background::start(Body body) {
    thread_ = std::thread([this, body = std::move(body)] {
        try {
            rows_ = body(*conn_);
        } catch (const std::exception& e) {
            error_ = pc::to_app_error(e);
        }
    });
}

void Background::join() {
    if (thread_.joinable()) thread_.join();
}

// ---------------------------------------------------------------- ClientTest

std::string ClientTest::database() { return "paperclip_client_" + std::to_string(::getpid()); }
std::string ClientTest::conninfo() { return "dbname=" + database(); }

void ClientTest::SetUpTestSuite() {
    pqxx::connection admin{""};
    pqxx::nontransaction nt{admin};
    nt.exec("DROP DATABASE IF EXISTS " + database() + " WITH (FORCE)");
    nt.exec("CREATE DATABASE " + database());
    nt.exec("DROP ROLE IF EXISTS " + app_role() + ", " + operator_role());
    nt.exec("CREATE ROLE " + app_role() + " NOLOGIN");
    nt.exec("CREATE ROLE " + operator_role() + " NOLOGIN");
}

void ClientTest::TearDownTestSuite() {
    pqxx::connection admin{""};
    pqxx::nontransaction nt{admin};
    nt.exec("DROP DATABASE IF EXISTS " + database() + " WITH (FORCE)");
    nt.exec("DROP ROLE IF EXISTS " + app_role() + ", " + operator_role());
}

void ClientTest::SetUp() {
    using namespace ids;
    admin_ = admin_conn();
    pqxx::work w{*admin_};
    w.exec("DROP EXTENSION IF EXISTS paperclip_locks CASCADE");
    w.exec("CREATE EXTENSION paperclip_locks" +
           (install_version().empty() ? std::string() : " VERSION " + w.quote(install_version())));
    // The group roles exist once the extension has been created.
    w.exec("GRANT paperclip_app TO " + app_role());
    w.exec("GRANT paperclip_operator TO " + operator_role());
    w.exec_params("INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES "
                  "($1, 'Client Co', 'CLI'), ($2, 'Other Co', 'OTH')",
                  kCompany, kOtherCompany);
    w.exec_params("INSERT INTO paperclip.agents (id, company_id, name, status) VALUES "
                  "($1, $6, 'Alpha Coder', 'idle'), ($2, $6, 'Beta', 'idle'), "
                  "($3, $6, 'Pending', 'pending_approval'), ($4, $6, 'Gone', 'terminated'), "
                  "($5, $7, 'Xeno', 'idle')",
                  kAgentA, kAgentB, kAgentPending, kAgentTerminated, kAgentOther, kCompany, kOtherCompany);
    w.exec_params("INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES "
                  "($1, $5, $6, 'running'), ($2, $5, $6, 'running'), ($3, $5, $6, 'failed'), "
                  "($4, $5, $7, 'running')",
                  kRunA1, kRunA2, kRunAFailed, kRunB1, kCompany, kAgentA, kAgentB);
    w.exec_params("INSERT INTO paperclip.company_memberships "
                  "(company_id, principal_type, principal_id, status, membership_role) VALUES "
                  "($1, 'user', $3, 'active', 'member'), ($2, 'user', $4, 'active', 'member'), "
                  "($1, 'user', $5, 'active', 'viewer'), ($1, 'user', $6, 'inactive', 'member')",
                  kCompany, kOtherCompany, kMember, kOutsider, kViewer, kFormer);
    w.commit();
    observer_ = admin_conn();
}

std::unique_ptr<pqxx::connection> ClientTest::admin_conn() const { return connect_as(conninfo(), ""); }
std::unique_ptr<pqxx::connection> ClientTest::app() const { return connect_as(conninfo(), app_role()); }
std::unique_ptr<pqxx::connection> ClientTest::operator_() const { return connect_as(conninfo(), operator_role()); }

void ClientTest::admin_exec(const std::string& sql) const {
    pqxx::work w{*admin_};
    w.exec(sql);
    w.commit();
}

void ClientTest::insert_issue(const IssueSpec& s) const {
    pqxx::work w{*admin_};
    w.exec("INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id, checkout_run_id, "
           "execution_run_id) VALUES (" +
           lit(w, s.id) + ", " + lit(w, ids::kCompany) + ", " + lit(w, s.title) + ", " + lit(w, s.status) + ", " +
           lit(w, s.assignee) + ", " + lit(w, s.checkout_run) + ", " + lit(w, s.execution_run) + ")");
    w.commit();
}

IssueRow ClientTest::issue(const char* id) const {
    pqxx::work w{*observer_};
    const pqxx::row r = w.exec_params1(
        "SELECT title, status, coalesce(assignee_agent_id::text, 'NULL'), coalesce(assignee_user_id, 'NULL'), "
        "coalesce(checkout_run_id::text, 'NULL'), coalesce(execution_run_id::text, 'NULL'), "
        "coalesce(execution_agent_name_key, 'NULL'), "
        "CASE WHEN execution_locked_at IS NULL THEN 'NULL' ELSE 'set' END "
        "FROM paperclip.issues WHERE id = $1",
        id);
    return IssueRow{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                    r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<std::string>(),
                    r[6].as<std::string>(), r[7].as<std::string>()};
}

long ClientTest::audit_count(const char* issue_id, const char* action) const {
    pqxx::work w{*observer_};
    return w.exec_params1("SELECT count(*) FROM paperclip.activity_log WHERE entity_id = $1 AND action = $2",
                          issue_id, action)[0]
        .as<long>();
}

pc::JsonObject ClientTest::only_audit_details(const char* issue_id, const char* action, std::string* actor_type,
                                              std::string* actor_id) const {
    pqxx::work w{*observer_};
    const pqxx::result r = w.exec_params(
        "SELECT details::text, actor_type, actor_id FROM paperclip.activity_log "
        "WHERE entity_id = $1 AND action = $2",
        issue_id, action);
    if (r.size() != 1) {
        ADD_FAILURE() << r.size() << " audit rows of " << action << ", expected exactly one";
        return {};
    }
    if (actor_type) *actor_type = r[0][1].as<std::string>();
    if (actor_id) *actor_id = r[0][2].as<std::string>();
    return pc::parse_json_object(r[0][0].as<std::string>());
}

bool ClientTest::wait_until_blocked(int pid, const std::vector<int>& holder_pids,
                                    std::chrono::milliseconds timeout) const {
    std::string holders = "{";
    for (int h : holder_pids) holders += (holders.size() > 1 ? "," : "") + std::to_string(h);
    holders += "}";
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        pqxx::nontransaction n{*observer_};
        if (n.exec_params1("SELECT pg_isolation_test_session_is_blocked($1, $2::int[])", pid, holders)[0]
                .as<bool>())
            return true;
        n.commit();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
}

std::unique_ptr<Background> ClientTest::background_app() const {
    return std::make_unique<Background>(app(), conninfo());
}

}  // namespace pctest
