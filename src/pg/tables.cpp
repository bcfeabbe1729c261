#include <cctype>
#include <stdexcept>
#include <string>

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
        if (!(std::islower(c) || std::isdigit(c) || c == '_')) return false;
    return true;
}

std::string qualified(const std::string& table) {
    for (const char* t : kAppTables)
        if (table == t) return app_schema() + "." + table;
    for (const char* t : kExtensionTables)
        if (table == t) return std::string(kExtensionSchema) + "." + table;
    throw std::logic_error("statement names an unknown table {" + table + "}");
}
}  // namespace

const std::string& app_schema() {
    static const std::string schema = kExtensionSchema;
    return schema;
}

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
