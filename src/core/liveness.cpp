#include "core/liveness.hpp"

namespace paperclip::core {

bool is_live(const RunInfo* run, const RunStatusPartition& partition) {
    return run != nullptr && !partition.is_terminal(run->status);
}

bool LockRules::is_live(const OptUuid& run) const {
    return run && core::is_live(runs_.find(*run), partition_);
}

}  // namespace paperclip::core
