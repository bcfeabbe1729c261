// Shared fixture of the libpqxx suites: a database of their own (per test
// process), the extension created afresh for every test, one company with its
// agents, runs and board users, and helpers to act as an application would.
//
// Connections:
//   admin()     the superuser the PG* environment names: fixtures, DDL,
//               observing other sessions' locks
//   app()       SET ROLE paperclip_client_app_<pid> (granted paperclip_app):
//               every call sets its actor, as the application server does
//   operator_() SET ROLE paperclip_client_operator_<pid> (granted
//               paperclip_operator): a database operator, no actor
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "paperclip_error.hpp"

namespace pctest {

using paperclip::client::AppError;

// Fixed UUIDs: first group 000000c0 for this suite.
namespace ids {
inline constexpr const char* kCompany = "000000c0-0000-4000-8000-0000000000c1";
inline constexpr const char* kOtherCompany = "000000c0-0000-4000-8000-0000000000c2";
inline constexpr const char* kAgentA = "000000c0-0000-4000-8000-0000000000a1";          // "Alpha Coder"
inline constexpr const char* kAgentB = "000000c0-0000-4000-8000-0000000000b1";          // "Beta"
inline constexpr const char* kAgentPending = "000000c0-0000-4000-8000-0000000000d1";    // pending_approval
inline constexpr const char* kAgentTerminated = "000000c0-0000-4000-8000-0000000000e1"; // terminated
inline constexpr const char* kAgentOther = "000000c0-0000-4000-8000-0000000000f1";      // other company
inline constexpr const char* kAgentMissing = "000000c0-0000-4000-8000-0000000000ff";    // never inserted
inline constexpr const char* kRunA1 = "000000c0-0000-4000-8000-000000000a01";           // A, running
inline constexpr const char* kRunA2 = "000000c0-0000-4000-8000-000000000a02";           // A, running
inline constexpr const char* kRunAFailed = "000000c0-0000-4000-8000-000000000a0f";      // A, failed
inline constexpr const char* kRunB1 = "000000c0-0000-4000-8000-000000000b01";           // B, running
inline constexpr const char* kIssue1 = "000000c0-0000-4000-8000-000000000101";
inline constexpr const char* kIssue2 = "000000c0-0000-4000-8000-000000000102";
inline constexpr const char* kIssue3 = "000000c0-0000-4000-8000-000000000103";
inline constexpr const char* kBlocker = "000000c0-0000-4000-8000-000000000199";
inline constexpr const char* kIssueMissing = "000000c0-0000-4000-8000-00000000beef";    // never inserted
inline constexpr const char* kMember = "member@client.test";      // active 'member' of kCompany
inline constexpr const char* kOutsider = "outsider@client.test";  // active member of kOtherCompany only
inline constexpr const char* kViewer = "viewer@client.test";      // active 'viewer' of kCompany
inline constexpr const char* kFormer = "former@client.test";      // 'inactive' member of kCompany
}  // namespace ids

// One issue row as strings; SQL NULL reads "NULL".
struct IssueRow {
    std::string title, status, assignee_agent_id, assignee_user_id, checkout_run_id, execution_run_id,
        execution_agent_name_key, execution_locked_at;
};

// What a fixture issue starts as; nullptr means NULL.
struct IssueSpec {
    const char* id;
    const char* status = "todo";
    const char* assignee = nullptr;
    const char* checkout_run = nullptr;
    const char* execution_run = nullptr;
    const char* title = "fixture issue";
};

// Runs f; returns the mapped error it threw, or nullopt when it returned.
template <class F>
std::optional<AppError> error_of(F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return paperclip::client::to_app_error(e);
    }
    return std::nullopt;
}

// e is the PC error (status, message) whose details hold exactly these keys
// (no details at all when keys is empty).
::testing::AssertionResult IsAppError(const std::optional<AppError>& e, int status, const std::string& message,
                                      std::vector<std::string> keys = {});

// The string value of details[key] ("NULL" for null); fails the test when absent.
std::string detail_str(const AppError& e, const std::string& key);

void set_agent(pqxx::transaction_base& t, const char* agent, const char* run);
void set_board(pqxx::transaction_base& t, const char* user);

// A statement running on its own connection and thread, so that the main
// thread can watch it wait for a lock and then let it go.
class Background {
public:
    using Body = std::function<pqxx::result(pqxx::connection&)>;
    Background(std::unique_ptr<pqxx::connection> conn, std::string conninfo);
    ~Background();  // cancels a statement still waiting, then joins
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;

    int pid() const { return pid_; }
    void start(Body body);
    void join();
    const std::optional<AppError>& error() const { return error_; }
    const pqxx::result& rows() const { return rows_; }

private:
    std::unique_ptr<pqxx::connection> conn_;
    std::string conninfo_;
    int pid_;
    std::thread thread_;
    pqxx::result rows_;
    std::optional<AppError> error_;
};

class ClientTest : public ::testing::Test {
protected:
    static void SetUpTestSuite();
    static void TearDownTestSuite();
    void SetUp() override;
    // The version SetUp creates the extension at; empty: the default version.
    virtual std::string install_version() const { return {}; }

    static std::string database();
    static std::string conninfo();

    std::unique_ptr<pqxx::connection> admin_conn() const;
    std::unique_ptr<pqxx::connection> app() const;
    std::unique_ptr<pqxx::connection> operator_() const;

    // As the superuser, autocommitted.
    void admin_exec(const std::string& sql) const;
    void insert_issue(const IssueSpec& spec) const;
    IssueRow issue(const char* id) const;
    long audit_count(const char* issue_id, const char* action) const;
    // The details of the only audit row of `action` on the issue, parsed.
    paperclip::client::JsonObject only_audit_details(const char* issue_id, const char* action,
                                                     std::string* actor_type = nullptr,
                                                     std::string* actor_id = nullptr) const;

    // True once session `pid` waits for a lock held by one of `holder_pids`
    // (polls pg_isolation_test_session_is_blocked; gives up after `timeout`).
    bool wait_until_blocked(int pid, const std::vector<int>& holder_pids,
                            std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    std::unique_ptr<Background> background_app() const;

    std::unique_ptr<pqxx::connection> admin_;     // fixtures (admin_exec, insert_issue)
    std::unique_ptr<pqxx::connection> observer_;  // admin, for reading rows and watching locks
};

}  // namespace pctest
