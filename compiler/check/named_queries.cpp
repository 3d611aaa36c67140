#include "check/named_queries.hpp"

#include <pg_query.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "check/query_scope.hpp"
#include "model/types.hpp"

namespace schemac::check {
namespace {

using nlohmann::json;

std::string string_of(const json& j) {
  if (j.contains("String")) return j["String"].value("sval", "");
  return "";
}

// A value's type as far as it is known: unknown when `type` is empty.
struct Typed {
  std::optional<model::Type> type;
  bool nullable = true;
};

model::Type builtin(const char* name) {
  model::Type t;
  t.builtin = name;
  return t;
}

// The columns of one FROM entry (a table, view, CTE or subquery), under its alias.
struct Entry {
  std::string alias;
  bool known = false;  // its columns are known (else a column may be its)
  std::vector<std::pair<std::string, Typed>> columns;
};
using Scope = std::vector<Entry>;

// Whether a value of type `b` may be used where `a` is expected.
model::TypeFamily family(const model::Type& t) {
  if (const auto* b = model::builtin_by_name(t.builtin)) return b->family;
  return model::TypeFamily::system;
}

bool compatible(const model::Type& a0, const model::Type& b0, const model::Schema& s) {
  model::Type a = model::without_domains(a0, s), b = model::without_domains(b0, s);
  if (a.array_dims != b.array_dims) return false;
  a.array_dims = b.array_dims = 0;
  a.modifiers.clear();
  b.modifiers.clear();
  if (a == b) return true;
  auto text = [](const model::Type& t) { return t.builtin.empty() ? false : family(t) == model::TypeFamily::string; };
  // An enum takes its label as text.
  if ((a.is_enum() && text(b)) || (b.is_enum() && text(a))) return true;
  if (a.builtin.empty() || b.builtin.empty()) return false;
  auto fa = family(a), fb = family(b);
  auto number = [](model::TypeFamily f) {
    return f == model::TypeFamily::integer || f == model::TypeFamily::numeric || f == model::TypeFamily::floating;
  };
  auto moment = [](model::TypeFamily f) { return f == model::TypeFamily::date || f == model::TypeFamily::timestamp; };
  if (number(fa) && number(fb)) return true;
  if (moment(fa) && moment(fb)) return true;
  return fa == fb && fa != model::TypeFamily::system;
}

class Inference {
 public:
  Inference(const model::Schema& s, const model::Query& q, Diagnostics& diags, int file, std::uint32_t begin,
            std::size_t size)
      : s_(s), q_(q), diags_(diags), file_(file), begin_(begin), size_(size) {}

  Location at(std::size_t offset) const {
    return {file_, begin_ + static_cast<std::uint32_t>(std::min(offset, size_))};
  }

  // ---- FROM ----------------------------------------------------------------------

  void from_item(const json& item, Scope& scope, const std::map<std::string, std::vector<Entry>>& ctes) {
    if (item.contains("RangeVar")) {
      const auto& r = item["RangeVar"];
      model::QualifiedName n;
      if (r.contains("schemaname")) n.schema = r["schemaname"].get<std::string>();
      n.name = r.value("relname", "");
      Entry e;
      e.alias = r.contains("alias") ? r["alias"].value("aliasname", n.name) : n.name;
      if (!r.contains("schemaname"))
        if (auto cte = ctes.find(n.name); cte != ctes.end() && !cte->second.empty()) {
          e.known = cte->second[0].known;
          e.columns = cte->second[0].columns;
          scope.push_back(std::move(e));
          return;
        }
      if (!r.contains("schemaname")) n.schema = "public";
      relation(n, e);
      scope.push_back(std::move(e));
    } else if (item.contains("JoinExpr")) {
      const auto& j = item["JoinExpr"];
      std::string kind = j.value("jointype", "JOIN_INNER");
      Scope left, right;
      from_item(j["larg"], left, ctes);
      from_item(j["rarg"], right, ctes);
      auto null_side = [](Scope& side) {
        for (auto& e : side)
          for (auto& [name, t] : e.columns) t.nullable = true;
      };
      if (kind == "JOIN_LEFT" || kind == "JOIN_FULL") null_side(right);
      if (kind == "JOIN_RIGHT" || kind == "JOIN_FULL") null_side(left);
      if (j.contains("alias")) {  // (a join b) AS x: one entry
        Entry e;
        e.alias = j["alias"].value("aliasname", "");
        e.known = true;
        for (auto* side : {&left, &right})
          for (auto& x : *side) {
            e.known &= x.known;
            for (auto& c : x.columns) e.columns.push_back(c);
          }
        scope.push_back(std::move(e));
        return;
      }
      for (auto* side : {&left, &right})
        for (auto& x : *side) scope.push_back(std::move(x));
    } else if (item.contains("RangeSubselect")) {
      const auto& r = item["RangeSubselect"];
      Entry e;
      e.alias = r.contains("alias") ? r["alias"].value("aliasname", "") : "";
      if (r.contains("subquery") && r["subquery"].contains("SelectStmt")) {
        auto cols = select_columns(r["subquery"]["SelectStmt"], ctes, false);
        if (cols) {
          e.known = true;
          e.columns = std::move(*cols);
        }
      }
      scope.push_back(std::move(e));
    } else {
      scope.push_back(Entry{});  // a function in FROM: its columns are not known here
    }
  }

