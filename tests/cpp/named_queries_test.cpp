// Named queries of every form (tests/cpp/queries_schema, generated at build time and
// compiled with the project's warnings), run on PostgreSQL and compared with the same
// SQL written by hand; the typed errors of the runtime for each kind of constraint,
// row level security and serialization failures (with the retry helper); prepared
// statements inside subtransactions; list and keyset pagination.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "emit/sql.hpp"
#include "pg/pg_support.hpp"
#include "plan/plan.hpp"
#include "tq.hpp"

using namespace schemac;

namespace {

struct Library {
  std::int64_t ada = 0, zoe = 0, nobody = 0;
};

// Three authors (one without books, one with a non-ASCII name) and their books.
Library seed(pqxx::transaction_base& tx) {
  Library l;
  auto ada =
      tq::authors::insert(tx, {.name = "Ada",
                               .email = "ada@example.com",
                               .nickname = "countess",
                               .born = Date{std::chrono::year{1815}, std::chrono::month{12}, std::chrono::day{10}},
                               .rating = Decimal::parse("4.50"),
                               .score = 2.5,
                               .weight = 1.5f,
                               .small = std::int16_t{7},
                               .active = true,
                               .profile = Json{{"lang", "en"}},
                               .avatar = Bytes{std::byte{0}, std::byte{255}},
                               .tags = std::vector<std::string>{"math", "poetry"},
                               .mood = tq::Mood::tr_u00e8_s_bien});
  l.ada = ada.id;
  l.zoe = tq::authors::insert(tx, {.name = "Zoë ✓ 東京", .email = "zoe@example.com"}).id;
  l.nobody = tq::authors::insert(tx, {.name = "Nobody", .email = "nobody@example.com"}).id;
  auto when = [](int day) {
    return parse_timestamp("2024-01-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + " 10:00:00+00");
  };
  tq::books::insert(
      tx, {.author_id = l.ada, .title = "Notes", .pages = 40, .price = Decimal::parse("10.00"), .published = when(1)});
  tq::books::insert(tx, {.author_id = l.ada, .title = "Sketch", .price = Decimal::parse("3.25"), .published = when(2)});
  tq::books::insert(tx, {.author_id = l.zoe, .title = "Über ✓", .pages = 300, .published = when(3)});
  tq::books::insert(tx, {.author_id = l.zoe, .title = "Draft"});
  return l;
}

// A fresh database holding the schema; returns its connection string.
std::string database(const std::string& name) {
  std::string url = test::fresh_database("schemac_tq_" + name);
  pqxx::connection db(url);
  auto schema = test::compile_ok("tests/cpp/queries_schema");
  test::run(db, emit::platform_stub_sql(schema) + plan::full_state_sql(schema));
  return url;
}

template <typename T>
std::string text(const std::optional<T>& v) {
  if (!v) return "<null>";
  return pqxx::string_traits<T>::to_string(*v);
}
template <typename T>
std::string text(const T& v) {
  return pqxx::string_traits<T>::to_string(v);
}

}  // namespace

TEST_CASE("named queries return what the same SQL written by hand returns") {
  pqxx::connection db(database("results"));
  pqxx::work tx(db);
  auto l = seed(tx);

  SECTION("a left join: an author without books once, with NULLs; ordering; unicode") {
    auto rows = tq::author_books(tx, 0);
    auto hand = tx.exec_params(
        "select a.id, a.name, a.nickname, b.title, b.pages from authors a left join books b on b.author_id = a.id "
        "and coalesce(b.pages, 0) >= $1 order by a.name, b.title",
        0);
    REQUIRE(rows.size() == hand.size());
    REQUIRE(rows.size() == 5);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      INFO(i);
      CHECK(rows[i].id == hand[i][0].as<std::int64_t>());
      CHECK(rows[i].name == hand[i][1].c_str());
      CHECK(text(rows[i].nickname) == (hand[i][2].is_null() ? "<null>" : hand[i][2].c_str()));
      CHECK(text(rows[i].title) == (hand[i][3].is_null() ? "<null>" : hand[i][3].c_str()));
      CHECK(text(rows[i].pages) == (hand[i][4].is_null() ? "<null>" : hand[i][4].c_str()));
    }
    bool nobody_once = std::count_if(rows.begin(), rows.end(), [&](const tq::AuthorBooksRow& r) {
                         return r.id == l.nobody && !r.title && !r.pages;
                       }) == 1;
    CHECK(nobody_once);
    // The parameter filters on the joined side only.
    auto long_books = tq::author_books(tx, 100);
    CHECK(long_books.size() == 3);  // Über ✓ for Zoë; Ada and Nobody with NULLs
  }
  SECTION("one row by a key, every mapped type; none") {
    auto a = tq::author_by_email(tx, "ada@example.com");
    REQUIRE(a);
    CHECK(a->id == l.ada);
    CHECK(a->name == "Ada");
    CHECK(a->nickname == "countess");
    CHECK(format_date(*a->born) == "1815-12-10");
    CHECK(a->rating->str() == "4.50");
    CHECK(a->score == 2.5);
    CHECK(a->weight == 1.5f);
    CHECK(a->small == 7);
    CHECK(a->active == true);
    CHECK(a->profile == Json{{"lang", "en"}});
    CHECK(*a->avatar == Bytes{std::byte{0}, std::byte{255}});
    CHECK(a->tags == std::vector<std::string>{"math", "poetry"});
    CHECK(a->mood == tq::Mood::tr_u00e8_s_bien);
    auto hand = tx.exec_params("select uid::text, created_at = now() from authors where email = $1",
                               std::string("ada@example.com"));
    CHECK(a->uid.str() == hand[0][0].c_str());
    CHECK(hand[0][1].as<bool>());
    auto zoe = tq::author_by_email(tx, "zoe@example.com");
    REQUIRE(zoe);
    CHECK(zoe->name == "Zoë ✓ 東京");
    CHECK_FALSE(zoe->nickname);
    CHECK_FALSE(zoe->mood);
    CHECK(zoe->tags.empty());
    CHECK_FALSE(tq::author_by_email(tx, "nobody@nowhere"));
  }
  SECTION("aggregates: count 0 and NULL sums for an author without books") {
    auto rows = tq::books_per_author(tx);
    auto hand = tx.exec(
        "select a.name, count(b.id), sum(b.pages), max(b.price), avg(b.pages), coalesce(sum(b.pages), 0) from "
        "authors a left join books b on b.author_id = a.id group by a.name order by a.name");
    REQUIRE(rows.size() == hand.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      INFO(rows[i].name);
      CHECK(rows[i].name == hand[i][0].c_str());
      CHECK(rows[i].books == hand[i][1].as<std::int64_t>());
      CHECK(text(rows[i].pages) == (hand[i][2].is_null() ? "<null>" : hand[i][2].c_str()));
      CHECK(text(rows[i].top_price) == (hand[i][3].is_null() ? "<null>" : hand[i][3].c_str()));
      CHECK(text(rows[i].average_pages) == (hand[i][4].is_null() ? "<null>" : hand[i][4].c_str()));
      CHECK(rows[i].pages_or_zero == hand[i][5].as<std::int64_t>());
    }
    auto nobody = std::find_if(rows.begin(), rows.end(), [](const auto& r) { return r.name == "Nobody"; });
    REQUIRE(nobody != rows.end());
    CHECK(nobody->books == 0);
    CHECK_FALSE(nobody->pages);
    CHECK(nobody->pages_or_zero == 0);
  }
  SECTION("expressions, subqueries, a limit; an empty result") {
    auto since = parse_timestamp("2024-01-02 00:00:00+00");
    auto rows = tq::titles_since(tx, since, 10);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].title == "Sketch");
    CHECK(rows[0].author == "ADA");
    CHECK(rows[0].double_price->str() == "6.50");
    CHECK(rows[0].has_others == true);
    CHECK(rows[0].all_books == 4);
    CHECK_FALSE(rows[0].pages_text);
    CHECK(rows[1].title == "Über ✓");
    CHECK_FALSE(rows[1].double_price);
    CHECK(rows[1].pages_text == "300");
    CHECK(tq::titles_since(tx, since, 1).size() == 1);
    CHECK(tq::titles_since(tx, parse_timestamp("2030-01-01 00:00:00+00"), 10).empty());
  }
  SECTION("exec returns rows affected; RETURNING through `one`") {
    CHECK(tq::rename_author(tx, l.nobody, "Somebody") == 1);
    CHECK(tq::rename_author(tx, -1, "Ghost") == 0);
    auto b = tq::add_book(tx, l.nobody, "First", 12);
    REQUIRE(b);
    CHECK(b->title == "First");
    CHECK(b->pages == 12);
    CHECK(tx.exec_params("select title from books where id = $1", b->id)[0][0].c_str() == std::string("First"));
  }
  SECTION("the streaming form reads the same rows, a batch at a time") {
    std::vector<tq::AuthorBooksRow> streamed;
    tq::author_books_each(
        tx, 0, [&](tq::AuthorBooksRow&& r) { streamed.push_back(std::move(r)); }, 2);
    CHECK(streamed == tq::author_books(tx, 0));
    std::size_t none = 0;
    tq::titles_since_each(
        tx, parse_timestamp("2030-01-01 00:00:00+00"), 5, [&](tq::TitlesSinceRow&&) { ++none; }, 1);
    CHECK(none == 0);
  }
}

