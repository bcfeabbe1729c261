#include <exception>
#include <stdexcept>
#include <string>

#include "core/errors.hpp"
#include "pg/attachment.hpp"
#include "pg/spi.hpp"
#include "pg/tables.hpp"

namespace paperclip::pg {

namespace {
pg_uuid_t* to_pg_uuid(const core::Uuid& v) {
    auto* out = static_cast<pg_uuid_t*>(palloc(sizeof(pg_uuid_t)));
    memcpy(out->data, v.bytes.data(), UUID_LEN);
    return out;
}
core::Uuid from_pg_uuid(const pg_uuid_t* p) {
    core::Uuid u;
    memcpy(u.bytes.data(), p->data, UUID_LEN);
    return u;
}
}  // namespace

Param p_uuid(const core::Uuid& v) {
    return {UUIDOID, pg_call([&] { return UUIDPGetDatum(to_pg_uuid(v)); }), false};
}
Param p_uuid(const core::OptUuid& v) {
    return v ? p_uuid(*v) : Param{UUIDOID, Datum(0), true};
}
Param p_uuids(const std::vector<core::Uuid>& v) {
    Datum array = pg_call([&] {
        Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * (v.size() + 1)));
        for (size_t i = 0; i < v.size(); ++i) elems[i] = UUIDPGetDatum(to_pg_uuid(v[i]));
        return PointerGetDatum(construct_array(elems, static_cast<int>(v.size()), UUIDOID, UUID_LEN,
                                               false, TYPALIGN_CHAR));
    });
    return {UUIDARRAYOID, array, false};
}
Param p_text(const std::string& v) {
    return {TEXTOID, pg_call([&] { return PointerGetDatum(cstring_to_text_with_len(v.data(), v.size())); }), false};
}
Param p_text(const core::OptText& v) { return v ? p_text(*v) : Param{TEXTOID, Datum(0), true}; }
Param p_texts(const std::vector<std::string>& v) {
    Datum array = pg_call([&] {
        Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * (v.size() + 1)));
        for (size_t i = 0; i < v.size(); ++i)
            elems[i] = PointerGetDatum(cstring_to_text_with_len(v[i].data(), v[i].size()));
        return PointerGetDatum(construct_array(elems, static_cast<int>(v.size()), TEXTOID, -1,
                                               false, TYPALIGN_INT));
    });
    return {TEXTARRAYOID, array, false};
}
Param p_timestamptz(const core::OptTimestamp& v) {
    return v ? Param{TIMESTAMPTZOID, TimestampTzGetDatum(*v), false}
             : Param{TIMESTAMPTZOID, Datum(0), true};
}
Param p_int4(int v) { return {INT4OID, Int32GetDatum(v), false}; }
Param p_bool(bool v) { return {BOOLOID, BoolGetDatum(v), false}; }
Param p_bools(const std::vector<bool>& v) {
    Datum array = pg_call([&] {
        Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * (v.size() + 1)));
        for (size_t i = 0; i < v.size(); ++i) elems[i] = BoolGetDatum(v[i]);
        return PointerGetDatum(construct_array(elems, static_cast<int>(v.size()), BOOLOID, 1, true,
                                               TYPALIGN_CHAR));
    });
    return {BOOLARRAYOID, array, false};
}

bool Row::is_null(int col) const {
    bool isnull = false;
    SPI_getbinval(tuple_, desc_, col, &isnull);
    return isnull;
}
Datum Row::datum(int col) const {
    bool isnull = false;
    Datum d = SPI_getbinval(tuple_, desc_, col, &isnull);
    // Every caller of datum() reads a column its statement never yields NULL
    // for; a NULL there (a changed schema, a bug) is an error, not a crash.
    if (isnull)
        throw std::logic_error("paperclip_locks: unexpected NULL in column " + std::to_string(col) +
                               " of an internal query");
    return d;
}
core::Uuid Row::uuid(int col) const { return from_pg_uuid(DatumGetUUIDP(datum(col))); }
core::OptUuid Row::opt_uuid(int col) const {
    if (is_null(col)) return std::nullopt;
    return uuid(col);
}
core::Uuid datum_to_uuid(Datum d) { return from_pg_uuid(DatumGetUUIDP(d)); }

std::string datum_to_string(Datum d) {
    struct Span {
        const char* data;
        size_t len;
    };
    Span s = pg_call([&] {
        text* t = DatumGetTextPP(d);
        return Span{VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
    });
    return std::string(s.data, s.len);
}

std::string Row::text(int col) const { return datum_to_string(datum(col)); }
core::OptText Row::opt_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return text(col);
}
core::OptTimestamp Row::opt_timestamp(int col) const {
    if (is_null(col)) return std::nullopt;
    return DatumGetTimestampTz(datum(col));
}
bool Row::boolean(int col) const { return !is_null(col) && DatumGetBool(datum(col)); }

