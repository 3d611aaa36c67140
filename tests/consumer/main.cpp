// Uses the generated accessors; with a connection string as its argument it also
// inserts and reads back a product.
#include <iostream>

#include "shop.hpp"

int main(int argc, char** argv) {
  // Designated initializers: a required column (sku, name, price) left out would not compile.
  shop::NewProduct p{.sku = "SKU-1",
                     .name = "Kettle",
                     .price = schemac::Decimal::parse("19.99"),
                     .tags = std::vector<std::string>{"kitchen"}};
  std::cout << "order status " << shop::to_string(shop::OrderStatus::paid) << "\n";
  if (argc < 2) return 0;
  pqxx::connection db(argv[1]);
  pqxx::work tx(db);
  auto stored = shop::products::insert(tx, p);
  std::cout << "product " << stored.id << " " << stored.price.str() << " " << shop::products::count(tx) << "\n";
  auto order = shop::orders::insert(
      tx, {.product_id = stored.id, .ship_to = shop::Address{"1 Main St, \"Rear\"", "Springfield"}});
  std::cout << "ship to " << order.ship_to->street.value_or("?") << ", " << order.ship_to->city.value_or("?") << "\n";
  return 0;
}
