// The whole desired state as DDL, in dependency order (`schemac sql`).
#pragma once

#include <string>

#include "model/schema.hpp"

namespace schemac::emit {

std::string full_state_sql(const model::Schema& schema);

// What a platform provides outside the migrations (declared roles, extern schemas,
// tables and functions), for a throwaway database: `schemac sql --externs`.
std::string platform_stub_sql(const model::Schema& schema);

// Relation names a query mentions (views, materialized views: dependency order).
bool query_mentions(const std::string& query, const model::QualifiedName& name);

}  // namespace schemac::emit
