#include "emit/cpp.hpp"

#include <pg_query.h>

#include <algorithm>
#include <functional>
#include <kainjow/mustache.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "check/query_scope.hpp"
#include "emit/cpp_names.hpp"
#include "emit/ddl.hpp"
#include "emit/templates.hpp"
#include "model/names.hpp"
#include "model/types.hpp"
#include "schemac/version.hpp"

namespace schemac::emit {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::list;
using kainjow::mustache::mustache;
using model::QualifiedName;
using model::Type;
using names::quote;

std::string doc_comment(const model::Doc& doc, const std::string& indent = "") {
  std::string out;
  for (const auto& line : doc) {
    std::string text = comment_text(line);
    out += indent + "///" + (text.empty() ? "" : " " + text) + "\n";
  }
  return out;
}

// ---- types ---------------------------------------------------------------------------

class Types {
 public:
  // Enums and composite types are named apart from what `taken` holds (the row
  // structs and the other types): a name that is taken gets "Type" appended.
  Types(const model::Schema& s, std::set<std::string>& taken) {
    auto name_apart = [&](const QualifiedName& n) {
      std::string name = type_name(n.name);
      while (taken.count(name)) name += "Type";
      taken.insert(name);
      return name;
    };
    for (const auto& e : s.enums) enums_[e.name] = name_apart(e.name);
    for (const auto& c : s.composite_types) records_[c.name] = name_apart(c.name);
    for (const auto& d : s.domains) domains_[d.name] = d.base;
  }

  // A domain is its base type, a declared composite type its struct; a table's row
  // type, extension and extern types are read in their text form.
  std::string scalar(const Type& t) const {
    if (t.named_type) {
      if (auto it = enums_.find(*t.named_type); it != enums_.end()) return it->second;
      if (auto it = records_.find(*t.named_type); it != records_.end()) return it->second;
      return "std::string";
    }
    return model::cpp_scalar(t.builtin);
  }
  const std::string& record(const QualifiedName& n) const { return records_.at(n); }
  const std::string& enumeration(const QualifiedName& n) const { return enums_.at(n); }
  std::string of(const Type& t) const {
    std::string out;
    if (auto d = t.kind == model::TypeKind::domain ? domains_.find(*t.named_type) : domains_.end(); d != domains_.end())
      out = of(d->second);
    else
      out = scalar(t);
    for (int i = 0; i < t.array_dims; ++i) out = "std::vector<" + out + ">";
    return out;
  }
  static std::string optional(const std::string& t) { return "std::optional<" + t + ">"; }

 private:
  std::map<QualifiedName, std::string> enums_, records_;
  std::map<QualifiedName, Type> domains_;  // by name: the base type
};

// ---- view columns ----------------------------------------------------------------------

// The columns a view's query produces, with a C++ type where the parse tree shows it
// (a table's column, a cast, count(*)); otherwise the text form (std::string).
class ViewColumns {
 public:
  ViewColumns(const model::Schema& s, const Types& types) : s_(s), types_(types) {}

  struct Col {
    std::string name, type;
  };
  // FROM entries in order: alias -> the declared table (null when not a table).
  using Aliases = std::vector<std::pair<std::string, const model::Table*>>;

  std::vector<Col> of(const std::string& query) const {
    std::vector<Col> out;
    PgQueryParseResult r = pg_query_parse(query.c_str());
    if (!r.error) {
      auto tree = nlohmann::json::parse(r.parse_tree);
      const auto* stmt = &tree["stmts"][0]["stmt"]["SelectStmt"];
      while (stmt->value("op", "SETOP_NONE") != "SETOP_NONE") stmt = &(*stmt)["larg"];
      Aliases aliases;
      if (stmt->contains("fromClause"))
        for (const auto& item : (*stmt)["fromClause"]) from(item, aliases);
      for (const auto& t : (*stmt)["targetList"]) target(t["ResTarget"], aliases, out);
    }
    pg_query_free_parse_result(r);
    return out;
  }

 private:
  void from(const nlohmann::json& item, Aliases& aliases) const {
    if (item.contains("RangeVar")) {
      const auto& v = item["RangeVar"];
      QualifiedName n;
      if (v.contains("schemaname")) n.schema = v["schemaname"];
      n.name = v.value("relname", "");
      const model::Table* t = nullptr;
      for (const auto& x : s_.tables)
        if (x.live_name() == n) t = &x;
      std::string alias = v.contains("alias") ? v["alias"].value("aliasname", n.name) : n.name;
      aliases.emplace_back(alias, t);
    } else if (item.contains("JoinExpr")) {
      from(item["JoinExpr"]["larg"], aliases);
      from(item["JoinExpr"]["rarg"], aliases);
    }
  }

  std::string column_type(const nlohmann::json& ref, const Aliases& aliases) const {
    std::vector<std::string> parts;
    for (const auto& f : ref["fields"])
      if (f.contains("String")) parts.push_back(f["String"]["sval"]);
    if (parts.empty()) return "";
    const model::Column* found = nullptr;
    int matches = 0;
    for (const auto& [alias, table] : aliases) {
      if (!table || (parts.size() >= 2 && alias != parts[parts.size() - 2])) continue;
      if (const auto* c = table->find_column(parts.back())) found = c, ++matches;
    }
    return matches == 1 ? types_.of(found->type) : "";
  }

