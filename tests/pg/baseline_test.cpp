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

TEST_CASE("seed 002: the guide's monitoring queries, verbatim, after the migration") {
  pqxx::connection db(test::fresh_database("adaptive_monitoring"));
  test::run(db, existing_tables);
  runtime::Migrator migrator(db, migrations());
  migrator.baseline(1);
  CHECK(migrator.up() == 1);
  // Two pools; s1 answered three questions (two right), s2 one (wrong); two active
  // sessions, one of them idle for an hour, and a completed one.
  test::run(db, R"(
    INSERT INTO questions (id, pool_id, content, options, correct_answer, concepts, difficulty, discrimination) VALUES
      ('q1', '10000000-0000-0000-0000-000000000001', 'What is 2+2?', '["3", "4", "5", "6"]', '4', '[1, 0, 0, 0, 0]', 0.3, 1.2),
      ('q2', '10000000-0000-0000-0000-000000000001', 'What is 3+3?', '["5", "6"]', '6', '[1, 0, 0, 0, 0]', 0.4, 1.0),
      ('q3', '10000000-0000-0000-0000-000000000002', 'What is 2*3?', '["6", "8"]', '6', '[0, 1, 0, 0, 0]', 0.5, 1.1);
    INSERT INTO test_sessions (id, student_id, status, last_activity) VALUES
      ('00000000-0000-0000-0000-000000000002', 's2', 'active', NOW() - INTERVAL '1 hour'),
      ('00000000-0000-0000-0000-000000000003', 's2', 'completed', NOW());
    INSERT INTO test_responses (student_id, session_id, question_id, response, is_correct) VALUES
      ('s1', '00000000-0000-0000-0000-000000000001', 'q1', 1, true),
      ('s1', '00000000-0000-0000-0000-000000000001', 'q2', 1, true),
      ('s1', '00000000-0000-0000-0000-000000000001', 'q3', 0, false),
      ('s2', '00000000-0000-0000-0000-000000000002', 'q1', 0, false);
  )");
  auto table = [&](const std::string& sql) {
    pqxx::work tx(db);
    std::string out;
    for (auto row : tx.exec(sql)) out += row[0].as<std::string>() + "|" + row[1].as<std::string>() + "\n";
    return out;
  };
  // Active Sessions Count: the adopted session (its last_activity filled by 0002's
  // default) is active; the idle and the completed ones are not.
  {
    pqxx::work tx(db);
    CHECK(tx.exec(R"(
SELECT COUNT(*)
FROM test_sessions
WHERE status = 'active'
AND last_activity > NOW() - INTERVAL '30 minutes';)")
              .at(0)
              .at(0)
              .as<int>() == 1);
  }
  // Questions Per Pool (ordered here, for a stable text).
  CHECK(table(R"(
SELECT pool_id, COUNT(*) as question_count
FROM questions
GROUP BY pool_id ORDER BY pool_id;)") ==
        "10000000-0000-0000-0000-000000000001|2\n10000000-0000-0000-0000-000000000002|1\n");
  // Student Response Rate: the guide's AVG of 1s and 0s.
  CHECK(table(R"(
SELECT
  student_id,
  COUNT(*) as total_responses,
  AVG(CASE WHEN is_correct THEN 1 ELSE 0 END) as accuracy
FROM test_responses
GROUP BY student_id ORDER BY student_id;)") == "s1|3\ns2|1\n");
  {
    pqxx::work tx(db);
    auto r = tx.exec(
        "SELECT student_id, round(AVG(CASE WHEN is_correct THEN 1 ELSE 0 END), 4)::text FROM test_responses GROUP BY "
        "student_id ORDER BY student_id");
    CHECK(r.at(0).at(1).as<std::string>() == "0.6667");
    CHECK(r.at(1).at(1).as<std::string>() == "0.0000");
  }
  // The troubleshooting lookup of one session.
  {
    pqxx::work tx(db);
    CHECK(tx.exec("SELECT * FROM test_sessions WHERE id = '00000000-0000-0000-0000-000000000003';").size() == 1);
  }
}

TEST_CASE("seed 002: baseline explains a database that has part of the next migration already") {
  // The guide's scripts are IF NOT EXISTS: run half way, the database has the questions
  // table and the new column, but not the last index.
  const std::string part_of_0002 = R"(
    ALTER TABLE test_sessions ADD COLUMN IF NOT EXISTS last_activity TIMESTAMP DEFAULT NOW();
    CREATE TABLE IF NOT EXISTS questions (
      id VARCHAR PRIMARY KEY,
      pool_id UUID NOT NULL,
      content TEXT NOT NULL,
      options JSONB NOT NULL,
      correct_answer VARCHAR NOT NULL,
      concepts JSONB NOT NULL DEFAULT '[]',
      difficulty DECIMAL DEFAULT 0.5,
      discrimination DECIMAL DEFAULT 1.0,
      created_at TIMESTAMP DEFAULT NOW()
    );
    CREATE INDEX idx_questions_pool_id ON questions(pool_id);
    CREATE INDEX idx_questions_created_at ON questions(created_at);
  )";
  pqxx::connection db(test::fresh_database("adaptive_baseline_partial"));
  test::run(db, std::string(existing_tables) + part_of_0002);
  runtime::Migrator migrator(db, migrations());
  auto refusal = [&](int to) {
    try {
      migrator.baseline(to);
    } catch (const runtime::MigrationRefused& e) {
      return std::string(e.what());
    }
    return std::string("(recorded)");
  };
  // Adopting 0001 alone would leave `up` to fail on what exists: refused, with what is
  // there, what is not, and the two ways on.
  CHECK(refusal(1) ==
        "the database holds the migrations through version 1 and more; nothing was recorded:\n"
        "  0002_questions_and_last_activity is partly in the database already: table questions, column "
        "test_sessions.last_activity, index idx_questions_pool_id, index idx_questions_created_at (already as the "
        "migration makes them); still missing: index idx_test_sessions_last_activity is missing. `migrate up` would "
        "fail creating what exists. Either complete it by hand (what is missing, as its up file makes it) and run "
        "`migrate baseline --to 2`, or remove what exists of it and run `migrate baseline --to 1`, then `migrate up`");
  // Adopting both says what 0002 lacks.
  CHECK(refusal(2) ==
        "the database does not match the migrations through version 2; nothing was recorded:\n"
        "  0002_questions_and_last_activity: index idx_test_sessions_last_activity is missing");
  CHECK_FALSE(migrator.status().at(0).applied);
  // Completed by hand as the advice says, both are adopted; down never drops them.
  // (Its comments too: the verify file does not check comments, `migrate status` would
  // list them as drift.)
  test::run(db,
            "CREATE INDEX idx_test_sessions_last_activity ON test_sessions(last_activity);"
            "COMMENT ON TABLE questions IS 'The question bank, formerly kept in Redis.';"
            "COMMENT ON COLUMN test_sessions.last_activity IS 'When the session last saw an answer; idle sessions "
            "are expired from it.';");
  CHECK(refusal(1) ==
        "the database holds the migrations through version 1 and more; nothing was recorded:\n"
        "  0002_questions_and_last_activity is in the database already (its verify file holds): `migrate up` would "
        "fail creating it again; adopt it too with `migrate baseline --to 2`");
  CHECK(refusal(2) == "(recorded)");
  auto status = migrator.status();
  REQUIRE(status.size() == 2);
  CHECK((status[0].baselined && status[1].baselined));
  CHECK(migrator.up() == 0);
  {
    auto problems = test::compare_catalog(db, test::compile_ok("schemas/adaptive_testing"));
    INFO(test::report(problems));
    CHECK(problems.empty());
  }
  CHECK_THROWS_WITH(migrator.down(), Catch::Matchers::StartsWith("migration 0002_questions_and_last_activity was "
                                                                 "adopted by"));
  CHECK(test::value(db, "select count(*) from pg_tables where tablename in ('questions', 'test_sessions')") == "2");
}

TEST_CASE("seed 002: the other way: remove the part that is there, adopt 0001, migrate up") {
  pqxx::connection db(test::fresh_database("adaptive_baseline_column"));
  test::run(db, std::string(existing_tables) +
                    "ALTER TABLE test_sessions ADD COLUMN IF NOT EXISTS last_activity TIMESTAMP DEFAULT NOW();");
  runtime::Migrator migrator(db, migrations());
  CHECK_THROWS_WITH(migrator.baseline(1),
                    Catch::Contains("is partly in the database already: column test_sessions.last_activity (already") &&
                        Catch::Contains("still missing: table questions is missing; "));
  test::run(db, "ALTER TABLE test_sessions DROP COLUMN last_activity;");
  migrator.baseline(1);
  CHECK(migrator.up() == 1);
  auto problems = test::compare_catalog(db, test::compile_ok("schemas/adaptive_testing"));
  INFO(test::report(problems));
  CHECK(problems.empty());
}
