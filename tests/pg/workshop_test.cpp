// The workshop example against seed 001's guide, with the checked-in migrations in
// generated/workshop/migrations: the legacy tables merged into the unified schema by
// a data step, the guide's verification queries, triggers and the progress helper,
// the dated backups, and the way back.
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

}  // namespace

TEST_CASE("seed 001: legacy tables merged into the unified schema, verified, and rolled back") {
  auto v1 = compile_ok("schemas/workshop/history/0001_legacy");
  auto v2 = compile_ok("schemas/workshop");
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
  CHECK(test::compare_catalog(db, v2).empty());
  // Step 5 of the guide: counts and integrity.
  CHECK(value(db, "select count(*) from students") == "3");
  CHECK(value(db,
              "select count(distinct student_email) from (select student_email from workshop_students_backup_20250123 "
              "union select student_email from student_configs_backup_20250123) e") == "3");
  CHECK(value(db, "select count(*) from sessions") == "4");
  CHECK(value(db,
              "select count(*) from sessions s left join students st on s.student_id = st.student_id where "
              "st.student_id is null") == "0");
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
  // Step 7: the legacy tables are kept under their dated names only.
  CHECK(rows(db, "workshop_students_backup_20250123") == legacy_students);
  CHECK(value(db,
              "select to_regclass('public.workshop_students') is null and to_regclass('public.student_configs') "
              "is null") == "t");

  run(db, migration("0002_unified_schema.down.sql"));
  CHECK(test::compare_catalog(db, v1).empty());
  CHECK(rows(db, "workshop_students") == legacy_students);
  CHECK(rows(db, "student_configs") == legacy_configs);
  CHECK(value(db, "select to_regclass('public.sessions') is null and to_regclass('public.students') is null") == "t");
}
