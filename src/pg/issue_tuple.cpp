#include <stdexcept>
#include <string>
#include <vector>

#include "pg/issue_tuple.hpp"
#include "pg/spi.hpp"

namespace paperclip::pg {

int column_of(TupleDesc desc, const char* name) {
    const int n = SPI_fnumber(desc, name);
    if (n <= 0) throw std::runtime_error(std::string("column ") + name + " is missing");
    return n;
}

namespace {
Datum get(HeapTuple tuple, TupleDesc desc, int column, bool* isnull) {
    return heap_getattr(tuple, column, desc, isnull);
}
}  // namespace

core::OptTimestamp timestamp_column(HeapTuple tuple, TupleDesc desc, int column) {
    bool isnull = false;
    Datum d = get(tuple, desc, column, &isnull);
    if (isnull) return std::nullopt;
    return DatumGetTimestampTz(d);
}

core::OptUuid uuid_column(HeapTuple tuple, TupleDesc desc, int column) {
    bool isnull = false;
    Datum d = get(tuple, desc, column, &isnull);
    if (isnull) return std::nullopt;
    return datum_to_uuid(d);
}

core::OptText text_column(HeapTuple tuple, TupleDesc desc, int column) {
    bool isnull = false;
    Datum d = get(tuple, desc, column, &isnull);
    if (isnull) return std::nullopt;
    return datum_to_string(d);
}

IssueTuple::IssueTuple(TupleDesc desc)
    : desc_(desc),
      id_(column_of(desc, "id")),
      company_id_(column_of(desc, "company_id")),
      status_(column_of(desc, "status")),
      assignee_agent_id_(column_of(desc, "assignee_agent_id")),
      assignee_user_id_(column_of(desc, "assignee_user_id")),
      checkout_run_id_(column_of(desc, "checkout_run_id")),
      execution_run_id_(column_of(desc, "execution_run_id")),
      execution_agent_name_key_(column_of(desc, "execution_agent_name_key")),
      execution_locked_at_(column_of(desc, "execution_locked_at")),
      started_at_(column_of(desc, "started_at")),
      completed_at_(column_of(desc, "completed_at")),
      cancelled_at_(column_of(desc, "cancelled_at")) {}

core::IssueState IssueTuple::read(HeapTuple tuple) const {
    core::IssueState s;
    // NOT NULL columns may still be NULL in a BEFORE INSERT row (the
    // constraint is checked later): read them as empty values.
    s.id = uuid_column(tuple, desc_, id_).value_or(core::Uuid{});
    s.company_id = uuid_column(tuple, desc_, company_id_).value_or(core::Uuid{});
    s.status = text_column(tuple, desc_, status_).value_or("");
    s.assignee_agent_id = uuid_column(tuple, desc_, assignee_agent_id_);
    s.assignee_user_id = text_column(tuple, desc_, assignee_user_id_);
    s.checkout_run_id = uuid_column(tuple, desc_, checkout_run_id_);
    s.execution_run_id = uuid_column(tuple, desc_, execution_run_id_);
    s.execution_agent_name_key = text_column(tuple, desc_, execution_agent_name_key_);
    s.execution_locked_at = timestamp_column(tuple, desc_, execution_locked_at_);
    s.started_at = timestamp_column(tuple, desc_, started_at_);
    s.completed_at = timestamp_column(tuple, desc_, completed_at_);
    s.cancelled_at = timestamp_column(tuple, desc_, cancelled_at_);
    return s;
}

HeapTuple IssueTuple::write(HeapTuple tuple, const core::IssueState& before,
                            const core::IssueState& after) const {
    std::vector<int> columns;
    std::vector<Param> values;
    auto uuid_if = [&](int col, const core::OptUuid& b, const core::OptUuid& a) {
        if (a != b) { columns.push_back(col); values.push_back(p_uuid(a)); }
    };
    auto text_if = [&](int col, const core::OptText& b, const core::OptText& a) {
        if (a != b) { columns.push_back(col); values.push_back(p_text(a)); }
    };
    auto ts_if = [&](int col, const core::OptTimestamp& b, const core::OptTimestamp& a) {
        if (a != b) { columns.push_back(col); values.push_back(p_timestamptz(a)); }
    };
    if (after.status != before.status) { columns.push_back(status_); values.push_back(p_text(after.status)); }
    uuid_if(assignee_agent_id_, before.assignee_agent_id, after.assignee_agent_id);
    text_if(assignee_user_id_, before.assignee_user_id, after.assignee_user_id);
    uuid_if(checkout_run_id_, before.checkout_run_id, after.checkout_run_id);
    uuid_if(execution_run_id_, before.execution_run_id, after.execution_run_id);
    text_if(execution_agent_name_key_, before.execution_agent_name_key, after.execution_agent_name_key);
    ts_if(execution_locked_at_, before.execution_locked_at, after.execution_locked_at);
    ts_if(started_at_, before.started_at, after.started_at);
    ts_if(completed_at_, before.completed_at, after.completed_at);
    ts_if(cancelled_at_, before.cancelled_at, after.cancelled_at);
    if (columns.empty()) return tuple;
    std::vector<Datum> datums;
    std::vector<bool> nulls_vec;
    for (const auto& v : values) { datums.push_back(v.value); nulls_vec.push_back(v.is_null); }
    bool nulls[16];
    for (size_t i = 0; i < nulls_vec.size(); ++i) nulls[i] = nulls_vec[i];
    TupleDesc desc = desc_;
    const int n = static_cast<int>(columns.size());
    return pg_call([&] { return heap_modify_tuple_by_cols(tuple, desc, n, columns.data(), datums.data(), nulls); });
}

HeapTuple replace_uuid_column(HeapTuple tuple, TupleDesc desc, int column, const core::Uuid& value) {
    const Param p = p_uuid(value);
    Datum d = p.value;
    bool isnull = false;
    return pg_call([&] { return heap_modify_tuple_by_cols(tuple, desc, 1, &column, &d, &isnull); });
}

HeapTuple replace_timestamptz_column(HeapTuple tuple, TupleDesc desc, int column, TimestampTz value) {
    Datum d = TimestampTzGetDatum(value);
    bool isnull = false;
    return pg_call([&] { return heap_modify_tuple_by_cols(tuple, desc, 1, &column, &d, &isnull); });
}

HeapTuple replace_text_column(HeapTuple tuple, TupleDesc desc, int column, const std::string& value) {
    const Param p = p_text(value);
    Datum d = p.value;
    bool isnull = false;
    return pg_call([&] { return heap_modify_tuple_by_cols(tuple, desc, 1, &column, &d, &isnull); });
}

}  // namespace paperclip::pg
