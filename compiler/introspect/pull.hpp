// `schemac pull`: a model read from a database as .schema files in canonical form.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "model/schema.hpp"

namespace schemac::introspect {

// (file name, text): `database.schema` for the roles, extensions, schemas, extern
// types and default privileges of every schema, then one `NAME.schema` per database
// schema with its objects. Printed by the `fmt` printer, so `fmt` leaves them alone.
std::vector<std::pair<std::string, std::string>> pull_files(const model::Schema& schema);

}  // namespace schemac::introspect
