#include "emit/cpp_names.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <set>

namespace schemac::emit {
namespace {

bool is_ascii_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

// The code point of the UTF-8 sequence at s[i] (advancing i past it); a byte that
// does not start a valid sequence stands for itself.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  std::uint32_t cp = len == 1 ? c : c & (0x7F >> len);
  if (len == 1 || i + len > s.size()) return ++i, c;
  for (std::size_t k = 1; k < len; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return ++i, c;
    cp = (cp << 6) | (cc & 0x3F);
  }
  i += len;
  return cp;
}

std::string hex(std::uint32_t cp, bool upper) {
  char buf[16];
  std::snprintf(buf, sizeof buf, upper ? "%04X" : "%04x", static_cast<unsigned>(cp));
  return buf;
}

// Macros a generated name must not be: predefined in GNU modes (linux, unix) or
// defined by the C and C++ headers the generated code includes.
const std::set<std::string, std::less<>>& macros() {
  static const std::set<std::string, std::less<>> names = {
      "linux",  "unix",     "i386",   "assert",   "errno",   "stdin",   "stdout",   "stderr",   "offsetof", "setjmp",
      "va_arg", "va_start", "va_end", "va_copy",  "major",   "minor",   "makedev",  "NULL",     "EOF",      "BUFSIZ",
      "EDOM",   "ERANGE",   "EILSEQ", "CHAR_BIT", "INT_MAX", "INT_MIN", "SIZE_MAX", "RAND_MAX", "TRUE",     "FALSE"};
  return names;
}

// A macro of the headers, or an errno constant (ENOENT, EINVAL, ...: <cerrno> comes
// in through <string>).
bool is_macro(std::string_view w) {
  if (macros().count(w) > 0) return true;
  return w.size() >= 2 && w[0] == 'E' &&
         std::all_of(w.begin() + 1, w.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

}  // namespace

bool is_reserved_name(std::string_view w) {
  static const std::set<std::string, std::less<>> reserved = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch", "char",
      "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr", "constinit",
      "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete", "do", "double",
      "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if",
      "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or",
      "or_eq", "private", "protected", "public", "register", "reinterpret_cast", "requires", "return", "short",
      "signed", "sizeof", "static", "static_assert", "static_cast", "struct", "switch", "template", "this",
      "thread_local", "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual",
      "void", "volatile", "wchar_t", "while", "xor", "xor_eq", "final", "override", "import", "module",
      // namespaces the generated code names
      "std", "schemac", "pqxx",
      // names the generated code itself uses: in the namespace, in a table's, in functions
      "migrations", "migrate", "check_schema_version", "schema_version", "from_string", "to_string", "text_of", "get",
      "record_members", "tx", "row", "rows", "r", "out", "find", "insert", "insert_many", "update", "remove", "count"};
  return reserved.count(w) > 0 || is_macro(w);
}

std::string identifier(std::string_view name) {
  std::string out;
  bool separate = false;  // after a _uXXXX: the next letter or digit gets a '_' first
  for (std::size_t i = 0; i < name.size();) {
    auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      ++i;
      bool keep = is_ascii_alnum(c) || c == '_';
      if (keep && c != '_' && separate) out += '_';
      separate = false;
      if (!keep || c == '_') {
        if (out.empty() || out.back() != '_') out += '_';
      } else {
        out += static_cast<char>(c);
      }
      continue;
    }
    std::uint32_t cp = next_code_point(name, i);
    if (!out.empty() && out.back() != '_') out += '_';
    out += "u" + hex(cp, false);
    separate = true;
  }
  if (out.empty()) out = "_";
  if (out.size() >= 2 && out[0] == '_' && is_upper(static_cast<unsigned char>(out[1]))) out = out.substr(1) + "_";
  if (is_digit(static_cast<unsigned char>(out[0]))) out = "_" + out;
  if (is_reserved_name(out)) out += "_";
  return out;
}

std::string unique_name(const std::string& name, std::set<std::string>& used) {
  std::string stem = name;
  while (stem.size() > 1 && stem.back() == '_') stem.pop_back();
  std::string out = name;
  for (int n = 1; used.count(out); ++n)
    out = stem == "_" ? "_" + std::to_string(n + 1) : n == 1 ? stem + "_" : stem + "_" + std::to_string(n);
  used.insert(out);
  return out;
}

std::string type_name(std::string_view name) {
  std::string out;
  bool up = true;
  for (std::size_t i = 0; i < name.size();) {
    auto c = static_cast<unsigned char>(name[i]);
    if (c >= 0x80) {
      out += "U" + hex(next_code_point(name, i), true);
      up = true;
      continue;
    }
    ++i;
    if (!is_ascii_alnum(c)) {
      up = true;
      continue;
    }
    out += up && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : static_cast<char>(c);
    up = false;
  }
  if (out.empty() || is_digit(static_cast<unsigned char>(out[0]))) out = "T" + out;
  if (is_macro(out)) out += "_";
  return out;
}

static bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string singular(std::string word) {
  if (ends_with(word, "ies") && word.size() > 4) return word.substr(0, word.size() - 3) + "y";
  for (const char* tail : {"sses", "shes", "ches", "xes", "zes"})
    if (ends_with(word, tail)) return word.substr(0, word.size() - 2);
  if (ends_with(word, "s") && !ends_with(word, "ss") && !ends_with(word, "us") && !ends_with(word, "is") &&
      word.size() > 2)
    return word.substr(0, word.size() - 1);
  return word;
}

std::string string_literal(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '?':
        out += i + 1 < text.size() && text[i + 1] == '?' ? "?\\" : "?";
        break;
      case '\n':
        out += "\\n\"";
        if (i + 1 < text.size())
          out += "\n    \"";
        else
          return out;
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string comment_text(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if ((c < 0x20 && c != '\t') || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else if (c == '*' && i + 1 < text.size() && text[i + 1] == '/') {
      out += "*\\";
    } else if (c == '?' && i + 1 < text.size() && text[i + 1] == '?') {
      out += "?\\";
    } else {
      out += static_cast<char>(c);
    }
  }
  // A backslash before the end of the line (even with blanks between) splices the
  // next line into the comment.
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
  if (!out.empty() && out.back() == '\\') {
    out.pop_back();
    out += "\\x5c";
  }
  return out;
}

}  // namespace schemac::emit
