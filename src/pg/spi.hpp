// SPI with saved plans. Each statement the extension runs is a SavedPlan:
// parsed and planned once per backend, kept across calls, re-validated by
// PostgreSQL's plan cache after DDL. Every call into SPI goes through pg_call.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "core/lock_state.hpp"
#include "pg/bridge.hpp"

namespace paperclip::pg {

struct Param {
    Oid type;
    Datum value;
    bool is_null;
};

Param p_uuid(const core::Uuid& v);
Param p_uuid(const core::OptUuid& v);
Param p_uuids(const std::vector<core::Uuid>& v);
Param p_text(const std::string& v);
Param p_text(const core::OptText& v);
Param p_texts(const std::vector<std::string>& v);
Param p_timestamptz(const core::OptTimestamp& v);
Param p_int4(int v);
Param p_bool(bool v);
Param p_bools(const std::vector<bool>& v);

core::Uuid datum_to_uuid(Datum d);
std::string datum_to_string(Datum d);

// One row of the last SPI result.
class Row {
public:
    Row(HeapTuple tuple, TupleDesc desc) : tuple_(tuple), desc_(desc) {}
    bool is_null(int col) const;
    Datum datum(int col) const;
    core::Uuid uuid(int col) const;
    core::OptUuid opt_uuid(int col) const;
    std::string text(int col) const;
    core::OptText opt_text(int col) const;
    core::OptTimestamp opt_timestamp(int col) const;
    bool boolean(int col) const;

private:
    HeapTuple tuple_;
    TupleDesc desc_;
};

// The extension's statements name every table, function, operator and type
// with its schema, so a caller's search_path (which the plan cache re-plans
// under) can never change what they mean. These spell the operators.
#define PC_EQ " OPERATOR(pg_catalog.=) "
#define PC_NE " OPERATOR(pg_catalog.<>) "

// How a SavedPlan is planned: once, generic (key lookups, whose best plan
// does not depend on the values), or per call with the call's values (a
// statement whose best plan depends on them and on the data, e.g. the sweep's
// keyset scan: LIMIT and the resume key decide between an ordered primary-key
// scan and the partial lock-column indexes).
enum class Planning { generic, per_call };

class SavedPlan {
public:
    // sql names tables as {placeholders} (pg/tables.hpp) and everything else
    // schema-qualified (see PC_EQ); types are the parameter type oids.
    SavedPlan(const char* sql, std::initializer_list<Oid> types, Planning planning = Planning::generic)
        : sql_(sql), types_(types), planning_(planning) {}
    // Runs the plan; returns the number of rows processed. Rows of the result
    // are valid until the next SPI call.
    std::uint64_t run(std::initializer_list<Param> params, long max_rows = 0);
    Row row(std::uint64_t i) const;

private:
    void prepare();
    const char* sql_;
    std::vector<Oid> types_;
    Planning planning_;
    SPIPlanPtr plan_ = nullptr;
    std::uint64_t generation_ = 0;  // the attachment it was prepared under
};

// Scope guards below own a connection or a role switch: never copied.
struct NonCopyable {
    NonCopyable() = default;
    NonCopyable(const NonCopyable&) = delete;
    NonCopyable& operator=(const NonCopyable&) = delete;
};

// One SPI connection for the span of an entry point. On an error path the
// connection is left for transaction abort to clean up, as SPI expects.
class SpiSession : NonCopyable {
public:
    SpiSession();
    ~SpiSession();
    // Copies a by-reference datum (a row, a composite) out of SPI memory so it
    // survives finish().
    Datum return_datum(Datum value, bool by_value, int length);
    void finish();

private:
    bool open_ = false;
    int uncaught_ = 0;
};

// Runs the extension's own statements as the extension's owner (the NOLOGIN,
// non-superuser role paperclip_owner, which owns the schema and every object
// in it), so callers need EXECUTE on the functions and no table privileges.
// The caller's identity was captured before; SECURITY_RESTRICTED_OPERATION
// keeps nested code from changing roles or creating temporary objects, and
// search_path is pinned to pg_catalog, pg_temp in a GUC nest level of its own
// for the span of the switch (SPEC §10).
class AsExtensionOwner : NonCopyable {
public:
    AsExtensionOwner();
    ~AsExtensionOwner();

private:
    Oid saved_user_;
    int saved_sec_context_;
    int nest_level_;
};

// The owner of schema paperclip (paperclip_owner from 1.1 on): the one owner
// lookup. InvalidOid when missing_ok and the schema is gone (a role check during
// DROP EXTENSION).
Oid extension_owner(bool missing_ok = false);

}  // namespace paperclip::pg
