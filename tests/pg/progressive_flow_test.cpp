// The progressive_flow example against seed 003's guide, with the checked-in
// migrations in generated/progressive_flow/migrations: the guide's six migration
// files as six migrations, each verified against its state and rolled back one by
// one with data present ("rollback last migration" means what the guide means); the
// triggers the guide lists (stats created with the user, levels from XP, challenges
// unlocked when their prerequisites are done, streaks, achievements) fire; its
// functions rank, award and count; its views answer; the seed data is there; the
// dashboard refreshes concurrently (readers are not blocked).
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

// The guide's 001 to 006, and the schema state after each.
const char* const steps[] = {"0001_users_and_progress_tables", "0002_challenge_tables",  "0003_gamification_tables",
                             "0004_leaderboard_tables",        "0005_indexes_and_views", "0006_seed_challenges"};
std::string state(int step) {
  return step == 5 ? "schemas/progressive_flow" : std::string("schemas/progressive_flow/history/") + steps[step];
}

void up(pqxx::connection& db, int step) {
  test::run_up(db, migration(std::string(steps[step]) + ".up.sql"),
               migration(std::string(steps[step]) + ".verify.sql"));
}
void down(pqxx::connection& db, int step) { run(db, migration(std::string(steps[step]) + ".down.sql")); }

// A fresh database with all six applied.
std::string migrated(const std::string& name) {
  std::string url = test::fresh_database(name);
  pqxx::connection db(url);
  for (int i = 0; i < 6; ++i) up(db, i);
  return url;
}

const std::string ada = "'00000000-0000-0000-0000-00000000000a'";
const std::string bob = "'00000000-0000-0000-0000-00000000000b'";

}  // namespace

TEST_CASE("seed 003: progressive flow triggers fire and the dashboard refreshes concurrently") {
  std::string url = migrated("progressive_flow");
  pqxx::connection db(url);

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

  for (int i = 5; i >= 0; --i) down(db, i);
  CHECK(value(db,
              "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = "
              "'public' and c.relkind in ('r', 'v', 'm')") == "0");
  CHECK(value(db,
              "select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = "
              "'public' and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')") == "0");
}

