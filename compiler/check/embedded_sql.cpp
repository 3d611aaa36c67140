#include "check/embedded_sql.hpp"

#include <pg_query.h>

#include <cctype>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <unordered_map>

#include "check/named_queries.hpp"
#include "check/query_scope.hpp"
#include "check/statements.hpp"
#include "model/names.hpp"
#include "model/types.hpp"

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
  std::vector<model::QualifiedName> types;  // named in casts
  bool reads_columns = false;               // a column reference or a join (else nothing to attribute)
};

std::vector<model::QualifiedName> sorted_unique(std::vector<model::QualifiedName> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

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
    if (key == "ColumnRef" || key == "JoinExpr") out.reads_columns = true;
    // A statement's target (INSERT, UPDATE, DELETE: `relation`) is a bare RangeVar.
    if (key == "RangeVar" || (key == "relation" && value.is_object() && value.contains("relname"))) {
      model::QualifiedName n;
      if (value.contains("schemaname")) n.schema = value["schemaname"].get<std::string>();
      n.name = value.value("relname", "");
      out.relations.push_back({n, value.value("location", 0u)});
    }
    // CALL's function is a bare FuncCall.
    if ((key == "FuncCall" || key == "funccall") && value.is_object() && value.contains("funcname")) {
      const auto& parts = value["funcname"];
      model::QualifiedName n;
      if (parts.size() == 2) n.schema = string_node(parts[0]);
      n.name = string_node(parts[parts.size() - 1]);
      out.functions.push_back(n);
    }
    if (key == "TypeCast" && value.contains("typeName") && value["typeName"].contains("names")) {
      const auto& parts = value["typeName"]["names"];
      model::QualifiedName n;
      if (parts.size() == 2) n.schema = string_node(parts[0]);
      n.name = string_node(parts[parts.size() - 1]);
      if (n.schema != "pg_catalog") out.types.push_back(n);
    }
    collect(value, out, ctes);
  }
}

Names names_in(const nlohmann::json& parse_tree) {
  Names out;
  std::set<std::string> ctes;
  collect(parse_tree, out, ctes);
  std::erase_if(out.relations,
                [&](const Reference& r) { return r.name.schema == "public" && ctes.count(r.name.name); });
  return out;
}

// Where the text of a $$-quoted body starts in its file.
std::uint32_t body_begin(const ast::Body& b) { return b.span.begin + static_cast<std::uint32_t>(b.tag.size()) + 2; }

// One parse of a piece of SQL by libpg_query: its tree and what it names, or the error.
struct Parse {
  nlohmann::json tree;  // null after an error
  Names names;
  std::string error;  // empty when it parsed
  int cursorpos = 0;  // of the error: characters from 1, 0 when unknown
};

// Parses each distinct text once. Schemas repeat the same fragments table after
// table (`now()`, `false`, `owner = current_user`), and a view's query is read both
// to check it and to work out its columns. Bounded, so that memory stays flat
// however large the schema: when full, it starts again.
class Parser {
 public:
  std::shared_ptr<const Parse> parse(const std::string& query) {
    if (auto hit = done_.find(query); hit != done_.end()) return hit->second;
    auto p = std::make_shared<Parse>();
    PgQueryParseResult r = pg_query_parse(query.c_str());
    if (r.error) {
      p->error = r.error->message;
      p->cursorpos = r.error->cursorpos;
    } else {
      p->tree = nlohmann::json::parse(r.parse_tree);
      p->names = names_in(p->tree);
    }
    pg_query_free_parse_result(r);
    if (done_.size() >= capacity) done_.clear();
    done_.emplace(query, p);
    return p;
  }

 private:
  static constexpr std::size_t capacity = 2048;
  std::unordered_map<std::string, std::shared_ptr<const Parse>> done_;
};

class Checker {
 public:
  Checker(Diagnostics& diags, int file, const std::set<model::QualifiedName>& relations, const ColumnLookup& columns,
          Parser& parser)
      : diags_(diags), file_(file), relations_(relations), columns_(columns), parser_(parser) {}

  // What the last parse named (empty after a syntax error), and its tree (null then).
  const Names& names() const { return last_ ? last_->names : no_names_; }
  const nlohmann::json& tree() const { return last_ ? last_->tree : no_tree_; }

  // The table that the following policy expressions are evaluated against.
  void set_root(std::optional<RootRelation> root) {
    root_ = std::move(root);
    default_uses_.reset();
  }

