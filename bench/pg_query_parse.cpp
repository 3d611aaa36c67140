// Parses a SQL file with libpg_query (PostgreSQL's own parser) and prints the time
// it took in microseconds: the yardstick for schemac's own front end.
#include <pg_query.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: bench_pg_query_parse FILE.sql\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream text;
  text << in.rdbuf();
  std::string sql = text.str();
  auto start = std::chrono::steady_clock::now();
  PgQueryParseResult result = pg_query_parse(sql.c_str());
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
  bool ok = result.error == nullptr;
  if (!ok) std::cerr << "parse error: " << result.error->message << "\n";
  pg_query_free_parse_result(result);
  std::cout << us << "\n";
  return ok ? 0 : 1;
}
