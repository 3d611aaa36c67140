// The ai_assistant example: a program built on the accessors schemac generates from
// schemas/ai_assistant. It migrates its database at start-up, creates two tenants
// with a user, conversations and messages each, shows that a user of one tenant
// sees and changes only its own rows (row level security, acting as Supabase's
// `authenticated` role), records usage through increment_usage_metrics, refreshes
// the monthly materialized view concurrently and prints a summary.
//
// Connection: the standard PG* environment variables (or a libpq string as the
// first argument). The database must have Supabase's auth schema and API roles
// (`schemac sql --externs-only` writes stand-ins for a local one).
#include <iostream>
#include <pqxx/pqxx>

#include "ai_assistant.hpp"

namespace ai = ai_assistant;
using schemac::Uuid;

namespace {

struct Tenant {
  Uuid id, user;
  std::string name;
};

Tenant create_tenant(pqxx::transaction_base& tx, const std::string& name, const std::string& email) {
  Tenant out{ai::tenants::insert(tx, {.name = name, .slug = name}).id, {}, name};
  // The auth user is the platform's (an extern table): created here with plain SQL.
  out.user = schemac::get<Uuid>(
      tx.exec_params("insert into auth.users (id, email) values (gen_random_uuid(), $1) returning id", email)
          .at(0)
          .at(0));
  ai::users::insert(tx, {.id = out.user, .tenant_id = out.id, .email = email, .role = ai::UserRole::owner});
  return out;
}

void chat(pqxx::transaction_base& tx, const Tenant& t, const std::string& title, int messages) {
  auto conversation = ai::conversations::insert(tx, {.tenant_id = t.id, .user_id = t.user, .title = title});
  std::vector<ai::NewMessage> batch;
  for (int i = 0; i < messages; ++i) {
    batch.push_back({.tenant_id = t.id,
                     .conversation_id = conversation.id,
                     .role = i % 2 ? ai::MessageRole::assistant : ai::MessageRole::user,
                     .content = (i % 2 ? "Answer " : "Question ") + std::to_string(i / 2 + 1),
                     .tokens_used = 20 + i});
  }
  ai::messages::insert_many(tx, batch);  // one COPY
}

}  // namespace

int main(int argc, char** argv) try {
  pqxx::connection db(argc > 1 ? argv[1] : "");

  int applied = ai::migrate(db);
  ai::check_schema_version(db);
  std::cout << "migrations: " << applied << " applied, schema at version " << ai::schema_version << "\n";

  Tenant acme, globex;
  {
    pqxx::work tx(db);  // as the owner, the way a back-office service would
    acme = create_tenant(tx, "acme", "ada@acme.example");
    globex = create_tenant(tx, "globex", "grace@globex.example");
    chat(tx, acme, "Quarterly report", 6);
    chat(tx, acme, "Onboarding", 4);
    chat(tx, globex, "Secret roadmap", 8);
    tx.commit();
  }

  {
    pqxx::work tx(db);
    schemac::act_as(tx, schemac::as_user(acme.user));  // SET LOCAL ROLE authenticated + claims
    auto mine = ai::conversations::by_tenant_id(tx, acme.id);
    auto theirs = ai::conversations::by_tenant_id(tx, globex.id);
    std::cout << "ada (acme) sees " << mine.size() << " conversations of acme and " << theirs.size()
              << " of globex; messages visible: " << ai::messages::count(tx) << "\n";
    tx.commit();
  }
  {
    pqxx::work tx(db);
    schemac::act_as(tx, schemac::as_user(acme.user));
    ai::NewConversation planted{.tenant_id = globex.id, .user_id = acme.user, .title = "planted"};
    try {
      ai::conversations::insert(tx, planted);
      std::cout << "ada wrote into globex: ISOLATION BROKEN\n";
      return 1;
    } catch (const pqxx::sql_error& e) {
      std::string what = e.what();
      std::cout << "ada writing into globex is refused: " << what.substr(0, what.find('\n')) << "\n";
    }
  }

  {
    pqxx::work tx(db);
    Uuid tenants[] = {acme.id, globex.id}, users[] = {acme.user, globex.user};
    schemac::Date today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    for (int i = 0; i < 5; ++i)
      ai::increment_usage_metrics(tx, tenants[i % 2], users[i % 2], today, 100 * (i + 1), 50,
                                  schemac::Decimal::parse("0.0125"));
    tx.commit();
  }
  {
    pqxx::nontransaction nt(db);
    ai::monthly_usage_summary::refresh(nt, /*concurrently=*/true);
    std::cout << "\nmonthly usage (refreshed concurrently):\n";
    for (const auto& row : ai::monthly_usage_summary::select_all(nt)) {
      auto tenant = ai::tenants::find(nt, *row.tenant_id);
      std::cout << "  " << (tenant ? tenant->name : row.tenant_id->str()) << "  " << schemac::format_date(*row.month)
                << "  users " << row.active_users.value_or(0) << "  messages " << row.message_count.value_or(0)
                << "  tokens " << row.total_tokens.value_or(0) << "  cost "
                << (row.total_cost ? row.total_cost->str() : "0") << "\n";
    }
  }
  {
    // Named queries (schemas/ai_assistant/queries.schema): the application's own SQL as
    // typed functions; a column that may be NULL is a std::optional.
    pqxx::work tx(db);
    std::cout << "\nacme's conversations (named query tenant_conversations):\n";
    for (const auto& c : ai::tenant_conversations(tx, acme.id, 10))
      std::cout << "  " << c.title.value_or("(untitled)") << ": last message \"" << c.last_message.value_or("")
                << "\"\n";
    for (const auto& u : ai::usage_per_month(tx, acme.id))
      std::cout << "acme " << schemac::format_date(u.month) << ": " << u.tokens.value_or(0) << " tokens, cost "
                << (u.cost ? u.cost->str() : "0") << ", " << u.users << " users\n";
  }
  {
    pqxx::work tx(db);
    std::cout << "\nsummary: " << ai::tenants::count(tx) << " tenants, " << ai::users::count(tx) << " users, "
              << ai::conversations::count(tx) << " conversations, " << ai::messages::count(tx) << " messages, "
              << ai::usage_metrics::count(tx) << " usage rows\n";
  }
  return 0;
} catch (const std::exception& e) {
  std::cerr << "ai_assistant_demo: " << e.what() << "\n";
  return 1;
}
