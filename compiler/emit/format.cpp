#include "emit/format.hpp"

#include <algorithm>
#include <set>

#include "syntax/lexical.hpp"

namespace schemac::emit {
namespace {

// ---- where SQL text lies (comments inside it belong to the SQL) -------------------

struct Range {
  std::uint32_t begin, end;
};

void add(std::vector<Range>& out, const ast::SqlText& s) { out.push_back({s.span.begin, s.span.end}); }
void add(std::vector<Range>& out, const std::optional<ast::SqlText>& s) {
  if (s) add(out, *s);
}
void add(std::vector<Range>& out, const ast::Body& b) { out.push_back({b.span.begin, b.span.end}); }

void add_column(std::vector<Range>& out, const ast::Column& c) {
  add(out, c.default_value);
  add(out, c.check);
  add(out, c.generated);
}
void add_index(std::vector<Range>& out, const ast::Index& ix) {
  for (const auto& e : ix.elements) add(out, e.expression);
  add(out, ix.where);
}

std::vector<Range> sql_ranges(const ast::File& file) {
  std::vector<Range> out;
  for (const auto& d : file.declarations) {
    if (auto* t = std::get_if<ast::Table>(&d)) {
      for (const auto& m : t->members) {
        if (auto* c = std::get_if<ast::Column>(&m))
          add_column(out, *c);
        else if (auto* ck = std::get_if<ast::CheckConstraint>(&m))
          add(out, ck->expression);
        else if (auto* ix = std::get_if<ast::Index>(&m))
          add_index(out, *ix);
        else if (auto* p = std::get_if<ast::Policy>(&m))
          add(out, p->using_expr), add(out, p->check_expr);
        else if (auto* tr = std::get_if<ast::Trigger>(&m)) {
          add(out, tr->when);
          for (const auto& a : tr->arguments) add(out, a);
        }
      }
    } else if (auto* f = std::get_if<ast::Function>(&d)) {
      for (const auto& p : f->parameters) add(out, p.default_value);
      if (f->body) add(out, *f->body);
    } else if (auto* v = std::get_if<ast::View>(&d)) {
      add(out, v->query);
    } else if (auto* mv = std::get_if<ast::MaterializedView>(&d)) {
      add(out, mv->query);
      for (const auto& ix : mv->indexes) add_index(out, ix);
    } else if (auto* ds = std::get_if<ast::DataStep>(&d)) {
      add(out, ds->up);
      if (ds->down) add(out, *ds->down);
    } else if (auto* a = std::get_if<ast::Assertion>(&d)) {
      add(out, a->query);
    } else if (auto* q = std::get_if<ast::Query>(&d)) {
      for (const auto& p : q->parameters) add(out, p.default_value);
      add(out, q->query);
    }
  }
  std::sort(out.begin(), out.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
  return out;
}

// ---- ordinary comments -----------------------------------------------------------

struct Comment {
  std::uint32_t offset;
  std::uint32_t line;
  std::string text;  // as written, without trailing newline
  bool trailing;     // code precedes it on its line
  bool emitted = false;
};

std::vector<Comment> find_comments(const ast::File& file, const std::string& src) {
  auto ranges = sql_ranges(file);
  std::vector<Comment> out;
  std::size_t r = 0;
  std::uint32_t line = 1;
  bool code_on_line = false;
  std::uint32_t i = 0;
  auto n = static_cast<std::uint32_t>(src.size());
  auto advance_to = [&](std::uint32_t end) {
    for (; i < end && i < n; ++i)
      if (src[i] == '\n')
        ++line, code_on_line = false;
      else if (!std::isspace(static_cast<unsigned char>(src[i])))
        code_on_line = true;
  };
  while (i < n) {
    while (r < ranges.size() && ranges[r].end <= i) ++r;
    if (r < ranges.size() && ranges[r].begin == i) {
      advance_to(ranges[r].end);
      continue;
    }
    char c = src[i];
    if (c == '\n') {
      ++line;
      code_on_line = false;
      ++i;
    } else if (c == '/' && i + 1 < n && src[i + 1] == '/') {
      std::uint32_t end = i;
      while (end < n && src[end] != '\n') ++end;
      bool doc = i + 2 < n && src[i + 2] == '/' && (i + 3 >= n || src[i + 3] != '/');
      if (!doc) {
        std::string text = src.substr(i, end - i);
        while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) text.pop_back();
        out.push_back({i, line, text, code_on_line});
      }
      i = end;  // a doc comment is not code
    } else if (c == '/' && i + 1 < n && src[i + 1] == '*') {
      auto end = src.find("*/", i + 2);
      std::uint32_t stop = end == std::string::npos ? n : static_cast<std::uint32_t>(end + 2);
      out.push_back({i, line, src.substr(i, stop - i), code_on_line});
      bool before = code_on_line;
      advance_to(stop);
      code_on_line = before;
    } else if (c == '\'' || c == '"') {
      std::string error;
      const char* base = src.data();
      const char* end = c == '\'' ? syntax::scan_string(base + i, base + n, error)
                                  : syntax::scan_quoted_ident(base + i, base + n, error);
      advance_to(end ? static_cast<std::uint32_t>(end - base) : n);
    } else {
      if (!std::isspace(static_cast<unsigned char>(c))) code_on_line = true;
      ++i;
    }
  }
  return out;
}

// ---- printing ------------------------------------------------------------------------

bool plain_identifier(const std::string& s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_')) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Column names that would be read as the start of a table member.
const std::set<std::string> column_keywords = {"primary", "unique",  "check", "foreign", "index",   "row",
                                               "policy",  "trigger", "grant", "drop",    "exclude", "constraint"};

std::string id(const ast::Ident& i, const std::set<std::string>* reserved = nullptr) {
  if (plain_identifier(i.text) && !(reserved && reserved->count(i.text))) return i.text;
  return quoted(i.text);
}

std::string qname(const ast::QName& q) { return (q.schema ? id(*q.schema) + "." : std::string()) + id(q.name); }

std::string id_list(const std::vector<ast::Ident>& ids, const char* separator = ", ") {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? separator : "") + id(ids[i]);
  return out;
}

std::string type_name(const ast::TypeName& t) {
  std::string out = qname(t.name);
  if (!t.name.schema && !t.name.name.quoted && t.name.name.text.find(' ') != std::string::npos)
    out = t.name.name.text;  // double precision
  if (!t.modifiers.empty()) {
    out += "(";
    for (std::size_t i = 0; i < t.modifiers.size(); ++i) out += (i ? "," : "") + t.modifiers[i];
    out += ")";
  }
  for (int i = 0; i < t.array_dims; ++i) out += "[]";
  return out;
}

std::string group(const ast::SqlText& s) { return "(" + s.text + ")"; }
std::string body(const ast::Body& b) { return "$" + b.tag + "$" + b.text + "$" + b.tag + "$"; }

template <typename T>
std::string deferral(const T& x) {
  if (!x.deferrable) return "";
  return x.initially_deferred ? " deferrable initially deferred" : " deferrable";
}

std::string reference(const ast::Reference& r) {
  std::string out = qname(r.table);
  if (!r.columns.empty()) out += "(" + id_list(r.columns) + ")";
  if (!r.on_delete.empty()) out += " on delete " + r.on_delete;
  if (!r.on_update.empty()) out += " on update " + r.on_update;
  return out + deferral(r);
}

std::string index_element_text(const ast::IndexElement& e) {
  std::string out = e.column ? id(*e.column) : group(*e.expression);
  if (e.collation) out += " collate " + id(*e.collation);
  if (e.opclass) out += " " + qname(*e.opclass);
  if (!e.order.empty()) out += " " + e.order;
  if (!e.nulls.empty()) out += " nulls " + e.nulls;
  return out;
}

std::string index_text(const ast::Index& ix) {
  static const std::set<std::string> index_name_keywords = {"on"};
  std::string out = ix.unique ? "unique index" : "index";
  if (ix.name) out += " " + id(*ix.name, &index_name_keywords);
  out += " on (";
  for (std::size_t i = 0; i < ix.elements.size(); ++i) out += (i ? ", " : "") + index_element_text(ix.elements[i]);
  out += ")";
  if (!ix.method.empty()) out += " using " + ix.method;
  if (!ix.include.empty()) out += " include (" + id_list(ix.include) + ")";
  if (ix.nulls_not_distinct) out += " nulls not distinct";
  if (ix.where) out += " where " + group(*ix.where);
  return out;
}

std::string exclusion_text(const ast::ExclusionConstraint& x) {
  static const std::set<std::string> name_keywords = {"using"};
  std::string out = "exclude";
  if (x.name) out += " " + id(*x.name, &name_keywords);
  if (!x.method.empty()) out += " using " + x.method;
  out += " (";
  for (std::size_t i = 0; i < x.elements.size(); ++i)
    out += (i ? ", " : "") + index_element_text(x.elements[i].element) + " with " + x.elements[i].op;
  out += ")";
  if (x.where) out += " where " + group(*x.where);
  return out + deferral(x);
}

constexpr std::size_t max_width = 100;  // longer lines are wrapped where the syntax allows

class Printer {
 public:
  Printer(const ast::File& file, const std::string& src) : file_(file), src_(src) {
    comments_ = find_comments(file, src);
    line_starts_.push_back(0);
    for (std::uint32_t i = 0; i < src.size(); ++i)
      if (src[i] == '\n') line_starts_.push_back(i + 1);
  }