  // count(), and sum/min/max/avg of a table's column, typed as PostgreSQL types them.
  std::string aggregate_type(const std::string& fn, const nlohmann::json& call, const Aliases& aliases) const {
    if (fn == "count") return "std::int64_t";
    if (!call.contains("args") || call["args"].size() != 1 || !call["args"][0].contains("ColumnRef")) return "";
    std::string arg = column_type(call["args"][0]["ColumnRef"], aliases);
    if (fn == "min" || fn == "max") return arg;
    bool integer = arg == "std::int16_t" || arg == "std::int32_t";
    if (fn == "sum") {
      if (integer) return "std::int64_t";
      if (arg == "std::int64_t" || arg == "schemac::Decimal") return "schemac::Decimal";
      if (arg == "float" || arg == "double") return arg;
    }
    if (fn == "avg" && (integer || arg == "std::int64_t" || arg == "schemac::Decimal")) return "schemac::Decimal";
    return "";
  }

  std::string cast_type(const nlohmann::json& cast) const {
    std::string name;
    for (const auto& n : cast["typeName"]["names"]) name = n["String"]["sval"];
    // A cast names the type as the parse tree spells it (int4, float8, varchar).
    const model::BuiltinType* b = model::builtin_by_spelling(name);
    std::string t = b ? model::cpp_scalar(std::string(b->name)) : "";
    if (!t.empty() && cast["typeName"].contains("arrayBounds")) t = "std::vector<" + t + ">";
    return t;
  }

  void target(const nlohmann::json& t, const Aliases& aliases, std::vector<Col>& out) const {
    const auto& val = t["val"];
    std::string name = t.value("name", ""), type;
    if (val.contains("ColumnRef")) {
      const auto& fields = val["ColumnRef"]["fields"];
      if (fields.back().contains("A_Star")) {  // every column of the relation(s), in FROM order
        std::string qualifier =
            fields.size() >= 2 ? fields[fields.size() - 2]["String"]["sval"].get<std::string>() : "";
        for (const auto& [alias, table] : aliases)
          if (table && (qualifier.empty() || alias == qualifier))
            for (const auto& c : table->columns) out.push_back({c.name, types_.of(c.type)});
        return;
      }
      type = column_type(val["ColumnRef"], aliases);
    } else if (val.contains("TypeCast")) {
      type = cast_type(val["TypeCast"]);
    } else if (val.contains("FuncCall")) {
      type = aggregate_type(val["FuncCall"]["funcname"].back()["String"]["sval"], val["FuncCall"], aliases);
    }
    // The name as PostgreSQL gives it (the same rule check uses); a column whose name
    // cannot be told is left out, since rows are read by column name.
    if (name.empty()) name = check::column_name(val).value_or("");
    if (!name.empty()) out.push_back({name, type.empty() ? "std::string" : type});
  }

  const model::Schema& s_;
  const Types& types_;
};

// ---- names in the namespace -------------------------------------------------------------

// The C++ names at namespace scope and what holds each: two schema objects that
// would share one are an error at the second, with a note at the first.
class NameClaims {
 public:
  explicit NameClaims(Diagnostics& diags) : diags_(diags) {}

  // `owner` tells a second claim by the same object (an overload) from a collision.
  // Returns false after reporting a collision.
  bool claim(const std::string& name, const std::string& owner, const std::string& what, const model::Origin& at,
             const char* advice = "") {
    auto [it, fresh] = claims_.try_emplace(name, Claim{owner, what, at});
    if (fresh || it->second.owner == owner) return true;
    auto& d = diags_.error(
        loc(at), what + " would be the C++ name '" + name + "', which is " + it->second.what + " already" + advice);
    Diagnostics::note(d, loc(it->second.at), "that is declared here");
    return false;
  }

 private:
  struct Claim {
    std::string owner, what;
    model::Origin at;
  };
  static Location loc(const model::Origin& o) { return {o.file, o.offset, o.end}; }
  Diagnostics& diags_;
  std::map<std::string, Claim> claims_;
};

bool generated(const model::Table& t) { return !t.is_extern && !t.archived_as; }

// A table's row struct: its `as ROW_TYPE`, else its name in PascalCase made singular.
std::string row_type(const model::Table& t) {
  return t.row_type ? identifier(*t.row_type) : singular(type_name(t.name.name));
}

// The namespace of a table's or view's functions: its name, with its schema's in
// front unless that is public.
std::string object_namespace(const QualifiedName& n) {
  return identifier(n.schema == "public" ? n.name : n.schema + "_" + n.name);
}

std::string render(const char* name, const std::string& text, const data& d) {
  mustache tmpl(text);
  tmpl.set_custom_escape([](const std::string& s) { return s; });
  if (!tmpl.is_valid()) throw std::logic_error(std::string("template ") + name + ": " + tmpl.error_message());
  std::string out = tmpl.render(d);
  if (!tmpl.is_valid()) throw std::logic_error(std::string("template ") + name + ": " + tmpl.error_message());
  return out;
}

// ---- the generator ----------------------------------------------------------------------

class Generator {
 public:
  Generator(const model::Schema& s, const CppOptions& o, Diagnostics& diags)
      : s_(s), o_(o), claims_(diags), types_(s, name_types()), views_(s, types_) {
    name_the_rest();
  }

