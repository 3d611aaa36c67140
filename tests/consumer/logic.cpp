#include "logic.hpp"

#include "shop.hpp"

namespace shop_logic {
std::string describe_paid() { return "paid is " + std::string(shop::to_string(shop::OrderStatus::paid)); }
}  // namespace shop_logic
