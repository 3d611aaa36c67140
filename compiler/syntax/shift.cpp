#include "syntax/shift.hpp"

#include <algorithm>

#include "diag/source.hpp"
#include "syntax/grammar.hpp"

namespace schemac::syntax {

namespace {

// Visits every node of a declaration, by type; each node's own members are listed
// in ast.hpp's order (a new member there must be added here: the language server's
// test compares incremental and whole parses of every example schema).
struct Shifter {
  const std::function<void(ast::Span&)>& f;

  void span(ast::Span& s) const { f(s); }
  template <typename T>
  void operator()(std::optional<T>& o) const {
    if (o) (*this)(*o);
  }
  template <typename T>
  void operator()(std::vector<T>& v) const {
    for (auto& e : v) (*this)(e);
  }
  template <typename... T>
  void operator()(std::variant<T...>& v) const {
    std::visit(*this, v);
  }
  void operator()(std::string&) const {}

  void operator()(ast::Ident& x) const { span(x.span); }
  void operator()(ast::QName& x) const {
    span(x.span);
    (*this)(x.schema);
    (*this)(x.name);
  }
  void operator()(ast::TypeName& x) const {
    span(x.span);
    (*this)(x.name);
  }
  void operator()(ast::SqlText& x) const { span(x.span); }
  void operator()(ast::Body& x) const { span(x.span); }
  void operator()(ast::Reference& x) const {
    span(x.span);
    (*this)(x.table);
    (*this)(x.columns);
  }
  void operator()(ast::Column& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.type);
    (*this)(x.default_value);
    (*this)(x.references);
    (*this)(x.check);
    (*this)(x.generated);
    (*this)(x.was);
  }
  void operator()(ast::PrimaryKey& x) const {
    span(x.span);
    (*this)(x.columns);
  }
  void operator()(ast::UniqueConstraint& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.columns);
  }
  void operator()(ast::CheckConstraint& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.expression);
  }
  void operator()(ast::ForeignKey& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.columns);
    (*this)(x.references);
  }
  void operator()(ast::IndexElement& x) const {
    span(x.span);
    (*this)(x.column);
    (*this)(x.expression);
    (*this)(x.collation);
    (*this)(x.opclass);
  }
  void operator()(ast::ExclusionElement& x) const {
    span(x.span);
    (*this)(x.element);
  }
  void operator()(ast::ExclusionConstraint& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.elements);
    (*this)(x.where);
  }
  void operator()(ast::Index& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.elements);
    (*this)(x.include);
    (*this)(x.where);
  }
  void operator()(ast::RowLevelSecurity& x) const { span(x.span); }
  void operator()(ast::Policy& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.roles);
    (*this)(x.using_expr);
    (*this)(x.check_expr);
  }
  void operator()(ast::TriggerEvent& x) const {
    span(x.span);
    (*this)(x.columns);
  }
  void operator()(ast::Trigger& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.events);
    (*this)(x.old_table);
    (*this)(x.new_table);
    (*this)(x.when);
    (*this)(x.function);
    (*this)(x.arguments);
  }
  void operator()(ast::Grant& x) const {
    span(x.span);
    (*this)(x.roles);
  }
  void operator()(ast::DropColumn& x) const {
    span(x.span);
    (*this)(x.name);
  }
  void operator()(ast::PartitionBy& x) const {
    span(x.span);
    (*this)(x.keys);
  }
  void operator()(ast::Distribution& x) const {
    span(x.span);
    (*this)(x.column);
    (*this)(x.colocate_with);
  }
  void operator()(ast::Table& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.row_type);
    (*this)(x.was);
    (*this)(x.partition_by);
    (*this)(x.distribution);
    (*this)(x.members);
  }
  void operator()(ast::Partition& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.parent);
    (*this)(x.from);
    (*this)(x.to);
    (*this)(x.in);
  }
  void operator()(ast::ExternTable& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.columns);
  }
  void operator()(ast::Extension& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.schema);
  }
  void operator()(ast::SchemaDecl& x) const {
    span(x.span);
    (*this)(x.name);
  }
  void operator()(ast::Role& x) const {
    span(x.span);
    (*this)(x.name);
  }
  void operator()(ast::EnumValue& x) const { span(x.span); }
  void operator()(ast::Enum& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.values);
  }
  void operator()(ast::Sequence& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.type);
    (*this)(x.owned_by);
  }
  void operator()(ast::ExternType& x) const {
    span(x.span);
    (*this)(x.name);
  }
  void operator()(ast::DomainCheck& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.expression);
  }
  void operator()(ast::Domain& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.base);
    (*this)(x.default_value);
    (*this)(x.checks);
  }
  void operator()(ast::Field& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.type);
  }
  void operator()(ast::CompositeType& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.fields);
  }
  void operator()(ast::Parameter& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.type);
    (*this)(x.default_value);
  }
  void operator()(ast::ReturnColumn& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.type);
  }
  void operator()(ast::Function& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.parameters);
    (*this)(x.returns);
    (*this)(x.returns_table);
    (*this)(x.search_path);
    (*this)(x.body);
  }
  void operator()(ast::View& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.query);
    (*this)(x.grants);
  }
  void operator()(ast::MaterializedView& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.query);
    (*this)(x.indexes);
    (*this)(x.grants);
  }
  void operator()(ast::ObjectPrivilege& x) const {
    span(x.span);
    (*this)(x.object);
    (*this)(x.argument_types);
    (*this)(x.roles);
  }
  void operator()(ast::DefaultPrivilege& x) const {
    span(x.span);
    (*this)(x.schema);
    (*this)(x.roles);
  }
  void operator()(ast::Archive& x) const {
    span(x.span);
    (*this)(x.old_name);
    (*this)(x.new_name);
  }
  void operator()(ast::DropTable& x) const {
    span(x.span);
    (*this)(x.name);
  }
  void operator()(ast::DataStep& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.up);
    (*this)(x.down);
  }
  void operator()(ast::Assertion& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.query);
  }
  void operator()(ast::Query& x) const {
    span(x.span);
    (*this)(x.name);
    (*this)(x.parameters);
    (*this)(x.query);
  }
};

}  // namespace

