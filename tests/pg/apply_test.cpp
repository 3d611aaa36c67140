// On a real PostgreSQL 15 (started by scripts/with-postgres.sh): every example and
// golden schema's `schemac sql` applies to an empty database, and the live catalog
// then matches the model, object by object.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>
#include <set>
#include <sstream>

#include "emit/sql.hpp"
#include "model/names.hpp"
#include "model/opclasses.hpp"
#include "model/types.hpp"
#include "pg/catalog.hpp"
#include "pg/pg_support.hpp"
#include "plan/plan.hpp"
#include "support.hpp"

using namespace schemac;
using test::compile_ok;
using test::fresh_database;
using test::report;
using test::rows;
using test::run;

namespace {

// A new empty database; the server comes from PGHOST/PGPORT/PGUSER.
}  // namespace

TEST_CASE("schemac sql applies and the catalog matches the model, for every schema of the suite") {
  auto dirs = test::valid_schema_dirs();
  REQUIRE(dirs.size() >= 4);
  int n = 0;
  for (const auto& dir : dirs) {
    DYNAMIC_SECTION(dir.generic_string()) {
      auto schema = test::single_node(compile_ok(dir));
      pqxx::connection db(fresh_database("schemac_apply_" + std::to_string(n++)));
      {
        pqxx::work tx(db);
        tx.exec(emit::platform_stub_sql(schema));
        tx.exec(plan::full_state_sql(schema));
        tx.commit();
      }
      auto problems = test::compare_catalog(db, schema);
      std::string report;
      for (const auto& p : problems) report += "  " + p + "\n";
      INFO("catalog differs from the model:\n" << report);
      CHECK(problems.empty());
    }
  }
}