  // Writes NS.hpp and NS.cpp. A schema with more tables and views than fit one file
  // is split: NS_common.hpp and NS.cpp hold what is not a table's or a view's, NS_1.hpp
  // and NS_1.cpp, NS_2.hpp and NS_2.cpp, ... the tables and views, a part each, and
  // NS.hpp includes them all. Each part's data is built, rendered and dropped in turn.
  // Then NS.sources, the list of the files.
  void write(const CppSink& sink) {
    std::vector<Item> items;
    for (const auto& t : s_.tables)
      if (generated(t)) items.push_back({&t, nullptr, nullptr});
    for (const auto& v : s_.views) items.push_back({nullptr, &v, nullptr});
    for (const auto& v : s_.materialized_views) items.push_back({nullptr, nullptr, &v});
    std::size_t per_file = std::max<std::size_t>(o_.tables_per_file, 1);
    std::size_t parts = items.size() <= per_file ? 0 : (items.size() + per_file - 1) / per_file;
    std::string header = o_.ns + ".hpp", source = o_.ns + ".cpp", sources = header + "\n" + source + "\n";

    data root = common();
    auto flags = [&](bool umbrella, bool head, bool part, bool tail, bool shared, const std::string& included) {
      root.set("umbrella", umbrella);
      root.set("head", head);
      root.set("part", part);
      root.set("tail", tail);
      root.set("shared", shared);
      root.set("header", included);
    };
    if (parts == 0) {
      flags(false, true, false, true, true, header);
      set_items(root, items, 0, items.size());
      sink(header, render("header.hpp.mustache", templates::header, root));
      sink(source, render("source.cpp.mustache", templates::source, root));
      sink(cpp_sources_name(o_.ns), sources);
      return;
    }
    std::string common_header = o_.ns + "_common.hpp";
    set_items(root, items, 0, 0);
    flags(false, true, false, true, true, common_header);
    sink(common_header, render("header.hpp.mustache", templates::header, root));
    sink(source, render("source.cpp.mustache", templates::source, root));
    sources += common_header + "\n";
    list part_headers;
    for (std::size_t part = 1, at = 0; part <= parts; ++part, at += per_file) {
      std::string name = o_.ns + "_" + std::to_string(part);
      set_items(root, items, at, std::min(at + per_file, items.size()));
      flags(false, false, true, false, false, name + ".hpp");
      root.set("part", std::to_string(part));
      sink(name + ".hpp", render("header.hpp.mustache", templates::header, root));
      sink(name + ".cpp", render("source.cpp.mustache", templates::source, root));
      sources += name + ".hpp\n" + name + ".cpp\n";
      data h;
      h.set("header", name + ".hpp");
      part_headers.push_back(h);
    }
    set_items(root, items, 0, 0);
    flags(true, false, false, false, false, header);
    root.set("parts", part_headers);
    sink(header, render("header.hpp.mustache", templates::header, root));
    sink(cpp_sources_name(o_.ns), sources);
  }

 private:
  struct Item {
    const model::Table* table;
    const model::View* view;
    const model::MaterializedView* materialized;
  };

  // What every part renders with: names, enums, records, functions and migrations
  // (small next to the tables).
  data common() {
    data root;
    root.set("namespace", o_.ns);
    root.set("source", comment_text(o_.source));
    root.set("runtime_version", std::to_string(SCHEMAC_RUNTIME_VERSION));
    root.set("enums", enums());
    root.set("records", records());
    root.set("functions", functions());
    root.set("queries", queries());
    list migrations;
    for (const auto& m : o_.migrations) {
      data d;
      d.set("version", std::to_string(m.version));
      d.set("name", string_literal(m.name));
      d.set("up", string_literal(m.up));
      d.set("down", string_literal(m.down));
      d.set("verify", string_literal(m.verify));
      migrations.push_back(d);
    }
    root.set("migrations", migrations);
    root.set("migration_count", std::to_string(o_.migrations.size()));
    root.set("schema_version", std::to_string(o_.migrations.empty() ? 0 : o_.migrations.back().version));
    return root;
  }

  void set_items(data& root, const std::vector<Item>& items, std::size_t from, std::size_t to) {
    list tables, views;
    for (std::size_t i = from; i < to; ++i) {
      const Item& it = items[i];
      if (it.table)
        tables.push_back(table(*it.table));
      else if (it.materialized)
        views.push_back(materialized_view(*it.materialized));
      else
        views.push_back(view(*it.view, false, false));
    }
    root.set("tables", tables);
    root.set("views", views);
  }

  // Row structs, their New... structs and the tables' namespaces claim their names
  // first; then enums and composite types are named apart from them (Types).
  std::set<std::string>& name_types() {
    for (const auto& t : s_.tables) {
      if (!generated(t)) continue;
      std::string what = "table " + t.name.display(), row = row_type(t);
      const char* advice = "; name the row struct with `table NAME as ROW_TYPE`";
      // New... follows from the row struct's name: one error is enough.
      if (claims_.claim(row, what + " row", "the row struct of " + what, t.origin, advice))
        claims_.claim("New" + row, what + " new", "the insert struct of " + what, t.origin, advice);
      claims_.claim(object_namespace(t.name), what + " namespace", "the namespace of " + what, t.origin);
      rows_[&t] = row;
      type_names_.insert(row);
      type_names_.insert("New" + row);
    }
    return type_names_;
  }

