// libpqxx smoke test: the application's view of the extension. Connects with
// the PG* environment (pg_virtualenv sets it), works in a database of its own.
#include <gtest/gtest.h>

#include <cstdlib>
#include <unistd.h>
#include <pqxx/pqxx>
#include <string>

namespace {

const char* kCompany = "00000000-0000-4000-8000-0000000000c1";
const char* kAgentA = "00000000-0000-4000-8000-0000000000a1";
const char* kAgentB = "00000000-0000-4000-8000-0000000000b1";
const char* kRunA = "00000000-0000-4000-8000-000000000001";
const char* kRunB = "00000000-0000-4000-8000-000000000002";
const char* kIssue = "00000000-0000-4000-8000-000000000101";

// A database of this process's own (ctest may run test processes in parallel).
const std::string& smoke_db() {
    static const std::string name = "paperclip_smoke_" + std::to_string(::getpid());
    return name;
}

// A fresh database with the extension and one company, dropped afterwards.
class SmokeTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        pqxx::connection admin{""};
        pqxx::nontransaction nt{admin};
        nt.exec("DROP DATABASE IF EXISTS " + smoke_db());
        nt.exec("CREATE DATABASE " + smoke_db());
    }
    static void TearDownTestSuite() {
        pqxx::connection admin{""};
        pqxx::nontransaction nt{admin};
        nt.exec("DROP DATABASE IF EXISTS " + smoke_db() + " WITH (FORCE)");
    }
    void SetUp() override {
        conn = std::make_unique<pqxx::connection>("dbname=" + smoke_db());
        pqxx::work w{*conn};
        w.exec("DROP EXTENSION IF EXISTS paperclip_locks CASCADE");
        w.exec("CREATE EXTENSION paperclip_locks");
        w.exec_params("INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES ($1, 'Smoke', 'SMK')",
                      kCompany);
        w.exec_params("INSERT INTO paperclip.agents (id, company_id, name) VALUES ($1, $3, 'Alpha'), ($2, $3, 'Beta')",
                      kAgentA, kAgentB, kCompany);
        w.exec_params("INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES "
                      "($1, $3, $4, 'running'), ($2, $3, $5, 'running')",
                      kRunA, kRunB, kCompany, kAgentA, kAgentB);
        w.exec_params("INSERT INTO paperclip.issues (id, company_id, title, status) VALUES ($1, $2, 'smoke', 'todo')",
                      kIssue, kCompany);
        w.commit();
    }
    std::unique_ptr<pqxx::connection> conn;
};

TEST_F(SmokeTest, AgentChecksOutThroughAPreparedStatement) {
    conn->prepare("checkout", "SELECT status, checkout_run_id::text FROM paperclip.checkout($1, $2, $3::text[])");
    pqxx::work w{*conn};
    w.exec_params("SELECT paperclip.set_actor_agent($1, $2)", kAgentA, kRunA);
    const pqxx::row r = w.exec_prepared1("checkout", kIssue, kAgentA, "{todo}");
    EXPECT_EQ(r[0].as<std::string>(), "in_progress");
    EXPECT_EQ(r[1].as<std::string>(), kRunA);
    w.commit();
}

TEST_F(SmokeTest, ConflictCarriesSqlstateAndJsonDetail) {
    {
        pqxx::work w{*conn};
        w.exec_params("SELECT paperclip.set_actor_agent($1, $2)", kAgentA, kRunA);
        w.exec_params("SELECT paperclip.checkout($1, $2, '{todo}')", kIssue, kAgentA);
        w.commit();
    }
    pqxx::work w{*conn};
    w.exec_params("SELECT paperclip.set_actor_agent($1, $2)", kAgentB, kRunB);
    try {
        w.exec_params("SELECT paperclip.checkout($1, $2, '{todo,in_progress}')", kIssue, kAgentB);
        FAIL() << "a second agent's checkout must conflict";
    } catch (const pqxx::sql_error& e) {
        EXPECT_EQ(e.sqlstate(), "PC409");
        EXPECT_NE(std::string(e.what()).find("Issue checkout conflict"), std::string::npos);
        // The detail is JSON naming the holder; read it back through the server's parser.
        pqxx::connection side{"dbname=" + smoke_db()};
        pqxx::work sw{side};
        const std::string what = e.what();
        const auto pos = what.find("DETAIL:  ");
        ASSERT_NE(pos, std::string::npos) << what;
        const std::string detail = what.substr(pos + 9, what.find('\n', pos) - pos - 9);
        const pqxx::row d = sw.exec_params1(
            "SELECT $1::jsonb->>'checkoutRunId', $1::jsonb->>'conflictReason'", detail);
        EXPECT_EQ(d[0].as<std::string>(), kRunA);
        EXPECT_EQ(d[1].as<std::string>(), "assigned_to_other_agent");
    }
}

TEST_F(SmokeTest, NoActorIsForbiddenForTheApplicationRole) {
    pqxx::work w{*conn};
    const std::string role = "smoke_app_role_" + std::to_string(::getpid());
    w.exec("CREATE ROLE " + role + " NOLOGIN");
    w.exec("GRANT paperclip_app TO " + role);
    w.exec("SET LOCAL ROLE " + role);
    try {
        w.exec_params("SELECT paperclip.checkout($1, $2, '{todo}')", kIssue, kAgentA);
        FAIL() << "no actor must be refused";
    } catch (const pqxx::sql_error& e) {
        EXPECT_EQ(e.sqlstate(), "PC403");
    }
}

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
