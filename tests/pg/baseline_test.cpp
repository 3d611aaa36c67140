// Seed 002: a database built by hand before schemac (the guide's own CREATE TABLE IF
// NOT EXISTS statements) is adopted with baseline, then migrated the rest of the way.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "pg/catalog.hpp"
#include "pg/pg_support.hpp"
#include "schemac/migrator.hpp"
#include "support.hpp"

using namespace schemac;

namespace {

// The tables the guide says "already exist", as it creates them.
const char* const existing_tables = R"(
CREATE TABLE IF NOT EXISTS students (
  id VARCHAR PRIMARY KEY,
  created_at TIMESTAMP DEFAULT NOW(),
  updated_at TIMESTAMP DEFAULT NOW()
);
CREATE TABLE IF NOT EXISTS student_proficiencies (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  student_id VARCHAR NOT NULL REFERENCES students(id),
  concept_name VARCHAR NOT NULL,
  proficiency_value DECIMAL NOT NULL DEFAULT 0.5,
  confidence DECIMAL DEFAULT 0.0,
  created_at TIMESTAMP DEFAULT NOW(),
  updated_at TIMESTAMP DEFAULT NOW()
);
CREATE INDEX idx_student_proficiencies_student_id ON student_proficiencies(student_id);
CREATE TABLE IF NOT EXISTS test_sessions (
  id UUID PRIMARY KEY,
  student_id VARCHAR NOT NULL REFERENCES students(id),
  question_pool_id UUID,
  status VARCHAR DEFAULT 'active',
  initial_proficiency JSONB,
  final_proficiency JSONB,
  total_questions INT DEFAULT 0,
  correct_responses INT DEFAULT 0,
  accuracy DECIMAL,
  learning_gain DECIMAL,
  test_efficiency DECIMAL,
  started_at TIMESTAMP DEFAULT NOW(),
  completed_at TIMESTAMP
);
CREATE INDEX idx_test_sessions_student_id ON test_sessions(student_id);
CREATE INDEX idx_test_sessions_status ON test_sessions(status);
CREATE TABLE IF NOT EXISTS test_responses (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  student_id VARCHAR NOT NULL REFERENCES students(id),
  session_id UUID NOT NULL REFERENCES test_sessions(id),
  question_id VARCHAR NOT NULL,
  response INT NOT NULL,
  is_correct BOOLEAN,
  proficiency_before JSONB,
  proficiency_after JSONB,
  timestamp TIMESTAMP DEFAULT NOW()
);
CREATE INDEX idx_test_responses_student_id ON test_responses(student_id);
CREATE INDEX idx_test_responses_session_id ON test_responses(session_id);
CREATE INDEX idx_test_responses_timestamp ON test_responses(timestamp);
INSERT INTO students (id) VALUES ('s1'), ('s2');
INSERT INTO test_sessions (id, student_id) VALUES ('00000000-0000-0000-0000-000000000001', 's1');
)";

std::vector<runtime::Migration> migrations() {
  return runtime::load_migrations(test::source_dir() / "generated/adaptive_testing/migrations");
}

}  // namespace

TEST_CASE("seed 002: baseline adopts the existing tables, then the rest migrates") {
  pqxx::connection db(test::fresh_database("adaptive_baseline"));
  test::run(db, existing_tables);
  runtime::Migrator migrator(db, migrations());
  std::vector<std::string> log;
  migrator.baseline(1, [&](const std::string& line) { log.push_back(line); });
  CHECK(log == std::vector<std::string>{
                   "recorded 0001_existing as applied (its verify file holds); down will never revert it"});
  auto status = migrator.status();
  REQUIRE(status.size() == 2);
  CHECK((status[0].applied && status[0].file == "matches" && status[0].baselined));
  CHECK_FALSE(status[1].applied);
  CHECK(migrator.up() == 1);
  CHECK_FALSE(migrator.status()[1].baselined);
  auto problems = test::compare_catalog(db, test::compile_ok("schemas/adaptive_testing"));
  INFO(test::report(problems));
  CHECK(problems.empty());
  // The rows that were there before are still there, with the new column filled.
  CHECK(test::rows(db, "students").find("\"id\":\"s2\"") != std::string::npos);
  {
    pqxx::work tx(db);
    CHECK(tx.exec("select last_activity is not null from test_sessions").at(0).at(0).as<bool>());
  }
  // Down never reverts what schemac did not create: `--to 0` is refused before anything
  // runs, a plain down reverts 0002 and then stops at the adopted 0001.
  runtime::RunOptions to_zero;
  to_zero.to = 0;
  CHECK_THROWS_WITH(migrator.down(to_zero),
                    "migration 0001_existing was adopted by `migrate baseline`: the database held its objects "
                    "before schemac, so down never reverts it or any migration before it; the lowest version "
                    "`down --to` can reach is 1 (reverting 0002_questions_and_last_activity). Nothing was reverted");
  CHECK(migrator.status()[1].applied);
  CHECK(migrator.down() == 1);
  CHECK_THROWS_WITH(migrator.down(), Catch::Matchers::StartsWith("migration 0001_existing was adopted by"));
  CHECK(migrator.status()[0].applied);
  // Every adopted row is still there (0002's column is gone with its down).
  CHECK(test::rows(db, "students").find("\"id\":\"s2\"") != std::string::npos);
  CHECK(test::rows(db, "test_sessions").find("00000000-0000-0000-0000-000000000001") != std::string::npos);
}

TEST_CASE("seed 002: baseline refuses a database that differs, listing what differs") {
  pqxx::connection db(test::fresh_database("adaptive_baseline_differs"));
  test::run(db, std::string(existing_tables) +
                    "DROP INDEX idx_test_responses_timestamp; ALTER TABLE students DROP COLUMN updated_at;");
  runtime::Migrator migrator(db, migrations());
  std::string message;
  try {
    migrator.baseline(1);
  } catch (const runtime::MigrationRefused& e) {
    message = e.what();
  }
  CHECK(message ==
        "the database does not match the migrations through version 1; nothing was recorded:\n"
        "  0001_existing: column students.updated_at is missing or is not timestamp without time zone (nullable); "
        "index idx_test_responses_timestamp is missing");
  CHECK(migrator.status().at(0).applied == false);
  // A baseline through a version that does not exist says so.
  CHECK_THROWS_WITH(migrator.baseline(7), "there is no migration with version 7");
}
