#include "syntax/parser.hpp"

#include "syntax/grammar.hpp"

namespace schemac::syntax {

bool parse_file(Diagnostics& diags, int file_id, ParsedFile& out) {
  out.file_id = file_id;
  const std::string& text = diags.file(file_id).text();
  if (auto bad = find_invalid_utf8(text); bad != std::string_view::npos) {
    diags.error({file_id, static_cast<std::uint32_t>(bad)}, "invalid UTF-8 in schema file");
    return false;
  }
  if (text.find('\0') != std::string::npos) {
    diags.error({file_id, static_cast<std::uint32_t>(text.find('\0'))}, "NUL byte in schema file");
    return false;
  }
  auto errors = parse_declarations(text, out.ast);
  for (auto& e : errors) {
    auto& d = diags.error({file_id, e.offset}, std::move(e.message));
    for (auto& n : e.notes) Diagnostics::note(d, {file_id, n.offset}, std::move(n.message));
  }
  return errors.empty();
}

}  // namespace schemac::syntax