  std::string run() {
    bool first = true;
    std::size_t previous_kind = std::variant_npos;
    for (const auto& d : file_.declarations) {
      std::uint32_t begin = std::visit([](const auto& x) { return x.span.begin; }, d);
      // One-line declarations of one kind (roles, extensions, ...) stay together.
      bool grouped = d.index() == previous_kind && one_line_kind(d) && !has_doc(d) && !blank_line_before(begin);
      if (!first && !grouped) out_ += "\n";
      first = false;
      previous_kind = d.index();
      leading_comments(begin, "");
      std::visit([&](const auto& x) { print(x); }, d);
    }
    // Whatever is left (comments at the end of the file).
    bool any = false;
    for (auto& c : comments_)
      if (!c.emitted) {
        if (!any && !first) out_ += "\n";
        any = true;
        out_ += c.text + "\n";
        c.emitted = true;
      }
    return out_;
  }

 private:
  static bool one_line_kind(const ast::Declaration& d) {
    return std::holds_alternative<ast::Extension>(d) || std::holds_alternative<ast::SchemaDecl>(d) ||
           std::holds_alternative<ast::Role>(d) || std::holds_alternative<ast::Archive>(d) ||
           std::holds_alternative<ast::DropTable>(d) || std::holds_alternative<ast::ObjectPrivilege>(d);
  }
  static bool has_doc(const ast::Declaration& d) {
    return std::visit([](const auto& x) { return !x.doc.empty(); }, d);
  }

