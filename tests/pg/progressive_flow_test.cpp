// The progressive_flow example against seed 003's guide, with the checked-in
// migration in generated/progressive_flow/migrations: the triggers the guide lists
// (stats created with the user, levels from XP, challenges unlocked when their
// prerequisites are done) fire, the learning tracks are seeded, the dashboard
// refreshes concurrently (readers are not blocked), and the way back.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "pg/catalog.hpp"
#include "pg/pg_support.hpp"
#include "support.hpp"

using namespace schemac;
using test::run;
using test::value;

namespace {

std::string migration(const std::string& file) { return test::migration_file("progressive_flow", file); }

}  // namespace

TEST_CASE("seed 003: progressive flow triggers fire and the dashboard refreshes concurrently") {
  auto schema = test::compile_ok("schemas/progressive_flow");
  std::string url = test::fresh_database("progressive_flow");
  pqxx::connection db(url);
  run(db, migration("0001_init.up.sql") + migration("0001_init.verify.sql"));
  auto problems = test::compare_catalog(db, schema);
  INFO(test::report(problems));
  CHECK(problems.empty());

  // The data step seeded the guide's three tracks.
  CHECK(value(db, "select string_agg(slug, ',' order by order_index) from learning_tracks") ==
        "fundamentals,concepts,systems");

  // A new user gets a stats row from the trigger.
  run(db,
      "insert into users (id, email, username, password_hash) values "
      "('00000000-0000-0000-0000-00000000000a', 'ada@example.com', 'ada', 'x'), "
      "('00000000-0000-0000-0000-00000000000b', 'bob@example.com', 'bob', 'x')");
  CHECK(value(db, "select count(*) from user_stats") == "2");
  CHECK(value(db,
              "select total_xp || '/' || current_level from user_stats where user_id = "
              "'00000000-0000-0000-0000-00000000000a'") == "0/1");

  // XP transactions level the user up through calculate_level_from_xp.
  CHECK(value(db,
              "select string_agg(calculate_level_from_xp(x)::text, ',' order by x) "
              "from unnest(array[0, 99, 100, 399, 400, 900]) x") == "1,1,2,2,3,4");
  CHECK(value(db, "select get_xp_for_level(calculate_level_from_xp(950))") == "900");
  run(db,
      "insert into xp_transactions (user_id, amount, source) values "
      "('00000000-0000-0000-0000-00000000000a', 250, 'level'), "
      "('00000000-0000-0000-0000-00000000000a', 700, 'challenge')");
  CHECK(value(db,
              "select total_xp || '/' || current_level || '/' || (last_activity_date = current_date) "
              "from user_stats where user_id = '00000000-0000-0000-0000-00000000000a'") == "950/4/true");
  CHECK(value(db, "select last_active_at is not null from users where username = 'ada'") == "t");

  // Prerequisites: c3 needs c1 and c2. Completing c1 alone unlocks nothing; completing
  // c2 as well unlocks c3 (the progress trigger, through check_challenge_prerequisites).
  run(db, R"(
    insert into challenges (id, slug, title) values
      ('00000000-0000-0000-0000-0000000000c1', 'cache', 'Design a cache'),
      ('00000000-0000-0000-0000-0000000000c2', 'queue', 'Design a queue');
    insert into challenges (slug, title, prerequisites) values
      ('feed', 'Design a news feed', '{00000000-0000-0000-0000-0000000000c1,00000000-0000-0000-0000-0000000000c2}');
    insert into user_challenge_progress (user_id, challenge_id, status) values
      ('00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-0000000000c1', 'in_progress'),
      ('00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-0000000000c2', 'in_progress');
  )");
  auto feed_status = [&] {
    return value(db,
                 "select coalesce((select p.status::text from user_challenge_progress p join challenges c on "
                 "c.id = p.challenge_id where c.slug = 'feed'), 'none')");
  };
  run(db,
      "update user_challenge_progress set status = 'completed' where challenge_id = "
      "'00000000-0000-0000-0000-0000000000c1'");
  CHECK(feed_status() == "none");
  CHECK(value(db,
              "select check_challenge_prerequisites('00000000-0000-0000-0000-00000000000a', "
              "(select id from challenges where slug = 'feed'))") == "f");
  run(db,
      "update user_challenge_progress set status = 'completed' where challenge_id = "
      "'00000000-0000-0000-0000-0000000000c2'");
  CHECK(feed_status() == "unlocked");
  CHECK(value(db,
              "select challenges_completed from user_stats where user_id = "
              "'00000000-0000-0000-0000-00000000000a'") == "2");
  // The updated_at trigger stamps updates.
  run(db, "update users set updated_at = '2000-01-01', display_name = 'Ada' where username = 'ada'");
  CHECK(value(db, "select updated_at > '2001-01-01' from users where username = 'ada'") == "t");

  // The dashboard was filled when the migration created it: stale until refreshed.
  CHECK(value(db, "select count(*) from user_dashboard_summary") == "0");
  // A reader holds the view open in another session while it is refreshed.
  pqxx::connection reader_db(url);
  pqxx::work reader(reader_db);
  CHECK(reader.exec("select count(*) from user_dashboard_summary").at(0).at(0).as<int>() == 0);
  {
    pqxx::connection refresher(url);
    // A plain refresh would wait for the reader (it takes an ACCESS EXCLUSIVE lock).
    pqxx::work plain(refresher);
    plain.exec("set local lock_timeout = '300ms'");
    CHECK_THROWS_WITH(plain.exec("refresh materialized view user_dashboard_summary"), Catch::Contains("lock timeout"));
  }
  pqxx::connection refresher(url);
  run(refresher, "set lock_timeout = '5s'; select refresh_dashboard_summaries()");
  reader.commit();
  CHECK(value(db,
              "select string_agg(username || ':' || total_xp || ':' || current_level || ':' || "
              "challenges_completed || ':' || challenges_in_progress, ',' order by username) "
              "from user_dashboard_summary") == "ada:950:4:2:0,bob:0:1:0:0");
  // The unique index is what makes the concurrent form possible.
  CHECK(value(db,
              "select count(*) from pg_indexes where tablename = 'user_dashboard_summary' and indexdef like "
              "'CREATE UNIQUE INDEX%'") == "1");

  run(db, migration("0001_init.down.sql"));
  CHECK(value(db,
              "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = "
              "'public' and c.relkind in ('r', 'v', 'm')") == "0");
  CHECK(value(db,
              "select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = "
              "'public' and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')") == "0");
}
