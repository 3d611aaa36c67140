#include "model/types.hpp"

#include <algorithm>

namespace schemac::model {
const std::vector<BuiltinType>& builtin_types() {
  using F = TypeFamily;
  static const std::vector<BuiltinType> all = {
      {"uuid", {"uuid"}, F::uuid, 0, 0, "schemac::Uuid"},
      {"text", {"text"}, F::string, 0, 0, "std::string"},
      {"character varying", {"varchar"}, F::string, 1, 0, "std::string"},
      {"character", {"char", "character"}, F::string, 1, 0, "std::string"},
      {"smallint", {"smallint", "int2"}, F::integer, 0, 1, "std::int16_t"},
      {"integer", {"integer", "int", "int4"}, F::integer, 0, 2, "std::int32_t"},
      {"bigint", {"bigint", "int8"}, F::integer, 0, 3, "std::int64_t"},
      {"numeric", {"numeric", "decimal"}, F::numeric, 2, 0, "schemac::Decimal"},
      {"real", {"real", "float4"}, F::floating, 0, 0, "float"},
      {"double precision", {"double precision", "float8"}, F::floating, 0, 0, "double"},
      {"boolean", {"boolean", "bool"}, F::boolean, 0, 0, "bool"},
      {"date", {"date"}, F::date, 0, 0, "schemac::Date"},
      {"time without time zone", {"time"}, F::time, 1, 0, ""},
      {"time with time zone", {"timetz"}, F::time, 1, 0, ""},
      {"timestamp without time zone", {"timestamp"}, F::timestamp, 1, 0, "schemac::Timestamp"},
      {"timestamp with time zone", {"timestamptz"}, F::timestamp, 1, 0, "schemac::Timestamp"},
      {"interval", {"interval"}, F::interval, 0, 0, ""},
      {"json", {"json"}, F::json, 0, 0, "schemac::Json"},
      {"jsonb", {"jsonb"}, F::json, 0, 0, "schemac::Json"},
      {"bytea", {"bytea"}, F::bytes, 0, 0, "schemac::Bytes"},
      {"inet", {"inet"}, F::network, 0, 0, ""},
  };
  return all;
}

const BuiltinType* builtin_by_spelling(std::string_view spelling) {
  for (const auto& b : builtin_types())
    if (std::find(b.spellings.begin(), b.spellings.end(), spelling) != b.spellings.end()) return &b;
  return nullptr;
}

const BuiltinType* builtin_by_name(std::string_view canonical) {
  for (const auto& b : builtin_types())
    if (b.name == canonical) return &b;
  return nullptr;
}

std::string short_spelling(const std::string& canonical) {
  const BuiltinType* b = builtin_by_name(canonical);
  return b ? std::string(b->spellings.front()) : canonical;
}

std::string type_sql(const Type& t) {
  std::string mods;
  if (!t.modifiers.empty()) {
    mods = "(";
    for (std::size_t i = 0; i < t.modifiers.size(); ++i) mods += (i ? "," : "") + std::to_string(t.modifiers[i]);
    mods += ")";
  }
  std::string s;
  const BuiltinType* b = t.enum_name ? nullptr : builtin_by_name(t.builtin);
  if (t.enum_name) {
    s = t.enum_name->sql();
  } else if (!mods.empty() && b && (b->family == TypeFamily::time || b->family == TypeFamily::timestamp)) {
    auto space = t.builtin.find(' ');  // timestamp(3) with time zone
    s = t.builtin.substr(0, space) + mods + t.builtin.substr(space);
  } else {
    s = t.builtin + mods;
  }
  for (int i = 0; i < t.array_dims; ++i) s += "[]";
  return s;
}

std::string cpp_scalar(const std::string& canonical) {
  const BuiltinType* b = builtin_by_name(canonical);
  return b && !b->cpp.empty() ? std::string(b->cpp) : "std::string";  // time, interval, inet: their text form
}

std::optional<std::string> narrowing(const Type& from, const Type& to) {
  if (from == to) return std::nullopt;
  if (from.array_dims != to.array_dims) return "changes the number of array dimensions";
  if (from.enum_name || to.enum_name) {
    if (from.enum_name && to.builtin == "text") return std::nullopt;
    return "converts between an enum and another type";
  }
  const BuiltinType* f = builtin_by_name(from.builtin);
  const BuiltinType* t = builtin_by_name(to.builtin);
  int from_rank = f ? f->integer_rank : 0, to_rank = t ? t->integer_rank : 0;
  if (from_rank && to_rank)
    return to_rank < from_rank ? std::optional<std::string>("narrows the integer type") : std::nullopt;
  if (from_rank && to.builtin == "numeric" && to.modifiers.empty()) return std::nullopt;
  if (to.builtin == "text") return std::nullopt;  // every value has a text form
  if (from.builtin == to.builtin) {
    if (to.modifiers.empty()) return std::nullopt;  // unbounded
    if (from.modifiers.empty()) return "adds a length or precision limit";
    for (std::size_t i = 0; i < to.modifiers.size() && i < from.modifiers.size(); ++i)
      if (to.modifiers[i] < from.modifiers[i]) return "reduces the length or precision";
    return std::nullopt;
  }
  if (from.builtin == "real" && to.builtin == "double precision") return std::nullopt;
  if (from.builtin == "json" && to.builtin == "jsonb")  // json keeps the text as written
    return "rewrites every value (object keys reordered, duplicate keys dropped, whitespace and number "
           "spelling normalised)";
  if (from.builtin == "timestamp without time zone" && to.builtin == "timestamp with time zone") return std::nullopt;
  if (f && f->family == TypeFamily::date && t && t->family == TypeFamily::timestamp) return std::nullopt;
  return "converts " + type_sql(from) + " to " + type_sql(to);
}

bool rewrites(const Type& from, const Type& to) {
  if (from.array_dims != to.array_dims || from.enum_name || to.enum_name) return true;
  if (from.builtin == to.builtin) {  // a longer varchar, more numeric precision with the same scale
    if (to.modifiers.empty()) return false;
    if (from.modifiers.empty()) return true;
    if (from.builtin == "numeric")
      return to.modifiers.size() < 2 || from.modifiers.size() < 2 || to.modifiers[1] != from.modifiers[1] ||
             to.modifiers[0] < from.modifiers[0];
    return to.modifiers[0] < from.modifiers[0];
  }
  // varchar and text are binary compatible: no rewrite between them (unless a limit is added).
  bool text_like = from.builtin == "character varying" || from.builtin == "text";
  return !(text_like && (to.builtin == "text" || (to.builtin == "character varying" && to.modifiers.empty())));
}

}  // namespace schemac::model
