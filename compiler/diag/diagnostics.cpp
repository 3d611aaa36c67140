#include "diag/diagnostics.hpp"

#include <algorithm>
#include <sstream>

namespace schemac {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and swaps of two
  // neighbouring letters ("nmae" is one edit from "name") each count one. Three rows.
  std::vector<std::size_t> before(b.size() + 1), above(b.size() + 1), row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) above[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      row[j] = std::min({above[j] + 1, row[j - 1] + 1, above[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[j] = std::min(row[j], before[j - 2] + 1);
    }
    std::swap(before, above);
    std::swap(above, row);
  }
  return above[b.size()];
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = 3;    // at most two edits ...
  if (word.size() > 64) return "";  // not a typo of a name (PostgreSQL's names have at most 63 bytes)
  for (const auto& c : candidates) {
    if (c == word) return "";                                                // known: nothing to suggest
    if (c.size() > word.size() + 2 || word.size() > c.size() + 2) continue;  // more than two edits apart
    std::size_t d = edit_distance(word, c);
    if (d < best_distance && 3 * d <= word.size() + 1) best_distance = d, best = c;  // ... and one per three letters
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string near = closest(word, candidates);
  return near.empty() ? "" : "; did you mean '" + near + "'?";
}

int Diagnostics::add_file(std::string display_path, std::string text) {
  files_.emplace_back(std::move(display_path), std::move(text));
  return static_cast<int>(files_.size()) - 1;
}

Diagnostic& Diagnostics::error(Location where, std::string message) {
  ++error_count_;
  list_.push_back({Severity::error, where, std::move(message), {}, kind_});
  return list_.back();
}

Diagnostic& Diagnostics::warning(Location where, std::string message) {
  list_.push_back({Severity::warning, where, std::move(message), {}, kind_});
  return list_.back();
}

void Diagnostics::note(Diagnostic& d, Location where, std::string message) {
  d.notes.push_back({Severity::note, where, std::move(message), {}, {}});
}

Diagnostic& Diagnostics::add(Diagnostic d) {
  if (d.severity == Severity::error) ++error_count_;
  list_.push_back(std::move(d));
  return list_.back();
}

Range Diagnostics::range(const Location& where) const {
  if (where.file < 0 || where.file >= file_count()) return {};
  const SourceFile& f = file(where.file);
  auto begin = std::min<std::uint32_t>(where.offset, static_cast<std::uint32_t>(f.text().size()));
  return {begin, f.clamp_to_line(begin, where.end)};
}

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::note:
      return "note";
  }
  return "error";
}

static const char* severity_color(Severity s) {
  switch (s) {
    case Severity::error:
      return "\033[1;31m";
    case Severity::warning:
      return "\033[1;35m";
    case Severity::note:
      return "\033[1;36m";
  }
  return "";
}

void Diagnostics::print_one(std::ostream& out, const Diagnostic& d, bool color) const {
  const char* bold = color ? "\033[1m" : "";
  const char* reset = color ? "\033[0m" : "";
  const char* severity = color ? severity_color(d.severity) : "";
  const char* caret = color ? "\033[1;32m" : "";
  if (d.where.file < 0 || d.where.file >= file_count()) {
    out << bold << "schemac: " << reset << severity << severity_name(d.severity) << ": " << reset << bold << d.message
        << reset << '\n';
  } else {
    const SourceFile& f = file(d.where.file);
    LineColumn lc = f.locate(d.where.offset);
    out << bold << f.path() << ':' << lc.line << ':' << lc.column << ": " << reset << severity
        << severity_name(d.severity) << ": " << reset << bold << d.message << reset << '\n';
    std::string_view line = f.line_text(lc.line);
    out << "  " << line << '\n' << "  ";
    // A space (or a tab, so that it lines up) per character before the caret, then a
    // tilde per character of the rest of the range on this line.
    Range r = range(d.where);
    auto line_start = static_cast<std::size_t>(line.data() - f.text().data());
    std::size_t caret_at = std::min(line.size(), r.begin - line_start);
    std::size_t last = std::min(line.size(), r.end - line_start);
    auto lead = [&](std::size_t i) { return (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80; };
    for (std::size_t i = 0; i < caret_at; ++i)
      if (lead(i)) out << (line[i] == '\t' ? '\t' : ' ');
    out << caret << '^';
    for (std::size_t i = caret_at + 1; i < last; ++i)
      if (lead(i)) out << '~';
    out << reset << '\n';
  }
  for (const auto& n : d.notes) print_one(out, n, color);
}

std::vector<const Diagnostic*> Diagnostics::sorted() const {
  std::vector<const Diagnostic*> out;
  for (const auto& d : list_) out.push_back(&d);
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic* a, const Diagnostic* b) {
    if (a->where.file != b->where.file) return a->where.file < b->where.file;
    return a->where.offset < b->where.offset;
  });
  return out;
}

void Diagnostics::print(std::ostream& out, bool color) const {
  for (const auto* d : sorted()) print_one(out, *d, color);
}

std::string Diagnostics::render() const {
  std::ostringstream s;
  print(s);
  return s.str();
}

}  // namespace schemac
