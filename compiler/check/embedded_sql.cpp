#include "check/embedded_sql.hpp"

#include <pg_query.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

namespace schemac::check {
namespace {

// Byte offset of the `chars`-th character (0-based) of a UTF-8 string, clamped.
std::size_t byte_offset(const std::string& s, std::size_t chars) {
  std::size_t i = 0;
  for (std::size_t seen = 0; i < s.size() && seen < chars; ++seen) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  }
  return i;
}

std::string type_text(const ast::TypeName& t) {
  std::string out = (t.name.schema ? t.name.schema->text + "." : "") + t.name.name.text;
  if (!t.modifiers.empty()) {
    out += "(";
    for (std::size_t i = 0; i < t.modifiers.size(); ++i) out += (i ? "," : "") + t.modifiers[i];
    out += ")";
  }
  for (int i = 0; i < t.array_dims; ++i) out += "[]";
  return out;
}

std::string quoted(const std::string& id) {
  std::string out = "\"";
  for (char c : id) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

struct Reference {
  model::QualifiedName name;
  std::size_t location = 0;  // byte offset in the parsed text
};

// What a parse tree names: relations read (RangeVar, less the query's own CTE
// names) and functions called (FuncCall).
struct Names {
  std::vector<Reference> relations;
  std::vector<model::QualifiedName> functions;
};

std::string string_node(const nlohmann::json& j) {
  if (j.contains("String")) return j["String"].value("sval", "");
  return "";
}

void collect(const nlohmann::json& j, Names& out, std::set<std::string>& ctes) {
  if (j.is_array()) {
    for (const auto& x : j) collect(x, out, ctes);
    return;
  }
  if (!j.is_object()) return;
  for (const auto& [key, value] : j.items()) {
    if (key == "CommonTableExpr") ctes.insert(value.value("ctename", ""));
    if (key == "RangeVar") {
      model::QualifiedName n;
      if (value.contains("schemaname")) n.schema = value["schemaname"].get<std::string>();
      n.name = value.value("relname", "");
      out.relations.push_back({n, value.value("location", 0u)});
    }
    if (key == "FuncCall" && value.contains("funcname")) {
      const auto& parts = value["funcname"];
      model::QualifiedName n;
      if (parts.size() == 2) n.schema = string_node(parts[0]);
      n.name = string_node(parts[parts.size() - 1]);
      out.functions.push_back(n);
    }
    collect(value, out, ctes);
  }
}

Names names_in(const std::string& parse_tree) {
  Names out;
  std::set<std::string> ctes;
  collect(nlohmann::json::parse(parse_tree), out, ctes);
  std::erase_if(out.relations, [&](const Reference& r) { return r.name.schema == "public" && ctes.count(r.name.name); });
  return out;
}

class Checker {
 public:
  Checker(Diagnostics& diags, int file, const std::set<model::QualifiedName>& relations)
      : diags_(diags), file_(file), relations_(relations) {}

  // What the last parse named (empty after a syntax error).
  const Names& names() const { return names_; }

  // An expression: parsed as `SELECT (<text>)`, so that trailing words cannot pass
  // for a column alias; the newline ends a trailing `--` comment. `text_begin` is
  // where the text starts in the file.
  void expression(const std::string& text, std::uint32_t text_begin, const char* what, bool names_relations = false) {
    static const std::string prefix = "SELECT (";
    parse(prefix + text + "\n)", text, text_begin, prefix.size(), what, names_relations);
  }
  // `( ... )`: the text starts after the '('. `names_relations`: the tables it names
  // must be declared (policies).
  void expression(const ast::SqlText& group, const char* what, bool names_relations = false) {
    expression(group.text, group.span.begin + 1, what, names_relations);
  }
  void default_term(const ast::SqlText& term, const char* what) { expression(term.text, term.span.begin, what); }

  // Statements (a view query, a data step, an SQL function body). Only queries that
  // the schema keeps (views) must name declared relations: a function or a data step
  // may read what the migration drops or creates on the fly.
  void statements(const ast::Body& body, const char* what, bool names_relations = false) {
    parse(body.text, body.text, body_begin(body), 0, what, names_relations);
  }

  void plpgsql(const ast::Function& f) {
    std::string signature = "CREATE FUNCTION f(";
    for (std::size_t i = 0; i < f.parameters.size(); ++i)
      signature += (i ? ", " : "") + quoted(f.parameters[i].name.text) + " " + type_text(f.parameters[i].type);
    signature += ") RETURNS ";
    if (!f.returns_table.empty()) {
      signature += "TABLE(";
      for (std::size_t i = 0; i < f.returns_table.size(); ++i)
        signature += (i ? ", " : "") + quoted(f.returns_table[i].name.text) + " " + type_text(f.returns_table[i].type);
      signature += ")";
    } else if (f.returns) {
      signature += (f.returns_setof ? "SETOF " : "") + type_text(*f.returns);
    }
    const ast::Body& body = *f.body;
    std::string tag = "$" + body.tag + "$";
    PgQueryPlpgsqlParseResult result = pg_query_parse_plpgsql((signature + " LANGUAGE plpgsql AS " + tag + body.text + tag).c_str());
    if (result.error) {
      // PL/pgSQL says which line of the body ("near line N"), not which column.
      std::string context = result.error->context ? result.error->context : "";
      std::smatch m;
      std::uint32_t at = body_begin(body);
      if (std::regex_search(context, m, std::regex("near line ([0-9]+)"))) {
        int line = std::stoi(m[1].str());
        std::size_t offset = 0;
        for (int l = 1; l < line && offset != std::string::npos; ++l) {
          offset = body.text.find('\n', offset);
          if (offset != std::string::npos) ++offset;
        }
        if (offset != std::string::npos) {
          offset = std::min(body.text.find_first_not_of(" \t", offset), body.text.size());
          at += static_cast<std::uint32_t>(offset);
        }
      }
      diags_.error({file_, at}, std::string("SQL error in PL/pgSQL function body: ") + result.error->message);
    }
    pg_query_free_plpgsql_parse_result(result);
  }

 private:
  static std::uint32_t body_begin(const ast::Body& b) {
    return b.span.begin + static_cast<std::uint32_t>(b.tag.size()) + 2;
  }

  void parse(const std::string& query, const std::string& text, std::uint32_t text_begin, std::size_t prefix,
             const char* what, bool names_relations) {
    names_ = {};
    PgQueryParseResult result = pg_query_parse(query.c_str());
    if (!result.error) {
      names_ = names_in(result.parse_tree);
      for (const auto& r : names_.relations) {
        if (!names_relations || known(r.name)) continue;
        std::size_t offset = r.location >= prefix ? r.location - prefix : 0;
        diags_.error({file_, text_begin + static_cast<std::uint32_t>(std::min(offset, text.size()))},
                     std::string("unknown table or view '") + r.name.display() + "' in " + what +
                         ": declare it, or 'extern table' if it exists already");
      }
    }
    if (result.error) {
      // cursorpos counts characters from 1; past the end means "at end of input".
      std::size_t pos = result.error->cursorpos > 0 ? static_cast<std::size_t>(result.error->cursorpos - 1) : prefix;
      std::size_t in_text = pos >= prefix ? pos - prefix : 0;
      std::size_t offset = byte_offset(text, in_text);
      diags_.error({file_, text_begin + static_cast<std::uint32_t>(offset)},
                   std::string("SQL error in ") + what + ": " + result.error->message);
    }
    pg_query_free_parse_result(result);
  }

  bool known(const model::QualifiedName& n) const {
    if (n.schema == "pg_catalog" || n.schema == "information_schema") return true;
    if (n.schema == "public" && n.name.rfind("pg_", 0) == 0) return true;  // system catalogs on the search path
    return relations_.count(n) > 0;
  }

  Diagnostics& diags_;
  int file_;
  const std::set<model::QualifiedName>& relations_;
  Names names_;
};

template <typename T>
T* find_by_name(std::vector<T>& v, const model::QualifiedName& n) {
  for (auto& x : v)
    if (x.name == n) return &x;
  return nullptr;
}

model::QualifiedName qualified(const ast::QName& q) {
  model::QualifiedName n;
  if (q.schema) n.schema = q.schema->text;
  n.name = q.name.text;
  return n;
}

// Sorted, without repeats: what a view reads or calls.
std::vector<model::QualifiedName> unique_sorted(std::vector<model::QualifiedName> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::vector<model::QualifiedName> relation_names(const Names& n) {
  std::vector<model::QualifiedName> out;
  for (const auto& r : n.relations) out.push_back(r.name);
  return unique_sorted(out);
}

void check_index(Checker& c, const ast::Index& ix) {
  for (const auto& e : ix.elements)
    if (e.expression) c.expression(*e.expression, "index expression");
  if (ix.where) c.expression(*ix.where, "index predicate");
}

}  // namespace

void check_embedded_sql(const std::vector<syntax::ParsedFile>& files, model::Schema& model, Diagnostics& diags) {
  std::set<model::QualifiedName> relations;
  for (const auto& t : model.tables) relations.insert(t.live_name()), relations.insert(t.name);
  for (const auto& v : model.views) relations.insert(v.name);
  for (const auto& v : model.materialized_views) relations.insert(v.name);
  for (const auto& f : files) {
    Checker c(diags, f.file_id, relations);
    for (const auto& d : f.ast.declarations) {
      if (auto* t = std::get_if<ast::Table>(&d)) {
        for (const auto& m : t->members) {
          if (auto* col = std::get_if<ast::Column>(&m)) {
            if (col->default_value) c.default_term(*col->default_value, "default");
            if (col->check) c.expression(*col->check, "check");
            if (col->generated) c.expression(*col->generated, "generated column");
          } else if (auto* ck = std::get_if<ast::CheckConstraint>(&m)) {
            c.expression(ck->expression, "check");
          } else if (auto* ix = std::get_if<ast::Index>(&m)) {
            check_index(c, *ix);
          } else if (auto* p = std::get_if<ast::Policy>(&m)) {
            if (p->using_expr) c.expression(*p->using_expr, "policy 'using'", true);
            if (p->check_expr) c.expression(*p->check_expr, "policy 'with check'", true);
          } else if (auto* tr = std::get_if<ast::Trigger>(&m)) {
            if (tr->when) c.expression(*tr->when, "trigger 'when'");
          }
        }
      } else if (auto* fn = std::get_if<ast::Function>(&d)) {
        for (const auto& p : fn->parameters)
          if (p.default_value) c.default_term(*p.default_value, "parameter default");
        if (!fn->body) continue;
        std::string language = fn->language.empty() ? "sql" : fn->language;
        if (language == "sql") c.statements(*fn->body, "SQL function body");
        else if (language == "plpgsql") c.plpgsql(*fn);
      } else if (auto* v = std::get_if<ast::View>(&d)) {
        c.statements(v->query, "view query", true);
        if (auto* view = find_by_name(model.views, qualified(v->name))) {
          view->reads = relation_names(c.names());
          view->calls = unique_sorted(c.names().functions);
        }
      } else if (auto* mv = std::get_if<ast::MaterializedView>(&d)) {
        c.statements(mv->query, "materialized view query", true);
        if (auto* view = find_by_name(model.materialized_views, qualified(mv->name))) {
          view->reads = relation_names(c.names());
          view->calls = unique_sorted(c.names().functions);
        }
        for (const auto& ix : mv->indexes) check_index(c, ix);
      } else if (auto* ds = std::get_if<ast::DataStep>(&d)) {
        c.statements(ds->up, "data step");
        if (ds->down) c.statements(*ds->down, "data step (down)");
      }
    }
  }
}

}  // namespace schemac::check
