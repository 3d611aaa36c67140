#include "diag/source.hpp"

#include <algorithm>

namespace schemac {

SourceFile::SourceFile(std::string display_path, std::string text)
    : path_(std::move(display_path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (std::uint32_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
}

LineColumn SourceFile::locate(std::uint32_t offset) const {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  auto line = static_cast<std::uint32_t>(it - line_starts_.begin());
  std::uint32_t start = line_starts_[line - 1];
  std::uint32_t column = 1;
  for (std::uint32_t i = start; i < offset; ++i)
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;  // count code points
  return {line, column};
}

std::string_view SourceFile::line_text(std::uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  std::uint32_t start = line_starts_[line - 1];
  std::uint32_t end = line < line_starts_.size() ? line_starts_[line] - 1 : static_cast<std::uint32_t>(text_.size());
  std::string_view view(text_.data() + start, end - start);
  if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
  return view;
}

static bool is_word_byte(unsigned char c) {
  return c >= 0x80 || c == '_' || c == '$' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

std::uint32_t SourceFile::token_end(std::uint32_t offset) const {
  auto size = static_cast<std::uint32_t>(text_.size());
  if (offset >= size) return size;
  auto at = [&](std::uint32_t i) { return static_cast<unsigned char>(text_[i]); };
  std::uint32_t i = offset;
  unsigned char c = at(i);
  if (c == '"' || c == '\'') {  // a quoted name or a string: to its closing quote ("" and '' inside)
    for (++i; i < size && text_[i] != '\n'; ++i) {
      if (at(i) != c) continue;
      if (i + 1 < size && at(i + 1) == c) {
        ++i;
        continue;
      }
      return i + 1;
    }
    return i;
  }
  if (c == '\n' || c == '\r') return offset;
  if (is_word_byte(c)) {
    while (i < size && is_word_byte(at(i))) ++i;
    return i;
  }
  ++i;  // one character (its UTF-8 continuation bytes with it)
  while (i < size && (at(i) & 0xC0) == 0x80) ++i;
  return i;
}

std::uint32_t SourceFile::clamp_to_line(std::uint32_t offset, std::uint32_t end) const {
  auto size = static_cast<std::uint32_t>(text_.size());
  offset = std::min(offset, size);
  if (end <= offset) return token_end(offset);
  end = std::min(end, size);
  auto newline = text_.find('\n', offset);
  if (newline != std::string::npos && newline < end) {
    end = static_cast<std::uint32_t>(newline);
    while (end > offset && (text_[end - 1] == '\r' || text_[end - 1] == ' ' || text_[end - 1] == '\t')) --end;
    if (end == offset) return token_end(offset);
  }
  return end;
}

SourceFile::Utf16Position SourceFile::utf16(std::uint32_t offset) const {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  auto line = static_cast<std::uint32_t>(it - line_starts_.begin()) - 1;
  std::uint32_t units = 0;
  for (std::uint32_t i = line_starts_[line]; i < offset; ++i) {
    auto c = static_cast<unsigned char>(text_[i]);
    if ((c & 0xC0) == 0x80) continue;
    units += (c & 0xF8) == 0xF0 ? 2 : 1;  // a 4-byte sequence is a surrogate pair
  }
  return {line, units};
}

std::uint32_t SourceFile::offset_of(Utf16Position position) const {
  if (position.line >= line_starts_.size()) return static_cast<std::uint32_t>(text_.size());
  std::uint32_t i = line_starts_[position.line];
  std::uint32_t line_end = position.line + 1 < line_starts_.size() ? line_starts_[position.line + 1] - 1
                                                                   : static_cast<std::uint32_t>(text_.size());
  std::uint32_t units = 0;
  while (i < line_end && units < position.character) {
    auto c = static_cast<unsigned char>(text_[i]);
    units += (c & 0xF8) == 0xF0 ? 2 : 1;
    ++i;
    while (i < line_end && (static_cast<unsigned char>(text_[i]) & 0xC0) == 0x80) ++i;
  }
  return i;
}

std::size_t find_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    std::uint32_t min;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      min = 0x10000;
    } else
      return i;
    if (i + len > s.size()) return i;
    std::uint32_t cp = c & (0xFF >> (len + 1));
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

}  // namespace schemac
