// Evolution: a seeded random sequence of schema edits over the planner's constructs.
// Each edit is written as a schema (with its directives), planned from the previous
// state's snapshot, and on PostgreSQL: up + verify -> catalog equals the new model;
// down -> catalog equals the previous model and every table holds the rows it held
// before up (each table keeps one row with no null values); up again. The edits include the hard
// kinds: renames of columns and tables that views, checks, indexes, generated columns
// and policies read, type changes under them, generated expressions, function
// signature changes with index/check/default dependents, enum values used at once,
// swaps, schema moves, policy clauses removed, comments on re-created views, grants on
// views and functions (kept when they are re-created), deferrable references, NULLS NOT
// DISTINCT. 500
// steps by default; the seed is printed on failure; SCHEMAC_EVOLUTION_SEED and
// SCHEMAC_EVOLUTION_STEPS replay or lengthen a run (SCHEMAC_EVOLUTION_LOG=1 lists
// the edits).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>
#include <map>
#include <pqxx/pqxx>
#include <random>
#include <regex>
#include <set>

#include "driver/compile.hpp"
#include "emit/format.hpp"
#include "emit/sql.hpp"
#include "introspect/catalog.hpp"
#include "introspect/pull.hpp"
#include "model/names.hpp"
#include "pg/catalog.hpp"
#include "pg/pg_support.hpp"
#include "plan/plan.hpp"
#include "plan/render.hpp"
#include "plan/snapshot.hpp"
#include "support.hpp"

using namespace schemac;
using model::QualifiedName;
using test::compile_ok;
using test::fresh_database;
using test::report;
using test::rows;
using test::run;

namespace {

// Whether SQL text names `name` (a rough scan, enough for the edit generator to
// avoid edits a view or policy depends on; the compiler itself reads parse trees).
bool query_mentions(const std::string& q, const QualifiedName& name) {
  std::vector<std::string> words;  // identifiers in order, "." kept as its own word
  for (std::size_t i = 0; i < q.size();) {
    char c = q[i];
    if (c == '\'') {
      for (++i; i < q.size() && q[i] != '\''; ++i) {
      }
      ++i;
    } else if (c == '"') {
      std::string id;
      for (++i; i < q.size() && q[i] != '"'; ++i) id += q[i];
      ++i;
      words.push_back(id);
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t j = i;
      while (j < q.size() && (std::isalnum(static_cast<unsigned char>(q[j])) || q[j] == '_' || q[j] == '$')) ++j;
      std::string word = q.substr(i, j - i);
      for (auto& ch : word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      words.push_back(word);
      i = j;
    } else if (c == '.') {
      words.push_back(".");
      ++i;
    } else if (c == '-' && i + 1 < q.size() && q[i + 1] == '-') {
      while (i < q.size() && q[i] != '\n') ++i;
    } else {
      if (!std::isspace(static_cast<unsigned char>(c))) words.push_back(std::string(1, c));
      ++i;
    }
  }
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] != name.name) continue;
    bool qualified = i >= 2 && words[i - 1] == ".";
    if (qualified ? words[i - 2] == name.schema : name.schema == "public") return true;
  }
  return false;
}

const char* const base_schema = R"(
role evo_reader

schema evo_app

enum evo_mood { calm, busy }

domain evo_email text check (value <> '')

type evo_pair {
  a int
  b text
}

function evo_touch() returns trigger language plpgsql as $$ begin return new; end $$

function evo_score(p_x integer) returns integer language sql immutable as $$ select p_x + 1 $$

table t1 {
  id   bigint primary key
  name text
}

table evo_log partition by range (day) {
  id  bigint
  day int
  primary key (id, day)
  index on (day)
}

partition evo_log_rest of evo_log default
)";

class Editor {
 public:
  explicit Editor(unsigned seed) : rng_(seed) {}