  // A table's columns as declared; a view's as its query produces them.
  void relation(const model::QualifiedName& n, Entry& e) {
    for (const auto& t : s_.tables)
      if (t.name == n || t.live_name() == n) {
        e.known = true;
        for (const auto& c : t.columns) e.columns.push_back({c.name, Typed{c.type, c.nullable}});
        return;
      }
    for (const auto& p : s_.partitions)
      if (p.name == n) return relation(p.parent, e);
    auto view = [&](const std::string& query) {
      if (!in_views_.insert(n).second) return;  // a cycle: unknown
      nlohmann::json tree;
      if (auto parsed = parse_view_(query)) tree = *parsed;
      if (tree.contains("stmts") && !tree["stmts"].empty() && tree["stmts"][0]["stmt"].contains("SelectStmt")) {
        // A view's column types are worked out quietly: an unknown one is reported
        // where a query reads it.
        bool quiet = quiet_;
        quiet_ = true;
        if (auto cols = select_columns(tree["stmts"][0]["stmt"]["SelectStmt"], {}, false)) {
          e.known = true;
          e.columns = std::move(*cols);
        }
        quiet_ = quiet;
      }
      in_views_.erase(n);
    };
    for (const auto& v : s_.views)
      if (v.name == n) return view(v.query);
    for (const auto& v : s_.materialized_views)
      if (v.name == n) return view(v.query);
  }

  std::function<std::optional<json>(const std::string&)> parse_view_;

  // ---- expressions -------------------------------------------------------------------

  Typed column(const json& ref, const Scope& scope) const {
    std::vector<std::string> parts;
    for (const auto& f : ref["fields"]) {
      if (!f.contains("String")) return {};
      parts.push_back(string_of(f));
    }
    if (parts.empty() || parts.size() > 3) return {};
    std::optional<Typed> found;
    for (const auto& e : scope) {
      if (parts.size() >= 2 && e.alias != parts[parts.size() - 2]) continue;
      if (!e.known) return {};  // it might be this relation's
      for (const auto& [name, t] : e.columns)
        if (name == parts.back()) {
          if (found) return {};  // ambiguous: PostgreSQL says so
          found = t;
        }
    }
    return found.value_or(Typed{});
  }

  std::optional<model::Type> named_type(const json& type_name) const {
    if (!type_name.contains("names")) return std::nullopt;
    std::vector<std::string> names;
    for (const auto& n : type_name["names"]) names.push_back(string_of(n));
    if (names.empty()) return std::nullopt;
    std::optional<model::Type> out;
    if (const auto* b = model::builtin_by_spelling(names.back());
        b && (names.size() == 1 || names[0] == "pg_catalog")) {
      out = model::Type{};
      out->builtin = std::string(b->name);
    } else {
      model::QualifiedName n;
      n.name = names.back();
      n.schema = names.size() >= 2 ? names[names.size() - 2] : "public";
      for (const auto& e : s_.enums)
        if (e.name == n) out = model::Type{"", n, {}, 0, model::TypeKind::enumeration};
      for (const auto& d : s_.domains)
        if (d.name == n) out = model::Type{"", n, {}, 0, model::TypeKind::domain};
      for (const auto& c : s_.composite_types)
        if (c.name == n) out = model::Type{"", n, {}, 0, model::TypeKind::composite};
    }
    if (out && type_name.contains("arrayBounds")) out->array_dims = static_cast<int>(type_name["arrayBounds"].size());
    return out;
  }

  static bool is_builtin(const Typed& t, std::initializer_list<const char*> names) {
    if (!t.type || t.type->array_dims) return false;
    for (const char* n : names)
      if (t.type->builtin == n) return true;
    return false;
  }