void SavedPlan::prepare() {
    // Prepared under an older attachment (SPEC §8), the plan names the old
    // schema's tables: PostgreSQL's plan cache would never notice.
    if (plan_ != nullptr) {
        SPIPlanPtr old = plan_;
        plan_ = nullptr;
        pg_call([&] { SPI_freeplan(old); });
    }
    generation_ = attachment_generation();
    const std::string resolved = resolve_tables(sql_);
    const char* sql = resolved.c_str();
    SPIPlanPtr plan = pg_call([&] {
        // A generic plan from the first execution on: the statements are key
        // lookups whose best plan does not depend on the values, so planning
        // once per backend is all they need (no custom plan per call). The
        // few that are not (Planning::per_call) are planned with each call's
        // values.
        SPIPlanPtr p = SPI_prepare_cursor(
            sql, static_cast<int>(types_.size()), types_.data(),
            planning_ == Planning::per_call ? CURSOR_OPT_CUSTOM_PLAN : CURSOR_OPT_GENERIC_PLAN);
        if (p == nullptr)
            elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
        if (SPI_keepplan(p) != 0) elog(ERROR, "SPI_keepplan failed");
        return p;
    });
    plan_ = plan;
}

std::uint64_t SavedPlan::run(std::initializer_list<Param> params, long max_rows) {
    if (plan_ == nullptr || generation_ != attachment_generation()) prepare();
    Datum values[16];
    char nulls[16];
    size_t n = 0;
    for (const auto& p : params) {
        if (n >= 16) throw std::logic_error("too many parameters");
        values[n] = p.value;
        nulls[n] = p.is_null ? 'n' : ' ';
        ++n;
    }
    if (n != types_.size()) throw std::logic_error(std::string("parameter count mismatch for: ") + sql_);
    SPIPlanPtr plan = plan_;
    return pg_call([&] {
        int rc = SPI_execute_plan(plan, values, nulls, false, max_rows);
        if (rc < 0) elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
        return static_cast<std::uint64_t>(SPI_processed);
    });
}

Row SavedPlan::row(std::uint64_t i) const { return Row(SPI_tuptable->vals[i], SPI_tuptable->tupdesc); }

SpiSession::SpiSession() : uncaught_(std::uncaught_exceptions()) {
    pg_call([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
    open_ = true;
}

SpiSession::~SpiSession() {
    // On the error path SPI is cleaned up by (sub)transaction abort. On a
    // normal path that did not call finish() (an early return), the
    // connection is closed here: SPI_finish() reports failure only by its
    // return code (it never ereports), and a failure means there was no
    // connection left to close -- nothing is lost by not reporting it.
    if (open_ && std::uncaught_exceptions() == uncaught_) {
        open_ = false;
        (void)SPI_finish();
    }
}

Datum SpiSession::return_datum(Datum value, bool by_value, int length) {
    return pg_call([&] { return SPI_datumTransfer(value, by_value, length); });
}

void SpiSession::finish() {
    if (!open_) return;
    open_ = false;
    const int rc = SPI_finish();  // never ereports; see ~SpiSession
    if (rc != SPI_OK_FINISH) throw std::logic_error(std::string("SPI_finish failed: ") + SPI_result_code_string(rc));
}

// SPEC §10: the install script (1.1) gives the schema and every object in
// it to paperclip_owner, a NOLOGIN role that is no superuser. A database
// still at 1.0 (this library, its 1.0 objects not yet updated) has them
// owned by the superuser that created it and keeps working as 1.0 did --
// with search_path pinned now -- until ALTER EXTENSION paperclip_locks UPDATE.
Oid extension_owner(bool missing_ok) {
    return pg_call([&] {
        const Oid nsp = get_namespace_oid(kExtensionSchema, missing_ok);
        if (!OidIsValid(nsp)) return InvalidOid;
        HeapTuple tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
        if (!HeapTupleIsValid(tup)) {
            if (missing_ok) return InvalidOid;
            elog(ERROR, "cache lookup failed for namespace %u", nsp);
        }
        const Oid owner = ((Form_pg_namespace)GETSTRUCT(tup))->nspowner;
        ReleaseSysCache(tup);
        return owner;
    });
}

// As contrib/amcheck switches to a table's owner: the role and a GUC nest
// level together, search_path pinned inside it. Without the pin, SQL that
// runs inside the extension's own statements -- an application's trigger,
// default or index expression on these tables -- would resolve unqualified
// names through the caller's search_path, with the owner's rights. The nest
// level makes the pin (and any SET LOCAL that nested code does) end with the
// switch, on the error path too: a C++ unwind runs the destructor, a
// longjmp past it ends in (sub)transaction abort, which pops the level.
AsExtensionOwner::AsExtensionOwner() {
    GetUserIdAndSecContext(&saved_user_, &saved_sec_context_);
    const Oid owner = extension_owner();
    const Oid saved_user = saved_user_;
    const int saved_sec_context = saved_sec_context_;
    nest_level_ = pg_call([&] {
        SetUserIdAndSecContext(owner, saved_sec_context | SECURITY_LOCAL_USERID_CHANGE |
                                          SECURITY_RESTRICTED_OPERATION);
        const int level = NewGUCNestLevel();
        PG_TRY();
        {
            (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
                                    GUC_ACTION_SAVE, true, 0, false);
        }
        PG_CATCH();
        {
            AtEOXact_GUC(false, level);
            SetUserIdAndSecContext(saved_user, saved_sec_context);
            PG_RE_THROW();
        }
        PG_END_TRY();
        return level;
    });
}

AsExtensionOwner::~AsExtensionOwner() {
    AtEOXact_GUC(false, nest_level_);
    SetUserIdAndSecContext(saved_user_, saved_sec_context_);
}

}  // namespace paperclip::pg
