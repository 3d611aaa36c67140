// The .schema grammar in Boost.Spirit X3, instantiated in this one translation unit.
//
// Rules fill their AST node through small semantic actions (set/push/flag) rather
// than Fusion adaptation: the nodes stay plain structs, and optional clauses in any
// order are easy to express. Every rule whose attribute is an ast::Node gets its
// byte span from `annotate_span::on_success`. After a keyword, `>` (expect) makes a
// failure point at the exact token instead of failing the whole declaration.
#include "syntax/grammar.hpp"

#include <algorithm>
#include <boost/spirit/home/x3.hpp>
#include <cstring>

#include "diag/diagnostics.hpp"
#include "model/types.hpp"
#include "syntax/lexical.hpp"

namespace schemac::syntax {
namespace x3 = boost::spirit::x3;
using Iterator = const char*;

namespace {

// Thrown by the custom scanners; carries its own message.
struct ScanFailure {
  Iterator where;
  std::string message;
};

struct base_tag;  // context entry: the start of the text, to compute offsets

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

// Whitespace, `//` comments that are not doc comments, and `/* */` comments.
Iterator skip_trivia_from(Iterator p, Iterator last) {
  for (;;) {
    while (p != last && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')) ++p;
    if (last - p >= 2 && p[0] == '/' && p[1] == '/') {
      bool doc = last - p >= 3 && p[2] == '/' && (last - p == 3 || p[3] != '/');
      if (doc) return p;
      while (p != last && *p != '\n') ++p;
      continue;
    }
    if (last - p >= 2 && p[0] == '/' && p[1] == '*') {
      const char* end = nullptr;
      for (const char* q = p + 2; last - q >= 2; ++q)
        if (q[0] == '*' && q[1] == '/') {
          end = q + 2;
          break;
        }
      if (!end) return p;  // unterminated: left for the parser to report
      p = end;
      continue;
    }
    return p;
  }
}

// Rule IDs. (X3 hands on_success an unused attribute when a rule's right-hand side
// has semantic actions, so spans are recorded by `spanned` below instead.)
struct rule_id {};

// ---- custom primitives -------------------------------------------------------

// A contextual keyword: the word, not followed by an identifier character.
struct keyword_parser : x3::parser<keyword_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  const char* word;
  std::size_t length;
  explicit keyword_parser(const char* w) : word(w), length(std::strlen(w)) {}

  template <typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute&) const {
    x3::skip_over(first, last, context);
    if (static_cast<std::size_t>(last - first) < length || std::memcmp(first, word, length) != 0) return false;
    Iterator after = first + length;
    if (after != last && is_ident_char(*after)) return false;
    first = after;
    return true;
  }
};
keyword_parser kw(const char* w) { return keyword_parser(w); }

// An unquoted identifier: [A-Za-z_][A-Za-z0-9_]*
struct plain_ident_parser : x3::parser<plain_ident_parser> {
  using attribute_type = std::string;
  static bool const has_attribute = true;
  template <typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute& attr) const {
    x3::skip_over(first, last, context);
    if (first == last || !is_ident_start(*first)) return false;
    Iterator p = first + 1;
    while (p != last && is_ident_char(*p)) ++p;
    x3::traits::move_to(std::string(first, p), attr);
    first = p;
    return true;
  }
};

// A token found by one of the scanners in lexical.hpp. `Scan` is a function
// (first, last, error) -> end or nullptr; a nullptr with an error is a malformed
// token (reported at its start), without one no token of this kind is here.
// `Value` turns the token's text into the attribute.
template <const char* (*Scan)(const char*, const char*, std::string&), std::string (*Value)(Iterator, Iterator)>
struct scanned_parser : x3::parser<scanned_parser<Scan, Value>> {
  using attribute_type = std::string;
  static bool const has_attribute = true;
  template <typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute& attr) const {
    x3::skip_over(first, last, context);
    if (first == last) return false;
    std::string error;
    Iterator end = Scan(first, last, error);
    if (!end) {
      if (!error.empty()) throw ScanFailure{first, error};
      return false;
    }
    x3::traits::move_to(Value(first, end), attr);
    first = end;
    return true;
  }
};

const char* scan_quoted(const char* first, const char* last, std::string& error) {
  if (*first != '"') return nullptr;
  const char* end = scan_quoted_ident(first, last, error);
  if (end && end - first == 2) error = "empty quoted identifier", end = nullptr;
  return end;
}
const char* scan_literal(const char* first, const char* last, std::string& error) {
  return *first == '\'' ? scan_string(first, last, error) : nullptr;
}
const char* scan_parenthesised(const char* first, const char* last, std::string& error) {
  return *first == '(' ? scan_group(first, last, error) : nullptr;
}
std::string as_written(Iterator first, Iterator end) { return std::string(first, end); }
std::string inside_parentheses(Iterator first, Iterator end) { return std::string(first + 1, end - 1); }
std::string unquoted_identifier(Iterator first, Iterator end) {
  std::string text;
  for (Iterator p = first + 1; p < end - 1; ++p) {
    text += *p;
    if (*p == '"') ++p;  // "" stands for one quote
  }
  return text;
}

// "quoted identifier"; attribute is the identifier, unescaped.
using quoted_ident_parser = scanned_parser<scan_quoted, unquoted_identifier>;
// 'string literal'; attribute is the text as written, quotes included.
using string_literal_parser = scanned_parser<scan_literal, as_written>;
// ( balanced SQL ); attribute is the text between the outer parentheses.
using group_parser = scanned_parser<scan_parenthesised, inside_parentheses>;
// A default term; attribute is its text exactly as written (see scan_default_term).
using default_term_parser = scanned_parser<scan_default_term, as_written>;

// $tag$ body $tag$; attribute is the Body (tag and text).
struct body_parser : x3::parser<body_parser> {
  using attribute_type = ast::Body;
  static bool const has_attribute = true;
  template <typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute& attr) const {
    x3::skip_over(first, last, context);
    std::string tag;
    Iterator body = scan_dollar_open(first, last, tag);
    if (!body) return false;
    std::string closer = "$" + tag + "$";
    std::string_view rest(body, static_cast<std::size_t>(last - body));
    auto at = rest.find(closer);
    if (at == std::string_view::npos)
      throw ScanFailure{first, "unterminated body: no closing " + closer + " for this " + closer};
    ast::Body result;
    Iterator base = x3::get<base_tag>(context);
    result.span = {static_cast<std::uint32_t>(first - base),
                   static_cast<std::uint32_t>(body + at + closer.size() - base)};
    result.tag = std::move(tag);
    result.text.assign(body, body + at);
    x3::traits::move_to(std::move(result), attr);
    first = body + at + closer.size();
    return true;
  }
};

// Succeeds (consuming nothing) when the next token is on the current line: column
// attributes belong to the column only on its own line.
struct same_line_parser : x3::parser<same_line_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute&) const {
    // A failed optional before us may already have skipped the line break: look back.
    Iterator base = x3::get<base_tag>(context);
    for (Iterator p = first; p != base;) {
      --p;
      if (*p == '\n') return false;
      if (*p != ' ' && *p != '\t' && *p != '\r') break;
    }
    for (Iterator p = first; p != last; ++p) {
      if (*p == '\n') return false;
      if (*p == ' ' || *p == '\t' || *p == '\r') continue;
      if (last - p >= 2 && p[0] == '/' && p[1] == '/') return false;  // comment to end of line
      return true;
    }
    return false;
  }
};

