#include "syntax/lexical.hpp"

#include <cstring>
#include <string_view>

namespace schemac::syntax {

static bool ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
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
      bool escapes = p != first && (p[-1] == 'E' || p[-1] == 'e') && (p - 1 == first || !ident_char(p[-2]));
      const char* q = p + 1;
      for (;;) {
        if (q == last) {
          error = "unbalanced parentheses: this '(' is never closed";
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
        error = "unbalanced parentheses: this '(' is never closed";
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
        error = "unbalanced parentheses: this '(' is never closed";
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

namespace schemac::syntax {

namespace {

const char* skip_blanks(const char* p, const char* last) {
  while (p != last && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) ++p;
  return p;
}

const char* scan_word(const char* p, const char* last) {
  if (p == last || !(ident_start(*p)) || static_cast<unsigned char>(*p) >= 0x80) return nullptr;
  while (p != last && ident_char(*p) && static_cast<unsigned char>(*p) < 0x80) ++p;
  return p;
}

// name or "name", optionally qualified
const char* scan_name(const char* p, const char* last, std::string& error) {
  const char* end = *p == '"' ? scan_quoted_ident(p, last, error) : scan_word(p, last);
  if (!end) return nullptr;
  if (end != last && *end == '.' && end + 1 != last) {
    const char* q = end + 1;
    const char* end2 = *q == '"' ? scan_quoted_ident(q, last, error) : scan_word(q, last);
    if (end2) return end2;
  }
  return end;
}

// A cast's type: words (double precision, timestamp with time zone), modifiers, [].
const char* scan_cast_type(const char* p, const char* last, std::string& error) {
  const char* end = scan_name(p, last, error);
  if (!end) return nullptr;
  static const char* const continuations[] = {"precision", "varying", "with", "without", "time", "zone"};
  for (;;) {
    const char* q = skip_blanks(end, last);
    const char* w = scan_word(q, last);
    bool more = false;
    if (w)
      for (const char* c : continuations)
        if (std::string_view(q, static_cast<std::size_t>(w - q)) == c) more = true;
    if (!more) break;
    end = w;
  }
  const char* q = skip_blanks(end, last);
  if (q != last && *q == '(') {
    end = scan_group(q, last, error);
    if (!end) return nullptr;
    q = skip_blanks(end, last);
  }
  while (last - q >= 2 && q[0] == '[' && q[1] == ']') {
    end = q + 2;
    q = skip_blanks(end, last);
  }
  return end;
}

}  // namespace

const char* scan_default_term(const char* first, const char* last, std::string& error) {
  const char* p = first;
  const char* end = nullptr;
  if (p == last) return nullptr;
  if (*p == '\'') {
    end = scan_string(p, last, error);
  } else if (*p == '(') {
    end = scan_group(p, last, error);
  } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
    const char* q = *p == '-' ? p + 1 : p;
    if (q == last || !(*q >= '0' && *q <= '9')) return nullptr;
    while (q != last && ((*q >= '0' && *q <= '9') || *q == '.')) ++q;
    end = q;
  } else if (*p == '"' || ident_start(*p)) {
    end = scan_name(p, last, error);
    if (!end) return nullptr;
    // A call `f(...)` or a typed literal `interval '1 day'`, on the same line.
    const char* q = end;
    while (q != last && (*q == ' ' || *q == '\t')) ++q;
    if (q != last && *q == '(')
      end = scan_group(q, last, error);
    else if (q != last && *q == '\'' && q != end)
      end = scan_string(q, last, error);
  } else {
    return nullptr;
  }
  if (!end) return nullptr;
  for (;;) {  // casts
    const char* q = skip_blanks(end, last);
    if (last - q < 2 || q[0] != ':' || q[1] != ':') break;
    const char* t = scan_cast_type(skip_blanks(q + 2, last), last, error);
    if (!t) {
      if (error.empty()) error = "expected a type after '::'";
      return nullptr;
    }
    end = t;
  }
  return end;
}

}  // namespace schemac::syntax
