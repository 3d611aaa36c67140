// Generated accessors against hand-written libpqxx doing the same work, and
// insert_many (COPY) against row-by-row inserts. Each pair runs interleaved in
// rounds, in one process against one server, and prints the ratio (machines are
// shared and noisy: the ratio, not the absolute time, is the figure).
//   bench_accessors CONNECTION [ROWS]
#include <chrono>
#include <iostream>
#include <pqxx/pqxx>

#include "bench.hpp"

using schemac::Uuid;
using Clock = std::chrono::steady_clock;

namespace {

// What a careful hand-written data layer does: prepared statements and field-by-field
// conversion into the same struct.
bench::Item hand_read(const pqxx::row& row) {
  bench::Item out;
  out.id = Uuid::parse(row[0].c_str());
  out.owner_id = Uuid::parse(row[1].c_str());
  out.title = row[2].c_str();
  if (!row[3].is_null()) out.body = std::string(row[3].c_str());
  out.amount = schemac::Decimal::parse(row[4].c_str());
  out.meta = schemac::Json::parse(row[5].c_str());
  out.created_at = schemac::parse_timestamp(row[6].c_str());
  return out;
}

std::optional<bench::Item> hand_find(pqxx::transaction_base& tx, const Uuid& id) {
  tx.conn().prepare("hand_find",
                    "SELECT id, owner_id, title, body, amount, meta, created_at FROM public.items WHERE id = $1::uuid");
  auto r = tx.exec_prepared("hand_find", id.str());
  if (r.empty()) return std::nullopt;
  return hand_read(r[0]);
}

bench::Item hand_insert(pqxx::transaction_base& tx, const Uuid& owner, const std::string& title) {
  tx.conn().prepare("hand_insert",
                    "INSERT INTO public.items (owner_id, title) VALUES ($1::uuid, $2::text) RETURNING id, owner_id, "
                    "title, body, amount, meta, created_at");
  return hand_read(tx.exec_prepared("hand_insert", owner.str(), title).at(0));
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
    std::cerr << "usage: bench_accessors CONNECTION [ROWS]\n";
    return 2;
  }
  int rows = argc > 2 ? std::stoi(argv[2]) : 20000;
  pqxx::connection db(argv[1]);
  bench::migrate(db);
  Uuid owner = Uuid::parse("00000000-0000-0000-0000-000000000001");

  // Seed rows to find.
  std::vector<Uuid> ids;
  {
    pqxx::work tx(db);
    for (int i = 0; i < 2000; ++i) {
      ids.push_back(bench::items::insert(tx, {.owner_id = owner, .title = "seed " + std::to_string(i)}).id);
    }
    tx.commit();
  }

  double gen_find = 0, hand_find_s = 0, gen_insert = 0, hand_insert_s = 0;
  const int rounds = 5;
  for (int round = 0; round < rounds; ++round) {
    pqxx::work tx(db);
    gen_find += seconds([&] {
      for (const auto& id : ids)
        if (!bench::items::find(tx, id)) throw std::runtime_error("lost a row");
    });
    hand_find_s += seconds([&] {
      for (const auto& id : ids)
        if (!hand_find(tx, id)) throw std::runtime_error("lost a row");
    });
    gen_insert += seconds([&] {
      for (int i = 0; i < 1000; ++i) {
        bench::items::insert(tx, {.owner_id = owner, .title = "generated " + std::to_string(i)});
      }
    });
    hand_insert_s += seconds([&] {
      for (int i = 0; i < 1000; ++i) hand_insert(tx, owner, "hand " + std::to_string(i));
    });
    tx.abort();
  }

  std::vector<bench::NewItem> batch;
  batch.reserve(rows);
  for (int i = 0; i < rows; ++i)
    batch.push_back({.owner_id = owner, .title = "bulk " + std::to_string(i), .amount = schemac::Decimal(i)});
  double copy = 0, row_by_row = 0;
  for (int round = 0; round < 2; ++round) {
    pqxx::work tx(db);
    copy += seconds([&] { bench::items::insert_many(tx, batch); });
    row_by_row += seconds([&] {
      for (const auto& n : batch) bench::items::insert(tx, n);
    });
    tx.abort();
  }

  std::cout << "find by primary key (" << rounds * ids.size() << " each): generated " << gen_find << " s, hand-written "
            << hand_find_s << " s, ratio " << gen_find / hand_find_s << "\n";
  std::cout << "insert returning the row (" << rounds * 1000 << " each): generated " << gen_insert
            << " s, hand-written " << hand_insert_s << " s, ratio " << gen_insert / hand_insert_s << "\n";
  std::cout << "insert_many (COPY) vs row-by-row insert (" << 2 * rows << " rows each): " << copy << " s vs "
            << row_by_row << " s, speed-up " << row_by_row / copy << "x\n";
  return 0;
}
