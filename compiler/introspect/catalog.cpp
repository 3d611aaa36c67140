#include "introspect/catalog.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "emit/alter.hpp"
#include "model/names.hpp"
#include "model/types.hpp"

namespace schemac::introspect {
namespace {

using model::QualifiedName;

std::string lit(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

model::Doc doc_of(const pqxx::field& f) {
  model::Doc doc;
  if (f.is_null()) return doc;
  std::string text = f.as<std::string>();
  std::size_t start = 0;
  while (true) {
    auto end = text.find('\n', start);
    doc.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return doc;
}

std::optional<std::string> opt(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

// "((a > 0))" -> "a > 0": the parentheses around the whole text, if any.
std::string unwrap_once(const std::string& s);
std::string unwrap(std::string s) {
  for (std::string inner = unwrap_once(s); inner != s; inner = unwrap_once(s)) s = inner;
  return s;
}
std::string unwrap_once(const std::string& s) {
  if (s.size() < 2 || s.front() != '(' || s.back() != ')') return s;
  int depth = 0;
  bool quoted = false, dquoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'' && !dquoted) quoted = !quoted;
    if (c == '"' && !quoted) dquoted = !dquoted;
    if (quoted || dquoted) continue;
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0 && i + 1 != s.size()) return s;  // "(a) + (b)"
  }
  return s.substr(1, s.size() - 2);
}

// The text between the parenthesis at `open` and its match (quotes respected), and
// the position after the match; nullopt when unbalanced.
std::optional<std::pair<std::string, std::size_t>> parenthesized(const std::string& s, std::size_t open) {
  if (open >= s.size() || s[open] != '(') return std::nullopt;
  int depth = 0;
  bool quoted = false, dquoted = false;
  for (std::size_t i = open; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'' && !dquoted) quoted = !quoted;
    if (c == '"' && !quoted) dquoted = !dquoted;
    if (quoted || dquoted) continue;
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0) return std::make_pair(s.substr(open + 1, i - open - 1), i + 1);
  }
  return std::nullopt;
}

// Splits at commas outside parentheses and quotes.
std::vector<std::string> split_top(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  bool quoted = false, dquoted = false;
  for (char c : s) {
    if (c == '\'' && !dquoted) quoted = !quoted;
    if (c == '"' && !quoted) dquoted = !dquoted;
    if (!quoted && !dquoted) {
      if (c == '(') ++depth;
      if (c == ')') --depth;
      if (c == ',' && depth == 0) {
        out.push_back(cur);
        cur.clear();
        continue;
      }
    }
    cur += c;
  }
  if (!cur.empty() || !out.empty()) out.push_back(cur);
  for (auto& x : out) {
    while (!x.empty() && x.front() == ' ') x.erase(0, 1);
    while (!x.empty() && x.back() == ' ') x.pop_back();
  }
  return out;
}

// An identifier as PostgreSQL prints it ("Order", plain) -> its name; nullopt for
// anything else (an expression).
std::optional<std::string> identifier(const std::string& s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    std::string out;
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
      if (s[i] == '"') {
        if (s[i + 1] != '"') return std::nullopt;
        ++i;
      }
      out += s[i];
    }
    return out;
  }
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
  for (char c : s)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_' ||
          static_cast<unsigned char>(c) >= 0x80))
      return std::nullopt;
  return s;
}

