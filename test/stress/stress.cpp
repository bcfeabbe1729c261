// Concurrency stress driver and invariant checker for paperclip_locks.
//
//   stress setup  [--db NAME] [--agents N] [--hot N] [--cold N]
//       (re)creates the database, the extension, three roles and the dataset.
//   stress run    [--db NAME] [--clients N] [--duration S] [--ledger FILE] [--expect-crash] ...
//       N client threads (one connection each) run a mixed workload for S
//       seconds; a sweeper thread calls sweep_stale_locks as an operator; a
//       checker thread checks the invariants every few seconds in a
//       REPEATABLE READ snapshot. Every client records what it saw commit;
//       the ledger (acks, in-doubt commits, counts, errors by SQLSTATE, live
//       check results) is written to FILE at the end.
//   stress check  [--db NAME] [--ledger FILE]
//       the invariants again, afterwards, against the ledger; prints one line
//       per invariant and "RESULT passed=N failed=M"; exits non-zero on any
//       violation.
//
// Connections use the PG* environment (pg_virtualenv sets it) as a superuser
// only to pick a role: clients run as stress_app (paperclip_app, never an
// operator), operator work runs as stress_op (paperclip_operator, SET LOCAL
// ROLE), the checker as stress_reader (paperclip_reader).
//
// libpqxx 6.4: transaction_rollback (40P01, 40001) is not a sql_error, and
// insufficient_privilege carries no sqlstate -- both are caught first.
#include <pqxx/pqxx>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cctype>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------
struct Options {
    std::string mode;
    std::string db = "paperclip_stress";
    std::string ledger = "stress-ledger.tsv";
    int clients = 8;
    double duration = 60;
    int agents = 0;  // 0: as many as clients
    int hot = 8;
    int cold = 32;
    double check_interval = 3;
    double sweep_interval = 2;
    double vocab_interval = 5;
    double stale_slack = 5;
    int stale_passes = 3;
    int sweep_batch = 100;
    std::uint64_t seed = 0;
    bool expect_crash = false;
    double reconnect_grace = 90;  // seconds a client keeps retrying after the end
    // Relative weights of the client operations (per mille, roughly). Force-
    // releases and run cycles are rare on purpose: at a few thousand operations
    // a second on a hot set of 8 issues, anything more frequent clears every
    // lock within milliseconds and no lock ever lives long enough to go stale.
    std::map<std::string, int> weights = {
        {"checkout", 300}, {"release", 70}, {"adopt", 120}, {"run_cycle", 25}, {"force_release", 2},
        {"title", 150},    {"comment", 150}, {"status", 30}, {"run_delete", 50}, {"acquire", 50},
        {"lease", 30},
    };
};

[[noreturn]] void usage(const std::string& why) {
    std::cerr << "stress: " << why << "\n"
              << "usage: stress setup|run|check [--db NAME] [--clients N] [--duration S] [--ledger FILE]\n"
                 "       [--agents N] [--hot N] [--cold N] [--seed N] [--check-interval S]\n"
                 "       [--sweep-interval S] [--stale-slack S] [--stale-passes N] [--expect-crash]\n"
                 "       [--weights checkout=28,release=10,...]\n";
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    if (argc < 2) usage("no mode");
    o.mode = argv[1];
    if (o.mode != "setup" && o.mode != "run" && o.mode != "check") usage("unknown mode " + o.mode);
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc) usage(a + " needs a value");
            return argv[++i];
        };
        if (a == "--db") o.db = val();
        else if (a == "--ledger") o.ledger = val();
        else if (a == "--clients") o.clients = std::stoi(val());
        else if (a == "--duration") o.duration = std::stod(val());
        else if (a == "--agents") o.agents = std::stoi(val());
        else if (a == "--hot") o.hot = std::stoi(val());
        else if (a == "--cold") o.cold = std::stoi(val());
        else if (a == "--seed") o.seed = std::stoull(val());
        else if (a == "--check-interval") o.check_interval = std::stod(val());
        else if (a == "--sweep-interval") o.sweep_interval = std::stod(val());
        else if (a == "--vocab-interval") o.vocab_interval = std::stod(val());
        else if (a == "--stale-slack") o.stale_slack = std::stod(val());
        else if (a == "--stale-passes") o.stale_passes = std::stoi(val());
        else if (a == "--sweep-batch") o.sweep_batch = std::stoi(val());
        else if (a == "--reconnect-grace") o.reconnect_grace = std::stod(val());
        else if (a == "--expect-crash") o.expect_crash = true;
        else if (a == "--weights") {
            std::stringstream ss(val());
            std::string kv;
            while (std::getline(ss, kv, ',')) {
                const auto eq = kv.find('=');
                if (eq == std::string::npos || !o.weights.count(kv.substr(0, eq))) usage("bad weight " + kv);
                o.weights[kv.substr(0, eq)] = std::stoi(kv.substr(eq + 1));
            }
        } else usage("unknown option " + a);
    }
    if (o.agents <= 0) o.agents = std::max(2, o.clients);
    if (o.seed == 0) o.seed = static_cast<std::uint64_t>(std::random_device{}()) << 32 | std::random_device{}();
    return o;
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------
std::string field(const pqxx::field& f) { return f.is_null() ? std::string() : std::string(f.c_str()); }

std::string clean(std::string s) {  // one line, no tabs: for the ledger
    for (char& c : s)
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    if (s.size() > 300) s.resize(300);
    return s;
}

// Message text with every uuid replaced by <uuid>, so equal messages count together.
std::string without_uuids(std::string s) {
    auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    for (std::size_t i = 0; i + 36 <= s.size(); ++i) {
        bool ok = true;
        for (std::size_t k = 0; k < 36 && ok; ++k)
            ok = (k == 8 || k == 13 || k == 18 || k == 23) ? s[i + k] == '-' : hex(s[i + k]);
        if (ok) s.replace(i, 36, "<uuid>");
    }
    return s;
}

std::string first_line(const std::string& s) {
    auto p = s.find('\n');
    return clean(p == std::string::npos ? s : s.substr(0, p));
}

// "{a,b,NULL}": an array literal; an empty element is NULL. Elements are uuids,
// numbers, booleans or our own tokens (no quotes, commas or braces).
std::string pg_array(const std::vector<std::string>& v) {
    std::string out = "{";
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ',';
        out += v[i].empty() ? "NULL" : v[i];
    }
    return out + "}";
}

std::string uuid4(std::mt19937_64& rng) {
    std::uint64_t hi = rng(), lo = rng();
    hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
    lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                  static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
    return buf;
}

bool is_conn_state(const std::string& s) {
    return s.rfind("08", 0) == 0 || s.rfind("57P", 0) == 0 || s == "broken_connection";
}
bool is_expected_conflict(const std::string& s) {
    return s.size() == 5 && s[0] == 'P' && s[1] == 'C' && s[2] == '4';
}
// Expected errors: every PC4xx conflict, and the documented fail-fast of a run
// DELETE when an issue naming the run is locked (55P03, README "Triggers").
bool is_expected_error(const std::string& kind, const std::string& s) {
    return is_expected_conflict(s) || (kind == "run_delete" && s == "55P03");
}

