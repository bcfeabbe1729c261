#include <string>
#include <vector>

#include "core/errors.hpp"
#include "pg/args.hpp"
#include "pg/spi.hpp"

namespace paperclip::pg {

namespace {
void require_value(FunctionCallInfo fcinfo, int n, const char* field) {
    if (PG_ARGISNULL(n)) core::fail_validation(field, "must not be null");
}
}  // namespace

core::Uuid arg_uuid(FunctionCallInfo fcinfo, int n, const char* field) {
    require_value(fcinfo, n, field);
    core::Uuid u;
    memcpy(u.bytes.data(), PG_GETARG_UUID_P(n)->data, UUID_LEN);
    return u;
}

core::OptUuid arg_opt_uuid(FunctionCallInfo fcinfo, int n) {
    if (PG_NARGS() <= n || PG_ARGISNULL(n)) return std::nullopt;
    return arg_uuid(fcinfo, n, "");
}

std::string arg_text(FunctionCallInfo fcinfo, int n, const char* field) {
    require_value(fcinfo, n, field);
    Datum d = PG_GETARG_DATUM(n);
    char* s = pg_call([&] { return text_to_cstring(DatumGetTextPP(d)); });
    return std::string(s);
}

core::OptText arg_opt_text(FunctionCallInfo fcinfo, int n) {
    if (PG_NARGS() <= n || PG_ARGISNULL(n)) return std::nullopt;
    return arg_text(fcinfo, n, "");
}

bool arg_bool(FunctionCallInfo fcinfo, int n, const char* field) {
    require_value(fcinfo, n, field);
    return PG_GETARG_BOOL(n);
}

int arg_int(FunctionCallInfo fcinfo, int n, const char* field) {
    require_value(fcinfo, n, field);
    return PG_GETARG_INT32(n);
}

std::vector<std::string> arg_text_array(FunctionCallInfo fcinfo, int n, const char* field) {
    require_value(fcinfo, n, field);
    Datum d = PG_GETARG_DATUM(n);
    struct Elems {
        Datum* values;
        bool* nulls;
        int count;
        int ndim;
    };
    Elems e = pg_call([&] {
        ArrayType* arr = DatumGetArrayTypeP(d);
        Elems out{nullptr, nullptr, 0, ARR_NDIM(arr)};
        deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &out.values, &out.nulls, &out.count);
        return out;
    });
    if (e.ndim > 1) core::fail_validation(field, "must be a one-dimensional array");
    std::vector<std::string> out;
    out.reserve(static_cast<size_t>(e.count));
    for (int i = 0; i < e.count; ++i) {
        if (e.nulls[i]) core::fail_validation(field, "must not contain null");
        Datum v = e.values[i];
        char* s = pg_call([&] { return text_to_cstring(DatumGetTextPP(v)); });
        out.emplace_back(s);
    }
    return out;
}

Datum make_result_record(FunctionCallInfo fcinfo, std::initializer_list<Param> values) {
    Datum datums[16];
    bool nulls[16];
    int n = 0;
    for (const auto& p : values) {
        datums[n] = p.value;
        nulls[n] = p.is_null;
        ++n;
    }
    return pg_call([&] {
        TupleDesc desc;
        if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
            elog(ERROR, "function returning record called in context that cannot accept type record");
        desc = BlessTupleDesc(desc);
        if (desc->natts != n) elog(ERROR, "result has %d columns, expected %d", desc->natts, n);
        return HeapTupleGetDatum(heap_form_tuple(desc, datums, nulls));
    });
}

}  // namespace paperclip::pg