  // Where the last parse has its first subquery (a SubLink: `(select ...)`, EXISTS, IN
  // (select ...)), if it has one.
  std::optional<Location> subquery() const {
    std::optional<std::size_t> found;
    std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& j) {
      if (found) return;
      if (j.is_object()) {
        if (auto it = j.find("SubLink"); it != j.end() && it->is_object() && it->contains("location")) {
          found = (*it)["location"].get<std::size_t>();
          return;
        }
        for (const auto& [k, v] : j.items()) walk(v);
      } else if (j.is_array()) {
        for (const auto& v : j) walk(v);
      }
    };
    walk(tree());
    if (!found) return std::nullopt;
    std::size_t offset = *found >= last_prefix_ ? *found - last_prefix_ : 0;
    return Location{file_, last_text_begin_ + static_cast<std::uint32_t>(std::min(offset, last_text_size_))};
  }

  // What the last parse uses (empty after a syntax error), with `roots` in scope
  // (the table of the expression by default).
  model::Uses uses() {
    if (!default_uses_) default_uses_ = uses(default_roots());
    return *default_uses_;
  }
  model::Uses uses(const std::vector<RootRelation>& roots) const {
    model::Uses u;
    if (tree().is_null()) return u;
    if (names().reads_columns) u.columns = column_uses(tree(), columns_, roots);
    u.functions = sorted_unique(names().functions);
    u.types = sorted_unique(names().types);
    return u;
  }

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
    plpgsql_names_ = {};
    last_ = nullptr;
    default_uses_.reset();
    std::string signature = f.procedure ? "CREATE PROCEDURE f(" : "CREATE FUNCTION f(";
    for (std::size_t i = 0; i < f.parameters.size(); ++i)
      signature += (i ? ", " : "") + quoted(f.parameters[i].name.text) + " " + type_text(f.parameters[i].type);
    signature += f.procedure ? ")" : ") RETURNS ";
    if (f.procedure) {
    } else if (!f.returns_table.empty()) {
      signature += "TABLE(";
      for (std::size_t i = 0; i < f.returns_table.size(); ++i)
        signature += (i ? ", " : "") + quoted(f.returns_table[i].name.text) + " " + type_text(f.returns_table[i].type);
      signature += ")";
    } else if (f.returns) {
      signature += (f.returns_setof ? "SETOF " : "") + type_text(*f.returns);
    }
    const ast::Body& body = *f.body;
    std::string tag = "$" + body.tag + "$";
    PgQueryPlpgsqlParseResult result =
        pg_query_parse_plpgsql((signature + " LANGUAGE plpgsql AS " + tag + body.text + tag).c_str());
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
    } else {
      plpgsql_names(nlohmann::json::parse(result.plpgsql_funcs));
      auto p = std::make_shared<Parse>();
      p->names = std::move(plpgsql_names_);
      last_ = std::move(p);
    }
    pg_query_free_plpgsql_parse_result(result);
  }

 private:
  // What the SQL inside a PL/pgSQL body names: each statement or expression the
  // PL/pgSQL parser kept as text ("query"), parsed as a statement, or as an
  // expression (an assignment's right-hand side). Dynamic SQL (EXECUTE) stays unseen.
  void plpgsql_names(const nlohmann::json& j) {
    if (j.is_array()) {
      for (const auto& x : j) plpgsql_names(x);
      return;
    }
    if (!j.is_object()) return;
    for (const auto& [key, value] : j.items()) {
      if (key == "query" && value.is_string()) {
        static const std::regex assignment(R"(^\s*[A-Za-z_][A-Za-z0-9_.]*(\[[^\]]*\])?\s*:?=)");
        std::string q = value.get<std::string>();
        std::smatch m;
        if (std::regex_search(q, m, assignment)) q = "SELECT " + m.suffix().str();
        auto p = parser_.parse(q);
        if (!p->error.empty()) p = parser_.parse("SELECT " + q);
        if (p->error.empty()) {
          const Names& found = p->names;
          auto& out = plpgsql_names_;
          out.relations.insert(out.relations.end(), found.relations.begin(), found.relations.end());
          out.functions.insert(out.functions.end(), found.functions.begin(), found.functions.end());
        }
      } else {
        plpgsql_names(value);
      }
    }
  }

  std::vector<RootRelation> default_roots() const {
    return root_ ? std::vector<RootRelation>{*root_} : std::vector<RootRelation>{};
  }

  void parse(const std::string& query, const std::string& text, std::uint32_t text_begin, std::size_t prefix,
             const char* what, bool names_relations) {
    default_uses_.reset();
    last_text_begin_ = text_begin;
    last_prefix_ = prefix;
    last_text_size_ = text.size();
    last_ = parser_.parse(query);
    if (last_->error.empty()) {
      auto at = [&](std::size_t location) {
        std::size_t offset = location >= prefix ? location - prefix : 0;  // parse-tree locations are bytes
        return Location{file_, text_begin + static_cast<std::uint32_t>(std::min(offset, text.size()))};
      };
      bool all_known = true;
      for (const auto& r : last_->names.relations) {
        if (!names_relations || known(r.name)) continue;
        all_known = false;
        std::vector<std::string> names;
        for (const auto& k : relations_) names.push_back(k.display());
        std::string hint = did_you_mean(r.name.display(), names);
        diags_.error(at(r.location),
                     std::string("unknown table or view '") + r.name.display() + "' in " + what +
                         (hint.empty() ? ": declare it, or 'extern table' if it exists already" : hint));
      }
      if (names_relations && all_known && last_->names.reads_columns) {
        // One walk finds the unknown columns and records what is read.
        ColumnReading reading = read_columns(last_->tree, columns_, default_roots(), true);
        for (const auto& p : reading.problems) diags_.error(at(p.location), p.message + " (in " + what + ")");
        model::Uses u;
        u.columns = std::move(reading.uses);
        u.functions = sorted_unique(last_->names.functions);
        u.types = sorted_unique(last_->names.types);
        default_uses_ = std::move(u);
      }
      return;
    }
    // cursorpos counts characters from 1; past the end means "at end of input".
    std::size_t pos = last_->cursorpos > 0 ? static_cast<std::size_t>(last_->cursorpos - 1) : prefix;
    std::size_t in_text = pos >= prefix ? pos - prefix : 0;
    std::size_t offset = byte_offset(text, in_text);
    diags_.error({file_, text_begin + static_cast<std::uint32_t>(offset)},
                 std::string("SQL error in ") + what + ": " + last_->error);
    last_ = nullptr;
  }

  bool known(const model::QualifiedName& n) const {
    if (n.schema == "pg_catalog" || n.schema == "information_schema") return true;
    if (n.schema == "public" && n.name.rfind("pg_", 0) == 0) return true;  // system catalogs on the search path
    return relations_.count(n) > 0;
  }

  Diagnostics& diags_;
  int file_;
  const std::set<model::QualifiedName>& relations_;
  const ColumnLookup& columns_;
  Parser& parser_;
  std::optional<RootRelation> root_;
  std::shared_ptr<const Parse> last_;  // null after an error
  std::uint32_t last_text_begin_ = 0;  // where the last parse's text starts in the file
  std::size_t last_prefix_ = 0, last_text_size_ = 0;
  std::optional<model::Uses> default_uses_;  // of the last parse, with root_ in scope
  Names plpgsql_names_;                      // gathered from a PL/pgSQL body
  static inline const Names no_names_{};
  static inline const nlohmann::json no_tree_{};
};

