// Shared plumbing of the guard triggers.
#pragma once

#include "pg/postgres.hpp"

namespace paperclip::pg {

TriggerData* trigger_data(FunctionCallInfo fcinfo, const char* name);
// The tuple a BEFORE ROW trigger returns when it lets the row through unchanged.
HeapTuple unchanged_row(const TriggerData* td);

}  // namespace paperclip::pg
