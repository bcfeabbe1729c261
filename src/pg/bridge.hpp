// The error bridge, both ways, keeping the SQLSTATE.
//
// PostgreSQL -> C++: pg_call() runs a PostgreSQL call under its own sigsetjmp,
// so an ereport(ERROR) becomes a PgError exception and C++ destructors of the
// frames above it run. C++ -> PostgreSQL: every SQL entry point goes through
// invoke(), which catches everything, leaves the catch block, and only then
// raises: a PgError is re-thrown with its original ErrorData (SQLSTATE,
// detail, hint, position intact), a core::PcError becomes PCnnn.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "core/errors.hpp"
#include "pg/postgres.hpp"

namespace paperclip::pg {

class PgError : public std::exception {
public:
    explicit PgError(ErrorData* data) : data_(data) {}
    const char* what() const noexcept override { return data_ && data_->message ? data_->message : "postgres error"; }
    ErrorData* data() const { return data_; }

private:
    ErrorData* data_;
};

// An error of the extension's own that carries a PostgreSQL SQLSTATE (not a
// PCnnn one): a trigger attached where it does not belong (39P01), a schema
// owned by a superuser (55000).
class SqlStateError : public core::ExtensionError {
public:
    SqlStateError(int sqlstate, const std::string& message, std::string detail = {}, std::string hint = {})
        : core::ExtensionError(message, std::move(detail), std::move(hint)), sqlstate_(sqlstate) {}
    int sqlstate() const { return sqlstate_; }

private:
    int sqlstate_;
};

// CopyErrorData() under its own handler: nullptr when copying failed (out of
// memory), never a longjmp past the C++ frames of the caller.
ErrorData* copy_error_data_guarded();

// Runs fn (which may ereport) and turns a PostgreSQL error into PgError.
// fn must not throw C++ exceptions and must keep no non-trivial objects alive
// across the calls it makes: a longjmp does not run destructors.
template <typename Fn>
auto pg_call(Fn&& fn) -> decltype(fn()) {
    using Result = decltype(fn());
    MemoryContext caller_context = CurrentMemoryContext;
    ErrorContextCallback* saved_context_stack = error_context_stack;
    sigjmp_buf* saved_exception_stack = PG_exception_stack;
    sigjmp_buf local;
    if (sigsetjmp(local, 0) == 0) {
        PG_exception_stack = &local;
        if constexpr (std::is_void_v<Result>) {
            fn();
            PG_exception_stack = saved_exception_stack;
            return;
        } else {
            Result result = fn();
            PG_exception_stack = saved_exception_stack;
            return result;
        }
    }
    PG_exception_stack = saved_exception_stack;
    error_context_stack = saved_context_stack;
    MemoryContextSwitchTo(caller_context);
    ErrorData* data = copy_error_data_guarded();
    FlushErrorState();
    if (data == nullptr) throw std::bad_alloc();
    throw PgError(data);
}

using EntryBody = Datum (*)(FunctionCallInfo);

// The C++ -> PostgreSQL half: runs body, raises whatever it threw as a
// PostgreSQL error with the right SQLSTATE. Never lets an exception escape.
Datum invoke(EntryBody body, FunctionCallInfo fcinfo);

}  // namespace paperclip::pg

// Exports a named C++ entry point (Datum entry(FunctionCallInfo)) as the
// SQL-callable C symbol `symbol`, run under invoke(). src/module.cpp exports
// every entry point with it, one line each.
#define PAPERCLIP_EXPORT(symbol, entry)                                                  \
    extern "C" {                                                                        \
    PG_FUNCTION_INFO_V1(symbol);                                                        \
    Datum symbol(PG_FUNCTION_ARGS) { return paperclip::pg::invoke(entry, fcinfo); }     \
    }