TEST_CASE("generated accessors: unique lookups, list and keyset pagination") {
  pqxx::connection db(database("accessors"));
  pqxx::work tx(db);
  auto l = seed(tx);
  auto ada = tq::authors::by_email(tx, "ada@example.com");  // a unique key: std::optional
  REQUIRE(ada);
  CHECK(ada->id == l.ada);
  CHECK_FALSE(tq::authors::by_email(tx, "nobody@nowhere"));
  auto by_title = tq::books::by_author_id_title(tx, l.zoe, "Draft");
  REQUIRE(by_title);
  CHECK(by_title->title == "Draft");
  CHECK(tq::books::by_author_id(tx, l.ada).size() == 2);  // a foreign key: a vector

  auto all = tq::books::list(tx);
  REQUIRE(all.size() == 4);
  CHECK(std::is_sorted(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.id < b.id; }));
  auto last_two = tq::books::list(tx, Order::descending, 2);
  REQUIRE(last_two.size() == 2);
  CHECK(last_two[0].id == all[3].id);
  CHECK(last_two[1].id == all[2].id);
  // Pages of two, keyset style, cover every row once.
  std::vector<std::int64_t> seen;
  auto page = tq::books::list(tx, Order::ascending, 2);
  while (!page.empty()) {
    for (const auto& b : page) seen.push_back(b.id);
    page = tq::books::page_after(tx, page.back().id, 2);
  }
  CHECK(seen == std::vector<std::int64_t>{all[0].id, all[1].id, all[2].id, all[3].id});
  CHECK(tq::books::page_after(tx, all[3].id, 10).empty());
}

