// The quests example against seed 000's guide, using the checked-in migrations in
// generated/quests/migrations (kept current by the staleness test): the guide's
// verification queries, verbatim, after 0002 goes up; its rollback procedure after it
// comes down; its gate between the data copy and the archive (an assertion) rolling
// the migration back when the copy is incomplete; a user completing a personalised
// task afterwards; and its "drop the archived tables" step as migration 0003, up and
// down. The catalog is compared with the schema models at each point.
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

const char* const v2_dir = "schemas/quests/history/0002_personalized_quests";

// The global quest system in use: 3 users, 2 quests (3 and 2 tasks), 4 enrolments
// of which 3 are active, 2 completions, a collaboration and 2 ratings.
const char* const global_quests = R"(
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
  )";

// A database at 0001 with the global quest system's rows.
std::string at_0001(const std::string& name) {
  std::string url = fresh_database(name);
  pqxx::connection db(url);
  run(db, emit::platform_stub_sql(compile_ok("schemas/quests")));
  test::run_up(db, migration("0001_init.up.sql"), migration("0001_init.verify.sql"));
  run(db, global_quests);
  return url;
}

}  // namespace

TEST_CASE("seed 000: the personalized quest migration, verified as the guide asks, and rolled back") {
  auto v1 = compile_ok("schemas/quests/history/0001_init");
  auto v2 = compile_ok(v2_dir);
  pqxx::connection db(fresh_database("quests_seed"));
  run(db, emit::platform_stub_sql(v2));
  run(db, migration("0001_init.up.sql") + migration("0001_init.verify.sql"));
  REQUIRE(test::compare_catalog(db, v1).empty());

  run(db, global_quests);
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
  // Step 1, verbatim: "Should return 4 rows".
  CHECK(table(db, R"(
SELECT table_name
FROM information_schema.tables
WHERE table_schema = 'public'
  AND table_name IN (
    'user_quest_tasks',
    'task_collaborations',
    'quest_personalization_sessions',
    'ai_task_cache'
  ) ORDER BY table_name;)") ==
        "ai_task_cache\nquest_personalization_sessions\ntask_collaborations\nuser_quest_tasks\n");
  // Step 2, verbatim: "Should return 2 rows"; "total should equal personalized".
  CHECK(table(db, R"(
SELECT column_name, data_type
FROM information_schema.columns
WHERE table_name = 'user_quests'
  AND column_name IN ('personalization_completed', 'personalization_session_id') ORDER BY column_name;)") ==
        "personalization_completed|boolean\npersonalization_session_id|uuid\n");
  CHECK(table(db, R"(
SELECT COUNT(*) as total,
       SUM(CASE WHEN personalization_completed THEN 1 ELSE 0 END) as personalized
FROM user_quests;)") == "4|4\n");
  // Step 3, verbatim: 3 active enrolments, a copy of each quest task per active
  // enrolment (3 + 3 + 2), both completions linked.
  CHECK(table(db, R"(
SELECT COUNT(*) as active_enrollments
FROM user_quests
WHERE is_active = true;)") == "3\n");
  CHECK(table(db, R"(
SELECT COUNT(*) as migrated_tasks
FROM user_quest_tasks
WHERE is_manual = false;)") == "8\n");
  CHECK(table(db, R"(
SELECT COUNT(*) as updated_completions
FROM quest_task_completions
WHERE user_quest_task_id IS NOT NULL;)") == "2\n");
  // The per-quest comparison. The guide runs it between Step 3 and Step 4, while
  // quest_tasks still has its name; the migration does both steps (the assertions in
  // between), so after it the old tasks are read under the archived name. Fitness:
  // 3 tasks, 2 active enrolments; Reading: 2 tasks, 1 active enrolment.
  CHECK(table(db, R"(
SELECT
    qt.quest_id,
    COUNT(DISTINCT qt.id) as old_tasks,
    COUNT(DISTINCT uqt.id) as new_tasks
FROM quest_tasks_archived qt
LEFT JOIN user_quest_tasks uqt ON uqt.quest_id = qt.quest_id
GROUP BY qt.quest_id ORDER BY qt.quest_id;)") ==
        "10000000-0000-0000-0000-000000000001|3|6\n10000000-0000-0000-0000-000000000002|2|2\n");
  // Step 4, verbatim: "Should return 3 rows", then "Should return 0 rows".
  CHECK(table(db, R"(
SELECT table_name
FROM information_schema.tables
WHERE table_schema = 'public'
  AND table_name LIKE '%_archived' ORDER BY table_name;)") ==
        "quest_collaborations_archived\nquest_ratings_archived\nquest_tasks_archived\n");
  CHECK(table(db, R"(
SELECT table_name
FROM information_schema.tables
WHERE table_schema = 'public'
  AND table_name IN ('quest_tasks', 'quest_collaborations', 'quest_ratings');)") == "");
  // Post-migration integrity, verbatim: both "Should be 0".
  CHECK(count(db, "SELECT COUNT(*) FROM user_quest_tasks WHERE user_quest_id NOT IN (SELECT id FROM user_quests);") ==
        0);
  CHECK(count(db, "SELECT COUNT(*) FROM quest_task_completions WHERE user_quest_task_id IS NULL;") == 0);
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

TEST_CASE("seed 000: the gate between the data copy and the archive rolls the migration back") {
  pqxx::connection db(at_0001("quests_gate"));
  auto v1 = compile_ok("schemas/quests/history/0001_init");
  const char* const old_tables[] = {
      "quests", "user_quests", "quest_tasks", "quest_task_completions", "quest_collaborations", "quest_ratings"};
  std::map<std::string, std::string> before;
  for (const char* t : old_tables) before[t] = rows(db, t);
  // A copy that misses each quest's last task: the first assertion fails in the
  // migration's main phase, so the copy, the new columns and the archive all roll back.
  std::string up = migration("0002_personalized_quests.up.sql");
  const std::string copy = "join public.quest_tasks qt on qt.quest_id = uq.quest_id";
  REQUIRE(up.find(copy) != std::string::npos);
  up.replace(up.find(copy), copy.size(), copy + " and qt.order_index < 3");
  CHECK_THROWS_WITH(test::run_up(db, up, migration("0002_personalized_quests.verify.sql")),
                    Catch::Contains("assertion every_active_enrolment_has_its_quest_tasks does not hold"));
  {
    auto problems = test::compare_catalog(db, v1);
    INFO(report(problems));
    CHECK(problems.empty());
  }
  for (const char* t : old_tables) {
    INFO(t);
    CHECK(rows(db, t) == before[t]);
  }
  // A copy that leaves a completion unlinked fails the second.
  up = migration("0002_personalized_quests.up.sql");
  const std::string link = "where c.quest_task_id = qt.id and uqt.user_id = c.user_id";
  REQUIRE(up.find(link) != std::string::npos);
  up.replace(up.find(link), link.size(), link + " and qt.title <> 'Run'");
  CHECK_THROWS_WITH(test::run_up(db, up, migration("0002_personalized_quests.verify.sql")),
                    Catch::Contains("assertion every_active_completion_is_linked does not hold"));
  CHECK(test::compare_catalog(db, v1).empty());
  // The migration as planned passes the gate.
  test::run_up(db, migration("0002_personalized_quests.up.sql"), migration("0002_personalized_quests.verify.sql"));
  CHECK(test::compare_catalog(db, compile_ok(v2_dir)).empty());
}

TEST_CASE("seed 000: users complete personalised tasks after the migration; 0003 drops the archived tables") {
  pqxx::connection db(at_0001("quests_after"));
  test::run_up(db, migration("0002_personalized_quests.up.sql"), migration("0002_personalized_quests.verify.sql"));
  // "Can users with active enrolments see their tasks? Can users complete tasks?" As
  // user a through the API: a copied task, and a task a writes for itself.
  {
    pqxx::work tx(db);
    tx.exec("set local role authenticated");
    tx.exec("select set_config('request.jwt.claim.sub', '00000000-0000-0000-0000-00000000000a', true)");
    CHECK(tx.exec("select * from user_quest_tasks").size() == 5);  // 3 of Fitness, 2 of Reading
    auto run_task = tx.exec("select id from user_quest_tasks where title = 'Run'").at(0).at(0).as<std::string>();
    tx.exec(
        "insert into quest_task_completions (user_id, user_quest_task_id) values "
        "('00000000-0000-0000-0000-00000000000a', '" +
        run_task + "')");
    auto manual = tx.exec(
                        "insert into user_quest_tasks (user_quest_id, quest_id, user_id, title, is_manual) "
                        "select id, quest_id, user_id, 'Stretch', true from user_quests where quest_id = "
                        "'10000000-0000-0000-0000-000000000001' returning id")
                      .at(0)
                      .at(0)
                      .as<std::string>();
    tx.exec(
        "insert into quest_task_completions (user_id, user_quest_task_id) values "
        "('00000000-0000-0000-0000-00000000000a', '" +
        manual + "')");
    tx.commit();
  }
  {
    pqxx::work tx(db);
    tx.exec("set local role authenticated");
    tx.exec("select set_config('request.jwt.claim.sub', '00000000-0000-0000-0000-00000000000a', true)");
    auto stretch = tx.exec("select id from user_quest_tasks where title = 'Stretch'").at(0).at(0).as<std::string>();
    // Completing the same task twice is refused.
    CHECK_THROWS_WITH(tx.exec("insert into quest_task_completions (user_id, user_quest_task_id) values "
                              "('00000000-0000-0000-0000-00000000000a', '" +
                              stretch + "')"),
                      Catch::Contains("quest_task_completions_user_id_user_quest_task_id_key"));
  }
  // A completion names some task.
  CHECK_THROWS_WITH(
      run(db, "insert into quest_task_completions (user_id) values ('00000000-0000-0000-0000-00000000000a')"),
      Catch::Contains("quest_task_completions_names_a_task"));
  CHECK(count(db, "select count(*) from quest_task_completions where quest_task_id is null") == 2);

  // "After 1 week (if stable)": 0003 drops the archived tables.
  std::map<std::string, std::string> archived;
  for (const char* t : {"quest_tasks_archived", "quest_collaborations_archived", "quest_ratings_archived"})
    archived[t] = rows(db, t);
  // By name: the column 0003 drops comes back last.
  const std::string completions_query =
      "select id, user_id, quest_task_id, user_quest_task_id, completed_at from quest_task_completions order by id";
  std::string completions = table(db, completions_query);
  test::run_up(db, migration("0003_drop_archived_tables.up.sql"), migration("0003_drop_archived_tables.verify.sql"));
  {
    auto problems = test::compare_catalog(db, compile_ok("schemas/quests"));
    INFO(report(problems));
    CHECK(problems.empty());
  }
  CHECK(table(db,
              "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name "
              "LIKE '%_archived';") == "");
  CHECK(count(db, "select count(*) from quest_task_completions where user_quest_task_id is not null") == 4);
  // Users keep completing tasks.
  run(db,
      "insert into quest_task_completions (user_id, user_quest_task_id) select user_id, id from user_quest_tasks "
      "where title = 'Walk' and user_id = '00000000-0000-0000-0000-00000000000b'");
  // Kept aside, not destroyed: the three tables and the dropped column's values.
  CHECK(count(db, "select count(*) from pg_tables where schemaname = 'schemac_retained'") == 4);

  // And back: the archived tables return with their rows, the old column with its values.
  run(db,
      "delete from quest_task_completions where user_id = '00000000-0000-0000-0000-00000000000b' and "
      "user_quest_task_id in (select id from user_quest_tasks where title = 'Walk')");
  run(db, migration("0003_drop_archived_tables.down.sql"));
  {
    auto problems = test::compare_catalog(db, compile_ok(v2_dir));
    INFO(report(problems));
    CHECK(problems.empty());
  }
  for (const auto& [t, r] : archived) {
    INFO(t);
    CHECK(rows(db, t) == r);
  }
  CHECK(table(db, completions_query) == completions);
}
