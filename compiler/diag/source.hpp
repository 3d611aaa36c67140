// Source files and the line table that turns byte offsets into line:column.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace schemac {

struct LineColumn {
  std::uint32_t line = 1;    // 1-based
  std::uint32_t column = 1;  // 1-based, in characters (UTF-8 code points)
};

class SourceFile {
 public:
  SourceFile(std::string display_path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  LineColumn locate(std::uint32_t offset) const;
  std::string_view line_text(std::uint32_t line) const;  // without the newline

 private:
  std::string path_;
  std::string text_;
  std::vector<std::uint32_t> line_starts_;
};

// Offset of the first byte that is not valid UTF-8, or npos.
std::size_t find_invalid_utf8(std::string_view text);

}  // namespace schemac
