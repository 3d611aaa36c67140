// `schemac gen cpp`: row structs and typed query helpers for a schema, rendered from
// the templates in templates/ (embedded into the binary at build time). The output
// links against the runtime library (schemac/pqxx.hpp, schemac/migrator.hpp) and
// libpqxx only.
#pragma once

#include <string>
#include <vector>

#include "model/schema.hpp"
#include "schemac/migrations.hpp"

namespace schemac::emit {

struct CppOptions {
  std::string ns;                              // C++ namespace; also names the files NS.hpp / NS.cpp
  std::string source;                          // what the header names as its source (the schema directory's name)
  std::vector<runtime::Migration> migrations;  // embedded with --migrations
};

struct CppFiles {
  std::string header, source;
};

// Throws std::invalid_argument when the namespace is not a C++ identifier.
CppFiles generate_cpp(const model::Schema& schema, const CppOptions& options);

// Words C++ reserves: a generated name that is one gets a trailing underscore.
bool is_cpp_keyword(const std::string& word);

}  // namespace schemac::emit