  // Views, functions and their result rows, once the types are named.
  void name_the_rest() {
    auto claim_type = [&](const std::string& name, const std::string& owner, const std::string& what,
                          const model::Origin& at) {
      claims_.claim(name, owner, what, at);
      type_names_.insert(name);
    };
    for (const auto& e : s_.enums)
      claim_type(types_.enumeration(e.name), "enum " + e.name.display(), "the enum " + e.name.display(), e.origin);
    for (const auto& c : s_.composite_types)
      claim_type(types_.record(c.name), "type " + c.name.display(), "the struct of type " + c.name.display(), c.origin);
    auto name_view = [&](const QualifiedName& n, const model::Origin& at, const char* kind) {
      std::string what = std::string(kind) + " " + n.display();
      claim_type(type_name(n.name) + "Row", what + " row", "the row struct of " + what, at);
      claims_.claim(object_namespace(n), what + " namespace", "the namespace of " + what, at);
    };
    for (const auto& v : s_.views) name_view(v.name, v.origin, "view");
    for (const auto& v : s_.materialized_views) name_view(v.name, v.origin, "materialized view");
    name_functions();
    // A named query: its function, its streaming form and its result row.
    for (const auto& q : s_.queries) {
      std::string what = "query " + q.name, name = identifier(q.name);
      claims_.claim(name, what, "the " + what, q.origin);
      if (q.returns != "exec") {
        std::string row = type_name(q.name) + "Row";
        claim_type(row, what + " row", "the result row of " + what, q.origin);
        claims_.claim(name + "_each", what + " each", "the streaming form of " + what, q.origin);
      }
    }
  }

  // Composite types as structs (every member optional: a field may be NULL), each
  // after the composite types its fields hold.
  list records() {
    list out;
    std::set<QualifiedName> done;
    std::function<void(const model::CompositeType&)> visit = [&](const model::CompositeType& c) {
      if (!done.insert(c.name).second) return;
      for (const auto& f : c.fields) {
        model::Type t = f.type;
        while (t.kind == model::TypeKind::domain && t.named_type && s_.find_domain(*t.named_type))
          t = s_.find_domain(*t.named_type)->base;
        if (t.named_type)
          if (const auto* inner = s_.find_composite_type(*t.named_type)) visit(*inner);
      }
      data d;
      std::string name = types_.record(c.name);
      d.set("name", name);
      d.set("sql_name", comment_text(c.name.display()));
      d.set("doc", doc_comment(c.doc));
      list members;
      std::string tie;
      std::set<std::string> used{name};
      for (const auto& f : c.fields) {
        std::string m = member_name(f.name, used);
        data member;
        member.set("member", m);
        member.set("type", Types::optional(types_.of(f.type)));
        member.set("doc", doc_comment(f.doc, "  "));
        members.push_back(member);
        tie += (tie.empty() ? "x." : ", x.") + m;
      }
      d.set("members", members);
      d.set("tie", tie);
      out.push_back(d);
    };
    for (const auto& c : s_.composite_types) visit(c);
    return out;
  }

  list enums() {
    list out;
    for (const auto& e : s_.enums) {
      data d;
      std::string name = types_.enumeration(e.name);
      d.set("name", name);
      d.set("sql_name", comment_text(e.name.display()));
      d.set("not_a_label", string_literal("' is not a label of enum " + e.name.display()));
      d.set("doc", doc_comment(e.doc));
      std::string values;
      list members;
      std::set<std::string> used;
      for (const auto& v : e.values) {
        std::string m = unique_name(identifier(v), used);
        values += (values.empty() ? "" : ", ") + m;
        data member;
        member.set("member", m);
        member.set("label", string_literal(v));
        members.push_back(member);
      }
      d.set("values", values);
      d.set("members", members);
      out.push_back(d);
    }
    return out;
  }

  // A member or parameter: its identifier, apart from the type names of the
  // namespace (a member named like a type would hide it from the members after it)
  // and from the names in `used`.
  std::string member_name(const std::string& sql_name, std::set<std::string>& used) const {
    std::string m = identifier(sql_name);
    if (type_names_.count(m)) m += "_";
    return unique_name(m, used);
  }

  struct Member {
    const model::Column* column;
    std::string member, type;
  };

  std::vector<Member> members(const model::Table& t, const std::string& row) {
    std::vector<Member> out;
    std::set<std::string> used{row};
    for (const auto& c : t.columns) {
      std::string m = member_name(c.name, used);
      std::string type = types_.of(c.type);
      out.push_back({&c, m, c.nullable ? Types::optional(type) : type});
    }
    return out;
  }