  std::uint32_t line_of(std::uint32_t offset) const {
    return static_cast<std::uint32_t>(std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) -
                                      line_starts_.begin());
  }

  void leading_comments(std::uint32_t before, const std::string& indent) {
    for (auto& c : comments_)
      if (!c.emitted && c.offset < before) {
        out_ += indent + c.text + "\n";
        c.emitted = true;
      }
  }

  // Emits `text` as the line of the node starting at `begin`, with any comment that
  // follows code on the node's first line.
  void line(const std::string& indent, const std::string& text, std::uint32_t begin) {
    out_ += indent + text;
    std::uint32_t l = line_of(begin);
    for (auto& c : comments_)
      if (!c.emitted && c.trailing && c.offset > begin && c.line == l) {
        out_ += "  " + c.text;
        c.emitted = true;
      }
    out_ += "\n";
  }

  void doc(const ast::Doc& d, const std::string& indent) {
    for (const auto& l : d) out_ += indent + (l.empty() ? "///" : "/// " + l) + "\n";
  }

  // Whether a blank line precedes the node's line in the source, above any comment
  // lines directly before it (groups of members keep their separation).
  bool blank_line_before(std::uint32_t offset) const {
    for (std::uint32_t l = line_of(offset); l-- > 1;) {
      std::uint32_t b = line_starts_[l - 1],
                    e = l < line_starts_.size() ? line_starts_[l] : static_cast<std::uint32_t>(src_.size());
      std::string_view text(src_.data() + b, e - b);
      auto first = text.find_first_not_of(" \t\r\n");
      if (first == std::string_view::npos) return true;
      if (text.substr(first, 2) != "//" && text.substr(first, 2) != "/*") return false;
    }
    return false;
  }

