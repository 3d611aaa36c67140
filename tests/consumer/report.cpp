// A second program of the same project on the same generated namespace, linking
// the shop_logic library, which uses it too: one copy of the generated code.
#include <iostream>

#include "logic.hpp"
#include "shop.hpp"

int main() {
  std::cout << "report: " << shop::to_string(shop::OrderStatus::shipped) << ", " << shop_logic::describe_paid() << "\n";
  return 0;
}