  Typed arithmetic(const Typed& l, const Typed& r) const {
    Typed out;
    out.nullable = l.nullable || r.nullable;
    if (!l.type || !r.type) return out;
    const auto* a = model::builtin_by_name(l.type->builtin);
    const auto* b = model::builtin_by_name(r.type->builtin);
    if (!a || !b || l.type->array_dims || r.type->array_dims) return out;
    using F = model::TypeFamily;
    if (a->family == F::integer && b->family == F::integer) {
      out.type = a->integer_rank >= b->integer_rank ? *l.type : *r.type;
    } else if ((a->family == F::floating || b->family == F::floating) &&
               (a->family != F::string && b->family != F::string)) {
      if ((a->family == F::integer || a->family == F::numeric || a->family == F::floating) &&
          (b->family == F::integer || b->family == F::numeric || b->family == F::floating))
        out.type = builtin("double precision");
    } else if ((a->family == F::numeric || a->family == F::integer) &&
               (b->family == F::numeric || b->family == F::integer)) {
      out.type = builtin("numeric");
    } else if ((a->family == F::timestamp || a->family == F::date) && b->family == F::interval) {
      out.type = a->family == F::date ? builtin("timestamp without time zone") : *l.type;
    } else if (a->family == F::interval && b->family == F::interval) {
      out.type = *l.type;
    }
    return out;
  }

  Typed of(const json& v, const Scope& scope) {
    using T = Typed;
    if (v.contains("ColumnRef")) return column(v["ColumnRef"], scope);
    if (v.contains("ParamRef")) {
      int n = v["ParamRef"].value("number", 0);
      if (n >= 1 && static_cast<std::size_t>(n) <= q_.parameters.size())
        return T{q_.parameters[static_cast<std::size_t>(n - 1)].type, false};
      return {};
    }
    if (v.contains("A_Const")) {
      const auto& k = v["A_Const"];
      if (k.contains("isnull")) return {};
      if (k.contains("boolval")) return T{builtin("boolean"), false};
      if (k.contains("ival")) return T{builtin("integer"), false};
      if (k.contains("fval")) return T{builtin("numeric"), false};
      if (k.contains("sval")) return T{builtin("text"), false};
      return {};
    }
    if (v.contains("TypeCast")) {
      const auto& c = v["TypeCast"];
      Typed arg = c.contains("arg") ? of(c["arg"], scope) : Typed{};
      return T{named_type(c["typeName"]), arg.nullable};
    }
    if (v.contains("BoolExpr")) {
      bool nullable = false;
      for (const auto& a : v["BoolExpr"]["args"]) nullable |= of(a, scope).nullable;
      return T{builtin("boolean"), nullable};
    }
    if (v.contains("NullTest") || v.contains("BooleanTest")) return T{builtin("boolean"), false};
    if (v.contains("SQLValueFunction")) {
      std::string op = v["SQLValueFunction"].value("op", "");
      if (op == "SVFOP_CURRENT_DATE") return T{builtin("date"), false};
      if (op == "SVFOP_CURRENT_TIMESTAMP" || op == "SVFOP_CURRENT_TIMESTAMP_N")
        return T{builtin("timestamp with time zone"), false};
      if (op == "SVFOP_LOCALTIMESTAMP" || op == "SVFOP_LOCALTIMESTAMP_N")
        return T{builtin("timestamp without time zone"), false};
      if (op.find("USER") != std::string::npos || op.find("ROLE") != std::string::npos ||
          op.find("CATALOG") != std::string::npos || op.find("SCHEMA") != std::string::npos)
        return T{builtin("name"), false};
      return {};
    }
    if (v.contains("SubLink")) {
      const auto& l = v["SubLink"];
      std::string kind = l.value("subLinkType", "");
      if (kind == "EXISTS_SUBLINK") return T{builtin("boolean"), false};
      if (kind == "EXPR_SUBLINK" || kind == "ARRAY_SUBLINK") {
        Typed first;
        if (l.contains("subselect") && l["subselect"].contains("SelectStmt"))
          if (auto cols = select_columns(l["subselect"]["SelectStmt"], ctes_, false); cols && !cols->empty())
            first = (*cols)[0].second;
        if (kind == "ARRAY_SUBLINK") {
          if (first.type) first.type->array_dims += 1;
          return T{first.type, false};
        }
        return T{first.type, true};  // no row: NULL
      }
      return T{builtin("boolean"), true};  // IN, ANY, ALL
    }
    if (v.contains("A_Expr")) {
      const auto& e = v["A_Expr"];
      std::string kind = e.value("kind", "");
      Typed l = e.contains("lexpr") ? of(e["lexpr"], scope) : Typed{{}, false};
      Typed r = e.contains("rexpr") && !e["rexpr"].is_array() ? of(e["rexpr"], scope) : Typed{{}, true};
      if (kind == "AEXPR_NULLIF") return T{l.type, true};
      if (kind == "AEXPR_DISTINCT" || kind == "AEXPR_NOT_DISTINCT") return T{builtin("boolean"), false};
      if (kind != "AEXPR_OP") return T{builtin("boolean"), true};
      std::string op = e.contains("name") ? string_of(e["name"].back()) : "";
      static const std::set<std::string> comparisons = {"=",   "<>",   "!=", "<",  ">",  "<=",  ">=", "~~", "!~~",
                                                        "~~*", "!~~*", "~",  "~*", "!~", "!~*", "@>", "<@", "&&"};
      if (comparisons.count(op)) return T{builtin("boolean"), l.nullable || r.nullable};
      if (op == "||" && (is_builtin(l, {"text", "character varying", "character"}) ||
                         is_builtin(r, {"text", "character varying", "character"})))
        return T{builtin("text"), l.nullable || r.nullable};
      if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%") {
        if (!e.contains("lexpr")) return T{r.type, r.nullable};  // unary minus
        if (op == "-" && is_builtin(l, {"timestamp with time zone", "timestamp without time zone"}) &&
            is_builtin(r, {"timestamp with time zone", "timestamp without time zone"}))
          return T{builtin("interval"), l.nullable || r.nullable};
        return arithmetic(l, r);
      }
      return {};
    }
    if (v.contains("CaseExpr")) {
      const auto& c = v["CaseExpr"];
      Typed out{{}, !c.contains("defresult")};
      std::vector<const json*> results;
      if (c.contains("args"))
        for (const auto& w : c["args"]) results.push_back(&w["CaseWhen"]["result"]);
      if (c.contains("defresult")) results.push_back(&c["defresult"]);
      for (const auto* r : results) {
        Typed t = of(*r, scope);
        bool null_literal = r->contains("A_Const") && (*r)["A_Const"].contains("isnull");
        if (null_literal) {
          out.nullable = true;
          continue;
        }
        out.nullable |= t.nullable;
        if (!out.type) out.type = t.type;
      }
      return out;
    }
    if (v.contains("CoalesceExpr") || v.contains("MinMaxExpr")) {
      const auto& args = v.contains("CoalesceExpr") ? v["CoalesceExpr"]["args"] : v["MinMaxExpr"]["args"];
      Typed out{{}, true};
      bool all_nullable = true;
      for (const auto& a : args) {
        Typed t = of(a, scope);
        if (!out.type) out.type = t.type;
        all_nullable &= t.nullable;
      }
      out.nullable = all_nullable;
      return out;
    }
    if (v.contains("FuncCall")) return call(v["FuncCall"], scope);
    return {};
  }

