// The migrations of a directory, as files: what `schemac gen cpp --migrations` embeds
// and what the migrator (schemac/migrator.hpp) applies. No database here.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace schemac::runtime {

struct Migration {
  int version = 0;
  std::string name;  // "0002_personalized_quests"
  std::string up, down, verify;
  // The up file's first line is `-- schemac:no-transaction`.
  bool no_transaction() const;
};

// The migrations of a directory (NNNN_name.up.sql with its .down.sql and
// .verify.sql), by version. Throws std::runtime_error for an unreadable directory,
// a missing companion file or a repeated version.
std::vector<Migration> load_migrations(const std::filesystem::path& dir);

}  // namespace schemac::runtime
