#include "schemac/migration_file.hpp"

namespace schemac::migration_file {

namespace {

// Whether `sql` holds more than blank lines and `--` comment lines.
bool has_statement(std::string_view sql) {
  std::size_t begin = 0;
  while (begin < sql.size()) {
    std::size_t end = sql.find('\n', begin);
    if (end == std::string_view::npos) end = sql.size();
    std::string_view line = sql.substr(begin, end - begin);
    std::size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line.substr(first, 2) != "--") return true;
    begin = end + 1;
  }
  return false;
}

}  // namespace

std::vector<Phase> phases(const std::string& text) {
  std::string_view whole(text);
  if (whole.rfind(no_transaction_marker, 0) == 0 &&
      (whole.size() == no_transaction_marker.size() || whole[no_transaction_marker.size()] == '\n'))
    return {Phase{false, text}};  // a whole file outside a transaction (written by hand)
  std::vector<Phase> out;
  Phase current;
  bool marked = false;  // a marker was seen
  std::size_t begin = 0;
  for (;;) {
    std::size_t end = whole.find('\n', begin);
    std::string_view line = whole.substr(begin, (end == std::string_view::npos ? whole.size() : end) - begin);
    bool commit = line == commit_marker, outside = line == outside_transaction_marker;
    if (commit || outside) {
      // What precedes the first marker is a phase only if it holds a statement.
      if (marked || has_statement(current.sql)) out.push_back(std::move(current));
      current = Phase{commit, {}};
      marked = true;
    } else {
      current.sql.append(line);
      if (end != std::string_view::npos) current.sql += '\n';
    }
    if (end == std::string_view::npos) break;
    begin = end + 1;
  }
  out.push_back(std::move(current));
  return out;
}

}  // namespace schemac::migration_file
