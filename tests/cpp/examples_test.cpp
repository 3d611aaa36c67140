// The generated code of the other examples: each program migrates a fresh database
// with its embedded migrations and passes the version check; progressive_flow's
// accessors also drive its triggers and refresh its dashboard concurrently.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "../../generated/adaptive_testing/cpp/adaptive_testing.hpp"
#include "../../generated/progressive_flow/cpp/progressive_flow.hpp"
#include "../../generated/quests/cpp/quests.hpp"
#include "../../generated/workshop/cpp/workshop.hpp"
#include "emit/sql.hpp"
#include "pg/pg_support.hpp"

using namespace schemac;

namespace {

template <typename Migrate, typename Check>
void self_migrates(const std::string& example, Migrate migrate, Check check, std::size_t expected) {
  std::string url = test::fresh_database("schemac_cpp_" + example);
  pqxx::connection db(url);
  test::run(db, emit::platform_stub_sql(test::compile_ok("schemas/" + example)));
  CHECK(migrate(db) == static_cast<int>(expected));
  CHECK_NOTHROW(check(db));
}

}  // namespace

TEST_CASE("generated C++ of every example migrates itself") {
  self_migrates("quests", quests::migrate, quests::check_schema_version, quests::migrations().size());
  self_migrates("workshop", workshop::migrate, workshop::check_schema_version, workshop::migrations().size());
  self_migrates("adaptive_testing", adaptive_testing::migrate, adaptive_testing::check_schema_version,
                adaptive_testing::migrations().size());
  CHECK(quests::schema_version == 3);    // init, personalized quests, archived tables dropped
  CHECK(workshop::schema_version == 4);  // legacy, unified schema, dated backups, backups dropped
}

TEST_CASE("generated C++: progressive_flow's triggers through its accessors") {
  namespace pf = progressive_flow;
  pqxx::connection db(test::fresh_database("schemac_cpp_progressive_flow"));
  REQUIRE(pf::migrate(db) == 6);  // the guide's six migration files
  pqxx::work tx(db);
  CHECK(pf::learning_tracks::count(tx) == 3);  // the data step
  pf::NewUser u{.email = "ada@example.com", .username = "ada", .password_hash = "x"};
  auto user = pf::users::insert(tx, u);
  auto stats = pf::user_stats::find(tx, user.id);  // created by the trigger
  REQUIRE(stats);
  CHECK(stats->current_level == 1);
  pf::NewXpTransaction xp{.user_id = user.id, .amount = 950, .source = "challenge"};
  pf::xp_transactions::insert(tx, xp);
  CHECK(pf::user_stats::find(tx, user.id)->current_level == 4);
  CHECK(pf::calculate_level_from_xp(tx, 950) == 4);
  CHECK(pf::get_xp_for_level(tx, 4) == 900);
  pf::NewChallenge c{.slug = "cache",
                     .title = "Design a cache",
                     .difficulty = pf::ChallengeDifficulty::advanced,
                     .metadata = Json{{"estimated_minutes", 45}}};
  auto challenge = pf::challenges::insert(tx, c);
  CHECK(challenge.prerequisites.empty());
  CHECK(challenge.tags.empty());
  CHECK(pf::check_challenge_prerequisites(tx, user.id, challenge.id) == true);
  tx.commit();
  pqxx::nontransaction nt(db);
  pf::user_dashboard_summary::refresh(nt, true);
  auto rows = pf::user_dashboard_summary::select_all(nt);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].username == "ada");
  CHECK(rows[0].total_xp == 950);
  CHECK(rows[0].current_level == 4);
}
