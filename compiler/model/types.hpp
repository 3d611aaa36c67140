// Every fact schemac knows about PostgreSQL's builtin types, in one table: how the
// language spells them, the canonical name format_type() prints, which modifiers
// they take, their C++ type, and which conversions between them lose data or
// rewrite the table. The resolver, the planner, lint, the snapshot and the C++
// emitter all read this table; none keeps a list of its own.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/schema.hpp"

namespace schemac::model {

enum class TypeFamily {
  integer,
  numeric,
  floating,
  string,
  boolean,
  date,
  time,
  timestamp,
  interval,
  json,
  uuid,
  bytes,
  network,
  money,
  bit,
  xml,
  text_search,  // tsvector, tsquery, jsonpath
  geometric,
  range,  // ranges and multiranges
  system  // oid, reg*, xid, pg_lsn, ...
};

struct BuiltinType {
  std::string_view name;                    // canonical, as format_type() prints it: "character varying"
  std::vector<std::string_view> spellings;  // what the language (and a parse tree's cast) may call it; the first
                                            // is what the snapshot writes
  TypeFamily family;
  int max_modifiers = 0;  // length, precision (numeric: precision and scale)
  int integer_rank = 0;   // smallint 1, integer 2, bigint 3
  std::string_view cpp;   // the C++ type of a value; empty: its text form (std::string)
};

// The whole table, in a fixed order.
const std::vector<BuiltinType>& builtin_types();

// The builtin type a spelling names ("int4", "varchar", "timestamptz"), or null.
const BuiltinType* builtin_by_spelling(std::string_view spelling);
// The builtin type of a canonical name ("character varying"), or null.
const BuiltinType* builtin_by_name(std::string_view canonical);

// Why `modifiers` are out of range for the builtin (varchar(0), a negative length,
// timestamp(7), numeric(1001)), or nullopt; their number is checked by the caller.
std::optional<std::string> modifier_error(const BuiltinType& b, const std::vector<int>& modifiers);

// A type an extension provides, for the extensions Debian packages with PostgreSQL 15
// (citext, hstore, ltree, cube, isn, seg, intarray, earthdistance, lo, pg_trgm,
// btree_gist, tablefunc). Taken from the server's catalog once (pg_type, with
// pg_depend for the extension); a PostgreSQL test compares the table with a live one.
struct ExtensionType {
  std::string_view name;
  std::string_view extension;
};
const std::vector<ExtensionType>& extension_types();
const ExtensionType* extension_type(std::string_view name);

// The spelling the language writes for a canonical name ("character varying" ->
// "varchar"); the name itself for a type the table does not know.
std::string short_spelling(const std::string& canonical);

// The type as format_type() prints it, modifiers and array brackets included
// ("character varying(80)", "timestamp(3) with time zone", "public.status[]").
std::string type_sql(const Type& t);

// The C++ type of one value of a builtin (no arrays, no enums): "std::int64_t",
// "schemac::Uuid"; std::string for a type read in its text form.
std::string cpp_scalar(const std::string& canonical);

// A domain's base type (a domain over a domain: the base's), with the array
// dimensions of both; any other type as it is.
Type without_domains(const Type& t, const Schema& s);

// Why converting a column from `from` to `to` can lose data, fail on existing rows
// or change values ("narrows the integer type", ...), or nullopt when every value
// converts unchanged.
std::optional<std::string> narrowing(const Type& from, const Type& to);

// Whether ALTER COLUMN TYPE from `from` to `to` rewrites the table (and its indexes)
// under an ACCESS EXCLUSIVE lock, rather than only changing the catalog.
bool rewrites(const Type& from, const Type& to);

}  // namespace schemac::model