TEST_CASE("errors PostgreSQL raises become typed exceptions naming constraint, table and column") {
  pqxx::connection db(database("errors"));
  auto l = [&] {
    pqxx::work tx(db);
    auto out = seed(tx);
    tx.commit();
    return out;
  }();

  SECTION("unique") {
    pqxx::work tx(db);
    try {
      tq::authors::insert(tx, {.name = "Again", .email = "ada@example.com"});
      FAIL("no error");
    } catch (const UniqueViolation& e) {
      CHECK(e.constraint() == "authors_email_key");
      CHECK(e.table() == "authors");
      CHECK(e.schema() == "public");
      CHECK(e.sqlstate() == "23505");
      CHECK(std::string(e.what()).find("duplicate key value violates unique constraint") != std::string::npos);
      CHECK(e.detail().find("(email)=(ada@example.com)") != std::string::npos);
    }
  }
  SECTION("unique, through a named query") {
    pqxx::work tx(db);
    CHECK_THROWS_AS(tq::add_book(tx, l.ada, "Notes", 1), UniqueViolation);
  }
  SECTION("foreign key") {
    pqxx::work tx(db);
    try {
      tq::books::insert(tx, {.author_id = 999999, .title = "Orphan"});
      FAIL("no error");
    } catch (const ForeignKeyViolation& e) {
      CHECK(e.constraint() == "books_author_id_fkey");
      CHECK(e.table() == "books");
    }
  }
  SECTION("check") {
    pqxx::work tx(db);
    try {
      tq::authors::insert(tx, {.name = "Neg", .email = "neg@example.com", .score = -1.0});
      FAIL("no error");
    } catch (const CheckViolation& e) {
      CHECK(e.constraint() == "authors_score_check");
      CHECK(e.table() == "authors");
    }
  }
  SECTION("not null") {
    pqxx::work tx(db);
    try {
      exec_prepared(tx, "test.null_title", "insert into books (author_id, title) values ($1, NULL)", l.ada);
      FAIL("no error");
    } catch (const NotNullViolation& e) {
      CHECK(e.column() == "title");
      CHECK(e.table() == "books");
      CHECK(dynamic_cast<const ConstraintViolation*>(&e));
      CHECK(dynamic_cast<const pqxx::sql_error*>(&e));  // existing handlers still catch it
    }
  }
  SECTION("row level security refuses a row") {
    pqxx::work tx(db);
    tx.exec("set local role authenticated");
    tx.exec("select set_config('app.user', 'ada', true)");
    tq::notes::insert(tx, {.owner = "ada", .body = "mine"});
    try {
      tq::notes::insert(tx, {.owner = "zoe", .body = "planted"});
      FAIL("no error");
    } catch (const RowSecurityViolation& e) {
      CHECK(e.sqlstate() == "42501");
      CHECK(e.message().find("row-level security") != std::string::npos);
      CHECK(dynamic_cast<const PermissionDenied*>(&e));
    }
  }
  SECTION("a serialization failure, and the retry helper runs the work again") {
    pqxx::connection other(db.options());
    int attempts = 0;
    auto renamed = retry_serializable(db, [&](pqxx::transaction_base& tx) {
      ++attempts;
      CHECK(tq::author_by_email(tx, "ada@example.com"));  // the snapshot is taken here
      if (attempts == 1) {
        pqxx::work w(other);
        w.exec_params("update authors set score = score + 1 where id = $1", l.ada);
        w.commit();
      }
      return tq::rename_author(tx, l.ada, "Ada L.");  // 40001 on the first attempt
    });
    CHECK(attempts == 2);
    CHECK(renamed == 1);
    CHECK(test::value(db, "select name from authors where email = 'ada@example.com'") == "Ada L.");

    attempts = 0;
    auto once = [&](pqxx::transaction_base& tx) {
      ++attempts;
      tq::author_by_email(tx, "ada@example.com");
      pqxx::work w(other);
      w.exec_params("update authors set score = score + 1 where id = $1", l.ada);
      w.commit();
      tq::rename_author(tx, l.ada, "Ada");
    };
    CHECK_THROWS_AS(retry_serializable(db, once, 2), SerializationFailure);
    CHECK(attempts == 2);
  }
  SECTION("no typed error for other errors: libpqxx's own") {
    pqxx::work tx(db);
    CHECK_THROWS_AS(exec_prepared(tx, "test.bad_cast", "select 'x'::int"), pqxx::data_exception);
  }
}

TEST_CASE("prepared statements inside subtransactions (libpqxx 6.4)") {
  pqxx::connection db(database("subtransactions"));
  pqxx::work tx(db);
  seed(tx);
  SECTION("prepared in a subtransaction that is rolled back: still prepared, still usable") {
    {
      pqxx::subtransaction sub(tx, "first");
      CHECK(tq::all_titles(tx).size() == 4);
      sub.abort();
    }
    CHECK(tq::all_titles(tx).size() == 4);
    CHECK(std::string(tx.exec("select count(*) from pg_prepared_statements where name = 'tq.query.all_titles'")[0][0]
                          .c_str()) == "1");
  }
  SECTION("a prepare that failed in a subtransaction is prepared again at the next use") {
    {
      pqxx::subtransaction sub(tx, "failing");
      sub.exec("alter table books rename to books_elsewhere");
      // PostgreSQL refuses to prepare the statement: the table is not there.
      CHECK_THROWS_AS(tq::all_titles(sub), pqxx::sql_error);
      sub.abort();
    }
    CHECK(tq::all_titles(tx).size() == 4);  // not "prepared statement does not exist"
  }
}
