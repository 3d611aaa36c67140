// The front end as one call: read a schema directory, parse every file, resolve.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostics.hpp"
#include "model/schema.hpp"
#include "syntax/parser.hpp"

namespace schemac {

struct LoadedSchema {
  std::vector<syntax::ParsedFile> files;
  std::vector<std::filesystem::path> paths;  // on disk, parallel to files
  model::Schema model;
};

// Error that is the caller's or the machine's, not the schema's (exit code 2).
struct EnvironmentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Every *.schema file of `dir`, in name order, shown in diagnostics as `dir/name`.
// Throws EnvironmentError when the directory cannot be read.
std::vector<std::filesystem::path> schema_files(const std::filesystem::path& dir);

// Parses and resolves the directory. Syntax errors stop before resolution (so one
// typo does not cause a cascade); the result is meaningful when !diags.has_errors().
LoadedSchema compile_directory(const std::filesystem::path& dir, Diagnostics& diags);

// Parses and resolves in-memory files (name, text): for tests and the fuzzer.
LoadedSchema compile_sources(const std::vector<std::pair<std::string, std::string>>& sources, Diagnostics& diags);

// Resolves and checks files parsed already, in `diags` in the same order and without
// syntax errors (the language server re-parses only the files that changed).
void resolve_parsed(LoadedSchema& loaded, Diagnostics& diags);

// A schema schemac wrote itself (a snapshot): parsed and resolved; of its embedded
// SQL only the view queries are parsed, for what the planner reads of them.
LoadedSchema compile_own_output(const std::string& name, const std::string& text, Diagnostics& diags);

std::string read_file(const std::filesystem::path& path);
// A .schema file's text. A UTF-8 byte order mark (some Windows editors write one) is
// not part of it: positions count from after it, as editors show them.
std::string read_schema_file(const std::filesystem::path& path);
// Writes through a temporary file and a rename, so a reader never sees half a file.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace schemac
