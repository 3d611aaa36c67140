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

// The previous state as `schemac plan` reads it: `state`'s snapshot text, read back
// the way plan reads its own snapshot (without checking its SQL again).
model::Schema snapshot_of(const model::Schema& state);

// The first line of the rendered diagnostics ("test.schema:1:7: error: ...").
std::string first_line(const std::string& diagnostics);

// The first line of the diagnostics of `text` (one file, "test.schema"), which must
// not compile.
std::string error_of(const std::string& text);

// Every schema directory the suite knows: schemas/* and tests/golden/*/schema
// (those expected to compile), relative to the source directory.
std::vector<std::filesystem::path> valid_schema_dirs();

// A migration golden case planned for real: v1 as migration 0001 into a scratch
// migrations directory, then v2 as 0002 (through the snapshot, as `schemac plan`).
struct PlannedVersions {
  std::string v1_up, v1_verify;  // 0001
  std::string up, down, verify;  // 0002 ("" when v1 and v2 do not differ)
  std::string errors;            // diagnostics when planning is refused
  model::Schema v1, v2;
};
PlannedVersions plan_versions(const std::filesystem::path& case_dir);

}  // namespace schemac::test
