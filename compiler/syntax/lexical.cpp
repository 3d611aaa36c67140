#include "syntax/lexical.hpp"

#include <cstring>
#include <string_view>

namespace schemac::syntax {

static bool ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
static bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }

const char* scan_dollar_open(const char* first, const char* last, std::string& tag) {
  if (first == last || *first != '$') return nullptr;
  const char* p = first + 1;
  if (p != last && *p == '$') {
    tag.clear();
    return p + 1;
  }
  if (p == last || !ident_start(*p)) return nullptr;
  while (p != last && ident_char(*p)) ++p;
  if (p == last || *p != '$') return nullptr;
  tag.assign(first + 1, p);
  return p + 1;
}

const char* scan_string(const char* first, const char* last, std::string& error) {
  const char* p = first + 1;
  while (p != last) {
    if (*p == '\'') {
      if (p + 1 != last && p[1] == '\'') {
        p += 2;
        continue;
      }
      return p + 1;
    }
    ++p;
  }
  error = "unterminated string literal";
  return nullptr;
}

const char* scan_quoted_ident(const char* first, const char* last, std::string& error) {
  const char* p = first + 1;
  while (p != last) {
    if (*p == '"') {
      if (p + 1 != last && p[1] == '"') {
        p += 2;
        continue;
      }
      return p + 1;
    }
    ++p;
  }
  error = "unterminated quoted identifier";
  return nullptr;
}

const char* scan_group(const char* first, const char* last, std::string& error) {
  std::size_t depth = 0;
  const char* p = first;
  while (p != last) {
    char c = *p;
    if (c == '(') {
      ++depth;
      ++p;
    } else if (c == ')') {
      ++p;
      if (--depth == 0) return p;
    } else if (c == '\'') {
      // E'...' strings take backslash escapes.
      bool escapes = p != first && (p[-1] == 'E' || p[-1] == 'e') &&
                     (p - 1 == first || !ident_char(p[-2]));
      const char* q = p + 1;
      for (;;) {
        if (q == last) {
          error = "unterminated string literal in expression";
          return nullptr;
        }
        if (escapes && *q == '\\' && q + 1 != last) {
          q += 2;
          continue;
        }
        if (*q == '\'') {
          if (q + 1 != last && q[1] == '\'') {
            q += 2;
            continue;
          }
          break;
        }
        ++q;
      }
      p = q + 1;
    } else if (c == '"') {
      const char* q = scan_quoted_ident(p, last, error);
      if (!q) return nullptr;
      p = q;
    } else if (c == '$') {
      std::string tag;
      const char* body = (p == first || !ident_char(p[-1])) ? scan_dollar_open(p, last, tag) : nullptr;
      if (!body) {
        ++p;
        continue;
      }
      std::string closer = "$" + tag + "$";
      std::string_view rest(body, static_cast<std::size_t>(last - body));
      auto at = rest.find(closer);
      if (at == std::string_view::npos) {
        error = "unterminated dollar-quoted string in expression";
        return nullptr;
      }
      p = body + at + closer.size();
    } else if (c == '-' && p + 1 != last && p[1] == '-') {
      while (p != last && *p != '\n') ++p;
    } else if (c == '/' && p + 1 != last && p[1] == '*') {
      // SQL block comments nest.
      std::size_t nest = 0;
      while (p != last) {
        if (*p == '/' && p + 1 != last && p[1] == '*') {
          ++nest;
          p += 2;
        } else if (*p == '*' && p + 1 != last && p[1] == '/') {
          p += 2;
          if (--nest == 0) break;
        } else {
          ++p;
        }
      }
      if (nest != 0) {
        error = "unterminated comment in expression";
        return nullptr;
      }
    } else {
      ++p;
    }
  }
  error = "unbalanced parentheses: this '(' is never closed";
  return nullptr;
}

}  // namespace schemac::syntax