  static std::string placeholders_cast(std::size_t n, const Type& t) {
    return "$" + std::to_string(n) + "::" + t.sql();
  }
  data table(const model::Table& t) {
    data d;
    std::string row = rows_.at(&t), ns = object_namespace(t.name);
    std::string table_sql = t.name.sql();
    d.set("table", comment_text(t.name.display()));
    d.set("table_sql", string_literal(table_sql));
    d.set("row", row);
    d.set("ns", ns);
    d.set("doc", doc_comment(t.doc));
    auto ms = members(t, row);
    std::string select_list;
    list columns;
    for (std::size_t i = 0; i < ms.size(); ++i) {
      data c;
      c.set("member", ms[i].member);
      c.set("type", ms[i].type);
      c.set("index", std::to_string(i));
      c.set("doc", doc_comment(ms[i].column->doc, "  "));
      columns.push_back(c);
      select_list += (i ? ", " : "") + quote(ms[i].column->name);
    }
    d.set("columns", columns);
    std::string from = " FROM " + table_sql;

    // Insert: generated, identity and serial columns are the database's; a defaulted column
    // left unset takes its default through COALESCE, so one statement serves all rows.
    list new_columns;
    std::string insert_columns, insert_values, insert_args;
    std::size_t n = 0;
    for (const auto& m : ms) {
      const auto& c = *m.column;
      if (c.generated_sql || c.identity || c.serial) continue;
      bool defaulted = c.default_sql.has_value();
      // A column that must be given (NOT NULL, no default) is schemac::Required<T>,
      // which has no default constructor: a New... struct that leaves it out does not
      // compile.
      bool required = !defaulted && !c.nullable;
      std::string type = required ? "schemac::Required<" + types_.of(c.type) + ">" : Types::optional(types_.of(c.type));
      data nc;
      nc.set("member", m.member);
      nc.set("type", type);
      nc.set("init", required ? "" : "{}");
      nc.set("defaulted", defaulted);
      nc.set("column_sql", string_literal(quote(c.name)));
      nc.set("doc", doc_comment(c.doc, "  "));
      new_columns.push_back(nc);
      ++n;
      insert_columns += (insert_columns.empty() ? "" : ", ") + quote(c.name);
      std::string value = placeholders_cast(n, c.type);
      if (defaulted) value = "COALESCE(" + value + ", " + *c.default_sql + ")";
      insert_values += (insert_values.empty() ? "" : ", ") + value;
      insert_args += ", row." + m.member;
    }
    d.set("new_columns", new_columns);
    std::string insert = insert_columns.empty()
                             ? "INSERT INTO " + table_sql + " DEFAULT VALUES RETURNING " + select_list
                             : "INSERT INTO " + table_sql + " (" + insert_columns + ") VALUES (" + insert_values +
                                   ") RETURNING " + select_list;
    d.set("sql_insert", string_literal(insert));
    d.set("insert_args", insert_args);
    d.set("sql_count", string_literal("SELECT count(*)" + from));

    const model::Constraint* pk = t.primary_key();
    d.set("has_key", pk != nullptr);
    std::string order_by;
    if (pk) {
      std::string key_params, key_args, where;
      std::set<std::string> key(pk->columns.begin(), pk->columns.end());
      for (std::size_t i = 0; i < pk->columns.size(); ++i) {
        const auto* m = member_of(ms, pk->columns[i]);
        key_params += ", const " + types_.of(m->column->type) + "& " + m->member;
        key_args += ", " + m->member;
        where +=
            std::string(i ? " AND " : "") + quote(m->column->name) + " = " + placeholders_cast(i + 1, m->column->type);
        order_by += std::string(i ? ", " : "") + quote(m->column->name);
      }
      d.set("key_params", key_params);
      d.set("key_args", key_args);
      d.set("sql_find", string_literal("SELECT " + select_list + from + " WHERE " + where));
      d.set("sql_remove", string_literal("DELETE" + from + " WHERE " + where));
      std::string set, update_args;
      std::size_t p = pk->columns.size();
      for (const auto& m : ms) {
        if (key.count(m.column->name) || m.column->generated_sql || m.column->identity) continue;
        set += (set.empty() ? "" : ", ") + quote(m.column->name) + " = " + placeholders_cast(++p, m.column->type);
        update_args += ", row." + m.member;
      }
      std::string key_row_args;
      for (const auto& c : pk->columns) key_row_args += ", row." + member_of(ms, c)->member;
      d.set("sql_update", string_literal(set.empty() ? "SELECT 1" + from + " WHERE " + where
                                                     : "UPDATE " + table_sql + " SET " + set + " WHERE " + where));
      d.set("update_args", key_row_args + update_args);
    }
    // list(tx, order, limit): every row in primary key order (a table without one: its
    // columns' order); page_after(tx, last key, limit): keyset pagination, the rows
    // after a key in key order.
    {
      std::string asc, desc;
      std::vector<const Member*> key_members;
      if (pk)
        for (const auto& c : pk->columns) key_members.push_back(member_of(ms, c));
      else
        for (const auto& m : ms) key_members.push_back(&m);
      for (std::size_t i = 0; i < key_members.size(); ++i) {
        asc += std::string(i ? ", " : "") + quote(key_members[i]->column->name);
        desc += std::string(i ? ", " : "") + quote(key_members[i]->column->name) + " DESC";
      }
      d.set("sql_list", string_literal("SELECT " + select_list + from + " ORDER BY " + asc + " LIMIT $1"));
      d.set("sql_list_desc", string_literal("SELECT " + select_list + from + " ORDER BY " + desc + " LIMIT $1"));
      if (pk) {
        std::string params, args, left, right, limit = "limit";
        for (const auto* m : key_members)
          if (m->member == limit) limit += "_";
        for (std::size_t i = 0; i < key_members.size(); ++i) {
          const auto* m = key_members[i];
          params += ", const " + types_.of(m->column->type) + "& " + m->member;
          args += ", " + m->member;
          left += std::string(i ? ", " : "") + quote(m->column->name);
          right += std::string(i ? ", " : "") + placeholders_cast(i + 1, m->column->type);
        }
        std::string after = key_members.size() == 1 ? left + " > " + right : "(" + left + ") > (" + right + ")";
        d.set("page_params", params + ", std::int64_t " + limit);
        d.set("page_args", args + ", " + limit);
        d.set("sql_page_after", string_literal("SELECT " + select_list + from + " WHERE " + after + " ORDER BY " + asc +
                                               " LIMIT $" + std::to_string(key_members.size() + 1)));
      }
    }
    if (order_by.empty()) order_by = quote(t.columns.front().name);

    // Lookups: each foreign key's columns, each index's first column and each unique
    // key's columns; the primary key is `find`. A distributed table (Citus) always has
    // one by its distribution column: the query that reaches one shard.
    // A lookup on a unique key (a unique constraint, or a unique index on columns
    // without a predicate) returns std::optional: at most one row has the key.
    std::vector<std::vector<std::string>> keys;
    std::set<std::vector<std::string>> unique_keys;
    if (t.distribution && !t.distribution->reference && (!pk || pk->columns != std::vector{t.distribution->column}))
      keys.push_back({t.distribution->column});
    for (const auto& c : t.constraints)
      if (c.kind == model::ConstraintKind::foreign_key || c.kind == model::ConstraintKind::unique) {
        keys.push_back(c.columns);
        if (c.kind == model::ConstraintKind::unique) unique_keys.insert(c.columns);
      }
    for (const auto& ix : t.indexes) {
      if (ix.elements.empty() || ix.elements[0].column.empty()) continue;
      keys.push_back({ix.elements[0].column});
      if (ix.unique && !ix.where_sql) {
        std::vector<std::string> all;
        for (const auto& e : ix.elements)
          if (!e.column.empty()) all.push_back(e.column);
        if (all.size() == ix.elements.size()) {
          keys.push_back(all);
          unique_keys.insert(all);
        }
      }
    }
    list lookups;
    std::set<std::vector<std::string>> seen;
    std::set<std::string> lookup_names;
    if (pk) seen.insert(pk->columns);
    for (const auto& k : keys) {
      if (!seen.insert(k).second) continue;
      bool unique = unique_keys.count(k) > 0;
      std::string name = "by", params, args, where;
      for (std::size_t i = 0; i < k.size(); ++i) {
        const auto* m = member_of(ms, k[i]);
        name += "_" + m->member;
        params += ", const " + types_.of(m->column->type) + "& " + m->member;
        args += ", " + m->member;
        where +=
            std::string(i ? " AND " : "") + quote(m->column->name) + " = " + placeholders_cast(i + 1, m->column->type);
      }
      name = unique_name(identifier(name), lookup_names);
      data l;
      l.set("name", name);
      l.set("params", params);
      l.set("args", args);
      l.set("unique", unique);
      l.set("result", unique ? "std::optional<" + row + ">" : "std::vector<" + row + ">");
      l.set("sql", string_literal("SELECT " + select_list + from + " WHERE " + where +
                                  (unique ? std::string() : " ORDER BY " + order_by)));
      lookups.push_back(l);
    }
    d.set("lookups", lookups);
    return d;
  }

