// Issue rows as the triggers see them: a HeapTuple of paperclip.issues (which
// may carry an application's extra columns) read into core::IssueState, and
// the columns the rules changed written back into a new tuple.
#pragma once

#include "core/lock_state.hpp"
#include "pg/postgres.hpp"

namespace paperclip::pg {

class IssueTuple {
public:
    explicit IssueTuple(TupleDesc desc);
    core::IssueState read(HeapTuple tuple) const;
    // A copy of `tuple` with the columns where `after` differs from `before`.
    HeapTuple write(HeapTuple tuple, const core::IssueState& before, const core::IssueState& after) const;

private:
    TupleDesc desc_;
    int id_, company_id_, status_, assignee_agent_id_, assignee_user_id_, checkout_run_id_,
        execution_run_id_, execution_agent_name_key_, execution_locked_at_, started_at_,
        completed_at_, cancelled_at_;
};

// Reads and replaces single columns of a trigger tuple by name.
int column_of(TupleDesc desc, const char* name);
core::OptUuid uuid_column(HeapTuple tuple, TupleDesc desc, int column);
core::OptText text_column(HeapTuple tuple, TupleDesc desc, int column);
core::OptTimestamp timestamp_column(HeapTuple tuple, TupleDesc desc, int column);
HeapTuple replace_uuid_column(HeapTuple tuple, TupleDesc desc, int column, const core::Uuid& value);
HeapTuple replace_text_column(HeapTuple tuple, TupleDesc desc, int column, const std::string& value);
HeapTuple replace_timestamptz_column(HeapTuple tuple, TupleDesc desc, int column, TimestampTz value);

}  // namespace paperclip::pg