void sleep_for(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

// ---------------------------------------------------------------------------
// Counters, errors, ledger: everything a run records
// ---------------------------------------------------------------------------
struct OpCount {
    long attempted = 0, committed = 0, failed = 0, doubt = 0, skipped = 0;
    double max_ms = 0;  // slowest attempt (lock waits included)
};

struct Ack {
    double t;
    bool doubt;
    std::string kind;
    std::vector<std::string> f;
};

struct Recorder {
    std::mutex mu;
    Clock::time_point t0 = Clock::now();
    std::map<std::string, OpCount> ops;
    std::map<std::tuple<std::string, std::string>, long> errors;           // (kind, sqlstate) -> n
    std::map<std::tuple<std::string, std::string>, std::string> samples;   // (kind, sqlstate) -> message
    std::map<std::string, long> messages;                                  // "sqlstate message" -> n
    std::vector<Ack> acks;
    std::vector<std::pair<std::string, std::string>> violations;            // (invariant, detail)
    std::vector<std::pair<double, double>> passes;                          // sweep passes (server epoch)
    double last_conn_error = -1;                                            // seconds since t0
    long conn_errors = 0, connect_retries = 0;

    double now() const { return std::chrono::duration<double>(Clock::now() - t0).count(); }
    void count(const std::string& kind, long OpCount::*member) {
        std::lock_guard<std::mutex> g(mu);
        ++(ops[kind].*member);
    }
    void latency(const std::string& kind, Clock::time_point started) {
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
        std::lock_guard<std::mutex> g(mu);
        auto& m = ops[kind].max_ms;
        if (ms > m) m = ms;
    }
    void error(const std::string& kind, const std::string& state, const std::string& what) {
        std::lock_guard<std::mutex> g(mu);
        ++errors[{kind, state}];
        auto& s = samples[{kind, state}];
        if (s.empty()) s = first_line(what);
        ++messages[state + " " + without_uuids(first_line(what)).substr(0, 120)];
        if (!is_expected_error(kind, state) && !is_conn_state(state) && state != "in_doubt")
            std::cerr << "ERROR " << kind << " " << state << ": " << what << "\n";
        if (is_conn_state(state)) {
            ++conn_errors;
            last_conn_error = now();
        }
    }
    void ack(const std::string& kind, std::vector<std::string> f, bool doubt = false) {
        std::lock_guard<std::mutex> g(mu);
        acks.push_back(Ack{now(), doubt, kind, std::move(f)});
    }
    void violation(const std::string& name, const std::string& detail) {
        std::lock_guard<std::mutex> g(mu);
        violations.emplace_back(name, clean(detail));
        std::cerr << "VIOLATION " << name << ": " << detail << "\n";
    }
    // Appends the acks of `kind` recorded since *seen to out (the live checker's incremental copy).
    void acks_since(std::size_t* seen, const std::string& kind, std::vector<Ack>& out, const std::string& kind2,
                    std::vector<Ack>& out2) {
        std::lock_guard<std::mutex> g(mu);
        for (std::size_t i = *seen; i < acks.size(); ++i) {
            if (acks[i].kind == kind) out.push_back(acks[i]);
            else if (acks[i].kind == kind2) out2.push_back(acks[i]);
        }
        *seen = acks.size();
    }
    std::vector<std::pair<double, double>> sweep_passes() {
        std::lock_guard<std::mutex> g(mu);
        return passes;
    }
};

// ---------------------------------------------------------------------------
// Sessions: one connection, reconnecting on failure, with a fixed role
// ---------------------------------------------------------------------------
std::string conninfo(const Options& o, const std::string& role, const std::string& app) {
    return "dbname=" + o.db + " application_name=" + app + " options='-c role=" + role + "'";
}

class Session {
public:
    Session(const Options& o, std::string role, std::string app, Recorder& rec, const std::atomic<bool>& stop)
        : info_(conninfo(o, role, app)), role_(std::move(role)), rec_(rec), stop_(stop) {}

    // A connected connection, or nullptr once stop is set and we still cannot connect.
    pqxx::connection* get(double give_up_after_stop = 0) {
        if (c_ && c_->is_open()) return c_.get();
        c_.reset();
        Clock::time_point stop_seen{};
        bool counted = false;
        for (;;) {
            try {
                auto c = std::make_unique<pqxx::connection>(info_);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
                c->inhibit_reactivation(true);  // a silent reconnect would lose nothing here, but be explicit
#pragma GCC diagnostic pop
                pqxx::nontransaction nt{*c};
                const std::string who = nt.exec1("SELECT current_user")[0].c_str();
                if (who != role_) throw std::runtime_error("connected as " + who + ", wanted " + role_);
                nt.commit();
                c_ = std::move(c);
                return c_.get();
            } catch (const pqxx::broken_connection& e) {
                if (!counted) rec_.error("connect", "broken_connection", e.what());
                counted = true;
            } catch (const pqxx::sql_error& e) {
                if (!counted) rec_.error("connect", e.sqlstate().empty() ? "sql_error" : e.sqlstate(), e.what());
                counted = true;
                if (!is_conn_state(e.sqlstate())) throw;
            }
            {
                std::lock_guard<std::mutex> g(rec_.mu);
                ++rec_.connect_retries;
            }
            if (stop_.load()) {
                if (stop_seen == Clock::time_point{}) stop_seen = Clock::now();
                if (std::chrono::duration<double>(Clock::now() - stop_seen).count() >= give_up_after_stop)
                    return nullptr;
            }
            sleep_for(0.25);
        }
    }
    void reset() { c_.reset(); }

private:
    std::string info_, role_;
    Recorder& rec_;
    const std::atomic<bool>& stop_;
    std::unique_ptr<pqxx::connection> c_;
};

enum class Outcome { Committed, Failed, Doubt, NotRun };

// Runs body in a read-committed transaction; classifies every error by SQLSTATE.
Outcome run_txn(Session& s, Recorder& rec, const std::string& kind, const std::function<void(pqxx::work&)>& body,
                std::string* state_out = nullptr) {
    pqxx::connection* c = s.get();
    if (c == nullptr) return Outcome::NotRun;
    rec.count(kind, &OpCount::attempted);
    const auto started = Clock::now();
    std::string state;
    std::string what;
    try {
        pqxx::work w{*c};
        body(w);
        try {
            w.commit();
        } catch (const pqxx::in_doubt_error& e) {
            rec.count(kind, &OpCount::doubt);
            rec.error(kind, "in_doubt", e.what());
            s.reset();
            return Outcome::Doubt;
        } catch (const pqxx::broken_connection& e) {
            rec.count(kind, &OpCount::doubt);
            rec.error(kind, "in_doubt", e.what());
            s.reset();
            return Outcome::Doubt;
        } catch (const pqxx::sql_error& e) {
            // A FATAL (57P01...) in answer to COMMIT: the commit record may be in the WAL.
            if (!is_conn_state(e.sqlstate()) && c->is_open()) throw;
            rec.count(kind, &OpCount::doubt);
            rec.error(kind, "in_doubt", e.what());
            s.reset();
            return Outcome::Doubt;
        }
        rec.count(kind, &OpCount::committed);
        rec.latency(kind, started);
        return Outcome::Committed;
    } catch (const pqxx::deadlock_detected& e) {
        state = "40P01", what = e.what();
    } catch (const pqxx::serialization_failure& e) {
        state = "40001", what = e.what();
    } catch (const pqxx::statement_completion_unknown& e) {
        state = "40003", what = e.what();
    } catch (const pqxx::transaction_rollback& e) {
        state = "40000", what = e.what();
    } catch (const pqxx::broken_connection& e) {
        state = "broken_connection", what = e.what();
    } catch (const pqxx::insufficient_privilege& e) {
        state = "42501", what = e.what();
    } catch (const pqxx::sql_error& e) {
        state = e.sqlstate().empty() ? "sql_error" : e.sqlstate(), what = e.what();
    } catch (const pqxx::failure& e) {
        state = "pqxx_failure", what = e.what();
    } catch (const std::exception& e) {
        state = "exception", what = e.what();
    }
    rec.count(kind, &OpCount::failed);
    rec.latency(kind, started);
    rec.error(kind, state, what);
    if (is_conn_state(state) || state == "pqxx_failure" || !c->is_open()) s.reset();
    if (state_out) *state_out = state;
    return Outcome::Failed;
}

// ---------------------------------------------------------------------------
// The world: the dataset and what the clients believe about it (hints only;
// the database is the truth, stale hints just produce PC4xx conflicts)
// ---------------------------------------------------------------------------
struct Agent {
    std::string id;
    std::string run;           // the run this agent currently works with
    bool needs_run = false;    // its run turned terminal; a new one must be created
    std::string pending_run;   // a run insert whose commit is in doubt
    bool busy = false;         // a thread is cycling its run
    std::vector<std::string> dead_runs;  // terminal runs, candidates for deletion
    std::vector<std::pair<int, std::string>> lost_runs;  // (generation, run) in a status not yet terminal
    std::set<std::string> held;          // issues it believes it holds (or held with an old run)
};

struct World {
    // Runs "lost" by the harness go to status lost-<generation>: unknown, so
    // they hold their locks (SPEC §2) until the operator registers the status
    // as terminal -- then every such lock is stale at once, with no trigger
    // to release it: work for the sweeper and for adoption.
    std::atomic<int> lost_generation{1};
    std::string company;
    std::vector<std::string> hot, cold;
    std::mutex mu;
    std::vector<Agent> agents;
};

const char* kBoardAdmin = "board-admin@stress.test";
const char* kBoardViewer = "board-viewer@stress.test";
const char* kBoardOutsider = "board-outsider@stress.test";

// ---------------------------------------------------------------------------
// setup
// ---------------------------------------------------------------------------
int do_setup(const Options& o) {
    {
        pqxx::connection admin{""};
        pqxx::nontransaction nt{admin};
        nt.exec("DROP DATABASE IF EXISTS " + o.db + " WITH (FORCE)");
        nt.exec("CREATE DATABASE " + o.db);
    }
    pqxx::connection c{"dbname=" + o.db};
    pqxx::work w{c};
    w.exec("CREATE EXTENSION paperclip_locks");
    w.exec(R"(DO $$
        DECLARE r text[];
        BEGIN
          FOREACH r SLICE 1 IN ARRAY ARRAY[['stress_app','paperclip_app'],['stress_op','paperclip_operator'],
                                           ['stress_reader','paperclip_reader']] LOOP
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r[1]) THEN
              EXECUTE format('CREATE ROLE %I NOLOGIN', r[1]);
            END IF;
            EXECUTE format('GRANT %I TO %I', r[2], r[1]);
          END LOOP;
        END $$)");
    const std::string company =
        w.exec1("INSERT INTO paperclip.companies (name, issue_prefix) VALUES ('Stress', 'STR') RETURNING id")[0].c_str();
    w.exec_params("INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, "
                  "membership_role) VALUES ($1, 'user', $2, 'admin'), ($1, 'user', $3, 'viewer')",
                  company, kBoardAdmin, kBoardViewer);
    // Agent 1 may manage other agents' active checkouts; the rest are plain.
    w.exec_params("INSERT INTO paperclip.agents (company_id, name, permissions) "
                  "SELECT $1, 'Stress Agent ' || lpad(g::text, 3, '0'), "
                  "CASE WHEN g = 1 THEN '{\"tasks:manage_active_checkouts\": true}'::jsonb ELSE '{}' END "
                  "FROM generate_series(1, $2) g",
                  company, o.agents);
    w.exec_params("INSERT INTO paperclip.heartbeat_runs (company_id, agent_id, status, invocation_source, started_at) "
                  "SELECT company_id, id, 'running', 'stress', now() FROM paperclip.agents WHERE company_id = $1",
                  company);
    w.exec_params("INSERT INTO paperclip.issues (company_id, title, status) "
                  "SELECT $1, 'hot-' || lpad(g::text, 3, '0'), 'todo' FROM generate_series(1, $2) g",
                  company, o.hot);
    w.exec_params("INSERT INTO paperclip.issues (company_id, title, status) "
                  "SELECT $1, 'cold-' || lpad(g::text, 3, '0'), CASE WHEN g % 4 = 0 THEN 'backlog' ELSE 'todo' END "
                  "FROM generate_series(1, $2) g",
                  company, o.cold);
    // cold-001 blocks cold-002 (and stays unresolved): its checkouts are 422s.
    w.exec_params("INSERT INTO paperclip.issue_relations (company_id, issue_id, related_issue_id) "
                  "SELECT $1, a.id, b.id FROM paperclip.issues a, paperclip.issues b "
                  "WHERE a.title = 'cold-001' AND b.title = 'cold-002'",
                  company);
    w.commit();
    std::cout << "setup: database " << o.db << ", " << o.agents << " agents, " << o.hot << " hot and " << o.cold
              << " cold issues\n";
    return 0;
}

// ---------------------------------------------------------------------------
// Invariants, shared by the live checker and the final check
// ---------------------------------------------------------------------------
struct Finding {
    std::string name;
    std::vector<std::string> violations;
};

struct Checker {
    const Options& o;
    double sweep_interval;
    double stale_slack;
    int stale_passes;

    // No issue held by two runs: both lock columns set, different, both naming live runs.
    Finding single_holder(pqxx::transaction_base& t) const {
        Finding f{"single_holder", {}};
        for (const auto& r : t.exec(
                 "SELECT i.id, i.checkout_run_id, cr.status, i.execution_run_id, er.status "
                 "FROM paperclip.issues i "
                 "JOIN paperclip.heartbeat_runs cr ON cr.id = i.checkout_run_id "
                 "JOIN paperclip.heartbeat_runs er ON er.id = i.execution_run_id "
                 "WHERE i.checkout_run_id <> i.execution_run_id "
                 "AND NOT paperclip.run_status_is_terminal(cr.status) "
                 "AND NOT paperclip.run_status_is_terminal(er.status)"))
            f.violations.push_back("issue " + field(r[0]) + " checkout " + field(r[1]) + " (" + field(r[2]) +
                                   ") execution " + field(r[3]) + " (" + field(r[4]) + ")");
        // A lock column naming a run that does not exist (the foreign key forbids it).
        for (const auto& r : t.exec(
                 "SELECT i.id FROM paperclip.issues i WHERE "
                 "(i.checkout_run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM paperclip.heartbeat_runs r "
                 "WHERE r.id = i.checkout_run_id)) OR (i.execution_run_id IS NOT NULL AND NOT EXISTS "
                 "(SELECT 1 FROM paperclip.heartbeat_runs r WHERE r.id = i.execution_run_id))"))
            f.violations.push_back("issue " + field(r[0]) + " names a missing run");
        return f;
    }

    // No lock naming a run of another agent than the assignee (in_progress assigned issues).
    Finding lock_agent_is_assignee(pqxx::transaction_base& t) const {
        Finding f{"lock_agent_is_assignee", {}};
        for (const auto& r : t.exec(
                 "SELECT i.id, i.status, i.assignee_agent_id, r.id, r.agent_id, "
                 "CASE WHEN r.id = i.checkout_run_id THEN 'checkout' ELSE 'execution' END "
                 "FROM paperclip.issues i "
                 "JOIN paperclip.heartbeat_runs r ON r.id IN (i.checkout_run_id, i.execution_run_id) "
                 "WHERE i.status = 'in_progress' AND i.assignee_agent_id IS NOT NULL "
                 "AND r.agent_id <> i.assignee_agent_id"))
            f.violations.push_back("issue " + field(r[0]) + " (" + field(r[1]) + ") assignee " + field(r[2]) + " " +
                                   field(r[5]) + " run " + field(r[3]) + " of agent " + field(r[4]));
        return f;
    }