template <typename T>
T* find_by_origin(std::vector<T>& v, int file, std::uint32_t offset) {
  for (auto& x : v)
    if (x.origin.file == file && x.origin.offset == offset) return &x;
  return nullptr;
}

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

// Checks an index's expressions and predicate; what they use goes to `index`.
void check_index(Checker& c, const ast::Index& ix, model::Index* index) {
  for (const auto& e : ix.elements)
    if (e.expression) {
      c.expression(*e.expression, "index expression");
      if (index) index->uses.add(c.uses());
    }
  if (ix.where) {
    c.expression(*ix.where, "index predicate");
    if (index) index->uses.add(c.uses());
  }
}

// The columns of every relation the schema declares: a table's (extern ones as
// declared), a view's as its query produces them (worked out once, on demand).
class Columns {
 public:
  Columns(const model::Schema& model, Parser& parser) : parser_(parser) {
    for (const auto& t : model.tables) {
      auto list = std::make_shared<std::vector<std::string>>();
      for (const auto& c : t.columns) list->push_back(c.name);
      tables_[t.name] = tables_[t.live_name()] = std::move(list);
    }
    for (const auto& p : model.partitions)  // a partition has its table's columns
      if (auto parent = tables_.find(p.parent); parent != tables_.end()) tables_[p.name] = parent->second;
    for (const auto& v : model.views) queries_[v.name] = v.query;
    for (const auto& v : model.materialized_views) queries_[v.name] = v.query;
    lookup_ = [this](const model::QualifiedName& n) { return list(n); };
  }
  const ColumnLookup& lookup() const { return lookup_; }

  // Null when the relation is unknown or its columns cannot be told.
  ColumnList list(const model::QualifiedName& n) {
    if (auto t = tables_.find(n); t != tables_.end()) return t->second;
    auto q = queries_.find(n);
    if (q == queries_.end()) return nullptr;
    if (auto done = views_.find(n); done != views_.end()) return done->second;
    views_[n] = nullptr;  // a cycle reads as "cannot tell"
    auto p = parser_.parse(q->second);
    ColumnList out;
    if (p->error.empty())
      if (auto produced = output_columns(p->tree, lookup_))
        out = std::make_shared<const std::vector<std::string>>(std::move(*produced));
    return views_[n] = out;
  }
  std::optional<std::vector<std::string>> of(const model::QualifiedName& n) {
    ColumnList l = list(n);
    return l ? std::optional<std::vector<std::string>>(*l) : std::nullopt;
  }

 private:
  Parser& parser_;
  std::map<model::QualifiedName, ColumnList> tables_;
  std::map<model::QualifiedName, std::string> queries_;
  std::map<model::QualifiedName, ColumnList> views_;
  ColumnLookup lookup_;
};

// The sequences a parse tree takes values from: nextval/currval/setval('NAME') with
// the name as a string constant, as regclass would read it (unquoted parts folded to
// lower case), with where each call is.
void sequence_calls(const nlohmann::json& j, std::vector<std::pair<model::QualifiedName, int>>& out) {
  if (j.is_array()) {
    for (const auto& x : j) sequence_calls(x, out);
    return;
  }
  if (!j.is_object()) return;
  if (j.contains("FuncCall")) {
    const auto& call = j["FuncCall"];
    std::string fn = call.contains("funcname") ? string_node(call["funcname"].back()) : "";
    if ((fn == "nextval" || fn == "currval" || fn == "setval") && call.contains("args") && !call["args"].empty()) {
      const auto& arg = call["args"][0];
      const nlohmann::json* constant = arg.contains("A_Const") ? &arg["A_Const"] : nullptr;
      if (!constant && arg.contains("TypeCast") && arg["TypeCast"]["arg"].contains("A_Const"))
        constant = &arg["TypeCast"]["arg"]["A_Const"];
      if (constant && constant->contains("sval")) {
        std::string text = (*constant)["sval"].value("sval", "");
        std::vector<std::string> parts;
        std::string part;
        bool quoted = false;
        for (std::size_t i = 0; i <= text.size(); ++i) {
          char ch = i < text.size() ? text[i] : '.';
          if (ch == '"') {
            if (quoted && i + 1 < text.size() && text[i + 1] == '"') {
              part += '"';
              ++i;
            } else {
              quoted = !quoted;
            }
          } else if (ch == '.' && !quoted) {
            parts.push_back(part);
            part.clear();
          } else {
            part += quoted ? ch : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          }
        }
        model::QualifiedName n;
        if (parts.size() == 2) n.schema = parts[0];
        if (!parts.empty() && parts.size() <= 2) {
          n.name = parts.back();
          out.push_back({n, (*constant).value("location", 0)});
        }
      }
    }
  }
  for (const auto& [key, value] : j.items()) sequence_calls(value, out);
}