TEST_CASE("seed 003: the guide's six migrations one by one, then rolled back one by one with data present") {
  std::string url = test::fresh_database("progressive_flow_steps");
  pqxx::connection db(url);
  for (int i = 0; i < 6; ++i) {
    INFO(steps[i]);
    up(db, i);
    auto problems = test::compare_catalog(db, test::compile_ok(state(i)));
    INFO(test::report(problems));
    CHECK(problems.empty());
  }
  // The seed data (006): three tracks, four achievements, five skills.
  CHECK(value(db, "select count(*) from learning_tracks") == "3");
  CHECK(value(db, "select string_agg(slug, ',' order by slug) from achievements") ==
        "challenge_champion,first_steps,on_fire,xp_hunter");
  CHECK(value(db,
              "select string_agg(s.slug || '<' || coalesce(p.slug, ''), ',' order by s.slug) from skills s left "
              "join skills p on p.id = s.parent_id") ==
        "caching<scalability,data_storage<,distributed_systems<,replication<distributed_systems,scalability<");

  // Rows in every table, some of them pointing at the seed data.
  run(db, "insert into users (id, email, username, password_hash) values (" + ada +
              ", 'ada@example.com', 'ada', 'x'), (" + bob + ", 'bob@example.com', 'bob', 'x');" +
              R"(
    insert into notifications (user_id, kind) values ('00000000-0000-0000-0000-00000000000a', 'welcome');
    insert into user_track_progress (user_id, track_id, completion_percentage)
      select '00000000-0000-0000-0000-00000000000a', id, 20 from learning_tracks where slug = 'fundamentals';
    insert into assessment_results (user_id, skill_area, score) values ('00000000-0000-0000-0000-00000000000a', 'caching', 80);
    insert into learning_sessions (user_id) values ('00000000-0000-0000-0000-00000000000a');
    insert into challenges (id, slug, title) values ('00000000-0000-0000-0000-0000000000c1', 'cache', 'Design a cache');
    insert into challenge_levels (challenge_id, level_number, title) values ('00000000-0000-0000-0000-0000000000c1', 1, 'Basics');
    insert into daily_challenges (day, challenge_id) values (current_date, '00000000-0000-0000-0000-0000000000c1');
    insert into user_challenge_progress (id, user_id, challenge_id, status) values
      ('00000000-0000-0000-0000-0000000000f1', '00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-0000000000c1', 'in_progress');
    insert into level_attempts (progress_id, level_number, score, passed) values ('00000000-0000-0000-0000-0000000000f1', 1, 90, true);
    insert into user_skills (user_id, skill_id, level) select '00000000-0000-0000-0000-00000000000a', id, 2 from skills where slug = 'caching';
    insert into xp_transactions (user_id, amount, source) values ('00000000-0000-0000-0000-00000000000b', 30, 'daily');
    select refresh_all_leaderboards();
  )");
  const char* const tables[] = {"users",
                                "user_stats",
                                "notifications",
                                "user_track_progress",
                                "assessment_results",
                                "learning_sessions",
                                "challenges",
                                "user_challenge_progress",
                                "level_attempts",
                                "xp_transactions",
                                "user_achievements",
                                "user_skills",
                                "leaderboard_entries"};
  const int table_step[] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3};  // the migration that creates each
  std::map<std::string, std::string> before;
  for (const char* t : tables) before[t] = test::rows(db, t);
  CHECK(value(db, "select count(*) from leaderboard_snapshots") == "8");

  for (int i = 5; i >= 0; --i) {
    INFO("rolling back " << steps[i]);
    down(db, i);
    if (i > 0) {
      auto problems = test::compare_catalog(db, test::compile_ok(state(i - 1)));
      INFO(test::report(problems));
      CHECK(problems.empty());
    }
    for (int t = 0; t < 13; ++t) {  // the tables of the earlier migrations keep their rows
      if (table_step[t] >= i) continue;
      INFO(tables[t]);
      CHECK(test::rows(db, tables[t]) == before[tables[t]]);
    }
    if (i == 5) {
      // The seed data went, except what users' rows refer to.
      CHECK(value(db, "select string_agg(slug, ',' order by slug) from learning_tracks") == "fundamentals");
      CHECK(value(db, "select string_agg(slug, ',') from achievements") == "first_steps");
      CHECK(value(db, "select string_agg(slug, ',' order by slug) from skills") == "caching,scalability");
    }
    if (i == 4) CHECK(value(db, "select count(*) from pg_views where schemaname = 'public'") == "0");
  }
  // Tables that held rows were kept aside, not destroyed.
  CHECK(value(db, "select count(*) > 10 from pg_tables where schemaname = 'schemac_retained'") == "t");
  CHECK(value(db, "select count(*) from pg_tables where schemaname = 'public'") == "0");
}

