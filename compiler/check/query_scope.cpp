#include "check/query_scope.hpp"

#include <algorithm>
#include <set>

#include "diag/diagnostics.hpp"

namespace schemac::check {
namespace {

using json = nlohmann::json;

struct Relation {
  std::string alias;                         // how the query refers to it
  ColumnList columns;                        // null: cannot tell
  std::string display;                       // for messages
  std::optional<model::QualifiedName> name;  // a table or view (not a CTE, subquery or function)
};

struct Scope {
  std::vector<Relation> relations;
  std::vector<std::string> output_names;  // ORDER BY and GROUP BY may name these
  std::set<std::string> ctes;
};

std::string sval(const json& j) {
  if (j.is_object() && j.contains("String")) return j["String"].value("sval", "");
  return "";
}

const json& unwrap(const json& j, const char* kind) { return j.contains(kind) ? j[kind] : j; }

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Walks statements with a stack of scopes (one per SELECT level) and records the
// column references that cannot resolve.
class Walker {
 public:
  explicit Walker(const ColumnLookup& lookup) : lookup_(lookup) {}

  std::vector<ColumnProblem> problems;
  std::vector<Scope> scopes;
  std::vector<model::ColumnUse>* uses = nullptr;  // when set, every column read is recorded
  bool dml = false;                               // INSERT, UPDATE and DELETE are read too

  void node(const json& j) {
    if (j.is_array()) {
      for (const auto& x : j) node(x);
      return;
    }
    if (!j.is_object()) return;
    for (const auto& [key, value] : j.items()) {
      if (key == "SelectStmt")
        select(value);
      else if (dml && (key == "InsertStmt" || key == "UpdateStmt" || key == "DeleteStmt"))
        write(value);
      else if (key == "ColumnRef")
        column(value);
      else
        node(value);
    }
  }

  void select(const json& s) {
    if (s.value("op", "SETOP_NONE") != "SETOP_NONE") {
      scopes.emplace_back();
      with(s);
      if (s.contains("larg")) select(s["larg"]);
      if (s.contains("rarg")) select(s["rarg"]);
      // The ORDER BY of a set operation names its output columns: not checked.
      scopes.back().relations.push_back({"", nullptr, "", std::nullopt});
      for (const char* k : {"sortClause", "limitCount", "limitOffset"})
        if (s.contains(k)) node(s[k]);
      scopes.pop_back();
      return;
    }
    scopes.emplace_back();
    with(s);
    if (s.contains("fromClause"))
      for (const auto& item : s["fromClause"]) from_item(item);
    if (s.contains("targetList"))
      for (const auto& t : s["targetList"])
        if (t.contains("ResTarget") && t["ResTarget"].contains("name"))
          scopes.back().output_names.push_back(t["ResTarget"]["name"].get<std::string>());
    for (const char* k : {"targetList", "whereClause", "groupClause", "havingClause", "sortClause", "distinctClause",
                          "windowClause", "valuesLists", "limitCount", "limitOffset"})
      if (s.contains(k)) node(s[k]);
    scopes.pop_back();
  }

  // INSERT, UPDATE, DELETE (named queries): the target table is in scope for WHERE
  // and RETURNING, and the columns it writes must exist (they are recorded as read:
  // code that writes a renamed column breaks as well).
  void write(const json& s) {
    scopes.emplace_back();
    with(s);
    if (s.contains("relation")) from_item(json{{"RangeVar", s["relation"]}});
    for (const char* k : {"fromClause", "usingClause"})
      if (s.contains(k))
        for (const auto& item : s[k]) from_item(item);
    auto target = [&](const json& t) {
      const auto& r = unwrap(t, "ResTarget");
      std::string name = r.value("name", "");
      if (name.empty() || scopes.back().relations.empty()) return;
      const Relation& rel = scopes.back().relations.front();
      use(rel, name);
      if (rel.columns && !contains(*rel.columns, name))
        problems.push_back({r.value("location", 0u), "column '" + name + "' does not exist in " + rel.display +
                                                         did_you_mean(name, *rel.columns)});
    };
    if (s.contains("cols"))
      for (const auto& t : s["cols"]) target(t);
    if (s.contains("targetList"))  // UPDATE ... SET
      for (const auto& t : s["targetList"]) {
        target(t);
        const auto& r = unwrap(t, "ResTarget");
        if (r.contains("val")) node(r["val"]);
      }
    for (const char* k : {"selectStmt", "whereClause", "returningList", "onConflictClause"})
      if (s.contains(k)) node(s[k]);
    scopes.pop_back();
  }