TEST_CASE("the catalog comparison notices differences") {
  // A comparison that cannot fail proves nothing: change the live database behind
  // the model's back, one kind of object at a time, and expect a report each time.
  auto schema = compile_ok("schemas/ai_assistant");
  const std::vector<std::pair<std::string, std::string>> tamperings = {
      {"alter table public.conversations alter column title set not null", "column title not null"},
      {"alter table public.conversations alter column model set default 'other'", "column model default"},
      {"alter table public.messages alter column tokens_used type bigint", "column tokens_used type"},
      {"alter table public.messages drop constraint messages_tokens_used_check",
       "constraint messages_tokens_used_check missing"},
      {"alter table public.messages drop constraint messages_tokens_used_check, add constraint "
       "messages_tokens_used_check check (tokens_used > 0)",
       "constraint messages_tokens_used_check definition"},
      {"alter table public.feedback drop constraint feedback_message_id_fkey, add constraint feedback_message_id_fkey "
       "foreign key (message_id) references public.messages(id)",
       "feedback_message_id_fkey on delete"},
      {"drop index public.idx_conversations_tenant_updated; create index idx_conversations_tenant_updated on "
       "public.conversations (tenant_id, updated_at desc)",
       "index idx_conversations_tenant_updated definition"},
      {"alter table public.tenants no force row level security; alter table public.tenants disable row level security",
       "row level security"},
      {"alter policy tenants_select on public.tenants using (true)", "policy tenants_select using"},
      {"alter policy tenants_select on public.tenants to anon", "policy tenants_select roles"},
      {"drop trigger trigger_conversations_updated_at on public.conversations",
       "trigger trigger_conversations_updated_at missing"},
      {"revoke delete on public.users from authenticated", "table users privileges"},
      {"grant execute on function public.current_tenant_id() to public", "function current_tenant_id() privileges"},
      {"revoke execute on function public.increment_usage_metrics(uuid, uuid, date, int, int, numeric) from "
       "service_role",
       "function increment_usage_metrics(uuid, uuid, date, integer, integer, numeric) privileges"},
      {"comment on table public.tenants is 'changed'", "comment"},
      {"create or replace function public.update_updated_at_column() returns trigger language plpgsql as $$ begin "
       "return old; end $$",
       "function update_updated_at_column() body"},
      {"create or replace view public.current_day_usage as select tenant_id, user_id, message_count, total_tokens, "
       "estimated_cost from public.usage_metrics",
       "security_invoker"},
      {"create table public.stray (x int)", "stray exists but the model does not declare it"},
      {"alter table public.users add column nickname text", "column nickname exists but is not declared"},
  };
  auto types = compile_ok("tests/golden/types/schema");
  const std::vector<std::pair<std::string, std::string>> type_tamperings = {
      {"alter domain public.quantity drop constraint quantity_check1", "domain quantity"},
      {"alter domain public.quantity set default 2", "domain quantity"},
      {"alter domain public.email drop not null; alter domain public.email set not null", "domain email"},
      {"alter type public.address add attribute country text", "composite type address"},
      {"alter type public.address alter attribute zip type text", "composite type address"},
      {"comment on column public.address.city is null", "composite type address field city comment"},
      {"create domain public.stray_domain as int", "type public.stray_domain exists but the model does not declare it"},
      {"alter table public.contacts alter column tree type text", "column tree type"},
  };
  auto sequences = compile_ok("tests/golden/sequences/schema");
  const std::vector<std::pair<std::string, std::string>> sequence_tamperings = {
      {"alter sequence public.order_no increment by 2", "sequence order_no"},
      {"alter sequence public.order_no owned by none", "sequence order_no owned by"},
      {"revoke usage on sequence public.ticket_no from authenticated", "sequence ticket_no privileges"},
      {"create sequence public.stray", "sequence public.stray exists but the model does not declare it"},
      {"alter table public.orders alter column legacy set default 5", "column legacy default"},
      {"alter default privileges grant select on tables to authenticated", "default privileges"},
      {"alter table public.orders alter column line drop default; drop sequence public.orders_line_seq",
       "column line serial sequence"},
  };
  auto overloads = compile_ok("tests/golden/function_overloads/schema");
  const std::vector<std::pair<std::string, std::string>> overload_tamperings = {
      {"create function public.area(r int) returns int language sql as $$ select r $$",
       "function area(integer) exists but the model does not declare it"},
      {"revoke execute on function public.area(float8) from authenticated",
       "function area(double precision) privileges"},
      {"comment on function public.area(int, int) is 'changed'", "function area(integer, integer) comment"},
      {"drop procedure public.touch(text)", "function touch(text) missing"},
  };
  int n = 0;
  auto tamper = [&](const model::Schema& s, const std::vector<std::pair<std::string, std::string>>& list) {
    for (const auto& [sql, expected] : list) {
      DYNAMIC_SECTION(expected) {
        pqxx::connection db(fresh_database("schemac_tamper_" + std::to_string(n++)));
        pqxx::work tx(db);
        tx.exec(emit::platform_stub_sql(s));
        tx.exec(plan::full_state_sql(s));
        tx.exec(sql);
        tx.commit();
        auto problems = test::compare_catalog(db, s);
        std::string report;
        for (const auto& p : problems) report += "  " + p + "\n";
        INFO(report);
        bool found = false;
        for (const auto& p : problems) found |= p.find(expected) != std::string::npos;
        CHECK(found);
      }
    }
  };
  tamper(schema, tamperings);
  tamper(types, type_tamperings);
  tamper(sequences, sequence_tamperings);
  tamper(overloads, overload_tamperings);
}

TEST_CASE("the quoted-keyword list is the server's") {
  pqxx::connection db("dbname=postgres");
  pqxx::work tx(db);
  std::size_t server = 0;
  for (auto row : tx.exec("select word, catcode from pg_get_keywords()")) {
    std::string word = row[0].as<std::string>();
    bool quoted = row[1].as<std::string>() != "U";
    server += quoted;
    INFO(word);
    CHECK(names::is_quoted_keyword(word) == quoted);
  }
  CHECK(server > 100);
}

