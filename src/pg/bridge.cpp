#include <new>
#include <string>

#include "core/errors.hpp"
#include "pg/bridge.hpp"

namespace paperclip::pg {

namespace {

// Copies a string for use after the catch block without ever raising: a
// longjmp out of a C++ catch handler would leave the handler unfinished.
const char* copy_nothrow(const std::string& s, const char* fallback) {
    char* out = static_cast<char*>(
        MemoryContextAllocExtended(CurrentMemoryContext, s.size() + 1, MCXT_ALLOC_NO_OOM));
    if (out == nullptr) return fallback;
    memcpy(out, s.c_str(), s.size() + 1);
    return out;
}

// The SQLSTATE of core's table (core::sqlstate_text), packed for errcode().
int pc_sqlstate(core::ErrorCode code) {
    const char* s = core::sqlstate_text(code);
    return MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
}

}  // namespace

Datum invoke(EntryBody body, FunctionCallInfo fcinfo) {
    ErrorData* pg_error = nullptr;
    int sqlstate = 0;
    const char* message = nullptr;
    const char* detail = nullptr;
    const char* hint = nullptr;
    try {
        return body(fcinfo);
    } catch (const PgError& e) {
        pg_error = e.data();
    } catch (const core::PcError& e) {
        sqlstate = pc_sqlstate(e.code());
        message = copy_nothrow(e.what(), "paperclip_locks error");
        if (!e.detail().empty()) detail = copy_nothrow(e.detail(), nullptr);
        if (!e.hint().empty()) hint = copy_nothrow(e.hint(), nullptr);
    } catch (const std::bad_alloc&) {
        sqlstate = ERRCODE_OUT_OF_MEMORY;
        message = "out of memory";
    } catch (const std::exception& e) {
        // Never XX000: an unexpected C++ failure is reported as an external
        // routine exception, with what the C++ code said.
        sqlstate = ERRCODE_EXTERNAL_ROUTINE_EXCEPTION;
        message = copy_nothrow(e.what(), "unexpected C++ exception");
    } catch (...) {
        sqlstate = ERRCODE_EXTERNAL_ROUTINE_EXCEPTION;
        message = "unexpected C++ exception";
    }
    // Raised outside every catch block.
    if (pg_error != nullptr) ReThrowError(pg_error);
    // Our own errors carry no source location: the place in the bridge that
    // raised them says nothing to a user, and the SQLSTATE says everything.
    if (errstart(ERROR, TEXTDOMAIN)) {
        errcode(sqlstate);
        errmsg_internal("%s", message);
        if (detail) errdetail_internal("%s", detail);
        if (hint) errhint("%s", hint);
        errfinish(nullptr, 0, nullptr);
    }
    pg_unreachable();
}

}  // namespace paperclip::pg
