// One sink for every pass: it collects all diagnostics of a run (not just the first),
// with notes such as "first declared here", and prints them like a C++ compiler.
#pragma once

#include <cstdint>
#include <deque>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "diag/source.hpp"

namespace schemac {

enum class Severity { error, warning, note };
const char* severity_name(Severity s);  // "error", "warning", "note"

// A place in one of the sink's files: a range of bytes.
struct Location {
  int file = -1;  // index into Diagnostics::files(); -1 = no location
  std::uint32_t offset = 0;
  std::uint32_t end = 0;  // one past the last byte; <= offset: the token that starts at offset
};

struct Diagnostic {
  Severity severity = Severity::error;
  Location where;
  std::string message;
  std::vector<Diagnostic> notes;
  // A lint rule's code (S101, ...) or the kind of error, from the pass that found it
  // (syntax, schema, sql, plan): SARIF's rule id, the language server's code.
  std::string code;
};

// The byte range [begin, end) a diagnostic's location covers in its file: the token at
// its start when it gives none; a span over several lines is cut to its first.
struct Range {
  std::uint32_t begin = 0, end = 0;
};

// Levenshtein distance, for suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a typo (at most two
// edits and one per three letters: none for a single letter; ties go to the first),
// or "" (also when `word` is a candidate).
std::string closest(std::string_view word, const std::vector<std::string>& candidates);
// "; did you mean 'X'?" for the closest candidate, or "" when none is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

class Diagnostics {
 public:
  // Files are kept in a deque so that references stay valid as files are added.
  int add_file(std::string display_path, std::string text);
  const SourceFile& file(int id) const { return files_.at(static_cast<std::size_t>(id)); }
  int file_count() const { return static_cast<int>(files_.size()); }

  // The code given to the errors and warnings reported from now on (one per pass).
  void set_kind(std::string kind) { kind_ = std::move(kind); }

  Diagnostic& error(Location where, std::string message);
  Diagnostic& warning(Location where, std::string message);
  static void note(Diagnostic& d, Location where, std::string message);
  // A diagnostic made elsewhere (its locations already in this sink's files).
  Diagnostic& add(Diagnostic d);

  bool has_errors() const { return error_count_ > 0; }
  std::size_t error_count() const { return error_count_; }
  const std::vector<Diagnostic>& all() const { return list_; }

  Range range(const Location& where) const;
  // Diagnostics in order of file, then offset (stable).
  std::vector<const Diagnostic*> sorted() const;

  // As text, like a C++ compiler; with `color`, severities and carets in ANSI colours.
  void print(std::ostream& out, bool color = false) const;
  std::string render() const;

 private:
  void print_one(std::ostream& out, const Diagnostic& d, bool color) const;

  std::deque<SourceFile> files_;
  std::vector<Diagnostic> list_;
  std::size_t error_count_ = 0;
  std::string kind_;
};

}  // namespace schemac