    // execution_run_id IS NULL implies its name key and execution_locked_at are NULL (SPEC §6).
    Finding execution_columns(pqxx::transaction_base& t) const {
        Finding f{"execution_columns_consistent", {}};
        for (const auto& r : t.exec(
                 "SELECT id FROM paperclip.issues WHERE execution_run_id IS NULL "
                 "AND (execution_agent_name_key IS NOT NULL OR execution_locked_at IS NOT NULL)"))
            f.violations.push_back("issue " + field(r[0]) + " has execution companions without a run");
        return f;
    }

    // A lock that should be gone since `since` (its run died or its lease
    // expired), seen at `now`: overdue once it is older than the sweep
    // interval + slack AND `stale_passes` complete sweep passes started after
    // `since` and ended before `now`. Records the largest age seen.
    struct Overdue {
        double age;
        int passes;
    };
    std::optional<Overdue> overdue(double since, double now, const std::vector<std::pair<double, double>>& passes,
                                   double* max_age) const {
        const double age = now - since;
        if (max_age && age > *max_age) *max_age = age;
        int after = 0;
        for (const auto& p : passes)
            if (p.first > since && p.second < now) ++after;
        if (age > sweep_interval + stale_slack && after >= stale_passes) return Overdue{age, after};
        return std::nullopt;
    }

    // No stale lock left behind by the sweeper: a lock the sweep would clear
    // (issue_locks.stale and lock_is_sweepable) that has been stale longer than
    // the sweep interval + slack AND has survived `stale_passes` complete
    // sweep passes that started after it went stale. "Stale since" is when the
    // holder run became terminal: its finished_at, or when its status was
    // registered as terminal if later. (issue_locks.locked_for is the lock's
    // age, not the time since its run died.)
    Finding overdue_stale(pqxx::transaction_base& t, const std::vector<std::pair<double, double>>& passes,
                          double* max_age = nullptr) const {
        Finding f{"no_overdue_stale_locks", {}};
        const auto res = t.exec(
            "SELECT l.issue_id, extract(epoch FROM min(greatest(coalesce(r.finished_at, r.updated_at), "
            "(SELECT s.added_at FROM paperclip.terminal_run_statuses s WHERE s.status = r.status))))::float8, "
            "extract(epoch FROM now())::float8, min(r.status) "
            "FROM paperclip.issue_locks l "
            "JOIN paperclip.heartbeat_runs r ON r.id IN (l.checkout_run_id, l.execution_run_id) "
            "AND paperclip.run_status_is_terminal(r.status) "
            "WHERE l.stale AND paperclip.lock_is_sweepable(l.checkout_run_id, l.checkout_run_status, "
            "l.execution_run_id, l.execution_run_status) "
            "GROUP BY l.issue_id");
        for (const auto& r : res) {
            const auto late = overdue(r[1].as<double>(), r[2].as<double>(), passes, max_age);
            if (late)
                f.violations.push_back("issue " + field(r[0]) + " stale for " + std::to_string(late->age) +
                                       " s (run " + field(r[3]) + "), survived " + std::to_string(late->passes) +
                                       " sweep passes");
        }
        return f;
    }

    // The same for leases (SPEC §9): a lock naming a run whose lease row has
    // expired -- the run still in a status that holds -- that the sweep would
    // clear (lock_is_sweepable with the leases) has been expired for longer
    // than the sweep interval + slack AND has survived `stale_passes`
    // complete sweep passes that started after the expiry. The stress cluster
    // does not preload the module (no reaper): the sweep is the release.
    Finding overdue_expired(pqxx::transaction_base& t, const std::vector<std::pair<double, double>>& passes,
                            double* max_age = nullptr) const {
        Finding f{"no_overdue_expired_lease_locks", {}};
        const auto res = t.exec(
            "SELECT l.issue_id, extract(epoch FROM min(le.expires_at))::float8, extract(epoch FROM now())::float8, "
            "min(r.id::text) "
            "FROM paperclip.issue_locks l "
            "JOIN paperclip.heartbeat_runs r ON r.id IN (l.checkout_run_id, l.execution_run_id) "
            "AND NOT paperclip.run_status_is_terminal(r.status) "
            "JOIN paperclip.run_leases le ON le.run_id = r.id AND le.expires_at <= now() "
            "WHERE paperclip.lock_is_sweepable(l.checkout_run_id, l.checkout_run_status, "
            "l.checkout_run_lease_expires_at, NULL, NULL, l.execution_run_id, l.execution_run_status, "
            "l.execution_run_lease_expires_at, NULL, NULL) "
            "GROUP BY l.issue_id");
        for (const auto& r : res) {
            const auto late = overdue(r[1].as<double>(), r[2].as<double>(), passes, max_age);
            if (late)
                f.violations.push_back("issue " + field(r[0]) + " held by run " + field(r[3]) +
                                       " whose lease expired " + std::to_string(late->age) + " s ago, survived " +
                                       std::to_string(late->passes) + " sweep passes");
        }
        return f;
    }

    // Death is final and nothing is lost (SPEC §9): every acknowledged
    // renewal has its lease row; a run that stopped renewing keeps exactly
    // the expiry its last renewal was acknowledged with (nobody revived it).
    Finding leases_kept(pqxx::transaction_base& t, const std::vector<Ack>& all) const {
        Finding f{"lease_deaths_final", {}};
        std::vector<std::string> renewed, stopped, stopped_at;
        for (const auto& a : all) {
            if (a.doubt) continue;
            if (a.kind == "lease_renew") renewed.push_back(a.f[0]);
            else if (a.kind == "lease_stop") stopped.push_back(a.f[0]), stopped_at.push_back(a.f[2]);
        }
        for (const auto& r : t.exec_params("SELECT k.run FROM unnest($1::uuid[]) AS k(run) WHERE NOT EXISTS "
                                           "(SELECT 1 FROM paperclip.run_leases l WHERE l.run_id = k.run)",
                                           pg_array(renewed)))
            f.violations.push_back("acknowledged renewal of run " + field(r[0]) + " has no lease row");
        for (const auto& r : t.exec_params(
                 "SELECT k.run, to_timestamp(k.expires / 1e6)::text, l.expires_at::text "
                 "FROM unnest($1::uuid[], $2::int8[]) AS k(run, expires) "
                 "LEFT JOIN paperclip.run_leases l ON l.run_id = k.run "
                 "WHERE (extract(epoch FROM l.expires_at) * 1000000)::int8 IS DISTINCT FROM k.expires",
                 pg_array(stopped), pg_array(stopped_at)))
            f.violations.push_back("run " + field(r[0]) + " stopped renewing at " + field(r[1]) + " but its lease is " +
                                   (r[2].is_null() ? std::string("gone") : field(r[2])));
        return f;
    }

    // Every acknowledged checkout has its issue.checked_out row: same issue,
    // details {agentId}, actor (agent, run). Counted per key (a run may check
    // out the same issue again), and no more rows than acks + in-doubt commits.
    Finding audit_checkouts(pqxx::transaction_base& t, const std::vector<Ack>& acks, bool totals) const {
        return audit_by_key(t, acks, totals, "audit_checkout", "issue.checked_out", true);
    }
    Finding audit_releases(pqxx::transaction_base& t, const std::vector<Ack>& acks, bool totals) const {
        return audit_by_key(t, acks, totals, "audit_release", "issue.released", false);
    }

    Finding audit_by_key(pqxx::transaction_base& t, const std::vector<Ack>& acks, bool totals, const char* name,
                         const char* action, bool agent_details) const {
        Finding f{name, {}};
        std::map<std::tuple<std::string, std::string, std::string>, int> want;
        long acked = 0, doubt = 0;
        for (const auto& a : acks) {
            if (a.doubt) {
                ++doubt;
                continue;
            }
            ++acked;
            ++want[{a.f[0], a.f[1], a.f[2]}];
        }
        std::vector<std::string> issues, agents, runs, ns;
        for (const auto& [k, n] : want) {
            issues.push_back(std::get<0>(k));
            agents.push_back(std::get<1>(k));
            runs.push_back(std::get<2>(k));
            ns.push_back(std::to_string(n));
        }
        const std::string details_cond =
            agent_details ? "AND a.details = jsonb_build_object('agentId', k.agent::text) " : "";
        const auto res = t.exec_params(
            "SELECT k.issue, k.agent, k.run, k.n, count(a.id) "
            "FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[]) AS k(issue, agent, run, n) "
            "LEFT JOIN paperclip.activity_log a ON a.action = $5 AND a.entity_type = 'issue' "
            "AND a.entity_id = k.issue::text AND a.actor_type = 'agent' AND a.actor_id = k.agent::text "
            "AND a.agent_id = k.agent AND a.run_id = k.run " +
                details_cond + "GROUP BY k.issue, k.agent, k.run, k.n HAVING count(a.id) < k.n",
            pg_array(issues), pg_array(agents), pg_array(runs), pg_array(ns), std::string(action));
        for (const auto& r : res)
            f.violations.push_back(std::string(action) + " missing: issue " + field(r[0]) + " agent " + field(r[1]) +
                                   " run " + field(r[2]) + " acked " + field(r[3]) + " audited " + field(r[4]));
        if (totals) {
            const long rows = t.exec_params1("SELECT count(*) FROM paperclip.activity_log WHERE action = $1",
                                             std::string(action))[0]
                                  .as<long>();
            if (rows < acked || rows > acked + doubt)
                f.violations.push_back(std::string(action) + ": " + std::to_string(rows) + " audit rows for " +
                                       std::to_string(acked) + " acknowledged + " + std::to_string(doubt) +
                                       " in-doubt commits");
        }
        return f;
    }

