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
  std::uint32_t line_count() const { return static_cast<std::uint32_t>(line_starts_.size()); }

  // One past the last byte of the token that starts at `offset` (a word, a quoted
  // name or string, else one character): the range of a diagnostic that gives only
  // its start.
  std::uint32_t token_end(std::uint32_t offset) const;
  // `offset` and `end` made a range that stays on the first line of the span (a
  // diagnostic on a whole table underlines its first line, not the whole block).
  std::uint32_t clamp_to_line(std::uint32_t offset, std::uint32_t end) const;

  // Positions as the Language Server Protocol counts them: 0-based lines, columns
  // in UTF-16 code units.
  struct Utf16Position {
    std::uint32_t line = 0;
    std::uint32_t character = 0;
  };
  Utf16Position utf16(std::uint32_t offset) const;
  std::uint32_t offset_of(Utf16Position position) const;  // clamped to the line and the text

 private:
  std::string path_;
  std::string text_;
  std::vector<std::uint32_t> line_starts_;
};

// Offset of the first byte that is not valid UTF-8, or npos.
std::size_t find_invalid_utf8(std::string_view text);

}  // namespace schemac
