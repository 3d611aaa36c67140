#include "diag/diagnostics.hpp"

#include <algorithm>
#include <sstream>

namespace schemac {

int Diagnostics::add_file(std::string display_path, std::string text) {
  files_.emplace_back(std::move(display_path), std::move(text));
  return static_cast<int>(files_.size()) - 1;
}

Diagnostic& Diagnostics::error(Location where, std::string message) {
  ++error_count_;
  list_.push_back({Severity::error, where, std::move(message), {}});
  return list_.back();
}

Diagnostic& Diagnostics::warning(Location where, std::string message) {
  list_.push_back({Severity::warning, where, std::move(message), {}});
  return list_.back();
}

void Diagnostics::note(Diagnostic& d, Location where, std::string message) {
  d.notes.push_back({Severity::note, where, std::move(message), {}});
}

static const char* severity_name(Severity s) {
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

void Diagnostics::print_one(std::ostream& out, const Diagnostic& d) const {
  if (d.where.file < 0 || d.where.file >= file_count()) {
    out << "schemac: " << severity_name(d.severity) << ": " << d.message << '\n';
  } else {
    const SourceFile& f = file(d.where.file);
    LineColumn lc = f.locate(d.where.offset);
    out << f.path() << ':' << lc.line << ':' << lc.column << ": " << severity_name(d.severity) << ": " << d.message
        << '\n';
    std::string_view line = f.line_text(lc.line);
    out << "  " << line << '\n' << "  ";
    // Keep tabs so that the caret lines up with the source line.
    std::uint32_t col = 1;
    for (std::size_t i = 0; i < line.size() && col < lc.column; ++i) {
      auto c = static_cast<unsigned char>(line[i]);
      if ((c & 0xC0) == 0x80) continue;
      out << (line[i] == '\t' ? '\t' : ' ');
      ++col;
    }
    out << "^\n";
  }
  for (const auto& n : d.notes) print_one(out, n);
}

void Diagnostics::print(std::ostream& out) const {
  std::vector<const Diagnostic*> sorted;
  for (const auto& d : list_) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    if (a->where.file != b->where.file) return a->where.file < b->where.file;
    return a->where.offset < b->where.offset;
  });
  for (const auto* d : sorted) print_one(out, *d);
}

std::string Diagnostics::render() const {
  std::ostringstream s;
  print(s);
  return s.str();
}

}  // namespace schemac