    // Every acknowledged force-release has exactly one audit row with exactly
    // these details; no audit row for a force-release no client saw commit
    // (beyond in-doubt commits).
    Finding audit_force(pqxx::transaction_base& t, const std::vector<Ack>& acks, bool totals) const {
        Finding f{"audit_force_release", {}};
        std::vector<std::string> issue, actor, prevc, preve, clear, reason;
        long doubt = 0;
        for (const auto& a : acks) {
            if (a.doubt) {
                ++doubt;
                continue;
            }
            issue.push_back(a.f[0]), actor.push_back(a.f[1]), prevc.push_back(a.f[2]), preve.push_back(a.f[3]);
            clear.push_back(a.f[4]), reason.push_back(a.f[5]);
        }
        const auto res = t.exec_params(
            "SELECT k.issue, k.reason, count(a.id) "
            "FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::boolean[], $6::text[]) "
            "AS k(issue, actor, prevc, preve, clear, reason) "
            "LEFT JOIN paperclip.activity_log a ON a.action = 'issue.admin_force_release' "
            "AND a.entity_type = 'issue' AND a.entity_id = k.issue::text AND a.actor_type = 'user' "
            "AND a.actor_id = k.actor AND a.details = jsonb_build_object('issueId', k.issue::text, "
            "'actorUserId', k.actor, 'prevCheckoutRunId', k.prevc::text, 'prevExecutionRunId', k.preve::text, "
            "'clearAssignee', k.clear, 'reason', k.reason) "
            "GROUP BY k.issue, k.reason HAVING count(a.id) <> 1",
            pg_array(issue), pg_array(actor), pg_array(prevc), pg_array(preve), pg_array(clear), pg_array(reason));
        for (const auto& r : res) {
            std::string seen;
            for (const auto& x : t.exec_params("SELECT details::text FROM paperclip.activity_log WHERE "
                                               "action = 'issue.admin_force_release' AND details->>'reason' = $1",
                                               field(r[1])))
                seen += " | " + field(x[0]);
            f.violations.push_back("force-release " + field(r[1]) + " on issue " + field(r[0]) + ": " +
                                   field(r[2]) + " matching audit rows" + seen);
        }
        if (totals) {
            const long acked = static_cast<long>(issue.size());
            const long rows =
                t.exec1("SELECT count(*) FROM paperclip.activity_log WHERE action = 'issue.admin_force_release'")[0]
                    .as<long>();
            if (rows < acked || rows > acked + doubt)
                f.violations.push_back("issue.admin_force_release: " + std::to_string(rows) + " audit rows for " +
                                       std::to_string(acked) + " acknowledged + " + std::to_string(doubt) +
                                       " in-doubt commits");
        }
        return f;
    }

    // assert_checkout_owner that reported adopted_from_run_id: the
    // issue.checkout_lock_adopted row with exactly these details.
    Finding audit_adoption(pqxx::transaction_base& t, const std::vector<Ack>& acks) const {
        Finding f{"audit_adoption", {}};
        std::map<std::tuple<std::string, std::string, std::string, std::string>, int> want;
        for (const auto& a : acks)
            if (!a.doubt && !a.f[3].empty()) ++want[{a.f[0], a.f[1], a.f[2], a.f[3]}];
        std::vector<std::string> issue, agent, run, prev, ns;
        for (const auto& [k, n] : want) {
            issue.push_back(std::get<0>(k)), agent.push_back(std::get<1>(k)), run.push_back(std::get<2>(k));
            prev.push_back(std::get<3>(k)), ns.push_back(std::to_string(n));
        }
        const auto res = t.exec_params(
            "SELECT k.issue, k.run, k.prev, k.n, count(a.id) "
            "FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::int[]) AS k(issue, agent, run, prev, n) "
            "LEFT JOIN paperclip.activity_log a ON a.action = 'issue.checkout_lock_adopted' "
            "AND a.entity_id = k.issue::text AND a.actor_type = 'agent' AND a.actor_id = k.agent::text "
            "AND a.run_id = k.run AND a.details = jsonb_build_object('previousCheckoutRunId', k.prev::text, "
            "'checkoutRunId', k.run::text, 'reason', 'stale_checkout_run') "
            "GROUP BY k.issue, k.run, k.prev, k.n HAVING count(a.id) < k.n",
            pg_array(issue), pg_array(agent), pg_array(run), pg_array(prev), pg_array(ns));
        for (const auto& r : res)
            f.violations.push_back("adoption of issue " + field(r[0]) + " by run " + field(r[1]) + " from " +
                                   field(r[2]) + ": acked " + field(r[3]) + ", audited " + field(r[4]));
        return f;
    }

    // Nothing a client saw commit is lost: comments, runs created, failed, deleted.
    Finding lost_commits(pqxx::transaction_base& t, const std::vector<Ack>& all) const {
        Finding f{"no_lost_commits", {}};
        std::vector<std::string> c_issue, c_agent, c_body;
        long comment_doubt = 0;
        std::set<std::string> deleted_or_maybe, deleted;
        std::vector<std::string> created, failed;
        std::map<std::string, std::set<std::string>> statuses_set;  // run -> statuses a client set (acked or in doubt)
        for (const auto& a : all) {
            if (a.kind == "comment") {
                if (a.doubt) ++comment_doubt;
                else c_issue.push_back(a.f[0]), c_agent.push_back(a.f[1]), c_body.push_back(a.f[2]);
            } else if (a.kind == "run_delete") {
                deleted_or_maybe.insert(a.f[0]);
                if (!a.doubt) deleted.insert(a.f[0]);
            } else if (a.kind == "run_create" && !a.doubt) {
                created.push_back(a.f[0]);
            } else if (a.kind == "run_fail") {
                if (!a.doubt) failed.push_back(a.f[0]);
                statuses_set[a.f[0]].insert(a.f[2]);
            }
        }
        const long missing_comments =
            t.exec_params1("SELECT count(*) FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS k(issue, agent, body) "
                           "WHERE NOT EXISTS (SELECT 1 FROM paperclip.issue_comments c WHERE c.body = k.body "
                           "AND c.issue_id = k.issue AND c.author_agent_id = k.agent)",
                           pg_array(c_issue), pg_array(c_agent), pg_array(c_body))[0]
                .as<long>();
        if (missing_comments)
            f.violations.push_back(std::to_string(missing_comments) + " acknowledged comments missing");
        const long comments = t.exec1("SELECT count(*) FROM paperclip.issue_comments")[0].as<long>();
        if (comments > static_cast<long>(c_body.size()) + comment_doubt)
            f.violations.push_back(std::to_string(comments) + " comments for " + std::to_string(c_body.size()) +
                                   " acknowledged + " + std::to_string(comment_doubt) + " in doubt");
        std::map<std::string, std::pair<std::string, bool>> status;  // run -> (status, terminal)
        for (const auto& r : t.exec("SELECT id, status, paperclip.run_status_is_terminal(status) "
                                    "FROM paperclip.heartbeat_runs"))
            status[field(r[0])] = {field(r[1]), r[2].as<bool>()};
        for (const auto& id : created)
            if (!status.count(id) && !deleted_or_maybe.count(id))
                f.violations.push_back("acknowledged run " + id + " is missing");
        // A run keeps the status its client saw commit (lost-N ones may still
        // be unregistered, hence not terminal yet).
        for (const auto& id : failed)
            if (status.count(id) && !statuses_set[id].count(status[id].first))
                f.violations.push_back("run " + id + " acknowledged as " + *statuses_set[id].begin() + " is " +
                                       status[id].first);
            else if (!status.count(id) && !deleted_or_maybe.count(id))
                f.violations.push_back("acknowledged terminal run " + id + " is missing");
        for (const auto& id : deleted)
            if (status.count(id)) f.violations.push_back("acknowledged deleted run " + id + " exists");
        return f;
    }
};

// ---------------------------------------------------------------------------
// The workload
// ---------------------------------------------------------------------------
class Client {
public:
    Client(int n, const Options& o, World& world, Recorder& rec, const std::atomic<bool>& stop)
        : n_(n), o_(o), world_(world), rec_(rec), stop_(stop), rng_(o.seed + 7919 * static_cast<std::uint64_t>(n + 1)),
          s_(o, "stress_app", "stress-client-" + std::to_string(n), rec, stop) {
        for (const auto& [k, w] : o.weights)
            if (w > 0) menu_.emplace_back(k, w), total_ += w;
    }

    void run() {
        while (!stop_.load()) {
            int r = std::uniform_int_distribution<int>(1, total_)(rng_);
            std::string op;
            for (const auto& [k, w] : menu_)
                if ((r -= w) <= 0) {
                    op = k;
                    break;
                }
            try {
                dispatch(op);
            } catch (const std::exception& e) {
                rec_.error(op, "driver_exception", e.what());
            }
        }
    }

private:
    struct Pick {
        int idx = -1;
        std::string id, run;
    };

