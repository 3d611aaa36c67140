// The AI assistant example against seed 004's guide, on the checked-in migrations in
// generated/ai_assistant/migrations: the guide's deployment order as five migrations
// (tenants and users, then its files 003 to 006), each verified and rolled back one
// by one with data present; the checks it asks a person to run by hand, verbatim;
// its application example; tenant isolation for every table and command as the API
// role; its two performance queries on their indexes; its monitoring queries.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "emit/sql.hpp"
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

// The guide's deployment order: its prerequisites (tenants, users), then 003 to 006.
const char* const steps[] = {"0001_tenants_and_users", "0002_conversations", "0003_messages", "0004_feedback",
                             "0005_usage_metrics"};
// The schema state after each step.
const char* const states[] = {
    "schemas/ai_assistant/history/0001_tenants_and_users", "schemas/ai_assistant/history/0002_conversations",
    "schemas/ai_assistant/history/0003_messages", "schemas/ai_assistant/history/0004_feedback", "schemas/ai_assistant"};

std::string migration(const std::string& file) { return test::migration_file("ai_assistant", file); }

void up(pqxx::connection& db, int step) {
  test::run_up(db, migration(std::string(steps[step]) + ".up.sql"),
               migration(std::string(steps[step]) + ".verify.sql"));
}

// A database with the platform's stand-ins and every migration applied.
std::string migrated(const std::string& name) {
  std::string connection = fresh_database(name);
  pqxx::connection db(connection);
  run(db, emit::platform_stub_sql(compile_ok("schemas/ai_assistant")));
  for (int i = 0; i < 5; ++i) up(db, i);
  return connection;
}

// Builds the example in a database of its own (the whole state at once).
std::string deployed_ai_assistant() {
  auto schema = compile_ok("schemas/ai_assistant");
  std::string connection = fresh_database("ai_assistant_seed");
  pqxx::connection db(connection);
  run(db, emit::platform_stub_sql(schema) + plan::full_state_sql(schema));
  return connection;
}

const std::string tenant_a = "10000000-0000-0000-0000-00000000000a";
const std::string tenant_b = "10000000-0000-0000-0000-00000000000b";
const std::string user_a = "00000000-0000-0000-0000-00000000000a";
const std::string user_b = "00000000-0000-0000-0000-00000000000b";
const std::string user_c = "00000000-0000-0000-0000-00000000000c";  // signed up, in no tenant yet
const std::string conversation_a = "20000000-0000-0000-0000-00000000000a";
const std::string conversation_b = "20000000-0000-0000-0000-00000000000b";
const std::string message_a = "30000000-0000-0000-0000-00000000000a";
const std::string message_b = "30000000-0000-0000-0000-00000000000b";
const std::string feedback_a = "40000000-0000-0000-0000-00000000000a";
const std::string feedback_b = "40000000-0000-0000-0000-00000000000b";

// Two tenants with one user, conversation, message, feedback and usage row each, set
// up by the owner (as the service would). Messages and feedback are inserted without
// a tenant_id: the triggers take it from the parent.
void two_tenants(pqxx::connection& db) {
  run(db, "insert into auth.users (id, email) values ('" + user_a + "', 'a@example.com'), ('" + user_b +
              "', 'b@example.com'), ('" + user_c +
              "', 'c@example.com');"
              "insert into tenants (id, name, slug) values ('" +
              tenant_a + "', 'Tenant A', 'tenant-a'), ('" + tenant_b +
              "', 'Tenant B', 'tenant-b');"
              "insert into users (id, tenant_id, email, name) values ('" +
              user_a + "', '" + tenant_a + "', 'a@example.com', 'A'), ('" + user_b + "', '" + tenant_b +
              "', 'b@example.com', 'B');"
              "insert into conversations (id, tenant_id, user_id, title) values ('" +
              conversation_a + "', '" + tenant_a + "', '" + user_a + "', 'A''s chat'), ('" + conversation_b + "', '" +
              tenant_b + "', '" + user_b +
              "', 'B''s chat');"
              "insert into messages (id, conversation_id, role, content) values ('" +
              message_a + "', '" + conversation_a + "', 'assistant', 'for A'), ('" + message_b + "', '" +
              conversation_b +
              "', 'assistant', 'for B');"
              "insert into feedback (id, message_id, user_id, rating) values ('" +
              feedback_a + "', '" + message_a + "', '" + user_a + "', 1), ('" + feedback_b + "', '" + message_b +
              "', '" + user_b +
              "', -1);"
              "select increment_usage_metrics('" +
              tenant_a + "', '" + user_a + "', current_date, 10, 5, 0.25);" + "select increment_usage_metrics('" +
              tenant_b + "', '" + user_b + "', current_date, 20, 5, 0.5);");
}