// An int2vector or oidvector as text ("1 3") -> its numbers.
std::vector<std::string> vector_of(const pqxx::field& f) {
  std::vector<std::string> out;
  if (f.is_null()) return out;
  std::string text = f.as<std::string>(), cur;
  for (char c : text) {
    if (c == ' ') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::vector<std::string> pg_array(const pqxx::field& f) {
  std::vector<std::string> out;
  if (f.is_null()) return out;
  pqxx::array_parser parser(f.c_str(), pqxx::internal::encoding_group::UTF8);
  for (auto [what, value] = parser.get_next(); what != pqxx::array_parser::done;
       std::tie(what, value) = parser.get_next())
    if (what == pqxx::array_parser::string_value) out.push_back(value);
  return out;
}

struct TypeInfo {
  std::string schema, name, canonical;  // canonical: format_type(oid, NULL)
  char type = 'b';                      // typtype
  long elem = 0;                        // an array's element type
  char category = 'U';
  long relid = 0;  // a composite type's relation
  char relkind = 0;
  bool from_extension = false;
};

class Reader {
 public:
  Reader(pqxx::transaction_base& tx, const Options& options) : tx_(tx), options_(options) {}

  Catalog run() {
    // Names of other schemas come back qualified, public's as the language writes them.
    tx_.exec("SET LOCAL search_path = public");
    scope();
    types();
    extensions_and_schemas();
    enums_domains_composites();
    sequences();
    relations();
    functions();
    default_privileges();
    externals();
    roles();
    unexpressible();
    sort();
    return std::move(out_);
  }

 private:
  pqxx::result q(const std::string& sql) { return tx_.exec(sql); }

  // One query for every relation of the pulled schemas, its rows grouped by the key
  // in its last column: a catalog of a thousand tables is read in a few queries.
  struct Batch {
    pqxx::result rows;
    std::map<long, std::vector<pqxx::result::size_type>> by_key;
    std::vector<pqxx::row> of(long key) const {
      std::vector<pqxx::row> out;
      if (auto it = by_key.find(key); it != by_key.end())
        for (auto i : it->second) out.push_back(rows[i]);
      return out;
    }
  };
  Batch batch(const std::string& sql) {
    Batch b;
    b.rows = q(sql);
    for (pqxx::result::size_type i = 0; i < b.rows.size(); ++i)
      b.by_key[b.rows[i][b.rows.columns() - 1].as<long>()].push_back(i);
    return b;
  }
  std::string relations_in_scope() const {
    return "(SELECT oid FROM pg_class WHERE relnamespace IN (" + scope_list_ + "))";
  }

  void skip(const std::string& kind, const std::string& name, const std::string& reason) {
    out_.skipped.push_back({kind, name, reason});
  }

  std::string in_scope(const std::string& column) const { return column + " IN (" + scope_list_ + ")"; }
  // Not a member of an extension.
  static std::string not_extension_member(const std::string& catalog, const std::string& oid) {
    return "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '" + catalog + "'::regclass AND d.objid = " + oid +
           " AND d.deptype = 'e')";
  }

  void scope() {
    std::string sql =
        "SELECT n.oid, n.nspname FROM pg_namespace n WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', "
        "'pg_toast', " +
        lit(emit::retention_schema) +
        ") AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%' AND " +
        not_extension_member("pg_namespace", "n.oid");
    std::set<std::string> wanted(options_.schemas.begin(), options_.schemas.end());
    for (auto row : q(sql)) {
      std::string name = row[1].as<std::string>();
      if (!wanted.empty() && !wanted.count(name)) continue;
      schemas_.insert(name);
      scope_list_ += (scope_list_.empty() ? "" : ", ") + row[0].as<std::string>();
    }
    for (const auto& w : wanted)
      if (!schemas_.count(w) && !options_.missing_schemas_ok)
        throw std::runtime_error("schema '" + w + "' does not exist in the database");
    if (scope_list_.empty()) scope_list_ = "0";
  }

  // ---- types -----------------------------------------------------------------------

  void types() {
    for (auto row : q("SELECT t.oid, n.nspname, t.typname, format_type(t.oid, NULL), t.typtype, t.typelem, "
                      "t.typcategory, t.typrelid, coalesce(c.relkind, ' '), EXISTS (SELECT 1 FROM pg_depend d WHERE "
                      "d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e') FROM pg_type t JOIN "
                      "pg_namespace n ON n.oid = t.typnamespace LEFT JOIN pg_class c ON c.oid = t.typrelid")) {
      TypeInfo t;
      t.schema = row[1].as<std::string>();
      t.name = row[2].as<std::string>();
      t.canonical = row[3].as<std::string>();
      t.type = row[4].as<std::string>()[0];
      t.elem = row[5].as<long>();
      t.category = row[6].as<std::string>()[0];
      t.relid = row[7].as<long>();
      t.relkind = row[8].as<std::string>()[0];
      t.from_extension = row[9].as<bool>();
      types_[row[0].as<long>()] = t;
    }
  }

  // The model type of (type oid, typmod); `formatted` is format_type(oid, typmod).
  model::Type type_of(long oid, const std::string& formatted, const std::string& where) {
    model::Type out;
    auto it = types_.find(oid);
    if (it == types_.end()) throw std::runtime_error("unknown type oid " + std::to_string(oid));
    if (it->second.category == 'A' && it->second.elem != 0) {
      out.array_dims = 1;
      it = types_.find(it->second.elem);
      if (it == types_.end()) throw std::runtime_error("unknown element type of oid " + std::to_string(oid));
    }
    const TypeInfo& t = it->second;
    if (t.schema == "pg_catalog" && t.type != 'c') {
      out.builtin = t.canonical;
      if (t.type == 'p' && (t.name == "trigger" || t.name == "void" || t.name == "record")) return out;
      if (!model::builtin_by_name(out.builtin)) {
        skip("type", where, "type " + t.canonical + " is not one the language knows: pulled as text");
        out.builtin = "text";
        return out;
      }
      // Modifiers: the numbers of the first parentheses format_type prints.
      if (auto open = formatted.find('('); open != std::string::npos)
        if (auto inner = parenthesized(formatted, open))
          for (const auto& m : split_top(inner->first))
            if (!m.empty() && std::all_of(m.begin(), m.end(), [](unsigned char c) { return std::isdigit(c); }))
              out.modifiers.push_back(std::stoi(m));
      if (t.canonical == "interval")
        for (const char* field : {"year", "month", "day", "hour", "minute", "second"})
          if (formatted.find(field) != std::string::npos) {
            skip("interval fields", where, "'" + formatted + "' is pulled as interval");
            break;
          }
      return out;
    }
    out.named_type = QualifiedName{t.schema, t.name};
    // A type of a schema not pulled is declared extern, whatever its kind.
    bool elsewhere = !schemas_.count(t.schema) && !(t.from_extension && model::extension_type(t.name));
    switch (elsewhere ? 'x' : t.type) {
      case 'e':
        out.kind = model::TypeKind::enumeration;
        break;
      case 'd':
        out.kind = model::TypeKind::domain;
        break;
      case 'c':
        out.kind = model::TypeKind::composite;
        break;
      default:
        out.kind = model::TypeKind::external;
        if (t.from_extension && model::extension_type(t.name)) {
          out.named_type = QualifiedName{"", t.name};  // found through search_path, as declared
        } else if (extern_types_.insert(t.schema + "." + t.name).second) {
          model::ExternType x;
          x.name = {t.schema == "public" ? "" : t.schema, t.name};
          out_.schema.extern_types.push_back(x);
          if (!elsewhere)
            skip("type", t.schema + "." + t.name, "a type the language cannot declare: pulled as 'extern type'");
        }
        if (!(t.from_extension && model::extension_type(t.name)))
          out.named_type = QualifiedName{t.schema == "public" ? "" : t.schema, t.name};
    }
    return out;
  }

  // ---- extensions, schemas, roles ----------------------------------------------------

  void extensions_and_schemas() {
    for (auto row : q("SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                      "WHERE e.extname NOT IN ('plpgsql', 'citus', 'citus_columnar') ORDER BY 1")) {
      model::NamedObject e;
      e.name = row[0].as<std::string>();
      std::string schema = row[1].as<std::string>();
      if (schema != "public" && schema != "pg_catalog") e.schema = schema;
      out_.schema.extensions.push_back(e);
    }
    for (auto row : q("SELECT n.nspname, obj_description(n.oid, 'pg_namespace'), n.nspacl::text[], "
                      "pg_get_userbyid(n.nspowner) FROM pg_namespace n WHERE " +
                      in_scope("n.oid") + " ORDER BY 1")) {
      std::string name = row[0].as<std::string>();
      if (name == "public") {
        auto acl = pg_array(row[2]);
        std::set<std::string> standard = {"pg_database_owner=UC/pg_database_owner", "=U/pg_database_owner"};
        if (!row[2].is_null() && std::set<std::string>(acl.begin(), acl.end()) != standard)
          skip("privileges", "schema public", "privileges on schema public are left as the database has them");
        continue;
      }
      model::NamedObject s;
      s.name = name;
      s.doc = doc_of(row[1]);
      s.grants = grants_of(row[2], row[3].as<std::string>(), model::schema_privileges(), "schema " + name);
      out_.schema.schemas.push_back(s);
    }
  }

  // The grants of an ACL (aclitem[] as text) but the owner's; `defaults`: the letters
  // PUBLIC holds by default (U for schemas: none; X for functions), for `revoked`.
  std::vector<model::Grant> grants_of(const pqxx::field& acl, const std::string& owner,
                                      const std::vector<std::string>& all, const std::string& what,
                                      std::vector<std::string>* revoked = nullptr, bool public_executes = false) {
    std::vector<model::Grant> out;
    if (acl.is_null()) return out;  // the defaults
    static const std::map<char, std::string> letters = {
        {'r', "SELECT"},  {'a', "INSERT"},  {'w', "UPDATE"}, {'d', "DELETE"}, {'D', "TRUNCATE"}, {'x', "REFERENCES"},
        {'t', "TRIGGER"}, {'X', "EXECUTE"}, {'U', "USAGE"},  {'C', "CREATE"}, {'c', "CONNECT"},  {'T', "TEMPORARY"}};
    bool public_has_execute = false;
    for (const auto& item : pg_array(acl)) {
      // grantee=rights/grantor; a name is double-quoted when it needs it ("a=b").
      std::string grantee;
      std::size_t i = 0;
      if (!item.empty() && item[0] == '"') {
        for (i = 1; i < item.size(); ++i) {
          if (item[i] == '"' && i + 1 < item.size() && item[i + 1] == '"') {
            grantee += '"';
            ++i;
          } else if (item[i] == '"') {
            ++i;
            break;
          } else {
            grantee += item[i];
          }
        }
      } else {
        while (i < item.size() && item[i] != '=') grantee += item[i++];
      }
      if (i >= item.size() || item[i] != '=') continue;
      std::string rights;
      for (++i; i < item.size() && item[i] != '/'; ++i) rights += item[i];
      if (grantee == owner) continue;
      std::set<std::string> held;
      for (char c : rights)
        if (letters.count(c)) held.insert(letters.at(c));
      if (rights.find('*') != std::string::npos)
        skip("grant option", what, "WITH GRANT OPTION to " + (grantee.empty() ? "public" : grantee) + " is left out");
      if (grantee.empty()) {
        if (held.count("EXECUTE")) public_has_execute = true;
        held.erase("EXECUTE");
        if (held.empty()) continue;
        grantee = "public";
      }
      model::Grant g;
      g.role = grantee;
      for (const auto& p : all)
        if (held.count(p)) g.privileges.push_back(p);
      if (g.privileges.size() == all.size()) g.privileges = {"ALL"};
      if (!g.privileges.empty()) out.push_back(g);
    }
    if (revoked && public_executes && !public_has_execute) revoked->push_back("public");
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.role < b.role; });
    return out;
  }

  void roles() {
    std::set<std::string> names;
    auto add = [&](const std::vector<model::Grant>& gs) {
      for (const auto& g : gs) names.insert(g.role);
    };
    for (const auto& s : out_.schema.schemas) add(s.grants);
    for (const auto& s : out_.schema.sequences) add(s.grants);
    for (const auto& f : out_.schema.functions) {
      add(f.grants);
      names.insert(f.revoked.begin(), f.revoked.end());
    }
    for (const auto& t : out_.schema.tables) {
      add(t.grants);
      for (const auto& p : t.policies) names.insert(p.roles.begin(), p.roles.end());
    }
    for (const auto& v : out_.schema.views) add(v.grants);
    for (const auto& v : out_.schema.materialized_views) add(v.grants);
    for (const auto& d : out_.schema.default_privileges) names.insert(d.role);
    names.erase("public");
    for (const auto& n : names) {
      model::NamedObject r;
      r.name = n;
      out_.schema.roles.push_back(r);
    }
  }

  // ---- enums, domains, composite types -------------------------------------------------

  void enums_domains_composites() {
    for (auto row : q("SELECT t.oid, n.nspname, t.typname, obj_description(t.oid, 'pg_type'), t.typtype, "
                      "t.typbasetype, format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault, t.typrelid "
                      "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace LEFT JOIN pg_class c ON c.oid = "
                      "t.typrelid WHERE " +
                      in_scope("t.typnamespace") + " AND " + not_extension_member("pg_type", "t.oid") +
                      " AND (t.typtype IN ('e', 'd', 'r', 'm', 'b') OR (t.typtype = 'c' AND c.relkind = 'c')) AND "
                      "t.typcategory <> 'A' ORDER BY 2, 3")) {
      QualifiedName name{row[1].as<std::string>(), row[2].as<std::string>()};
      std::string what = name.schema + "." + name.name;
      char kind = row[4].as<std::string>()[0];
      long oid = row[0].as<long>();
      if (kind == 'e') {
        model::Enum e;
        e.name = name;
        e.doc = doc_of(row[3]);
        for (auto v :
             q("SELECT enumlabel FROM pg_enum WHERE enumtypid = " + std::to_string(oid) + " ORDER BY enumsortorder"))
          e.values.push_back(v[0].as<std::string>());
        out_.schema.enums.push_back(e);
      } else if (kind == 'd') {
        model::Domain d;
        d.name = name;
        d.doc = doc_of(row[3]);
        d.base = type_of(row[5].as<long>(), row[6].as<std::string>(), what);
        d.not_null = row[7].as<bool>();
        d.default_sql = opt(row[8]);
        for (auto c : q("SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint WHERE contypid = " +
                        std::to_string(oid) + " AND contype = 'c' ORDER BY conname")) {
          model::DomainCheck check;
          check.name = c[0].as<std::string>();
          check.named = true;
          std::string def = c[1].as<std::string>();
          if (def.rfind("CHECK ", 0) == 0) def = def.substr(6);
          if (auto nv = def.rfind(" NOT VALID"); nv != std::string::npos && nv + 10 == def.size()) def.resize(nv);
          check.expression = unwrap(def);
          if (!c[2].as<bool>()) skip("not valid", what + "." + check.name, "pulled as a validated check");
          d.checks.push_back(check);
        }
        out_.schema.domains.push_back(d);
      } else if (kind == 'c') {
        model::CompositeType c;
        c.name = name;
        c.doc = doc_of(row[3]);
        for (auto f :
             q("SELECT a.attname, a.atttypid, format_type(a.atttypid, a.atttypmod), col_description(a.attrelid, "
               "a.attnum) FROM pg_attribute a WHERE a.attrelid = " +
               row[9].as<std::string>() + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
          model::Field field;
          field.name = f[0].as<std::string>();
          field.type = type_of(f[1].as<long>(), f[2].as<std::string>(), what + "." + field.name);
          field.doc = doc_of(f[3]);
          c.fields.push_back(field);
        }
        out_.schema.composite_types.push_back(c);
      } else {
        skip(kind == 'b' ? "base type" : "range type", what, "the language cannot declare it");
      }
    }
  }

  // ---- sequences ---------------------------------------------------------------------------

  void sequences() {
    for (auto row :
         q("SELECT c.oid, n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqincrement, s.seqmin, s.seqmax, "
           "s.seqstart, s.seqcache, s.seqcycle, obj_description(c.oid, 'pg_class'), c.relacl::text[], "
           "pg_get_userbyid(c.relowner), dep.deptype, tn.nspname, t.relname, a.attname FROM pg_class c JOIN "
           "pg_namespace n ON n.oid = c.relnamespace JOIN pg_sequence s ON s.seqrelid = c.oid LEFT JOIN pg_depend "
           "dep ON dep.classid = 'pg_class'::regclass AND dep.objid = c.oid AND dep.refclassid = "
           "'pg_class'::regclass AND dep.deptype IN ('a', 'i') LEFT JOIN pg_class t ON t.oid = dep.refobjid LEFT "
           "JOIN pg_namespace tn ON tn.oid = t.relnamespace LEFT JOIN pg_attribute a ON a.attrelid = dep.refobjid "
           "AND a.attnum = dep.refobjsubid WHERE c.relkind = 'S' AND " +
           in_scope("c.relnamespace") + " AND " + not_extension_member("pg_class", "c.oid") + " ORDER BY 2, 3")) {
      if (!row[13].is_null() && row[13].as<std::string>() == "i") continue;  // an identity column's
      model::Sequence s;
      s.name = {row[1].as<std::string>(), row[2].as<std::string>()};
      s.type = row[3].as<std::string>();
      model::Sequence plain;
      plain.type = s.type;
      s.increment = row[4].as<std::int64_t>();
      if (*s.increment == 1) s.increment.reset();
      plain.increment = s.increment;
      auto d = plain.effective();
      if (row[5].as<std::int64_t>() != d.minvalue) s.minvalue = row[5].as<std::int64_t>();
      if (row[6].as<std::int64_t>() != d.maxvalue) s.maxvalue = row[6].as<std::int64_t>();
      plain.minvalue = s.minvalue;
      plain.maxvalue = s.maxvalue;
      if (row[7].as<std::int64_t>() != plain.effective().start) s.start = row[7].as<std::int64_t>();
      if (row[8].as<std::int64_t>() != 1) s.cache = row[8].as<std::int64_t>();
      s.cycle = row[9].as<bool>();
      s.doc = doc_of(row[10]);
      s.grants = grants_of(row[11], row[12].as<std::string>(), model::sequence_privileges(), s.name.display());
      if (!row[13].is_null())
        s.owned_by = std::make_pair(QualifiedName{row[14].as<std::string>(), row[15].as<std::string>()},
                                    row[16].as<std::string>());
      out_.schema.sequences.push_back(s);
    }
  }

  // A column default nextval('SEQ'::regclass) of the sequence its column owns,
  // named TABLE_COLUMN_seq with its type's default options: a serial column.
  bool make_serial(model::Table& t, model::Column& c) {
    if (!c.default_sql || c.type.array_dims || c.type.named_type) return false;
    std::string b = c.type.builtin;
    if (b != "integer" && b != "bigint" && b != "smallint") return false;
    std::string seq = names::make_object_name(t.name.name, c.name, "seq");
    QualifiedName sn{t.name.schema, seq};
    std::string expected = "nextval(" + lit(sn.schema == "public" ? names::quote(seq) : sn.sql()) + "::regclass)";
    std::string expected_qualified = "nextval(" + lit(sn.sql()) + "::regclass)";
    if (*c.default_sql != expected && *c.default_sql != expected_qualified) return false;
    auto it = std::find_if(out_.schema.sequences.begin(), out_.schema.sequences.end(),
                           [&](const model::Sequence& s) { return s.name == sn; });
    if (it == out_.schema.sequences.end()) return false;
    model::Sequence plain;
    plain.name = sn;
    plain.type = b;
    plain.owned_by = std::make_pair(t.name, c.name);
    plain.grants = it->grants;
    plain.doc = it->doc;
    if (!(*it == plain) || !it->grants.empty() || !it->doc.empty()) return false;
    out_.schema.sequences.erase(it);
    c.serial = true;
    c.default_sql.reset();
    return true;
  }

  // ---- tables, views, materialized views, partitions ---------------------------------------

  void relations() {
    std::string rels = relations_in_scope();
    for (auto row :
         q("SELECT a.attrelid, a.attnum, a.attname FROM pg_attribute a WHERE a.attnum > 0 AND a.attrelid IN " + rels))
      attnames_[{row[0].as<long>(), row[1].as<std::string>()}] = row[2].as<std::string>();
    columns_ = batch(
        "SELECT a.attname, a.atttypid, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, "
        "d.adrelid), a.attidentity, a.attgenerated, col_description(a.attrelid, a.attnum), a.attcollation <> "
        "t.typcollation, a.attacl IS NOT NULL, a.attrelid FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attrelid IN " +
        rels + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum");
    constraints_ = batch(constraint_sql_ + "IN " + rels +
                         " AND c.contype IN ('p', 'u', 'f', 'c', 'x') ORDER BY c.conrelid, c.conname COLLATE \"C\"");
    std::string index_columns =
        "SELECT i.relname, x.indexrelid, x.indisunique, x.indnullsnotdistinct, am.amname, x.indnkeyatts, "
        "x.indnatts, x.indkey::text, x.indoption::text, pg_get_expr(x.indpred, x.indrelid), "
        "obj_description(x.indexrelid, 'pg_class'), x.indrelid, ";
    std::string index_from =
        " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam WHERE x.indrelid "
        "IN " +
        rels;
    indexes_by_table_ = batch(index_columns + "x.indrelid" + index_from +
                              " AND x.indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE contype IN ('p', "
                              "'u', 'x')) ORDER BY x.indrelid, i.relname COLLATE \"C\"");
    indexes_by_oid_ = batch(index_columns + "x.indexrelid" + index_from + " ORDER BY x.indexrelid");
    index_keys_ = batch(
        "SELECT k.n, pg_get_indexdef(x.indexrelid, k.n, true), coalesce(co.collname, ''), coalesce(cn.nspname, ''), "
        "(x.indcollation[k.n - 1] <> 0 AND x.indcollation[k.n - 1] <> coalesce(a.attcollation, t.typcollation)), "
        "opc.opcname, opn.nspname, opc.opcdefault, x.indexrelid FROM pg_index x CROSS JOIN generate_series(1, "
        "x.indnkeyatts) k(n) JOIN pg_attribute ia ON ia.attrelid = x.indexrelid AND ia.attnum = k.n JOIN pg_type t "
        "ON t.oid = ia.atttypid LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[k.n - 1] "
        "LEFT JOIN pg_collation co ON co.oid = x.indcollation[k.n - 1] LEFT JOIN pg_namespace cn ON cn.oid = "
        "co.collnamespace JOIN pg_opclass opc ON opc.oid = x.indclass[k.n - 1] JOIN pg_namespace opn ON opn.oid = "
        "opc.opcnamespace WHERE x.indrelid IN " +
        rels + " ORDER BY x.indexrelid, k.n");
    policies_ = batch(
        "SELECT p.polname, p.polpermissive, p.polcmd, array(SELECT CASE WHEN r = 0 THEN 'public' ELSE "
        "r::regrole::text END FROM unnest(p.polroles) r)::text[], pg_get_expr(p.polqual, p.polrelid), "
        "pg_get_expr(p.polwithcheck, p.polrelid), obj_description(p.oid, 'pg_policy'), p.polrelid FROM pg_policy p "
        "WHERE p.polrelid IN " +
        rels + " ORDER BY p.polrelid, p.polname COLLATE \"C\"");
    triggers_ = batch(
        "SELECT g.tgname, g.tgtype, g.tgattr::text, pn.nspname, p.proname, g.tgargs, g.tgnargs, "
        "pg_get_triggerdef(g.oid), g.tgconstraint <> 0, g.tgdeferrable, g.tginitdeferred, g.tgoldtable, "
        "g.tgnewtable, obj_description(g.oid, 'pg_trigger'), g.tgenabled, g.tgrelid FROM pg_trigger g JOIN pg_proc "
        "p ON p.oid = g.tgfoid JOIN pg_namespace pn ON pn.oid = p.pronamespace WHERE g.tgrelid IN " +
        rels + " AND NOT g.tgisinternal AND g.tgparentid = 0 ORDER BY g.tgrelid, g.tgname COLLATE \"C\"");
    std::map<long, model::Distribution> distributions = citus_distributions();
    std::set<long> inheriting;
    for (auto row : q("SELECT i.inhrelid FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE p.relkind "
                      "<> 'p' AND i.inhrelid IN " +
                      rels))
      inheriting.insert(row[0].as<long>());
    for (auto row :
         q("SELECT c.oid, n.nspname, c.relname, c.relkind, c.relispartition, c.relpersistence, "
           "obj_description(c.oid, 'pg_class'), c.relacl::text[], pg_get_userbyid(c.relowner), "
           "c.relrowsecurity, c.relforcerowsecurity, pg_get_partkeydef(c.oid), c.reloptions::text[], "
           "CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END, c.relispopulated FROM "
           "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', "
           "'m', 'f') AND " +
           in_scope("c.relnamespace") + " AND " + not_extension_member("pg_class", "c.oid") + " ORDER BY 2, 3")) {
      long oid = row[0].as<long>();
      in_scope_.insert(oid);
      QualifiedName name{row[1].as<std::string>(), row[2].as<std::string>()};
      char kind = row[3].as<std::string>()[0];
      std::string what = name.schema + "." + name.name;
      if (name == QualifiedName{"public", "schemac_migrations"}) continue;  // the runner's history
      if (kind == 'f') {
        skip("foreign table", what, "the language cannot declare it");
        continue;
      }
      auto options = pg_array(row[12]);
      if (kind == 'v') {
        model::View v;
        v.name = name;
        v.query = view_query(row[13].as<std::string>());
        v.doc = doc_of(row[6]);
        v.grants = grants_of(row[7], row[8].as<std::string>(), model::relation_privileges(), what);
        for (const auto& o : options) {
          if (o == "security_invoker=true" || o == "security_invoker=on")
            v.security_invoker = true;
          else if (o != "security_invoker=false")
            skip("view option", what, o + " is left out");
        }
        if (!triggers_.of(oid).empty()) skip("trigger", what, "triggers on a view are left out");
        out_.schema.views.push_back(v);
        continue;
      }
      if (kind == 'm') {
        model::MaterializedView v;
        v.name = name;
        v.query = view_query(row[13].as<std::string>());
        v.doc = doc_of(row[6]);
        v.grants = grants_of(row[7], row[8].as<std::string>(), model::relation_privileges(), what);
        if (!row[14].as<bool>()) skip("with no data", what, "pulled as a populated materialized view");
        v.indexes = indexes(oid);
        out_.schema.materialized_views.push_back(v);
        continue;
      }
      if (!options.empty())
        skip("storage parameters", what, "left out: " + options.front() + (options.size() > 1 ? ", ..." : ""));
      if (row[4].as<bool>()) {
        partition(oid, name, kind, row[6]);
        continue;
      }
      model::Table t;
      t.name = name;
      t.unlogged = row[5].as<std::string>() == "u";
      t.doc = doc_of(row[6]);
      t.grants = grants_of(row[7], row[8].as<std::string>(), model::relation_privileges(), what);
      t.row_level_security = row[9].as<bool>();
      t.force_row_level_security = row[10].as<bool>();
      if (kind == 'p') t.partition_by = partition_key(row[11].as<std::string>(), what);
      if (auto it = distributions.find(oid); it != distributions.end()) t.distribution = it->second;
      columns(oid, t, what);
      constraints(oid, t, what);
      t.indexes = indexes(oid);
      policies(oid, t);
      triggers(oid, t, what);
      archive(t);
      if (inheriting.count(oid))
        skip("inheritance", what, "INHERITS is left out: pulled as a table of its own columns");
      out_.schema.tables.push_back(std::move(t));
    }
  }

  // Citus (when the database has it): how each table is distributed. A distributed
  // table is colocated with the first table created in its colocation group.
  std::map<long, model::Distribution> citus_distributions() {
    std::map<long, model::Distribution> out;
    if (q("SELECT to_regclass('pg_catalog.pg_dist_partition')")[0][0].is_null()) return out;
    std::map<long, QualifiedName> first_of_group;
    for (auto row : q("SELECT p.logicalrelid::oid::bigint, p.partmethod, p.repmodel, "
                      "column_to_column_name(p.logicalrelid, p.partkey), p.colocationid, n.nspname, c.relname "
                      "FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid JOIN pg_namespace n ON "
                      "n.oid = c.relnamespace ORDER BY p.logicalrelid::oid")) {
      std::string method = row[1].as<std::string>(), model = row[2].as<std::string>();
      model::Distribution d;
      if (method == "h") {
        d.column = row[3].as<std::string>();
        long group = row[4].as<long>();
        QualifiedName name{row[5].as<std::string>(), row[6].as<std::string>()};
        if (auto it = first_of_group.find(group); it != first_of_group.end())
          d.colocate_with = it->second;
        else
          first_of_group.emplace(group, name);
      } else if (method == "n" && model == "t") {
        d.reference = true;
      } else {
        continue;  // a Citus local table: on the coordinator, as any table
      }
      out.emplace(row[0].as<long>(), std::move(d));
    }
    return out;
  }

  // pg_get_viewdef's text, without its leading space and trailing semicolon.
  static std::string view_query(std::string s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.erase(0, 1);
    while (!s.empty() && (s.back() == ';' || s.back() == ' ' || s.back() == '\n')) s.pop_back();
    return s;
  }

  std::optional<model::PartitionKey> partition_key(const std::string& def, const std::string& what) {
    model::PartitionKey k;
    auto open = def.find('(');
    if (open == std::string::npos) return std::nullopt;
    std::string method = def.substr(0, open);
    while (!method.empty() && method.back() == ' ') method.pop_back();
    std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::tolower(c); });
    k.method = method;
    auto inner = parenthesized(def, open);
    if (!inner) return std::nullopt;
    for (const auto& e : split_top(inner->first)) {
      model::IndexElement el;
      if (auto id = identifier(e))
        el.column = *id;
      else if (e.find(" COLLATE ") != std::string::npos || e.find("_ops") != std::string::npos)
        skip("partition key", what, "a key element with a collation or operator class is left as written: " + e);
      if (el.column.empty()) el.expression = unwrap(e);
      k.keys.push_back(el);
    }
    return k;
  }

  void partition(long oid, const QualifiedName& name, char kind, const pqxx::field& doc) {
    std::string what = name.schema + "." + name.name;
    auto row = q("SELECT pn.nspname, p.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_class c JOIN pg_inherits "
                 "i ON i.inhrelid = c.oid JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = "
                 "p.relnamespace WHERE c.oid = " +
                 std::to_string(oid))
                   .at(0);
    model::Partition p;
    p.name = name;
    p.parent = {row[0].as<std::string>(), row[1].as<std::string>()};
    p.doc = doc_of(doc);
    std::string bound = row[2].as<std::string>();
    if (kind == 'p') skip("sub-partitioning", what, "its own partitions are left out");
    if (bound == "DEFAULT") {
      p.is_default = true;
    } else if (bound.rfind("FOR VALUES FROM ", 0) == 0) {
      auto from = parenthesized(bound, 16);
      auto to_at = from ? bound.find("TO ", from->second) : std::string::npos;
      auto to = to_at == std::string::npos ? std::nullopt : parenthesized(bound, to_at + 3);
      if (from && to) {
        p.from = from->first;
        p.to = to->first;
      }
    } else if (bound.rfind("FOR VALUES IN ", 0) == 0) {
      if (auto in = parenthesized(bound, 14)) p.in = in->first;
    } else if (bound.rfind("FOR VALUES WITH ", 0) == 0) {
      if (auto with = parenthesized(bound, 16)) {
        for (const auto& part : split_top(with->first)) {
          auto space = part.find(' ');
          if (space == std::string::npos) continue;
          int v = std::stoi(part.substr(space + 1));
          if (part.rfind("modulus", 0) == 0) p.modulus = v;
          if (part.rfind("remainder", 0) == 0) p.remainder = v;
        }
      }
    }
    out_.schema.partitions.push_back(p);
    // What the partition holds beyond its table's.
    std::string rel = std::to_string(oid);
    auto own =
        q("SELECT (SELECT count(*) FROM pg_constraint WHERE conrelid = " + rel +
          " AND conparentid = 0 AND conislocal AND contype <> 'n') + (SELECT count(*) FROM pg_index x WHERE "
          "x.indrelid = " +
          rel +
          " AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = x.indexrelid)) + (SELECT count(*) "
          "FROM pg_trigger WHERE tgrelid = " +
          rel + " AND NOT tgisinternal AND tgparentid = 0) + (SELECT count(*) FROM pg_policy WHERE polrelid = " + rel +
          ") + (SELECT count(*) FROM pg_class WHERE oid = " + rel + " AND (relacl IS NOT NULL OR relrowsecurity))")
            .at(0)[0]
            .as<long>();
    if (own)
      skip("partition members", what,
           "constraints, indexes, triggers, policies, grants and row level security of the partition's own are "
           "left out");
  }

  void columns(long oid, model::Table& t, const std::string& what) {
    for (const auto& row : columns_.of(oid)) {
      model::Column c;
      c.name = row[0].as<std::string>();
      std::string where = what + "." + c.name;
      c.type = type_of(row[1].as<long>(), row[2].as<std::string>(), where);
      c.nullable = !row[3].as<bool>();
      std::string identity = row[5].as<std::string>(), generated = row[6].as<std::string>();
      if (generated == "s")
        c.generated_sql = unwrap(row[4].as<std::string>());
      else
        c.default_sql = opt(row[4]);
      if (identity == "a" || identity == "d") {
        c.identity = true;
        if (identity == "d") skip("identity", where, "GENERATED BY DEFAULT AS IDENTITY is pulled as GENERATED ALWAYS");
      }
      c.doc = doc_of(row[7]);
      if (row[8].as<bool>()) skip("column collation", where, "left out: the column takes its type's collation");
      if (row[9].as<bool>()) skip("column privileges", where, "column-level grants are left out");
      make_serial(t, c);
      t.columns.push_back(c);
    }
  }

  static std::string action(const std::string& code) {
    if (code == "r") return "restrict";
    if (code == "c") return "cascade";
    if (code == "n") return "set null";
    if (code == "d") return "set default";
    return "";  // a: no action
  }

  std::vector<std::string> attnames(long rel, const std::vector<std::string>& numbers) {
    std::vector<std::string> out;
    for (const auto& n : numbers) {
      if (n == "0") {
        out.push_back("");
        continue;
      }
      if (auto it = attnames_.find({rel, n}); it != attnames_.end()) {
        out.push_back(it->second);
        continue;
      }
      out.push_back(q("SELECT attname FROM pg_attribute WHERE attrelid = " + std::to_string(rel) + " AND attnum = " + n)
                        .at(0)[0]
                        .as<std::string>());
    }
    return out;
  }

  // `oid`: a relation of the pulled schemas (read in one batch), or of another
  // schema (an extern table's keys).
  void constraints(long oid, model::Table& t, const std::string& what) {
    std::vector<pqxx::row> rows = constraints_.of(oid);
    if (!in_scope_.count(oid))
      for (auto r : q(constraint_sql_ + "= " + std::to_string(oid) + " AND c.contype IN ('p', 'u') ORDER BY c.conname"))
        rows.push_back(r);
    for (const auto& row : rows) {
      model::Constraint c;
      c.name = row[0].as<std::string>();
      c.named = true;
      std::string where = what + "." + c.name;
      char type = row[1].as<std::string>()[0];
      c.columns = attnames(oid, pg_array(row[2]));
      c.deferrable = row[7].as<bool>();
      c.initially_deferred = row[8].as<bool>();
      if (!row[9].as<bool>()) skip("not valid", where, "pulled as a validated constraint");
      c.doc = doc_of(row[12]);
      switch (type) {
        case 'p':
          c.kind = model::ConstraintKind::primary_key;
          break;
        case 'u':
          c.kind = model::ConstraintKind::unique;
          c.nulls_not_distinct = row[15].as<bool>();
          break;
        case 'f': {
          c.kind = model::ConstraintKind::foreign_key;
          c.ref_table = {row[17].as<std::string>(), row[18].as<std::string>()};
          c.ref_columns = attnames(row[3].as<long>(), pg_array(row[4]));
          c.on_delete = action(row[5].as<std::string>());
          c.on_update = action(row[6].as<std::string>());
          if (row[14].as<std::string>() != "s") skip("match full", where, "pulled as MATCH SIMPLE");
          break;
        }
        case 'c':
          c.kind = model::ConstraintKind::check;
          c.check_sql = unwrap(row[10].as<std::string>());
          c.columns.clear();
          if (row[13].as<bool>()) skip("no inherit", where, "pulled as an inherited check");
          break;
        case 'x': {
          c.kind = model::ConstraintKind::exclusion;
          c.columns.clear();
          auto ix = indexes_of(indexes_by_oid_.of(row[11].as<long>()));
          if (!ix.empty()) {
            c.method = ix[0].method;
            c.elements = ix[0].elements;
            c.where_sql = ix[0].where_sql;
          }
          for (auto op : pg_array(row[16])) {
            // "pg_catalog.=(integer,integer)" or "=(integer,integer)" -> "="
            auto paren = op.find('(');
            std::string name = op.substr(0, paren);
            if (auto dot = name.rfind('.'); dot != std::string::npos && name.rfind("pg_catalog.", 0) == 0)
              name = name.substr(dot + 1);
            c.operators.push_back(name);
          }
          break;
        }
      }
      t.constraints.push_back(c);
    }
  }

  // The indexes of a table or materialized view that no constraint owns.
  std::vector<model::Index> indexes(long rel) { return indexes_of(indexes_by_table_.of(rel)); }

  std::vector<model::Index> indexes_of(const std::vector<pqxx::row>& rows) {
    std::vector<model::Index> out;
    for (const auto& row : rows) {
      model::Index ix;
      ix.name = row[0].as<std::string>();
      ix.named = true;
      long index_oid = row[1].as<long>();
      ix.unique = row[2].as<bool>();
      ix.nulls_not_distinct = row[3].as<bool>();
      ix.method = row[4].as<std::string>();
      int keys = row[5].as<int>(), all = row[6].as<int>();
      auto attnums = vector_of(row[7]);
      auto options = vector_of(row[8]);
      long rel = row[11].as<long>();
      auto names = attnames(rel, attnums);
      // Per key column: its definition, and whether collation and operator class are the defaults.
      auto details = index_keys_.of(index_oid);
      for (int i = 0; i < keys; ++i) {
        model::IndexElement e;
        const auto& d = details.at(static_cast<std::size_t>(i));
        if (names.at(static_cast<std::size_t>(i)).empty())
          e.expression = unwrap(d[1].as<std::string>());
        else
          e.column = names.at(static_cast<std::size_t>(i));
        int option = i < static_cast<int>(options.size()) ? std::stoi(options[static_cast<std::size_t>(i)]) : 0;
        bool desc = option & 1, nulls_first = option & 2;
        if (ix.method == "btree") {
          if (desc) e.order = "desc";
          if (nulls_first != desc) e.nulls = nulls_first ? "first" : "last";
        }
        if (d[4].as<bool>()) e.collation = d[2].as<std::string>();
        if (!d[7].as<bool>()) {
          std::string schema = d[6].as<std::string>(), name = d[5].as<std::string>();
          e.opclass = schema == "pg_catalog" || schema == "public" ? name : schema + "." + name;
        }
        ix.elements.push_back(e);
      }
      for (int i = keys; i < all; ++i) ix.include.push_back(names.at(static_cast<std::size_t>(i)));
      if (!row[9].is_null()) ix.where_sql = unwrap(row[9].as<std::string>());
      ix.doc = doc_of(row[10]);
      out.push_back(ix);
    }
    return out;
  }

  void policies(long oid, model::Table& t) {
    for (const auto& row : policies_.of(oid)) {
      model::Policy p;
      p.name = row[0].as<std::string>();
      p.permissive = row[1].as<bool>();
      static const std::map<std::string, std::string> commands = {
          {"r", "select"}, {"a", "insert"}, {"w", "update"}, {"d", "delete"}, {"*", "all"}};
      p.command = commands.at(row[2].as<std::string>());
      for (auto r : pg_array(row[3])) {
        if (r.size() >= 2 && r.front() == '"') r = *identifier(r);
        if (r != "public") p.roles.push_back(r);
      }
      if (auto u = opt(row[4])) p.using_sql = unwrap(*u);
      if (auto c = opt(row[5])) p.check_sql = unwrap(*c);
      p.doc = doc_of(row[6]);
      t.policies.push_back(p);
    }
  }

  void triggers(long oid, model::Table& t, const std::string& what) {
    for (const auto& row : triggers_.of(oid)) {
      model::Trigger tr;
      tr.name = row[0].as<std::string>();
      if (row[3].as<std::string>() == "pg_catalog") {
        skip("trigger", what + "." + tr.name,
             "it calls PostgreSQL's own " + row[4].as<std::string>() + "(), which the language cannot name");
        continue;
      }
      int type = row[1].as<int>();
      tr.for_each_row = type & 1;
      tr.timing = type & 64 ? "instead of" : type & 2 ? "before" : "after";
      auto columns = attnames(oid, vector_of(row[2]));
      if (type & 4) tr.events.push_back({"insert", {}, {}});
      if (type & 16) tr.events.push_back({"update", columns, {}});
      if (type & 8) tr.events.push_back({"delete", {}, {}});
      if (type & 32) tr.events.push_back({"truncate", {}, {}});
      tr.function = {row[3].as<std::string>(), row[4].as<std::string>()};
      pqxx::binarystring args(row[5]);
      std::string all(args.str());
      std::size_t start = 0;
      for (int i = 0; i < row[6].as<int>(); ++i) {
        auto end = all.find('\0', start);
        tr.arguments.push_back(lit(all.substr(start, end - start)));
        start = end + 1;
      }
      std::string def = row[7].as<std::string>();
      if (auto when = def.find(" WHEN ("); when != std::string::npos)
        if (auto inner = parenthesized(def, when + 6)) tr.when_sql = inner->first;
      tr.constraint = row[8].as<bool>();
      tr.deferrable = row[9].as<bool>();
      tr.initially_deferred = row[10].as<bool>();
      tr.old_table = opt(row[11]);
      tr.new_table = opt(row[12]);
      tr.doc = doc_of(row[13]);
      if (row[14].as<std::string>() != "O") skip("trigger state", what + "." + tr.name, "pulled as enabled");
      t.triggers.push_back(tr);
    }
  }

  // A table schemac archived: its comment says "archived (was OLD)"; it comes back
  // as the table OLD with `archive table OLD as NEW`, its names as OLD had them.
  void archive(model::Table& t) {
    if (t.doc.empty() || t.doc[0].rfind("archived (was ", 0) != 0 || t.doc[0].back() != ')') return;
    std::string old = t.doc[0].substr(14, t.doc[0].size() - 15);
    std::string archived = t.name.name;
    t.archived_as = archived;
    t.name.name = old;
    t.doc.erase(t.doc.begin());
    auto rename = [&](std::string& n) {
      if (n.rfind(archived, 0) == 0) n = old + n.substr(archived.size());
    };
    for (auto& c : t.constraints) rename(c.name);
    for (auto& ix : t.indexes) rename(ix.name);
  }

  // ---- functions and procedures ---------------------------------------------------------

  void functions() {
    for (auto row :
         q("SELECT p.oid, n.nspname, p.proname, p.prokind, l.lanname, p.provolatile, p.proisstrict, p.prosecdef, "
           "p.proparallel, p.proleakproof, p.procost, p.prorows, p.proretset, p.prorettype, "
           "format_type(p.prorettype, NULL), p.proargnames, p.proargmodes::text[], "
           "array_to_string(coalesce(p.proallargtypes, p.proargtypes::oid[]), ' '), p.proconfig, p.prosrc, "
           "obj_description(p.oid, 'pg_proc'), p.proacl::text[], pg_get_userbyid(p.proowner), "
           "array(SELECT format_type(t, NULL) FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) "
           "t)::text[], "
           "p.prosqlbody IS NOT NULL FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l "
           "ON l.oid = p.prolang "
           "WHERE " +
           in_scope("p.pronamespace") + " AND " + not_extension_member("pg_proc", "p.oid") + " ORDER BY 2, 3")) {
      std::string what = row[1].as<std::string>() + "." + row[2].as<std::string>();
      std::string kind = row[3].as<std::string>();
      if (kind == "a" || kind == "w") {
        skip(kind == "a" ? "aggregate" : "window function", what, "the language cannot declare it");
        continue;
      }
      std::string language = row[4].as<std::string>();
      if (row[24].as<bool>()) {
        skip("function", what, "a SQL-standard body (BEGIN ATOMIC) is left out: write it as $$ ... $$");
        continue;
      }
      if (language != "sql" && language != "plpgsql") {
        skip("function", what, "a function in language " + language + " is left out");
        continue;
      }
      model::Function f;
      f.name = {row[1].as<std::string>(), row[2].as<std::string>()};
      f.procedure = kind == "p";
      f.language = language;
      std::string vol = row[5].as<std::string>();
      f.volatility = vol == "i" ? "immutable" : vol == "s" ? "stable" : "";
      f.strict = row[6].as<bool>();
      f.security_definer = row[7].as<bool>();
      std::string par = row[8].as<std::string>();
      f.parallel = par == "s" ? "safe" : par == "r" ? "restricted" : "";
      f.leakproof = row[9].as<bool>();
      double cost = row[10].as<double>(), rows = row[11].as<double>();
      bool setof = row[12].as<bool>();
      if (cost != 100) f.cost = cost;
      if (setof && rows != 1000) f.rows = rows;
      auto names = pg_array(row[15]);
      auto modes = pg_array(row[16]);
      auto type_oids = vector_of(row[17]);
      auto type_names = pg_array(row[23]);
      bool expressible = true;
      int in_position = 0;
      for (std::size_t i = 0; i < type_oids.size(); ++i) {
        std::string mode = i < modes.size() ? modes[i] : "i";
        std::string name = i < names.size() ? names[i] : "";
        model::Type type = type_of(std::stol(type_oids[i]), type_names[i], what);
        if (mode == "t") {
          f.returns_table.push_back({name, type});
          continue;
        }
        if (mode != "i" || name.empty()) {
          skip("function", what,
               mode != "i" ? "OUT, INOUT and VARIADIC parameters cannot be declared"
                           : "a parameter without a name cannot be declared");
          expressible = false;
          break;
        }
        ++in_position;
        model::Parameter p;
        p.name = name;
        p.type = type;
        auto d =
            q("SELECT pg_get_function_arg_default(" + row[0].as<std::string>() + ", " + std::to_string(i + 1) + ")")
                .at(0)[0];
        p.default_sql = opt(d);
        f.parameters.push_back(p);
      }
      if (!expressible) continue;
      if (!f.procedure && f.returns_table.empty()) {
        f.return_type = type_of(row[13].as<long>(), row[14].as<std::string>(), what);
        f.returns_setof = setof;
        f.returns_trigger = row[14].as<std::string>() == "trigger";
      }
      for (const auto& setting : pg_array(row[18])) {
        if (setting.rfind("search_path=", 0) == 0) {
          std::vector<std::string> path;
          std::string value = setting.substr(12);
          if (value != "\"\"" && !value.empty())
            for (auto part : split_top(value)) path.push_back(identifier(part).value_or(part));
          f.search_path = path;
        } else {
          skip("function setting", what, "SET " + setting + " is left out");
        }
      }
      f.body = row[19].as<std::string>();
      f.doc = doc_of(row[20]);
      f.grants = grants_of(row[21], row[22].as<std::string>(), model::function_privileges(), what, &f.revoked, true);
      out_.schema.functions.push_back(f);
    }
  }

  // ---- what the pulled objects use from schemas not pulled ---------------------------------
  //
  // Functions and relations of other schemas (a platform's auth.uid(), a shared
  // table) that pulled objects depend on, as PostgreSQL records it: declared extern,
  // so that the pulled files compile and say what they expect the database to have.

  void externals() {
    // The namespace of each object with a normal dependency, by the catalog it is in
    // (joins, not correlated subqueries: a thousand tables have tens of thousands).
    std::string owners =
        "SELECT d.refobjid, d.refclassid, x.ns FROM pg_depend d JOIN ("
        "SELECT 'pg_class'::regclass AS cls, oid, relnamespace AS ns FROM pg_class "
        "UNION ALL SELECT 'pg_proc'::regclass, oid, pronamespace FROM pg_proc "
        "UNION ALL SELECT 'pg_type'::regclass, oid, typnamespace FROM pg_type "
        "UNION ALL SELECT 'pg_policy'::regclass, p.oid, c.relnamespace FROM pg_policy p JOIN pg_class c ON c.oid = "
        "p.polrelid "
        "UNION ALL SELECT 'pg_attrdef'::regclass, a.oid, c.relnamespace FROM pg_attrdef a JOIN pg_class c ON c.oid = "
        "a.adrelid "
        "UNION ALL SELECT 'pg_constraint'::regclass, k.oid, coalesce(c.relnamespace, t.typnamespace) FROM "
        "pg_constraint k LEFT JOIN pg_class c ON c.oid = k.conrelid LEFT JOIN pg_type t ON t.oid = k.contypid "
        "UNION ALL SELECT 'pg_trigger'::regclass, g.oid, c.relnamespace FROM pg_trigger g JOIN pg_class c ON c.oid = "
        "g.tgrelid "
        "UNION ALL SELECT 'pg_rewrite'::regclass, r.oid, c.relnamespace FROM pg_rewrite r JOIN pg_class c ON c.oid = "
        "r.ev_class) x ON x.cls = d.classid AND x.oid = d.objid WHERE d.deptype = 'n'";
    std::string outside = "NOT (%1 IN (" + scope_list_ +
                          ")) AND %1 NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)";
    auto replace = [](std::string s, const std::string& with) {
      for (auto at = s.find("%1"); at != std::string::npos; at = s.find("%1")) s.replace(at, 2, with);
      return s;
    };
    // What objects of the pulled schemas depend on, of the catalog %C.
    std::string used =
        "SELECT DISTINCT o.refobjid FROM (" + owners + ") o WHERE o.refclassid = %C AND o.ns IN (" + scope_list_ + ")";
    // Functions.
    for (auto row : q("SELECT p.oid, n.nspname, p.proname, p.prorettype, format_type(p.prorettype, NULL), p.proretset, "
                      "array_to_string(p.proargtypes::oid[], ' '), array(SELECT format_type(t, NULL) FROM "
                      "unnest(p.proargtypes::oid[]) t)::text[], p.proargnames FROM pg_proc p JOIN pg_namespace n ON "
                      "n.oid = p.pronamespace WHERE p.oid IN (" +
                      replace_all(used, "%C", "'pg_proc'::regclass") + ") AND " + replace(outside, "p.pronamespace") +
                      " ORDER BY 2, 3")) {  // an extension's function too (a trigger may call it)
      model::Function f;
      f.name = {row[1].as<std::string>(), row[2].as<std::string>()};
      f.is_extern = true;
      std::string what = f.name.schema + "." + f.name.name;
      auto oids = vector_of(row[6]);
      auto types = pg_array(row[7]);
      auto names = pg_array(row[8]);
      for (std::size_t i = 0; i < oids.size(); ++i) {
        model::Parameter p;
        p.name = i < names.size() && !names[i].empty() ? names[i] : "p" + std::to_string(i + 1);
        p.type = type_of(std::stol(oids[i]), types[i], what);
        f.parameters.push_back(p);
      }
      f.return_type = type_of(row[3].as<long>(), row[4].as<std::string>(), what);
      f.returns_setof = row[5].as<bool>();
      f.returns_trigger = row[4].as<std::string>() == "trigger";
      out_.schema.functions.push_back(f);
    }
    // Tables and views.
    for (auto row : q("SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
                      "c.relnamespace WHERE c.oid IN (" +
                      replace_all(used, "%C", "'pg_class'::regclass") +
                      ") AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND " + replace(outside, "c.relnamespace") +
                      " AND " + not_extension_member("pg_class", "c.oid") + " ORDER BY 2, 3")) {
      model::Table t;
      t.name = {row[1].as<std::string>(), row[2].as<std::string>()};
      t.is_extern = true;
      std::string what = t.name.schema + "." + t.name.name;
      for (auto c : q("SELECT a.attname, a.atttypid, format_type(a.atttypid, a.atttypmod), a.attnotnull FROM "
                      "pg_attribute a WHERE a.attrelid = " +
                      row[0].as<std::string>() + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
        model::Column col;
        col.name = c[0].as<std::string>();
        col.type = type_of(c[1].as<long>(), c[2].as<std::string>(), what + "." + col.name);
        col.nullable = !c[3].as<bool>();
        t.columns.push_back(col);
      }
      // Its single-column keys, which references from pulled tables need.
      constraints(row[0].as<long>(), t, what);
      std::erase_if(t.constraints, [](const model::Constraint& k) {
        return !(k.kind == model::ConstraintKind::primary_key || k.kind == model::ConstraintKind::unique) ||
               k.columns.size() != 1;
      });
      out_.schema.tables.push_back(t);
    }
  }

  static std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
      s.replace(at, from.size(), to);
    return s;
  }

  // ---- default privileges --------------------------------------------------------------

  void default_privileges() {
    for (auto row : q("SELECT coalesce(n.nspname, ''), d.defaclobjtype, d.defaclacl::text[], "
                      "pg_get_userbyid(d.defaclrole), d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = "
                      "current_user) FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace "
                      "ORDER BY coalesce(n.nspname, '') COLLATE \"C\", d.defaclobjtype")) {
      std::string schema = row[0].as<std::string>();
      if (!schema.empty() && !schemas_.count(schema)) continue;
      if (!row[4].as<bool>()) {  // the language sets the defaults of the role that migrates
        skip("default privileges", "for role " + row[3].as<std::string>(),
             "default privileges another role sets are left out");
        continue;
      }
      char type = row[1].as<std::string>()[0];
      std::string kind = type == 'r' ? "tables" : type == 'S' ? "sequences" : type == 'f' ? "functions" : "";
      std::string what = "default privileges" + (schema.empty() ? std::string() : " in schema " + schema);
      if (kind.empty()) {
        skip("default privileges", what, std::string("on ") + (type == 'T' ? "types" : "schemas") + " are left out");
        continue;
      }
      std::string owner = row[3].as<std::string>();
      const auto& all = model::privileges_of_kind(kind);
      std::vector<std::string> public_revoked;
      auto given = grants_of(row[2], owner, all, what, &public_revoked, type == 'f');
      for (const auto& g : given) {
        model::DefaultPrivilege d;
        d.schema = schema;
        d.kind = kind;
        d.role = g.role;
        d.privileges = g.privileges == std::vector<std::string>{"ALL"} ? all : g.privileges;
        out_.schema.default_privileges.push_back(d);
      }
      if (schema.empty() && type == 'f' && !public_revoked.empty()) {
        model::DefaultPrivilege d;
        d.kind = kind;
        d.revoke = true;
        d.role = "public";
        d.privileges = {"EXECUTE"};
        out_.schema.default_privileges.push_back(d);
      }
    }
  }

  // ---- what the language cannot express --------------------------------------------------

  void unexpressible() {
    auto list = [&](const std::string& kind, const std::string& sql) {
      for (auto row : q(sql)) skip(kind, row[0].as<std::string>(), "the language cannot declare it");
    };
    list("rule",
         "SELECT n.nspname || '.' || c.relname || '.' || r.rulename FROM pg_rewrite r JOIN pg_class c ON c.oid = "
         "r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace WHERE r.rulename <> '_RETURN' AND " +
             in_scope("c.relnamespace"));
    list("event trigger",
         "SELECT evtname FROM pg_event_trigger WHERE " + not_extension_member("pg_event_trigger", "oid"));
    list("collation",
         "SELECT n.nspname || '.' || c.collname FROM pg_collation c JOIN pg_namespace n ON n.oid = "
         "c.collnamespace WHERE " +
             in_scope("c.collnamespace") + " AND " + not_extension_member("pg_collation", "c.oid"));
    list("statistics",
         "SELECT n.nspname || '.' || s.stxname FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = "
         "s.stxnamespace WHERE " +
             in_scope("s.stxnamespace"));
    list("text search configuration",
         "SELECT n.nspname || '.' || c.cfgname FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace "
         "WHERE " +
             in_scope("c.cfgnamespace") + " AND " + not_extension_member("pg_ts_config", "c.oid"));
    list("publication", "SELECT pubname FROM pg_publication");
  }

  void sort() {
    auto& s = out_.schema;
    auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
    // Byte order, whatever the database's collation: the pulled files do not depend on it.
    std::stable_sort(s.extensions.begin(), s.extensions.end(), by_name);
    std::stable_sort(s.schemas.begin(), s.schemas.end(), by_name);
    std::stable_sort(s.roles.begin(), s.roles.end(), by_name);
    std::stable_sort(s.enums.begin(), s.enums.end(), by_name);
    std::stable_sort(s.domains.begin(), s.domains.end(), by_name);
    std::stable_sort(s.composite_types.begin(), s.composite_types.end(), by_name);
    std::stable_sort(s.sequences.begin(), s.sequences.end(), by_name);
    std::stable_sort(s.views.begin(), s.views.end(), by_name);
    std::stable_sort(s.materialized_views.begin(), s.materialized_views.end(), by_name);
    std::stable_sort(s.extern_types.begin(), s.extern_types.end(), by_name);
    std::stable_sort(s.functions.begin(), s.functions.end(),
                     [](const model::Function& a, const model::Function& b) { return a.id() < b.id(); });
    std::stable_sort(s.tables.begin(), s.tables.end(), by_name);
    std::stable_sort(s.partitions.begin(), s.partitions.end(), by_name);
    std::stable_sort(s.default_privileges.begin(), s.default_privileges.end(),
                     [](const auto& a, const auto& b) { return a.key() < b.key(); });
  }

  pqxx::transaction_base& tx_;
  const Options& options_;
  Catalog out_;
  std::set<std::string> schemas_;
  std::string scope_list_;
  std::map<long, TypeInfo> types_;
  std::set<std::string> extern_types_;
  // Read in batches by relations() for every relation of the pulled schemas.
  std::set<long> in_scope_;
  std::map<std::pair<long, std::string>, std::string> attnames_;  // (relation, attnum) -> name
  Batch columns_, constraints_, indexes_by_table_, indexes_by_oid_, index_keys_, policies_, triggers_;
  const std::string constraint_sql_ =
      "SELECT c.conname, c.contype, c.conkey::text[], c.confrelid, c.confkey::text[], c.confdeltype, c.confupdtype, "
      "c.condeferrable, c.condeferred, c.convalidated, pg_get_expr(c.conbin, c.conrelid), c.conindid, "
      "obj_description(c.oid, 'pg_constraint'), c.connoinherit, c.confmatchtype, coalesce(x.indnullsnotdistinct, "
      "false), c.conexclop::regoper[]::text[], rn.nspname, r.relname, c.conrelid FROM pg_constraint c LEFT JOIN "
      "pg_index x ON x.indexrelid = c.conindid LEFT JOIN pg_class r ON r.oid = c.confrelid LEFT JOIN pg_namespace rn "
      "ON rn.oid = r.relnamespace WHERE c.conparentid = 0 AND c.conrelid ";
};

}  // namespace

Catalog read(pqxx::connection& db, const Options& options) {
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(db);
  return Reader(tx, options).run();
}

Catalog read(pqxx::transaction_base& tx, const Options& options) { return Reader(tx, options).run(); }

}  // namespace schemac::introspect