  // One random edit of `s` (a state without directives); returns what it did.
  std::string edit(model::Schema& s) {
    for (int attempt = 0; attempt < 50; ++attempt) {
      std::string what = try_edit(s);
      if (!what.empty()) return what;
    }
    return add_table(s);
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool chance(int percent) { return pick(100) < percent; }
  template <typename T>
  T& any(std::vector<T>& v) {
    return v[static_cast<std::size_t>(pick(static_cast<int>(v.size())))];
  }

  std::vector<model::Table*> tables(model::Schema& s) {
    std::vector<model::Table*> out;
    for (auto& t : s.tables)  // the partitioned evo_log has edits of its own (39)
      if (!t.is_extern && !t.archived_as && !t.partition_by) out.push_back(&t);
    return out;
  }

  // A column nothing else refers to: safe to drop, rename or re-type.
  static bool free_column(const model::Schema& s, const model::Table& t, const std::string& c) {
    if (c == "id" || c == "name") return false;
    auto mentions = [&](const std::string& text) {
      return query_mentions(text, {"public", c}) || text.find(c) != std::string::npos;
    };
    for (const auto& other : t.columns)
      if ((other.generated_sql && mentions(*other.generated_sql)) ||
          (other.default_sql && mentions(*other.default_sql)))
        return false;
    for (const auto& k : t.constraints) {
      if (std::find(k.columns.begin(), k.columns.end(), c) != k.columns.end() || mentions(k.check_sql)) return false;
    }
    for (const auto& ix : t.indexes) {
      for (const auto& e : ix.elements)
        if (e.column == c || mentions(e.expression)) return false;
      if (std::find(ix.include.begin(), ix.include.end(), c) != ix.include.end()) return false;
    }
    for (const auto& p : t.policies)
      if ((p.using_sql && mentions(*p.using_sql)) || (p.check_sql && mentions(*p.check_sql))) return false;
    for (const auto& v : s.views)
      if (mentions(v.query)) return false;
    return true;
  }

  std::string fresh(const std::string& prefix) { return prefix + std::to_string(++counter_); }
  int partition_counter_ = 0;  // partition k holds days [-(k+1)*1000, -k*1000)

  static std::string in_schema(const QualifiedName& n) { return n.schema + "." + n.name; }

  // Replaces the identifier `from` by `to` in SQL text this generator wrote.
  static void replace_word(std::string& text, const std::string& from, const std::string& to) {
    text = std::regex_replace(text, std::regex("\\b" + from + "\\b"), to);
  }
  static void replace_word(std::optional<std::string>& text, const std::string& from, const std::string& to) {
    if (text) replace_word(*text, from, to);
  }

  // Column `from` of `t` is renamed to `to`: everything that names it follows.
  static void follow_column_rename(model::Schema& s, model::Table& t, const std::string& from, const std::string& to) {
    auto swap = [&](std::string& name) {
      if (name == from) name = to;
    };
    for (auto& c : t.columns) {
      replace_word(c.generated_sql, from, to);
      replace_word(c.default_sql, from, to);
    }
    for (auto& k : t.constraints) {
      replace_word(k.check_sql, from, to);
      for (auto& col : k.columns) swap(col);
    }
    for (auto& ix : t.indexes) {
      for (auto& e : ix.elements) {
        swap(e.column);
        replace_word(e.expression, from, to);
      }
      for (auto& col : ix.include) swap(col);
      replace_word(ix.where_sql, from, to);
    }
    for (auto& p : t.policies) {
      replace_word(p.using_sql, from, to);
      replace_word(p.check_sql, from, to);
    }
    for (auto& tr : t.triggers) {
      replace_word(tr.when_sql, from, to);
      for (auto& e : tr.events)
        for (auto& col : e.columns) swap(col);
    }
    for (auto& v : s.views)
      if (query_mentions(v.query, t.name)) replace_word(v.query, from, to);
    for (auto& other : s.tables)
      for (auto& k : other.constraints)
        if (k.kind == model::ConstraintKind::foreign_key && k.ref_table == t.name)
          for (auto& col : k.ref_columns) swap(col);
  }

  // Table `t` takes the name `to` (was its old one): views and foreign keys follow.
  static std::string rename_table(model::Schema& s, model::Table& t, const QualifiedName& to) {
    QualifiedName old = t.name;
    t.was = old;
    t.name = to;
    for (auto& other : s.tables)
      for (auto& c : other.constraints)
        if (c.kind == model::ConstraintKind::foreign_key && c.ref_table == old) c.ref_table = to;
    for (auto& v : s.views)
      if (query_mentions(v.query, old)) {
        std::string q = v.query;
        auto at = q.find(in_schema(old));
        if (at != std::string::npos) q.replace(at, in_schema(old).size(), in_schema(to));
        v.query = q;
      }
    // Default constraint and index names follow the table's name.
    for (auto& c : t.constraints)
      if (c.name.rfind(old.name + "_", 0) == 0) c.name.clear();
    for (auto& ix : t.indexes)
      if (ix.name.rfind(old.name + "_", 0) == 0) ix.name.clear();
    return in_schema(old) + " to " + in_schema(to);
  }

  static model::Column* find_column(model::Table& t, const std::string& name) {
    for (auto& c : t.columns)
      if (c.name == name) return &c;
    return nullptr;
  }

  std::string add_table(model::Schema& s) {
    model::Table t;
    t.name = {"public", fresh("t")};
    t.columns.push_back({"id", {"bigint", {}, {}, 0}, false, {}, {}, false, false, {}, {}, {}, {}});
    t.columns.push_back({"name", {"text", {}, {}, 0}, false, std::string("''"), {}, false, false, {}, {}, {}, {}});
    model::Constraint pk;
    pk.kind = model::ConstraintKind::primary_key;
    pk.columns = {"id"};
    t.constraints.push_back(pk);
    auto existing = tables(s);
    if (!existing.empty() && chance(50)) {
      model::Table& target = *any(existing);
      t.columns.push_back({"parent", {"bigint", {}, {}, 0}, true, {}, {}, false, false, {}, {}, {}, {}});
      model::Constraint fk;
      fk.kind = model::ConstraintKind::foreign_key;
      fk.columns = {"parent"};
      fk.ref_table = target.name;
      fk.ref_columns = {"id"};
      fk.on_delete = chance(50) ? "cascade" : "";
      t.constraints.push_back(fk);
    }
    s.tables.push_back(t);
    return "add table " + t.name.name;
  }

  std::string try_edit(model::Schema& s) {
    auto ts = tables(s);
    if (ts.empty() || (ts.size() < 6 && chance(8))) return add_table(s);
    model::Table& t = *any(ts);
    std::vector<std::string> free;
    for (const auto& c : t.columns)
      if (free_column(s, t, c.name)) free.push_back(c.name);
    switch (pick(41)) {
      case 0: {  // add column
        static const char* const types[] = {"integer", "text",  "boolean",
                                            "numeric", "jsonb", "timestamp with time zone"};
        model::Column c;
        c.name = fresh("c");
        c.type.builtin = types[pick(6)];
        if (chance(15)) c.type = {"", QualifiedName{"public", "evo_mood"}, {}, 0, model::TypeKind::enumeration};
        c.nullable = chance(60);
        if (!c.nullable || chance(30)) {
          if (c.type.named_type)
            c.default_sql = "'calm'";
          else if (c.type.builtin == "integer" || c.type.builtin == "numeric")
            c.default_sql = "0";
          else if (c.type.builtin == "text")
            c.default_sql = "'x'";
          else if (c.type.builtin == "boolean")
            c.default_sql = "false";
          else if (c.type.builtin == "jsonb")
            c.default_sql = "'{}'::jsonb";
          else
            c.default_sql = "now()";
        }
        t.columns.push_back(c);
        return "add column " + t.name.name + "." + c.name;
      }
      case 1: {  // drop column (confirmed)
        if (free.empty()) return "";
        std::string c = any(free);
        t.columns.erase(std::find_if(t.columns.begin(), t.columns.end(), [&](auto& x) { return x.name == c; }));
        t.dropped_columns.push_back(c);
        return "drop column " + t.name.name + "." + c;
      }
      case 2: {  // rename column (was)
        if (free.empty()) return "";
        std::string c = any(free);
        for (auto& col : t.columns)
          if (col.name == c) col.was = c, col.name = fresh("r");
        return "rename column " + t.name.name + "." + c;
      }
      case 3: {  // widen a type
        for (auto& col : t.columns) {
          if (!free_column(s, t, col.name)) continue;
          if (col.type.builtin == "integer") {
            col.type.builtin = "bigint";
            return "widen " + t.name.name + "." + col.name;
          }
          if (col.type.builtin == "boolean" && !col.default_sql) {
            col.type.builtin = "text";
            return "boolean to text " + t.name.name + "." + col.name;
          }
        }
        return "";
      }
      case 4: {  // change a default
        if (free.empty()) return "";
        for (auto& col : t.columns)
          if (col.name == free[0] && col.type.builtin == "integer" && !col.generated_sql && !col.serial) {
            col.default_sql = std::to_string(pick(100));
            return "default " + t.name.name + "." + col.name;
          }
        return "";
      }
      case 5: {  // nullability (values are never null, so NOT NULL always applies)
        if (free.empty()) return "";
        for (auto& col : t.columns)
          if (col.name == free.back() && !col.serial) {
            col.nullable = !col.nullable;
            return "nullability " + t.name.name + "." + col.name;
          }
        return "";
      }
      case 6: {  // add an index
        model::Index ix;
        ix.elements.push_back({chance(70) ? "name" : "", "", "", "", "", ""});
        if (ix.elements[0].column.empty()) ix.elements[0].expression = "lower(name)";
        if (chance(30)) ix.where_sql = "name <> ''";
        if (chance(30)) ix.include = {"id"};
        if (chance(20)) ix.elements[0].order = "desc";
        t.indexes.push_back(ix);
        return "add index on " + t.name.name;
      }
      case 7: {  // drop an index
        if (t.indexes.empty()) return "";
        t.indexes.erase(t.indexes.begin() + pick(static_cast<int>(t.indexes.size())));
        return "drop index on " + t.name.name;
      }
      case 8: {  // add a check
        model::Constraint c;
        c.kind = model::ConstraintKind::check;
        c.check_sql = chance(50) ? "length(name) < " + std::to_string(100 + pick(100)) : "id > 0";
        t.constraints.push_back(c);
        return "add check on " + t.name.name;
      }
      case 9: {  // drop or change a check
        for (auto it = t.constraints.begin(); it != t.constraints.end(); ++it)
          if (it->kind == model::ConstraintKind::check) {
            if (chance(50))
              t.constraints.erase(it);
            else
              it->check_sql = "id >= " + std::to_string(pick(3));
            return "change check on " + t.name.name;
          }
        return "";
      }
      case 10: {  // toggle row level security (policies need it)
        if (t.row_level_security && !t.policies.empty()) return "";
        t.row_level_security = !t.row_level_security;
        t.force_row_level_security = t.row_level_security && chance(30);
        return "row level security on " + t.name.name;
      }
      case 11: {  // add a policy
        if (!t.row_level_security) return "";
        model::Policy p;
        p.name = fresh("p");
        static const char* const commands[] = {"all", "select", "insert", "update", "delete"};
        p.command = commands[pick(5)];
        p.permissive = chance(80);
        if (chance(50)) p.roles = {"evo_reader"};
        if (p.command != "insert") p.using_sql = chance(50) ? "true" : "id > 0";
        if (p.command == "insert" || p.command == "update" || p.command == "all") p.check_sql = "name <> 'x'";
        t.policies.push_back(p);
        return "add policy on " + t.name.name;
      }
      case 12: {  // alter or drop a policy
        if (t.policies.empty()) return "";
        auto& p = any(t.policies);
        if (chance(30)) {
          std::string n = p.name;
          t.policies.erase(std::find_if(t.policies.begin(), t.policies.end(), [&](auto& x) { return x.name == n; }));
          return "drop policy on " + t.name.name;
        }
        if (p.using_sql) p.using_sql = "id > " + std::to_string(pick(10));
        p.roles = p.roles.empty() ? std::vector<std::string>{"evo_reader"} : std::vector<std::string>{};
        if (chance(30)) p.permissive = !p.permissive;
        return "alter policy on " + t.name.name;
      }
      case 13: {  // add or drop a trigger
        if (!t.triggers.empty() && chance(50)) {
          t.triggers.pop_back();
          return "drop trigger on " + t.name.name;
        }
        model::Trigger tr;
        tr.name = fresh("tr");
        tr.timing = chance(50) ? "before" : "after";
        tr.events = {{"update", chance(50) ? std::vector<std::string>{"name"} : std::vector<std::string>{}, {}}};
        if (chance(50)) tr.events.push_back({"insert", {}, {}});
        tr.for_each_row = true;
        if (chance(30)) tr.when_sql = "new.name <> ''";
        tr.function = {"public", "evo_touch"};
        t.triggers.push_back(tr);
        return "add trigger on " + t.name.name;
      }
      case 14: {  // add, change or drop a view
        if (!s.views.empty() && chance(40)) {
          auto& v = any(s.views);
          if (chance(50)) {
            QualifiedName n = v.name;
            s.views.erase(std::find_if(s.views.begin(), s.views.end(), [&](auto& x) { return x.name == n; }));
            return "drop view";
          }
          v.query = v.query.substr(0, v.query.find(" where ")) + " where id > " + std::to_string(pick(5));
          v.security_invoker = !v.security_invoker;
          return "change view " + v.name.name;
        }
        model::View v;
        v.name = {"public", fresh("v")};
        v.query = "select id, name from " + in_schema(t.name);
        s.views.push_back(v);
        return "add view over " + t.name.name;
      }
      case 15: {  // add an enum value
        auto& e = s.enums.front();
        std::string value = fresh("m");
        if (chance(50))
          e.values.push_back(value);
        else
          e.values.insert(e.values.begin() + pick(static_cast<int>(e.values.size())), value);
        return "enum value " + value;
      }
      case 16: {  // change a function's body
        for (auto& f : s.functions)
          if (f.name.name == "evo_score" && f.argument_types_sql() != "text") {
            f.body = " select p_x + " + std::to_string(pick(100)) + " ";
            if (chance(30)) f.volatility = f.volatility == "immutable" ? "stable" : "immutable";
            return "function body";
          }
        return "";
      }
      case 17: {  // comments
        if (chance(50))
          t.doc = t.doc.empty() ? model::Doc{"Doc " + fresh("d")} : model::Doc{};
        else
          any(t.columns).doc = {"Column " + fresh("d")};
        return "comment on " + t.name.name;
      }
      case 18: {  // grants
        if (t.grants.empty())
          t.grants.push_back({"evo_reader", {"SELECT"}});
        else if (chance(50))
          t.grants.clear();
        else
          t.grants[0].privileges = {"SELECT", "INSERT", "UPDATE"};
        return "grants on " + t.name.name;
      }
      case 19: {  // drop a table nothing refers to (confirmed)
        for (const auto& other : s.tables)
          for (const auto& c : other.constraints)
            if (c.kind == model::ConstraintKind::foreign_key && c.ref_table == t.name && &other != &t) return "";
        for (const auto& v : s.views)
          if (query_mentions(v.query, t.name)) return "";
        QualifiedName n = t.name;
        s.tables.erase(std::find_if(s.tables.begin(), s.tables.end(), [&](auto& x) { return x.name == n; }));
        s.dropped_tables.push_back({n, {}});
        return "drop table " + n.name;
      }
      case 20: {  // rename a table, views and foreign keys that name it following (was)
        return "rename table " + rename_table(s, t, {t.name.schema, fresh("t")});
      }
      case 21: {  // columns that other objects read: a generated column, a view, a check
        model::Column c;
        c.name = fresh("c");
        c.type.builtin = "integer";
        c.nullable = true;
        model::Column g;
        g.name = fresh("g");
        g.type.builtin = "integer";
        g.nullable = true;
        g.generated_sql = c.name + " * 2";
        if (chance(50)) g.doc = {"Twice " + c.name + "."};
        t.columns.push_back(c);
        t.columns.push_back(g);
        if (chance(50)) {
          model::Index ix;
          ix.elements.push_back({g.name, "", "", "", "", ""});
          if (chance(50)) ix.where_sql = c.name + " > 0";
          t.indexes.push_back(ix);
        }
        if (chance(50)) {
          model::Constraint k;
          k.kind = model::ConstraintKind::check;
          k.check_sql = c.name + " is null or " + c.name + " >= 0";
          t.constraints.push_back(k);
        }
        if (chance(60)) {
          model::View v;
          v.name = {"public", fresh("v")};
          v.query = "select id, " + c.name + ", " + g.name + " from " + in_schema(t.name);
          if (chance(50)) v.doc = {"Over " + t.name.name + "."};
          s.views.push_back(v);
        }
        if (t.row_level_security && chance(50)) {
          model::Policy p;
          p.name = fresh("p");
          p.command = "select";
          p.using_sql = c.name + " is null or " + c.name + " > -1";
          t.policies.push_back(p);
        }
        return "used columns " + t.name.name + "." + c.name + ", " + g.name;
      }
      case 22: {  // rename a column that other objects read
        std::vector<std::string> used;
        for (const auto& c : t.columns)
          if (c.name != "id" && c.name != "name" && !free_column(s, t, c.name)) used.push_back(c.name);
        if (used.empty()) return "";
        std::string from = any(used), to = fresh("r");
        find_column(t, from)->was = from;
        find_column(t, from)->name = to;
        follow_column_rename(s, t, from, to);
        return "rename used column " + t.name.name + "." + from + " to " + to;
      }
      case 23: {  // change a generated column's expression
        for (auto& c : t.columns)
          if (c.generated_sql) {
            auto at = c.generated_sql->rfind(" * ");
            if (at == std::string::npos) continue;
            std::string factor = c.generated_sql->substr(at + 3) == "2" ? "3" : "2";
            c.generated_sql = c.generated_sql->substr(0, at + 3) + factor;
            return "generated expression " + t.name.name + "." + c.name;
          }
        return "";
      }
      case 24: {  // integer -> bigint on a column that other objects may read
        for (auto& c : t.columns)
          if (c.type.builtin == "integer" && c.name != "id" && chance(70)) {
            c.type.builtin = "bigint";
            return "retype used column " + t.name.name + "." + c.name;
          }
        return "";
      }
      case 25: {  // call evo_score from an index, a check or a default
        int kind = pick(3);
        if (kind == 0) {
          model::Index ix;
          ix.elements.push_back({"", "evo_score(length(name))", "", "", "", ""});
          t.indexes.push_back(ix);
        } else if (kind == 1) {
          model::Constraint k;
          k.kind = model::ConstraintKind::check;
          k.check_sql = "evo_score(length(name)) > 0";
          t.constraints.push_back(k);
        } else {
          model::Column c;
          c.name = fresh("s");
          c.type.builtin = "integer";
          c.nullable = true;
          c.default_sql = "evo_score(1)";
          t.columns.push_back(c);
        }
        return "evo_score used on " + t.name.name;
      }
      case 26: {  // evo_score's signature changes (a parameter comes or goes), or an overload comes or goes
        if (chance(40)) {
          auto it = std::find_if(s.functions.begin(), s.functions.end(), [](const model::Function& f) {
            return f.name.name == "evo_score" && f.argument_types_sql() == "text";
          });
          if (it != s.functions.end()) {
            s.functions.erase(it);
            return "evo_score(text) dropped";
          }
          model::Function f;
          f.name = {"public", "evo_score"};
          f.parameters.push_back({"p_t", {"text", {}, {}, 0}, {}});
          f.returns = "integer";
          f.return_type = model::Type{"integer", {}, {}, 0};
          f.volatility = "immutable";
          f.body = " select length(p_t) ";
          s.functions.push_back(f);
          std::stable_sort(s.functions.begin(), s.functions.end(),
                           [](const model::Function& a, const model::Function& b) { return a.id() < b.id(); });
          return "evo_score(text) added";
        }
        for (auto& f : s.functions)
          if (f.name.name == "evo_score" && f.argument_types_sql() != "text") {
            if (f.parameters.size() == 1)
              f.parameters.push_back({"p_y", {"integer", {}, {}, 0}, std::string("0")});
            else
              f.parameters.resize(1);
            return "evo_score signature";
          }
        return "";
      }
      case 27: {  // an enum value added and used at once
        auto& e = s.enums.front();
        std::string value = fresh("m");
        e.values.push_back(value);
        for (auto& c : t.columns)
          if (c.type.named_type && !c.generated_sql) {
            c.default_sql = "'" + value + "'";
            return "enum value " + value + " used by " + t.name.name + "." + c.name;
          }
        model::Column c;
        c.name = fresh("c");
        c.type = {"", QualifiedName{"public", "evo_mood"}, {}, 0, model::TypeKind::enumeration};
        c.default_sql = "'" + value + "'";
        t.columns.push_back(c);
        return "enum value " + value + " used by a new column " + t.name.name + "." + c.name;
      }
      case 28: {  // two free columns swap names
        if (free.size() < 2) return "";
        std::string a = free[0], b = free[1];
        find_column(t, a)->was = a;
        find_column(t, b)->was = b;
        find_column(t, a)->name = b;
        find_column(t, b)->name = a;
        return "swap columns " + t.name.name + "." + a + " and " + b;
      }
      case 29: {  // move a table to the other schema (was)
        std::string to = t.name.schema == "public" ? "evo_app" : "public";
        return "move table " + rename_table(s, t, {to, t.name.name});
      }
      case 30: {  // a policy loses one of its two clauses
        for (auto& p : t.policies)
          if (p.using_sql && p.check_sql) {
            if (chance(50))
              p.using_sql.reset();
            else
              p.check_sql.reset();
            return "policy clause removed on " + t.name.name;
          }
        return "";
      }
      case 31: {  // a view's comment
        if (s.views.empty()) return "";
        auto& v = any(s.views);
        v.doc = v.doc.empty() ? model::Doc{"View " + fresh("d")} : model::Doc{};
        return "comment on view " + v.name.name;
      }
      case 33: {  // a reference made deferrable (or not), a unique key NULLS NOT DISTINCT (or not)
        for (auto& c : t.constraints)
          if (c.kind == model::ConstraintKind::foreign_key && chance(50)) {
            c.deferrable = !c.deferrable;
            c.initially_deferred = c.deferrable && chance(50);
            return "deferrable reference on " + t.name.name;
          }
        for (auto& c : t.constraints)
          if (c.kind == model::ConstraintKind::unique) {
            c.nulls_not_distinct = !c.nulls_not_distinct;
            return "nulls not distinct on " + t.name.name;
          }
        return "";
      }
      case 32: {  // privileges on a view or on evo_score (both may be re-created later)
        if (!s.views.empty() && chance(50)) {
          auto& v = any(s.views);
          if (v.grants.empty())
            v.grants.push_back({"evo_reader", {"SELECT"}});
          else
            v.grants.clear();
          return "grants on view " + v.name.name;
        }
        for (auto& f : s.functions)
          if (f.name.name == "evo_score") {
            if (f.revoked.empty()) {
              f.revoked = {"public"};
              f.grants = {{"evo_reader", {"EXECUTE"}}};
            } else {
              f.revoked.clear();
              f.grants.clear();
            }
            return "privileges on evo_score";
          }
        return "";
      }
      case 34: {  // a column of the domain evo_email, or the domain's default
        auto* d = const_cast<model::Domain*>(s.find_domain({"public", "evo_email"}));
        if (d && chance(40)) {
          d->default_sql = d->default_sql ? std::nullopt : std::optional<std::string>("'x@y'");
          return "default of domain evo_email";
        }
        model::Column c;
        c.name = fresh("m");
        c.type.named_type = QualifiedName{"public", "evo_email"};
        c.type.kind = model::TypeKind::domain;
        c.nullable = true;
        t.columns.push_back(c);
        return "add domain column " + t.name.name + "." + c.name;
      }
      case 35: {  // a serial column added, or a free integer column made serial (or plain again)
        for (const auto& name : free) {
          model::Column* c = find_column(t, name);
          if (!c || c->type.builtin != "integer" || c->default_sql || c->generated_sql || c->identity) continue;
          c->serial = !c->serial;
          c->nullable = false;
          return std::string(c->serial ? "serial " : "plain ") + t.name.name + "." + name;
        }
        model::Column c;
        c.name = fresh("n");
        c.type.builtin = "integer";
        c.serial = true;
        t.columns.push_back(c);
        return "add serial column " + t.name.name + "." + c.name;
      }
      case 36: {  // a sequence added, its options changed, or dropped
        if (s.sequences.empty() || chance(30)) {
          model::Sequence q;
          q.name = {"public", fresh("evo_seq")};
          q.start = 10;
          if (chance(50)) q.grants = {{"evo_reader", {"USAGE"}}};
          s.sequences.push_back(q);
          std::sort(s.sequences.begin(), s.sequences.end(),
                    [](const auto& a, const auto& b) { return a.name < b.name; });
          return "add sequence " + q.name.name;
        }
        auto& q = any(s.sequences);
        if (chance(30)) {
          std::string name = q.name.name;
          s.sequences.erase(s.sequences.begin() + (&q - s.sequences.data()));
          return "drop sequence " + name;
        }
        q.increment = q.increment ? std::nullopt : std::optional<std::int64_t>(5);
        q.cache = q.increment ? std::optional<std::int64_t>(10) : std::nullopt;
        return "options of sequence " + q.name.name;
      }
      case 37: {  // the composite type evo_pair (no column holds it) gains or loses its last field
        for (auto& c : s.composite_types)
          if (c.name.name == "evo_pair") {
            if (c.fields.size() > 2 && chance(50)) {
              c.fields.pop_back();
              return "evo_pair loses a field";
            }
            model::Field f;
            f.name = fresh("f");
            f.type.builtin = chance(50) ? "text" : "integer";
            c.fields.push_back(f);
            return "evo_pair gains a field";
          }
        return "";
      }
      case 39: {  // a partition of evo_log added, its bound changed, or dropped (confirmed: kept in down)
        // Ranges below zero: the rows fill_rows writes (positive days) stay in the default partition,
        // which a new range partition would otherwise have to take them from.
        std::vector<model::Partition*> ranges;
        for (auto& p : s.partitions)
          if (p.parent.name == "evo_log" && !p.is_default) ranges.push_back(&p);
        if (ranges.empty() || chance(40)) {
          int k = ++partition_counter_;
          model::Partition p;
          p.name = {"public", fresh("evo_log_p")};
          p.parent = {"public", "evo_log"};
          p.from = std::to_string(-(k + 1) * 1000);
          p.to = std::to_string(-k * 1000);
          s.partitions.push_back(p);
          std::sort(s.partitions.begin(), s.partitions.end(),
                    [](const auto& a, const auto& b) { return a.name < b.name; });
          return "add partition " + p.name.name;
        }
        model::Partition& p = *ranges[static_cast<std::size_t>(pick(static_cast<int>(ranges.size())))];
        if (chance(50)) {  // half its range, or all of it again
          int from = std::stoi(*p.from), to = std::stoi(*p.to);
          p.to = std::to_string(to - from == 1000 ? from + 500 : from + 1000);
          return "bound of partition " + p.name.name;
        }
        QualifiedName n = p.name;
        s.partitions.erase(s.partitions.begin() + (&p - s.partitions.data()));
        s.dropped_tables.push_back({n, {}});
        return "drop partition " + n.name;
      }
      case 38: {  // default privileges on tables in public (they hold for the tables there too)
        if (s.default_privileges.empty()) {
          model::DefaultPrivilege d;
          d.schema = "public";
          d.kind = "tables";
          d.role = "evo_reader";
          d.privileges = {"SELECT"};
          s.default_privileges.push_back(d);
          return "default privileges on";
        }
        s.default_privileges.clear();
        // What they gave the tables goes with them, unless a grant of the table's own says so.
        return "default privileges off";
      }
      default: {  // a unique constraint on a free column
        if (free.empty()) return "";
        model::Constraint u;
        u.kind = model::ConstraintKind::unique;
        u.columns = {free[0]};
        t.constraints.push_back(u);
        return "unique on " + t.name.name + "." + free[0];
      }
    }
  }

  std::mt19937 rng_;
  int counter_ = 100;  // fresh names never collide with the base schema's
};

// ---- data: every table holds one row, every value not null ----------------------------
//
// One row is enough to prove that down gives the rows back (through renames, moves,
// type changes, enum re-creation, generated columns added again) and few enough that
// no unique key or index an edit adds can fail on it. Values are not null, so that a
// column may become NOT NULL.

std::string value_for(const model::Column& c, long n) {
  if (c.type.array_dims) return "'{}'";
  if (c.type.named_type) return "'calm'";
  const std::string& b = c.type.builtin;
  if (b == "integer" || b == "bigint" || b == "smallint" || b == "numeric") return std::to_string(n);
  if (b == "text" || b == "character varying") return "'r" + std::to_string(n) + "'";
  if (b == "boolean") return "true";
  if (b == "jsonb" || b == "json") return "'{\"n\": " + std::to_string(n) + "}'";
  if (b.rfind("timestamp", 0) == 0)
    return "'2026-01-01 00:00:00+00'::timestamptz + interval '" + std::to_string(n) + " s'";
  return "NULL";
}

bool plain(const model::Column& c) { return !c.generated_sql && !c.identity; }

// Gives each table its row (referencing the row of the table a foreign key names)
// and fills null values.
void fill_rows(pqxx::connection& db, const model::Schema& s, long& counter) {
  for (const auto& t : s.tables) {
    if (t.is_extern) continue;
    std::string table = t.live_name().sql();
    pqxx::work tx(db);
    if (tx.exec1("select count(*) from " + table)[0].as<long>() == 0) {
      std::string columns, values;
      for (const auto& c : t.columns) {
        if (!plain(c)) continue;
        std::string v = value_for(c, ++counter);
        for (const auto& k : t.constraints)
          if (k.kind == model::ConstraintKind::foreign_key && k.columns == std::vector<std::string>{c.name}) {
            const model::Table* target = s.find_table(k.ref_table);
            v = target
                    ? "(select " + names::quote(k.ref_columns[0]) + " from " + target->live_name().sql() + " limit 1)"
                    : "NULL";
          }
        columns += (columns.empty() ? "" : ", ") + names::quote(c.name);
        values += (values.empty() ? "" : ", ") + v;
      }
      tx.exec0("insert into " + table + " (" + columns + ") values (" + values + ")");
    }
    for (const auto& c : t.columns) {
      if (!plain(c) || !c.nullable) continue;
      bool key = false;
      for (const auto& k : t.constraints)
        key |= k.kind == model::ConstraintKind::foreign_key &&
               std::find(k.columns.begin(), k.columns.end(), c.name) != k.columns.end();
      if (key) continue;  // stays null when the table it names had no row
      tx.exec0("update " + table + " set " + names::quote(c.name) + " = " + value_for(c, ++counter) + " where " +
               names::quote(c.name) + " is null");
    }
    tx.commit();
  }
}

// The rows of every table, less the columns and tables whose data the step is known
// to discard: a confirmed table drop, a column drop without a retained copy (down
// re-creates them empty) and a plain column that
// becomes generated (its values are replaced by computed ones).
std::map<std::string, std::string> table_rows(pqxx::connection& db, const model::Schema& s,
                                              const std::set<std::pair<std::string, std::string>>& discarded) {
  std::map<std::string, std::string> out;
  pqxx::work tx(db);
  for (const auto& t : s.tables) {
    if (t.is_extern || discarded.count({t.name.name, ""})) continue;
    std::string columns;
    for (const auto& c : t.columns)
      if (!discarded.count({t.name.name, c.name})) columns += (columns.empty() ? "" : ", ") + names::quote(c.name);
    if (columns.empty()) continue;
    std::string text;
    for (auto r : tx.exec("select row_to_json(x)::text from (select " + columns + " from " + t.live_name().sql() +
                          ") x order by 1"))
      text += r[0].c_str() + std::string("\n");
    out[t.name.display()] = text;
  }
  return out;
}

std::set<std::pair<std::string, std::string>> discarded_by(const plan::Plan& p, const model::Schema& from) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& op : p.ops) {
    const plan::Change& c = op.change;
    if (c.kind == plan::ChangeKind::drop_table) out.insert({c.subject.name, ""});
    // A column dropped with a retained copy (detail) comes back with its values.
    if (c.kind == plan::ChangeKind::drop_column && c.detail.empty()) out.insert({c.subject.name, c.member});
    if (c.kind == plan::ChangeKind::regenerate_column) {
      const model::Table* t = from.find_table(c.subject);
      const model::Column* col = t ? t->find_column(c.member) : nullptr;
      if (!col || !col->generated_sql) out.insert({c.subject.name, c.member});
    }
  }
  return out;
}

