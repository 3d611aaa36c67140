#include "schemac/migration_file.hpp"

namespace schemac::migration_file {

std::vector<std::string> transactions(const std::string& up) {
  std::vector<std::string> parts;
  std::string marker = "\n" + std::string(commit_marker) + "\n";
  std::size_t begin = 0;
  for (std::size_t at = up.find(marker); at != std::string::npos; at = up.find(marker, begin)) {
    parts.push_back(up.substr(begin, at + 1 - begin));
    begin = at + marker.size();
  }
  parts.push_back(up.substr(begin));
  return parts;
}

}  // namespace schemac::migration_file
