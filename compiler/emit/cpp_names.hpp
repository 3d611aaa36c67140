// How schema names become C++ in `gen cpp`: identifiers, type names, string literals
// and comments. Every name of a schema reaches the generated code through one of
// these, so no name (quoted names may hold any character) can break or inject code.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace schemac::emit {

// A C++ identifier for a SQL name, deterministic and never reserved:
// - letters, digits and '_' stay; any other ASCII character becomes '_'; a non-ASCII
//   character becomes _uXXXX (its code point in hex): "café" -> caf_u00e9;
// - runs of '_' become one ('__' is reserved to the implementation);
// - a leading digit gets a '_' in front; a leading '_' before an upper case letter
//   (reserved) is dropped, and the name gets a trailing '_' instead: _Foo -> Foo_;
// - a C++ keyword, a name the generated code or its includes use (std, schemac,
//   pqxx, migrate, tx, ...) or a common macro (linux, unix, errno, ...) gets a
//   trailing '_': class -> class_, std -> std_.
std::string identifier(std::string_view name);

// `name`, or the first of name_, name_2, name_3, ... not in `used` (which records
// it): members and functions that would share a name.
std::string unique_name(const std::string& name, std::set<std::string>& used);

// A PascalCase type name: letters and digits, each word's first letter upper case;
// a non-ASCII character becomes UXXXX; a name starting with a digit (or empty) gets
// a 'T' in front; a macro name (NULL, EOF, ...) a trailing '_'.
std::string type_name(std::string_view name);

// Plain English singular of the last word: categories -> category, boxes -> box,
// classes -> class, users -> user; words that do not end in a plural 's' stay.
std::string singular(std::string word);

// A C++ string literal of the text, one source line per line of text: quotes,
// backslashes and control characters escaped, '??' written '?\?' (no trigraph).
std::string string_literal(std::string_view text);

// Text safe inside a // comment: control characters (newlines too) written as C
// escapes, '*/' as '*\/', '??' as '?\?', and never a backslash at the end (which
// would continue the comment on the next line).
std::string comment_text(std::string_view text);

// Whether a generated identifier would be a C++ keyword or a name the generated code
// needs for itself (what identifier() guards with a trailing '_').
bool is_reserved_name(std::string_view word);

}  // namespace schemac::emit