TEST_CASE("seed 003: streaks, achievements, leaderboards and the views, with data") {
  std::string url = migrated("progressive_flow_functions");
  pqxx::connection db(url);
  run(db, "insert into users (id, email, username, password_hash) values (" + ada +
              ", 'ada@example.com', 'ada', 'x'), (" + bob + ", 'bob@example.com', 'bob', 'x')");
  auto stats = [&](const std::string& user) {
    return value(db,
                 "select total_xp || '/' || current_level || '/' || current_streak || '/' || longest_streak from "
                 "user_stats where user_id = " +
                     user);
  };

  // calculate_user_streak and the streak trigger: sessions three days running (the
  // oldest two inserted first), then a gap.
  run(db, "insert into learning_sessions (user_id, started_at, ended_at) values (" + ada +
              ", now() - interval '5 days', now() - interval '5 days' + interval '30 minutes'), (" + ada +
              ", now() - interval '2 days', null), (" + ada + ", now() - interval '1 day', null)");
  CHECK(value(db, "select calculate_user_streak(" + ada + ")") == "2");  // yesterday and the day before
  CHECK(value(db, "select duration_minutes from learning_sessions where ended_at is not null") == "30");
  run(db, "insert into learning_sessions (user_id) values (" + ada + ")");  // today: the trigger counts 3
  CHECK(stats(ada) == "0/1/3/3");
  CHECK(value(db, "select calculate_user_streak(" + bob + ")") == "0");
  // A streak whose last day is older than yesterday is over.
  run(db, "insert into xp_transactions (user_id, amount, source, created_at) values (" + bob +
              ", 10, 'daily', now() - interval '3 days')");
  CHECK(value(db, "select calculate_user_streak(" + bob + ")") == "0");
  CHECK(value(db, "select last_active_at is not null from users where id = " + ada) == "t");  // touch_last_active

  // check_and_award_achievements through the level trigger: a passed level awards
  // first_steps (50 XP); a failed one does not fire it.
  run(db, R"(
    insert into challenges (id, slug, title, track_id) values
      ('00000000-0000-0000-0000-0000000000c1', 'cache', 'Design a cache', (select id from learning_tracks where slug = 'fundamentals')),
      ('00000000-0000-0000-0000-0000000000c2', 'queue', 'Design a queue', (select id from learning_tracks where slug = 'fundamentals'));
    insert into user_challenge_progress (id, user_id, challenge_id, status) values
      ('00000000-0000-0000-0000-0000000000f1', '00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-0000000000c1', 'in_progress'),
      ('00000000-0000-0000-0000-0000000000f2', '00000000-0000-0000-0000-00000000000b', '00000000-0000-0000-0000-0000000000c1', 'in_progress');
    insert into level_attempts (progress_id, level_number, score, passed) values
      ('00000000-0000-0000-0000-0000000000f2', 1, 20, false);
  )");
  CHECK(value(db, "select count(*) from user_achievements") == "0");
  run(db,
      "insert into level_attempts (progress_id, level_number, score, passed) values "
      "('00000000-0000-0000-0000-0000000000f1', 1, 95, true)");
  CHECK(value(db,
              "select string_agg(a.slug, ',') from user_achievements u join achievements a on a.id = "
              "u.achievement_id where u.user_id = " +
                  ada) == "first_steps");
  CHECK(stats(ada) == "50/1/3/3");
  // Called again, it awards nothing twice; a seven-day streak and 1,000 XP award two more.
  CHECK(value(db, "select check_and_award_achievements(" + ada + ")") == "0");
  run(db, "update user_stats set longest_streak = 7 where user_id = " + ada + ";" +
              "insert into xp_transactions (user_id, amount, source) values (" + ada + ", 950, 'challenge')");
  CHECK(value(db, "select check_and_award_achievements(" + ada + ")") == "2");
  CHECK(stats(ada) == "1300/4/3/7");  // 50 + 950 + on_fire's 200 + xp_hunter's 100
  CHECK(value(db, "select count(*) from xp_transactions where source = 'achievement' and user_id = " + ada) == "3");

  // Leaderboards: ada completes a challenge; bob earns 2,000 XP today.
  run(db,
      "update user_challenge_progress set status = 'completed', completed_at = now() where id = "
      "'00000000-0000-0000-0000-0000000000f1';"
      "insert into xp_transactions (user_id, amount, source) values (" +
          bob + ", 2000, 'challenge')");
  CHECK(value(db, "select update_leaderboard_rankings('weekly')") == "2");  // both earned XP this week
  CHECK(value(db, "select update_leaderboard_rankings('daily', current_date, 'challenges')") == "1");
  CHECK_THROWS_WITH(run(db, "select update_leaderboard_rankings('daily', current_date, 'karma')"),
                    Catch::Contains("unknown leaderboard metric karma"));
  run(db, "select refresh_all_leaderboards()");
  CHECK(value(db, "select count(*) from leaderboard_entries") == "12");  // 4 periods: 2 by XP, 1 by challenges
  CHECK(value(db, "select get_user_rank(" + bob + ")") == "1");          // all time, by XP: 2,010 against 1,300
  CHECK(value(db, "select get_user_rank(" + ada + ")") == "2");
  CHECK(value(db, "select get_user_rank(" + ada + ", 'monthly', 'challenges')") == "1");
  CHECK(value(db, "select get_user_rank(" + bob + ", 'monthly', 'challenges')") == "<null>");  // unranked
  CHECK(value(db,
              "select rankings -> 0 ->> 'score' from leaderboard_snapshots where period = 'all_time' and metric = "
              "'xp'") == "2010");
  // current_leaderboard: today's periods with user names.
  CHECK(value(db,
              "select string_agg(period || ':' || metric || ':' || rank || ':' || username, ',' order by period, "
              "metric, rank) from current_leaderboard where period in ('daily', 'all_time')") ==
        "daily:challenges:1:ada,daily:xp:1:bob,daily:xp:2:ada,all_time:challenges:1:ada,all_time:xp:1:bob,all_time:xp:"
        "2:ada");

  // recent_user_activity: sessions, attempts, XP and achievements, newest first.
  CHECK(value(db,
              "select string_agg(activity_type, ',' order by activity_type) from (select distinct activity_type "
              "from recent_user_activity where user_id = " +
                  ada + ") a") == "achievement,level_attempt,session,xp");
  CHECK(value(db, "select detail from recent_user_activity where activity_type = 'level_attempt' and user_id = " +
                      ada) == "Design a cache level 1 passed");
  // bob's: two XP awards (one three days old) and a failed attempt.
  CHECK(value(db, "select count(*) from recent_user_activity where user_id = " + bob) == "3");
  // track_completion_summary: the fundamentals track has both challenges.
  run(db, "insert into user_track_progress (user_id, track_id, status, completion_percentage) select " + ada +
              ", id, 'completed', 100 from learning_tracks where slug = 'fundamentals';"
              "insert into user_track_progress (user_id, track_id, completion_percentage) select " +
              bob + ", id, 40 from learning_tracks where slug = 'fundamentals'");
  CHECK(value(db,
              "select string_agg(slug || ':' || challenge_count || ':' || users_started || ':' || users_completed "
              "|| ':' || average_completion, ',') from track_completion_summary") ==
        "fundamentals:2:2:1:70.00,concepts:0:0:0:0,systems:0:0:0:0");
  // user_skills: points in a skill of the seeded tree.
  run(db, "insert into user_skills (user_id, skill_id, level, points_allocated) select " + ada +
              ", id, 1, 3 from skills where slug = 'caching'");
  CHECK(value(db,
              "select p.slug from user_skills u join skills s on s.id = u.skill_id join skills p on p.id = "
              "s.parent_id") == "scalability");
  // assessment_results keeps its score range.
  CHECK_THROWS_WITH(
      run(db, "insert into assessment_results (user_id, skill_area, score) values (" + ada + ", 'caching', 101)"),
      Catch::Contains("assessment_results_score_check"));
}