  Typed call(const json& c, const Scope& scope) {
    using T = Typed;
    std::vector<std::string> names;
    for (const auto& n : c["funcname"]) names.push_back(string_of(n));
    std::string fn = names.empty() ? "" : names.back();
    std::vector<Typed> args;
    if (c.contains("args"))
      for (const auto& a : c["args"]) args.push_back(of(a, scope));
    bool any_null = std::any_of(args.begin(), args.end(), [](const Typed& t) { return t.nullable; });
    Typed first = args.empty() ? Typed{} : args[0];
    bool window = c.contains("over");
    if (names.size() == 1 || names[0] == "pg_catalog") {
      if (fn == "count") return T{builtin("bigint"), false};
      if (window && (fn == "row_number" || fn == "rank" || fn == "dense_rank" || fn == "ntile"))
        return T{builtin(fn == "ntile" ? "integer" : "bigint"), false};
      if (fn == "min" || fn == "max") return T{first.type, true};
      if (fn == "sum" || fn == "avg") {
        if (!first.type || first.type->array_dims) return {};
        const auto* b = model::builtin_by_name(first.type->builtin);
        if (!b) return {};
        using F = model::TypeFamily;
        if (b->family == F::floating) return T{fn == "avg" ? builtin("double precision") : *first.type, true};
        if (b->family == F::integer && fn == "sum")
          return T{builtin(b->integer_rank <= 2 ? "bigint" : "numeric"), true};
        if (b->family == F::integer || b->family == F::numeric) return T{builtin("numeric"), true};
        if (b->family == F::interval) return T{*first.type, true};
        return {};
      }
      if (fn == "bool_and" || fn == "bool_or" || fn == "every") return T{builtin("boolean"), true};
      if (fn == "string_agg") return T{builtin("text"), true};
      if (fn == "array_agg") {
        if (!first.type) return {};
        model::Type t = *first.type;
        t.array_dims += 1;
        return T{t, true};
      }
      if (fn == "json_agg" || fn == "json_build_object" || fn == "to_json") return T{builtin("json"), fn == "json_agg"};
      if (fn == "jsonb_agg" || fn == "jsonb_build_object" || fn == "to_jsonb")
        return T{builtin("jsonb"), fn == "jsonb_agg"};
      if (fn == "now" || fn == "clock_timestamp" || fn == "statement_timestamp" || fn == "transaction_timestamp")
        return T{builtin("timestamp with time zone"), false};
      if (fn == "gen_random_uuid") return T{builtin("uuid"), false};
      if (fn == "lower" || fn == "upper" || fn == "trim" || fn == "btrim" || fn == "ltrim" || fn == "rtrim" ||
          fn == "substr" || fn == "substring" || fn == "replace" || fn == "left" || fn == "right" || fn == "md5" ||
          fn == "initcap")
        return T{builtin("text"), any_null};
      if (fn == "concat" || fn == "concat_ws") return T{builtin("text"), false};
      if (fn == "length" || fn == "char_length" || fn == "octet_length") return T{builtin("integer"), any_null};
      if (fn == "date_trunc" && args.size() == 2) return T{args[1].type, any_null};
      if (fn == "abs" || fn == "round" || fn == "ceil" || fn == "floor") return T{first.type, any_null};
    }
    // A function of the schema: its declared result (any result may be NULL).
    model::QualifiedName n;
    n.name = fn;
    n.schema = names.size() >= 2 ? names[names.size() - 2] : "public";
    for (const auto* f : s_.overloads(n))
      if (f->parameters.size() == args.size() && f->return_type && !f->returns_setof) return T{*f->return_type, true};
    return {};
  }