  void close_block(std::uint32_t end, const std::string& indent) {
    leading_comments(end, indent + "  ");
    out_ += indent + "}\n";
  }

  void print(const ast::Extension& e) {
    doc(e.doc, "");
    line("", "extension " + id(e.name) + (e.schema ? " with schema " + id(*e.schema) : ""), e.span.begin);
  }
  void print(const ast::SchemaDecl& s) {
    doc(s.doc, "");
    line("", "schema " + id(s.name), s.span.begin);
  }
  void print(const ast::Role& r) {
    doc(r.doc, "");
    line("", "role " + id(r.name), r.span.begin);
  }

  static std::string enum_value(const ast::EnumValue& v) {
    if (plain_identifier(v.text)) return v.text;
    std::string out = "'";
    for (char c : v.text) {
      if (c == '\'') out += '\'';
      out += c;
    }
    return out + "'";
  }

  void print(const ast::Enum& e) {
    doc(e.doc, "");
    bool any_doc = false;
    bool any_comment = false;
    for (const auto& v : e.values) any_doc |= !v.doc.empty();
    for (const auto& c : comments_) any_comment |= !c.emitted && c.offset > e.span.begin && c.offset < e.span.end;
    std::string head = "enum " + qname(e.name) + " {";
    if (!any_doc && !any_comment) {
      std::string values;
      for (std::size_t i = 0; i < e.values.size(); ++i) values += (i ? ", " : "") + enum_value(e.values[i]);
      line("", head + (values.empty() ? "}" : " " + values + " }"), e.span.begin);
      return;
    }
    line("", head, e.span.begin);
    for (std::size_t i = 0; i < e.values.size(); ++i) {
      const auto& v = e.values[i];
      leading_comments(v.span.begin, "  ");
      doc(v.doc, "  ");
      line("  ", enum_value(v) + (i + 1 < e.values.size() ? "," : ""), v.span.begin);
    }
    close_block(e.span.end, "");
  }

  void print(const ast::Sequence& s) {
    doc(s.doc, "");
    std::string out = "sequence " + qname(s.name);
    if (s.type) out += " as " + type_name(*s.type);
    if (s.increment) out += " increment " + *s.increment;
    if (s.minvalue) out += " minvalue " + *s.minvalue;
    if (s.maxvalue) out += " maxvalue " + *s.maxvalue;
    if (s.start) out += " start " + *s.start;
    if (s.cache) out += " cache " + *s.cache;
    if (s.cycle) out += " cycle";
    if (!s.owned_by.empty()) out += " owned by " + id_list(s.owned_by, ".");
    line("", out, s.span.begin);
  }

  void print(const ast::DefaultPrivilege& d) {
    doc(d.doc, "");
    std::string out = "default privileges";
    if (d.schema) out += " in schema " + id(*d.schema);
    out += d.revoke ? " revoke " : " grant ";
    for (std::size_t i = 0; i < d.privileges.size(); ++i) out += (i ? ", " : "") + d.privileges[i];
    out += " on " + d.kind + (d.revoke ? " from " : " to ") + id_list(d.roles);
    line("", out, d.span.begin);
  }