// A partition bound's values: as many as the partition key has columns (a list
// partition: values of its one column), each a literal of the key column's type (or
// MINVALUE / MAXVALUE in a range, NULL in a list). PostgreSQL would refuse the rest
// when the partition is created.
void check_partition_bound(Diagnostics& diags, int file, const ast::SqlText& group, const nlohmann::json& tree,
                           const model::Table& parent, bool list) {
  const auto& stmt = tree["stmts"][0]["stmt"];
  if (!stmt.contains("SelectStmt")) return;
  const auto& val = stmt["SelectStmt"]["targetList"][0]["ResTarget"]["val"];
  std::vector<const nlohmann::json*> values;
  if (val.contains("RowExpr") && val["RowExpr"].contains("args"))
    for (const auto& a : val["RowExpr"]["args"]) values.push_back(&a);
  else
    values.push_back(&val);
  const auto& keys = parent.partition_by->keys;
  Location at{file, group.span.begin};
  if (!list && values.size() != keys.size()) {
    diags.error(at, "the partition key of '" + parent.name.display() + "' has " + std::to_string(keys.size()) +
                        " column(s): a bound gives " + std::to_string(keys.size()) + " value(s), not " +
                        std::to_string(values.size()));
    return;
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto& key = keys[list ? 0 : i];
    const model::Column* column = key.column.empty() ? nullptr : parent.find_column(key.column);
    if (!column || column->type.named_type || column->type.array_dims) continue;
    const nlohmann::json& v = *values[i];
    if (v.contains("ColumnRef")) {
      std::string word = v["ColumnRef"]["fields"].back().contains("String")
                             ? v["ColumnRef"]["fields"].back()["String"].value("sval", "")
                             : "";
      if (list || (word != "minvalue" && word != "maxvalue"))
        diags.error(at, "a partition bound is made of literals" + std::string(list ? "" : " (or MINVALUE, MAXVALUE)") +
                            ": '" + word + "' is neither");
      continue;
    }
    if (!v.contains("A_Const")) continue;  // an expression: PostgreSQL evaluates it
    const auto& k = v["A_Const"];
    if (k.contains("isnull")) continue;
    const model::BuiltinType* b = model::builtin_by_name(column->type.builtin);
    if (!b) continue;
    bool number = k.contains("ival") || k.contains("fval");
    std::string text = k.contains("sval") ? k["sval"].value("sval", "") : "";
    auto wrong = [&](const std::string& what) {
      diags.error(at, "a partition bound of the wrong type: " + what + " for column '" + column->name + "' (" +
                          column->type.sql() + ")");
    };
    switch (b->family) {
      case model::TypeFamily::integer:
        if (k.contains("fval")) wrong("a fraction");
        if (k.contains("sval") && !std::regex_match(text, std::regex("\\s*[+-]?[0-9]+\\s*"))) wrong("'" + text + "'");
        break;
      case model::TypeFamily::numeric:
      case model::TypeFamily::floating:
        if (k.contains("sval") &&
            !std::regex_match(text, std::regex("\\s*[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?\\s*")))
          wrong("'" + text + "'");
        break;
      case model::TypeFamily::date:
      case model::TypeFamily::timestamp:
      case model::TypeFamily::time:
      case model::TypeFamily::boolean:
      case model::TypeFamily::uuid:
      case model::TypeFamily::network:
        if (number) wrong("a number");
        break;
      default:
        break;
    }
    if (b->family == model::TypeFamily::uuid && k.contains("sval") &&
        !std::regex_match(text, std::regex("\\{?[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}\\}?")))
      wrong("'" + text + "'");
  }
}

// A materialized view's index may only name columns its query produces.
void check_view_index_columns(Diagnostics& diags, int file, const ast::MaterializedView& mv,
                              const std::optional<std::vector<std::string>>& produced) {
  if (!produced) return;
  std::string list;
  for (std::size_t i = 0; i < produced->size(); ++i) list += (i ? ", " : "") + (*produced)[i];
  for (const auto& ix : mv.indexes) {
    auto complain = [&](const ast::Ident& col) {
      if (std::find(produced->begin(), produced->end(), col.text) == produced->end())
        diags.error({file, col.span.begin}, "materialized view '" + qualified(mv.name).display() + "' has no column '" +
                                                col.text + "' (its query produces: " + list + ")");
    };
    for (const auto& e : ix.elements)
      if (e.column) complain(*e.column);
    for (const auto& col : ix.include) complain(col);
  }
}

// ---- assertions ----------------------------------------------------------------------

// The type of the value an assertion's query produces, where the parse tree shows it:
// a constant, a cast, a comparison or test (boolean), count(), bool_and(), a column of
// a declared table, and through CASE, COALESCE and scalar subqueries. Empty when it
// cannot be told (PostgreSQL then judges when the verify file runs).
class ResultType {
 public:
  explicit ResultType(const model::Schema& model) : model_(model) {}

  // Of the first column of SELECT statement `s` (the left-most of a set operation).
  std::string of_select(const nlohmann::json& s) const {
    const nlohmann::json* select = &s;
    while (select->value("op", "SETOP_NONE") != "SETOP_NONE" && select->contains("larg")) select = &(*select)["larg"];
    const nlohmann::json& q = *select;
    if (q.contains("valuesLists") && !q["valuesLists"].empty()) {
      const auto& items = q["valuesLists"][0]["List"]["items"];
      return items.empty() ? "" : of(items[0], {});
    }
    if (!q.contains("targetList") || q["targetList"].empty()) return "";
    Aliases aliases;
    if (q.contains("fromClause"))
      for (const auto& item : q["fromClause"]) from(item, aliases);
    return of(q["targetList"][0]["ResTarget"]["val"], aliases);
  }

  // FROM entries: alias -> the declared table (null when not one).
  using Aliases = std::vector<std::pair<std::string, const model::Table*>>;