model::Schema compile_model(const std::string& text, const std::string& what) {
  auto c = test::compile_files({{"evolution.schema", text}});
  INFO(what << "\n" << text << "\n" << c.diagnostics);
  REQUIRE(c.ok);
  return c.loaded.model;
}

// What `schemac pull` reads of the schemas, compiled.
model::Schema pulled_state(pqxx::connection& db, const std::vector<std::string>& schemas) {
  introspect::Options options;
  options.schemas = schemas;
  auto catalog = introspect::read(db, options);
  Diagnostics diags;
  auto loaded = compile_sources(introspect::pull_files(catalog.schema), diags);
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  return loaded.model;
}

std::vector<std::string> changes_between(const model::Schema& from, const model::Schema& to) {
  Diagnostics diags;
  auto p = plan::plan_migration(from, to, diags);
  std::vector<std::string> out;
  for (const auto& op : p.ops)
    if (!op.up.empty()) out.push_back(op.up);
  if (diags.has_errors()) out.push_back(diags.render());
  return out;
}

}  // namespace

TEST_CASE("evolution: random edits planned, applied, verified, reverted and re-applied") {
  unsigned seed = std::getenv("SCHEMAC_EVOLUTION_SEED")
                      ? static_cast<unsigned>(std::stoul(std::getenv("SCHEMAC_EVOLUTION_SEED")))
                      : 20261121u;
  int steps = std::getenv("SCHEMAC_EVOLUTION_STEPS") ? std::stoi(std::getenv("SCHEMAC_EVOLUTION_STEPS")) : 500;
  INFO("replay with SCHEMAC_EVOLUTION_SEED=" << seed);
  pqxx::connection db(fresh_database("schemac_evolution"));
  model::Schema previous = compile_model(base_schema, "base");
  run(db, emit::platform_stub_sql(previous) + plan::full_state_sql(previous));
  Editor editor(seed);
  long counter = 0;
  std::size_t rows_compared = 0;
  for (int step = 1; step <= steps; ++step) {
    fill_rows(db, previous, counter);
    model::Schema edited = plan::state_of(previous);
    std::string what = editor.edit(edited);
    std::string text = emit::format_file(plan::to_syntax(edited, true), "");
    model::Schema desired = compile_model(text, what);
    INFO("step " << step << ": " << what);
    if (std::getenv("SCHEMAC_EVOLUTION_LOG")) std::cerr << "step " << step << ": " << what << "\n";
    Diagnostics diags;
    // The previous state as `plan` reads it: the snapshot, parsed back.
    model::Schema from = test::snapshot_of(previous);
    auto p = plan::plan_migration(from, desired, diags, "s" + std::to_string(step));
    INFO(diags.render());
    REQUIRE_FALSE(diags.has_errors());
    std::string up = plan::render_up(p, "evolution step " + std::to_string(step));
    std::string down = plan::render_down(p, "");
    std::string verify = plan::render_verify(p, "");
    INFO("up:\n" << up << "\ndown:\n" << down);
    auto discarded = discarded_by(p, from);
    auto rows_before = table_rows(db, from, discarded);
    test::run_up(db, up, verify);
    auto after_up = test::compare_catalog(db, desired);
    INFO("after up:\n" << report(after_up));
    REQUIRE(after_up.empty());
    run(db, down);
    auto after_down = test::compare_catalog(db, from);
    INFO("after down:\n" << report(after_down));
    REQUIRE(after_down.empty());
    auto rows_after = table_rows(db, from, discarded);
    for (const auto& [table, before] : rows_before) {
      INFO("rows of " << table << " after down");
      REQUIRE(rows_after[table] == before);
      rows_compared += !before.empty();
    }
    test::run_up(db, up, verify);
    previous = desired;
    // No false drift: the migrated database, read back, plans to nothing against the
    // same state built fresh and read back (as `schemac diff` and `migrate status`).
    if (step % 25 == 0 || step == steps) {
      pqxx::connection shadow(fresh_database("schemac_evolution_shadow"));
      run(shadow, emit::platform_stub_sql(desired) + plan::full_state_sql(desired));
      std::vector<std::string> schemas = {"public", "evo_app"};
      auto migrated = pulled_state(db, schemas), fresh = pulled_state(shadow, schemas);
      CHECK(changes_between(migrated, fresh).empty());
      CHECK(changes_between(fresh, migrated).empty());
    }
  }
  auto final_problems = test::compare_catalog(db, previous);
  CHECK(final_problems.empty());
  CHECK(rows_compared >= static_cast<std::size_t>(steps));  // every step compared rows of at least one table
}
