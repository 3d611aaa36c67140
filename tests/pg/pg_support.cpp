#include "pg/pg_support.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>

#include "model/names.hpp"
#include "schemac/migration_file.hpp"
#include "schemac/migrator.hpp"
#include "support.hpp"

namespace schemac::test {

std::string fresh_database(const std::string& name) {
  REQUIRE(std::getenv("PGHOST") != nullptr);  // run through scripts/with-postgres.sh
  pqxx::connection admin("dbname=postgres");
  pqxx::nontransaction tx(admin);
  tx.exec("drop database if exists " + names::quote(name));
  tx.exec("create database " + names::quote(name));
  return "dbname=" + name;
}

namespace {
void run_phases(pqxx::connection& db, const std::string& sql, const std::string& verify) {
  auto phases = migration_file::phases(sql);
  for (std::size_t i = 0; i < phases.size(); ++i) {
    if (phases[i].transaction) {
      pqxx::work tx(db);
      tx.exec(phases[i].sql);
      if (i + 1 == phases.size()) tx.exec(verify);
      tx.commit();
      continue;
    }
    for (const auto& statement : runtime::split_statements(phases[i].sql)) {
      pqxx::nontransaction tx(db);
      tx.exec(statement);
    }
    if (i + 1 == phases.size() && !verify.empty()) {
      pqxx::work tx(db);
      tx.exec(verify);
      tx.commit();
    }
  }
}
}  // namespace

void run(pqxx::connection& db, const std::string& sql) { run_phases(db, sql, ""); }

void run_up(pqxx::connection& db, const std::string& up, const std::string& verify) { run_phases(db, up, verify); }

std::string rows(pqxx::connection& db, const std::string& table) {
  pqxx::work tx(db);
  std::string out;
  for (auto r : tx.exec("select row_to_json(x)::text from " + table + " x order by 1"))
    out += r[0].c_str() + std::string("\n");
  return out;
}

model::Schema compile_ok(const std::string& dir) {
  Diagnostics diags;
  auto loaded = compile_directory(source_dir() / dir, diags);
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  return loaded.model;
}

model::Schema single_node(model::Schema s) {
  for (auto& t : s.tables) t.distribution.reset();
  return s;
}

std::string value(pqxx::connection& db, const std::string& sql) {
  pqxx::work tx(db);
  auto r = tx.exec(sql);
  tx.commit();
  return r.at(0).at(0).is_null() ? "<null>" : r.at(0).at(0).c_str();
}

std::string migration_file(const std::string& example, const std::string& file) {
  return read_file(source_dir() / "generated" / example / "migrations" / file);
}

std::string report(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += "  " + p + "\n";
  return out;
}

}  // namespace schemac::test
