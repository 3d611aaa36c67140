// The entry point to the X3 grammar. Only grammar.cpp instantiates the grammar;
// the rest of the compiler includes this header and never sees Spirit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "syntax/ast.hpp"

namespace schemac::syntax {

struct SyntaxNote {
  std::uint32_t offset = 0;
  std::string message;
};

struct SyntaxError {
  SyntaxError(std::uint32_t at = 0, std::string text = {}, std::vector<SyntaxNote> with = {})
      : offset(at), message(std::move(text)), notes(std::move(with)) {}
  std::uint32_t offset = 0;
  std::string message;
  std::vector<SyntaxNote> notes;
};

// Parses every declaration of `text` into `out`. A syntax error abandons the
// declaration it is in; parsing resumes at the next line that starts a declaration,
// so that one run reports the errors of every declaration.
std::vector<SyntaxError> parse_declarations(std::string_view text, ast::File& out);

// Offset of the first byte at or after `offset` that is not whitespace or part of a
// non-doc comment (used to put error carets on the offending token).
std::uint32_t skip_trivia(std::string_view text, std::uint32_t offset);

}  // namespace schemac::syntax