  // ---- SELECT and RETURNING ------------------------------------------------------------

  // The columns a target list produces over `scope`; reports each one whose type or
  // name cannot be told (unless quiet). nullopt when one cannot be told.
  std::optional<std::vector<std::pair<std::string, Typed>>> targets(const json& list, const Scope& scope, bool report) {
    std::vector<std::pair<std::string, Typed>> out;
    bool complete = true;
    for (const auto& item : list) {
      const auto& t = item["ResTarget"];
      const auto& val = t["val"];
      std::size_t location = t.value("location", 0u);
      if (val.contains("ColumnRef") && val["ColumnRef"]["fields"].back().contains("A_Star")) {
        const auto& fields = val["ColumnRef"]["fields"];
        std::string qualifier = fields.size() >= 2 ? string_of(fields[fields.size() - 2]) : "";
        for (const auto& e : scope) {
          if (!qualifier.empty() && e.alias != qualifier) continue;
          if (!e.known) {
            complete = false;
            if (report && !quiet_)
              diags_.error(at(location), "query '" + q_.name +
                                             "': the columns of '*' cannot be told here (a function or a relation "
                                             "whose columns are unknown): list the columns, with casts");
            break;
          }
          for (const auto& c : e.columns) out.push_back(c);
        }
        continue;
      }
      std::string name = t.value("name", "");
      if (name.empty()) name = column_name(val).value_or("");
      Typed type = of(val, scope);
      if (name.empty() || name == "?column?") {
        complete = false;
        if (report && !quiet_)
          diags_.error(at(location), "query '" + q_.name + "': name this column with AS (its C++ member takes it)");
        continue;
      }
      if (!type.type) {
        complete = false;
        if (report && !quiet_)
          diags_.error(at(location), "query '" + q_.name + "': cannot tell the type of column '" + name +
                                         "': cast it (e.g. (...)::text) so that its C++ type is known");
        continue;
      }
      out.emplace_back(name, type);
    }
    if (!complete) return std::nullopt;
    return out;
  }