  void print(const ast::Partition& p) {
    doc(p.doc, "");
    std::string out = "partition " + qname(p.name) + " of " + qname(p.parent);
    if (p.is_default)
      out += " default";
    else if (p.in)
      out += " for values in " + group(*p.in);
    else if (p.modulus)
      out += " for values with (modulus " + *p.modulus + ", remainder " + p.remainder.value_or("0") + ")";
    else
      out += " for values from " + group(*p.from) + " to " + group(*p.to);
    line("", out, p.span.begin);
  }

  void print(const ast::ExternType& t) {
    doc(t.doc, "");
    line("", "extern type " + qname(t.name), t.span.begin);
  }

  void print(const ast::Domain& d) {
    doc(d.doc, "");
    std::string out = "domain " + qname(d.name) + " " + type_name(d.base);
    if (d.not_null) out += " not null";
    if (d.default_value) out += " default " + d.default_value->text;
    std::vector<std::string> checks;
    std::size_t width = out.size();
    for (const auto& c : d.checks) {
      checks.push_back("check " + (c.name ? id(*c.name) + " " : std::string()) + group(c.expression));
      width += 1 + checks.back().size();
    }
    // Long domains put each check on a line of its own.
    for (const auto& c : checks) out += (width > max_width ? "\n    " : " ") + c;
    line("", out, d.span.begin);
  }

  void print(const ast::CompositeType& c) {
    doc(c.doc, "");
    line("", "type " + qname(c.name) + " {", c.span.begin);
    std::size_t name_width = 0;
    for (const auto& f : c.fields) name_width = std::max(name_width, id(f.name, &column_keywords).size());
    for (const auto& f : c.fields) {
      leading_comments(f.span.begin, "  ");
      doc(f.doc, "  ");
      std::string name = id(f.name, &column_keywords);
      line("  ", name + std::string(name_width - name.size() + 1, ' ') + type_name(f.type), f.span.begin);
    }
    close_block(c.span.end, "");
  }

  std::string column_head(const ast::Column& c, std::size_t name_width, std::size_t type_width) {
    std::string name = id(c.name, &column_keywords);
    std::string type = type_name(c.type) + (c.nullable ? "?" : "");
    std::string attrs = column_attributes(c);
    std::string out = name;
    if (attrs.empty()) return out + std::string(name_width - name.size() + 1, ' ') + type;
    out += std::string(name_width - name.size() + 1, ' ') + type;
    out += std::string(type_width - type.size() + 1, ' ') + attrs;
    return out;
  }

  static std::string column_attributes(const ast::Column& c) {
    std::vector<std::string> a;
    if (c.primary_key) a.push_back("primary key");
    if (c.identity) a.push_back("identity");
    if (c.unique) a.push_back("unique");
    if (c.default_value) a.push_back("default " + c.default_value->text);
    if (c.generated) a.push_back("generated " + group(*c.generated));
    if (c.references) a.push_back("references " + reference(*c.references));
    if (c.check) a.push_back("check " + group(*c.check));
    if (c.was) a.push_back("was " + id(*c.was));
    std::string out;
    for (std::size_t i = 0; i < a.size(); ++i) out += (i ? " " : "") + a[i];
    return out;
  }

  static std::uint32_t begin_of(const ast::TableMember& m) {
    return std::visit([](const auto& x) { return x.span.begin; }, m);
  }

