#include "pg/catalog.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "emit/ddl.hpp"
#include "model/names.hpp"

namespace schemac::test {
namespace {

using model::QualifiedName;
using names::quote;

std::string join(const std::vector<std::string>& v, const std::string& sep = ",") {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string lit(const std::string& s) { return emit::sql_string(s); }

class Comparer {
 public:
  Comparer(pqxx::connection& db, const model::Schema& schema) : tx_(db), schema_(schema) {}

  std::vector<std::string> run() {
    check_extensions_schemas_enums();
    check_domains_and_composite_types();
    check_sequences();
    check_default_privileges();
    for (const auto& p : schema_.partitions) check_partition(p);
    for (const auto& f : schema_.functions)
      if (!f.is_extern) check_function(f);
    check_no_extra_functions();
    check_no_extra_relations();
    for (const auto& t : schema_.tables)
      if (!t.is_extern) check_table(t);
    for (const auto& v : schema_.views) {
      check_view(v.name, v.query, v.doc, 'v', v.security_invoker);
      check_acl("view " + v.name.display(), relation_acl_sql("to_regclass(" + lit(v.name.sql()) + ")"),
                expected_acl(v.grants, {}, relation_privileges()));
    }
    for (const auto& v : schema_.materialized_views) {
      check_view(v.name, v.query, v.doc, 'm', false);
      check_indexes(v.name, v.indexes, {});
      check_acl("materialized view " + v.name.display(), relation_acl_sql("to_regclass(" + lit(v.name.sql()) + ")"),
                expected_acl(v.grants, {}, relation_privileges()));
    }
    return std::move(problems_);
  }

 private:
  // ---- helpers --------------------------------------------------------------------

  void problem(std::string p) { problems_.push_back(std::move(p)); }

  std::optional<std::string> value(const std::string& sql) {
    auto r = tx_.exec(sql);
    if (r.empty() || r[0][0].is_null()) return std::nullopt;
    return r[0][0].as<std::string>();
  }
  std::string text(const std::string& sql) { return value(sql).value_or("<null>"); }

  // Runs scratch DDL in a savepoint; a failure is a mismatch (the model's text is
  // not something PostgreSQL accepts here), not a crash of the comparison.
  bool scratch(const std::string& sql, const std::string& what) {
    try {
      pqxx::subtransaction sub(tx_, "scratch");
      sub.exec(sql);
      sub.commit();
      return true;
    } catch (const std::exception& e) {
      problem(what + ": cannot rebuild from the model: " + e.what());
      return false;
    }
  }

  static std::string reg(const QualifiedName& n) { return lit(n.sql()) + "::regclass"; }

  void expect_equal(const std::string& what, const std::string& live, const std::string& expected) {
    if (live != expected) problem(what + ": live '" + live + "', expected '" + expected + "'");
  }

  void compare_comment(const std::string& what, const std::optional<std::string>& live, const model::Doc& doc) {
    std::optional<std::string> expected;
    if (!doc.empty()) expected = emit::doc_text(doc);
    if (live != expected)
      problem(what + " comment: live '" + live.value_or("<none>") + "', expected '" + expected.value_or("<none>") +
              "'");
  }
  void compare_comment(const std::string& what, const pqxx::field& live, const model::Doc& doc) {
    compare_comment(what, live.is_null() ? std::nullopt : std::optional<std::string>(live.as<std::string>()), doc);
  }
  void check_comment(const std::string& what, const std::string& live_sql, const model::Doc& doc) {
    compare_comment(what, value(live_sql), doc);
  }

  // ---- database-wide ----------------------------------------------------------------

  void check_extensions_schemas_enums() {
    for (const auto& e : schema_.extensions)
      if (!value("select 1 from pg_extension where extname = " + lit(e.name)))
        problem("extension " + e.name + " missing");
      else if (!value("select 1 from pg_extension x join pg_namespace n on n.oid = x.extnamespace where x.extname = " +
                      lit(e.name) + " and n.nspname = " + lit(e.schema.empty() ? "public" : e.schema)))
        problem("extension " + e.name + " is not in schema " + (e.schema.empty() ? "public" : e.schema));
    for (const auto& s : schema_.schemas) {
      if (!value("select 1 from pg_namespace where nspname = " + lit(s.name))) problem("schema " + s.name + " missing");
      check_comment("schema " + s.name,
                    "select obj_description(" + lit(quote(s.name)) + "::regnamespace, 'pg_namespace')", s.doc);
      check_acl("schema " + s.name,
                "select case when a.grantee = 0 then 'PUBLIC' else a.grantee::regrole::text end, a.privilege_type "
                "from pg_namespace o, aclexplode(coalesce(o.nspacl, acldefault('n', o.nspowner))) a where "
                "o.nspname = " +
                    lit(s.name) + " and a.grantee <> o.nspowner",
                expected_acl(s.grants, {}, {"USAGE", "CREATE"}));
    }
    for (const auto& e : schema_.enums) {
      std::vector<std::string> labels;
      for (auto row : tx_.exec("select enumlabel from pg_enum where enumtypid = to_regtype(" + lit(e.name.sql()) +
                               ") order by enumsortorder"))
        labels.push_back(row[0].as<std::string>());
      if (labels != e.values)
        problem("enum " + e.name.display() + ": labels '" + join(labels) + "' expected '" + join(e.values) + "'");
      check_comment("enum " + e.name.display(),
                    "select obj_description(to_regtype(" + lit(e.name.sql()) + "), 'pg_type')", e.doc);
    }
  }

  // Domains and composite types: each as PostgreSQL renders the model's own DDL run in
  // pg_temp; in the schemas we manage, no others.
  void check_domains_and_composite_types() {
    auto facts = [&](const std::string& oid) {
      return text(
          "select format_type(t.typbasetype, t.typtypmod) || ' not null ' || t.typnotnull || ' default ' || "
          "coalesce(t.typdefault, '<none>') || ' checks ' || coalesce((select string_agg(c.conname || ' ' || "
          "pg_get_constraintdef(c.oid), '; ' order by c.conname) from pg_constraint c where c.contypid = t.oid), '') "
          "|| ' fields ' || coalesce((select string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), "
          "', ' order by a.attnum) from pg_attribute a where a.attrelid = t.typrelid and a.attnum > 0 and not "
          "a.attisdropped), '') from pg_type t where t.oid = " +
          oid);
    };
    auto compare = [&](const std::string& what, const QualifiedName& name, const std::string& ddl,
                       const QualifiedName& scratch_name, const model::Doc& doc) {
      auto oid = value("select to_regtype(" + lit(name.sql()) + ")::oid");
      if (!oid) return problem(what + " missing");
      if (!scratch(ddl, what)) return;
      auto expected = value("select to_regtype(" + lit(scratch_name.sql()) + ")::oid");
      if (!expected) return problem(what + ": the model's DDL did not create it");
      expect_equal(what, facts(*oid), facts(*expected));
      check_comment(what, "select obj_description(" + *oid + ", 'pg_type')", doc);
    };
    std::set<std::string> expected_names;
    for (const auto& d : schema_.domains) {
      model::Domain copy = d;
      copy.name = {"pg_temp", "schemac_expected_" + std::to_string(counter_++)};
      compare("domain " + d.name.display(), d.name, emit::create_domain(copy), copy.name, d.doc);
      expected_names.insert(d.name.sql());
    }
    for (const auto& c : schema_.composite_types) {
      model::CompositeType copy = c;
      copy.name = {"pg_temp", "schemac_expected_" + std::to_string(counter_++)};
      std::string what = "composite type " + c.name.display();
      compare(what, c.name, emit::create_composite_type(copy), copy.name, c.doc);
      for (const auto& f : c.fields)
        check_comment(what + " field " + f.name,
                      "select col_description(t.typrelid, a.attnum) from pg_type t join pg_attribute a on "
                      "a.attrelid = t.typrelid where t.oid = to_regtype(" +
                          lit(c.name.sql()) + ") and a.attname = " + lit(f.name),
                      f.doc);
      expected_names.insert(c.name.sql());
    }
    for (const auto& e : schema_.extern_types) expected_names.insert(e.name.sql());
    for (const auto& e : schema_.extern_types) expected_names.insert(QualifiedName{"public", e.name.name}.sql());
    std::vector<std::string> quoted = {lit("public")};
    for (const auto& s : schema_.schemas) quoted.push_back(lit(s.name));
    for (auto row : tx_.exec("select quote_ident(n.nspname) || '.' || quote_ident(t.typname) from pg_type t join "
                             "pg_namespace n on n.oid = t.typnamespace left join pg_class c on c.oid = t.typrelid "
                             "where (t.typtype = 'd' or c.relkind = 'c') and n.nspname in (" +
                             join(quoted) +
                             ") and not exists (select 1 from pg_depend x where x.objid = t.oid and x.deptype = 'e')"))
      if (!expected_names.count(row[0].as<std::string>()))
        problem("type " + row[0].as<std::string>() + " exists but the model does not declare it");
  }

  // A partition: of its parent, with the bound the model's DDL gives a scratch partition.
  void check_partition(const model::Partition& p) {
    std::string what = "partition " + p.name.display();
    auto oid = value("select to_regclass(" + lit(p.name.sql()) + ")::oid");
    if (!oid) return problem(what + " missing");
    expect_equal(what + " parent", text("select inhparent::regclass::text from pg_inherits where inhrelid = " + *oid),
                 text("select " + reg(p.parent) + "::text"));
    const model::Table* parent = schema_.find_table(p.parent);
    if (!parent || !parent->partition_by) return problem(what + ": its parent is not a partitioned table of the model");
    std::string scratch_parent = "schemac_scratch_" + std::to_string(counter_++);
    model::Partition copy = p;
    copy.name = {"pg_temp", "schemac_scratch_" + std::to_string(counter_++)};
    copy.parent = {"pg_temp", scratch_parent};
    if (!scratch("create temp table " + scratch_parent + " (like " + p.parent.sql() + ") partition by " +
                     emit::partition_key(*parent->partition_by) + ";\n" + emit::create_partition(copy),
                 what))
      return;
    expect_equal(
        what + " bound", text("select pg_get_expr(relpartbound, oid) from pg_class where oid = " + *oid),
        text("select pg_get_expr(relpartbound, oid) from pg_class where oid = " + lit(copy.name.sql()) + "::regclass"));
    check_comment(what, "select obj_description(" + *oid + ", 'pg_class')", p.doc);
  }

  // Default privileges of the role that migrates: exactly the model's (PUBLIC's
  // EXECUTE on functions is in a global entry unless the model revokes it).
  void check_default_privileges() {
    std::set<std::string> live, expected;
    std::set<std::string> global_entries;
    for (auto row : tx_.exec(
             "select coalesce(n.nspname, ''), d.defaclobjtype::text, case when a.grantee = 0 then 'public' else "
             "a.grantee::regrole::text end, a.privilege_type from pg_default_acl d left join pg_namespace n on n.oid "
             "= d.defaclnamespace, aclexplode(d.defaclacl) a where d.defaclrole = (select oid from pg_roles where "
             "rolname = current_user) and a.grantee <> d.defaclrole"))
      live.insert(row[0].as<std::string>() + " " + row[1].as<std::string>() + " " + row[2].as<std::string>() + " " +
                  row[3].as<std::string>());
    for (auto row :
         tx_.exec("select defaclobjtype::text from pg_default_acl where defaclnamespace = 0 and defaclrole = "
                  "(select oid from pg_roles where rolname = current_user)"))
      global_entries.insert(row[0].as<std::string>());
    bool public_revoked = false;
    for (const auto& d : schema_.default_privileges) {
      std::string letter = d.kind == "tables" ? "r" : d.kind == "sequences" ? "S" : "f";
      if (d.revoke) {
        public_revoked = true;
        continue;
      }
      const auto& all = model::privileges_of_kind(d.kind);
      for (const auto& p : d.privileges)
        for (const auto& each : p == "ALL" ? all : std::vector<std::string>{p})
          expected.insert(d.schema + " " + letter + " " + d.role + " " + each);
    }
    if (global_entries.count("f") && !public_revoked) expected.insert(" f public EXECUTE");
    if (public_revoked && !global_entries.count("f")) problem("default privileges: PUBLIC keeps EXECUTE on functions");
    std::string l, e;
    for (const auto& x : live) l += (l.empty() ? "" : "; ") + x;
    for (const auto& x : expected) e += (e.empty() ? "" : "; ") + x;
    expect_equal("default privileges", l, e);
  }

  // Sequences: options as the model's own DDL makes them (in pg_temp), owner, grants,
  // comment; in the schemas we manage, no others but those columns own.
  void check_sequences() {
    auto facts = [&](const std::string& oid) {
      return text(
          "select format_type(seqtypid, null) || ' start ' || seqstart || ' increment ' || seqincrement || ' max ' || "
          "seqmax || ' min ' || seqmin || ' cache ' || seqcache || ' cycle ' || seqcycle from pg_sequence where "
          "seqrelid = " +
          oid);
    };
    std::set<std::string> declared;
    for (const auto& s : schema_.sequences) {
      std::string what = "sequence " + s.name.display();
      declared.insert(s.name.sql());
      auto oid = value("select to_regclass(" + lit(s.name.sql()) + ")::oid");
      if (!oid) {
        problem(what + " missing");
        continue;
      }
      model::Sequence copy = s;
      copy.name = {"pg_temp", "schemac_expected_" + std::to_string(counter_++)};
      if (!scratch(emit::create_sequence(copy), what)) continue;
      expect_equal(what, facts(*oid), facts(*value("select to_regclass(" + lit(copy.name.sql()) + ")::oid")));
      std::string owner = text(
          "select d.refobjid::regclass::text || '.' || quote_ident(a.attname) from pg_depend d join pg_attribute a "
          "on a.attrelid = d.refobjid and a.attnum = d.refobjsubid where d.classid = 'pg_class'::regclass and "
          "d.objid = " +
          *oid + " and d.deptype = 'a'");
      std::string expected_owner = s.owned_by ? text("select " + reg(s.owned_by->first) +
                                                     "::text || '.' || quote_ident(" + lit(s.owned_by->second) + ")")
                                              : "<null>";
      expect_equal(what + " owned by", owner, expected_owner);
      check_acl(what, relation_acl_sql(*oid), expected_acl(s.grants, {}, model::sequence_privileges()));
      check_comment(what, "select obj_description(" + *oid + ", 'pg_class')", s.doc);
    }
    std::vector<std::string> quoted = {lit("public")};
    for (const auto& s : schema_.schemas) quoted.push_back(lit(s.name));
    for (auto row : tx_.exec(
             "select quote_ident(n.nspname) || '.' || quote_ident(c.relname) from pg_class c join pg_namespace n on "
             "n.oid = c.relnamespace where c.relkind = 'S' and n.nspname in (" +
             join(quoted) +
             ") and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid "
             "and d.deptype in ('a', 'i') and d.refobjsubid > 0)"))
      if (!declared.count(row[0].as<std::string>()))
        problem("sequence " + row[0].as<std::string>() + " exists but the model does not declare it");
  }

  // Tables, views and materialized views in the schemas we manage: exactly the model's.
  void check_no_extra_relations() {
    std::set<std::string> schemas = {"public"};
    for (const auto& s : schema_.schemas) schemas.insert(s.name);
    std::set<std::string> expected, live;
    for (const auto& t : schema_.tables)
      if (!t.is_extern) expected.insert(t.live_name().sql());
    for (const auto& v : schema_.views) expected.insert(v.name.sql());
    for (const auto& v : schema_.materialized_views) expected.insert(v.name.sql());
    for (const auto& p : schema_.partitions) expected.insert(p.name.sql());
    std::vector<std::string> quoted;
    for (const auto& s : schemas) quoted.push_back(lit(s));
    for (auto row : tx_.exec("select quote_ident(n.nspname) || '.' || quote_ident(c.relname) from pg_class c join "
                             "pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'v', 'm', 'p') and "
                             "n.nspname in (" +
                             join(quoted) + ")"))
      live.insert(row[0].as<std::string>());
    for (const auto& e : expected)
      if (!live.count(e)) problem("relation " + e + " missing");
    for (const auto& l : live)  // the runner's own history table is not part of any schema
      if (!expected.count(l) && l != "public.schemac_migrations")
        problem("relation " + l + " exists but the model does not declare it");
  }

  // ---- functions ----------------------------------------------------------------------

  // Every function of the schema's schemas is declared (an overload left behind by a
  // change of parameter types shows here); extensions' own functions are not.
  void check_no_extra_functions() {
    std::set<std::string> schemas = {"public"};
    for (const auto& s : schema_.schemas) schemas.insert(s.name);
    std::vector<std::string> quoted;
    for (const auto& s : schemas) quoted.push_back(lit(s));
    std::set<std::string> expected;
    for (const auto& f : schema_.functions)
      if (auto oid = value("select to_regprocedure(" + lit(emit::function_signature(f)) + ")::oid"))
        expected.insert(*oid);
    for (auto row : tx_.exec("select p.oid::text, p.oid::regprocedure::text from pg_proc p join pg_namespace n on "
                             "n.oid = p.pronamespace where n.nspname in (" +
                             join(quoted) +
                             ") and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and "
                             "d.objid = p.oid and d.deptype = 'e')"))
      if (!expected.count(row[0].as<std::string>()))
        problem("function " + row[1].as<std::string>() + " exists but the model does not declare it");
  }

  void check_function(const model::Function& f) {
    std::string what = "function " + f.id().display();
    std::string signature = emit::function_signature(f);
    auto oid = value("select to_regprocedure(" + lit(signature) + ")::oid");
    if (!oid) return problem(what + " missing (" + signature + ")");
    // The same function created from the model in pg_temp, for PostgreSQL's own rendering.
    model::Function copy = f;
    copy.name = {"pg_temp", "schemac_expected_" + std::to_string(counter_++)};
    if (!scratch(emit::create_function(copy), what)) return;
    std::string temp = "to_regprocedure(" + lit(emit::function_signature(copy)) + ")";
    expect_equal(what + " arguments", text("select pg_get_function_arguments(" + *oid + ")"),
                 text("select pg_get_function_arguments(" + temp + ")"));
    expect_equal(what + " result", text("select pg_get_function_result(" + *oid + ")"),
                 text("select pg_get_function_result(" + temp + ")"));
    std::string attrs =
        "select l.lanname || ' ' || p.prokind::text || ' ' || p.provolatile::text || ' ' || p.proisstrict::text || ' "
        "' || p.prosecdef::text || ' ' || p.proparallel::text || ' ' || p.proleakproof::text || ' ' || p.procost || "
        "' ' || p.prorows || ' ' || "
        "coalesce(array_to_string(p.proconfig, ';'), '') from pg_proc p join pg_language l on l.oid = "
        "p.prolang where p.oid = ";
    expect_equal(what + " language/kind/volatility/strict/security/parallel/leakproof/cost/rows/config",
                 text(attrs + *oid), text(attrs + temp + "::oid"));
    expect_equal(what + " body", text("select prosrc from pg_proc where oid = " + *oid), f.body);
    check_comment(what, "select obj_description(" + *oid + ", 'pg_proc')", f.doc);
    // PUBLIC may execute a function unless the schema revokes it.
    std::set<std::string> expected = expected_acl(f.grants, f.revoked, {"EXECUTE"});
    if (std::find(f.revoked.begin(), f.revoked.end(), "public") == f.revoked.end()) expected.insert("PUBLIC:EXECUTE");
    check_acl(what,
              "select case when a.grantee = 0 then 'PUBLIC' else a.grantee::regrole::text end, a.privilege_type "
              "from pg_proc o, aclexplode(coalesce(o.proacl, acldefault('f', o.proowner))) a where o.oid = " +
                  *oid + " and a.grantee <> o.proowner",
              expected);
  }

  // Each role's privileges as "role:PRIVILEGE" (PUBLIC for public), from grants less
  // the revoked roles'.
  static std::set<std::string> expected_acl(const std::vector<model::Grant>& grants,
                                            const std::vector<std::string>& revoked,
                                            const std::vector<std::string>& all) {
    std::set<std::string> out;
    for (const auto& g : grants) {
      if (std::find(revoked.begin(), revoked.end(), g.role) != revoked.end()) continue;
      std::string role = g.role == "public" ? "PUBLIC" : g.role;
      for (const auto& p : g.privileges == std::vector<std::string>{"ALL"} ? all : g.privileges)
        out.insert(role + ":" + p);
    }
    return out;
  }

  // live_sql: (grantee, privilege) rows, the owner left out.
  void check_acl(const std::string& what, const std::string& live_sql, const std::set<std::string>& expected) {
    std::set<std::string> live;
    for (auto row : tx_.exec(live_sql)) live.insert(row[0].as<std::string>() + ":" + row[1].as<std::string>());
    if (live != expected)
      problem(what + " privileges: live {" + join({live.begin(), live.end()}) + "} expected {" +
              join({expected.begin(), expected.end()}) + "}");
  }

  // ---- tables -------------------------------------------------------------------------

  void check_table(const model::Table& t) {
    QualifiedName live_name = t.live_name();
    std::string what = "table " + live_name.display();
    if (!value("select to_regclass(" + lit(live_name.sql()) + ")")) return problem(what + " missing");
    if (t.archived_as && value("select to_regclass(" + lit(t.name.sql()) + ")"))
      problem(what + ": archived, but the original name " + t.name.display() + " still exists");
    std::string rel = reg(live_name);
    expect_equal(what + " persistence", text("select relpersistence from pg_class where oid = " + rel),
                 std::string(t.unlogged ? "u" : "p"));

    // A scratch copy with the live table's columns, to rebuild expressions on.
    std::string scratch_table = "schemac_scratch_" + std::to_string(counter_++);
    if (!scratch("create temp table " + scratch_table + " as select * from " + live_name.sql() + " limit 0", what))
      return;

    // The partition key, as PostgreSQL prints the model's on a scratch copy.
    std::string expected_key = "<none>";
    if (t.partition_by) {
      std::string keyed = "schemac_scratch_" + std::to_string(counter_++);
      if (scratch("create temp table " + keyed + " (like " + live_name.sql() + ") partition by " +
                      emit::partition_key(*t.partition_by),
                  what + " partition key"))
        expected_key = text("select pg_get_partkeydef(" + lit(keyed) + "::regclass)");
    }
    expect_equal(what + " partition key", text("select coalesce(pg_get_partkeydef(" + rel + "), '<none>')"),
                 expected_key);

    check_columns(t, rel, scratch_table);
    check_constraints(t, rel, scratch_table);
    check_indexes(live_name, t.indexes, t.constraints, scratch_table);
    check_rls_and_policies(t, rel, scratch_table);
    check_triggers(t, rel, scratch_table);
    check_grants(t, rel);

    std::string table_comment = emit::doc_text(t.doc);
    if (t.archived_as) {
      model::Doc archived = {"archived (was " + t.name.name + ")"};
      archived.insert(archived.end(), t.doc.begin(), t.doc.end());
      check_comment(what, "select obj_description(" + rel + ", 'pg_class')", archived);
    } else {
      check_comment(what, "select obj_description(" + rel + ", 'pg_class')", t.doc);
    }
  }

  void check_columns(const model::Table& t, const std::string& rel, const std::string& scratch_table) {
    std::string what = "table " + t.live_name().display();
    std::map<std::string, pqxx::row> live;
    auto rows = tx_.exec(
        "select a.attname, a.atttypid::regtype::text, a.atttypmod, a.attnotnull, a.attidentity, "
        "a.attgenerated, pg_get_expr(d.adbin, d.adrelid), col_description(a.attrelid, a.attnum) "
        "from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum "
        "where a.attrelid = " +
        rel + " and a.attnum > 0 and not a.attisdropped");
    for (auto row : rows) live.emplace(row[0].as<std::string>(), row);
    std::set<std::string> declared;
    for (const auto& c : t.columns) declared.insert(c.name);
    for (const auto& [name, row] : live)
      if (!declared.count(name)) problem(what + ": column " + name + " exists but is not declared");

    for (const auto& c : t.columns) {
      std::string cw = what + " column " + c.name;
      auto it = live.find(c.name);
      if (it == live.end()) {
        problem(cw + " missing");
        continue;
      }
      const auto& row = it->second;
      // The model's type, default and generated expression on a scratch column.
      std::string probe = "schemac_col_" + std::to_string(counter_++);
      std::string def = quote(probe) + " " + c.type.sql();
      if (c.default_sql) def += " default " + *c.default_sql;
      if (c.generated_sql) def += " generated always as (" + *c.generated_sql + ") stored";
      if (!scratch("alter table " + scratch_table + " add column " + def, cw)) continue;
      auto expected = tx_.exec(
          "select a.atttypid::regtype::text, a.atttypmod, pg_get_expr(d.adbin, d.adrelid) from "
          "pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum "
          "where a.attrelid = " +
          lit(scratch_table) + "::regclass and a.attname = " + lit(probe))[0];
      expect_equal(cw + " type", row[1].as<std::string>() + "/" + row[2].as<std::string>(),
                   expected[0].as<std::string>() + "/" + expected[1].as<std::string>());
      expect_equal(cw + " not null", row[3].as<std::string>(), (c.nullable && !c.identity) ? "f" : "t");
      expect_equal(cw + " identity", row[4].as<std::string>(), c.identity ? "a" : "");
      expect_equal(cw + " generated", row[5].as<std::string>(), c.generated_sql ? "s" : "");
      std::string live_default = row[6].is_null() ? "<none>" : row[6].as<std::string>();
      std::string expected_default = (c.identity || expected[2].is_null()) ? "<none>" : expected[2].as<std::string>();
      if (c.serial) {  // its own sequence, named as PostgreSQL names it, gives the default
        QualifiedName sequence{t.name.schema, names::make_object_name(t.name.name, c.name, "seq")};
        expected_default =
            text("select format('nextval(%L::regclass)', to_regclass(" + lit(sequence.sql()) + ")::text)");
        expect_equal(cw + " serial sequence",
                     text("select pg_get_serial_sequence(" + lit(t.live_name().sql()) + ", " + lit(c.name) + ")"),
                     sequence.sql());
      }
      expect_equal(cw + " default/generation expression", live_default, expected_default);
      compare_comment(cw, row[7], c.doc);
    }
  }

  static std::string action_code(const std::string& action) {
    if (action == "cascade") return "c";
    if (action == "restrict") return "r";
    if (action == "set null") return "n";
    if (action == "set default") return "d";
    return "a";
  }

  void check_constraints(const model::Table& t, const std::string& rel, const std::string& scratch_table) {
    std::string what = "table " + t.live_name().display();
    std::map<std::string, pqxx::row> live;
    auto rows = tx_.exec(
        "select c.conname, c.contype, pg_get_constraintdef(c.oid), "
        "(select string_agg(a.attname, ',' order by k.i) from unnest(c.conkey) with ordinality k(n, i) join "
        "pg_attribute "
        "a on a.attrelid = c.conrelid and a.attnum = k.n), "
        "c.confrelid::regclass::text, "
        "(select string_agg(a.attname, ',' order by k.i) from unnest(c.confkey) with ordinality k(n, i) join "
        "pg_attribute "
        "a on a.attrelid = c.confrelid and a.attnum = k.n), "
        "c.confdeltype, c.confupdtype, obj_description(c.oid, 'pg_constraint') "
        "from pg_constraint c where c.conrelid = " +
        rel + " and c.contype in ('p', 'u', 'c', 'f', 'x') and c.conparentid = 0");
    for (auto row : rows) live.emplace(row[0].as<std::string>(), row);
    std::set<std::string> declared;
    for (const auto& c : t.constraints) declared.insert(renamed(t, c.name));
    for (const auto& [name, row] : live)
      if (!declared.count(name)) problem(what + ": constraint " + name + " exists but is not declared");

    for (const auto& c : t.constraints) {
      std::string name = renamed(t, c.name);
      std::string cw = what + " constraint " + name;
      auto it = live.find(name);
      if (it == live.end()) {
        problem(cw + " missing");
        continue;
      }
      const auto& row = it->second;
      const char* kinds = "pucfx";
      expect_equal(cw + " kind", row[1].as<std::string>(), std::string(1, kinds[static_cast<int>(c.kind)]));
      if (c.kind != model::ConstraintKind::check && c.kind != model::ConstraintKind::exclusion)
        expect_equal(cw + " columns", row[3].as<std::string>(""), join(c.columns));
      if (c.kind == model::ConstraintKind::exclusion) {  // the model's on a scratch table, as PostgreSQL prints it
        model::Constraint probe = c;
        probe.name = "schemac_excl_" + std::to_string(counter_++);
        if (scratch("alter table " + scratch_table + " add " + emit::constraint_definition(probe), cw))
          expect_equal(cw + " definition", row[2].as<std::string>(),
                       text("select pg_get_constraintdef(oid) from pg_constraint where conname = " + lit(probe.name)));
      }
      if (c.kind == model::ConstraintKind::foreign_key) {
        const model::Table* target = schema_.find_table(c.ref_table);
        QualifiedName target_live = target ? target->live_name() : c.ref_table;
        expect_equal(cw + " references", row[4].as<std::string>(""), text("select " + reg(target_live) + "::text"));
        expect_equal(cw + " referenced columns", row[5].as<std::string>(""), join(c.ref_columns));
        expect_equal(cw + " on delete", row[6].as<std::string>(), action_code(c.on_delete));
        expect_equal(cw + " on update", row[7].as<std::string>(), action_code(c.on_update));
      }
      if (c.kind == model::ConstraintKind::check) {
        std::string probe = "schemac_check_" + std::to_string(counter_++);
        if (scratch("alter table " + scratch_table + " add constraint " + probe + " check (" + c.check_sql + ")", cw))
          expect_equal(cw + " definition", row[2].as<std::string>(),
                       text("select pg_get_constraintdef(oid) from pg_constraint where conname = " + lit(probe)));
      }
      compare_comment(cw, row[8], c.doc);
    }
  }

  // The name a constraint or index has after an archive renamed its table.
  static std::string renamed(const model::Table& t, const std::string& name) {
    if (!t.archived_as || name.rfind(t.name.name, 0) != 0) return name;
    return *t.archived_as + name.substr(t.name.name.size());
  }

  // pg_get_indexdef without "CREATE [UNIQUE] INDEX name ON table": method, keys, include, predicate.
  static std::string index_tail(const std::string& def) {
    auto at = def.find(" USING ");
    return at == std::string::npos ? def : def.substr(at);
  }

  void check_indexes(const QualifiedName& relation, const std::vector<model::Index>& indexes,
                     const std::vector<model::Constraint>& constraints, const std::string& scratch_table = "") {
    std::string what = "relation " + relation.display();
    const model::Table* table = nullptr;
    for (const auto& t : schema_.tables)
      if (t.live_name() == relation) table = &t;
    std::map<std::string, pqxx::row> live;
    for (auto row : tx_.exec("select i.relname, pg_get_indexdef(x.indexrelid), x.indisunique, "
                             "obj_description(x.indexrelid, 'pg_class') from pg_index x join pg_class i on i.oid = "
                             "x.indexrelid where x.indrelid = " +
                             reg(relation)))
      live.emplace(row[0].as<std::string>(), row);
    std::set<std::string> declared;
    for (const auto& c : constraints)
      if (c.kind == model::ConstraintKind::primary_key || c.kind == model::ConstraintKind::unique ||
          c.kind == model::ConstraintKind::exclusion)
        declared.insert(table ? renamed(*table, c.name) : c.name);
    for (const auto& ix : indexes) declared.insert(table ? renamed(*table, ix.name) : ix.name);
    for (const auto& [name, row] : live)
      if (!declared.count(name)) problem(what + ": index " + name + " exists but is not declared");

    std::string target = scratch_table;
    if (target.empty()) {  // a materialized view: rebuild on a scratch table of its columns
      target = "schemac_scratch_" + std::to_string(counter_++);
      if (!scratch("create temp table " + target + " as select * from " + relation.sql() + " limit 0", what)) return;
    }
    for (const auto& ix : indexes) {
      std::string name = table ? renamed(*table, ix.name) : ix.name;
      std::string iw = what + " index " + name;
      auto it = live.find(name);
      if (it == live.end()) {
        problem(iw + " missing");
        continue;
      }
      model::Index probe = ix;
      probe.name = "schemac_index_" + std::to_string(counter_++);
      std::string create = emit::create_index({"pg_temp", target}, probe);
      if (!scratch(create, iw)) continue;
      expect_equal(iw + " definition", index_tail(it->second[1].as<std::string>()),
                   index_tail(text("select pg_get_indexdef(" + lit("pg_temp." + probe.name) + "::regclass)")));
      expect_equal(iw + " unique", it->second[2].as<std::string>(), ix.unique ? "t" : "f");
      compare_comment(iw, it->second[3], ix.doc);
    }
  }

  void check_rls_and_policies(const model::Table& t, const std::string& rel, const std::string& scratch_table) {
    std::string what = "table " + t.live_name().display();
    expect_equal(
        what + " row level security (enabled, forced)",
        text("select relrowsecurity || ',' || relforcerowsecurity from pg_class where oid = " + rel),
        std::string(t.row_level_security ? "true" : "false") + "," + (t.force_row_level_security ? "true" : "false"));
    std::map<std::string, pqxx::row> live;
    for (auto row : tx_.exec("select p.polname, p.polcmd, p.polpermissive, "
                             "(select string_agg(case when r = 0 then 'public' else r::regrole::text end, ',' order by "
                             "case when r = 0 then 'public' else r::regrole::text end) from unnest(p.polroles) r), "
                             "pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid), "
                             "obj_description(p.oid, 'pg_policy') from pg_policy p where p.polrelid = " +
                             rel))
      live.emplace(row[0].as<std::string>(), row);
    std::set<std::string> declared;
    for (const auto& p : t.policies) declared.insert(p.name);
    for (const auto& [name, row] : live)
      if (!declared.count(name)) problem(what + ": policy " + name + " exists but is not declared");
    for (const auto& p : t.policies) {
      std::string pw = what + " policy " + p.name;
      auto it = live.find(p.name);
      if (it == live.end()) {
        problem(pw + " missing");
        continue;
      }
      const auto& row = it->second;
      std::map<std::string, std::string> commands = {
          {"all", "*"}, {"select", "r"}, {"insert", "a"}, {"update", "w"}, {"delete", "d"}};
      expect_equal(pw + " command", row[1].as<std::string>(), commands[p.command]);
      expect_equal(pw + " permissive", row[2].as<std::string>(), p.permissive ? "t" : "f");
      std::vector<std::string> roles = p.roles;
      if (roles.empty()) roles = {"public"};
      for (auto& r : roles) r = r == "public" ? r : quote(r);
      std::sort(roles.begin(), roles.end());
      expect_equal(pw + " roles", row[3].as<std::string>(""), join(roles));
      model::Policy probe = p;
      probe.name = "schemac_policy_" + std::to_string(counter_++);
      model::Table scratch_model;
      scratch_model.name = {"pg_temp", scratch_table};
      if (!scratch(emit::create_policy(scratch_model, probe), pw)) continue;
      auto expected = tx_.exec(
          "select pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid) from pg_policy "
          "where polname = " +
          lit(probe.name))[0];
      // A subquery's reference to the policy's own table is printed qualified by the
      // table's name: the scratch copy's there, the live table's here.
      auto own = [&](std::string sql) {
        const std::string from = scratch_table + ".", to = quote(t.live_name().name) + ".";
        for (auto at = sql.find(from); at != std::string::npos; at = sql.find(from, at + to.size()))
          sql.replace(at, from.size(), to);
        return sql;
      };
      expect_equal(pw + " using", row[4].as<std::string>("<none>"), own(expected[0].as<std::string>("<none>")));
      expect_equal(pw + " with check", row[5].as<std::string>("<none>"), own(expected[1].as<std::string>("<none>")));
      compare_comment(pw, row[6], p.doc);
    }
  }

  void check_triggers(const model::Table& t, const std::string& rel, const std::string& scratch_table) {
    std::string what = "table " + t.live_name().display();
    std::map<std::string, pqxx::row> live;
    for (auto row :
         tx_.exec("select tgname, pg_get_triggerdef(oid), obj_description(oid, 'pg_trigger') from pg_trigger "
                  "where not tgisinternal and tgrelid = " +
                  rel))
      live.emplace(row[0].as<std::string>(), row);
    std::set<std::string> declared;
    for (const auto& tr : t.triggers) declared.insert(tr.name);
    for (const auto& [name, row] : live)
      if (!declared.count(name)) problem(what + ": trigger " + name + " exists but is not declared");
    for (const auto& tr : t.triggers) {
      std::string tw = what + " trigger " + tr.name;
      auto it = live.find(tr.name);
      if (it == live.end()) {
        problem(tw + " missing");
        continue;
      }
      // Rebuild on the scratch copy and compare definitions with names taken out.
      model::Trigger probe = tr;
      probe.name = "schemac_trigger_" + std::to_string(counter_++);
      model::Table scratch_model;
      scratch_model.name = {"pg_temp", scratch_table};
      if (tr.timing == "instead of" || !scratch(emit::create_trigger(scratch_model, probe), tw)) continue;
      auto normalise = [](std::string def, const std::string& name) {
        std::string from = "TRIGGER " + quote(name) + " ";
        if (auto at = def.find(from); at != std::string::npos) def.replace(at, from.size(), "TRIGGER <name> ");
        auto on = def.find(" ON ");
        auto each = def.find(" FOR EACH ", on == std::string::npos ? 0 : on);
        if (on != std::string::npos && each != std::string::npos) def.replace(on, each - on, " ON <table>");
        return def;
      };
      expect_equal(tw + " definition", normalise(it->second[1].as<std::string>(), tr.name),
                   normalise(text("select pg_get_triggerdef(oid) from pg_trigger where tgname = " + lit(probe.name)),
                             probe.name));
      compare_comment(tw, it->second[2], tr.doc);
    }
  }

  static const std::vector<std::string>& relation_privileges() {
    static const std::vector<std::string> all = {"DELETE",  "INSERT",   "REFERENCES", "SELECT",
                                                 "TRIGGER", "TRUNCATE", "UPDATE"};
    return all;
  }
  std::string relation_acl_sql(const std::string& rel) {
    return "select case when a.grantee = 0 then 'PUBLIC' else a.grantee::regrole::text end, a.privilege_type from "
           "pg_class c, aclexplode(c.relacl) a where c.oid = " +
           rel + " and a.grantee <> c.relowner";
  }

  void check_grants(const model::Table& t, const std::string& rel) {
    // An archive revokes the declared roles' grants.
    check_acl("table " + t.live_name().display(), relation_acl_sql(rel),
              t.archived_as ? std::set<std::string>{} : expected_acl(t.grants, {}, relation_privileges()));
  }

  // ---- views ---------------------------------------------------------------------------

  void check_view(const QualifiedName& name, const std::string& query, const model::Doc& doc, char kind,
                  bool security_invoker) {
    std::string what = std::string(kind == 'v' ? "view " : "materialized view ") + name.display();
    auto relkind = value("select relkind from pg_class where oid = to_regclass(" + lit(name.sql()) + ")");
    if (!relkind) return problem(what + " missing");
    expect_equal(what + " kind", *relkind, std::string(1, kind));
    std::string probe = "schemac_view_" + std::to_string(counter_++);
    if (scratch("create temp view " + probe + " as " + query, what))
      expect_equal(what + " query", text("select pg_get_viewdef(" + reg(name) + ")"),
                   text("select pg_get_viewdef(" + lit("pg_temp." + probe) + "::regclass)"));
    if (kind == 'v')
      expect_equal(what + " security_invoker",
                   text("select coalesce('security_invoker=true' = any(reloptions), false) from pg_class where oid = " +
                        reg(name)),
                   security_invoker ? "t" : "f");
    check_comment(what, "select obj_description(" + reg(name) + ", 'pg_class')", doc);
  }

  pqxx::work tx_;
  const model::Schema& schema_;
  std::vector<std::string> problems_;
  int counter_ = 0;
};

}  // namespace

std::vector<std::string> compare_catalog(pqxx::connection& db, const model::Schema& schema) {
  return Comparer(db, schema).run();
}

}  // namespace schemac::test