TEST_CASE("the type table's names and spellings are the server's") {
  pqxx::connection db("dbname=postgres");
  pqxx::work tx(db);
  for (const auto& b : model::builtin_types()) {
    for (auto spelling : b.spellings) {
      INFO(spelling);
      auto row = tx.exec1("select format_type(" + tx.quote(std::string(spelling)) + "::regtype, null)");
      CHECK(row[0].as<std::string>() == b.name);
    }
    // With modifiers and as an array, printed where type_sql puts them.
    model::Type t;
    t.builtin = b.name;
    if (b.max_modifiers == 2) t.modifiers = {12, 2};
    if (b.max_modifiers == 1) t.modifiers = {3};
    t.array_dims = 1;
    INFO(model::type_sql(t));
    tx.exec0("create temp table type_probe (x " + model::type_sql(t) + ")");
    auto row = tx.exec1(
        "select format_type(atttypid, atttypmod) from pg_attribute where attrelid = 'type_probe'::regclass and "
        "attname = 'x'");
    CHECK(row[0].as<std::string>() == model::type_sql(t));
    tx.exec0("drop table type_probe");
  }
}

TEST_CASE("the type table holds every type of the server's catalog that a column may have") {
  pqxx::connection db("dbname=postgres");
  pqxx::work tx(db);
  // Base, range and multirange types of pg_catalog; not arrays, not the server's
  // internal ones (category Z) and not the vector types only the catalog uses.
  std::set<std::string> live, table;
  for (auto row : tx.exec("select format_type(t.oid, null) from pg_type t where t.typnamespace = "
                          "'pg_catalog'::regnamespace and t.typtype in ('b', 'r', 'm') and t.typcategory not in "
                          "('A', 'Z')"))
    live.insert(row[0].as<std::string>());
  for (const auto& b : model::builtin_types()) table.insert(std::string(b.name));
  CHECK(table == live);
}

TEST_CASE("the extension type table is the server's") {
  auto conn = fresh_database("schemac_extension_types");
  pqxx::connection db(conn);
  pqxx::work tx(db);
  std::set<std::string> extensions;
  for (const auto& t : model::extension_types()) extensions.insert(std::string(t.extension));
  for (const auto& e : extensions) tx.exec0("create extension if not exists " + e + " cascade");
  std::set<std::string> live, table;
  for (auto row : tx.exec("select t.typname || ' ' || x.extname from pg_type t join pg_depend d on d.classid = "
                          "'pg_type'::regclass and d.objid = t.oid and d.deptype = 'e' join pg_extension x on x.oid = "
                          "d.refobjid where t.typtype in ('b', 'd', 'r', 'm', 'c') and t.typcategory <> 'A'"))
    live.insert(row[0].as<std::string>());
  for (const auto& t : model::extension_types()) table.insert(std::string(t.name) + " " + std::string(t.extension));
  CHECK(table == live);
}

TEST_CASE("hand-written DDL next to a golden case builds the catalog its model describes") {
  int n = 0;
  for (const auto& dir : test::valid_schema_dirs()) {
    auto handwritten = dir.parent_path() / "handwritten.sql";
    if (!std::filesystem::exists(test::source_dir() / handwritten)) continue;
    ++n;
    DYNAMIC_SECTION(dir.generic_string()) {
      auto schema = test::single_node(compile_ok(dir));
      pqxx::connection db(fresh_database("schemac_handwritten_" + std::to_string(n)));
      {
        pqxx::work tx(db);
        tx.exec(emit::platform_stub_sql(schema));
        std::ifstream in(test::source_dir() / handwritten);
        std::stringstream text;
        text << in.rdbuf();
        REQUIRE_FALSE(text.str().empty());
        tx.exec(text.str());
        tx.commit();
      }
      auto problems = test::compare_catalog(db, schema);
      INFO("the hand-written DDL's catalog differs from the model:\n" << report(problems));
      CHECK(problems.empty());
    }
  }
  CHECK(n >= 1);
}

