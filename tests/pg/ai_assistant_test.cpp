// The AI assistant example against seed 004's guide: the checks it asks a person to
// run by hand after deploying, and the behaviour it relies on (triggers, concurrent
// refresh of both materialized views, the usage counter).
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "emit/sql.hpp"
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
// Builds the example in a database of its own and returns how to connect to it.
std::string deployed_ai_assistant() {
  auto schema = compile_ok("schemas/ai_assistant");
  std::string connection = fresh_database("ai_assistant_seed");
  pqxx::connection db(connection);
  run(db, emit::platform_stub_sql(schema) + plan::full_state_sql(schema));
  return connection;
}
}  // namespace

TEST_CASE("seed 004: the guide's verification queries hold") {
  pqxx::connection db(deployed_ai_assistant());
  pqxx::work tx(db);
  // 1. The tables exist.
  CHECK(tx.exec("select table_name from information_schema.tables where table_schema = 'public' and table_type = "
                "'BASE TABLE' and table_name in ('conversations', 'messages', 'feedback', 'usage_metrics', 'tenants', "
                "'users')")
            .size() == 6);
  // 2. The indexes the performance section relies on.
  CHECK(tx.exec("select 1 from pg_indexes where indexname in ('idx_messages_conversation_created', "
                "'idx_conversations_tenant_updated')")
            .size() == 2);
  // 3. Four policies per table: select, insert, update, delete.
  for (auto row : tx.exec("select tablename, string_agg(cmd, ',' order by cmd) from pg_policies where schemaname = "
                          "'public' group by tablename")) {
    INFO(row[0].as<std::string>());
    CHECK(row[1].as<std::string>() == "DELETE,INSERT,SELECT,UPDATE");
  }
  CHECK(tx.exec("select distinct tablename from pg_policies where schemaname = 'public'").size() == 6);
  // 4. Foreign keys of the four guide tables.
  CHECK(tx.exec("select 1 from information_schema.table_constraints where constraint_type = 'FOREIGN KEY' and "
                "table_schema = 'public' and table_name in ('conversations', 'messages', 'feedback', "
                "'usage_metrics')")
            .size() == 9);
  // 5. Both materialized views.
  CHECK(tx.exec("select 1 from pg_matviews where schemaname = 'public' and matviewname in ('message_feedback_summary', "
                "'monthly_usage_summary')")
            .size() == 2);
  // Troubleshooting: RLS enabled on every table.
  CHECK(tx.exec("select 1 from pg_class where relname in ('conversations', 'messages', 'feedback', 'usage_metrics') "
                "and relrowsecurity")
            .size() == 4);
}

TEST_CASE("seed 004: triggers fire, usage counts up, materialized views refresh concurrently") {
  pqxx::connection db(deployed_ai_assistant());
  pqxx::work tx(db);
  tx.exec("insert into auth.users (id, email) values ('00000000-0000-0000-0000-000000000001', 'a@example.com')");
  tx.exec("insert into tenants (id, name, slug) values ('10000000-0000-0000-0000-000000000001', 'Tenant', 'tenant')");
  tx.exec(
      "insert into users (id, tenant_id, email) values ('00000000-0000-0000-0000-000000000001', "
      "'10000000-0000-0000-0000-000000000001', 'a@example.com')");
  tx.exec(
      "insert into conversations (id, tenant_id, user_id, title, updated_at) values "
      "('20000000-0000-0000-0000-000000000001', '10000000-0000-0000-0000-000000000001', "
      "'00000000-0000-0000-0000-000000000001', 'Hello', '2000-01-01')");
  // trigger_messages_update_conversation bumps the conversation.
  tx.exec(
      "insert into messages (tenant_id, conversation_id, role, content) values "
      "('10000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000001', 'user', 'Hi')");
  CHECK(tx.exec("select updated_at > '2001-01-01' from conversations").at(0).at(0).as<bool>());
  // trigger_conversations_updated_at keeps updated_at current.
  tx.exec("update conversations set updated_at = '2000-01-01'");
  tx.exec("update conversations set title = 'Renamed'");
  CHECK(tx.exec("select updated_at > '2001-01-01' from conversations").at(0).at(0).as<bool>());
  // increment_usage_metrics creates the day's row, then adds to it.
  for (int i = 0; i < 2; ++i)
    tx.exec(
        "select increment_usage_metrics('10000000-0000-0000-0000-000000000001', "
        "'00000000-0000-0000-0000-000000000001', current_date, 10, 5, 0.25)");
  auto usage = tx.exec("select message_count, total_tokens, estimated_cost::text from usage_metrics").at(0);
  CHECK(usage[0].as<int>() == 2);
  CHECK(usage[1].as<int>() == 30);
  CHECK(usage[2].as<std::string>() == "0.500000");
  CHECK(tx.exec("select total_tokens from current_day_usage").at(0).at(0).as<int>() == 30);
  tx.commit();
  // Concurrent refresh needs the unique indexes; it cannot run inside a transaction block.
  pqxx::nontransaction nt(db);
  nt.exec("refresh materialized view concurrently message_feedback_summary");
  nt.exec("refresh materialized view concurrently monthly_usage_summary");
  CHECK(nt.exec("select total_tokens from monthly_usage_summary").at(0).at(0).as<int>() == 30);
  CHECK(nt.exec("select feedback_count from message_feedback_summary").at(0).at(0).as<int>() == 0);
}