TEST_CASE("seed 003: the guide's schema summary, key features and functions are all there") {
  std::string url = migrated("progressive_flow_summary");
  pqxx::connection db(url);
  // "Verify Tables" (\dt, \df): every table, function and view the guide lists.
  auto names = [&](const std::string& sql) { return value(db, sql); };
  CHECK(names("select string_agg(table_name, ',' order by table_name) from information_schema.tables where "
              "table_schema = 'public' and table_type = 'BASE TABLE'") ==
        "achievements,assessment_results,challenge_levels,challenges,daily_challenges,leaderboard_entries,"
        "leaderboard_snapshots,learning_sessions,learning_tracks,level_attempts,notifications,skills,"
        "user_achievements,user_challenge_progress,user_skills,user_stats,user_track_progress,users,"
        "xp_transactions");
  for (const char* f :
       {"calculate_level_from_xp(integer)", "get_xp_for_level(integer)", "check_challenge_prerequisites(uuid,uuid)",
        "calculate_user_streak(uuid)", "check_and_award_achievements(uuid)",
        "update_leaderboard_rankings(leaderboard_period,date,text)", "get_user_rank(uuid,leaderboard_period,text)",
        "refresh_dashboard_summaries()", "refresh_all_leaderboards()"}) {
    INFO(f);
    CHECK(names(std::string("select to_regprocedure('public.") + f + "') is not null") == "t");
  }
  CHECK(names("select string_agg(table_name, ',' order by table_name) from information_schema.views where "
              "table_schema = 'public'") ==
        "challenge_progress_detail,current_leaderboard,recent_user_activity,track_completion_summary");
  CHECK(names("select string_agg(matviewname, ',') from pg_matviews where schemaname = 'public'") ==
        "user_dashboard_summary");
  // "Automatic Triggers": stats on user creation, last_active_at, level from XP,
  // streaks, achievements after a level, unlocks when prerequisites are met.
  CHECK(names("select string_agg(tgname, ',' order by tgname) from pg_trigger where not tgisinternal and tgname in "
              "('users_create_stats', 'learning_sessions_touch_user', 'xp_transactions_apply', "
              "'learning_sessions_streak', 'level_attempts_achievements', 'progress_unlocks')") ==
        "learning_sessions_streak,learning_sessions_touch_user,level_attempts_achievements,progress_unlocks,"
        "users_create_stats,xp_transactions_apply");
  // "Indexes Created": GIN on JSONB and arrays, partial and covering indexes.
  CHECK(names("select count(*) from pg_indexes where schemaname = 'public' and indexdef like '%USING gin%'") == "2");
  CHECK(names("select count(*) > 0 from pg_indexes where schemaname = 'public' and indexdef like '% WHERE %'") == "t");
  CHECK(names("select count(*) > 0 from pg_indexes where schemaname = 'public' and indexdef like '% INCLUDE %'") ==
        "t");
}
