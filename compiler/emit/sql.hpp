// SQL helpers outside the planner: stand-ins for platform objects, and the
// relation names a query mentions (the full state itself is plan::full_state_sql).
#pragma once

#include <string>

#include "model/schema.hpp"

namespace schemac::emit {

// What a platform provides outside the migrations (declared roles, extern schemas,
// tables and functions), for a throwaway database: `schemac sql --externs`.
std::string platform_stub_sql(const model::Schema& schema);

}  // namespace schemac::emit
