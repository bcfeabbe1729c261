#include <stdexcept>
#include <string>

#include "pg/trigger.hpp"

namespace paperclip::pg {

TriggerData* trigger_data(FunctionCallInfo fcinfo, const char* name) {
    if (!CALLED_AS_TRIGGER(fcinfo)) throw std::logic_error(std::string(name) + " must be called as a trigger");
    return reinterpret_cast<TriggerData*>(fcinfo->context);
}

HeapTuple unchanged_row(const TriggerData* td) {
    if (TRIGGER_FIRED_BY_UPDATE(td->tg_event)) return td->tg_newtuple;
    return td->tg_trigtuple;
}

}  // namespace paperclip::pg