// What a statement did when run as a signed-in user of the API (role authenticated,
// the user's id in the JWT claims), in a transaction that is rolled back.
struct Outcome {
  long rows = 0;      // rows returned or changed
  std::string error;  // empty when it succeeded
  std::string first;  // the first value returned, if any
};
Outcome as_user(pqxx::connection& db, const std::string& user, const std::string& sql) {
  pqxx::work tx(db);
  tx.exec("set local role authenticated");
  tx.exec("select set_config('request.jwt.claim.sub', " + tx.quote(user) + ", true)");
  try {
    auto r = tx.exec(sql);
    return {static_cast<long>(r.affected_rows()), "", r.empty() || r.columns() == 0 ? "" : r[0][0].c_str()};
  } catch (const pqxx::sql_error& e) {
    return {0, e.what(), ""};
  }
}

long count(pqxx::connection& db, const std::string& sql) { return std::stol(test::value(db, sql)); }

// The rows of a query, each as its columns joined by '|', one per line.
std::string table(pqxx::connection& db, const std::string& sql) {
  pqxx::work tx(db);
  std::string out;
  for (auto row : tx.exec(sql)) {
    for (pqxx::row::size_type i = 0; i < row.size(); ++i)
      out += (i ? "|" : "") + std::string(row[i].is_null() ? "<null>" : row[i].c_str());
    out += "\n";
  }
  return out;
}

std::string explain(pqxx::connection& db, const std::string& sql) {
  pqxx::work tx(db);
  std::string plan;
  for (auto row : tx.exec(sql)) plan += row[0].as<std::string>() + "\n";
  return plan;
}

}  // namespace

TEST_CASE("seed 004: the guide's migrations one by one, then rolled back one by one keeping what came before") {
  std::string connection = fresh_database("ai_assistant_steps");
  pqxx::connection db(connection);
  run(db, emit::platform_stub_sql(compile_ok("schemas/ai_assistant")));
  auto analyzed = [&] {
    return count(db,
                 "select count(*) from pg_class where relname in ('conversations', 'messages', 'feedback', "
                 "'usage_metrics') and relkind = 'r' and reltuples >= 0");  // -1: never analyzed
  };
  for (int i = 0; i < 5; ++i) {
    INFO(steps[i]);
    if (i == 4) CHECK(analyzed() == 0);
    up(db, i);
    auto problems = test::compare_catalog(db, compile_ok(states[i]));
    INFO(report(problems));
    CHECK(problems.empty());
  }
  // The guide's post-migration "Update statistics", done by 0005's data step.
  CHECK(analyzed() == 4);
  two_tenants(db);
  const char* const tables[] = {"tenants", "users", "conversations", "messages", "feedback", "usage_metrics"};
  const int table_step[] = {0, 0, 1, 2, 3, 4};  // the step that creates each
  std::map<std::string, std::string> before;
  for (const char* t : tables) before[t] = rows(db, t);
  CHECK(count(db, "select count(*) from usage_metrics") == 2);

  // The guide's rollback procedures, newest first: each removes its own objects and
  // nothing else; tenants and users (and every earlier step's rows) stay.
  const char* const removed[] = {nullptr, "conversations", "messages", "feedback", "usage_metrics"};
  for (int i = 4; i >= 1; --i) {
    INFO("rolling back " << steps[i]);
    run(db, migration(std::string(steps[i]) + ".down.sql"));
    auto problems = test::compare_catalog(db, compile_ok(states[i - 1]));
    INFO(report(problems));
    CHECK(problems.empty());
    CHECK(count(db, std::string("select count(*) from information_schema.tables where table_schema = 'public' and "
                                "table_name = '") +
                        removed[i] + "'") == 0);
    for (int t = 0; t < 6; ++t) {  // the tables of the earlier steps keep their rows
      if (table_step[t] >= i) continue;
      INFO(tables[t]);
      CHECK(rows(db, tables[t]) == before[tables[t]]);
    }
  }
  // The guide's "complete rollback" leaves tenants and users with their rows.
  CHECK(rows(db, "tenants") == before["tenants"]);
  CHECK(rows(db, "users") == before["users"]);
  // A rolled-back table's rows are not destroyed: schemac keeps them aside.
  CHECK(count(db, "select count(*) from pg_tables where schemaname = 'schemac_retained'") == 4);

  // And forward again, to the same catalog.
  for (int i = 1; i < 5; ++i) up(db, i);
  auto problems = test::compare_catalog(db, compile_ok("schemas/ai_assistant"));
  INFO(report(problems));
  CHECK(problems.empty());
}

