// Operator classes an index element may name: PostgreSQL 15's own and those of the
// extensions Debian packages with it (pg_trgm, btree_gist, btree_gin, citext, hstore,
// ltree, cube, intarray, isn). Taken from the server's catalog once (pg_opclass, with
// pg_depend for the extension); a PostgreSQL test compares the table with a live one.
#pragma once

#include <string>
#include <vector>

namespace schemac::model {

struct OperatorClass {
  const char* name;
  const char* method;     // btree, hash, gist, gin, spgist, brin
  const char* extension;  // "" when built in
};

const std::vector<OperatorClass>& operator_classes();
// The operator classes of that name (one per index method at most).
std::vector<const OperatorClass*> operator_classes_named(const std::string& name);

}  // namespace schemac::model