// Always fails with a message of its own: the last alternative after `>`.
struct fail_parser : x3::parser<fail_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  const char* message;
  template <typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, Iterator const& last, Context const& context, RContext&, Attribute&) const {
    Iterator at = first;
    x3::skip_over(at, last, context);
    throw x3::expectation_failure<Iterator>(at, message);  // reported as "expected <message>, found ..."
  }
};
fail_parser fail_with(const char* message) { return fail_parser{{}, message}; }

}  // namespace
}  // namespace schemac::syntax

namespace boost::spirit::x3 {
// A parser with a semantic action describes itself as its subject does, so that
// "expected type" survives `type_name[set(...)]` after an expectation.
template <typename Subject, typename Action>
struct get_info<action<Subject, Action>> {
  using result_type = std::string;
  std::string operator()(action<Subject, Action> const& p) const { return what(p.subject); }
};
template <>
struct get_info<schemac::syntax::keyword_parser> {
  using result_type = std::string;
  std::string operator()(schemac::syntax::keyword_parser const& p) const { return std::string("'") + p.word + "'"; }
};
}  // namespace boost::spirit::x3

namespace schemac::syntax {
namespace {

// ---- semantic-action helpers ---------------------------------------------------

template <typename M>
auto set(M member) {
  return [member](auto& ctx) { x3::_val(ctx).*member = std::move(x3::_attr(ctx)); };
}
template <typename M>
auto push(M member) {
  return [member](auto& ctx) { (x3::_val(ctx).*member).push_back(std::move(x3::_attr(ctx))); };
}
template <typename M>
auto flag(M member) {
  return [member](auto& ctx) { x3::_val(ctx).*member = true; };
}
template <typename M>
auto put(M member, const char* value) {
  return [member, value](auto& ctx) { x3::_val(ctx).*member = value; };
}
// Parses `p` and records the node's span: from its first token (after the skipper)
// to the end of what it consumed.
template <typename Parser>
auto spanned(Parser const& p) {
  return x3::raw[p][([](auto& ctx) {
    auto const& range = x3::_attr(ctx);
    Iterator base = x3::get<base_tag>(ctx);
    x3::_val(ctx).span = {static_cast<std::uint32_t>(range.begin() - base),
                          static_cast<std::uint32_t>(range.end() - base)};
  })];
}
// Assigns the attribute to a variant-holding member.
template <typename M>
auto assign(M member) {
  return [member](auto& ctx) { x3::_val(ctx).*member = std::move(x3::_attr(ctx)); };
}
// `word("x")`: the keyword x, with "x" as its attribute.
auto word(const char* w) { return kw(w) >> x3::attr(std::string(w)); }

struct Documented {
  ast::Doc doc;
  ast::TableMember member;
};
struct DocumentedDecl {
  ast::Doc doc;
  ast::Declaration decl;
};

// ---- skipper -----------------------------------------------------------------

auto const line_comment = (x3::lit("//") >> *(x3::char_ - x3::eol)) - (x3::lit("///") >> !x3::lit('/'));
auto const block_comment = x3::lit("/*") >> *(x3::char_ - "*/") >> "*/";
auto const skipper = x3::space | line_comment | block_comment;

// ---- rule declarations (IDs derive from annotate_span) -------------------------

#define SCHEMAC_RULE(name, type, description) \
  struct name##_id : rule_id {};              \
  x3::rule<name##_id, type> const name = description;

SCHEMAC_RULE(doc_line, std::string, "doc comment")
SCHEMAC_RULE(doc, ast::Doc, "doc comment")
SCHEMAC_RULE(ident, ast::Ident, "identifier")
SCHEMAC_RULE(column_name, ast::Ident, "column name")
SCHEMAC_RULE(qname, ast::QName, "name")
SCHEMAC_RULE(type_modifier, std::string, "type modifier (a number)")
SCHEMAC_RULE(type_name, ast::TypeName, "type")
SCHEMAC_RULE(group, ast::SqlText, "'(' expression ')'")
SCHEMAC_RULE(body, ast::Body, "dollar-quoted body ($$ ... $$)")
SCHEMAC_RULE(default_term, ast::SqlText, "default value")
SCHEMAC_RULE(column_list, std::vector<ast::Ident>, "'(' column list ')'")
SCHEMAC_RULE(ident_list, std::vector<ast::Ident>, "list of names")
SCHEMAC_RULE(fk_action, std::string, "referential action (cascade, restrict, set null, set default, no action)")
SCHEMAC_RULE(reference, ast::Reference, "referenced table")
SCHEMAC_RULE(column, ast::Column, "column")
SCHEMAC_RULE(primary_key, ast::PrimaryKey, "primary key")
SCHEMAC_RULE(unique_constraint, ast::UniqueConstraint, "unique constraint")
SCHEMAC_RULE(check_constraint, ast::CheckConstraint, "check constraint")
SCHEMAC_RULE(foreign_key, ast::ForeignKey, "foreign key")
SCHEMAC_RULE(index_element, ast::IndexElement, "index column or '(' expression ')'")
SCHEMAC_RULE(index, ast::Index, "index")
SCHEMAC_RULE(exclusion_operator, std::string, "operator (=, &&, ...)")
SCHEMAC_RULE(exclusion_element, ast::ExclusionElement, "element 'with' operator")
SCHEMAC_RULE(exclusion, ast::ExclusionConstraint, "exclusion constraint")
SCHEMAC_RULE(rls, ast::RowLevelSecurity, "row level security")
SCHEMAC_RULE(sort_order, std::string, "'asc' or 'desc'")
SCHEMAC_RULE(nulls_order, std::string, "'first' or 'last'")
SCHEMAC_RULE(policy_mode, std::string, "'permissive' or 'restrictive'")
SCHEMAC_RULE(volatility, std::string, "volatility")
SCHEMAC_RULE(search_path, std::vector<ast::Ident>, "schema names or ''")
SCHEMAC_RULE(security_kind, std::string, "'definer' or 'invoker'")
SCHEMAC_RULE(policy_command, std::string, "policy command (all, select, insert, update, delete)")
SCHEMAC_RULE(policy, ast::Policy, "policy")
SCHEMAC_RULE(trigger_timing, std::string, "trigger timing (before, after, instead of)")
SCHEMAC_RULE(trigger_event, ast::TriggerEvent, "trigger event (insert, update, delete, truncate)")
SCHEMAC_RULE(trigger_level, std::string, "'row' or 'statement'")
SCHEMAC_RULE(trigger_argument, ast::SqlText, "trigger argument")
SCHEMAC_RULE(trigger, ast::Trigger, "trigger")
SCHEMAC_RULE(privilege, std::string, "privilege (select, insert, update, delete, truncate, references, trigger, all)")
SCHEMAC_RULE(grant, ast::Grant, "grant")
SCHEMAC_RULE(object_privilege_word, std::string,
             "privilege (execute, usage, create, select, insert, update, delete, truncate, references, trigger, all)")
SCHEMAC_RULE(object_grant, ast::ObjectPrivilege, "grant")
SCHEMAC_RULE(default_privilege_kind, std::string, "'tables', 'sequences' or 'functions'")
SCHEMAC_RULE(default_privilege, ast::DefaultPrivilege, "default privileges")
SCHEMAC_RULE(partition_by, ast::PartitionBy, "partition by")
SCHEMAC_RULE(partition_method, std::string, "'range', 'list' or 'hash'")
SCHEMAC_RULE(distribution, ast::Distribution, "distribution")
SCHEMAC_RULE(partition, ast::Partition, "partition")
SCHEMAC_RULE(object_revoke, ast::ObjectPrivilege, "revoke")
SCHEMAC_RULE(drop_column, ast::DropColumn, "drop column")
SCHEMAC_RULE(member, Documented, "table member")
SCHEMAC_RULE(table, ast::Table, "table")
SCHEMAC_RULE(extern_column, ast::Column, "column")
SCHEMAC_RULE(extern_table, ast::ExternTable, "extern table")
SCHEMAC_RULE(extension, ast::Extension, "extension")
SCHEMAC_RULE(schema_decl, ast::SchemaDecl, "schema")
SCHEMAC_RULE(role, ast::Role, "role")
SCHEMAC_RULE(enum_value, ast::EnumValue, "enum value")
SCHEMAC_RULE(enum_decl, ast::Enum, "enum")
SCHEMAC_RULE(extern_type, ast::ExternType, "extern type")
SCHEMAC_RULE(domain_check, ast::DomainCheck, "check")
SCHEMAC_RULE(domain, ast::Domain, "domain")
SCHEMAC_RULE(field, ast::Field, "field (name type)")
SCHEMAC_RULE(composite_type, ast::CompositeType, "composite type")
SCHEMAC_RULE(sequence_number, std::string, "number")
SCHEMAC_RULE(sequence, ast::Sequence, "sequence")
SCHEMAC_RULE(parameter, ast::Parameter, "parameter (name type)")
SCHEMAC_RULE(return_column, ast::ReturnColumn, "result column (name type)")
SCHEMAC_RULE(return_type, ast::Function, "return type")
SCHEMAC_RULE(function, ast::Function, "function")
SCHEMAC_RULE(procedure, ast::Function, "procedure")
SCHEMAC_RULE(parallel_kind, std::string, "'safe', 'restricted' or 'unsafe'")
SCHEMAC_RULE(view, ast::View, "view")
SCHEMAC_RULE(materialized_view, ast::MaterializedView, "materialized view")
SCHEMAC_RULE(archive, ast::Archive, "archive")
SCHEMAC_RULE(drop_table, ast::DropTable, "drop table")
SCHEMAC_RULE(data_step, ast::DataStep, "data step")
SCHEMAC_RULE(assertion, ast::Assertion, "assertion")
SCHEMAC_RULE(named_query, ast::Query, "query")
SCHEMAC_RULE(query_result, std::string, "'one', 'many' or 'exec'")
SCHEMAC_RULE(declaration, DocumentedDecl, "declaration")

#undef SCHEMAC_RULE

// ---- rule definitions ----------------------------------------------------------

auto const doc_line_def = x3::lexeme["///" >> !x3::lit('/') >> -x3::lit(' ') >> *(x3::char_ - x3::eol - '\r')];
auto const doc_def = *doc_line;

auto const set_ident = [](auto& ctx) { x3::_val(ctx).text = std::move(x3::_attr(ctx)); };
auto const set_quoted_ident = [](auto& ctx) {
  x3::_val(ctx).text = std::move(x3::_attr(ctx));
  x3::_val(ctx).quoted = true;
};
auto const ident_inner = plain_ident_parser{}[set_ident] | quoted_ident_parser{}[set_quoted_ident];

// Inside a table body, these words start a member; a column so named is quoted.
auto const member_keyword = kw("primary") | kw("unique") | kw("check") | kw("foreign") | kw("index") | kw("row") |
                            kw("policy") | kw("trigger") | kw("grant") | kw("drop");
auto const column_name_inner = !member_keyword >> ident[([](auto& ctx) { x3::_val(ctx) = std::move(x3::_attr(ctx)); })];

// `a` or `a.b`: the first part is the schema when a second follows.
auto const qname_inner = ident[set(&ast::QName::name)] >> -('.' >> ident[([](auto& ctx) {
                                                              auto& q = x3::_val(ctx);
                                                              q.schema = std::move(q.name);
                                                              q.name = std::move(x3::_attr(ctx));
                                                            })]);

// Multi-word builtin types are normalised to PostgreSQL's short names.
auto builtin(const char* name) {
  return [name](auto& ctx) {
    auto& t = x3::_val(ctx);
    t.name = ast::QName{};
    t.name.name.text = name;
  };
}
auto const multiword_type = (kw("double") >> kw("precision"))[builtin("double precision")] |
                            ((kw("character") | kw("char")) >> kw("varying"))[builtin("varchar")] |
                            (kw("bit") >> kw("varying"))[builtin("varbit")];
auto const type_modifier_def = x3::lexeme[-x3::char_('-') >> +x3::digit];
auto const type_modifiers = '(' > (type_modifier[push(&ast::TypeName::modifiers)] % ',') > ')';
// `time` and `timestamp` take their precision before `with time zone`.
auto const with_time_zone = [](auto& ctx) {
  auto& name = x3::_val(ctx).name.name.text;
  name += "tz";
};
auto const zoned_type = (kw("timestamp")[builtin("timestamp")] | kw("time")[builtin("time")]) >> -type_modifiers >>
                        -((kw("with") > kw("time") > kw("zone"))[with_time_zone] |
                          (kw("without") > kw("time") > kw("zone")));
auto const type_name_inner = (zoned_type | ((multiword_type | qname[set(&ast::TypeName::name)]) >> -type_modifiers)) >>
                             *((x3::lit('[') > ']')[([](auto& ctx) { ++x3::_val(ctx).array_dims; })]);

auto const group_inner = group_parser{}[set(&ast::SqlText::text)];
auto const body_def = body_parser{}[([](auto& ctx) { x3::_val(ctx) = std::move(x3::_attr(ctx)); })];

auto const number = x3::lexeme[-x3::char_('-') >> +x3::digit >> -('.' >> +x3::digit)];
auto const default_term_inner = default_term_parser{}[set(&ast::SqlText::text)];

auto const column_list_def = '(' > (ident % ',') > ')';
auto const ident_list_def = ident % ',';

auto const fk_action_def = word("cascade") | word("restrict") |
                           (kw("set") > ((kw("null") >> x3::attr(std::string("set null"))) |
                                         (kw("default") >> x3::attr(std::string("set default"))))) |
                           ((kw("no") > kw("action")) >> x3::attr(std::string("no action")));
// `deferrable [initially deferred | initially immediate]` of a key or a reference.
template <typename T>
auto deferral() {
  return kw("deferrable")[flag(&T::deferrable)] >>
         -(kw("initially") > (kw("deferred")[flag(&T::initially_deferred)] | kw("immediate") |
                              fail_with("'deferred' or 'immediate' after 'initially'")));
}
auto const reference_inner = qname[set(&ast::Reference::table)] >> -column_list[set(&ast::Reference::columns)] >>
                             *(kw("on") > ((kw("delete") > fk_action[set(&ast::Reference::on_delete)]) |
                                           (kw("update") > fk_action[set(&ast::Reference::on_update)]) |
                                           fail_with("'delete' or 'update' after 'on'"))) >>
                             -deferral<ast::Reference>();

auto const same_line = same_line_parser{};
// A column is one line: its attributes stay on that line, so that the next line
// always starts a new member (a column may be called `was`, `default` or `identity`).
auto const column_attribute = same_line >> ((kw("primary") > kw("key"))[flag(&ast::Column::primary_key)] |
                                            kw("unique")[flag(&ast::Column::unique)] |
                                            (kw("default") > default_term[set(&ast::Column::default_value)]) |
                                            (kw("references") > reference[set(&ast::Column::references)]) |
                                            (kw("check") > group[set(&ast::Column::check)]) |
                                            (kw("generated") > group[set(&ast::Column::generated)]) |
                                            kw("identity")[flag(&ast::Column::identity)] |
                                            (kw("was") > ident[set(&ast::Column::was)]) |
                                            // SQL's spellings, meaning what `?` and its absence mean
                                            (kw("not") > kw("null"))[flag(&ast::Column::not_null)] |
                                            kw("null")[flag(&ast::Column::nullable)]);
auto const column_inner = (column_name[set(&ast::Column::name)] > type_name[set(&ast::Column::type)]) >>
                          -x3::lit('?')[flag(&ast::Column::nullable)] >> *column_attribute;

auto const primary_key_inner = kw("primary") > kw("key") > column_list[set(&ast::PrimaryKey::columns)] >
                               -deferral<ast::PrimaryKey>();
auto const nulls_not_distinct =
    (kw("nulls") >> kw("not") >> kw("distinct"))[flag(&ast::UniqueConstraint::nulls_not_distinct)];
auto const unique_constraint_inner = kw("unique") >> !kw("index") > -nulls_not_distinct >
                                     -ident[set(&ast::UniqueConstraint::name)] > -nulls_not_distinct >
                                     column_list[set(&ast::UniqueConstraint::columns)] >
                                     -deferral<ast::UniqueConstraint>();
auto const check_constraint_inner =
    kw("check") > -ident[set(&ast::CheckConstraint::name)] > group[set(&ast::CheckConstraint::expression)];
auto const foreign_key_inner = kw("foreign") > kw("key") >
                               -ident[set(&ast::ForeignKey::name)] > column_list[set(&ast::ForeignKey::columns)] >
                               kw("references") > reference[set(&ast::ForeignKey::references)];

auto const index_element_inner =
    (group[set(&ast::IndexElement::expression)] | ident[set(&ast::IndexElement::column)]) >>
    -(kw("collate") > ident[set(&ast::IndexElement::collation)]) >>
    -(!(kw("asc") | kw("desc") | kw("nulls") | kw("with")) >> qname[set(&ast::IndexElement::opclass)]) >>
    -sort_order[set(&ast::IndexElement::order)] >> -(kw("nulls") > nulls_order[set(&ast::IndexElement::nulls)]);
auto const sort_order_def = word("asc") | word("desc");
auto const nulls_order_def = word("first") | word("last");
auto const index_inner = ((kw("unique") >> kw("index"))[flag(&ast::Index::unique)] | kw("index")) >
                         -(!kw("on") >> ident[set(&ast::Index::name)]) > kw("on") > '(' >
                         (index_element[push(&ast::Index::elements)] % ',') > ')' >
                         -(kw("using") > ident[([](auto& ctx) { x3::_val(ctx).method = x3::_attr(ctx).text; })]) >
                         -(kw("include") > column_list[set(&ast::Index::include)]) >
                         -(kw("nulls") > kw("not") > kw("distinct"))[flag(&ast::Index::nulls_not_distinct)] >
                         -(kw("where") > group[set(&ast::Index::where)]);
auto const exclusion_operator_def = x3::lexeme[+x3::char_("-+*/<>=~!@#%^&|`?")];
auto const exclusion_element_inner = index_element[set(&ast::ExclusionElement::element)] >
                                     kw("with") > exclusion_operator[set(&ast::ExclusionElement::op)];
auto const exclusion_inner = kw("exclude") > -(!kw("using") >> ident[set(&ast::ExclusionConstraint::name)]) >
                             -(kw("using") > ident[([](auto& ctx) { x3::_val(ctx).method = x3::_attr(ctx).text; })]) >
                             '(' > (exclusion_element[push(&ast::ExclusionConstraint::elements)] % ',') > ')' >
                             -(kw("where") > group[set(&ast::ExclusionConstraint::where)]) >
                             -deferral<ast::ExclusionConstraint>();

auto const rls_inner = kw("row") > kw("level") > kw("security") > -kw("force")[flag(&ast::RowLevelSecurity::force)];

auto const policy_mode_def = word("permissive") | word("restrictive");
auto const policy_command_def = word("all") | word("select") | word("insert") | word("update") | word("delete");
auto const policy_inner = kw("policy") > ident[set(&ast::Policy::name)] > -policy_mode[set(&ast::Policy::mode)] >
                          kw("for") > policy_command[set(&ast::Policy::command)] >
                          -(kw("to") > ident_list[set(&ast::Policy::roles)]) >
                          -(kw("using") > group[set(&ast::Policy::using_expr)]) >
                          -(kw("with") > kw("check") > group[set(&ast::Policy::check_expr)]);

auto const trigger_timing_def =
    word("before") | word("after") | ((kw("instead") > kw("of")) >> x3::attr(std::string("instead of")));
auto const trigger_event_inner = (kw("insert")[put(&ast::TriggerEvent::kind, "insert")]) |
                                 (kw("update")[put(&ast::TriggerEvent::kind, "update")] >>
                                  -(kw("of") > ident_list[set(&ast::TriggerEvent::columns)])) |
                                 (kw("delete")[put(&ast::TriggerEvent::kind, "delete")]) |
                                 (kw("truncate")[put(&ast::TriggerEvent::kind, "truncate")]);
auto const trigger_level_def = word("row") | word("statement");
auto const trigger_argument_inner =
    x3::raw[x3::omit[string_literal_parser{} | number | plain_ident_parser{}]][([](auto& ctx) {
      auto const& a = x3::_attr(ctx);
      x3::_val(ctx).text.assign(a.begin(), a.end());
    })];
auto const transition_table = (kw("old") > kw("table") > -kw("as") > ident[set(&ast::Trigger::old_table)]) |
                              (kw("new") > kw("table") > -kw("as") > ident[set(&ast::Trigger::new_table)]);
auto const trigger_inner =
    -(kw("constraint")[flag(&ast::Trigger::constraint)]) >>
    kw("trigger") > ident[set(&ast::Trigger::name)] > trigger_timing[set(&ast::Trigger::timing)] >
    (trigger_event[push(&ast::Trigger::events)] % kw("or")) > -deferral<ast::Trigger>() >
    -(kw("referencing") > +transition_table) > -(kw("for") > -kw("each") > trigger_level[set(&ast::Trigger::level)]) >
    -(kw("when") > group[set(&ast::Trigger::when)]) > kw("execute") >
    -((kw("function") | kw("procedure")) >> !x3::lit('(')) > qname[set(&ast::Trigger::function)] > '(' >
    -(trigger_argument[push(&ast::Trigger::arguments)] % ',') > ')';

auto const privilege_def = word("select") | word("insert") | word("update") | word("delete") | word("truncate") |
                           word("references") | word("trigger") |
                           (kw("all") >> -kw("privileges") >> x3::attr(std::string("all")));
auto const grant_inner = kw("grant") > (privilege[push(&ast::Grant::privileges)] % ',') >
                         kw("to") > ident_list[set(&ast::Grant::roles)];
auto const drop_column_inner = kw("drop") > kw("column") > ident[set(&ast::DropColumn::name)];

// Top level: privileges on a function (identified by its parameter types) or a schema.
auto const object_privilege_word_def = word("execute") | word("usage") | word("create") | privilege;
auto const privilege_target =
    (kw("function")[put(&ast::ObjectPrivilege::kind, "function")] > qname[set(&ast::ObjectPrivilege::object)] > '(' >
     -(type_name[push(&ast::ObjectPrivilege::argument_types)] % ',') > ')') |
    (kw("procedure")[put(&ast::ObjectPrivilege::kind, "procedure")] > qname[set(&ast::ObjectPrivilege::object)] > '(' >
     -(type_name[push(&ast::ObjectPrivilege::argument_types)] % ',') > ')') |
    (kw("schema")[put(&ast::ObjectPrivilege::kind, "schema")] > qname[set(&ast::ObjectPrivilege::object)]) |
    (kw("sequence")[put(&ast::ObjectPrivilege::kind, "sequence")] > qname[set(&ast::ObjectPrivilege::object)]) |
    fail_with("'function NAME(TYPES)', 'procedure NAME(TYPES)', 'schema NAME' or 'sequence NAME'");
auto const object_grant_inner = kw("grant") > (object_privilege_word[push(&ast::ObjectPrivilege::privileges)] % ',') >
                                kw("on") > privilege_target > kw("to") > ident_list[set(&ast::ObjectPrivilege::roles)];
auto const object_revoke_inner = kw("revoke")[flag(&ast::ObjectPrivilege::revoke)] >
                                 (object_privilege_word[push(&ast::ObjectPrivilege::privileges)] % ',') >
                                 kw("on") > privilege_target >
                                 kw("from") > ident_list[set(&ast::ObjectPrivilege::roles)];

auto const default_privilege_kind_def = word("tables") | word("sequences") | word("functions");
auto const default_privilege_inner = kw("default") > kw("privileges") >
                                     -(kw("in") > kw("schema") > ident[set(&ast::DefaultPrivilege::schema)]) >
                                     ((kw("grant") >
                                       (object_privilege_word[push(&ast::DefaultPrivilege::privileges)] % ',') >
                                       kw("on") > default_privilege_kind[set(&ast::DefaultPrivilege::kind)] > kw("to") >
                                       ident_list[set(&ast::DefaultPrivilege::roles)]) |
                                      (kw("revoke")[flag(&ast::DefaultPrivilege::revoke)] >
                                       (object_privilege_word[push(&ast::DefaultPrivilege::privileges)] % ',') >
                                       kw("on") > default_privilege_kind[set(&ast::DefaultPrivilege::kind)] >
                                       kw("from") > ident_list[set(&ast::DefaultPrivilege::roles)]) |
                                      fail_with("'grant' or 'revoke'"));

auto const partition_number = x3::lexeme[+x3::digit];
auto const partition_inner =
    kw("partition") > qname[set(&ast::Partition::name)] > kw("of") > qname[set(&ast::Partition::parent)] >
    (kw("default")[flag(&ast::Partition::is_default)] |
     (kw("for") > kw("values") >
      ((kw("from") > group[set(&ast::Partition::from)] > kw("to") > group[set(&ast::Partition::to)]) |
       (kw("in") > group[set(&ast::Partition::in)]) |
       (kw("with") > '(' > kw("modulus") > partition_number[set(&ast::Partition::modulus)] > ',' > kw("remainder") >
        partition_number[set(&ast::Partition::remainder)] > ')') |
       fail_with("'from (..) to (..)', 'in (..)' or 'with (modulus N, remainder M)'"))) |
     fail_with("'for values ...' or 'default'"));

// Each alternative is tried only after its first word is seen (`&kw(...)` takes no
// attribute): a rule builds its member before it parses, and most lines are columns.
auto const member_def =
    doc[set(&Documented::doc)] >>
    ((&kw("primary") >> primary_key[assign(&Documented::member)]) |
     (&(kw("index") | kw("unique")) >> index[assign(&Documented::member)]) |
     (&kw("unique") >> unique_constraint[assign(&Documented::member)]) |
     (&kw("check") >> check_constraint[assign(&Documented::member)]) |
     (&kw("foreign") >> foreign_key[assign(&Documented::member)]) |
     (&(kw("exclude") >>
        (kw("using") | x3::lit('(') | (ident >> (kw("using") | (x3::lit('(') >> (group | ident) >> kw("with")))))) >>
      exclusion[assign(&Documented::member)]) |
     (&kw("row") >> rls[assign(&Documented::member)]) | (&kw("policy") >> policy[assign(&Documented::member)]) |
     (&(kw("trigger") | (kw("constraint") >> kw("trigger"))) >> trigger[assign(&Documented::member)]) |
     (&kw("grant") >> grant[assign(&Documented::member)]) | (&kw("drop") >> drop_column[assign(&Documented::member)]) |
     column[assign(&Documented::member)]);

auto const push_member = [](auto& ctx) {
  Documented& d = x3::_attr(ctx);
  std::visit(
      [&](auto& m) {
        if constexpr (requires { m.doc; }) m.doc = std::move(d.doc);
      },
      d.member);
  x3::_val(ctx).members.push_back(std::move(d.member));
};
auto const partition_method_def = word("range") | word("list") | word("hash");
auto const partition_by_inner = kw("partition") > kw("by") > partition_method[set(&ast::PartitionBy::method)] > '(' >
                                (index_element[push(&ast::PartitionBy::keys)] % ',') > ')';
auto const distribution_inner = kw("reference")[([](auto& ctx) { x3::_val(ctx).reference = true; })] |
                                (kw("distributed") > kw("by") > '(' > ident[set(&ast::Distribution::column)] > ')' >
                                 -(kw("colocate") > kw("with") > qname[set(&ast::Distribution::colocate_with)]));
auto const table_inner = kw("table") > qname[set(&ast::Table::name)] > -(kw("as") > ident[set(&ast::Table::row_type)]) >
                         -(kw("was") > qname[set(&ast::Table::was)]) > -partition_by[set(&ast::Table::partition_by)] >
                         -distribution[set(&ast::Table::distribution)] > '{' > *member[push_member] >
                         (x3::lit('}') | fail_with("a column, a table member or '}'"));

auto const extern_column_def = doc[set(&ast::Column::doc)] >> spanned(column_inner);
auto const extern_table_inner = kw("table") > qname[set(&ast::ExternTable::name)] > '{' >
                                *extern_column[push(&ast::ExternTable::columns)] >
                                (x3::lit('}') | fail_with("a column (name type) or '}'"));

auto const extension_inner = kw("extension") > ident[set(&ast::Extension::name)] >
                             -(kw("with") > kw("schema") > ident[set(&ast::Extension::schema)]);
auto const schema_decl_inner = kw("schema") > ident[set(&ast::SchemaDecl::name)];
auto const role_inner = kw("role") > ident[set(&ast::Role::name)];

auto const enum_value_inner = doc[set(&ast::EnumValue::doc)] >> (string_literal_parser{}[([](auto& ctx) {
                                                                   auto const& s = x3::_attr(ctx);
                                                                   std::string text;
                                                                   for (std::size_t i = 1; i + 1 < s.size(); ++i) {
                                                                     text += s[i];
                                                                     if (s[i] == '\'') ++i;
                                                                   }
                                                                   x3::_val(ctx).text = std::move(text);
                                                                   x3::_val(ctx).quoted = true;
                                                                 })] |
                                                                 plain_ident_parser{}[set(&ast::EnumValue::text)]);
auto const enum_decl_inner = kw("enum") > qname[set(&ast::Enum::name)] > '{' >
                             -(enum_value[push(&ast::Enum::values)] % ',') > -x3::lit(',') >
                             (x3::lit('}') | fail_with("an enum value or '}'"));

auto const extern_type_inner = kw("type") > qname[set(&ast::ExternType::name)];
auto const domain_check_inner =
    kw("check") > -ident[set(&ast::DomainCheck::name)] > group[set(&ast::DomainCheck::expression)];
auto const domain_inner = kw("domain") > qname[set(&ast::Domain::name)] > type_name[set(&ast::Domain::base)] >
                          *((kw("not") > kw("null"))[flag(&ast::Domain::not_null)] | kw("null") |
                            ((kw("default") >> !kw("privileges")) > default_term[set(&ast::Domain::default_value)]) |
                            domain_check[push(&ast::Domain::checks)]);
auto const field_inner =
    doc[set(&ast::Field::doc)] >> ident[set(&ast::Field::name)] > type_name[set(&ast::Field::type)];
auto const composite_type_inner = kw("type") > qname[set(&ast::CompositeType::name)] > '{' >
                                  *field[push(&ast::CompositeType::fields)] >
                                  (x3::lit('}') | fail_with("a field (name type) or '}'"));

auto const sequence_number_def = x3::lexeme[-x3::char_('-') >> +x3::digit];
auto const sequence_option =
    (kw("as") > type_name[set(&ast::Sequence::type)]) |
    (kw("increment") > -kw("by") > sequence_number[set(&ast::Sequence::increment)]) |
    (kw("minvalue") > sequence_number[set(&ast::Sequence::minvalue)]) |
    (kw("maxvalue") > sequence_number[set(&ast::Sequence::maxvalue)]) |
    (kw("start") > -kw("with") > sequence_number[set(&ast::Sequence::start)]) |
    (kw("cache") > sequence_number[set(&ast::Sequence::cache)]) | kw("cycle")[flag(&ast::Sequence::cycle)] |
    (kw("no") >
     (kw("minvalue") | kw("maxvalue") | kw("cycle") | fail_with("'minvalue', 'maxvalue' or 'cycle' after 'no'"))) |
    (kw("owned") > kw("by") > (kw("none") | (ident[push(&ast::Sequence::owned_by)] % '.')));
auto const sequence_inner = kw("sequence") > qname[set(&ast::Sequence::name)] > *sequence_option;

// `set search_path = a, b` or `= ''` (empty: only pg_catalog and pg_temp).
auto const search_path_def = (x3::lit("''") >> x3::attr(std::vector<ast::Ident>{})) | ident_list;
auto const volatility_def = word("immutable") | word("stable") | word("volatile");
auto const parallel_kind_def = word("safe") | word("restricted") | word("unsafe");
auto const security_kind_def = word("definer") | word("invoker");
auto const parameter_inner = ident[set(&ast::Parameter::name)] > type_name[set(&ast::Parameter::type)] >
                             -(kw("default") > default_term[set(&ast::Parameter::default_value)]);
auto const return_column_inner = ident[set(&ast::ReturnColumn::name)] > type_name[set(&ast::ReturnColumn::type)];
auto const function_option =
    (kw("language") > ident[([](auto& ctx) { x3::_val(ctx).language = x3::_attr(ctx).text; })]) |
    volatility[set(&ast::Function::volatility)] | kw("strict")[flag(&ast::Function::strict)] |
    (kw("parallel") > parallel_kind[set(&ast::Function::parallel)]) | kw("leakproof")[flag(&ast::Function::leakproof)] |
    (kw("cost") > x3::raw[number][([](auto& ctx) {
       auto const& a = x3::_attr(ctx);
       x3::_val(ctx).cost = std::string(a.begin(), a.end());
     })]) |
    (kw("rows") > x3::raw[number][([](auto& ctx) {
       auto const& a = x3::_attr(ctx);
       x3::_val(ctx).rows = std::string(a.begin(), a.end());
     })]) |
    (kw("security") > security_kind[set(&ast::Function::security)]) |
    (kw("set") > kw("search_path") > (x3::lit('=') | kw("to")) > search_path[([](auto& ctx) {
       x3::_val(ctx).search_path = std::move(x3::_attr(ctx));
       x3::_val(ctx).has_search_path = true;
     })]);
auto const return_type_def =
    (kw("table") > '(' > (return_column[push(&ast::Function::returns_table)] % ',') > ')') |
    (-kw("setof")[flag(&ast::Function::returns_setof)] >> type_name[set(&ast::Function::returns)]);
auto const merge_return_type = [](auto& ctx) {
  auto& f = x3::_val(ctx);
  auto& r = x3::_attr(ctx);
  f.returns_table = std::move(r.returns_table);
  f.returns_setof = r.returns_setof;
  f.returns = std::move(r.returns);
};
auto const function_inner = (kw("function") > qname[set(&ast::Function::name)] > '(' >
                             -(parameter[push(&ast::Function::parameters)] % ',') > ')' > kw("returns") >
                             return_type[merge_return_type]) >>
                            *function_option >> -(kw("as") > body[set(&ast::Function::body)]);
// A procedure has no result; its options are a function's that make sense for it.
auto const procedure_inner = (kw("procedure")[flag(&ast::Function::procedure)] > qname[set(&ast::Function::name)] >
                              '(' > -(parameter[push(&ast::Function::parameters)] % ',') > ')') >>
                             *function_option >> -(kw("as") > body[set(&ast::Function::body)]);

auto const view_inner = kw("view") > qname[set(&ast::View::name)] >
                        -(kw("with") > '(' > kw("security_invoker") > ')')[flag(&ast::View::security_invoker)] >
                        kw("as") > body[set(&ast::View::query)] >
                        -('{' > *grant[push(&ast::View::grants)] > (x3::lit('}') | fail_with("a grant or '}'")));
auto const materialized_view_inner = kw("materialized") > kw("view") > qname[set(&ast::MaterializedView::name)] >
                                     kw("as") > body[set(&ast::MaterializedView::query)] >
                                     -('{' >
                                       *(grant[push(&ast::MaterializedView::grants)] | (doc >> index)[([](auto& ctx) {
                                           auto& attr = x3::_attr(ctx);
                                           ast::Index ix = std::move(boost::fusion::at_c<1>(attr));
                                           ix.doc = std::move(boost::fusion::at_c<0>(attr));
                                           x3::_val(ctx).indexes.push_back(std::move(ix));
                                         })]) > (x3::lit('}') | fail_with("an index, a grant or '}'")));
auto const archive_inner = kw("archive") > kw("table") > qname[set(&ast::Archive::old_name)] >
                           kw("as") > ident[set(&ast::Archive::new_name)];
auto const drop_table_inner = kw("drop") > kw("table") > qname[set(&ast::DropTable::name)];
auto const data_step_inner = kw("data") > ident[set(&ast::DataStep::name)] > '{' >
                             -(kw("retain") > (qname[push(&ast::DataStep::retain)] % ',')) >
                             kw("up") > body[set(&ast::DataStep::up)] >
                             -(kw("down") > body[set(&ast::DataStep::down)]) > '}';
auto const assertion_inner = kw("assert") > ident[set(&ast::Assertion::name)] > body[set(&ast::Assertion::query)];
auto const query_result_def = word("one") | word("many") | word("exec");
auto const named_query_inner = kw("query") > ident[set(&ast::Query::name)] > '(' >
                               -(parameter[push(&ast::Query::parameters)] % ',') > ')' >
                               kw("returns") > query_result[set(&ast::Query::returns)] >
                               kw("as") > body[set(&ast::Query::query)];

auto const set_decl = [](auto& ctx) { x3::_val(ctx).decl = std::move(x3::_attr(ctx)); };
auto const extern_function = function[([](auto& ctx) {
  auto f = std::move(x3::_attr(ctx));
  f.is_extern = true;
  x3::_val(ctx).decl = std::move(f);
})];
auto const unlogged_table = (kw("unlogged") > table)[([](auto& ctx) {
  auto t = std::move(x3::_attr(ctx));
  t.unlogged = true;
  x3::_val(ctx).decl = std::move(t);
})];
auto const declaration_def = doc[set(&DocumentedDecl::doc)] >>
                             (table[set_decl] | view[set_decl] | materialized_view[set_decl] | function[set_decl] |
                              procedure[set_decl] | default_privilege[set_decl] | partition[set_decl] |
                              enum_decl[set_decl] | extension[set_decl] | schema_decl[set_decl] | role[set_decl] |
                              archive[set_decl] | drop_table[set_decl] | data_step[set_decl] | object_grant[set_decl] |
                              object_revoke[set_decl] | unlogged_table | domain[set_decl] | composite_type[set_decl] |
                              sequence[set_decl] | assertion[set_decl] | named_query[set_decl] |
                              (kw("extern") > (extern_table[set_decl] | extern_function | extern_type[set_decl] |
                                               fail_with("'table', 'function' or 'type' after 'extern'"))));

auto const ident_def = spanned(ident_inner);
auto const column_name_def = spanned(column_name_inner);
auto const qname_def = spanned(qname_inner);
auto const type_name_def = spanned(type_name_inner);
auto const group_def = spanned(group_inner);
auto const default_term_def = spanned(default_term_inner);
auto const reference_def = spanned(reference_inner);
auto const column_def = spanned(column_inner);
auto const primary_key_def = spanned(primary_key_inner);
auto const unique_constraint_def = spanned(unique_constraint_inner);
auto const check_constraint_def = spanned(check_constraint_inner);
auto const foreign_key_def = spanned(foreign_key_inner);
auto const index_element_def = spanned(index_element_inner);
auto const index_def = spanned(index_inner);
auto const exclusion_element_def = spanned(exclusion_element_inner);
auto const exclusion_def = spanned(exclusion_inner);
auto const rls_def = spanned(rls_inner);
auto const policy_def = spanned(policy_inner);
auto const trigger_event_def = spanned(trigger_event_inner);
auto const trigger_argument_def = spanned(trigger_argument_inner);
auto const trigger_def = spanned(trigger_inner);
auto const grant_def = spanned(grant_inner);
auto const object_grant_def = spanned(object_grant_inner);
auto const object_revoke_def = spanned(object_revoke_inner);
auto const drop_column_def = spanned(drop_column_inner);
auto const table_def = spanned(table_inner);
auto const extern_table_def = spanned(extern_table_inner);
auto const extension_def = spanned(extension_inner);
auto const schema_decl_def = spanned(schema_decl_inner);
auto const role_def = spanned(role_inner);
auto const enum_value_def = spanned(enum_value_inner);
auto const enum_decl_def = spanned(enum_decl_inner);
auto const extern_type_def = spanned(extern_type_inner);
auto const domain_check_def = spanned(domain_check_inner);
auto const domain_def = spanned(domain_inner);
auto const field_def = spanned(field_inner);
auto const composite_type_def = spanned(composite_type_inner);
auto const sequence_def = spanned(sequence_inner);
auto const parameter_def = spanned(parameter_inner);
auto const return_column_def = spanned(return_column_inner);
auto const function_def = spanned(function_inner);
auto const procedure_def = spanned(procedure_inner);
auto const default_privilege_def = spanned(default_privilege_inner);
auto const partition_by_def = spanned(partition_by_inner);
auto const distribution_def = spanned(distribution_inner);
auto const partition_def = spanned(partition_inner);
auto const view_def = spanned(view_inner);
auto const materialized_view_def = spanned(materialized_view_inner);
auto const archive_def = spanned(archive_inner);
auto const drop_table_def = spanned(drop_table_inner);
auto const data_step_def = spanned(data_step_inner);
auto const assertion_def = spanned(assertion_inner);
auto const named_query_def = spanned(named_query_inner);

BOOST_SPIRIT_DEFINE(doc_line, doc, ident, column_name, qname, type_modifier, type_name, group, body, default_term,
                    column_list, ident_list, fk_action, reference, column, primary_key, unique_constraint,
                    check_constraint, foreign_key, index_element, index, rls, policy_command, policy, trigger_timing,
                    trigger_event, trigger_level, trigger_argument, sort_order, nulls_order, policy_mode, volatility,
                    search_path, security_kind, trigger, privilege, grant, object_privilege_word, object_grant,
                    object_revoke, drop_column, member, table, extern_column, extern_table, extension, schema_decl,
                    role, enum_value, enum_decl, parameter, return_column, return_type, function, view,
                    materialized_view, archive, drop_table, data_step, declaration)
BOOST_SPIRIT_DEFINE(extern_type, domain_check, domain, field, composite_type, sequence_number, sequence,
                    exclusion_operator, exclusion_element, exclusion, procedure, parallel_kind, default_privilege_kind,
                    default_privilege, partition_by, partition, partition_method, distribution, assertion, named_query,
                    query_result)

const char* const declaration_keywords[] = {"table",     "view",    "materialized", "function", "enum", "extension",
                                            "schema",    "role",    "archive",      "drop",     "data", "extern",
                                            "grant",     "revoke",  "unlogged",     "domain",   "type", "sequence",
                                            "procedure", "default", "partition",    "assert",   "query"};

bool starts_declaration(Iterator p, Iterator last) {
  if (last - p >= 3 && p[0] == '/' && p[1] == '/' && p[2] == '/') return true;
  for (const char* k : declaration_keywords) {
    std::size_t n = std::strlen(k);
    if (static_cast<std::size_t>(last - p) >= n && std::memcmp(p, k, n) == 0 && (p + n == last || !is_ident_char(p[n])))
      return true;
  }
  return false;
}

// The start of the next line (after `from`) that begins with a declaration.
Iterator next_declaration_line(Iterator from, Iterator last) {
  Iterator p = from;
  for (;;) {
    while (p != last && *p != '\n') ++p;
    if (p == last) return last;
    ++p;
    if (starts_declaration(p, last)) return p;
  }
}

std::string_view word_at(Iterator p, Iterator last) {
  Iterator end = p;
  while (end != last && is_ident_char(*end)) ++end;
  return {p, static_cast<std::size_t>(end - p)};
}

Iterator skip_blanks(Iterator p, Iterator last) {
  while (p != last && (*p == ' ' || *p == '\t')) ++p;
  return p;
}

// An error inside a declaration's braces, said better where the line it is on shows
// what went wrong: a declaration that starts before the '}' of the one above, a
// misspelt member keyword, a column's modifier wrapped onto a line of its own.
// Returns where parsing resumes when that is the start of the error's line (a
// declaration the missing '}' ran into), else `last`.
Iterator refine_in_body(Iterator base, Iterator last, Iterator start, Iterator at, SyntaxError& error) {
  auto offset = [&](Iterator p) { return static_cast<std::uint32_t>(p - base); };
  Iterator head = start;  // after the declaration's doc comment, whose text may hold braces
  while (last - head >= 3 && head[0] == '/' && head[1] == '/' && head[2] == '/') {
    while (head != last && *head != '\n') ++head;
    head = skip_trivia_from(head, last);
  }
  if (head >= at) return last;
  Iterator brace = std::find(head, at, '{');
  if (brace == at) return last;
  if (at == last) {
    error.notes.push_back({offset(brace), "this '{' is never closed"});
    return last;
  }
  Iterator line = at;
  while (line != base && line[-1] != '\n') --line;
  if (line <= brace) return last;
  if (starts_declaration(line, last)) {
    error = {offset(line), "expected '}' before this declaration", {{offset(brace), "this '{' is never closed"}}};
    return line;
  }
  Iterator first = skip_blanks(line, last);
  std::string_view before(line, static_cast<std::size_t>(at - line));
  if (*at != '\0' && std::strchr("+-*/|&<>=%", *at) && before.find(" default ") != std::string_view::npos) {
    error.message +=
        ": a default that is an expression is written in parentheses, 'default (...)', which may span "
        "lines";
    return last;
  }
  std::string_view w1 = word_at(first, last);
  if (w1.empty()) return last;
  Iterator second = skip_blanks(first + static_cast<std::ptrdiff_t>(w1.size()), last);
  std::string_view w2 = word_at(second, last);
  static const std::vector<std::string> modifiers = {"default", "references", "generated", "identity",
                                                     "was",     "collate",    "not",       "null"};
  if (std::find(modifiers.begin(), modifiers.end(), w1) != modifiers.end()) {
    error = {offset(first),
             "'" + std::string(w1) +
                 "' starts a line of its own, so it is read as a new column: a column's modifiers follow its type on "
                 "the same line (or after a modifier keyword that ends a line)",
             {}};
    return last;
  }
  static const std::vector<std::string> members = {"primary", "unique",     "check",   "foreign", "index",
                                                   "exclude", "policy",     "trigger", "grant",   "drop",
                                                   "row",     "constraint", "force"};
  if (std::find(members.begin(), members.end(), w1) != members.end()) return last;
  // A member keyword's typo shows by what follows it (`indx on`, `primay key`,
  // `chek (`); a column whose name is close to one (`rows int`) does not.
  static const std::vector<std::string> follows = {"on",    "key",     "level",  "security", "for",    "before",
                                                   "after", "instead", "select", "insert",   "update", "delete",
                                                   "all",   "to",      "column", "using",    "if"};
  bool keyword_like =
      (second != last && *second == '(') || std::find(follows.begin(), follows.end(), w2) != follows.end();
  std::string hint = did_you_mean(w1, members);
  if (hint.empty() || !keyword_like) return last;
  error = {offset(first), "unknown table member '" + std::string(w1) + "'" + hint, {}};
  return last;
}

template <typename Decl>
void attach_doc(Decl& d, ast::Doc doc) {
  d.doc = std::move(doc);
}

}  // namespace

std::uint32_t skip_trivia(std::string_view text, std::uint32_t offset) {
  Iterator base = text.data();
  return static_cast<std::uint32_t>(skip_trivia_from(base + offset, base + text.size()) - base);
}

std::vector<SyntaxError> parse_declarations(std::string_view text, ast::File& out) {
  std::vector<SyntaxError> errors;
  Iterator const base = text.data();
  Iterator const last = base + text.size();
  Iterator first = base;
  auto offset = [&](Iterator p) { return static_cast<std::uint32_t>(p - base); };
  auto const parser = x3::with<base_tag>(base)[declaration];

  while (true) {
    first = skip_trivia_from(first, last);
    if (first == last) break;
    Iterator start = first;
    try {
      DocumentedDecl parsed;
      if (x3::phrase_parse(first, last, parser, skipper, parsed)) {
        std::visit([&](auto& d) { attach_doc(d, std::move(parsed.doc)); }, parsed.decl);
        out.declarations.push_back(std::move(parsed.decl));
        continue;
      }
      Iterator at = skip_trivia_from(first, last);
      Iterator after_doc = at;
      while (last - after_doc >= 3 && after_doc[0] == '/' && after_doc[1] == '/' && after_doc[2] == '/') {
        while (after_doc != last && *after_doc != '\n') ++after_doc;
        after_doc = skip_trivia_from(after_doc, last);
      }
      if (last - at >= 2 && at[0] == '/' && at[1] == '*')
        errors.push_back({offset(at), "unterminated comment: no '*/' closes this '/*'"});
      else if (after_doc == last)
        errors.push_back({offset(at), "expected a declaration after the doc comment"});
      else if (std::string hint = did_you_mean(
                   word_at(at, last),
                   std::vector<std::string>(std::begin(declaration_keywords), std::end(declaration_keywords)));
               !hint.empty())
        errors.push_back({offset(at), "expected a declaration, found '" + std::string(word_at(at, last)) + "'" + hint});
      else
        errors.push_back({offset(at),
                          "expected a declaration (table, unlogged table, view, materialized view, function, "
                          "procedure, enum, domain, type, sequence, extension, schema, role, extern, archive, "
                          "partition, drop table, data, assert, query, grant, revoke or default privileges)"});
      first = at;
    } catch (x3::expectation_failure<Iterator> const& e) {
      Iterator at = skip_trivia_from(e.where(), last);
      std::string found = at == last ? std::string("end of file") : std::string();
      if (found.empty()) {
        Iterator end = at;
        if (is_ident_char(*end))
          while (end != last && is_ident_char(*end) && end - at < 40) ++end;
        else
          ++end;
        found = "'" + std::string(at, end) + "'";
      }
      // Rules and keywords describe themselves; anything else would show as a C++
      // type name, which helps nobody.
      std::string which = e.which();
      SyntaxError error;
      if (which.find("boost") != std::string::npos || which.find("spirit") != std::string::npos)
        error = {offset(at), "unexpected " + found, {}};
      else
        error = {offset(at), "expected " + which + ", found " + found, {}};
      Iterator resume = refine_in_body(base, last, start, at, error);
      errors.push_back(std::move(error));
      if (resume != last) {  // the declaration the missing '}' ran into is parsed on its own
        first = resume;
        continue;
      }
      first = at;
    } catch (ScanFailure const& e) {
      errors.push_back({offset(e.where), e.message});
      first = e.where;
    }
    // Recover at the next line that starts a declaration.
    first = next_declaration_line(std::max(first, start), last);
    if (errors.size() >= 50) {
      errors.push_back({offset(first == last ? last : first), "too many errors; stopping"});
      break;
    }
  }
  return errors;
}

}  // namespace schemac::syntax
