// The quests example against seed 000's guide, using the checked-in migrations in
// generated/quests/migrations (kept current by the staleness test): the guide's
// verification queries after 0002 goes up, its rollback expectations after it comes
// down, and the catalog against the schema models at each point.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "emit/sql.hpp"
#include "pg/catalog.hpp"
#include "pg/pg_support.hpp"
#include "support.hpp"

using namespace schemac;
using test::compile_ok;
using test::fresh_database;
using test::report;
using test::rows;
using test::run;

namespace {

std::string migration(const std::string& file) { return test::migration_file("quests", file); }

long count(pqxx::connection& db, const std::string& sql) {
  pqxx::work tx(db);
  return tx.exec(sql).at(0).at(0).as<long>();
}

}  // namespace

TEST_CASE("seed 000: the personalized quest migration, verified as the guide asks, and rolled back") {
  auto v1 = compile_ok("schemas/quests/history/0001_init");
  auto v2 = compile_ok("schemas/quests");
  pqxx::connection db(fresh_database("quests_seed"));
  run(db, emit::platform_stub_sql(v2));
  run(db, migration("0001_init.up.sql") + migration("0001_init.verify.sql"));
  REQUIRE(test::compare_catalog(db, v1).empty());

  // The global quest system in use: 3 users, 2 quests (3 and 2 tasks), 4 enrolments
  // of which 3 are active, 2 completions, a collaboration and 2 ratings.
  run(db, R"(
    insert into auth.users (id) values ('00000000-0000-0000-0000-00000000000a'), ('00000000-0000-0000-0000-00000000000b'),
                                       ('00000000-0000-0000-0000-00000000000c');
    insert into quests (id, title) values ('10000000-0000-0000-0000-000000000001', 'Fitness'),
                                          ('10000000-0000-0000-0000-000000000002', 'Reading');
    insert into quest_tasks (id, quest_id, title, order_index) values
      ('20000000-0000-0000-0000-000000000001', '10000000-0000-0000-0000-000000000001', 'Walk', 1),
      ('20000000-0000-0000-0000-000000000002', '10000000-0000-0000-0000-000000000001', 'Run', 2),
      ('20000000-0000-0000-0000-000000000003', '10000000-0000-0000-0000-000000000001', 'Swim', 3),
      ('20000000-0000-0000-0000-000000000004', '10000000-0000-0000-0000-000000000002', 'Chapter 1', 1),
      ('20000000-0000-0000-0000-000000000005', '10000000-0000-0000-0000-000000000002', 'Chapter 2', 2);
    insert into user_quests (user_id, quest_id, is_active) values
      ('00000000-0000-0000-0000-00000000000a', '10000000-0000-0000-0000-000000000001', true),
      ('00000000-0000-0000-0000-00000000000b', '10000000-0000-0000-0000-000000000001', true),
      ('00000000-0000-0000-0000-00000000000c', '10000000-0000-0000-0000-000000000002', false),
      ('00000000-0000-0000-0000-00000000000a', '10000000-0000-0000-0000-000000000002', true);
    insert into quest_task_completions (user_id, quest_task_id) values
      ('00000000-0000-0000-0000-00000000000a', '20000000-0000-0000-0000-000000000001'),
      ('00000000-0000-0000-0000-00000000000b', '20000000-0000-0000-0000-000000000002');
    insert into quest_collaborations (quest_id, inviter_id, invitee_id) values
      ('10000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-00000000000b');
    insert into quest_ratings (quest_id, user_id, rating) values
      ('10000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-00000000000a', 5),
      ('10000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-00000000000c', 3);
  )");
  const char* const old_tables[] = {
      "quests", "quest_tasks", "user_quests", "quest_task_completions", "quest_collaborations", "quest_ratings"};
  std::map<std::string, std::string> before;
  for (const char* t : old_tables) before[t] = rows(db, t);

  run(db, migration("0002_personalized_quests.up.sql") + migration("0002_personalized_quests.verify.sql"));
  {
    auto problems = test::compare_catalog(db, v2);
    INFO(report(problems));
    CHECK(problems.empty());
  }
  // Step 1: the four new tables.
  CHECK(count(db,
              "select count(*) from information_schema.tables where table_schema = 'public' and table_name in "
              "('user_quest_tasks', 'task_collaborations', 'quest_personalization_sessions', 'ai_task_cache')") == 4);
  // Step 2: new columns, and every existing enrolment marked as personalised.
  CHECK(count(db,
              "select count(*) from information_schema.columns where table_name = 'user_quests' and column_name in "
              "('personalization_completed', 'personalization_session_id')") == 2);
  CHECK(count(db, "select count(*) - sum(case when personalization_completed then 1 else 0 end) from user_quests") ==
        0);
  // Step 3: a copy of each quest task per active enrolment (3 + 3 + 2), completions linked.
  CHECK(count(db, "select count(*) from user_quest_tasks where is_manual = false") == 8);
  CHECK(count(db, "select count(*) from quest_task_completions where user_quest_task_id is not null") == 2);
  // Step 4: archived, originals gone.
  CHECK(count(db,
              "select count(*) from information_schema.tables where table_schema = 'public' and table_name like "
              "'%\\_archived'") == 3);
  CHECK(count(db,
              "select count(*) from information_schema.tables where table_schema = 'public' and table_name in "
              "('quest_tasks', 'quest_collaborations', 'quest_ratings')") == 0);
  // Post-migration integrity.
  CHECK(count(db, "select count(*) from user_quest_tasks where user_quest_id not in (select id from user_quests)") ==
        0);
  CHECK(count(db, "select count(*) from quest_task_completions where user_quest_task_id is null") == 0);
  // The archived data is all there.
  CHECK(rows(db, "quest_tasks_archived") == before["quest_tasks"]);

  // Rollback: archives renamed back, new columns and tables gone, the old data intact.
  run(db, migration("0002_personalized_quests.down.sql"));
  {
    auto problems = test::compare_catalog(db, v1);
    INFO(report(problems));
    CHECK(problems.empty());
  }
  CHECK(count(db,
              "select count(*) from information_schema.tables where table_schema = 'public' and table_name like "
              "'%\\_archived'") == 0);
  CHECK(count(db,
              "select count(*) from information_schema.tables where table_schema = 'public' and table_name in "
              "('user_quest_tasks', 'task_collaborations', 'quest_personalization_sessions', 'ai_task_cache')") == 0);
  CHECK(count(db,
              "select count(*) from information_schema.columns where table_name in ('user_quests', "
              "'quest_task_completions') and column_name in ('personalization_completed', "
              "'personalization_session_id', 'user_quest_task_id')") == 0);
  for (const char* t : old_tables) {
    INFO(t);
    CHECK(rows(db, t) == before[t]);
  }
}