    bool coin(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
    template <class T> const T& any(const std::vector<T>& v) {
        return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng_)];
    }
    std::string token(const char* what) { return std::string("stress-") + what + "-" + uuid4(rng_); }

    std::string pick_issue() { return coin(0.85) || world_.cold.empty() ? any(world_.hot) : any(world_.cold); }

    // An agent to act as; an agent whose run died gets its new run first.
    Pick pick_agent(bool for_cycle = false) {
        for (int tries = 0; tries < 8; ++tries) {
            const int idx = std::uniform_int_distribution<int>(0, static_cast<int>(world_.agents.size()) - 1)(rng_);
            bool create = false;
            {
                std::lock_guard<std::mutex> g(world_.mu);
                Agent& a = world_.agents[idx];
                if (a.busy) continue;
                if (a.needs_run || for_cycle) {
                    a.busy = true;
                    create = a.needs_run;
                    if (!create) return Pick{idx, a.id, a.run};  // caller cycles it and clears busy
                } else {
                    return Pick{idx, a.id, a.run};
                }
            }
            if (create) {
                create_run(idx);
                std::lock_guard<std::mutex> g(world_.mu);
                world_.agents[idx].busy = false;
                return Pick{};
            }
        }
        return Pick{};
    }

    std::string pick_held(const Pick& p) {
        std::lock_guard<std::mutex> g(world_.mu);
        const auto& held = world_.agents[p.idx].held;
        if (held.empty()) return {};
        auto it = held.begin();
        std::advance(it, std::uniform_int_distribution<std::size_t>(0, held.size() - 1)(rng_));
        return *it;
    }

    void model(const std::function<void(World&)>& f) {
        std::lock_guard<std::mutex> g(world_.mu);
        f(world_);
    }

    void set_agent(pqxx::work& w, const std::string& agent, const std::string& run) {
        if (run.empty()) w.exec_params("SELECT paperclip.set_actor_agent($1::uuid)", agent);
        else w.exec_params("SELECT paperclip.set_actor_agent($1::uuid, $2::uuid)", agent, run);
    }

    void violation(const std::string& name, const std::string& what) { rec_.violation(name, what); }

    void dispatch(const std::string& op) {
        if (op == "checkout") checkout();
        else if (op == "release") release();
        else if (op == "adopt") adopt();
        else if (op == "run_cycle") run_cycle();
        else if (op == "force_release") force_release();
        else if (op == "title") title("title_update");
        else if (op == "comment") comment();
        else if (op == "status") status();
        else if (op == "run_delete") run_delete();
        else if (op == "acquire") acquire();
        else if (op == "lease") lease();
    }

    // SPEC §9: the agent renews its run's lease. A share of runs then stop
    // renewing, as a harness killed hard would: a 1-second lease that nobody
    // renews again, the run left 'running' with no terminal status. Its locks
    // must go to the sweep (or to the agent's next run, which adopts the
    // issues the agent still remembers). The others renew for 10 minutes.
    void lease() {
        const Pick a = pick_agent(true);
        if (a.idx < 0) return;
        const bool stop_renewing = coin(0.3);
        const bool forget = stop_renewing && coin(0.5);
        const char* kind = stop_renewing ? "lease_stop" : "lease_renew";
        std::string expires;
        const Outcome out = run_txn(s_, rec_, kind, [&](pqxx::work& w) {
            set_agent(w, a.id, a.run);
            // The new expiry in microseconds since the epoch (exact, no time zone).
            expires = field(w.exec_params1("SELECT (extract(epoch FROM paperclip.renew_run_lease($1::uuid, "
                                           "$2::interval)) * 1000000)::int8", a.run,
                                           std::string(stop_renewing ? "1 second" : "10 minutes"))[0]);
        });
        if (out == Outcome::Committed) {
            rec_.ack(kind, {a.run, a.id, expires});
            if (stop_renewing) {
                model([&](World& w) {
                    Agent& ag = w.agents[a.idx];
                    if (ag.run == a.run) ag.needs_run = true;
                    if (forget) ag.held.clear();
                });
                create_run(a.idx);
            }
        } else if (out == Outcome::Doubt) {
            rec_.ack(kind, {a.run, a.id, ""}, true);
        }
        model([&](World& w) { w.agents[a.idx].busy = false; });
    }

    void checkout() {
        const Pick a = pick_agent();
        if (a.idx < 0) return;
        const std::string issue = pick_issue();
        static const std::vector<std::string> sets = {"{todo}", "{todo,backlog}", "{todo,in_progress}",
                                                      "{todo,backlog,blocked,in_progress}", "{in_progress}"};
        const std::string& expected = any(sets);
        const bool pass_run = coin(0.5);
        std::string st, assignee, crun, erun;
        const Outcome out = run_txn(s_, rec_, "checkout", [&](pqxx::work& w) {
            set_agent(w, a.id, a.run);
            const std::string q = "SELECT status, assignee_agent_id, checkout_run_id, execution_run_id FROM "
                                  "paperclip.checkout($1::uuid, $2::uuid, $3::text[]";
            const pqxx::row r = pass_run ? w.exec_params1(q + ", $4::uuid)", issue, a.id, expected, a.run)
                                         : w.exec_params1(q + ")", issue, a.id, expected);
            st = field(r[0]), assignee = field(r[1]), crun = field(r[2]), erun = field(r[3]);
        });
        if (out == Outcome::Committed) {
            rec_.ack("checkout", {issue, a.id, a.run});
            if (st != "in_progress" || assignee != a.id || crun != a.run || !(erun.empty() || erun == a.run))
                violation("op_results_consistent", "checkout of " + issue + " by run " + a.run + " returned status " +
                                                       st + " assignee " + assignee + " checkout " + crun +
                                                       " execution " + erun);
            model([&](World& w) { w.agents[a.idx].held.insert(issue); });
        } else if (out == Outcome::Doubt) {
            rec_.ack("checkout", {issue, a.id, a.run}, true);
        }
    }

    void release() {
        const Pick a = pick_agent();
        if (a.idx < 0) return;
        std::string issue = coin(0.75) ? pick_held(a) : std::string();
        if (issue.empty()) issue = pick_issue();
        const int variant = std::uniform_int_distribution<int>(0, 2)(rng_);
        std::string st, assignee, crun, erun;
        const Outcome out = run_txn(s_, rec_, "release", [&](pqxx::work& w) {
            set_agent(w, a.id, a.run);
            const std::string q = "SELECT status, assignee_agent_id, checkout_run_id, execution_run_id FROM ";
            const pqxx::row r =
                variant == 0 ? w.exec_params1(q + "paperclip.release($1::uuid)", issue)
                : variant == 1
                    ? w.exec_params1(q + "paperclip.release($1::uuid, $2::uuid)", issue, a.id)
                    : w.exec_params1(q + "paperclip.release($1::uuid, $2::uuid, $3::uuid)", issue, a.id, a.run);
            st = field(r[0]), assignee = field(r[1]), crun = field(r[2]), erun = field(r[3]);
        });
        if (out == Outcome::Committed) {
            rec_.ack("release", {issue, a.id, a.run});
            if (st == "in_progress" || !assignee.empty() || !crun.empty() || !erun.empty())
                violation("op_results_consistent", "release of " + issue + " returned status " + st + " assignee " +
                                                       assignee + " checkout " + crun + " execution " + erun);
            model([&](World& w) { w.agents[a.idx].held.erase(issue); });
        } else if (out == Outcome::Doubt) {
            rec_.ack("release", {issue, a.id, a.run}, true);
        }
    }

    // A new run of the same agent writing to an issue it held with an older run.
    void adopt() {
        const Pick a = pick_agent();
        if (a.idx < 0) return;
        const std::string issue = pick_held(a);
        if (issue.empty()) {
            rec_.count("adopt_assert", &OpCount::skipped);
            return;
        }
        if (coin(0.5)) {
            title("adopt_update", a, issue);
            return;
        }
        std::string crun, from, st, assignee;
        const Outcome out = run_txn(s_, rec_, "adopt_assert", [&](pqxx::work& w) {
            set_agent(w, a.id, a.run);
            const pqxx::row r = w.exec_params1(
                "SELECT checkout_run_id, adopted_from_run_id, status, assignee_agent_id "
                "FROM paperclip.assert_checkout_owner($1::uuid, $2::uuid, $3::uuid)",
                issue, a.id, a.run);
            crun = field(r[0]), from = field(r[1]), st = field(r[2]), assignee = field(r[3]);
        });
        if (out == Outcome::Committed) {
            rec_.ack("adopt_assert", {issue, a.id, a.run, from});
            if (crun != a.run || st != "in_progress" || assignee != a.id)
                violation("op_results_consistent", "assert_checkout_owner(" + issue + ", run " + a.run +
                                                       ") passed with checkout " + crun + " status " + st +
                                                       " assignee " + assignee);
        } else if (out == Outcome::Doubt) {
            rec_.ack("adopt_assert", {issue, a.id, a.run, from}, true);
        }
    }

    // A plain UPDATE of the title by an agent: through the ownership trigger.
    void title(const std::string& kind) { title(kind, pick_agent(), std::string()); }
    void title(const std::string& kind, Pick a, std::string issue) {
        if (a.idx < 0) return;
        if (issue.empty()) issue = pick_issue();
        const std::string t = token("title");
        std::string st, assignee, crun;
        bool updated = false;
        const Outcome out = run_txn(s_, rec_, kind, [&](pqxx::work& w) {
            set_agent(w, a.id, a.run);
            const auto r = w.exec_params(
                "UPDATE paperclip.issues SET title = $2, updated_at = now() WHERE id = $1::uuid "
                "RETURNING status, assignee_agent_id, checkout_run_id",
                issue, t);
            if (r.size() == 1) updated = true, st = field(r[0][0]), assignee = field(r[0][1]), crun = field(r[0][2]);
        });
        if (out == Outcome::Committed) {
            rec_.ack(kind, {issue, a.id, t});
            if (!updated) violation("op_results_consistent", "title update of " + issue + " changed no row");
            if (st == "in_progress" && assignee == a.id && crun != a.run)
                violation("op_results_consistent", "agent " + a.id + " run " + a.run + " wrote its in_progress issue " +
                                                       issue + " whose checkout run is " + crun);
            if (st == "in_progress" && assignee == a.id) model([&](World& w) { w.agents[a.idx].held.insert(issue); });
        } else if (out == Outcome::Doubt) {
            rec_.ack(kind, {issue, a.id, t}, true);
        }
    }

    void comment() {
        const Pick a = pick_agent();
        if (a.idx < 0) return;
        const std::string issue = coin(0.3) ? pick_held(a) : pick_issue();
        const std::string target = issue.empty() ? pick_issue() : issue;
        const std::string body = token("comment");
        std::string author;
        const Outcome out = run_txn(s_, rec_, "comment", [&](pqxx::work& w) {
            set_agent(w, a.id, a.run);
            author = field(w.exec_params1("INSERT INTO paperclip.issue_comments (company_id, issue_id, body) "
                                          "VALUES ($1::uuid, $2::uuid, $3) RETURNING author_agent_id",
                                          world_.company, target, body)[0]);
        });
        if (out == Outcome::Committed) {
            rec_.ack("comment", {target, a.id, body});
            if (author != a.id) violation("op_results_consistent", "comment author " + author + " for agent " + a.id);
        } else if (out == Outcome::Doubt) {
            rec_.ack("comment", {target, a.id, body}, true);
        }
    }

    // An agent hands its issue to review (leaving in_progress clears the
    // locks), or the board reopens a reviewed issue for anyone (todo, no assignee).
    void status() {
        if (coin(0.6)) {
            const Pick a = pick_agent();
            if (a.idx < 0) return;
            std::string issue = pick_held(a);
            if (issue.empty()) issue = pick_issue();
            std::string old_status, crun, erun;
            bool updated = false;
            const Outcome out = run_txn(s_, rec_, "status_review", [&](pqxx::work& w) {
                set_agent(w, a.id, a.run);
                const auto r = w.exec_params(
                    "WITH old AS (SELECT status FROM paperclip.issues WHERE id = $1::uuid FOR UPDATE) "
                    "UPDATE paperclip.issues i SET status = 'in_review' FROM old WHERE i.id = $1::uuid "
                    "RETURNING old.status, i.checkout_run_id, i.execution_run_id",
                    issue);
                if (r.size() == 1) updated = true, old_status = field(r[0][0]), crun = field(r[0][1]), erun = field(r[0][2]);
            });
            if (out == Outcome::Committed) {
                rec_.ack("status_review", {issue, a.id});
                if (!updated) violation("op_results_consistent", "status update of " + issue + " changed no row");
                if (old_status == "in_progress" && (!crun.empty() || !erun.empty()))
                    violation("op_results_consistent",
                              "issue " + issue + " left in_progress keeping locks " + crun + "/" + erun);
                model([&](World& w) { w.agents[a.idx].held.erase(issue); });
            }
            return;
        }
        const std::string issue = pick_issue();
        std::string old_assignee, crun, erun;
        bool updated = false;
        const Outcome out = run_txn(s_, rec_, "status_reopen", [&](pqxx::work& w) {
            w.exec_params("SELECT paperclip.set_actor_board($1)", std::string(kBoardAdmin));
            const auto r = w.exec_params(
                "WITH old AS (SELECT assignee_agent_id FROM paperclip.issues WHERE id = $1::uuid FOR UPDATE) "
                "UPDATE paperclip.issues i SET status = 'todo', assignee_agent_id = NULL FROM old "
                "WHERE i.id = $1::uuid AND i.status = 'in_review' "
                "RETURNING old.assignee_agent_id, i.checkout_run_id, i.execution_run_id",
                issue);
            if (r.size() == 1) updated = true, old_assignee = field(r[0][0]), crun = field(r[0][1]), erun = field(r[0][2]);
        });
        if (out == Outcome::Committed && updated) {
            rec_.ack("status_reopen", {issue});
            if (!old_assignee.empty() && (!crun.empty() || !erun.empty()))
                violation("op_results_consistent",
                          "issue " + issue + " changed assignee keeping locks " + crun + "/" + erun);
        }
    }

    // The agent's run turns terminal (as the agent, on its own run); then the
    // agent gets a new run -- created by an operator or by the agent itself.
    void run_cycle() {
        const Pick a = pick_agent(true);
        if (a.idx < 0) return;
        static const std::vector<std::string> statuses = {"failed", "failed", "failed", "failed", "failed",
                                                          "failed", "cancelled", "timed_out", "succeeded"};
        const int gen = world_.lost_generation.load();
        const bool lost = coin(0.25);
        // Half the lost runs also lose the agent's memory of its issues (the
        // harness crashed): no later run of the agent comes back to adopt them,
        // so only the sweep (or a force-release) frees them once lost-N is terminal.
        const bool forget = lost && coin(0.5);
        const std::string status = lost ? "lost-" + std::to_string(gen) : any(statuses);
        bool one_row = false;
        const Outcome out = run_txn(s_, rec_, "run_fail", [&](pqxx::work& w) {
            set_agent(w, a.id, a.run);
            one_row = w.exec_params("UPDATE paperclip.heartbeat_runs SET status = $2, finished_at = clock_timestamp(), "
                                    "updated_at = clock_timestamp() WHERE id = $1::uuid RETURNING id",
                                    a.run, status)
                          .size() == 1;
        });
        if (out == Outcome::Committed) {
            rec_.ack("run_fail", {a.run, a.id, status});
            if (!one_row) violation("op_results_consistent", "run " + a.run + " to " + status + " changed no row");
            model([&](World& w) {
                Agent& ag = w.agents[a.idx];
                if (ag.run == a.run) ag.needs_run = true;
                if (lost) ag.lost_runs.emplace_back(gen, a.run);
                else ag.dead_runs.push_back(a.run);
                if (forget) ag.held.clear();
            });
            create_run(a.idx);
        } else if (out == Outcome::Doubt) {
            rec_.ack("run_fail", {a.run, a.id, status}, true);
        }
        model([&](World& w) { w.agents[a.idx].busy = false; });
    }

    // Caller holds the agent's busy flag.
    void create_run(int idx) {
        std::string id, old_run, pending;
        model([&](World& w) {
            id = w.agents[idx].id, old_run = w.agents[idx].run, pending = w.agents[idx].pending_run;
        });
        if (!pending.empty()) {  // an insert in doubt: did it commit?
            bool exists = false;
            const Outcome out = run_txn(s_, rec_, "run_resolve", [&](pqxx::work& w) {
                exists = !w.exec_params("SELECT 1 FROM paperclip.heartbeat_runs WHERE id = $1::uuid", pending).empty();
            });
            if (out != Outcome::Committed) return;
            if (exists) {
                rec_.ack("run_create", {pending, id, "resolved"});
                model([&](World& w) {
                    Agent& ag = w.agents[idx];
                    ag.run = pending, ag.needs_run = false, ag.pending_run.clear();
                });
                return;
            }
            model([&](World& w) { w.agents[idx].pending_run.clear(); });
        }
        const std::string run = uuid4(rng_);
        const int how = std::uniform_int_distribution<int>(0, 2)(rng_);
        static const char* hows[] = {"operator", "agent_without_run", "agent_with_old_run"};
        const Outcome out = run_txn(s_, rec_, "run_create", [&](pqxx::work& w) {
            if (how == 0) w.exec("SET LOCAL ROLE stress_op");
            else set_agent(w, id, how == 1 ? std::string() : old_run);
            w.exec_params("INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status, invocation_source, "
                          "started_at) VALUES ($1::uuid, $2::uuid, $3::uuid, 'running', 'stress', clock_timestamp())",
                          run, world_.company, id);
        });
        if (out == Outcome::Committed) {
            rec_.ack("run_create", {run, id, hows[how]});
            model([&](World& w) {
                Agent& ag = w.agents[idx];
                ag.run = run, ag.needs_run = false;
            });
        } else if (out == Outcome::Doubt) {
            rec_.ack("run_create", {run, id, hows[how]}, true);
            model([&](World& w) { w.agents[idx].pending_run = run; });
        }
    }

    void force_release() {
        const std::string issue = pick_issue();
        const double r = std::uniform_real_distribution<double>(0, 1)(rng_);
        const std::string who = r < 0.80 ? kBoardAdmin : r < 0.92 ? "stress_op" : r < 0.96 ? kBoardViewer : kBoardOutsider;
        const bool allowed = who == kBoardAdmin || who == "stress_op";
        const bool clear = coin(0.3);
        const std::string reason = token("force");
        std::string st, assignee, crun, erun, prevc, preve;
        bool locked_at_null = false;
        const Outcome out = run_txn(s_, rec_, "force_release", [&](pqxx::work& w) {
            if (who == "stress_op") w.exec("SET LOCAL ROLE stress_op");
            else w.exec_params("SELECT paperclip.set_actor_board($1)", who);
            const pqxx::row x = w.exec_params1(
                "SELECT status, assignee_agent_id, checkout_run_id, execution_run_id, execution_locked_at IS NULL, "
                "previous_checkout_run_id, previous_execution_run_id "
                "FROM paperclip.admin_force_release($1::uuid, $2::boolean, $3)",
                issue, clear, reason);
            st = field(x[0]), assignee = field(x[1]), crun = field(x[2]), erun = field(x[3]);
            locked_at_null = x[4].as<bool>(), prevc = field(x[5]), preve = field(x[6]);
        });
        if (out == Outcome::Committed) {
            rec_.ack("force_release", {issue, who, prevc, preve, clear ? "true" : "false", reason});
            if (!allowed) violation("op_results_consistent", "force-release by " + who + " committed");
            if (!crun.empty() || !erun.empty() || !locked_at_null || (clear && !assignee.empty()))
                violation("op_results_consistent", "force-release of " + issue + " left checkout " + crun +
                                                       " execution " + erun + " assignee " + assignee);
            if (clear)
                model([&](World& w) {
                    for (auto& ag : w.agents) ag.held.erase(issue);
                });
        } else if (out == Outcome::Doubt) {
            rec_.ack("force_release", {issue, who, "", "", clear ? "true" : "false", reason}, true);
        }
    }

    // The agent deletes one of its own terminal runs.
    void run_delete() {
        const Pick a = pick_agent();
        if (a.idx < 0) return;
        std::string victim;
        model([&](World& w) {
            auto& lost = w.agents[a.idx].lost_runs;
            auto& dead = w.agents[a.idx].dead_runs;
            const int registered = w.lost_generation.load() - 1;
            for (auto it = lost.begin(); it != lost.end();)
                if (it->first <= registered) dead.push_back(it->second), it = lost.erase(it);
                else ++it;
            if (dead.empty()) return;
            const std::size_t i = std::uniform_int_distribution<std::size_t>(0, dead.size() - 1)(rng_);
            victim = dead[i];
            dead.erase(dead.begin() + static_cast<long>(i));
        });
        if (victim.empty()) {
            rec_.count("run_delete", &OpCount::skipped);
            return;
        }
        std::string status;
        std::size_t rows = 0;
        long holding = 0;
        const Outcome out = run_txn(s_, rec_, "run_delete", [&](pqxx::work& w) {
            set_agent(w, a.id, a.run);
            // Does the run still name an issue (a stale lock not yet cleared)? Then the
            // delete's ON DELETE SET NULL cascade writes issue rows.
            holding = w.exec_params1("SELECT count(*) FROM paperclip.issues WHERE checkout_run_id = $1::uuid "
                                     "OR execution_run_id = $1::uuid",
                                     victim)[0]
                          .as<long>();
            const auto r = w.exec_params("DELETE FROM paperclip.heartbeat_runs WHERE id = $1::uuid RETURNING status", victim);
            rows = r.size();
            if (rows) status = field(r[0][0]);
        });
        if (out == Outcome::Committed) {
            rec_.ack("run_delete", {victim, a.id});
            if (holding > 0) rec_.count("run_delete(still holding a lock)", &OpCount::committed);
            if (rows != 1) violation("op_results_consistent", "deleting run " + victim + " removed " + std::to_string(rows));
        } else if (out == Outcome::Doubt) {
            rec_.ack("run_delete", {victim, a.id}, true);
        } else {
            model([&](World& w) { w.agents[a.idx].dead_runs.push_back(victim); });
        }
    }

    // A scheduler starting the agent's run on an issue.
    void acquire() {
        const Pick a = pick_agent();
        if (a.idx < 0) return;
        std::string issue = coin(0.5) ? pick_held(a) : std::string();
        if (issue.empty()) issue = pick_issue();
        bool got = false;
        const Outcome out = run_txn(s_, rec_, "acquire_execution", [&](pqxx::work& w) {
            set_agent(w, a.id, a.run);
            got = w.exec_params1("SELECT paperclip.acquire_execution_lock($1::uuid, $2::uuid)", issue, a.run)[0].as<bool>();
        });
        if (out == Outcome::Committed) {
            rec_.ack("acquire_execution", {issue, a.id, a.run, got ? "true" : "false"});
            rec_.count(got ? "acquire_execution(true)" : "acquire_execution(false)", &OpCount::committed);
        }
    }

    int n_;
    const Options& o_;
    World& world_;
    Recorder& rec_;
    const std::atomic<bool>& stop_;
    std::mt19937_64 rng_;
    Session s_;
    std::vector<std::pair<std::string, int>> menu_;
    int total_ = 0;
};