  std::string member_text(const ast::TableMember& m) {
    struct Visitor {
      std::string operator()(const ast::Column&) const { return ""; }
      std::string operator()(const ast::PrimaryKey& p) const {
        return "primary key (" + id_list(p.columns) + ")" + deferral(p);
      }
      std::string operator()(const ast::UniqueConstraint& u) const {
        static const std::set<std::string> reserved = {"index", "nulls"};
        return "unique" + std::string(u.nulls_not_distinct ? " nulls not distinct" : "") +
               (u.name ? " " + id(*u.name, &reserved) : std::string()) + " (" + id_list(u.columns) + ")" + deferral(u);
      }
      std::string operator()(const ast::CheckConstraint& c) const {
        return "check" + (c.name ? " " + id(*c.name) : std::string()) + " " + group(c.expression);
      }
      std::string operator()(const ast::ForeignKey& f) const {
        return "foreign key" + (f.name ? " " + id(*f.name) : std::string()) + " (" + id_list(f.columns) +
               ") references " + reference(f.references);
      }
      std::string operator()(const ast::Index& ix) const { return index_text(ix); }
      std::string operator()(const ast::ExclusionConstraint& x) const { return exclusion_text(x); }
      std::string operator()(const ast::RowLevelSecurity& r) const {
        return r.force ? "row level security force" : "row level security";
      }
      std::string operator()(const ast::Policy& p) const {
        std::string out = "policy " + id(p.name);
        if (!p.mode.empty()) out += " " + p.mode;
        out += " for " + p.command;
        if (!p.roles.empty()) out += " to " + id_list(p.roles);
        std::vector<std::string> clauses;
        if (p.using_expr) clauses.push_back("using " + group(*p.using_expr));
        if (p.check_expr) clauses.push_back("with check " + group(*p.check_expr));
        std::size_t width = out.size();
        for (const auto& c : clauses) width += 1 + c.size();
        // Long policies put each clause on a line of its own.
        for (const auto& c : clauses) out += (width > max_width ? "\n      " : " ") + c;
        return out;
      }
      std::string operator()(const ast::Trigger& t) const {
        std::string out =
            std::string(t.constraint ? "constraint " : "") + "trigger " + id(t.name) + " " + t.timing + " ";
        for (std::size_t i = 0; i < t.events.size(); ++i) {
          out += (i ? " or " : "") + t.events[i].kind;
          if (!t.events[i].columns.empty()) out += " of " + id_list(t.events[i].columns);
        }
        out += deferral(t);
        if (t.old_table || t.new_table) {
          out += " referencing";
          if (t.old_table) out += " old table as " + id(*t.old_table);
          if (t.new_table) out += " new table as " + id(*t.new_table);
        }
        if (!t.level.empty()) out += " for each " + t.level;
        std::vector<std::string> clauses;
        if (t.when) clauses.push_back("when " + group(*t.when));
        std::string call = "execute " + qname(t.function) + "(";
        for (std::size_t i = 0; i < t.arguments.size(); ++i) call += (i ? ", " : "") + t.arguments[i].text;
        clauses.push_back(call + ")");
        std::size_t width = out.size();
        for (const auto& c : clauses) width += 1 + c.size();
        // As for policies: a long trigger puts `when` and `execute` on lines of their own.
        for (const auto& c : clauses) out += (width > max_width ? "\n      " : " ") + c;
        return out;
      }
      std::string operator()(const ast::Grant& g) const {
        std::string out = "grant ";
        for (std::size_t i = 0; i < g.privileges.size(); ++i) out += (i ? ", " : "") + g.privileges[i];
        return out + " to " + id_list(g.roles);
      }
      std::string operator()(const ast::DropColumn& d) const { return "drop column " + id(d.name); }
    };
    return std::visit(Visitor{}, m);
  }