  static const Member* member_of(const std::vector<Member>& ms, const std::string& column) {
    for (const auto& m : ms)
      if (m.column->name == column) return &m;
    throw std::logic_error("no column " + column);
  }

  template <typename V>
  data view(const V& v, bool materialized, bool concurrent) {
    data d;
    std::string ns = object_namespace(v.name), row = type_name(v.name.name) + "Row";
    d.set("view", comment_text(v.name.display()));
    d.set("kind", materialized ? std::string("materialized view") : std::string("view"));
    d.set("row", row);
    d.set("ns", ns);
    d.set("doc", doc_comment(v.doc));
    d.set("materialized", materialized);
    d.set("concurrent", concurrent);
    list columns;
    std::string select_list;
    std::set<std::string> used{row};
    auto cols = views_.of(v.query);
    for (std::size_t i = 0; i < cols.size(); ++i) {
      std::string m = member_name(cols[i].name, used);
      data c;
      c.set("member", m);
      c.set("type", Types::optional(cols[i].type));
      c.set("index", std::to_string(i));
      columns.push_back(c);
      select_list += (i ? ", " : "") + quote(cols[i].name);
    }
    d.set("columns", columns);
    // Columns by name: a column the parse tree could not show is left out rather
    // than read into the wrong member.
    d.set("sql_select", string_literal("SELECT " + (select_list.empty() ? std::string("NULL") : select_list) +
                                       " FROM " + v.name.sql()));
    d.set("sql_refresh", string_literal("REFRESH MATERIALIZED VIEW " + v.name.sql()));
    d.set("sql_refresh_concurrently", string_literal("REFRESH MATERIALIZED VIEW CONCURRENTLY " + v.name.sql()));
    return d;
  }