// The operator's sweeper: a pass calls sweep_stale_locks until it returns 0.
void sweeper(const Options& o, World& world, Recorder& rec, const std::atomic<bool>& stop) {
    Session s(o, "stress_op", "stress-sweeper", rec, stop);
    auto last_vocab = Clock::now();
    // The operator registers lost-<generation> as a terminal run status: every
    // lock of a run in that status is stale at once, and no trigger fires. Odd
    // generations are registered just before a sweep pass (the sweep races the
    // clients for those locks), even ones just after (so the locks stay stale
    // for up to a sweep interval: adoption, lazy clearing and run deletion,
    // whose ON DELETE SET NULL cascade writes issue rows, meet them).
    auto register_status = [&](bool before_pass) {
        const int gen = world.lost_generation.load();
        if ((gen % 2 == 1) != before_pass) return;
        if (std::chrono::duration<double>(Clock::now() - last_vocab).count() < o.vocab_interval) return;
        const std::string status = "lost-" + std::to_string(gen);
        long made_stale = 0;
        const Outcome out = run_txn(s, rec, "terminal_status_add", [&](pqxx::work& w) {
            made_stale = w.exec_params1("SELECT count(*) FROM paperclip.issues i JOIN paperclip.heartbeat_runs r "
                                        "ON r.id IN (i.checkout_run_id, i.execution_run_id) WHERE r.status = $1",
                                        status)[0]
                             .as<long>();
            w.exec_params("INSERT INTO paperclip.terminal_run_statuses (status, note) VALUES ($1, "
                          "'stress: runs lost by the harness') ON CONFLICT (status) DO NOTHING",
                          status);
        });
        if (out == Outcome::Committed) {
            rec.ack("terminal_status_add", {status, std::to_string(made_stale)});
            for (long i = 0; i < made_stale; ++i)
                rec.count("terminal_status_add(locks made stale)", &OpCount::committed);
            ++world.lost_generation;
            last_vocab = Clock::now();
        }
    };
    while (!stop.load()) {
        register_status(true);
        double start = 0, end = 0;
        long total = 0;
        bool drained = false;
        if (run_txn(s, rec, "sweep_clock", [&](pqxx::work& w) {
                start = w.exec1("SELECT extract(epoch FROM clock_timestamp())::float8")[0].as<double>();
            }) == Outcome::Committed) {
            for (int i = 0; i < 1000 && !stop.load(); ++i) {
                long n = -1;
                if (run_txn(s, rec, "sweep", [&](pqxx::work& w) {
                        n = w.exec_params1("SELECT paperclip.sweep_stale_locks($1)", o.sweep_batch)[0].as<long>();
                    }) != Outcome::Committed)
                    break;
                total += n;
                if (n > 0) rec.ack("sweep", {std::to_string(n)});
                if (n == 0) {
                    drained = true;
                    break;
                }
            }
            if (drained && run_txn(s, rec, "sweep_clock", [&](pqxx::work& w) {
                               end = w.exec1("SELECT extract(epoch FROM clock_timestamp())::float8")[0].as<double>();
                           }) == Outcome::Committed) {
                std::lock_guard<std::mutex> g(rec.mu);
                rec.passes.emplace_back(start, end);
            }
        }
        register_status(false);
        for (double t = 0; t < o.sweep_interval && !stop.load(); t += 0.1) sleep_for(0.1);
    }
}

