// A library of the consumer project that uses the generated namespace itself.
#pragma once

#include <string>

namespace shop_logic {
std::string describe_paid();
}