  std::map<std::string, std::vector<Entry>> with(const json& stmt, std::map<std::string, std::vector<Entry>> ctes) {
    if (!stmt.contains("withClause")) return ctes;
    const auto& w = stmt["withClause"].contains("WithClause") ? stmt["withClause"]["WithClause"] : stmt["withClause"];
    if (!w.contains("ctes")) return ctes;
    for (const auto& cte : w["ctes"]) {
      const auto& c = cte.contains("CommonTableExpr") ? cte["CommonTableExpr"] : cte;
      if (!c.contains("ctequery")) continue;
      Entry e;
      e.alias = c.value("ctename", "");
      if (c["ctequery"].contains("SelectStmt")) {
        bool quiet = quiet_;
        quiet_ = true;
        if (auto cols = select_columns(c["ctequery"]["SelectStmt"], ctes, false)) {
          e.known = true;
          e.columns = std::move(*cols);
          if (c.contains("aliascolnames"))
            for (std::size_t i = 0; i < c["aliascolnames"].size() && i < e.columns.size(); ++i)
              e.columns[i].first = string_of(c["aliascolnames"][i]);
        }
        quiet_ = quiet;
      }
      ctes[e.alias] = {e};
    }
    return ctes;
  }

  std::optional<std::vector<std::pair<std::string, Typed>>> select_columns(
      const json& s, const std::map<std::string, std::vector<Entry>>& outer_ctes, bool report) {
    auto ctes = with(s, outer_ctes);
    std::string op = s.value("op", "SETOP_NONE");
    if (op != "SETOP_NONE") {
      auto left = select_columns(s["larg"], ctes, report);
      auto right = select_columns(s["rarg"], ctes, false);
      if (left && right && left->size() == right->size())
        for (std::size_t i = 0; i < left->size(); ++i) {
          (*left)[i].second.nullable |= (*right)[i].second.nullable;
          if (!(*left)[i].second.type) (*left)[i].second.type = (*right)[i].second.type;
        }
      return left;
    }
    if (s.contains("valuesLists")) {
      std::vector<std::pair<std::string, Typed>> out;
      const auto& rows = s["valuesLists"];
      if (rows.empty()) return out;
      const auto& first = rows[0]["List"]["items"];
      for (std::size_t i = 0; i < first.size(); ++i) {
        Typed t = of(first[i], {});
        for (const auto& row : rows) t.nullable |= of(row["List"]["items"][i], {}).nullable;
        if (!t.type) {
          if (report && !quiet_)
            diags_.error(at(location_of(first[i])), "query '" + q_.name + "': cannot tell the type of column " +
                                                        std::to_string(i + 1) + ": cast it");
          return std::nullopt;
        }
        out.emplace_back("column" + std::to_string(i + 1), t);
      }
      return out;
    }
    Scope scope;
    auto saved = ctes_;
    ctes_ = ctes;
    if (s.contains("fromClause"))
      for (const auto& item : s["fromClause"]) from_item(item, scope, ctes);
    std::optional<std::vector<std::pair<std::string, Typed>>> out;
    if (s.contains("targetList")) out = targets(s["targetList"], scope, report);
    ctes_ = saved;
    return out;
  }

  static std::size_t location_of(const json& node) {
    for (const auto& [k, v] : node.items())
      if (v.is_object() && v.contains("location")) return v["location"].get<std::size_t>();
    return 0;
  }

  // The scope of an INSERT, UPDATE or DELETE: its target table (and FROM / USING).
  Scope dml_scope(const json& stmt, const std::map<std::string, std::vector<Entry>>& ctes) {
    Scope scope;
    json target = {{"RangeVar", stmt["relation"]}};
    from_item(target, scope, ctes);
    for (const char* key : {"fromClause", "usingClause"})
      if (stmt.contains(key))
        for (const auto& item : stmt[key]) from_item(item, scope, ctes);
    return scope;
  }

  // ---- parameters -------------------------------------------------------------------

  // Where a parameter meets a typed value (a comparison, a cast, a target column, a
  // limit), their types must be compatible.
  void parameter_uses(const json& j, const Scope& scope) {
    if (j.is_array()) {
      for (const auto& x : j) parameter_uses(x, scope);
      return;
    }
    if (!j.is_object()) return;
    if (j.contains("A_Expr")) {
      const auto& e = j["A_Expr"];
      std::string kind = e.value("kind", "");
      if (e.contains("lexpr") && e.contains("rexpr") && !e["rexpr"].is_array() && kind != "AEXPR_NULLIF") {
        auto l = of(e["lexpr"], scope), r = of(e["rexpr"], scope);
        bool any = kind == "AEXPR_OP_ANY" || kind == "AEXPR_OP_ALL";
        if (any && r.type && r.type->array_dims > 0) r.type->array_dims -= 1;
        meet(e["lexpr"], r);
        if (!any)
          meet(e["rexpr"], l);
        else if (e["rexpr"].contains("ParamRef") && l.type) {
          Typed array = l;
          array.type->array_dims += 1;
          meet(e["rexpr"], array);
        }
      }
      if (e.contains("lexpr") && e.contains("rexpr") && e["rexpr"].is_array() && kind == "AEXPR_IN") {
        auto l = of(e["lexpr"], scope);
        for (const auto& item : e["rexpr"]) meet(item, l);
      }
    }
    if (j.contains("TypeCast")) {
      const auto& c = j["TypeCast"];
      if (c.contains("arg")) meet(c["arg"], Typed{named_type(c["typeName"]), false});
    }
    for (const auto& [k, v] : j.items()) parameter_uses(v, scope);
  }

