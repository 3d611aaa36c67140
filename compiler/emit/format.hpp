// The canonical printer: the AST of one file back to text in canonical form
// (`schemac fmt`). Ordinary comments are kept: a comment on its own line stays
// before the declaration, column or member that follows it; a comment after code
// on the same line stays at the end of that node's line.
#pragma once

#include <string>

#include "syntax/ast.hpp"

namespace schemac::emit {

// `source` is the text the AST was parsed from (for comments and blank lines).
std::string format_file(const ast::File& file, const std::string& source);

// Number of ordinary (non-doc) comments outside SQL text; fmt checks that it
// keeps every one.
std::size_t count_comments(const ast::File& file, const std::string& source);

}  // namespace schemac::emit
