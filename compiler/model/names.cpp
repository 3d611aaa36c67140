#include "model/names.hpp"

#include <algorithm>
#include <array>
#include <unordered_set>

namespace schemac::names {

namespace {
// SELECT word FROM pg_get_keywords() WHERE catcode <> 'U' (PostgreSQL 15); a test
// compares this list with the live server's.
constexpr std::array quoted_keywords = {"all",
                                        "analyse",
                                        "analyze",
                                        "and",
                                        "any",
                                        "array",
                                        "as",
                                        "asc",
                                        "asymmetric",
                                        "authorization",
                                        "between",
                                        "bigint",
                                        "binary",
                                        "bit",
                                        "boolean",
                                        "both",
                                        "case",
                                        "cast",
                                        "char",
                                        "character",
                                        "check",
                                        "coalesce",
                                        "collate",
                                        "collation",
                                        "column",
                                        "concurrently",
                                        "constraint",
                                        "create",
                                        "cross",
                                        "current_catalog",
                                        "current_date",
                                        "current_role",
                                        "current_schema",
                                        "current_time",
                                        "current_timestamp",
                                        "current_user",
                                        "dec",
                                        "decimal",
                                        "default",
                                        "deferrable",
                                        "desc",
                                        "distinct",
                                        "do",
                                        "else",
                                        "end",
                                        "except",
                                        "exists",
                                        "extract",
                                        "false",
                                        "fetch",
                                        "float",
                                        "for",
                                        "foreign",
                                        "freeze",
                                        "from",
                                        "full",
                                        "grant",
                                        "greatest",
                                        "group",
                                        "grouping",
                                        "having",
                                        "ilike",
                                        "in",
                                        "initially",
                                        "inner",
                                        "inout",
                                        "int",
                                        "integer",
                                        "intersect",
                                        "interval",
                                        "into",
                                        "is",
                                        "isnull",
                                        "join",
                                        "lateral",
                                        "leading",
                                        "least",
                                        "left",
                                        "like",
                                        "limit",
                                        "localtime",
                                        "localtimestamp",
                                        "national",
                                        "natural",
                                        "nchar",
                                        "none",
                                        "normalize",
                                        "not",
                                        "notnull",
                                        "null",
                                        "nullif",
                                        "numeric",
                                        "offset",
                                        "on",
                                        "only",
                                        "or",
                                        "order",
                                        "out",
                                        "outer",
                                        "overlaps",
                                        "overlay",
                                        "placing",
                                        "position",
                                        "precision",
                                        "primary",
                                        "real",
                                        "references",
                                        "returning",
                                        "right",
                                        "row",
                                        "select",
                                        "session_user",
                                        "setof",
                                        "similar",
                                        "smallint",
                                        "some",
                                        "substring",
                                        "symmetric",
                                        "table",
                                        "tablesample",
                                        "then",
                                        "time",
                                        "timestamp",
                                        "to",
                                        "trailing",
                                        "treat",
                                        "trim",
                                        "true",
                                        "union",
                                        "unique",
                                        "user",
                                        "using",
                                        "values",
                                        "varchar",
                                        "variadic",
                                        "verbose",
                                        "when",
                                        "where",
                                        "window",
                                        "with",
                                        "xmlattributes",
                                        "xmlconcat",
                                        "xmlelement",
                                        "xmlexists",
                                        "xmlforest",
                                        "xmlnamespaces",
                                        "xmlparse",
                                        "xmlpi",
                                        "xmlroot",
                                        "xmlserialize",
                                        "xmltable"};

// Clip to at most n bytes without splitting a UTF-8 character (pg_mbcliplen).
std::size_t clip(std::string_view s, std::size_t n) {
  if (n >= s.size()) return s.size();
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}
}  // namespace

bool is_quoted_keyword(std::string_view word) {
  // Every name the compiler prints passes here: a hash lookup, not a search.
  static const std::unordered_set<std::string_view> set(quoted_keywords.begin(), quoted_keywords.end());
  return set.count(word) > 0;
}

std::string quote(std::string_view id) {
  bool plain = !id.empty() && ((id[0] >= 'a' && id[0] <= 'z') || id[0] == '_');
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$')) plain = false;
  if (plain && !is_quoted_keyword(id)) return std::string(id);
  std::string out = "\"";
  for (char c : id) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string make_object_name(std::string_view name1, std::string_view name2, std::string_view label) {
  std::size_t n1 = name1.size(), n2 = name2.size();
  std::size_t overhead = (label.empty() ? 0 : label.size() + 1) + (name2.empty() ? 0 : 1);
  std::size_t avail = max_identifier_bytes - overhead;
  while (n1 + n2 > avail) {
    if (n1 > n2)
      --n1;
    else
      --n2;
  }
  n1 = clip(name1, n1);
  n2 = clip(name2, n2);
  std::string out(name1.substr(0, n1));
  if (!name2.empty()) out += "_" + std::string(name2.substr(0, n2));
  if (!label.empty()) out += "_" + std::string(label);
  return out;
}

std::string join_column_names(const std::vector<std::string>& columns) {
  std::string buf;
  for (const auto& c : columns) {
    if (!buf.empty()) buf += '_';
    buf += c.substr(0, clip(c, max_identifier_bytes));
    if (buf.size() >= max_identifier_bytes + 1) break;
  }
  return buf;
}

std::string choose_name(std::string_view name1, std::string_view name2, std::string_view label,
                        std::set<std::string>& used) {
  std::string label_now(label);
  for (int pass = 0;; ++pass) {
    std::string candidate = make_object_name(name1, name2, label_now);
    if (!used.count(candidate)) {
      used.insert(candidate);
      return candidate;
    }
    label_now = std::string(label) + std::to_string(pass + 1);
  }
}

}  // namespace schemac::names