  // The relations a FROM list brings into the innermost scope.
  void from_item(const json& item) {
    // scopes.back() is re-read after each walk: a nested SELECT grows the stack.
    if (item.contains("RangeVar")) {
      const auto& v = item["RangeVar"];
      model::QualifiedName n;
      if (v.contains("schemaname")) n.schema = v["schemaname"].get<std::string>();
      n.name = v.value("relname", "");
      Relation r;
      r.alias = n.name;
      r.display = n.display();
      if (v.contains("alias")) {
        r.alias = v["alias"].value("aliasname", n.name);
        r.display += " (as " + r.alias + ")";
      }
      bool cte = !v.contains("schemaname") && is_cte(n.name);
      bool renamed_columns = v.contains("alias") && v["alias"].contains("colnames");
      if (!cte && !renamed_columns) r.columns = lookup_(n);
      if (!cte) r.name = n;
      scopes.back().relations.push_back(std::move(r));
    } else if (item.contains("RangeSubselect")) {
      const auto& v = item["RangeSubselect"];
      if (v.contains("subquery")) node(v["subquery"]);
      scopes.back().relations.push_back(
          {v.contains("alias") ? v["alias"].value("aliasname", "") : "", nullptr, "", std::nullopt});
    } else if (item.contains("JoinExpr")) {
      const auto& v = item["JoinExpr"];
      std::size_t first = scopes.back().relations.size();
      if (v.contains("larg")) from_item(v["larg"]);
      if (v.contains("rarg")) from_item(v["rarg"]);
      // USING (a, b) and NATURAL read columns of both sides without a ColumnRef.
      for (std::size_t i = first; i < scopes.back().relations.size(); ++i) {
        const Relation& r = scopes.back().relations[i];
        if (v.value("isNatural", false)) use(r, "*");
        if (v.contains("usingClause"))
          for (const auto& u : v["usingClause"]) {
            std::string name = sval(u);
            if (!r.columns)
              use(r, "*");
            else if (contains(*r.columns, name))
              use(r, name);
          }
      }
      if (v.contains("alias"))
        scopes.back().relations.push_back({v["alias"].value("aliasname", ""), nullptr, "", std::nullopt});
      if (v.contains("quals")) node(v["quals"]);
    } else if (item.contains("RangeFunction")) {
      const auto& v = item["RangeFunction"];
      if (v.contains("functions")) node(v["functions"]);
      std::string alias = v.contains("alias") ? v["alias"].value("aliasname", "") : "";
      // Without an alias the relation takes the function's name: left anonymous.
      scopes.back().relations.push_back({alias, nullptr, "", std::nullopt});
    } else {
      node(item);
      scopes.back().relations.push_back({"", nullptr, "", std::nullopt});
    }
  }

 private:
  void with(const json& s) {
    if (!s.contains("withClause")) return;
    const auto& w = unwrap(s["withClause"], "WithClause");
    if (!w.contains("ctes")) return;
    for (const auto& c : w["ctes"]) {
      const auto& cte = unwrap(c, "CommonTableExpr");
      scopes.back().ctes.insert(cte.value("ctename", ""));
      if (cte.contains("ctequery")) node(cte["ctequery"]);
    }
  }

  bool is_cte(const std::string& name) const {
    for (const auto& s : scopes)
      if (s.ctes.count(name)) return true;
    return false;
  }

  void column(const json& ref) {
    if (!ref.contains("fields")) return;
    std::vector<std::string> parts;
    bool star = false;
    for (const auto& f : ref["fields"]) {
      if (f.contains("A_Star"))
        star = true;
      else
        parts.push_back(sval(f));
    }
    std::size_t at = ref.value("location", 0u);
    if (parts.empty()) {
      if (star && !scopes.empty())  // a bare `*`: every column of the innermost FROM list
        for (const auto& r : scopes.back().relations) use(r, "*");
      return;
    }
    if (parts.size() == 1 && !star) return unqualified(parts[0], at);
    const std::string& qualifier = star ? parts.back() : parts[parts.size() - 2];
    const Relation* rel = nullptr;
    bool anonymous = false;  // a relation whose name the walker does not know
    for (auto s = scopes.rbegin(); s != scopes.rend() && !rel; ++s)
      for (const auto& r : s->relations) {
        if (r.alias.empty()) anonymous = true;
        if (r.alias == qualifier) {
          rel = &r;
          break;
        }
      }
    if (!rel) {
      if (!anonymous)
        problems.push_back({at, "no table or alias '" + qualifier + "' in scope here (a FROM entry is missing)"});
      every_relation_in_scope();
      return;
    }
    use(*rel, star ? "*" : parts.back());
    if (star || !rel->columns) return;
    const std::string& name = parts.back();
    if (!contains(*rel->columns, name)) {
      problems.push_back(
          {at, "column '" + name + "' does not exist in " + rel->display + did_you_mean(name, *rel->columns)});
    }
  }

  void use(const Relation& r, const std::string& column) {
    if (uses && r.name) uses->push_back({*r.name, column});
  }
  // A reference that cannot be attributed: it may come from any relation in scope.
  void every_relation_in_scope() {
    for (const auto& s : scopes)
      for (const auto& r : s.relations) use(r, "*");
  }

