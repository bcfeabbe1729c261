// Reading SQL arguments. A NULL where a value is needed is a PC400.
#pragma once

#include <string>
#include <vector>

#include "core/lock_state.hpp"
#include "pg/postgres.hpp"

namespace paperclip::pg {

core::Uuid arg_uuid(FunctionCallInfo fcinfo, int n, const char* field);
core::OptUuid arg_opt_uuid(FunctionCallInfo fcinfo, int n);
std::string arg_text(FunctionCallInfo fcinfo, int n, const char* field);
core::OptText arg_opt_text(FunctionCallInfo fcinfo, int n);
bool arg_bool(FunctionCallInfo fcinfo, int n, const char* field);
int arg_int(FunctionCallInfo fcinfo, int n, const char* field);
std::vector<std::string> arg_text_array(FunctionCallInfo fcinfo, int n, const char* field);

// Builds the function's declared composite result from values in order.
struct Param;
Datum make_result_record(FunctionCallInfo fcinfo, std::initializer_list<Param> values);

}  // namespace paperclip::pg
