// Helpers shared by the tests: compile in-memory sources, render diagnostics, find
// the schemas the tests walk over.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "driver/compile.hpp"

namespace schemac::test {

std::filesystem::path source_dir();

struct Compiled {
  LoadedSchema loaded;
  std::string diagnostics;  // rendered, as schemac prints them
  bool ok = false;
};

// One file named "test.schema".
Compiled compile_text(const std::string& text);
Compiled compile_files(const std::vector<std::pair<std::string, std::string>>& files);

// The first line of the rendered diagnostics ("test.schema:1:7: error: ...").
std::string first_line(const std::string& diagnostics);

// Every schema directory the suite knows: schemas/* and tests/golden/*/schema
// (those expected to compile), relative to the source directory.
std::vector<std::filesystem::path> valid_schema_dirs();

}  // namespace schemac::test
