// The generated ai_assistant accessors against a real server: the program migrates
// itself with the embedded migrations, refuses a database on another schema version,
// does CRUD through the typed helpers, and, acting as the API role `authenticated`
// with a user's claims, sees and changes only its own tenant's rows.
#include "ai_assistant.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "emit/sql.hpp"
#include "pg/pg_support.hpp"

using namespace schemac;
namespace ai = ai_assistant;

namespace {

const Uuid tenant_a = Uuid::parse("10000000-0000-0000-0000-00000000000a");
const Uuid tenant_b = Uuid::parse("10000000-0000-0000-0000-00000000000b");
const Uuid user_a = Uuid::parse("00000000-0000-0000-0000-00000000000a");
const Uuid user_b = Uuid::parse("00000000-0000-0000-0000-00000000000b");

// A fresh database with Supabase's stand-ins (auth schema, roles) and nothing else.
std::string platform_only(const std::string& name) {
  std::string url = test::fresh_database(name);
  pqxx::connection db(url);
  test::run(db, emit::platform_stub_sql(test::compile_ok("schemas/ai_assistant")));
  return url;
}

// Two tenants with one user each, set up by the owner (as a service would).
void two_tenants(pqxx::connection& db) {
  pqxx::work tx(db);
  for (const auto& [tenant, user, name] : {std::tuple{tenant_a, user_a, "a"}, std::tuple{tenant_b, user_b, "b"}}) {
    tx.exec_params("insert into auth.users (id, email) values ($1, $2)", user, std::string(name) + "@example.com");
    ai::NewTenant t{.id = tenant, .name = std::string("Tenant ") + name, .slug = std::string("tenant-") + name};
    CHECK(ai::tenants::insert(tx, t).settings == Json::object());  // the default, read back as JSON
    ai::NewUser u{.id = user, .tenant_id = tenant, .email = std::string(name) + "@example.com"};
    CHECK(ai::users::insert(tx, u).role == ai::UserRole::user);
  }
  tx.commit();
}

ai::Conversation conversation(pqxx::transaction_base& tx, const Uuid& tenant, const Uuid& user,
                              const std::string& title) {
  return ai::conversations::insert(tx, {.tenant_id = tenant, .user_id = user, .title = title});
}

}  // namespace

TEST_CASE("generated C++: migrate at start-up, then refuse another schema version") {
  pqxx::connection db(platform_only("schemac_cpp_migrate"));
  CHECK_THROWS_WITH(ai::check_schema_version(db), Catch::Contains("no schemac migration history"));
  REQUIRE(ai::migrations().size() == 5);  // the guide's steps: tenants and users, then 003 to 006
  CHECK(ai::migrate(db) == 5);
  CHECK(ai::migrate(db) == 0);  // a second host finds nothing to do
  CHECK_NOTHROW(ai::check_schema_version(db));
  {
    pqxx::work tx(db);
    tx.exec("insert into public.schemac_migrations (version, name, checksum) values (6, '0006_newer', 'x')");
    tx.commit();
  }
  CHECK_THROWS_WITH(ai::check_schema_version(db),
                    Catch::Contains("built for schema version 5 but the database is at version 6") &&
                        Catch::Contains("update the program"));
}

