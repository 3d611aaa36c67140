// Identifier quoting and PostgreSQL's default names.
#include "model/names.hpp"

#include <catch2/catch.hpp>
#include <set>

using namespace schemac;

TEST_CASE("identifiers are quoted exactly when PostgreSQL needs it") {
  CHECK(names::quote("users") == "users");
  CHECK(names::quote("user_2") == "user_2");
  CHECK(names::quote("_x") == "_x");
  CHECK(names::quote("user") == "\"user\"");    // reserved
  CHECK(names::quote("order") == "\"order\"");  // reserved
  CHECK(names::quote("date") == "date");        // unreserved keyword: fine bare
  CHECK(names::quote("Users") == "\"Users\"");  // upper case
  CHECK(names::quote("Order Items") == "\"Order Items\"");
  CHECK(names::quote("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(names::quote("2fast") == "\"2fast\"");
  CHECK(names::quote("naïve") == "\"naïve\"");
}

TEST_CASE("makeObjectName truncates the longer part to fit 63 bytes") {
  CHECK(names::make_object_name("t", "a_b", "idx") == "t_a_b_idx");
  CHECK(names::make_object_name("t", "", "pkey") == "t_pkey");
  std::string long_table(60, 't');
  std::string name = names::make_object_name(long_table, "col", "fkey");
  CHECK(name.size() == 63);
  CHECK(name == std::string(54, 't') + "_col_fkey");
  std::string a(40, 'a'), b(40, 'b');
  CHECK(names::make_object_name(a, b, "key") == std::string(29, 'a') + "_" + std::string(29, 'b') + "_key");
}

TEST_CASE("choose_name adds a number to the label on conflict") {
  std::set<std::string> used = {"t_a_idx"};
  CHECK(names::choose_name("t", "a", "idx", used) == "t_a_idx1");
  CHECK(names::choose_name("t", "a", "idx", used) == "t_a_idx2");
  CHECK(used.count("t_a_idx2") == 1);
}