  // `node` is used where a `expected` value goes: a parameter there must fit.
  void meet(const json& node, const Typed& expected) {
    if (!node.contains("ParamRef") || !expected.type) return;
    int n = node["ParamRef"].value("number", 0);
    if (n < 1 || static_cast<std::size_t>(n) > q_.parameters.size()) return;
    const auto& p = q_.parameters[static_cast<std::size_t>(n - 1)];
    if (p.type.builtin.empty() && !p.type.named_type) return;  // unresolved: reported already
    if (!compatible(p.type, *expected.type, s_))
      diags_.error(at(node["ParamRef"].value("location", 0u)),
                   "query '" + q_.name + "': $" + std::to_string(n) + " is parameter '" + p.name + "' of type " +
                       p.type.sql() + ", used where a value of type " + expected.type->sql() +
                       " goes: declare the parameter with that type, or cast it");
  }

  std::map<std::string, std::vector<Entry>> ctes_;

 private:
  const model::Schema& s_;
  const model::Query& q_;
  Diagnostics& diags_;
  int file_;
  std::uint32_t begin_;
  std::size_t size_;
  std::set<model::QualifiedName> in_views_;

 public:
  bool quiet_ = false;  // unknown result types are not reported
};

// Every $n of the tree, with where it is.
void params_in(const json& j, std::vector<std::pair<int, std::size_t>>& out) {
  if (j.is_array()) {
    for (const auto& x : j) params_in(x, out);
  } else if (j.is_object()) {
    if (auto it = j.find("ParamRef"); it != j.end() && it->is_object())
      out.emplace_back(it->value("number", 0), it->value("location", 0u));
    for (const auto& [k, v] : j.items()) params_in(v, out);
  }
}

}  // namespace