TEST_CASE("the operator class table is the server's, with its extensions'") {
  auto conn = fresh_database("schemac_opclasses");
  pqxx::connection db(conn);
  pqxx::work tx(db);
  for (const char* e : {"pg_trgm", "btree_gist", "btree_gin", "citext", "hstore", "ltree", "cube", "intarray", "isn"})
    tx.exec0(std::string("create extension if not exists ") + e + " cascade");
  std::set<std::string> live, table;
  for (auto row :
       tx.exec("select opc.opcname || ' ' || am.amname || ' ' || coalesce(x.extname, '') from pg_opclass opc "
               "join pg_am am on am.oid = opc.opcmethod left join pg_depend d on d.classid = "
               "'pg_opclass'::regclass and d.objid = opc.oid and d.deptype = 'e' left join pg_extension x "
               "on x.oid = d.refobjid"))
    live.insert(row[0].as<std::string>());
  for (const auto& c : model::operator_classes())
    table.insert(std::string(c.name) + " " + c.method + " " + c.extension);
  CHECK(table == live);
}

TEST_CASE("unnamed constraints and indexes get the names PostgreSQL itself chooses") {
  // The same DDL with the default names taken out: whatever PostgreSQL picks must be
  // the model's name (the archive renames in the script would fail otherwise, too).
  int n = 0;
  for (const auto& dir : test::valid_schema_dirs()) {
    DYNAMIC_SECTION(dir.generic_string()) {
      auto schema = test::single_node(compile_ok(dir));
      std::string sql = plan::full_state_sql(schema);
      auto strip = [&](const std::string& from, const std::string& to) {
        for (std::size_t at; (at = sql.find(from)) != std::string::npos;) sql.replace(at, from.size(), to);
      };
      for (const auto& t : schema.tables) {
        for (const auto& c : t.constraints)
          if (!c.named) {
            strip("  CONSTRAINT " + names::quote(c.name) + " ", "  ");
            strip("ADD CONSTRAINT " + names::quote(c.name) + " ", "ADD ");
          }
        for (const auto& ix : t.indexes)
          if (!ix.named) strip("INDEX " + names::quote(ix.name) + " ON ", "INDEX ON ");
      }
      for (const auto& v : schema.materialized_views)
        for (const auto& ix : v.indexes)
          if (!ix.named) strip("INDEX " + names::quote(ix.name) + " ON ", "INDEX ON ");
      pqxx::connection db(fresh_database("schemac_names_" + std::to_string(n++)));
      pqxx::work tx(db);
      tx.exec(emit::platform_stub_sql(schema));
      tx.exec(sql);
      for (const auto& t : schema.tables) {
        if (t.is_extern || t.archived_as) continue;  // archived: the renames above already checked them
        std::set<std::string> live, expected;
        // (A constraint trigger has a pg_constraint row of its own, under the trigger's name.)
        for (auto row :
             tx.exec("select conname from pg_constraint where contype <> 't' and conrelid = " + tx.quote(t.name.sql()) +
                     "::regclass union select i.relname from pg_index x join pg_class i on i.oid = "
                     "x.indexrelid where x.indrelid = " +
                     tx.quote(t.name.sql()) + "::regclass"))
          live.insert(row[0].as<std::string>());
        for (const auto& c : t.constraints) expected.insert(c.name);
        for (const auto& ix : t.indexes) expected.insert(ix.name);
        INFO(t.name.display());
        CHECK(live == expected);
      }
      for (const auto& v : schema.materialized_views) {
        std::set<std::string> live, expected;
        for (auto row : tx.exec("select i.relname from pg_index x join pg_class i on i.oid = x.indexrelid where "
                                "x.indrelid = " +
                                tx.quote(v.name.sql()) + "::regclass"))
          live.insert(row[0].as<std::string>());
        for (const auto& ix : v.indexes) expected.insert(ix.name);
        INFO(v.name.display());
        CHECK(live == expected);
      }
    }
  }
}