  void print(const ast::Table& t) {
    doc(t.doc, "");
    std::string head = std::string(t.unlogged ? "unlogged " : "") + "table " + qname(t.name);
    if (t.row_type) head += " as " + id(*t.row_type);
    if (t.was) head += " was " + qname(*t.was);
    if (t.partition_by) {
      head += " partition by " + t.partition_by->method + " (";
      for (std::size_t i = 0; i < t.partition_by->keys.size(); ++i)
        head += (i ? ", " : "") + index_element_text(t.partition_by->keys[i]);
      head += ")";
    }
    if (t.distribution) {
      if (t.distribution->reference)
        head += " reference";
      else if (t.distribution->column)
        head += " distributed by (" + id(*t.distribution->column) + ")";
      if (t.distribution->colocate_with) head += " colocate with " + qname(*t.distribution->colocate_with);
    }
    line("", head + " {", t.span.begin);
    // Align column types and attributes.
    std::size_t name_width = 0, type_width = 0;
    for (const auto& m : t.members)
      if (auto* c = std::get_if<ast::Column>(&m)) {
        name_width = std::max(name_width, id(c->name, &column_keywords).size());
        type_width = std::max(type_width, type_name(c->type).size() + (c->nullable ? 1 : 0));
      }
    for (std::size_t i = 0; i < t.members.size(); ++i) {
      const auto& m = t.members[i];
      std::uint32_t begin = begin_of(m);
      if (i > 0 && blank_line_before(begin)) out_ += "\n";
      leading_comments(begin, "  ");
      std::visit(
          [&](const auto& x) {
            if constexpr (requires { x.doc; }) doc(x.doc, "  ");
          },
          m);
      if (auto* c = std::get_if<ast::Column>(&m))
        line("  ", column_head(*c, name_width, type_width), begin);
      else
        line("  ", member_text(m), begin);
    }
    close_block(t.span.end, "");
  }

  void print(const ast::ExternTable& t) {
    doc(t.doc, "");
    line("", "extern table " + qname(t.name) + " {", t.span.begin);
    std::size_t name_width = 0, type_width = 0;
    for (const auto& c : t.columns) {
      name_width = std::max(name_width, id(c.name, &column_keywords).size());
      type_width = std::max(type_width, type_name(c.type).size() + (c.nullable ? 1 : 0));
    }
    for (const auto& c : t.columns) {
      leading_comments(c.span.begin, "  ");
      doc(c.doc, "  ");
      line("  ", column_head(c, name_width, type_width), c.span.begin);
    }
    close_block(t.span.end, "");
  }

  void print(const ast::Function& f) {
    doc(f.doc, "");
    std::string head =
        std::string(f.is_extern ? "extern " : "") + (f.procedure ? "procedure " : "function ") + qname(f.name) + "(";
    std::vector<std::string> params;
    for (const auto& p : f.parameters)
      params.push_back(id(p.name) + " " + type_name(p.type) +
                       (p.default_value ? " default " + p.default_value->text : ""));
    std::string returns = f.procedure ? ")" : ") returns ";
    if (!f.returns_table.empty()) {
      returns += "table (";
      for (std::size_t i = 0; i < f.returns_table.size(); ++i)
        returns += (i ? ", " : "") + id(f.returns_table[i].name) + " " + type_name(f.returns_table[i].type);
      returns += ")";
    } else if (f.returns) {
      returns += (f.returns_setof ? "setof " : "") + type_name(*f.returns);
    }
    std::string one_line = head;
    for (std::size_t i = 0; i < params.size(); ++i) one_line += (i ? ", " : "") + params[i];
    if (one_line.size() + returns.size() <= max_width || params.empty()) {
      head = one_line + returns;
    } else {
      for (std::size_t i = 0; i < params.size(); ++i) head += "\n    " + params[i] + (i + 1 < params.size() ? "," : "");
      head += "\n" + returns;
    }
    std::vector<std::string> options;
    if (!f.language.empty()) options.push_back("language " + f.language);
    if (!f.volatility.empty()) options.push_back(f.volatility);
    if (f.strict) options.push_back("strict");
    if (!f.parallel.empty()) options.push_back("parallel " + f.parallel);
    if (f.leakproof) options.push_back("leakproof");
    if (f.cost) options.push_back("cost " + *f.cost);
    if (f.rows) options.push_back("rows " + *f.rows);
    if (!f.security.empty()) options.push_back("security " + f.security);
    if (f.has_search_path)
      options.push_back("set search_path = " + (f.search_path.empty() ? std::string("''") : id_list(f.search_path)));
    if (f.body) options.push_back("as $" + f.body->tag + "$");
    std::string tail;
    for (const auto& o : options) tail += " " + o;
    std::size_t last_line = head.size() - (head.rfind('\n') == std::string::npos ? 0 : head.rfind('\n') + 1);
    head += last_line + tail.size() > max_width ? "\n " + tail : tail;
    if (f.body) head += f.body->text + "$" + f.body->tag + "$";
    line("", head, f.span.begin);
  }

