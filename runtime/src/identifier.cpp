#include "schemac/version.hpp"
namespace schemac::runtime {
int version() { return SCHEMAC_RUNTIME_VERSION; }
}  // namespace schemac::runtime
