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

// ---- names ---------------------------------------------------------------------------

// A C++ identifier for a SQL name: other characters become '_', a leading digit or a
// keyword is guarded with '_'.
std::string identifier(const std::string& name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "_" + out;
  if (is_cpp_keyword(out)) out += "_";
  return out;
}

std::string pascal(const std::string& name) {
  std::string out;
  bool up = true;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "T" + out;
  return out;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Plain English singular of the last word: categories -> category, boxes -> box,
// classes -> class, users -> user; words that do not end in a plural 's' stay.
std::string singular(std::string word) {
  if (ends_with(word, "ies") && word.size() > 4) return word.substr(0, word.size() - 3) + "y";
  for (const char* tail : {"sses", "shes", "ches", "xes", "zes"})
    if (ends_with(word, tail)) return word.substr(0, word.size() - 2);
  if (ends_with(word, "s") && !ends_with(word, "ss") && !ends_with(word, "us") && !ends_with(word, "is") &&
      word.size() > 2)
    return word.substr(0, word.size() - 1);
  return word;
}

std::string row_type(const model::Table& t) { return t.row_type ? *t.row_type : singular(pascal(t.name.name)); }

// A C++ string literal, one source line per line of text.
std::string literal(const std::string& text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n\"";
        if (i + 1 < text.size())
          out += "\n    \"";
        else
          return out;
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string doc_comment(const model::Doc& doc, const std::string& indent = "") {
  std::string out;
  for (const auto& line : doc) out += indent + "///" + (line.empty() ? "" : " " + line) + "\n";
  return out;
}

// ---- types ---------------------------------------------------------------------------

class Types {
 public:
  explicit Types(const model::Schema& s) {
    std::set<std::string> taken;
    for (const auto& e : s.enums) taken.insert(enums_[e.name] = pascal(e.name.name));
    for (const auto& t : s.tables)
      if (!t.is_extern) taken.insert(row_type(t));
    for (const auto& d : s.domains) domains_[d.name] = d.base;
    // A composite type is a struct, named apart from the row structs and enums.
    for (const auto& c : s.composite_types) {
      std::string name = pascal(c.name.name);
      while (taken.count(name)) name += "Type";
      taken.insert(records_[c.name] = name);
    }
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

// ---- the generator ----------------------------------------------------------------------

class Generator {
 public:
  Generator(const model::Schema& s, const CppOptions& o) : s_(s), o_(o), types_(s), views_(s, types_) {}

  data build() {
    data root;
    root.set("namespace", o_.ns);
    root.set("source", o_.source);
    root.set("runtime_version", std::to_string(SCHEMAC_RUNTIME_VERSION));
    root.set("enums", enums());
    root.set("records", records());
    root.set("tables", tables());
    root.set("views", views());
    root.set("functions", functions());
    list migrations;
    for (const auto& m : o_.migrations) {
      data d;
      d.set("version", std::to_string(m.version));
      d.set("name", literal(m.name));
      d.set("up", literal(m.up));
      d.set("down", literal(m.down));
      d.set("verify", literal(m.verify));
      migrations.push_back(d);
    }
    root.set("migrations", migrations);
    root.set("migration_count", std::to_string(o_.migrations.size()));
    root.set("schema_version", std::to_string(o_.migrations.empty() ? 0 : o_.migrations.back().version));
    return root;
  }

 private:
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
      d.set("sql_name", c.name.display());
      d.set("doc", doc_comment(c.doc));
      list members;
      std::string tie;
      std::set<std::string> used;
      for (const auto& f : c.fields) {
        std::string m = identifier(f.name);
        while (used.count(m)) m += "_";
        used.insert(m);
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
      d.set("name", pascal(e.name.name));
      d.set("sql_name", e.name.display());
      d.set("doc", doc_comment(e.doc));
      std::string values;
      list members;
      std::set<std::string> used;
      for (const auto& v : e.values) {
        std::string m = identifier(v);
        while (used.count(m)) m += "_";
        used.insert(m);
        values += (values.empty() ? "" : ", ") + m;
        data member;
        member.set("member", m);
        member.set("label", literal(v));
        members.push_back(member);
      }
      d.set("values", values);
      d.set("members", members);
      out.push_back(d);
    }
    return out;
  }

  struct Member {
    const model::Column* column;
    std::string member, type;
  };

  std::vector<Member> members(const model::Table& t) {
    std::vector<Member> out;
    std::set<std::string> used;
    for (const auto& c : t.columns) {
      std::string m = identifier(c.name);
      while (used.count(m)) m += "_";
      used.insert(m);
      std::string type = types_.of(c.type);
      out.push_back({&c, m, c.nullable ? Types::optional(type) : type});
    }
    return out;
  }

  static std::string placeholders_cast(std::size_t n, const Type& t) {
    return "$" + std::to_string(n) + "::" + t.sql();
  }

  list tables() {
    list out;
    for (const auto& t : s_.tables) {
      if (t.is_extern || t.archived_as) continue;
      out.push_back(table(t));
    }
    return out;
  }

  data table(const model::Table& t) {
    data d;
    std::string row = row_type(t),
                ns = identifier(t.name.schema == "public" ? t.name.name : t.name.schema + "_" + t.name.name);
    std::string table_sql = t.name.sql();
    d.set("table", t.name.display());
    d.set("table_sql", literal(table_sql));
    d.set("row", row);
    d.set("ns", ns);
    d.set("doc", doc_comment(t.doc));
    auto ms = members(t);
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
      std::string type = defaulted || c.nullable ? Types::optional(types_.of(c.type)) : types_.of(c.type);
      data nc;
      nc.set("member", m.member);
      nc.set("type", type);
      nc.set("defaulted", defaulted);
      nc.set("column_sql", literal(quote(c.name)));
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
    d.set("sql_insert", literal(insert));
    d.set("insert_args", insert_args);
    d.set("sql_count", literal("SELECT count(*)" + from));

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
      d.set("sql_find", literal("SELECT " + select_list + from + " WHERE " + where));
      d.set("sql_remove", literal("DELETE" + from + " WHERE " + where));
      std::string set, update_args;
      std::size_t p = pk->columns.size();
      for (const auto& m : ms) {
        if (key.count(m.column->name) || m.column->generated_sql || m.column->identity) continue;
        set += (set.empty() ? "" : ", ") + quote(m.column->name) + " = " + placeholders_cast(++p, m.column->type);
        update_args += ", row." + m.member;
      }
      std::string key_row_args;
      for (const auto& c : pk->columns) key_row_args += ", row." + member_of(ms, c)->member;
      d.set("sql_update", literal(set.empty() ? "SELECT 1" + from + " WHERE " + where
                                              : "UPDATE " + table_sql + " SET " + set + " WHERE " + where));
      d.set("update_args", key_row_args + update_args);
    }
    if (order_by.empty()) order_by = quote(t.columns.front().name);

    // Lookups: each foreign key's columns, each index's first column and each unique
    // key's columns; the primary key is `find`. A distributed table (Citus) always has
    // one by its distribution column: the query that reaches one shard.
    std::vector<std::vector<std::string>> keys;
    if (t.distribution && !t.distribution->reference && (!pk || pk->columns != std::vector{t.distribution->column}))
      keys.push_back({t.distribution->column});
    for (const auto& c : t.constraints)
      if (c.kind == model::ConstraintKind::foreign_key || c.kind == model::ConstraintKind::unique)
        keys.push_back(c.columns);
    for (const auto& ix : t.indexes) {
      if (ix.elements.empty() || ix.elements[0].column.empty()) continue;
      keys.push_back({ix.elements[0].column});
      if (ix.unique && !ix.where_sql) {
        std::vector<std::string> all;
        for (const auto& e : ix.elements)
          if (!e.column.empty()) all.push_back(e.column);
        if (all.size() == ix.elements.size()) keys.push_back(all);
      }
    }
    list lookups;
    std::set<std::vector<std::string>> seen;
    if (pk) seen.insert(pk->columns);
    for (const auto& k : keys) {
      if (!seen.insert(k).second) continue;
      std::string name = "by", params, args, where;
      for (std::size_t i = 0; i < k.size(); ++i) {
        const auto* m = member_of(ms, k[i]);
        name += "_" + m->member;
        params += ", const " + types_.of(m->column->type) + "& " + m->member;
        args += ", " + m->member;
        where +=
            std::string(i ? " AND " : "") + quote(m->column->name) + " = " + placeholders_cast(i + 1, m->column->type);
      }
      data l;
      l.set("name", name);
      l.set("params", params);
      l.set("args", args);
      l.set("sql", literal("SELECT " + select_list + from + " WHERE " + where + " ORDER BY " + order_by));
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
    std::string ns = identifier(v.name.schema == "public" ? v.name.name : v.name.schema + "_" + v.name.name);
    d.set("view", v.name.display());
    d.set("kind", materialized ? std::string("materialized view") : std::string("view"));
    d.set("row", pascal(v.name.name) + "Row");
    d.set("ns", ns);
    d.set("doc", doc_comment(v.doc));
    d.set("materialized", materialized);
    d.set("concurrent", concurrent);
    list columns;
    std::string select_list;
    std::set<std::string> used;
    auto cols = views_.of(v.query);
    for (std::size_t i = 0; i < cols.size(); ++i) {
      std::string m = identifier(cols[i].name);
      while (used.count(m)) m += "_";
      used.insert(m);
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
    d.set("sql_select",
          literal("SELECT " + (select_list.empty() ? std::string("NULL") : select_list) + " FROM " + v.name.sql()));
    d.set("sql_refresh", literal("REFRESH MATERIALIZED VIEW " + v.name.sql()));
    d.set("sql_refresh_concurrently", literal("REFRESH MATERIALIZED VIEW CONCURRENTLY " + v.name.sql()));
    return d;
  }

  list views() {
    list out;
    for (const auto& v : s_.views) out.push_back(view(v, false, false));
    for (const auto& v : s_.materialized_views) {
      bool unique = std::any_of(v.indexes.begin(), v.indexes.end(),
                                [](const model::Index& ix) { return ix.unique && !ix.where_sql; });
      out.push_back(view(v, true, unique));
    }
    return out;
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

  // One C++ function per SQL function (overloads included). Overloads are C++
  // overloads of one name while their C++ parameter types differ; those whose C++
  // parameters are the same (text and varchar are both std::string) are named with
  // their SQL parameter types: f_text, f_character_varying. Result rows of overloads
  // sharing a name are told apart the same way.
  list functions() {
    list out;
    std::map<std::pair<std::string, std::string>, int> same_cpp;  // (name, C++ parameters) -> overloads
    auto base_name = [](const model::Function& f) {
      return identifier(f.name.schema == "public" ? f.name.name : f.name.schema + "_" + f.name.name);
    };
    for (const auto& f : s_.functions)
      if (wrapped(f)) ++same_cpp[{base_name(f), cpp_parameters(f)}];
    auto cpp_name = [&](const model::Function& f) {
      std::string name = base_name(f);
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
      std::string name = cpp_name(f);
      // Two SQL names that become one C++ name with the same parameters (f_text
      // declared next to an overload f(text) named f_text): the first only.
      if (!used.insert({name, cpp_parameters(f)}).second) continue;
      data d;
      d.set("name", name);
      // Prepared statements are named per connection: each overload has its own.
      d.set("statement", overloads[name] > 1 ? identifier(name + "_" + overload_suffix(f)) : name);
      d.set("doc", doc_comment(f.doc));
      std::string params, params_definition, args, call;
      for (std::size_t i = 0; i < f.parameters.size(); ++i) {
        const auto& p = f.parameters[i];
        std::string type = types_.of(p.type), arg = identifier(p.name);
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
        std::string row = pascal(table_results[name] > 1 ? name + "_" + overload_suffix(f) : name) + "Row";
        has_row = true;
        std::string assign;
        for (std::size_t i = 0; i < f.returns_table.size(); ++i) {
          const auto& c = f.returns_table[i];
          data rc;
          std::string member = identifier(c.name), type = Types::optional(types_.of(c.type));
          rc.set("member", member);
          rc.set("type", type);
          result_columns.push_back(rc);
          assign += "    x." + member + " = schemac::get<" + type + ">(row[" + std::to_string(i) + "]);\n";
        }
        result = "std::vector<" + row + ">";
        d.set("result_row", row);
        d.set("sql", literal("SELECT * FROM " + f.name.sql() + "(" + call + ")"));
        read = "  " + result + " out;\n  for (const auto& row : r) {\n    " + row + " x;\n" + assign +
               "    out.push_back(std::move(x));\n  }\n  return out;";
      } else if (f.returns == "void") {
        result = "void";
        d.set("sql", literal("SELECT " + f.name.sql() + "(" + call + ")"));
        read = "  (void)r;";
      } else if (f.return_type) {
        std::string type = types_.of(*f.return_type);
        if (f.returns_setof) {
          result = "std::vector<" + type + ">";
          d.set("sql", literal("SELECT * FROM " + f.name.sql() + "(" + call + ")"));
          read = "  " + result + " out;\n  for (const auto& row : r) out.push_back(schemac::get<" + type +
                 ">(row[0]));\n  return out;";
        } else {
          result = Types::optional(type);
          d.set("sql", literal("SELECT " + f.name.sql() + "(" + call + ")"));
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

  const model::Schema& s_;
  const CppOptions& o_;
  Types types_;
  ViewColumns views_;
};

std::string render(const char* name, const std::string& text, const data& d) {
  mustache tmpl(text);
  tmpl.set_custom_escape([](const std::string& s) { return s; });
  if (!tmpl.is_valid()) throw std::logic_error(std::string("template ") + name + ": " + tmpl.error_message());
  std::string out = tmpl.render(d);
  if (!tmpl.is_valid()) throw std::logic_error(std::string("template ") + name + ": " + tmpl.error_message());
  return out;
}

}  // namespace

bool is_cpp_keyword(const std::string& w) {
  static const std::set<std::string> keywords = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch", "char",
      "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr", "constinit",
      "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete", "do", "double",
      "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if",
      "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or",
      "or_eq", "private", "protected", "public", "register", "reinterpret_cast", "requires", "return", "short",
      "signed", "sizeof", "static", "static_assert", "static_cast", "struct", "switch", "template", "this",
      "thread_local", "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual",
      "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
      // names the generated code itself uses in these scopes
      "tx", "row", "rows", "r", "out", "find", "insert", "insert_many", "update", "remove", "count"};
  return keywords.count(w) > 0;
}

CppFiles generate_cpp(const model::Schema& schema, const CppOptions& options) {
  if (options.ns.empty() || identifier(options.ns) != options.ns)
    throw std::invalid_argument("'" + options.ns + "' is not a C++ identifier usable as a namespace");
  data d = Generator(schema, options).build();
  return {render("header.hpp.mustache", templates::header, d), render("source.cpp.mustache", templates::source, d)};
}

}  // namespace schemac::emit
