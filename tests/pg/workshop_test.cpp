// The workshop example against seed 001's guide, with the checked-in migrations in
// generated/workshop/migrations: the legacy tables merged into the unified schema by
// a data step (0002), the old tables kept under their names while the guide's Step 5
// queries run on them verbatim, completion_rate kept by a trigger, the dated backups
// of Step 7 (0003), the backups dropped after "30+ days" (0004), and the way back one
// migration at a time with the data present.
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
using test::value;

namespace {

std::string migration(const std::string& file) { return test::migration_file("workshop", file); }

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

}  // namespace

TEST_CASE("seed 001: legacy tables merged into the unified schema, verified, and rolled back") {
  auto v1 = compile_ok("schemas/workshop/history/0001_legacy");
  auto v2 = compile_ok("schemas/workshop/history/0002_unified_schema");
  auto v3 = compile_ok("schemas/workshop/history/0003_archive_legacy_tables");
  auto v4 = compile_ok("schemas/workshop");
  pqxx::connection db(fresh_database("workshop_seed"));
  run(db, migration("0001_legacy.up.sql") + migration("0001_legacy.verify.sql"));
  // Three students over two tables; session s2 is in both, s4 only in student_configs.
  run(db, R"(
    insert into workshop_students (session_token, student_email, student_name, exercises, created_at) values
      ('s1', 'ada@example.com', 'Ada', '{"ex1": true}', '2025-01-01'),
      ('s2', 'grace@example.com', null, '{}', '2025-01-02'),
      ('s3', 'alan@example.com', 'Alan', '{}', '2025-01-03');
    insert into student_configs (session_token, student_email, student_name, current_step, step4_deployed,
                                 step5_deployed, openai_api_key) values
      ('s2', 'grace@example.com', 'Grace', 5, true, true, 'sk-grace'),
      ('s4', 'ada@example.com', 'Ada', 2, false, false, null);
  )");
  std::string legacy_students = rows(db, "workshop_students"), legacy_configs = rows(db, "student_configs");

  run(db, migration("0002_unified_schema.up.sql") + migration("0002_unified_schema.verify.sql"));
  {
    auto problems = test::compare_catalog(db, v2);
    INFO(report(problems));
    CHECK(problems.empty());
  }
  // Step 5 of the guide, verbatim, on the old tables under their own names: "should
  // match unique student count from old tables" (3 over both: ada, grace and alan).
  CHECK(table(db, "SELECT COUNT(*) FROM students;") == "3\n");
  CHECK(table(db, "SELECT COUNT(DISTINCT student_email) FROM workshop_students;") == "3\n");
  CHECK(table(db, "SELECT COUNT(DISTINCT student_email) FROM student_configs;") == "2\n");
  CHECK(value(db,
              "select count(distinct student_email) from (select student_email from workshop_students union select "
              "student_email from student_configs) e") == "3");
  // Session count: 4 sessions from 3 + 2 tokens, s2 in both.
  CHECK(table(db, "SELECT COUNT(*) FROM sessions;") == "4\n");
  CHECK(table(db, "SELECT COUNT(*) FROM workshop_students WHERE session_token IS NOT NULL;") == "3\n");
  CHECK(table(db, "SELECT COUNT(*) FROM student_configs WHERE session_token IS NOT NULL;") == "2\n");
  // Data integrity: "Should be 0".
  CHECK(table(db, R"(
SELECT COUNT(*)
FROM sessions s
LEFT JOIN students st ON s.student_id = st.student_id
WHERE st.student_id IS NULL;)") == "0\n");
  // "Does NOT delete old tables": the legacy rows are untouched.
  CHECK(rows(db, "workshop_students") == legacy_students);
  CHECK(rows(db, "student_configs") == legacy_configs);
  // The merge: grace's session takes the config's progress and key, keeps the exercises.
  CHECK(value(db,
              "select current_step || ' ' || openai_api_key || ' ' || completion_rate from sessions where "
              "session_token = 's2'") == "5 sk-grace 9.52");
  CHECK(value(db, "select student_name from students where student_email = 'grace@example.com'") == "Grace");
  CHECK(value(db, "select exercises::text from sessions where session_token = 's1'") == "{\"ex1\": true}");
  // The helper and the updated_at triggers.
  run(db, "update sessions set project_deployed = true, updated_at = '2000-01-01' where session_token = 's1'");
  run(db, "select update_session_progress('s1')");
  CHECK(value(db, "select completion_rate from sessions where session_token = 's1'") == "4.76");
  CHECK(value(db, "select updated_at > '2001-01-01' from sessions where session_token = 's1'") == "t");
  // completion_rate is kept by the trigger: an insert and an update compute it.
  run(db,
      "insert into sessions (session_token, student_id, twilio_connected, openai_connected) select 's5', "
      "student_id, true, true from students where student_email = 'alan@example.com'");
  CHECK(value(db, "select completion_rate from sessions where session_token = 's5'") == "9.52");
  run(db, "update sessions set services_ready = true, completion_rate = 0 where session_token = 's5'");
  CHECK(value(db, "select completion_rate from sessions where session_token = 's5'") == "14.29");
  run(db, "delete from sessions where session_token = 's5'");
  std::string students = rows(db, "students"), sessions = rows(db, "sessions");

  // Step 7 (0003): the legacy tables are kept under their dated names only.
  run(db, migration("0003_archive_legacy_tables.up.sql") + migration("0003_archive_legacy_tables.verify.sql"));
  {
    auto problems = test::compare_catalog(db, v3);
    INFO(report(problems));
    CHECK(problems.empty());
  }
  CHECK(rows(db, "workshop_students_backup_20250123") == legacy_students);
  CHECK(rows(db, "student_configs_backup_20250123") == legacy_configs);
  CHECK(value(db,
              "select to_regclass('public.workshop_students') is null and to_regclass('public.student_configs') "
              "is null") == "t");
  // The guide's success criteria, after the cleanup.
  CHECK(table(db, "SELECT COUNT(*) FROM students;") == "3\n");
  CHECK(table(db, "SELECT COUNT(*) FROM sessions;") == "4\n");

  // "After 30+ days": 0004 drops the backups (the guide's DROP TABLE ... CASCADE),
  // keeping them aside; its down brings them back with their rows.
  run(db, migration("0004_drop_legacy_backups.up.sql") + migration("0004_drop_legacy_backups.verify.sql"));
  {
    auto problems = test::compare_catalog(db, v4);
    INFO(report(problems));
    CHECK(problems.empty());
  }
  CHECK(value(db, "select count(*) from pg_tables where schemaname = 'public' and tablename like '%_backup_%'") == "0");
  CHECK(value(db, "select count(*) from pg_tables where schemaname = 'schemac_retained'") == "2");
  CHECK(rows(db, "sessions") == sessions);
  run(db, migration("0004_drop_legacy_backups.down.sql"));
  {
    auto problems = test::compare_catalog(db, v3);
    INFO(report(problems));
    CHECK(problems.empty());
  }
  CHECK(rows(db, "workshop_students_backup_20250123") == legacy_students);
  CHECK(rows(db, "student_configs_backup_20250123") == legacy_configs);

  // Rolled back one at a time: 0003 gives the old names back, then 0002 is the
  // guide's rollback plan ("drop V2 tables and start over"), the legacy data intact.
  run(db, migration("0003_archive_legacy_tables.down.sql"));
  {
    auto problems = test::compare_catalog(db, v2);
    INFO(report(problems));
    CHECK(problems.empty());
  }
  CHECK(rows(db, "workshop_students") == legacy_students);
  CHECK(rows(db, "students") == students);
  CHECK(rows(db, "sessions") == sessions);
  run(db, migration("0002_unified_schema.down.sql"));
  CHECK(test::compare_catalog(db, v1).empty());
  CHECK(rows(db, "workshop_students") == legacy_students);
  CHECK(rows(db, "student_configs") == legacy_configs);
  CHECK(value(db, "select to_regclass('public.sessions') is null and to_regclass('public.students') is null") == "t");
}