struct LiveStat {
    long rounds = 0, violations = 0;
    std::string sample;
};

// The checker thread: every few seconds, the invariants in one REPEATABLE READ snapshot.
void live_checker(const Options& o, Recorder& rec, const std::atomic<bool>& stop, std::map<std::string, LiveStat>& out,
                  long& rounds, long& skipped, double& max_stale_age) {
    Session s(o, "stress_reader", "stress-checker", rec, stop);
    const Checker chk{o, o.sweep_interval, o.stale_slack, o.stale_passes};
    std::size_t seen = 0;
    std::vector<Ack> checkouts, forces;
    for (;;) {
        for (double t = 0; t < o.check_interval && !stop.load(); t += 0.1) sleep_for(0.1);
        if (stop.load()) return;
        // Acks recorded before the snapshot: every one of them must be visible in it.
        rec.acks_since(&seen, "checkout", checkouts, "force_release", forces);
        const auto passes = rec.sweep_passes();
        pqxx::connection* c = s.get();
        if (!c) return;
        try {
            pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> t{*c};
            std::vector<Finding> fs;
            fs.push_back(chk.single_holder(t));
            fs.push_back(chk.lock_agent_is_assignee(t));
            fs.push_back(chk.execution_columns(t));
            fs.push_back(chk.overdue_stale(t, passes, &max_stale_age));
            fs.push_back(chk.overdue_expired(t, passes, &max_stale_age));
            fs.push_back(chk.audit_checkouts(t, checkouts, false));
            fs.push_back(chk.audit_force(t, forces, false));
            t.commit();
            ++rounds;
            for (const auto& f : fs) {
                LiveStat& ls = out[f.name];
                ++ls.rounds;
                ls.violations += static_cast<long>(f.violations.size());
                if (!f.violations.empty() && ls.sample.empty()) ls.sample = clean(f.violations.front());
                for (const auto& v : f.violations) std::cerr << "LIVE VIOLATION " << f.name << ": " << v << "\n";
            }
        } catch (const pqxx::broken_connection& e) {
            ++skipped;
            rec.error("live_check", "broken_connection", e.what());
            s.reset();
        } catch (const pqxx::sql_error& e) {
            ++skipped;
            rec.error("live_check", e.sqlstate().empty() ? "sql_error" : e.sqlstate(), e.what());
            if (is_conn_state(e.sqlstate())) s.reset();
        } catch (const std::exception& e) {
            ++skipped;
            rec.error("live_check", "exception", e.what());
            s.reset();
        }
    }
}

std::string postmaster_start(const Options& o, double wait_s) {
    const auto t0 = Clock::now();
    for (;;) {
        try {
            pqxx::connection c{"dbname=" + o.db};
            pqxx::nontransaction nt{c};
            return nt.exec1("SELECT pg_postmaster_start_time()::text")[0].c_str();
        } catch (const std::exception&) {
            if (std::chrono::duration<double>(Clock::now() - t0).count() > wait_s) return "unreachable";
            sleep_for(0.5);
        }
    }
}

int do_run(const Options& o) {
    World world;
    {
        pqxx::connection c{"dbname=" + o.db};
        pqxx::work w{c};
        world.company = w.exec1("SELECT id FROM paperclip.companies WHERE issue_prefix = 'STR'")[0].c_str();
        for (const auto& r : w.exec("SELECT id, title FROM paperclip.issues ORDER BY title"))
            (std::string(r[1].c_str()).rfind("hot-", 0) == 0 ? world.hot : world.cold).push_back(r[0].c_str());
        for (const auto& r : w.exec("SELECT a.id, (SELECT r.id FROM paperclip.heartbeat_runs r WHERE r.agent_id = a.id "
                                    "AND NOT paperclip.run_status_is_terminal(r.status) ORDER BY r.created_at DESC "
                                    "LIMIT 1) FROM paperclip.agents a ORDER BY a.name")) {
            Agent a;
            a.id = r[0].c_str();
            a.run = field(r[1]);
            a.needs_run = a.run.empty();
            world.agents.push_back(a);
        }
    }
    if (world.hot.empty() || world.agents.empty()) {
        std::cerr << "stress run: no dataset (run `stress setup` first)\n";
        return 2;
    }
    const std::string pm_before = postmaster_start(o, 10);
    std::atomic<bool> stop{false};
    Recorder rec;
    std::map<std::string, LiveStat> live;
    long live_rounds = 0, live_skipped = 0;
    double max_stale_age = 0;

    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < o.clients; ++i) clients.push_back(std::make_unique<Client>(i, o, world, rec, stop));
    std::vector<std::thread> threads;
    for (auto& c : clients) threads.emplace_back([&c] { c->run(); });
    threads.emplace_back([&] { sweeper(o, world, rec, stop); });
    std::thread checker([&] { live_checker(o, rec, stop, live, live_rounds, live_skipped, max_stale_age); });

    std::cerr << "stress run: " << o.clients << " clients, " << world.agents.size() << " agents, " << world.hot.size()
              << " hot issues, " << o.duration << " s, seed " << o.seed << (o.expect_crash ? ", expecting a crash" : "")
              << "\n";
    const auto t0 = Clock::now();
    double next_report = 10;
    while (std::chrono::duration<double>(Clock::now() - t0).count() < o.duration) {
        sleep_for(0.2);
        const double el = std::chrono::duration<double>(Clock::now() - t0).count();
        if (el >= next_report) {
            long ok = 0, failed = 0;
            {
                std::lock_guard<std::mutex> g(rec.mu);
                for (const auto& [k, c] : rec.ops) ok += c.committed, failed += c.failed;
            }
            std::cerr << "  t=" << static_cast<int>(el) << "s committed " << ok << " failed " << failed << "\n";
            next_report += 10;
        }
    }
    stop.store(true);
    for (auto& t : threads) t.join();
    checker.join();
    const std::string pm_after = postmaster_start(o, o.reconnect_grace);

    // The ledger.
    std::ofstream out(o.ledger);
    out << "meta\tclients\t" << o.clients << "\nmeta\tduration\t" << o.duration << "\nmeta\tseed\t" << o.seed
        << "\nmeta\texpect_crash\t" << (o.expect_crash ? 1 : 0) << "\nmeta\tsweep_interval\t" << o.sweep_interval
        << "\nmeta\tstale_slack\t" << o.stale_slack << "\nmeta\tstale_passes\t" << o.stale_passes
        << "\nmeta\tpostmaster_before\t" << pm_before << "\nmeta\tpostmaster_after\t" << pm_after
        << "\nmeta\tconn_errors\t" << rec.conn_errors << "\nmeta\tconnect_retries\t" << rec.connect_retries
        << "\nmeta\tlast_conn_error\t" << rec.last_conn_error << "\nmeta\tlive_rounds\t" << live_rounds
        << "\nmeta\tlive_skipped\t" << live_skipped << "\nmeta\tmax_stale_age\t" << max_stale_age << "\n";
    long after_restart = 0;
    for (const auto& a : rec.acks) {
        out << (a.doubt ? "doubt" : "ack") << '\t' << a.kind << '\t' << a.t;
        for (const auto& f : a.f) out << '\t' << f;
        out << '\n';
        if (!a.doubt && rec.last_conn_error >= 0 && a.t > rec.last_conn_error) ++after_restart;
    }
    out << "meta\tacks_after_last_conn_error\t" << after_restart << "\n";
    for (const auto& [k, c] : rec.ops)
        out << "op\t" << k << '\t' << c.attempted << '\t' << c.committed << '\t' << c.failed << '\t' << c.doubt << '\t'
            << c.skipped << '\t' << static_cast<long>(c.max_ms) << '\n';
    for (const auto& [k, n] : rec.errors)
        out << "err\t" << std::get<0>(k) << '\t' << std::get<1>(k) << '\t' << n << '\t' << rec.samples[k] << '\n';
    for (const auto& [m, n] : rec.messages) out << "msg\t" << n << '\t' << clean(m) << '\n';
    for (const auto& p : rec.passes) out << "pass\t" << std::fixed << p.first << '\t' << p.second << '\n';
    for (const auto& [k, l] : live) out << "live\t" << k << '\t' << l.rounds << '\t' << l.violations << '\t' << l.sample << '\n';
    for (const auto& v : rec.violations) out << "viol\t" << v.first << '\t' << v.second << '\n';
    out.close();
    std::cerr << "stress run: ledger " << o.ledger << " (" << rec.acks.size() << " acknowledged or in-doubt commits, "
              << live_rounds << " live checks)\n";
    return 0;
}

// ---------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------
struct LedgerData {
    std::map<std::string, std::string> meta;
    std::vector<Ack> acks;
    std::vector<std::vector<std::string>> ops, errs, msgs, lives, viols;
    std::vector<std::pair<double, double>> passes;
};

LedgerData load(const std::string& path) {
    LedgerData d;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read ledger " + path);
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::size_t p = 0;
        for (;;) {
            const auto q = line.find('\t', p);
            f.push_back(line.substr(p, q == std::string::npos ? std::string::npos : q - p));
            if (q == std::string::npos) break;
            p = q + 1;
        }
        const std::string& t = f[0];
        if (t == "meta" && f.size() >= 3) d.meta[f[1]] = f[2];
        else if ((t == "ack" || t == "doubt") && f.size() >= 3)
            d.acks.push_back(Ack{std::stod(f[2]), t == "doubt", f[1], std::vector<std::string>(f.begin() + 3, f.end())});
        else if (t == "op") d.ops.push_back(f);
        else if (t == "err") d.errs.push_back(f);
        else if (t == "msg") d.msgs.push_back(f);
        else if (t == "pass") d.passes.emplace_back(std::stod(f[1]), std::stod(f[2]));
        else if (t == "live") d.lives.push_back(f);
        else if (t == "viol") d.viols.push_back(f);
    }
    return d;
}

