// Shared plumbing of the guard triggers.
#pragma once

#include <initializer_list>

#include "pg/postgres.hpp"

namespace paperclip::pg {

// The events a trigger function is written for (a bit set).
enum TriggerEvents : unsigned {
    kOnInsert = 1u << 0,
    kOnUpdate = 1u << 1,
    kOnDelete = 1u << 2,
    kOnTruncate = 1u << 3,
};

// One way a trigger function may be attached: timing, level and events.
struct TriggerUse {
    bool before;        // BEFORE, or AFTER
    bool for_each_row;  // FOR EACH ROW, or FOR EACH STATEMENT
    unsigned events;    // TriggerEvents
};

// The trigger data of this call, after checking that the function fires on
// one of `tables` (in schema paperclip) in one of the `uses` it was written
// for (SPEC §10). Anything else -- a plain call, another table, a row
// trigger attached per statement (no row to read), AFTER instead of BEFORE
// -- is refused with SQLSTATE 39P01 and a message that says what it is
// written for, before the function reads anything.
TriggerData* trigger_data(FunctionCallInfo fcinfo, const char* function,
                          std::initializer_list<const char*> tables,
                          std::initializer_list<TriggerUse> uses);

// trigger_data for a guard written as BEFORE INSERT OR UPDATE OR DELETE FOR
// EACH ROW on one table -- the shape of every guard that checks writers.
TriggerData* row_guard_data(FunctionCallInfo fcinfo, const char* function, const char* table);

// The tuple a BEFORE ROW trigger returns when it lets the row through unchanged.
HeapTuple unchanged_row(const TriggerData* td);

// The body of a trigger that keeps a per-backend cache of `table` honest:
// AFTER any write FOR EACH STATEMENT, it invalidates the table's relcache
// entry, so every backend's callback drops its cached copy.
Datum invalidate_cache_of(FunctionCallInfo fcinfo, const char* function, const char* table);

}  // namespace paperclip::pg