void check_named_query(Diagnostics& diags, int file, std::uint32_t begin, const ast::Query& q, const json& tree,
                       const model::Schema& model, model::Query& out, bool names_ok) {
  Inference inference(model, out, diags, file, begin, q.query.text.size());
  inference.quiet_ = !names_ok;
  inference.parse_view_ = [](const std::string& query) -> std::optional<json> {
    PgQueryParseResult r = pg_query_parse(query.c_str());
    std::optional<json> tree;
    if (!r.error) tree = json::parse(r.parse_tree);
    pg_query_free_parse_result(r);
    return tree;
  };
  std::string what = "query '" + q.name.text + "'";
  const auto& stmts = tree.contains("stmts") ? tree["stmts"] : json::array();
  if (stmts.empty()) {
    diags.error(inference.at(0), what + " has no statement");
    return;
  }
  if (stmts.size() > 1) {
    diags.error(inference.at(stmts[1].value("stmt_location", 0u)),
                what + " is one statement, not " + std::to_string(stmts.size()));
    return;
  }
  std::size_t start = stmts[0].value("stmt_location", 0u);
  while (start < q.query.text.size() && std::isspace(static_cast<unsigned char>(q.query.text[start]))) ++start;
  const auto& stmt = stmts[0]["stmt"];

  // Parameters: each $n is declared, each declared one is used.
  std::vector<std::pair<int, std::size_t>> refs;
  params_in(stmt, refs);
  std::set<int> used;
  for (const auto& [n, location] : refs) {
    if (n < 1 || static_cast<std::size_t>(n) > out.parameters.size())
      diags.error(inference.at(location), what + " has " + std::to_string(out.parameters.size()) + " parameter" +
                                              (out.parameters.size() == 1 ? "" : "s") + ": $" + std::to_string(n) +
                                              " names none of them");
    used.insert(n);
  }
  for (std::size_t i = 0; i < q.parameters.size(); ++i)
    if (!used.count(static_cast<int>(i + 1)))
      diags.error({file, q.parameters[i].name.span.begin, q.parameters[i].name.span.end},
                  "parameter '" + q.parameters[i].name.text + "' of " + what + " is not used: write $" +
                      std::to_string(i + 1) + " where it goes, or remove it");

  const char* kinds[] = {"SelectStmt", "InsertStmt", "UpdateStmt", "DeleteStmt"};
  std::string kind;
  for (const char* k : kinds)
    if (stmt.contains(k)) kind = k;
  if (kind.empty() || (kind == "SelectStmt" && stmt[kind].contains("intoClause"))) {
    diags.error(inference.at(start), what + " is a SELECT, INSERT, UPDATE or DELETE");
    return;
  }
  const auto& s = stmt[kind];
  bool rows = kind == "SelectStmt" || s.contains("returningList");
  if (q.returns != "exec" && !rows) {
    diags.error(inference.at(start), what + " returns " + q.returns +
                                         " but its statement returns no rows: add RETURNING, or declare it "
                                         "'returns exec' (rows affected)");
    return;
  }

  if (kind == "SelectStmt") {
    auto ctes = inference.with(s, {});
    inference.ctes_ = ctes;
    // Parameters meet typed values in every SELECT of the tree, each with its own FROM.
    std::function<void(const json&)> walk = [&](const json& j) {
      if (j.is_array()) {
        for (const auto& x : j) walk(x);
        return;
      }
      if (!j.is_object()) return;
      if (j.contains("SelectStmt") && j["SelectStmt"].contains("targetList")) {
        const auto& sel = j["SelectStmt"];
        Scope scope;
        if (sel.contains("fromClause"))
          for (const auto& item : sel["fromClause"]) inference.from_item(item, scope, ctes);
        for (const char* key : {"targetList", "whereClause", "havingClause", "groupClause"})
          if (sel.contains(key)) inference.parameter_uses(sel[key], scope);
        if (sel.contains("limitCount")) inference.meet(sel["limitCount"], Typed{builtin("bigint"), false});
        if (sel.contains("limitOffset")) inference.meet(sel["limitOffset"], Typed{builtin("bigint"), false});
        if (sel.contains("fromClause")) walk(sel["fromClause"]);
        for (const char* key : {"larg", "rarg", "withClause"})
          if (sel.contains(key)) walk(sel[key]);
        return;
      }
      for (const auto& [k, v] : j.items()) walk(v);
    };
    json wrapped = {{"SelectStmt", s}};
    walk(wrapped);
    if (auto cols = inference.select_columns(s, {}, true))
      for (auto& [name, t] : *cols) out.columns.push_back({name, *t.type, t.nullable});
    return;
  }

  // INSERT, UPDATE, DELETE
  auto ctes = inference.with(s, {});
  inference.ctes_ = ctes;
  Scope scope = inference.dml_scope(s, ctes);
  if (kind == "InsertStmt" && !scope.empty() && scope[0].known) {
    // Each value goes to its target column.
    std::vector<Typed> targets;
    if (s.contains("cols")) {
      for (const auto& c : s["cols"]) {
        std::string name = c["ResTarget"].value("name", "");
        Typed t;
        for (const auto& [n, type] : scope[0].columns)
          if (n == name) t = type;
        targets.push_back(t);
      }
    } else {
      for (const auto& [n, type] : scope[0].columns) targets.push_back(type);
    }
    if (s.contains("selectStmt") && s["selectStmt"].contains("SelectStmt")) {
      const auto& sel = s["selectStmt"]["SelectStmt"];
      if (sel.contains("valuesLists"))
        for (const auto& row : sel["valuesLists"]) {
          const auto& items = row["List"]["items"];
          for (std::size_t i = 0; i < items.size() && i < targets.size(); ++i) inference.meet(items[i], targets[i]);
          inference.parameter_uses(items, scope);
        }
    }
  }
  if (kind == "UpdateStmt" && s.contains("targetList"))
    for (const auto& t : s["targetList"]) {
      std::string name = t["ResTarget"].value("name", "");
      for (const auto& [n, type] : scope.empty() ? std::vector<std::pair<std::string, Typed>>{} : scope[0].columns)
        if (n == name) inference.meet(t["ResTarget"]["val"], type);
      inference.parameter_uses(t["ResTarget"]["val"], scope);
    }
  if (s.contains("whereClause")) inference.parameter_uses(s["whereClause"], scope);
  if (s.contains("returningList")) {
    inference.parameter_uses(s["returningList"], scope);
    if (auto cols = inference.targets(s["returningList"], scope, true))
      for (auto& [name, t] : *cols) out.columns.push_back({name, *t.type, t.nullable});
  }
}

}  // namespace schemac::check
