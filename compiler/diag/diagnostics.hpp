// One sink for every pass: it collects all diagnostics of a run (not just the first),
// with notes such as "first declared here", and prints them like a C++ compiler.
#pragma once

#include <cstdint>
#include <deque>
#include <ostream>
#include <string>
#include <vector>

#include "diag/source.hpp"

namespace schemac {

enum class Severity { error, warning, note };

// A place in one of the sink's files.
struct Location {
  int file = -1;  // index into Diagnostics::files(); -1 = no location
  std::uint32_t offset = 0;
};

struct Diagnostic {
  Severity severity = Severity::error;
  Location where;
  std::string message;
  std::vector<Diagnostic> notes;
};

class Diagnostics {
 public:
  // Files are kept in a deque so that references stay valid as files are added.
  int add_file(std::string display_path, std::string text);
  const SourceFile& file(int id) const { return files_.at(static_cast<std::size_t>(id)); }
  int file_count() const { return static_cast<int>(files_.size()); }

  Diagnostic& error(Location where, std::string message);
  Diagnostic& warning(Location where, std::string message);
  static void note(Diagnostic& d, Location where, std::string message);

  bool has_errors() const { return error_count_ > 0; }
  std::size_t error_count() const { return error_count_; }
  const std::vector<Diagnostic>& all() const { return list_; }

  // Diagnostics in order of file, then offset (stable), as text.
  void print(std::ostream& out) const;
  std::string render() const;

 private:
  void print_one(std::ostream& out, const Diagnostic& d) const;

  std::deque<SourceFile> files_;
  std::vector<Diagnostic> list_;
  std::size_t error_count_ = 0;
};

}  // namespace schemac