  std::string of(const nlohmann::json& v, const Aliases& aliases) const {
    if (v.contains("A_Const")) {
      const auto& k = v["A_Const"];
      if (k.contains("boolval")) return "boolean";
      if (k.contains("ival")) return "integer";
      if (k.contains("fval")) return "numeric";
      if (k.contains("sval")) return "text";
      return "";
    }
    if (v.contains("BoolExpr") || v.contains("NullTest") || v.contains("BooleanTest")) return "boolean";
    if (v.contains("SubLink")) {
      const auto& l = v["SubLink"];
      if (l.value("subLinkType", "") != "EXPR_SUBLINK") return "boolean";  // EXISTS, IN, ANY, ALL
      return l.contains("subselect") && l["subselect"].contains("SelectStmt") ? of_select(l["subselect"]["SelectStmt"])
                                                                              : "";
    }
    if (v.contains("A_Expr")) {
      const auto& e = v["A_Expr"];
      std::string kind = e.value("kind", "");
      if (kind == "AEXPR_NULLIF") return e.contains("lexpr") ? of(e["lexpr"], aliases) : "";
      if (kind != "AEXPR_OP") return "boolean";  // IN, LIKE, BETWEEN, IS DISTINCT FROM, op ANY/ALL
      std::string op = e.contains("name") ? string_node(e["name"].back()) : "";
      static const std::set<std::string> comparisons = {"=",   "<>",   "!=", "<",  ">",  "<=",  ">=", "~~", "!~~",
                                                        "~~*", "!~~*", "~",  "~*", "!~", "!~*", "@>", "<@", "&&"};
      return comparisons.count(op) ? "boolean" : "";
    }
    if (v.contains("TypeCast")) {
      const auto& t = v["TypeCast"]["typeName"];
      if (!t.contains("names")) return "";
      const model::BuiltinType* b = model::builtin_by_spelling(string_node(t["names"].back()));
      if (!b) return "";
      return std::string(b->name) + (t.contains("arrayBounds") ? "[]" : "");
    }
    if (v.contains("FuncCall")) {
      const auto& call = v["FuncCall"];
      std::string fn = call.contains("funcname") ? string_node(call["funcname"].back()) : "";
      if (fn == "count") return "bigint";
      if (fn == "bool_and" || fn == "bool_or" || fn == "every") return "boolean";
      if ((fn == "min" || fn == "max") && call.contains("args") && call["args"].size() == 1)
        return of(call["args"][0], aliases);
      return "";
    }
    if (v.contains("CaseExpr")) {
      const auto& c = v["CaseExpr"];
      if (!c.contains("args") || c["args"].empty()) return "";
      return of(c["args"][0]["CaseWhen"]["result"], aliases);
    }
    if (v.contains("CoalesceExpr")) {
      const auto& args = v["CoalesceExpr"]["args"];
      return args.empty() ? "" : of(args[0], aliases);
    }
    if (v.contains("ColumnRef")) return column(v["ColumnRef"], aliases);
    return "";
  }

 private:
  void from(const nlohmann::json& item, Aliases& aliases) const {
    if (item.contains("RangeVar")) {
      const auto& r = item["RangeVar"];
      model::QualifiedName n;
      if (r.contains("schemaname")) n.schema = r["schemaname"].get<std::string>();
      n.name = r.value("relname", "");
      const model::Table* table = nullptr;
      for (const auto& t : model_.tables)
        if (t.name == n || t.live_name() == n) table = &t;
      aliases.emplace_back(r.contains("alias") ? r["alias"].value("aliasname", n.name) : n.name, table);
    } else if (item.contains("JoinExpr")) {
      from(item["JoinExpr"]["larg"], aliases);
      from(item["JoinExpr"]["rarg"], aliases);
    } else {
      aliases.emplace_back("", nullptr);  // a subquery or a function: its columns are not known here
    }
  }

  // A column of exactly one declared table in FROM, of a builtin or enum type.
  std::string column(const nlohmann::json& ref, const Aliases& aliases) const {
    std::vector<std::string> parts;
    for (const auto& f : ref["fields"]) {
      if (!f.contains("String")) return "";  // `*`
      parts.push_back(string_node(f));
    }
    if (parts.empty() || parts.size() > 2) return "";
    const model::Column* found = nullptr;
    for (const auto& [alias, table] : aliases) {
      if (parts.size() == 2 && alias != parts[0]) continue;
      if (!table) return "";  // it might be this relation's
      if (const auto* c = table->find_column(parts.back())) {
        if (found) return "";
        found = c;
      }
    }
    if (!found || (found->type.kind != model::TypeKind::builtin && !found->type.is_enum())) return "";
    return found->type.sql();
  }

  const model::Schema& model_;
};

