// Moving a parsed declaration: every span in it shifted by the same amount. The
// language server re-parses only the declaration an edit falls in and moves the
// ones after it, instead of parsing the whole file again.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "syntax/ast.hpp"

namespace schemac::syntax {

void shift_spans(ast::Declaration& declaration, std::int64_t by);

// Calls f on every span of the declaration (its nodes' and its names').
void for_each_span(ast::Declaration& declaration, const std::function<void(ast::Span&)>& f);

// Applies the edit (bytes [begin, end) of `text` replaced) to a file parsed without
// errors, re-parsing only the declaration the edit is strictly inside. Returns false,
// changing nothing, when it cannot (an edit between or across declarations, at a
// declaration's first or last byte, one that leaves a syntax error or changes the
// declaration's kind or extent): then the file is parsed whole.
bool reparse_edit(ast::File& file, std::string& text, std::uint32_t begin, std::uint32_t end,
                  const std::string& replacement);

}  // namespace schemac::syntax
