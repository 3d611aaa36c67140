// `schemac gen cpp`: row structs and typed query helpers for a schema, rendered from
// the templates in templates/ (embedded into the binary at build time). The output
// links against the runtime library (schemac/pqxx.hpp, schemac/migrator.hpp) and
// libpqxx only. How names become C++ is emit/cpp_names.hpp.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostics.hpp"
#include "model/schema.hpp"
#include "schemac/migrations.hpp"

namespace schemac::emit {

struct CppOptions {
  std::string ns;                              // C++ namespace; also names the files NS.hpp, NS.cpp, ...
  std::string source;                          // what the files name as their source (the schema directory's name)
  std::vector<runtime::Migration> migrations;  // embedded with --migrations
  // A schema with more tables and views than this is split: NS.cpp keeps the enums,
  // functions and migrations, and NS_1.cpp, NS_2.cpp, ... hold this many each.
  std::size_t tables_per_file = 100;
};

// Receives the generated files, each as pieces of text appended in order (several
// files are open at once: the header grows with each part).
using CppSink = std::function<void(const std::string& file, std::string_view text)>;

// The list of files a generation writes (NS.sources: NS.hpp, NS.cpp, NS_1.cpp, ...,
// one per line), itself written last, so that a build can read what to compile.
std::string cpp_sources_name(const std::string& ns);

// Generates the files into `sink`. Two schema objects whose C++ names would be the
// same are errors in `diags` (at the second, with a note at the first), and then
// nothing is written. Throws std::invalid_argument when the namespace is not a C++
// identifier.
void generate_cpp(const model::Schema& schema, const CppOptions& options, Diagnostics& diags, const CppSink& sink);

// The same, in memory: every file's text by name (tests).
std::map<std::string, std::string> generate_cpp(const model::Schema& schema, const CppOptions& options,
                                                Diagnostics& diags);

}  // namespace schemac::emit