void for_each_span(ast::Declaration& declaration, const std::function<void(ast::Span&)>& f) {
  std::visit(Shifter{f}, declaration);
}

void shift_spans(ast::Declaration& declaration, std::int64_t by) {
  for_each_span(declaration, [by](ast::Span& s) {
    if (s.begin == 0 && s.end == 0) return;  // a node the grammar gives no span (no place to move)
    s.begin = static_cast<std::uint32_t>(s.begin + by);
    s.end = static_cast<std::uint32_t>(s.end + by);
  });
}

bool reparse_edit(ast::File& file, std::string& text, std::uint32_t begin, std::uint32_t end,
                  const std::string& replacement) {
  auto& declarations = file.declarations;
  if (begin > end || end > text.size()) return false;
  if (find_invalid_utf8(replacement) != std::string_view::npos || replacement.find('\0') != std::string::npos)
    return false;
  // The declaration the edit is strictly inside (its first and last bytes untouched).
  auto it = std::upper_bound(declarations.begin(), declarations.end(), begin,
                             [](std::uint32_t at, const ast::Declaration& d) {
                               return at < std::visit([](const auto& x) { return x.span.begin; }, d);
                             });
  if (it == declarations.begin()) return false;
  --it;
  ast::Span old = std::visit([](const auto& x) { return x.span; }, *it);
  if (!(old.begin < begin && end < old.end)) return false;
  // Where the whole parse started this declaration: after the one before it, its
  // comments and its doc comment (a span may begin after a leading word, `extern`).
  std::uint32_t start =
      it == declarations.begin() ? 0 : std::visit([](const auto& x) { return x.span.end; }, *(it - 1));
  start = skip_trivia(text, start);
  while (text.compare(start, 3, "///") == 0) {
    auto newline = text.find('\n', start);
    start = skip_trivia(text, newline == std::string::npos ? static_cast<std::uint32_t>(text.size())
                                                           : static_cast<std::uint32_t>(newline));
  }
  if (start > old.begin) return false;
  auto delta = static_cast<std::int64_t>(replacement.size()) - static_cast<std::int64_t>(end - begin);
  std::string edited = text;
  edited.replace(begin, end - begin, replacement);
  auto to = static_cast<std::uint32_t>(old.end + delta);
  ast::File piece;
  auto errors = parse_declarations(std::string_view(edited).substr(start, to - start), piece);
  if (!errors.empty() || piece.declarations.size() != 1 || piece.declarations[0].index() != it->index()) return false;
  ast::Declaration& fresh = piece.declarations[0];
  if (std::visit([](const auto& x) { return x.span.end; }, fresh) != to - start) return false;
  shift_spans(fresh, start);
  // Its doc comment lies before it, untouched by the edit.
  std::visit([&](auto& x) { x.doc = std::visit([](auto& y) { return std::move(y.doc); }, *it); }, fresh);
  *it = std::move(fresh);
  for (auto next = it + 1; next != declarations.end(); ++next) shift_spans(*next, delta);
  text = std::move(edited);
  return true;
}

}  // namespace schemac::syntax
