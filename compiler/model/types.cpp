#include "model/types.hpp"

#include <algorithm>

namespace schemac::model {
const std::vector<BuiltinType>& builtin_types() {
  using F = TypeFamily;
  // PostgreSQL 15's base, range and multirange types in pg_catalog, without arrays and
  // the server's internal types (category Z: pg_node_tree, ...); a PostgreSQL test
  // compares it with pg_type. The first spelling is the catalog's own name where the
  // language can write it.
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
      {"double precision", {"double precision", "float8", "float"}, F::floating, 0, 0, "double"},
      {"boolean", {"boolean", "bool"}, F::boolean, 0, 0, "bool"},
      {"date", {"date"}, F::date, 0, 0, "schemac::Date"},
      {"time without time zone", {"time"}, F::time, 1, 0, ""},
      {"time with time zone", {"timetz"}, F::time, 1, 0, ""},
      {"timestamp without time zone", {"timestamp"}, F::timestamp, 1, 0, "schemac::Timestamp"},
      {"timestamp with time zone", {"timestamptz"}, F::timestamp, 1, 0, "schemac::Timestamp"},
      {"interval", {"interval"}, F::interval, 1, 0, ""},
      {"json", {"json"}, F::json, 0, 0, "schemac::Json"},
      {"jsonb", {"jsonb"}, F::json, 0, 0, "schemac::Json"},
      {"bytea", {"bytea"}, F::bytes, 0, 0, "schemac::Bytes"},
      {"inet", {"inet"}, F::network, 0, 0, ""},
      {"cidr", {"cidr"}, F::network, 0, 0, ""},
      {"macaddr", {"macaddr"}, F::network, 0, 0, ""},
      {"macaddr8", {"macaddr8"}, F::network, 0, 0, ""},
      {"money", {"money"}, F::money, 0, 0, ""},
      {"bit", {"bit"}, F::bit, 1, 0, ""},
      {"bit varying", {"varbit"}, F::bit, 1, 0, ""},
      {"name", {"name"}, F::string, 0, 0, "std::string"},
      {"xml", {"xml"}, F::xml, 0, 0, ""},
      {"jsonpath", {"jsonpath"}, F::text_search, 0, 0, ""},
      {"tsvector", {"tsvector"}, F::text_search, 0, 0, ""},
      {"tsquery", {"tsquery"}, F::text_search, 0, 0, ""},
      {"gtsvector", {"gtsvector"}, F::text_search, 0, 0, ""},
      {"point", {"point"}, F::geometric, 0, 0, ""},
      {"line", {"line"}, F::geometric, 0, 0, ""},
      {"lseg", {"lseg"}, F::geometric, 0, 0, ""},
      {"box", {"box"}, F::geometric, 0, 0, ""},
      {"path", {"path"}, F::geometric, 0, 0, ""},
      {"polygon", {"polygon"}, F::geometric, 0, 0, ""},
      {"circle", {"circle"}, F::geometric, 0, 0, ""},
      {"int4range", {"int4range"}, F::range, 0, 0, ""},
      {"int8range", {"int8range"}, F::range, 0, 0, ""},
      {"numrange", {"numrange"}, F::range, 0, 0, ""},
      {"tsrange", {"tsrange"}, F::range, 0, 0, ""},
      {"tstzrange", {"tstzrange"}, F::range, 0, 0, ""},
      {"daterange", {"daterange"}, F::range, 0, 0, ""},
      {"int4multirange", {"int4multirange"}, F::range, 0, 0, ""},
      {"int8multirange", {"int8multirange"}, F::range, 0, 0, ""},
      {"nummultirange", {"nummultirange"}, F::range, 0, 0, ""},
      {"tsmultirange", {"tsmultirange"}, F::range, 0, 0, ""},
      {"tstzmultirange", {"tstzmultirange"}, F::range, 0, 0, ""},
      {"datemultirange", {"datemultirange"}, F::range, 0, 0, ""},
      {"oid", {"oid"}, F::system, 0, 0, ""},
      {"regclass", {"regclass"}, F::system, 0, 0, ""},
      {"regcollation", {"regcollation"}, F::system, 0, 0, ""},
      {"regconfig", {"regconfig"}, F::system, 0, 0, ""},
      {"regdictionary", {"regdictionary"}, F::system, 0, 0, ""},
      {"regnamespace", {"regnamespace"}, F::system, 0, 0, ""},
      {"regoper", {"regoper"}, F::system, 0, 0, ""},
      {"regoperator", {"regoperator"}, F::system, 0, 0, ""},
      {"regproc", {"regproc"}, F::system, 0, 0, ""},
      {"regprocedure", {"regprocedure"}, F::system, 0, 0, ""},
      {"regrole", {"regrole"}, F::system, 0, 0, ""},
      {"regtype", {"regtype"}, F::system, 0, 0, ""},
      {"aclitem", {"aclitem"}, F::system, 0, 0, ""},
      {"cid", {"cid"}, F::system, 0, 0, ""},
      {"tid", {"tid"}, F::system, 0, 0, ""},
      {"xid", {"xid"}, F::system, 0, 0, ""},
      {"xid8", {"xid8"}, F::system, 0, 0, ""},
      {"pg_lsn", {"pg_lsn"}, F::system, 0, 0, ""},
      {"pg_snapshot", {"pg_snapshot"}, F::system, 0, 0, ""},
      {"txid_snapshot", {"txid_snapshot"}, F::system, 0, 0, ""},
      {"refcursor", {"refcursor"}, F::system, 0, 0, ""},
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

std::optional<std::string> modifier_error(const BuiltinType& b, const std::vector<int>& modifiers) {
  if (modifiers.empty()) return std::nullopt;
  std::string name(b.spellings.front());
  int m = modifiers[0];
  switch (b.family) {
    case TypeFamily::string:
    case TypeFamily::bit:
      if (m < 1) return "the length of " + name + " must be at least 1";
      if (m > 10485760) return "the length of " + name + " cannot exceed 10485760";
      return std::nullopt;
    case TypeFamily::numeric:
      if (m < 1 || m > 1000) return "the precision of numeric must be between 1 and 1000";
      if (modifiers.size() > 1 && (modifiers[1] < -1000 || modifiers[1] > 1000))
        return "the scale of numeric must be between -1000 and 1000";
      return std::nullopt;
    case TypeFamily::time:
    case TypeFamily::timestamp:
    case TypeFamily::interval:
      if (m < 0 || m > 6) return "the precision of " + name + " must be between 0 and 6";
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

const std::vector<ExtensionType>& extension_types() {
  // name, extension: sorted by extension, name
  static const std::vector<ExtensionType> all = {
      {"gbtreekey16", "btree_gist"},
      {"gbtreekey2", "btree_gist"},
      {"gbtreekey32", "btree_gist"},
      {"gbtreekey4", "btree_gist"},
      {"gbtreekey8", "btree_gist"},
      {"gbtreekey_var", "btree_gist"},
      {"citext", "citext"},
      {"cube", "cube"},
      {"earth", "earthdistance"},
      {"ghstore", "hstore"},
      {"hstore", "hstore"},
      {"intbig_gkey", "intarray"},
      {"query_int", "intarray"},
      {"ean13", "isn"},
      {"isbn", "isn"},
      {"isbn13", "isn"},
      {"ismn", "isn"},
      {"ismn13", "isn"},
      {"issn", "isn"},
      {"issn13", "isn"},
      {"upc", "isn"},
      {"lo", "lo"},
      {"lquery", "ltree"},
      {"ltree", "ltree"},
      {"ltree_gist", "ltree"},
      {"ltxtquery", "ltree"},
      {"gtrgm", "pg_trgm"},
      {"seg", "seg"},
      {"tablefunc_crosstab_2", "tablefunc"},
      {"tablefunc_crosstab_3", "tablefunc"},
      {"tablefunc_crosstab_4", "tablefunc"},
  };
  return all;
}

const ExtensionType* extension_type(std::string_view name) {
  for (const auto& t : extension_types())
    if (t.name == name) return &t;
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
  const BuiltinType* b = t.named_type ? nullptr : builtin_by_name(t.builtin);
  if (t.named_type) {
    s = t.named_type->sql() + mods;
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

Type without_domains(const Type& t, const Schema& s) {
  Type out = t;
  for (int depth = 0; out.kind == TypeKind::domain && out.named_type && depth < 16; ++depth) {
    const Domain* d = s.find_domain(*out.named_type);
    if (!d) break;
    int dims = out.array_dims;
    out = d->base;
    out.array_dims += dims;
  }
  return out;
}

std::optional<std::string> narrowing(const Type& from, const Type& to) {
  if (from == to) return std::nullopt;
  if (from.array_dims != to.array_dims) return "changes the number of array dimensions";
  if (to.builtin == "text") return std::nullopt;  // every value has a text form
  if (from.is_enum() || to.is_enum()) return "converts between an enum and another type";
  // citext is text compared without case: text and varchar convert unchanged.
  bool to_citext = to.kind == TypeKind::external && to.named_type && to.named_type->name == "citext";
  if (to_citext && (from.builtin == "text" || from.builtin == "character varying")) return std::nullopt;
  if (from.named_type || to.named_type) {
    if (from.named_type == to.named_type && to.modifiers.empty()) return std::nullopt;
    return "converts " + type_sql(from) + " to " + type_sql(to);
  }
  const BuiltinType* f = builtin_by_name(from.builtin);
  const BuiltinType* t = builtin_by_name(to.builtin);
  int from_rank = f ? f->integer_rank : 0, to_rank = t ? t->integer_rank : 0;
  if (from_rank && to_rank)
    return to_rank < from_rank ? std::optional<std::string>("narrows the integer type") : std::nullopt;
  if (from_rank && to.builtin == "numeric" && to.modifiers.empty()) return std::nullopt;
  if (from.builtin == to.builtin) {
    if (f && f->family == TypeFamily::bit && from.modifiers != to.modifiers && f->name == "bit")
      return "changes the length of a fixed-length bit string (values of another length are refused)";
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
  if (from.array_dims != to.array_dims || from.named_type || to.named_type) return true;
  if (from.builtin == to.builtin) {  // a longer varchar, more numeric precision with the same scale
    // Lengths of character(n) and bit(n) are checked and padded by a function with no
    // planner support: any change rewrites.
    if (from.builtin == "character" || from.builtin == "bit") return true;
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
