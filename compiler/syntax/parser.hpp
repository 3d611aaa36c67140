// Parsing a whole schema: every *.schema file of a directory, into one list of
// parsed files, with syntax errors reported to the diagnostics sink.
#pragma once

#include <string>
#include <vector>

#include "diag/diagnostics.hpp"
#include "syntax/ast.hpp"

namespace schemac::syntax {

struct ParsedFile {
  int file_id = -1;  // in the Diagnostics sink
  ast::File ast;
};

// Parses one file already added to the sink. Returns false on syntax errors.
bool parse_file(Diagnostics& diags, int file_id, ParsedFile& out);

}  // namespace schemac::syntax