// An assertion is one SELECT (or VALUES) that returns one column, of type boolean
// where that can be told. `tree` is its query's parse tree.
void check_assertion(Diagnostics& diags, int file, const ast::Assertion& a, const nlohmann::json& tree,
                     const model::Schema& model, const ColumnLookup& columns) {
  std::uint32_t begin = a.query.span.begin + static_cast<std::uint32_t>(a.query.tag.size()) + 2;
  auto at = [&](std::size_t offset) {
    return Location{file, begin + static_cast<std::uint32_t>(std::min(offset, a.query.text.size()))};
  };
  std::string what = "assertion '" + a.name.text + "'";
  // The verify file quotes the queries with this tag.
  if (auto tag = a.query.text.find("$schemac_verify$"); tag != std::string::npos) {
    diags.error(at(tag), what +
                             " holds '$schemac_verify$', the tag the verify file quotes its checks with: "
                             "write the string another way");
    return;
  }
  const auto& stmts = tree.contains("stmts") ? tree["stmts"] : nlohmann::json::array();
  if (stmts.empty()) {
    diags.error(at(0), what + " has no query: write one SELECT that returns a boolean");
    return;
  }
  if (stmts.size() > 1) {
    diags.error(
        at(stmts[1].value("stmt_location", 0u)),
        what + " is one query (a SELECT that returns a boolean), not " + std::to_string(stmts.size()) + " statements");
    return;
  }
  const auto& stmt = stmts[0]["stmt"];
  std::size_t location = stmts[0].value("stmt_location", 0u), start = location;
  while (start < a.query.text.size() && std::isspace(static_cast<unsigned char>(a.query.text[start]))) ++start;
  // The verify file runs it as a subquery, without its closing semicolons: a comment
  // after them would be inside the subquery.
  std::size_t length = stmts[0].value("stmt_len", 0u);
  if (length > 0) {
    std::size_t after = a.query.text.find_first_not_of("; \t\r\n", location + length);
    if (after != std::string::npos) {
      diags.error(at(after), what + " ends at its ';': write a comment before it, or leave the ';' out");
      return;
    }
  }
  if (!stmt.contains("SelectStmt") || stmt["SelectStmt"].contains("intoClause")) {
    diags.error(at(start), what + " is a query (SELECT or VALUES) that returns a boolean; it must not change anything");
    return;
  }
  const nlohmann::json* select = &stmt["SelectStmt"];
  while (select->value("op", "SETOP_NONE") != "SETOP_NONE" && select->contains("larg")) select = &(*select)["larg"];
  // How many columns it returns, and where the second one is.
  std::optional<std::size_t> count;
  std::size_t second = start;
  if (select->contains("valuesLists") && !(*select)["valuesLists"].empty()) {
    const auto& items = (*select)["valuesLists"][0]["List"]["items"];
    count = items.size();
    if (items.size() > 1)
      for (const auto& [key, node] : items[1].items()) second = node.value("location", start);
  } else if (select->contains("targetList")) {
    const auto& targets = (*select)["targetList"];
    bool star = false;
    for (const auto& t : targets) {
      const auto& val = t["ResTarget"]["val"];
      star |= val.contains("ColumnRef") && val["ColumnRef"]["fields"].back().contains("A_Star");
    }
    if (targets.size() > 1) second = targets[1]["ResTarget"].value("location", start);
    if (!star)
      count = targets.size();
    else if (auto produced = output_columns(tree, columns))
      count = produced->size();
  }
  if (count && *count != 1) {
    diags.error(at(*count > 1 ? second : start),
                what + " returns " + std::to_string(*count) + " columns; it must return exactly one, a boolean");
    return;
  }
  std::string type = ResultType(model).of_select(*select);
  if (!type.empty() && type != "boolean") {
    std::size_t first = start;
    if (select->contains("targetList") && !(*select)["targetList"].empty())
      first = (*select)["targetList"][0]["ResTarget"].value("location", start);
    diags.error(at(first), what + " returns " + type + "; it must return a boolean (true while the data holds)");
  }
}

// A query that runs after the migration's contractions names an archived table by
// the name it has then.
void check_archived_names(Diagnostics& diags, int file, const ast::Body& body, const std::vector<Reference>& read,
                          const model::Schema& model, const std::string& what) {
  std::uint32_t begin = body.span.begin + static_cast<std::uint32_t>(body.tag.size()) + 2;
  for (const auto& r : read) {
    const model::Table* t = model.find_table(r.name);
    if (t && t->archived_as && t->live_name() != r.name)
      diags.error({file, begin + static_cast<std::uint32_t>(std::min(r.location, body.text.size()))},
                  what + " reads table '" + r.name.display() + "', which is archived as '" + t->live_name().display() +
                      "': name it '" + t->live_name().display() + "'");
  }
}

}  // namespace

std::string index_expression_name(const std::string& expression) {
  PgQueryParseResult r = pg_query_parse(("SELECT (" + expression + "\n)").c_str());
  std::string out = "expr";
  if (!r.error) {
    auto tree = nlohmann::json::parse(r.parse_tree, nullptr, false);
    const nlohmann::json* val = nullptr;
    if (tree.contains("stmts") && !tree["stmts"].empty()) {
      const auto& stmt = tree["stmts"][0]["stmt"];
      if (stmt.contains("SelectStmt") && stmt["SelectStmt"].contains("targetList"))
        val = &stmt["SelectStmt"]["targetList"][0]["ResTarget"]["val"];
    }
    if (val)
      if (auto name = column_name(*val); name && *name != "?column?") out = *name;
  }
  pg_query_free_parse_result(r);
  return out;
}

QueryReads query_reads(const model::Schema& model, const model::Query& query) {
  Parser parser;
  Columns columns(model, parser);
  QueryReads out;
  auto p = parser.parse(query.query);
  if (!p->error.empty()) return out;
  out.relations = relation_names(p->names);
  out.columns = read_columns(p->tree, columns.lookup(), {}, true).uses;
  return out;
}

void derive_view_names(model::Schema& model) {
  Parser parser;
  auto derive = [&](const std::string& query, model::DerivedNames& reads, model::DerivedNames& calls) {
    auto p = parser.parse(query);
    if (p->error.empty()) {
      reads = relation_names(p->names);
      calls = unique_sorted(p->names.functions);
    }
  };
  Columns columns(model, parser);
  for (auto& v : model.views) {
    derive(v.query, v.reads, v.calls);
    v.columns = columns.of(v.name);
  }
  for (auto& v : model.materialized_views) {
    derive(v.query, v.reads, v.calls);
    v.columns = columns.of(v.name);
  }
}