int do_check(const Options& o_in) {
    const LedgerData d = load(o_in.ledger);
    Options o = o_in;
    auto meta_d = [&](const char* k, double dflt) { return d.meta.count(k) ? std::stod(d.meta.at(k)) : dflt; };
    o.expect_crash = meta_d("expect_crash", 0) != 0;
    o.sweep_interval = meta_d("sweep_interval", o.sweep_interval);
    o.stale_slack = meta_d("stale_slack", o.stale_slack);
    o.stale_passes = static_cast<int>(meta_d("stale_passes", o.stale_passes));
    const Checker chk{o, o.sweep_interval, o.stale_slack, o.stale_passes};

    auto acks_of = [&](const std::string& kind) {
        std::vector<Ack> v;
        for (const auto& a : d.acks)
            if (a.kind == kind) v.push_back(a);
        return v;
    };

    // Operations per kind.
    std::printf("\n== operations per kind\n  %-34s %9s %9s %9s %8s %8s %8s\n", "kind", "attempted", "committed",
                "failed", "in doubt", "skipped", "max ms");
    for (const auto& f : d.ops)
        std::printf("  %-34s %9s %9s %9s %8s %8s %8s\n", f[1].c_str(), f[2].c_str(), f[3].c_str(), f[4].c_str(),
                    f[5].c_str(), f[6].c_str(), f.size() > 7 ? f[7].c_str() : "");
    long sweep_cleared = 0;
    for (const auto& a : acks_of("sweep")) sweep_cleared += std::stol(a.f[0]);
    std::printf("  sweep_stale_locks cleared %ld issues in %zu complete passes\n", sweep_cleared, d.passes.size());

    // Errors by SQLSTATE.
    std::map<std::string, long> by_state;
    for (const auto& f : d.errs) by_state[f[2]] += std::stol(f[3]);
    std::printf("\n== errors by SQLSTATE\n");
    for (const auto& [s, n] : by_state) std::printf("  %-18s %8ld\n", s.c_str(), n);
    std::printf("\n== errors by operation and SQLSTATE (first message)\n");
    for (const auto& f : d.errs)
        std::printf("  %-22s %-18s %7s  %s\n", f[1].c_str(), f[2].c_str(), f[3].c_str(), f[4].substr(0, 90).c_str());
    std::printf("\n== messages\n");
    for (const auto& f : d.msgs) std::printf("  %7s  %s\n", f[1].c_str(), f[2].substr(0, 110).c_str());

    std::map<std::string, std::vector<std::string>> results;  // invariant -> violations
    std::vector<std::string> order;
    auto add = [&](const std::string& name, const std::vector<std::string>& v) {
        if (!results.count(name)) order.push_back(name);
        auto& r = results[name];
        r.insert(r.end(), v.begin(), v.end());
    };
    // What the live checker saw.
    for (const auto& f : d.lives) {
        std::vector<std::string> v;
        if (std::stol(f[3]) > 0) v.push_back("live checker: " + f[3] + " violations in " + f[2] + " rounds, e.g. " + f[4]);
        add(f[1], v);
    }

    // The final state.
    pqxx::connection* conn = nullptr;
    std::unique_ptr<pqxx::connection> holder;
    for (int i = 0; i < 240 && !conn; ++i) {
        try {
            holder = std::make_unique<pqxx::connection>(conninfo(o, "stress_reader", "stress-check"));
            conn = holder.get();
        } catch (const std::exception&) {
            sleep_for(0.5);
        }
    }
    if (!conn) {
        std::printf("FAIL  server_reachable: cannot connect\nRESULT passed=0 failed=1\n");
        return 1;
    }
    double max_age = 0;
    {
        pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> t{*conn};
        for (const auto& f : {chk.single_holder(t), chk.lock_agent_is_assignee(t), chk.execution_columns(t),
                              chk.overdue_stale(t, d.passes, &max_age), chk.overdue_expired(t, d.passes, &max_age),
                              chk.leases_kept(t, d.acks), chk.audit_checkouts(t, acks_of("checkout"), true),
                              chk.audit_releases(t, acks_of("release"), true),
                              chk.audit_force(t, acks_of("force_release"), true),
                              chk.audit_adoption(t, acks_of("adopt_assert")), chk.lost_commits(t, d.acks)})
            add(f.name, f.violations);
        std::printf("\n== audit log (action, source)\n");
        for (const auto& r : t.exec("SELECT action, coalesce(details->>'source', ''), count(*) FROM paperclip.activity_log "
                                    "GROUP BY 1, 2 ORDER BY 1, 2"))
            std::printf("  %-32s %-24s %8s\n", r[0].c_str(), r[1].c_str(), r[2].c_str());
        long adopted = 0;
        for (const auto& a : acks_of("adopt_assert"))
            if (!a.doubt && !a.f[3].empty()) ++adopted;
        std::printf("  (assert_checkout_owner reported %ld adoptions of a stale run's lock)\n", adopted);
        // The sweeper's own record: at least one stale_lock_cleared row (source sweep) per issue it cleared.
        const long rows = t.exec("SELECT count(DISTINCT id) FROM paperclip.activity_log WHERE action = "
                                 "'issue.stale_lock_cleared' AND details->>'source' = 'sweep' AND actor_id = 'stress_op'")[0][0]
                              .as<long>();
        add("audit_sweep", rows >= sweep_cleared ? std::vector<std::string>{}
                                                 : std::vector<std::string>{std::to_string(rows) + " sweep audit rows for " +
                                                                            std::to_string(sweep_cleared) + " cleared issues"});
        t.commit();
    }
    // Finally, with nothing running: one sweep drains every sweepable stale lock.
    {
        pqxx::connection op{conninfo(o, "stress_op", "stress-check-sweep")};
        long drained = 0;
        for (;;) {
            pqxx::work w{op};
            const long n = w.exec1("SELECT paperclip.sweep_stale_locks(1000)")[0].as<long>();
            w.commit();
            drained += n;
            if (n == 0) break;
        }
        pqxx::work w{op};
        const long left = w.exec1("SELECT count(*) FROM paperclip.issue_locks l WHERE l.stale AND "
                                  "paperclip.lock_is_sweepable(l.checkout_run_id, l.checkout_run_status, "
                                  "l.execution_run_id, l.execution_run_status)")[0]
                              .as<long>();
        const long unsweepable = w.exec1("SELECT count(*) FROM paperclip.issue_locks WHERE stale")[0].as<long>();
        std::printf("\n== final sweep cleared %ld issues; %ld stale locks left (%ld held by a live execution run)\n",
                    drained, left, unsweepable);
        add("sweep_drains_stale_locks", left == 0 ? std::vector<std::string>{}
                                                  : std::vector<std::string>{std::to_string(left) + " stale locks left"});
        // No lock the sweep would clear is left held by a run whose lease expired.
        const long expired_left = w.exec1(
            "SELECT count(*) FROM paperclip.issue_locks l "
            "JOIN paperclip.heartbeat_runs r ON r.id IN (l.checkout_run_id, l.execution_run_id) "
            "JOIN paperclip.run_leases le ON le.run_id = r.id AND le.expires_at <= now() "
            "WHERE paperclip.lock_is_sweepable(l.checkout_run_id, l.checkout_run_status, "
            "l.checkout_run_lease_expires_at, NULL, NULL, l.execution_run_id, l.execution_run_status, "
            "l.execution_run_lease_expires_at, NULL, NULL)")[0]
                                      .as<long>();
        const long lease_cleared = w.exec1("SELECT count(*) FROM paperclip.activity_log WHERE action = "
                                           "'issue.stale_lock_cleared' AND details->>'reason' = 'run_lease_expired'")[0]
                                       .as<long>();
        std::printf("== %ld locks cleared because a lease expired (audit rows); %ld left held by an expired run\n",
                    lease_cleared, expired_left);
        add("sweep_drains_expired_lease_locks",
            expired_left == 0 ? std::vector<std::string>{}
                              : std::vector<std::string>{std::to_string(expired_left) + " locks of expired runs left"});
        if (lease_cleared == 0) add("workload_exercised", {"no lock was ever cleared because its run's lease expired"});
    }

    // Errors: no deadlock, no XX000, nothing unexpected.
    std::vector<std::string> dl, xx, unexpected;
    for (const auto& f : d.errs) {
        const std::string& s = f[2];
        const std::string line = f[1] + " " + s + " x" + f[3] + ": " + f[4];
        if (s == "40P01") dl.push_back(line);
        else if (s == "XX000") xx.push_back(line);
        else if (is_expected_error(f[1], s)) continue;
        else if (o.expect_crash && (is_conn_state(s) || s == "in_doubt" || s == "pqxx_failure")) continue;
        else unexpected.push_back(line);
    }
    add("no_deadlock", dl);
    add("no_internal_error", xx);
    add("no_unexpected_errors", unexpected);

    std::vector<std::string> mism;
    for (const auto& f : d.viols)
        if (f[1] == "op_results_consistent") mism.push_back(f[2]);
    add("op_results_consistent", mism);

    // The workload did what it says: every kind committed at least once, and they collided.
    {
        std::vector<std::string> v;
        std::map<std::string, long> committed, failed;
        for (const auto& f : d.ops) committed[f[1]] = std::stol(f[3]), failed[f[1]] = std::stol(f[4]);
        for (const char* k : {"checkout", "release", "adopt_assert", "adopt_update", "run_fail", "run_create",
                              "force_release", "title_update", "comment", "run_delete", "sweep",
                              "terminal_status_add", "lease_renew", "lease_stop"})
            if (committed[k] == 0) v.push_back(std::string("no committed ") + k);
        if (failed["checkout"] == 0) v.push_back("no checkout ever conflicted: the hot set is not hot");
        long rounds = d.meta.count("live_rounds") ? std::stol(d.meta.at("live_rounds")) : 0;
        if (rounds == 0) v.push_back("the live checker never completed a round");
        add("workload_exercised", v);
    }
    if (o.expect_crash) {
        std::vector<std::string> v;
        if (d.meta.at("postmaster_before") == d.meta.at("postmaster_after"))
            v.push_back("postmaster start time unchanged: no restart happened");
        if (std::stol(d.meta.at("conn_errors")) == 0) v.push_back("no client saw the connection drop");
        if (std::stol(d.meta.at("acks_after_last_conn_error")) == 0) v.push_back("nothing committed after the restart");
        add("crash_and_recovery", v);
    }

    std::printf("\n== invariants\n");
    int passed = 0, failed = 0;
    for (const auto& name : order) {
        const auto& v = results[name];
        if (v.empty()) {
            ++passed;
            std::printf("PASS  %s\n", name.c_str());
        } else {
            ++failed;
            std::printf("FAIL  %s (%zu)\n", name.c_str(), v.size());
            for (std::size_t i = 0; i < v.size() && i < 10; ++i) std::printf("        %s\n", v[i].c_str());
        }
    }
    std::printf("  (live checker: %s rounds, %s skipped; oldest stale lock seen live %.1f s, final %.1f s)\n",
                d.meta.count("live_rounds") ? d.meta.at("live_rounds").c_str() : "0",
                d.meta.count("live_skipped") ? d.meta.at("live_skipped").c_str() : "0",
                meta_d("max_stale_age", 0), max_age);
    if (o.expect_crash)
        std::printf("  (crash: postmaster %s -> %s, %s connection errors, %s connect retries, %s commits after)\n",
                    d.meta.at("postmaster_before").c_str(), d.meta.at("postmaster_after").c_str(),
                    d.meta.at("conn_errors").c_str(), d.meta.at("connect_retries").c_str(),
                    d.meta.at("acks_after_last_conn_error").c_str());
    std::printf("RESULT passed=%d failed=%d\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    const Options o = parse(argc, argv);
    try {
        if (o.mode == "setup") return do_setup(o);
        if (o.mode == "run") return do_run(o);
        return do_check(o);
    } catch (const std::exception& e) {
        std::cerr << "stress " << o.mode << ": " << e.what() << "\n";
        return 3;
    }
}