  void unqualified(const std::string& name, std::size_t at) {
    std::vector<std::string> searched;
    for (auto s = scopes.rbegin(); s != scopes.rend(); ++s) {
      if (contains(s->output_names, name)) return;
      for (const auto& r : s->relations) {
        if (r.columns && contains(*r.columns, name)) return use(r, name);
        if (r.alias == name) return use(r, "*");  // a whole-row reference
        if (!r.columns) {                         // cannot tell: any relation of this level may have it
          for (const auto& other : s->relations) use(other, "*");
          return;
        }
        searched.push_back(r.display);
      }
    }
    std::string where;
    for (std::size_t i = 0; i < searched.size(); ++i) where += (i ? ", " : "") + searched[i];
    std::vector<std::string> candidates;
    for (const auto& s : scopes)
      for (const auto& r : s.relations)
        if (r.columns) candidates.insert(candidates.end(), r.columns->begin(), r.columns->end());
    problems.push_back({at, "column '" + name + "' does not exist" + (where.empty() ? "" : " in " + where) +
                                did_you_mean(name, candidates)});
  }

  const ColumnLookup& lookup_;
};

}  // namespace

std::optional<std::string> column_name(const json& val) {
  if (val.contains("ColumnRef")) {
    const auto& fields = val["ColumnRef"]["fields"];
    if (fields.empty() || fields.back().contains("A_Star")) return std::nullopt;
    return sval(fields.back());
  }
  if (val.contains("FuncCall")) return sval(val["FuncCall"]["funcname"].back());
  if (val.contains("TypeCast")) {
    const auto& cast = val["TypeCast"];
    if (auto inner = column_name(cast["arg"]); inner && *inner != "?column?") return inner;
    const auto& names = cast["typeName"]["names"];
    return names.empty() ? std::nullopt : std::optional<std::string>(sval(names.back()));
  }
  if (val.contains("CaseExpr")) return "case";
  if (val.contains("CoalesceExpr")) return "coalesce";
  if (val.contains("A_Const") || val.contains("A_Expr") || val.contains("BoolExpr")) return "?column?";
  return std::nullopt;
}

ColumnReading read_columns(const json& tree, const ColumnLookup& lookup, const std::vector<RootRelation>& roots,
                           bool writes) {
  ColumnReading out;
  Walker w(lookup);
  w.dml = writes;
  w.uses = &out.uses;
  w.scopes.emplace_back();
  for (const auto& root : roots) w.scopes.back().relations.push_back({root.alias, root.columns, root.alias, root.name});
  if (tree.contains("stmts"))
    for (const auto& s : tree["stmts"])
      if (s.contains("stmt")) w.node(s["stmt"]);
  out.problems = std::move(w.problems);
  std::sort(out.uses.begin(), out.uses.end());
  out.uses.erase(std::unique(out.uses.begin(), out.uses.end()), out.uses.end());
  return out;
}

std::vector<model::ColumnUse> column_uses(const json& tree, const ColumnLookup& lookup,
                                          const std::vector<RootRelation>& roots) {
  return read_columns(tree, lookup, roots).uses;
}

std::optional<std::vector<std::string>> output_columns(const json& tree, const ColumnLookup& lookup) {
  if (!tree.contains("stmts") || tree["stmts"].empty()) return std::nullopt;
  const json& stmt = tree["stmts"][0]["stmt"];
  if (!stmt.contains("SelectStmt")) return std::nullopt;
  const json* s = &stmt["SelectStmt"];
  while (s->value("op", "SETOP_NONE") != "SETOP_NONE" && s->contains("larg")) s = &(*s)["larg"];
  if (!s->contains("targetList")) return std::nullopt;
  Walker w(lookup);
  w.scopes.emplace_back();
  if (s->contains("fromClause"))
    for (const auto& item : (*s)["fromClause"]) w.from_item(item);
  w.problems.clear();
  std::vector<std::string> out;
  for (const auto& t : (*s)["targetList"]) {
    const auto& target = unwrap(t, "ResTarget");
    if (target.contains("name")) {
      out.push_back(target["name"].get<std::string>());
      continue;
    }
    const auto& val = target["val"];
    if (val.contains("ColumnRef") && !val["ColumnRef"]["fields"].empty() &&
        val["ColumnRef"]["fields"].back().contains("A_Star")) {
      const auto& fields = val["ColumnRef"]["fields"];
      std::string qualifier = fields.size() >= 2 ? sval(fields[fields.size() - 2]) : "";
      for (const auto& r : w.scopes.back().relations) {
        if (!qualifier.empty() && r.alias != qualifier) continue;
        if (!r.columns) return std::nullopt;
        out.insert(out.end(), r.columns->begin(), r.columns->end());
      }
      continue;
    }
    auto name = column_name(val);
    if (!name) return std::nullopt;
    out.push_back(*name);
  }
  return out;
}

}  // namespace schemac::check
