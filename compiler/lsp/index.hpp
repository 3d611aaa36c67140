// What the language server knows of one parsed file: the names it declares (with
// what hover shows of them) and the places it names something declared anywhere in
// the schema directory. Names are keyed the way the resolver binds them (an
// unqualified name is in `public`), so a use in one file finds its declaration in
// another by key alone.
#pragma once

#include <string>
#include <vector>

#include "syntax/ast.hpp"

namespace schemac::lsp {

// LSP SymbolKind values (the protocol's numbers).
enum class SymbolKind {
  namespace_ = 3,
  function = 12,
  variable = 13,
  field = 8,
  class_ = 5,
  enum_ = 10,
  enum_member = 22,
  struct_ = 23,
  key = 20,
  event = 24,
  boolean = 17,
  object = 19,
  property = 7,
};

struct Symbol {
  SymbolKind kind = SymbolKind::object;
  std::string key;      // "table:public.users", "column:public.users.id", ...; "" for members
  std::string name;     // as the outline shows it
  std::string detail;   // one line: a column's type, "table", a function's signature
  std::string hover;    // Markdown
  ast::Span name_span;  // the name as written
  ast::Span span;       // the whole declaration
  int parent = -1;      // the enclosing symbol (a table's columns and indexes)
};

// A place that names a declaration: its key and the span of the name.
struct Use {
  std::string key;
  ast::Span span;
};

struct FileIndex {
  std::vector<Symbol> symbols;
  std::vector<Use> uses;
};

FileIndex index_file(const ast::File& file, const std::string& text);

// Keys, as index_file makes them (for the completion of a referenced table's columns).
std::string table_key(const ast::QName& name);
std::string column_key(const std::string& table_key, const std::string& column);

}  // namespace schemac::lsp