TEST_CASE("seed 004: the whole state at once: triggers fire, usage counts up, views refresh concurrently") {
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

TEST_CASE("seed 004: the guide's verification queries, verbatim") {
  pqxx::connection db(migrated("ai_assistant_verify"));
  // 1. Check Tables Were Created: the guide's expected output.
  CHECK(table(db, R"(
SELECT table_name, table_type
FROM information_schema.tables
WHERE table_schema = 'public'
AND table_name IN ('conversations', 'messages', 'feedback', 'usage_metrics')
ORDER BY table_name;)") ==
        "conversations|BASE TABLE\nfeedback|BASE TABLE\nmessages|BASE TABLE\nusage_metrics|BASE TABLE\n");
  // 2. Check Indexes: the two the performance section relies on, among 16.
  auto indexes = table(db, R"(
SELECT
    tablename,
    indexname,
    indexdef
FROM pg_indexes
WHERE schemaname = 'public'
AND tablename IN ('conversations', 'messages', 'feedback', 'usage_metrics')
ORDER BY tablename, indexname;)");
  CHECK(std::count(indexes.begin(), indexes.end(), '\n') == 16);
  CHECK_THAT(indexes, Catch::Contains("conversations|idx_conversations_tenant_updated|CREATE INDEX "
                                      "idx_conversations_tenant_updated ON public.conversations USING btree "
                                      "(tenant_id, updated_at DESC) WHERE (NOT is_archived)"));
  CHECK_THAT(indexes, Catch::Contains("messages|idx_messages_conversation_created|CREATE INDEX "
                                      "idx_messages_conversation_created ON public.messages USING btree "
                                      "(conversation_id, created_at)"));
  // 3. Check RLS Policies: "Expected: 4 policies per table (SELECT, INSERT, UPDATE, DELETE)".
  auto policies = table(db, R"(
SELECT
    schemaname,
    tablename,
    policyname,
    permissive,
    cmd
FROM pg_policies
WHERE schemaname = 'public'
AND tablename IN ('conversations', 'messages', 'feedback', 'usage_metrics')
ORDER BY tablename, policyname;)");
  for (const char* t : {"conversations", "messages", "feedback", "usage_metrics"}) {
    INFO(policies);
    for (const char* cmd : {"SELECT", "INSERT", "UPDATE", "DELETE"})
      CHECK_THAT(policies,
                 Catch::Contains(std::string("|") + t + "|") && Catch::Contains(std::string("PERMISSIVE|") + cmd));
    CHECK(count(db, std::string("select count(*) from pg_policies where tablename = '") + t + "'") == 4);
  }
  CHECK(std::count(policies.begin(), policies.end(), '\n') == 16);
  // 4. Check Foreign Keys: one row per foreign key (2 + 2 + 3 + 2).
  CHECK(table(db, R"(
SELECT
    tc.table_name,
    tc.constraint_name,
    tc.constraint_type,
    kcu.column_name,
    ccu.table_name AS foreign_table_name,
    ccu.column_name AS foreign_column_name
FROM information_schema.table_constraints AS tc
JOIN information_schema.key_column_usage AS kcu
    ON tc.constraint_name = kcu.constraint_name
JOIN information_schema.constraint_column_usage AS ccu
    ON ccu.constraint_name = tc.constraint_name
WHERE tc.constraint_type = 'FOREIGN KEY'
AND tc.table_schema = 'public'
AND tc.table_name IN ('conversations', 'messages', 'feedback', 'usage_metrics')
ORDER BY tc.table_name, tc.constraint_name;)") ==  // the guide orders by table only; by name too, for a stable text
        "conversations|conversations_tenant_id_fkey|FOREIGN KEY|tenant_id|tenants|id\n"
        "conversations|conversations_user_id_fkey|FOREIGN KEY|user_id|users|id\n"
        "feedback|feedback_message_id_fkey|FOREIGN KEY|message_id|messages|id\n"
        "feedback|feedback_tenant_id_fkey|FOREIGN KEY|tenant_id|tenants|id\n"
        "feedback|feedback_user_id_fkey|FOREIGN KEY|user_id|users|id\n"
        "messages|messages_conversation_id_fkey|FOREIGN KEY|conversation_id|conversations|id\n"
        "messages|messages_tenant_id_fkey|FOREIGN KEY|tenant_id|tenants|id\n"
        "usage_metrics|usage_metrics_tenant_id_fkey|FOREIGN KEY|tenant_id|tenants|id\n"
        "usage_metrics|usage_metrics_user_id_fkey|FOREIGN KEY|user_id|users|id\n");
  // 5. Check Materialized Views.
  CHECK(table(db, R"(
SELECT schemaname, matviewname
FROM pg_matviews
WHERE schemaname = 'public'
AND matviewname IN ('message_feedback_summary', 'monthly_usage_summary')
ORDER BY matviewname;)") == "public|message_feedback_summary\npublic|monthly_usage_summary\n");
  CHECK(count(db, R"(
select count(*) from (SELECT schemaname, matviewname, definition
FROM pg_matviews
WHERE schemaname = 'public'
AND matviewname IN ('message_feedback_summary', 'monthly_usage_summary')) guide)") == 2);
  // Troubleshooting: "Should show relrowsecurity = true for all tables".
  CHECK(table(db, R"(
SELECT relname, relrowsecurity
FROM pg_class
WHERE relname IN ('conversations', 'messages', 'feedback', 'usage_metrics') ORDER BY relname;)") ==
        "conversations|t\nfeedback|t\nmessages|t\nusage_metrics|t\n");
  // Troubleshooting: tenants and users exist. The guide's query has no schema filter:
  // on Supabase (and here) it finds auth.users as well.
  CHECK(count(db, R"(select count(*) from (SELECT * FROM information_schema.tables
WHERE table_name IN ('tenants', 'users')) guide)") == 3);

  // 6. Test RLS Policies. The guide's ids ('test-tenant-1', 'test-user-1') are not
  // uuids, so PostgreSQL refuses them: uuids stand in. "As service role" is the
  // owner here (Supabase's service_role bypasses row level security; our stand-in
  // role does not). A users row needs its auth user first.
  const std::string t1 = "'50000000-0000-0000-0000-000000000001'", u1 = "'60000000-0000-0000-0000-000000000001'";
  two_tenants(db);
  run(db, "INSERT INTO auth.users (id, email) VALUES (" + u1 + ", 'test@example.com');");
  run(db, "INSERT INTO public.tenants (id, name, slug) VALUES (" + t1 + ", 'Test Tenant 1', 'test-tenant-1');");
  run(db, "INSERT INTO public.users (id, tenant_id, email, name, role) VALUES (" + u1 + ", " + t1 +
              ", 'test@example.com', 'Test User', 'user');");
  run(db, "INSERT INTO public.conversations (tenant_id, user_id, title) VALUES (" + t1 + ", " + u1 +
              ", 'Test Conversation');");
  CHECK(count(db, "select count(*) from public.conversations") == 3);  // the owner sees all
  // "Should only return test-tenant-1 conversations."
  pqxx::work tx(db);
  tx.exec("set local role authenticated");
  tx.exec("select set_config('request.jwt.claim.sub', " + u1 + ", true)");
  auto seen = tx.exec("SELECT * FROM public.conversations;");
  REQUIRE(seen.size() == 1);
  CHECK(seen[0]["title"].as<std::string>() == "Test Conversation");
}

TEST_CASE("seed 004: the guide's application example: a message with conversation, role and content only") {
  pqxx::connection db(migrated("ai_assistant_app"));
  two_tenants(db);
  pqxx::work tx(db);
  tx.exec("set local role authenticated");
  tx.exec("select set_config('request.jwt.claim.sub', '" + user_a + "', true)");
  // "Create a conversation", then "Add a message", as the guide's client does.
  auto conversation = tx.exec("insert into conversations (tenant_id, user_id, title) values ('" + tenant_a + "', '" +
                              user_a + "', 'New Chat') returning id")
                          .at(0)
                          .at(0)
                          .as<std::string>();
  auto message = tx.exec("insert into messages (conversation_id, role, content) values ('" + conversation +
                         "', 'user', 'Hello!') returning id, tenant_id")
                     .at(0);
  CHECK(message[1].as<std::string>() == tenant_a);  // taken from the conversation
  // Feedback on it the same way: the tenant comes from the message.
  auto feedback = tx.exec("insert into feedback (message_id, user_id, rating) values ('" +
                          message[0].as<std::string>() + "', '" + user_a + "', 1) returning tenant_id")
                      .at(0);
  CHECK(feedback[0].as<std::string>() == tenant_a);
  // A tenant_id that disagrees with the conversation is corrected, not trusted.
  CHECK(tx.exec("insert into messages (tenant_id, conversation_id, role, content) values ('" + tenant_b + "', '" +
                conversation + "', 'user', 'Hi') returning tenant_id")
            .at(0)
            .at(0)
            .as<std::string>() == tenant_a);
}

TEST_CASE("seed 004: a member of one tenant cannot read or write another's rows, table by table") {
  pqxx::connection db(migrated("ai_assistant_rls"));
  two_tenants(db);
  const char* const tables[] = {"tenants", "users", "conversations", "messages", "feedback", "usage_metrics"};
  std::map<std::string, std::string> before;
  for (const char* t : tables) before[t] = rows(db, t);
  auto a = [&](const std::string& sql) { return as_user(db, user_a, sql); };
  auto denied = [](const Outcome& o) { return o.error.find("permission denied") != std::string::npos; };
  auto refused_by_rls = [](const Outcome& o) { return o.error.find("row-level security") != std::string::npos; };
  auto not_found = [](const Outcome& o) { return o.error.find("not found") != std::string::npos; };
  const std::string b_tenant = "'" + tenant_b + "'";

  SECTION("tenants") {
    CHECK(a("select * from tenants").rows == 1);  // its own
    CHECK(a("select * from tenants where id = " + b_tenant).rows == 0);
    CHECK(denied(a("insert into tenants (name, slug) values ('X', 'x')")));  // the service creates tenants
    CHECK(a("update tenants set name = 'taken' where id = " + b_tenant).rows == 0);
    CHECK(a("update tenants set name = 'renamed' where id = '" + tenant_a + "'").rows == 1);
    CHECK(denied(a("delete from tenants where id = " + b_tenant)));
  }
  SECTION("users") {
    CHECK(a("select * from users").rows == 1);
    CHECK(a("select * from users where tenant_id = " + b_tenant).rows == 0);
    CHECK(refused_by_rls(
        a("insert into users (id, tenant_id, email) values ('" + user_c + "', " + b_tenant + ", 'c@example.com')")));
    CHECK(a("insert into users (id, tenant_id, email) values ('" + user_c + "', '" + tenant_a + "', 'c@example.com')")
              .rows == 1);
    CHECK(a("update users set name = 'taken' where id = '" + user_b + "'").rows == 0);
    CHECK(refused_by_rls(a("update users set tenant_id = " + b_tenant + " where id = '" + user_a + "'")));
    CHECK(a("delete from users where id = '" + user_b + "'").rows == 0);
  }
  SECTION("conversations") {
    CHECK(a("select * from conversations").rows == 1);
    CHECK(a("select * from conversations where id = '" + conversation_b + "'").rows == 0);
    CHECK(refused_by_rls(a("insert into conversations (tenant_id, user_id, title) values (" + b_tenant + ", '" +
                           user_b + "', 'planted')")));
    CHECK(refused_by_rls(a("insert into conversations (tenant_id, user_id, title) values (" + b_tenant + ", '" +
                           user_a + "', 'planted')")));
    CHECK(a("update conversations set title = 'taken' where id = '" + conversation_b + "'").rows == 0);
    CHECK(
        refused_by_rls(a("update conversations set tenant_id = " + b_tenant + " where id = '" + conversation_a + "'")));
    CHECK(a("delete from conversations where id = '" + conversation_b + "'").rows == 0);
    CHECK(a("delete from conversations where id = '" + conversation_a + "'").rows == 1);
  }
  SECTION("messages") {
    CHECK(a("select * from messages").rows == 1);
    CHECK(a("select * from messages where conversation_id = '" + conversation_b + "'").rows == 0);
    // Into B's conversation: without a tenant, with B's, or with A's own tenant_id.
    CHECK(not_found(a("insert into messages (conversation_id, role, content) values ('" + conversation_b +
                      "', 'user', 'planted')")));
    CHECK(not_found(a("insert into messages (tenant_id, conversation_id, role, content) values (" + b_tenant + ", '" +
                      conversation_b + "', 'user', 'planted')")));
    CHECK(not_found(a("insert into messages (tenant_id, conversation_id, role, content) values ('" + tenant_a + "', '" +
                      conversation_b + "', 'user', 'planted')")));
    CHECK(a("update messages set content = 'taken' where id = '" + message_b + "'").rows == 0);
    // Moving its own message into B's conversation, or into B's tenant.
    CHECK(
        not_found(a("update messages set conversation_id = '" + conversation_b + "' where id = '" + message_a + "'")));
    CHECK(a("update messages set tenant_id = " + b_tenant + " where id = '" + message_a + "' returning tenant_id")
              .first == tenant_a);  // set back to its conversation's tenant
    CHECK(a("delete from messages where id = '" + message_b + "'").rows == 0);
    CHECK(a("delete from messages where id = '" + message_a + "'").rows == 1);
  }
  SECTION("feedback") {
    CHECK(a("select * from feedback").rows == 1);
    CHECK(a("select * from feedback where id = '" + feedback_b + "'").rows == 0);
    CHECK(not_found(
        a("insert into feedback (message_id, user_id, rating) values ('" + message_b + "', '" + user_a + "', 1)")));
    CHECK(not_found(a("insert into feedback (tenant_id, message_id, user_id, rating) values ('" + tenant_a + "', '" +
                      message_b + "', '" + user_a + "', 1)")));
    CHECK(a("update feedback set rating = 1 where id = '" + feedback_b + "'").rows == 0);
    CHECK(not_found(a("update feedback set message_id = '" + message_b + "' where id = '" + feedback_a + "'")));
    CHECK(a("update feedback set rating = -1 where id = '" + feedback_a + "'").rows == 1);
    CHECK(a("delete from feedback where id = '" + feedback_b + "'").rows == 0);
    CHECK(a("delete from feedback where id = '" + feedback_a + "'").rows == 1);
  }
  SECTION("usage_metrics") {
    CHECK(a("select * from usage_metrics").rows == 1);
    CHECK(a("select * from usage_metrics where tenant_id = " + b_tenant).rows == 0);
    CHECK(a("select * from current_day_usage").rows == 1);  // the view runs with the caller's rights
    // Usage is recorded by the service; a signed-in user writes none of it.
    CHECK(denied(a("insert into usage_metrics (tenant_id, user_id) values (" + b_tenant + ", '" + user_b + "')")));
    CHECK(denied(a("update usage_metrics set message_count = 0 where tenant_id = " + b_tenant)));
    CHECK(denied(a("delete from usage_metrics where tenant_id = " + b_tenant)));
    CHECK(denied(a("select increment_usage_metrics(" + b_tenant + ", '" + user_b + "', current_date, 1, 1, 1)")));
  }
  // Whatever A tried, B's rows are as they were (every attempt above was rolled back
  // or changed nothing).
  for (const char* t : tables) {
    INFO(t);
    CHECK(rows(db, t) == before[t]);
  }
}

TEST_CASE("seed 004: the guide's performance queries use their indexes") {
  pqxx::connection db(migrated("ai_assistant_explain"));
  two_tenants(db);
  // 50 tenants of one user each, 100 conversations per tenant (a tenth archived),
  // 40 messages in each of tenant A's conversations.
  run(db, R"(
    insert into auth.users (id) select ('70000000-0000-0000-0000-' || lpad(i::text, 12, '0'))::uuid
      from generate_series(1, 50) i;
    insert into tenants (id, name, slug) select ('80000000-0000-0000-0000-' || lpad(i::text, 12, '0'))::uuid,
      'T' || i, 't-' || i from generate_series(1, 50) i;
    insert into users (id, tenant_id, email) select ('70000000-0000-0000-0000-' || lpad(i::text, 12, '0'))::uuid,
      ('80000000-0000-0000-0000-' || lpad(i::text, 12, '0'))::uuid, i || '@example.com' from generate_series(1, 50) i;
    insert into conversations (tenant_id, user_id, is_archived, updated_at)
      select ('80000000-0000-0000-0000-' || lpad(t::text, 12, '0'))::uuid,
             ('70000000-0000-0000-0000-' || lpad(t::text, 12, '0'))::uuid, c % 10 = 0, now() - c * interval '1 hour'
        from generate_series(1, 50) t, generate_series(1, 100) c;
    insert into conversations (tenant_id, user_id, is_archived)
      select ')" +
              tenant_a + "', '" + user_a + R"(', c % 10 = 0 from generate_series(1, 100) c;
    insert into messages (conversation_id, role, content, created_at)
      select c.id, 'user', 'message ' || m, now() - m * interval '1 minute'
        from conversations c, generate_series(1, 40) m where c.tenant_id = ')" +
              tenant_a + R"(';
    analyze conversations;
    analyze messages;
  )");
  REQUIRE(count(db, "select count(*) from messages") > 4000);
  // The guide's queries, with a real tenant and conversation id for its placeholders.
  auto conversations = explain(db, R"(EXPLAIN ANALYZE
SELECT * FROM conversations
WHERE tenant_id = ')" + tenant_a + R"('
AND is_archived = false
ORDER BY updated_at DESC
LIMIT 20;)");
  INFO(conversations);
  CHECK_THAT(conversations, Catch::Contains("Index Scan using idx_conversations_tenant_updated on conversations"));
  auto messages = explain(db, R"(EXPLAIN ANALYZE
SELECT * FROM messages
WHERE conversation_id = ')" + conversation_a +
                                  R"('
ORDER BY created_at ASC;)");
  INFO(messages);
  CHECK_THAT(messages, Catch::Contains("idx_messages_conversation_created"));
  CHECK_THAT(messages, !Catch::Contains("Seq Scan"));
}

TEST_CASE("seed 004: the guide's monitoring and maintenance queries") {
  pqxx::connection db(migrated("ai_assistant_monitoring"));
  two_tenants(db);
  // Yesterday's usage for A, and B's feedback from yesterday.
  run(db, "select increment_usage_metrics('" + tenant_a + "', '" + user_a + "', current_date - 1, 100, 50, 1);" +
              "update feedback set created_at = current_date - 1 + time '12:00' where id = '" + feedback_b + "';");
  const std::string today = test::value(db, "select current_date::text");
  const std::string yesterday = test::value(db, "select (current_date - 1)::text");
  // Daily active users.
  CHECK(table(db, R"(
SELECT
    date,
    COUNT(DISTINCT user_id) as active_users
FROM usage_metrics
WHERE date >= CURRENT_DATE - INTERVAL '30 days'
GROUP BY date
ORDER BY date DESC;)") == today + "|2\n" + yesterday + "|1\n");
  // Feedback sentiment over time.
  CHECK(table(db, R"(
SELECT
    DATE(f.created_at) as date,
    COUNT(*) FILTER (WHERE rating = 1) as positive,
    COUNT(*) FILTER (WHERE rating = -1) as negative,
    ROUND(AVG(rating), 2) as avg_rating
FROM feedback f
WHERE f.created_at >= CURRENT_DATE - INTERVAL '30 days'
GROUP BY DATE(f.created_at)
ORDER BY date DESC;)") == today + "|1|0|1.00\n" + yesterday + "|0|1|-1.00\n");
  // Token usage by tenant.
  CHECK(table(db, R"(
SELECT
    t.name as tenant_name,
    SUM(um.total_tokens) as total_tokens,
    SUM(um.estimated_cost) as total_cost
FROM usage_metrics um
JOIN tenants t ON um.tenant_id = t.id
WHERE um.date >= CURRENT_DATE - INTERVAL '7 days'
GROUP BY t.name
ORDER BY total_tokens DESC;)") == "Tenant A|165|1.250000\nTenant B|25|0.500000\n");

  // Post-migration tasks and the daily and weekly maintenance, verbatim: none of it
  // may run inside a transaction block (VACUUM, REFRESH ... CONCURRENTLY), so each
  // statement runs on its own, as a scheduler would run it (docs/maintenance.md).
  for (const char* statement :
       {"REFRESH MATERIALIZED VIEW public.message_feedback_summary;",
        "REFRESH MATERIALIZED VIEW public.monthly_usage_summary;", "ANALYZE public.conversations;",
        "ANALYZE public.messages;", "ANALYZE public.feedback;", "ANALYZE public.usage_metrics;",
        "REFRESH MATERIALIZED VIEW CONCURRENTLY message_feedback_summary;",
        "REFRESH MATERIALIZED VIEW CONCURRENTLY monthly_usage_summary;", "VACUUM ANALYZE public.conversations;",
        "VACUUM ANALYZE public.messages;", "VACUUM ANALYZE public.feedback;", "VACUUM ANALYZE public.usage_metrics;",
        "REINDEX TABLE conversations;", "REINDEX TABLE messages;"}) {
    INFO(statement);
    pqxx::nontransaction nt(db);
    CHECK_NOTHROW(nt.exec(statement));
  }
  CHECK(table(db,
              "select t.name, s.active_users, s.total_tokens from monthly_usage_summary s join tenants t on t.id = "
              "s.tenant_id order by t.name, s.month") == (today.substr(0, 7) == yesterday.substr(0, 7)
                                                              ? "Tenant A|1|165\nTenant B|1|25\n"
                                                              : "Tenant A|1|150\nTenant A|1|15\nTenant B|1|25\n"));
  CHECK(table(db, "select positive_count, negative_count from message_feedback_summary where message_id = '" +
                      message_a + "'") == "1|0\n");
  // Check table sizes: one row per table, the four of the guide among them.
  auto sizes = table(db, R"(
SELECT
    schemaname,
    tablename,
    pg_size_pretty(pg_total_relation_size(schemaname||'.'||tablename)) AS size,
    pg_size_pretty(pg_relation_size(schemaname||'.'||tablename)) AS table_size,
    pg_size_pretty(pg_total_relation_size(schemaname||'.'||tablename) - pg_relation_size(schemaname||'.'||tablename)) AS index_size
FROM pg_tables
WHERE schemaname = 'public'
ORDER BY pg_total_relation_size(schemaname||'.'||tablename) DESC;)");
  for (const char* t : {"conversations", "messages", "feedback", "usage_metrics"})
    CHECK_THAT(sizes, Catch::Contains(std::string("public|") + t + "|"));
  // Monthly: archive conversations idle for six months. The update trigger keeps
  // updated_at current, so the idle conversation is inserted with its old date.
  run(db, "insert into conversations (tenant_id, user_id, title, updated_at) values ('" + tenant_a + "', '" + user_a +
              "', 'idle', now() - interval '7 months')");
  {
    pqxx::work tx(db);
    auto archived = tx.exec(R"(
UPDATE conversations
SET is_archived = true
WHERE updated_at < CURRENT_DATE - INTERVAL '6 months'
AND is_archived = false;)");
    CHECK(archived.affected_rows() == 1);
    tx.commit();
  }
  CHECK(table(db, "select title from conversations where is_archived") == "idle\n");
}