  data materialized_view(const model::MaterializedView& v) {
    bool unique = std::any_of(v.indexes.begin(), v.indexes.end(),
                              [](const model::Index& ix) { return ix.unique && !ix.where_sql; });
    return view(v, true, unique);
  }

  // Whether a function gets a C++ wrapper: a result the generator maps.
  static bool wrapped(const model::Function& f) {
    return !f.is_extern && !f.returns_trigger && (!f.returns_table.empty() || f.returns == "void" || f.return_type);
  }
  // The C++ parameter types of a function's wrapper, which tell C++ overloads apart.
  std::string cpp_parameters(const model::Function& f) const {
    std::string out;
    for (const auto& p : f.parameters) {
      std::string type = types_.of(p.type);
      out += (p.default_sql ? "std::optional<" + type + ">" : type) + ",";
    }
    return out;
  }
  // "character varying(80), integer[]" -> "character_varying_80_integer_array"
  static std::string overload_suffix(const model::Function& f) {
    std::string out, types = f.argument_types_sql();
    for (auto at = types.find("[]"); at != std::string::npos; at = types.find("[]")) types.replace(at, 2, " array");
    for (char c : types) {
      if (std::isalnum(static_cast<unsigned char>(c)))
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      else if (!out.empty() && out.back() != '_')
        out += '_';
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out;
  }

  struct FunctionNames {
    std::string name, statement, result_row;  // result_row: for `returns table`
  };

  // One C++ function per SQL function (overloads included). Overloads are C++
  // overloads of one name while their C++ parameter types differ; those whose C++
  // parameters are the same (text and varchar are both std::string) are named with
  // their SQL parameter types: f_text, f_character_varying. Result rows of overloads
  // sharing a name are told apart the same way. Two SQL names that become one C++
  // name with the same parameters (f_text declared next to an overload f(text) named
  // f_text): the first only.
  void name_functions() {
    std::map<std::pair<std::string, std::string>, int> same_cpp;  // (name, C++ parameters) -> overloads
    for (const auto& f : s_.functions)
      if (wrapped(f)) ++same_cpp[{object_namespace(f.name), cpp_parameters(f)}];
    auto cpp_name = [&](const model::Function& f) {
      std::string name = object_namespace(f.name);
      return same_cpp[{name, cpp_parameters(f)}] > 1 ? identifier(name + "_" + overload_suffix(f)) : name;
    };
    std::map<std::string, int> table_results, overloads;  // C++ name -> overloads (returning a table)
    for (const auto& f : s_.functions)
      if (wrapped(f)) {
        ++overloads[cpp_name(f)];
        if (!f.returns_table.empty()) ++table_results[cpp_name(f)];
      }
    std::set<std::pair<std::string, std::string>> used;
    for (const auto& f : s_.functions) {
      if (!wrapped(f)) continue;
      FunctionNames n;
      n.name = cpp_name(f);
      if (!used.insert({n.name, cpp_parameters(f)}).second) continue;
      std::string what = "function " + f.name.display();
      claims_.claim(n.name, "function " + n.name, "the " + what, f.origin);
      // Prepared statements are named per connection: each overload has its own.
      n.statement = overloads[n.name] > 1 ? identifier(n.name + "_" + overload_suffix(f)) : n.name;
      if (!f.returns_table.empty()) {
        n.result_row = type_name(table_results[n.name] > 1 ? n.name + "_" + overload_suffix(f) : n.name) + "Row";
        claims_.claim(n.result_row, what + " row", "the result row of " + what, f.origin);
        type_names_.insert(n.result_row);
      }
      function_names_[&f] = n;
    }
  }

  list functions() {
    list out;
    for (const auto& f : s_.functions) {
      auto found = function_names_.find(&f);
      if (found == function_names_.end()) continue;
      const FunctionNames& n = found->second;
      data d;
      d.set("name", n.name);
      d.set("statement", n.statement);
      d.set("doc", doc_comment(f.doc));
      std::string params, params_definition, args, call;
      std::set<std::string> used;
      for (std::size_t i = 0; i < f.parameters.size(); ++i) {
        const auto& p = f.parameters[i];
        std::string type = types_.of(p.type), arg = member_name(p.name, used);
        std::string value = placeholders_cast(i + 1, p.type);
        if (p.default_sql) {
          params += ", const std::optional<" + type + ">& " + arg + " = std::nullopt";
          params_definition += ", const std::optional<" + type + ">& " + arg;
          value = "COALESCE(" + value + ", " + *p.default_sql + ")";
        } else {
          params += ", const " + type + "& " + arg;
          params_definition += ", const " + type + "& " + arg;
        }
        args += ", " + arg;
        call += (i ? ", " : "") + value;
      }
      d.set("params", params);
      d.set("params_definition", params_definition);
      d.set("args", args);
      std::string result, read;
      bool has_row = false;
      list result_columns;
      if (!f.returns_table.empty()) {
        const std::string& row = n.result_row;
        has_row = true;
        std::string assign;
        std::set<std::string> members{row};
        for (std::size_t i = 0; i < f.returns_table.size(); ++i) {
          const auto& c = f.returns_table[i];
          data rc;
          std::string member = member_name(c.name, members), type = Types::optional(types_.of(c.type));
          rc.set("member", member);
          rc.set("type", type);
          result_columns.push_back(rc);
          assign += "    x." + member + " = schemac::get<" + type + ">(row[" + std::to_string(i) + "]);\n";
        }
        result = "std::vector<" + row + ">";
        d.set("result_row", row);
        d.set("sql", string_literal("SELECT * FROM " + f.name.sql() + "(" + call + ")"));
        read = "  " + result + " out;\n  for (const auto& row : r) {\n    " + row + " x;\n" + assign +
               "    out.push_back(std::move(x));\n  }\n  return out;";
      } else if (f.returns == "void") {
        result = "void";
        d.set("sql", string_literal("SELECT " + f.name.sql() + "(" + call + ")"));
        read = "  (void)r;";
      } else if (f.return_type) {
        std::string type = types_.of(*f.return_type);
        if (f.returns_setof) {
          result = "std::vector<" + type + ">";
          d.set("sql", string_literal("SELECT * FROM " + f.name.sql() + "(" + call + ")"));
          read = "  " + result + " out;\n  for (const auto& row : r) out.push_back(schemac::get<" + type +
                 ">(row[0]));\n  return out;";
        } else {
          result = Types::optional(type);
          d.set("sql", string_literal("SELECT " + f.name.sql() + "(" + call + ")"));
          read = "  return schemac::get<" + result + ">(r.at(0)[0]);";
        }
      } else {
        continue;  // a return type the generator does not map (e.g. SETOF a table)
      }
      d.set("result", result);
      d.set("read_result", read);
      d.set("has_result_row", has_row);
      d.set("result_columns", result_columns);
      out.push_back(d);
    }
    return out;
  }

  // One function per named query: typed parameters, its SQL as written (values only
  // as parameters), a result row whose members are optional where the column may be
  // NULL; `one` -> std::optional<Row>, `many` -> std::vector<Row> (and NAME_each,
  // which streams the rows through a cursor), `exec` -> rows affected.
  list queries() {
    list out;
    for (const auto& q : s_.queries) {
      data d;
      std::string name = identifier(q.name), row = type_name(q.name) + "Row";
      d.set("name", name);
      d.set("sql_name", comment_text(q.name));
      d.set("doc", doc_comment(q.doc));
      d.set("row", row);
      d.set("statement", string_literal(o_.ns + ".query." + q.name));
      std::string sql = q.query;
      while (!sql.empty() && (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';'))
        sql.pop_back();
      while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.front()))) sql.erase(0, 1);
      d.set("sql", string_literal(sql));
      d.set("sql_cursor", string_literal(" NO SCROLL CURSOR FOR " + sql));
      std::string params, args;
      std::set<std::string> used{"tx", "each", "batch", "r", "out", "row", "x"};
      for (const auto& p : q.parameters) {
        std::string arg = member_name(p.name, used);
        params += ", const " + types_.of(p.type) + "& " + arg;
        args += ", " + arg;
      }
      d.set("params", params);
      d.set("args", args);
      list columns;
      std::set<std::string> members{row};
      for (std::size_t i = 0; i < q.columns.size(); ++i) {
        const auto& c = q.columns[i];
        std::string type = types_.of(c.type);
        data col;
        col.set("member", member_name(c.name, members));
        col.set("type", c.nullable ? Types::optional(type) : type);
        col.set("index", std::to_string(i));
        columns.push_back(col);
      }
      d.set("columns", columns);
      d.set("has_row", q.returns != "exec");
      d.set("one", q.returns == "one");
      d.set("many", q.returns == "many");
      d.set("exec", q.returns == "exec");
      d.set("result_comment",
            q.returns == "one"
                ? "// Its row, or nullopt when there is none (schemac::UnexpectedRows when there are more).\n"
            : q.returns == "exec" ? "// The number of rows it affected.\n"
                                  : "");
      d.set("result", q.returns == "one"    ? "std::optional<" + row + ">"
                      : q.returns == "many" ? "std::vector<" + row + ">"
                                            : std::string("std::int64_t"));
      out.push_back(d);
    }
    return out;
  }

  const model::Schema& s_;
  const CppOptions& o_;
  NameClaims claims_;
  std::set<std::string> type_names_;  // every type the namespace declares
  std::map<const model::Table*, std::string> rows_;
  std::map<const model::Function*, FunctionNames> function_names_;
  Types types_;
  ViewColumns views_;
};

}  // namespace

std::string cpp_sources_name(const std::string& ns) { return ns + ".sources"; }

void generate_cpp(const model::Schema& schema, const CppOptions& options, Diagnostics& diags, const CppSink& sink) {
  if (options.ns.empty() || identifier(options.ns) != options.ns)
    throw std::invalid_argument("'" + options.ns + "' is not a C++ identifier usable as a namespace");
  std::size_t errors = diags.error_count();
  Generator generator(schema, options, diags);
  if (diags.error_count() > errors) return;
  generator.write(sink);
}

std::map<std::string, std::string> generate_cpp(const model::Schema& schema, const CppOptions& options,
                                                Diagnostics& diags) {
  std::map<std::string, std::string> files;
  generate_cpp(schema, options, diags,
               [&](const std::string& file, std::string_view text) { files[file].append(text); });
  return files;
}

}  // namespace schemac::emit