  void print(const ast::View& v) {
    doc(v.doc, "");
    std::string head =
        "view " + qname(v.name) + (v.security_invoker ? " with (security_invoker)" : "") + " as " + body(v.query);
    if (v.grants.empty()) {
      line("", head, v.span.begin);
      return;
    }
    line("", head + " {", v.span.begin);
    for (const auto& g : v.grants) {
      leading_comments(g.span.begin, "  ");
      line("  ", member_text(g), g.span.begin);
    }
    close_block(v.span.end, "");
  }

  void print(const ast::MaterializedView& v) {
    doc(v.doc, "");
    std::string head = "materialized view " + qname(v.name) + " as " + body(v.query);
    if (v.indexes.empty() && v.grants.empty()) {
      line("", head, v.span.begin);
      return;
    }
    line("", head + " {", v.span.begin);
    for (const auto& ix : v.indexes) {
      leading_comments(ix.span.begin, "  ");
      doc(ix.doc, "  ");
      line("  ", index_text(ix), ix.span.begin);
    }
    for (const auto& g : v.grants) {
      leading_comments(g.span.begin, "  ");
      line("  ", member_text(g), g.span.begin);
    }
    close_block(v.span.end, "");
  }

  void print(const ast::ObjectPrivilege& p) {
    doc(p.doc, "");
    std::string out = p.revoke ? "revoke " : "grant ";
    for (std::size_t i = 0; i < p.privileges.size(); ++i) out += (i ? ", " : "") + p.privileges[i];
    out += " on " + p.kind + " " + qname(p.object);
    if (p.kind == "function" || p.kind == "procedure") {
      out += "(";
      for (std::size_t i = 0; i < p.argument_types.size(); ++i) out += (i ? ", " : "") + type_name(p.argument_types[i]);
      out += ")";
    }
    line("", out + (p.revoke ? " from " : " to ") + id_list(p.roles), p.span.begin);
  }

  void print(const ast::Archive& a) {
    doc(a.doc, "");
    line("", "archive table " + qname(a.old_name) + " as " + id(a.new_name), a.span.begin);
  }
  void print(const ast::DropTable& d) {
    doc(d.doc, "");
    line("", "drop table " + qname(d.name), d.span.begin);
  }
  void print(const ast::DataStep& d) {
    doc(d.doc, "");
    line("", "data " + id(d.name) + " {", d.span.begin);
    if (!d.retain.empty()) {
      std::string names;
      for (const auto& n : d.retain) names += (names.empty() ? "" : ", ") + qname(n);
      out_ += "  retain " + names + "\n";
    }
    out_ += "  up " + body(d.up) + "\n";
    if (d.down) out_ += "  down " + body(*d.down) + "\n";
    close_block(d.span.end, "");
  }
  void print(const ast::Assertion& a) {
    doc(a.doc, "");
    line("", "assert " + id(a.name) + " " + body(a.query), a.span.begin);
  }
  void print(const ast::Query& q) {
    doc(q.doc, "");
    std::string head = "query " + id(q.name) + "(";
    for (std::size_t i = 0; i < q.parameters.size(); ++i) {
      const auto& p = q.parameters[i];
      head += (i ? ", " : "") + id(p.name) + " " + type_name(p.type) +
              (p.default_value ? " default " + p.default_value->text : "");
    }
    line("", head + ") returns " + q.returns + " as " + body(q.query), q.span.begin);
  }

  const ast::File& file_;
  const std::string& src_;
  std::vector<Comment> comments_;
  std::vector<std::uint32_t> line_starts_;
  std::string out_;
};

}  // namespace

std::string format_file(const ast::File& file, const std::string& source) { return Printer(file, source).run(); }

std::size_t count_comments(const ast::File& file, const std::string& source) {
  return find_comments(file, source).size();
}

}  // namespace schemac::emit
