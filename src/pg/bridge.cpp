#include <cstring>
#include <new>
#include <string>

#include "core/errors.hpp"
#include "pg/bridge.hpp"

namespace paperclip::pg {

namespace {

// The most of a message, detail or hint the bridge passes on. Inputs are cut
// at 256 characters where they are echoed (core::echo_input); this bound is
// the last line of defence, so that no error is ever larger than this.
constexpr size_t kMaxErrorText = 8192;

// Copies a string for use after the catch block without ever raising: a
// longjmp out of a C++ catch handler would leave the handler unfinished (and
// the exception object, with everything it owns, leaked). The size is
// bounded, so the allocation is never refused as too large, and
// MCXT_ALLOC_NO_OOM turns out-of-memory into nullptr. Nothing here allocates
// with new, either.
const char* copy_nothrow(const char* s, size_t len, const char* fallback) {
    if (len > kMaxErrorText) {
        len = kMaxErrorText;
        // Never cut inside a UTF-8 character: the message is converted to the
        // client's encoding, and an invalid sequence would fail there.
        while (len > 0 && (static_cast<unsigned char>(s[len]) & 0xC0) == 0x80) --len;
    }
    char* out = static_cast<char*>(MemoryContextAllocExtended(CurrentMemoryContext, len + 1, MCXT_ALLOC_NO_OOM));
    if (out == nullptr) return fallback;
    memcpy(out, s, len);
    out[len] = '\0';
    return out;
}
const char* copy_nothrow(const std::string& s, const char* fallback) {
    return copy_nothrow(s.data(), s.size(), fallback);
}
const char* copy_nothrow(const char* s, const char* fallback) {
    return s == nullptr ? fallback : copy_nothrow(s, strnlen(s, kMaxErrorText + 1), fallback);
}

// The SQLSTATE of core's table (core::sqlstate_text), packed for errcode().
int pc_sqlstate(core::ErrorCode code) {
    const char* s = core::sqlstate_text(code);
    return MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
}

}  // namespace

ErrorData* copy_error_data_guarded() {
    sigjmp_buf* saved_exception_stack = PG_exception_stack;
    ErrorContextCallback* saved_context_stack = error_context_stack;
    ErrorData* volatile copy = nullptr;
    sigjmp_buf local;
    if (sigsetjmp(local, 0) == 0) {
        PG_exception_stack = &local;
        copy = CopyErrorData();
    }
    PG_exception_stack = saved_exception_stack;
    error_context_stack = saved_context_stack;
    return copy;
}

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
    } catch (const SqlStateError& e) {
        sqlstate = e.sqlstate();
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