TEST_CASE("generated C++: typed CRUD, lookups, COPY, functions and views") {
  pqxx::connection db(platform_only("schemac_cpp_crud"));
  ai::migrate(db);
  two_tenants(db);
  pqxx::work tx(db);
  auto c = conversation(tx, tenant_a, user_a, "Hello");
  CHECK_FALSE(c.id.is_nil());  // gen_random_uuid() through COALESCE
  CHECK(c.model == "default");
  CHECK_FALSE(c.is_archived);
  CHECK(c.metadata == Json::object());
  CHECK(c.created_at.time_since_epoch().count() > 0);

  auto found = ai::conversations::find(tx, c.id);
  REQUIRE(found);
  CHECK(found->title == "Hello");
  CHECK_FALSE(ai::conversations::find(tx, Uuid{}).has_value());

  found->title = std::nullopt;  // NULL
  found->metadata = Json{{"pinned", true}, {"note", "Zoë ✓"}};
  CHECK(ai::conversations::update(tx, *found));
  auto again = ai::conversations::find(tx, c.id);
  CHECK_FALSE(again->title.has_value());
  CHECK(again->metadata["note"] == "Zoë ✓");

  // Bulk insert through COPY, with defaults left unset on some rows and set on others.
  std::vector<ai::NewMessage> batch;
  for (int i = 0; i < 500; ++i) {
    ai::NewMessage m{.tenant_id = tenant_a,
                     .conversation_id = c.id,
                     .role = i % 2 ? ai::MessageRole::assistant : ai::MessageRole::user,
                     .content = "line " + std::to_string(i) + "\twith tab\nand newline \\ and backslash"};
    if (i % 3 == 0) m.tokens_used = i;
    batch.push_back(std::move(m));
  }
  ai::messages::insert_many(tx, batch);
  CHECK(ai::messages::count(tx) == 500);
  auto messages = ai::messages::by_conversation_id(tx, c.id);
  REQUIRE(messages.size() == 500);
  std::int64_t tokens = 0;
  for (const auto& m : messages) tokens += m.tokens_used;
  CHECK(tokens == 41583);  // sum of the multiples of 3 below 500; the others took the default 0
  CHECK(std::any_of(messages.begin(), messages.end(), [](const ai::Message& m) {
    return m.content == "line 7\twith tab\nand newline \\ and backslash" && m.role == ai::MessageRole::assistant;
  }));
  CHECK(ai::to_string(ai::MessageRole::assistant) == "assistant");
  CHECK(ai::from_string<ai::MessageRole>("tool") == ai::MessageRole::tool);
  CHECK_THROWS_AS(ai::from_string<ai::MessageRole>("robot"), ConversionError);

  // A function wrapper with SQL defaults left out, and a materialized view.
  Date today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  ai::increment_usage_metrics(tx, tenant_a, user_a, today, 10, 5, Decimal::parse("0.25"));
  ai::increment_usage_metrics(tx, tenant_a, user_a, today);
  auto usage = ai::usage_metrics::by_user_id(tx, user_a);
  REQUIRE(usage.size() == 1);
  CHECK(usage[0].message_count == 2);
  CHECK(usage[0].total_tokens == 15);
  CHECK(usage[0].estimated_cost == Decimal::parse("0.25"));
  tx.commit();

  {
    pqxx::nontransaction nt(db);
    ai::monthly_usage_summary::refresh(nt, true);  // concurrently
    auto summary = ai::monthly_usage_summary::select_all(nt);
    REQUIRE(summary.size() == 1);
    CHECK(summary[0].tenant_id == tenant_a);
    CHECK(summary[0].active_users == 1);
    CHECK(summary[0].total_tokens == 15);
    CHECK(summary[0].total_cost == Decimal::parse("0.25"));
  }

  pqxx::work tx2(db);
  CHECK(ai::conversations::remove(tx2, c.id));
  CHECK_FALSE(ai::conversations::remove(tx2, c.id));
  CHECK(ai::messages::count(tx2) == 0);  // on delete cascade
}

TEST_CASE("generated C++: row level security as a user of one tenant") {
  pqxx::connection db(platform_only("schemac_cpp_rls"));
  ai::migrate(db);
  two_tenants(db);
  Uuid theirs;
  {
    pqxx::work tx(db);
    theirs = conversation(tx, tenant_b, user_b, "B's secret").id;
    conversation(tx, tenant_a, user_a, "A's own");
    tx.commit();
  }
  auto as_a = [&](auto&& body) {
    pqxx::work tx(db);
    act_as(tx, as_user(user_a));
    body(tx);
    tx.commit();
  };
  // What A cannot do to B's rows.
  as_a([&](pqxx::work& tx) {
    CHECK(tx.exec("select current_user").at(0).at(0).as<std::string>() == "authenticated");
    CHECK(ai::current_tenant_id(tx) == tenant_a);
    CHECK_FALSE(ai::conversations::find(tx, theirs).has_value());
    CHECK(ai::conversations::by_tenant_id(tx, tenant_b).empty());
    CHECK(ai::conversations::count(tx) == 1);
    ai::Conversation forged;
    forged.id = theirs;
    forged.tenant_id = tenant_b;
    forged.user_id = user_b;
    forged.title = "overwritten";
    forged.model = "default";
    CHECK_FALSE(ai::conversations::update(tx, forged));
    CHECK_FALSE(ai::conversations::remove(tx, theirs));
  });
  {
    pqxx::work tx(db);
    act_as(tx, as_user(user_a));
    CHECK_THROWS_WITH(conversation(tx, tenant_b, user_b, "planted"), Catch::Contains("row-level security"));
  }
  {
    pqxx::work tx(db);  // B's row is untouched
    auto row = ai::conversations::find(tx, theirs);
    REQUIRE(row);
    CHECK(row->title == "B's secret");
    CHECK(ai::conversations::count(tx) == 2);
  }
  // What A can do to its own.
  Uuid mine;
  as_a([&](pqxx::work& tx) {
    auto c = conversation(tx, tenant_a, user_a, "new");
    mine = c.id;
    CHECK(ai::conversations::by_tenant_id(tx, tenant_a).size() == 2);
    c.title = "renamed";
    CHECK(ai::conversations::update(tx, c));
    CHECK(ai::conversations::find(tx, mine)->title == "renamed");
    CHECK(ai::conversations::remove(tx, mine));
    CHECK_FALSE(ai::conversations::find(tx, mine).has_value());
  });
}
