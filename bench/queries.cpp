// A named query with a join returning 1,000 rows, against the same query written by
// hand with libpqxx (prepared once, read field by field into the same struct). The
// two run interleaved in rounds, in one process against one server, and the ratio is
// printed, of the median rounds (machines are shared and noisy: the ratio is the figure).
//   bench_queries CONNECTION [ROUNDS]
#include <algorithm>
#include <chrono>
#include <iostream>
#include <pqxx/pqxx>

#include "library.hpp"

using Clock = std::chrono::steady_clock;

namespace {

const char* const sql =
    "select b.id, b.title, b.pages, b.price, a.name as author from books b join authors a on a.id = b.author_id "
    "where coalesce(b.pages, 0) >= $1 order by b.id";

std::vector<library::BooksWithAuthorsRow> hand_written(pqxx::transaction_base& tx, int min_pages) {
  tx.conn().prepare("hand_books", sql);
  auto r = tx.exec_prepared("hand_books", min_pages);
  std::vector<library::BooksWithAuthorsRow> out;
  out.reserve(r.size());
  for (const auto& row : r) {
    library::BooksWithAuthorsRow x;
    x.id = row[0].as<std::int64_t>();
    x.title = row[1].c_str();
    if (!row[2].is_null()) x.pages = row[2].as<std::int32_t>();
    if (!row[3].is_null()) x.price = schemac::Decimal::parse(row[3].c_str());
    x.author = row[4].c_str();
    out.push_back(std::move(x));
  }
  return out;
}

template <typename F>
double seconds(F&& f) {
  auto t0 = Clock::now();
  f();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bench_queries CONNECTION [ROUNDS]\n";
    return 2;
  }
  int rounds = argc > 2 ? std::stoi(argv[2]) : 300;
  pqxx::connection db(argv[1]);
  {
    pqxx::work tx(db);
    tx.exec(
        "create table authors (id bigint primary key, name text not null);"
        "create table books (id bigint primary key, author_id bigint not null references authors(id), title text "
        "not null, pages int, price numeric(8,2));"
        "create index on books (author_id);"
        "insert into authors select i, 'author ' || i from generate_series(1, 100) i;"
        "insert into books select i, 1 + i % 100, 'book ' || i, case when i % 7 = 0 then null else i % 500 end, "
        "case when i % 3 = 0 then null else (i % 100) + 0.99 end from generate_series(1, 1000) i;"
        "analyze authors; analyze books;");
    tx.commit();
  }
  pqxx::work tx(db);
  if (library::books_with_authors(tx, 0) != hand_written(tx, 0) || library::books_with_authors(tx, 0).size() != 1000) {
    std::cerr << "the two do not return the same 1,000 rows\n";
    return 1;
  }
  std::vector<double> generated, hand;
  std::size_t rows = 0;
  // Which one goes first alternates, so that neither always finds the caches warm.
  for (int round = 0; round < rounds; ++round) {
    auto named = [&] { generated.push_back(seconds([&] { rows += library::books_with_authors(tx, 0).size(); })); };
    auto by_hand = [&] { hand.push_back(seconds([&] { rows += hand_written(tx, 0).size(); })); };
    if (round % 2) {
      named();
      by_hand();
    } else {
      by_hand();
      named();
    }
  }
  // The median round of each: a shared machine's stalls land in a few rounds.
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  double g = median(generated), h = median(hand);
  std::cout << "named query with a join, 1,000 rows (" << rounds << " rounds each, " << rows
            << " rows read), median round: named " << g * 1000 << " ms, hand-written " << h * 1000 << " ms, ratio "
            << g / h << "\n";
  return 0;
}
