#include <cctype>
#include <stdexcept>
#include <string>

#include "pg/attachment.hpp"
#include "pg/bridge.hpp"
#include "pg/tables.hpp"

namespace paperclip::pg {

namespace {
const char* const kAppTables[] = {"companies",      "company_memberships", "agents",
                                  "heartbeat_runs", "issues",              "issue_relations",
                                  "issue_comments", "activity_log"};
const char* const kExtensionTables[] = {"terminal_run_statuses", "run_leases"};

bool is_identifier(const std::string& s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (!(std::islower(c) || std::isdigit(c) || c == '_' || c == '.')) return false;
    return s.front() != '.' && s.back() != '.';
}

// {issue_row}: the issue as checkout() and release() return it -- the whole
// row of paperclip.issues, or on attached tables the columns of the type
// paperclip.issues (SPEC §8), from the row aliased i.
std::string issue_row() {
    if (attachment().standalone) return "i";
    return "ROW(i.id, i.company_id, i.status, i.assignee_agent_id, i.assignee_user_id, i.checkout_run_id, "
           "i.execution_run_id, i.execution_agent_name_key, i.execution_locked_at, i.started_at, "
           "i.updated_at)::paperclip.issues";
}

// {alias.run_lease_expiry}: the run row `alias`'s lease column -- the
// timestamptz column attach(run_lease_column => ...) named (SPEC §9) -- or a
// NULL timestamptz when none is named (and in paperclip_locks).
constexpr const char* kRunLeaseExpiry = ".run_lease_expiry";
std::string run_lease_expiry(const std::string& alias) {
    const auto& column = attachment().run_lease_column;
    if (!column) return "NULL::pg_catalog.timestamptz";
    return alias + "." + pg_call([&] { return std::string(quote_identifier(column->c_str())); });
}

std::string qualified(const std::string& table) {
    if (table == "issue_row") return issue_row();
    const std::size_t dot = table.find('.');
    if (dot != std::string::npos && table.substr(dot) == kRunLeaseExpiry) return run_lease_expiry(table.substr(0, dot));
    for (const char* t : kAppTables)
        if (table == t) return pg_call([] { return std::string(quote_identifier(app_schema().c_str())); }) + "." + table;
    for (const char* t : kExtensionTables)
        if (table == t) return std::string(kExtensionSchema) + "." + table;
    throw std::logic_error("statement names an unknown table {" + table + "}");
}
}  // namespace

const std::string& app_schema() { return require_attachment().schema; }

std::string resolve_tables(const std::string& sql) {
    std::string out;
    out.reserve(sql.size() + 64);
    std::size_t i = 0;
    while (i < sql.size()) {
        const std::size_t open = sql.find('{', i);
        if (open == std::string::npos) break;
        const std::size_t close = sql.find('}', open);
        if (close == std::string::npos) break;
        const std::string name = sql.substr(open + 1, close - open - 1);
        out.append(sql, i, open - i);
        // Only {identifier} is a placeholder: '{...}' array or JSON literals pass through.
        if (is_identifier(name)) out += qualified(name);
        else out.append(sql, open, close - open + 1);
        i = close + 1;
    }
    out.append(sql, i, std::string::npos);
    return out;
}

}  // namespace paperclip::pg
