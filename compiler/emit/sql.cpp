#include "emit/sql.hpp"

#include <fmt/format.h>

#include <functional>
#include <map>
#include <set>

#include "emit/ddl.hpp"
#include "model/names.hpp"

namespace schemac::emit {

using model::QualifiedName;

namespace {

// Statements grouped under short comments, a blank line between statements.
class Script {
 public:
  void section(std::string title) { pending_ = std::move(title); }
  void add(std::string statement) {
    if (!pending_.empty()) {
      out_ += "\n-- " + pending_ + "\n";
      pending_.clear();
    }
    out_ += "\n" + statement + "\n";
  }
  std::string text() const { return out_; }
  std::string out_;

 private:
  std::string pending_;
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Tables in foreign-key order: a table comes after the tables it references, except
// along a cycle, where the closing foreign key is added afterwards.
std::vector<const model::Table*> foreign_key_order(const model::Schema& s,
                                                   std::set<const model::Constraint*>& deferred) {
  std::vector<const model::Table*> order;
  std::map<QualifiedName, int> state;  // 0 new, 1 visiting, 2 done
  std::map<QualifiedName, const model::Table*> by_live_name;
  for (const auto& t : s.tables)
    if (!t.is_extern) by_live_name[t.live_name()] = &t, by_live_name[t.name] = &t;
  std::function<void(const model::Table&)> visit = [&](const model::Table& t) {
    state[t.name] = 1;
    for (const auto& c : t.constraints) {
      if (c.kind != model::ConstraintKind::foreign_key) continue;
      auto it = by_live_name.find(c.ref_table);
      if (it == by_live_name.end() || it->second == &t) continue;  // extern or self-reference
      int st = state[it->second->name];
      if (st == 0)
        visit(*it->second);
      else if (st == 1)
        deferred.insert(&c);  // cycle: close it later
    }
    state[t.name] = 2;
    order.push_back(&t);
  };
  for (const auto& t : s.tables)
    if (!t.is_extern && state[t.name] == 0) visit(t);
  return order;
}

struct Relation {
  QualifiedName name;
  const model::View* view = nullptr;
  const model::MaterializedView* matview = nullptr;
  const std::string& query() const { return view ? view->query : matview->query; }
};

// Views and materialized views, each after the ones its query mentions.
std::vector<Relation> view_order(const model::Schema& s) {
  std::vector<Relation> all;
  for (const auto& v : s.views) all.push_back({v.name, &v, nullptr});
  for (const auto& v : s.materialized_views) all.push_back({v.name, nullptr, &v});
  std::sort(all.begin(), all.end(), [](const Relation& a, const Relation& b) { return a.name < b.name; });
  std::vector<Relation> order;
  std::map<QualifiedName, int> state;
  std::function<void(const Relation&)> visit = [&](const Relation& r) {
    state[r.name] = 1;
    for (const auto& other : all)
      if (&other != &r && state[other.name] == 0 && query_mentions(r.query(), other.name)) visit(other);
    state[r.name] = 2;
    order.push_back(r);
  };
  for (const auto& r : all)
    if (state[r.name] == 0) visit(r);
  return order;
}

void add_comment(Script& out, const std::string& target, const model::Doc& doc) {
  if (doc.empty()) return;
  out.add(fmt::format("COMMENT ON {} IS {};", target, sql_string(doc_text(doc))));
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// A data step's SQL as written, ending with a semicolon.
std::string data_step_sql(const std::string& body) {
  auto b = body.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = body.find_last_not_of(" \t\r\n");
  std::string sql = body.substr(b, e - b + 1);
  if (sql.back() != ';') sql += ';';
  return sql;
}

}  // namespace

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
      words.push_back(lower(q.substr(i, j - i)));
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

std::string full_state_sql(const model::Schema& s) {
  Script out;
  out.out_ = "-- Generated by schemac: the complete desired state of the schema. Do not edit.\n";
  bool has_functions = false;
  for (const auto& f : s.functions) has_functions |= !f.is_extern;
  if (has_functions) {
    out.section("Function bodies were checked by schemac; they may name tables created below");
    out.add("SET check_function_bodies = off;");
  }

  out.section("Extensions");
  for (const auto& e : s.extensions) out.add(create_extension(e));
  out.section("Schemas");
  for (const auto& x : s.schemas) out.add(create_schema(x));
  out.section("Enum types");
  for (const auto& e : s.enums) out.add(create_enum(e));
  out.section("Functions");
  for (const auto& f : s.functions)
    if (!f.is_extern) out.add(create_function(f));

  std::set<const model::Constraint*> deferred;
  auto tables = foreign_key_order(s, deferred);
  out.section("Tables, in foreign-key order");
  for (const auto* t : tables)
    out.add(create_table(*t, [&](const model::Constraint& c) { return !deferred.count(&c); }));
  out.section("Foreign keys that close a cycle");
  for (const auto* t : tables)
    for (const auto& c : t->constraints)
      if (deferred.count(&c)) out.add(add_constraint(*t, c));

  out.section("Indexes");
  for (const auto* t : tables)
    for (const auto& ix : t->indexes) out.add(create_index(t->name, ix));

  out.section("Views and materialized views, in dependency order");
  for (const auto& r : view_order(s)) {
    if (r.view) {
      out.add(create_view(*r.view));
    } else {
      out.add(create_materialized_view(*r.matview));
      for (const auto& ix : r.matview->indexes) out.add(create_index(r.name, ix));
    }
  }

  out.section("Triggers");
  for (const auto* t : tables)
    for (const auto& tr : t->triggers) out.add(create_trigger(*t, tr));
  out.section("Row level security");
  for (const auto* t : tables) {
    if (t->row_level_security) out.add(enable_rls(*t));
    if (t->force_row_level_security) out.add(force_rls(*t));
  }
  out.section("Policies");
  for (const auto* t : tables)
    for (const auto& p : t->policies) out.add(create_policy(*t, p));
  out.section("Grants");
  for (const auto* t : tables)
    for (const auto& g : t->grants) out.add(grant(*t, g));

  out.section("Comments");
  for (const auto& x : s.schemas) add_comment(out, "SCHEMA " + names::quote(x.name), x.doc);
  for (const auto& e : s.enums) add_comment(out, "TYPE " + e.name.sql(), e.doc);
  for (const auto& f : s.functions)
    if (!f.is_extern) add_comment(out, "FUNCTION " + function_signature(f), f.doc);
  for (const auto* t : tables) {
    if (!t->archived_as) add_comment(out, "TABLE " + t->name.sql(), t->doc);
    for (const auto& c : t->columns) add_comment(out, "COLUMN " + t->name.sql() + "." + names::quote(c.name), c.doc);
    for (const auto& c : t->constraints)
      add_comment(out, "CONSTRAINT " + names::quote(c.name) + " ON " + t->name.sql(), c.doc);
    for (const auto& ix : t->indexes) add_comment(out, "INDEX " + QualifiedName{t->name.schema, ix.name}.sql(), ix.doc);
    for (const auto& p : t->policies)
      add_comment(out, "POLICY " + names::quote(p.name) + " ON " + t->name.sql(), p.doc);
    for (const auto& tr : t->triggers)
      add_comment(out, "TRIGGER " + names::quote(tr.name) + " ON " + t->name.sql(), tr.doc);
  }
  for (const auto& v : s.views) add_comment(out, "VIEW " + v.name.sql(), v.doc);
  for (const auto& v : s.materialized_views) {
    add_comment(out, "MATERIALIZED VIEW " + v.name.sql(), v.doc);
    for (const auto& ix : v.indexes) add_comment(out, "INDEX " + QualifiedName{v.name.schema, ix.name}.sql(), ix.doc);
  }

  out.section("Data steps");
  for (const auto& d : s.data_steps) out.add("-- data step " + d.name + "\n" + data_step_sql(d.up));

  out.section("Archived tables: renamed, with their constraints and indexes; grants revoked");
  for (const auto* t : tables) {
    if (!t->archived_as) continue;
    QualifiedName live = t->live_name();
    out.add(fmt::format("ALTER TABLE {} RENAME TO {};", t->name.sql(), names::quote(live.name)));
    for (const auto& c : t->constraints)
      if (starts_with(c.name, t->name.name))
        out.add(fmt::format("ALTER TABLE {} RENAME CONSTRAINT {} TO {};", live.sql(), names::quote(c.name),
                            names::quote(live.name + c.name.substr(t->name.name.size()))));
    for (const auto& ix : t->indexes)
      if (starts_with(ix.name, t->name.name))
        out.add(fmt::format("ALTER INDEX {} RENAME TO {};", QualifiedName{live.schema, ix.name}.sql(),
                            names::quote(live.name + ix.name.substr(t->name.name.size()))));
    for (const auto& g : t->grants) out.add(revoke(live, g));
    std::string comment = "archived (was " + t->name.name + ")";
    if (!t->doc.empty()) comment += "\n" + doc_text(t->doc);
    out.add(fmt::format("COMMENT ON TABLE {} IS {};", live.sql(), sql_string(comment)));
  }
  return out.text();
}

std::string platform_stub_sql(const model::Schema& s) {
  Script out;
  out.out_ = "-- Generated by schemac: stand-ins for what the platform provides (roles, extern objects).\n";
  out.section("Roles");
  for (const auto& r : s.roles)
    out.add(fmt::format("DO $$ BEGIN CREATE ROLE {} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;",
                        names::quote(r.name)));
  std::set<std::string> schemas;
  for (const auto& t : s.tables)
    if (t.is_extern && t.name.schema != "public") schemas.insert(t.name.schema);
  for (const auto& f : s.functions)
    if (f.is_extern && f.name.schema != "public") schemas.insert(f.name.schema);
  out.section("Extern schemas");
  for (const auto& x : schemas) out.add(fmt::format("CREATE SCHEMA IF NOT EXISTS {};", names::quote(x)));
  out.section("Extern tables");
  for (const auto& t : s.tables) {
    if (!t.is_extern) continue;
    std::string create = create_table(t, [](const model::Constraint&) { return true; });
    out.add("CREATE TABLE IF NOT EXISTS" + create.substr(std::string("CREATE TABLE").size()));
  }
  out.section("Extern functions");
  for (const auto& f : s.functions) {
    if (!f.is_extern) continue;
    model::Function stub = f;
    if (stub.body.empty()) {
      stub.language = "sql";
      stub.body = " SELECT NULL::" + (f.return_type ? f.return_type->sql() : std::string("text")) + " ";
    }
    std::string create = create_function(stub);
    out.add("CREATE OR REPLACE" + create.substr(std::string("CREATE").size()));
  }
  return out.text();
}

}  // namespace schemac::emit