void check_embedded_sql(const std::vector<syntax::ParsedFile>& files, model::Schema& model, Diagnostics& diags) {
  std::set<model::QualifiedName> relations;
  for (const auto& t : model.tables) relations.insert(t.live_name()), relations.insert(t.name);
  for (const auto& v : model.views) relations.insert(v.name);
  for (const auto& v : model.materialized_views) relations.insert(v.name);
  for (const auto& p : model.partitions) relations.insert(p.name);
  // Kept from one check to the next: a parse depends on the text alone, and the
  // language server checks the same fragments again after each edit.
  static thread_local Parser parser;
  Columns columns(model, parser);
  // Sequences a default may take values from: declared ones, and those serial and
  // identity columns own.
  std::set<model::QualifiedName> sequences;
  for (const auto& s : model.sequences) sequences.insert(s.name);
  for (const auto& t : model.tables)
    for (const auto& col : t.columns)
      if (col.serial || col.identity)
        sequences.insert({t.name.schema, names::make_object_name(t.name.name, col.name, "seq")});
  std::map<model::QualifiedName, model::Table*> tables;
  std::set<model::QualifiedName> functions;  // the schema's, by name (any overload)
  for (auto& t : model.tables) tables[t.name] = &t;
  for (auto& fn : model.functions)
    if (!fn.is_extern) functions.insert(fn.name);
  for (const auto& f : files) {
    Checker c(diags, f.file_id, relations, columns.lookup(), parser);
    for (const auto& d : f.ast.declarations) {
      if (auto* t = std::get_if<ast::Table>(&d)) {
        auto found = tables.find(qualified(t->name));
        model::Table* table = found == tables.end() ? nullptr : found->second;
        ColumnList table_columns = table ? columns.list(table->name) : nullptr;
        if (table) c.set_root(RootRelation{table->name.name, table_columns, table->live_name()});
        // What each expression uses goes to the model object it belongs to (found
        // by name, or by where it was written).
        auto store = [&](auto* object, const model::Uses& uses) {
          if (object) object->uses.add(uses);
        };
        auto constraint_at = [&](std::uint32_t offset) {
          return table ? find_by_origin(table->constraints, f.file_id, offset) : nullptr;
        };
        for (const auto& m : t->members) {
          if (auto* col = std::get_if<ast::Column>(&m)) {
            model::Column* column = nullptr;
            if (table)
              for (auto& x : table->columns)
                if (x.name == col->name.text) column = &x;
            if (col->default_value) {
              c.default_term(*col->default_value, "default");
              store(column, c.uses());
              std::vector<std::pair<model::QualifiedName, int>> calls;
              sequence_calls(c.tree(), calls);
              for (const auto& [name, at] : calls)
                if (!sequences.count(name))
                  diags.error(
                      {f.file_id, col->default_value->span.begin},
                      "unknown sequence '" + name.display() + "': declare it with 'sequence " + name.display() + "'");
            }
            if (col->check) {
              c.expression(*col->check, "check");
              store(constraint_at(col->check->span.begin), c.uses());
            }
            if (col->generated) {
              c.expression(*col->generated, "generated column");
              store(column, c.uses());
            }
          } else if (auto* ck = std::get_if<ast::CheckConstraint>(&m)) {
            c.expression(ck->expression, "check");
            store(constraint_at(ck->span.begin), c.uses());
          } else if (auto* ix = std::get_if<ast::Index>(&m)) {
            model::Index* index = table ? find_by_origin(table->indexes, f.file_id, ix->span.begin) : nullptr;
            check_index(c, *ix, index);
          } else if (auto* x = std::get_if<ast::ExclusionConstraint>(&m)) {
            for (const auto& e : x->elements)
              if (e.element.expression) {
                c.expression(*e.element.expression, "exclusion expression");
                store(constraint_at(x->span.begin), c.uses());
              }
            if (x->where) {
              c.expression(*x->where, "exclusion predicate");
              store(constraint_at(x->span.begin), c.uses());
            }
          } else if (auto* p = std::get_if<ast::Policy>(&m)) {
            model::Policy* policy = nullptr;
            if (table)
              for (auto& pol : table->policies)
                if (pol.name == p->name.text) policy = &pol;
            std::vector<model::QualifiedName> calls;
            // Citus propagates a policy to the shards only without subqueries.
            auto citus_subquery = [&] {
              if (!table || !table->distribution) return;
              if (auto at = c.subquery())
                diags.error(*at, "policy '" + p->name.text + "' on " +
                                     (table->distribution->reference ? "reference" : "distributed") + " table '" +
                                     table->name.display() +
                                     "' has a subquery, which Citus does not support in policies: call the "
                                     "function directly (f() rather than (select f()))");
            };
            if (p->using_expr) {
              c.expression(*p->using_expr, "policy 'using'", true);
              citus_subquery();
              calls.insert(calls.end(), c.names().functions.begin(), c.names().functions.end());
              store(policy, c.uses());
            }
            if (p->check_expr) {
              c.expression(*p->check_expr, "policy 'with check'", true);
              citus_subquery();
              calls.insert(calls.end(), c.names().functions.begin(), c.names().functions.end());
              store(policy, c.uses());
            }
            if (policy) policy->calls = unique_sorted(calls);
          } else if (auto* tr = std::get_if<ast::Trigger>(&m)) {
            if (tr->when && table) {
              c.expression(*tr->when, "trigger 'when'");
              RootRelation row{"new", table_columns, table->live_name()};
              RootRelation old_row{"old", table_columns, table->live_name()};
              for (auto& trig : table->triggers)
                if (trig.name == tr->name.text) trig.uses.add(c.uses({row, old_row}));
            }
          }
        }
        c.set_root(std::nullopt);
      } else if (auto* fn = std::get_if<ast::Function>(&d)) {
        for (const auto& p : fn->parameters)
          if (p.default_value) c.default_term(*p.default_value, "parameter default");
        if (!fn->body) continue;
        std::string language = fn->language.empty() ? "sql" : fn->language;
        if (language == "sql")
          c.statements(*fn->body, "SQL function body");
        else if (language == "plpgsql")
          c.plpgsql(*fn);
        else
          continue;
        // Found by where it was declared: overloads share the name.
        if (auto* function = find_by_origin(model.functions, f.file_id, fn->name.span.begin))
          function->reads = relation_names(c.names());
      } else if (auto* v = std::get_if<ast::View>(&d)) {
        c.statements(v->query, "view query", true);
        if (auto* view = find_by_name(model.views, qualified(v->name))) {
          view->reads = relation_names(c.names());
          view->calls = unique_sorted(c.names().functions);
          view->uses = c.uses();
          view->columns = columns.of(view->name);
        }
      } else if (auto* mv = std::get_if<ast::MaterializedView>(&d)) {
        c.statements(mv->query, "materialized view query", true);
        auto* view = find_by_name(model.materialized_views, qualified(mv->name));
        if (view) {
          view->reads = relation_names(c.names());
          view->calls = unique_sorted(c.names().functions);
          view->uses = c.uses();
          if (!c.tree().is_null()) check_view_index_columns(diags, f.file_id, *mv, columns.of(view->name));
        }
        if (view) view->columns = columns.of(view->name);
        for (const auto& ix : mv->indexes) {
          model::Index* index = view ? find_by_origin(view->indexes, f.file_id, ix.span.begin) : nullptr;
          if (view) {  // an index's expressions name the materialized view's columns
            ColumnList produced = columns.list(view->name);
            c.set_root(produced ? std::optional<RootRelation>(RootRelation{view->name.name, produced, view->name})
                                : std::nullopt);
          }
          check_index(c, ix, index);
          c.set_root(std::nullopt);
        }
      } else if (auto* pt = std::get_if<ast::Partition>(&d)) {
        const model::Table* parent = model.find_table(qualified(pt->parent));
        for (const auto* bound : {&pt->from, &pt->to, &pt->in}) {
          if (!*bound) continue;
          c.expression(**bound, "partition bound");
          if (parent && parent->partition_by && !c.tree().is_null())
            check_partition_bound(diags, f.file_id, **bound, c.tree(), *parent, bound == &pt->in);
        }
      } else if (auto* dm = std::get_if<ast::Domain>(&d)) {
        // Domains are created before the schema's functions and sequences (columns and
        // function signatures use them): their expressions may not call those.
        auto calls_declared = [&](std::uint32_t at) {
          for (const auto& fn : c.names().functions)
            if (functions.count(fn))
              diags.error({f.file_id, at}, "a domain's default or check cannot call the schema's function '" +
                                               fn.display() +
                                               "': domains are created before functions (check the columns instead)");
          std::vector<std::pair<model::QualifiedName, int>> seqs;
          sequence_calls(c.tree(), seqs);
          if (!seqs.empty())
            diags.error({f.file_id, at},
                        "a domain's default cannot take values from a sequence: domains are created "
                        "before sequences (give the columns the default instead)");
        };
        if (dm->default_value) {
          c.default_term(*dm->default_value, "domain default");
          calls_declared(dm->default_value->span.begin);
        }
        for (const auto& check : dm->checks) {
          c.expression(check.expression, "domain check");
          calls_declared(check.expression.span.begin);
        }
      } else if (auto* ds = std::get_if<ast::DataStep>(&d)) {
        c.statements(ds->up, "data step");
        if (auto* step = find_by_origin(model.data_steps, f.file_id, ds->name.span.begin)) {
          step->names = relation_names(c.names());
          step->calls = unique_sorted(c.names().functions);
        }
        if (ds->down) c.statements(*ds->down, "data step (down)");
        // The runner owns the transactions: a data step runs in the migration's, or
        // (holding VACUUM, ...) statement by statement outside one.
        if (!ds->retain.empty()) {
          Statements up = classify_statements(ds->up.text);
          for (const ast::Body* body : {&ds->up, ds->down ? &*ds->down : nullptr}) {
            if (!body) continue;
            for (const auto& s : (body == &ds->up ? up : classify_statements(body->text)).outside_transaction)
              diags.error({f.file_id, body_begin(*body) + static_cast<std::uint32_t>(s.location)},
                          s.what +
                              " in a data step that retains rows: keeping the rows it deletes needs the step "
                              "to run in one transaction, its down too (move " +
                              s.what + " to a data step of its own)");
          }
          for (const auto& t : up.truncated) {
            std::string schema = t.schema.empty() ? "public" : t.schema;
            for (const auto& r : ds->retain)
              if ((r.schema ? r.schema->text : std::string("public")) == schema && r.name.text == t.name)
                diags.error({f.file_id, body_begin(ds->up) + static_cast<std::uint32_t>(t.location)},
                            "TRUNCATE of " + t.name +
                                ", whose deleted rows this data step retains: TRUNCATE fires no DELETE trigger, "
                                "so its rows would be lost; write DELETE FROM instead");
          }
        }
        for (const ast::Body* body : {&ds->up, ds->down ? &*ds->down : nullptr}) {
          if (!body) continue;
          for (const auto& s : classify_statements(body->text).transaction_control)
            diags.error({f.file_id, body_begin(*body) + static_cast<std::uint32_t>(s.location)},
                        s.what +
                            " in a data step: schemac runs each data step in the migration's transaction "
                            "(or, when it holds VACUUM or another statement PostgreSQL cannot run in a "
                            "transaction, statement by statement outside one); leave transaction control out");
        }
      } else if (auto* as = std::get_if<ast::Assertion>(&d)) {
        c.statements(as->query, "assertion", true);
        if (c.tree().is_null()) continue;
        check_assertion(diags, f.file_id, *as, c.tree(), model, columns.lookup());
        check_archived_names(diags, f.file_id, as->query, c.names().relations, model,
                             "assertion '" + as->name.text + "'");
        if (auto* assertion = find_by_origin(model.assertions, f.file_id, as->name.span.begin))
          assertion->reads = relation_names(c.names());
      } else if (auto* nq = std::get_if<ast::Query>(&d)) {
        std::string what = "query '" + nq->name.text + "'";
        std::size_t errors = diags.error_count();
        c.statements(nq->query, what.c_str(), true);
        if (c.tree().is_null()) continue;
        bool names_ok = diags.error_count() == errors;
        check_archived_names(diags, f.file_id, nq->query, c.names().relations, model, what);
        if (auto* query = find_by_origin(model.queries, f.file_id, nq->name.span.begin)) {
          query->uses = c.uses();
          check_named_query(diags, f.file_id, body_begin(nq->query), *nq, c.tree(), model, *query, names_ok);
        }
      }
    }
  }
}

}  // namespace schemac::check
