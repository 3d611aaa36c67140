#include "lint/lint.hpp"

#include <pg_query.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>

#include "check/embedded_sql.hpp"
#include "model/types.hpp"
#include "plan/plan.hpp"
#include "plan/snapshot.hpp"

namespace schemac::lint {

using model::QualifiedName;
using model::Table;

const std::vector<Rule>& rules() {
  static const std::vector<Rule> all = {
      {"S101", Severity::warning, "rls-without-policy",
       "row level security is on but no policy is declared: nobody but the owner can read or write the table"},
      {"S102", Severity::error, "api-role-without-rls",
       "the table is granted to anon or authenticated without row level security: every row is exposed"},
      {"S103", Severity::error, "view-bypasses-rls",
       "a view over a table with row level security runs as its owner unless it has security_invoker"},
      {"S104", Severity::error, "definer-without-search-path",
       "a security definer function without `set search_path` can be hijacked through the caller's search path"},
      {"S105", Severity::warning, "per-row-auth-call",
       "auth.uid() / auth.jwt() / current_setting() in a policy runs once per row unless wrapped as (select ...)"},
      {"S106", Severity::warning, "definer-executable-by-public",
       "every role may call a security definer function unless EXECUTE is revoked from PUBLIC"},
      {"S107", Severity::error, "auth-users-exposed",
       "a view or materialized view that reads auth.users is granted to anon or authenticated"},
      {"S108", Severity::warning, "policy-always-true",
       "a policy for writes whose USING or WITH CHECK is true lets every role it names change every row"},
      {"S109", Severity::warning, "definer-granted-to-api",
       "a security definer function granted to anon or authenticated that does not read the caller's identity: "
       "callable through the API with its owner's rights"},
      {"S110", Severity::warning, "matview-readable-by-api",
       "a materialized view granted to anon or authenticated: it has no row level security"},
      {"S111", Severity::warning, "extension-in-public",
       "an extension in schema public, in a schema the API roles use: its functions are callable through the API"},
      {"D201", Severity::warning, "confirmed-drop", "the migration drops a table or column and its data"},
      {"D202", Severity::warning, "not-null-without-default",
       "a NOT NULL column without a default added to an existing table fails when the table has rows"},
      {"D203", Severity::warning, "index-locks-table",
       "an index on an existing partitioned table cannot be built concurrently: it blocks writes while it builds"},
      {"D204", Severity::warning, "rewriting-type-change",
       "the type change rewrites the whole table under an exclusive lock"},
      {"D205", Severity::warning, "matview-without-unique-index",
       "a materialized view without a unique index cannot be refreshed concurrently"},
      {"D206", Severity::error, "narrowing-type-change",
       "the type change can lose data or fail on existing rows (the planner refuses it)"},
      {"D207", Severity::error, "enum-value-removal",
       "removing an enum value orphans the rows that hold it (the planner refuses it)"},
      {"D208", Severity::warning, "function-reads-moved-table",
       "a function body reads a table the migration renames, archives or drops; the body is not rewritten"},
      {"D209", Severity::warning, "volatile-default",
       "a column added to an existing table with a volatile default rewrites the table under an exclusive lock"},
      {"D210", Severity::warning, "rename-breaks-running-code",
       "renaming a table or column breaks the code that runs against the old name until it is deployed again"},
      {"D211", Severity::warning, "column-fill-rewrites-table",
       "an identity, serial or generated column added to an existing table rewrites it under an exclusive lock"},
      {"D212", Severity::warning, "not-null-scans-table",
       "SET NOT NULL that PostgreSQL cannot prove with a check scans the table under an exclusive lock"},
      {"D213", Severity::warning, "blocking-statement-in-data-step",
       "CLUSTER, VACUUM FULL, REINDEX without CONCURRENTLY or LOCK TABLE in a mode that blocks writes, in a data "
       "step: it blocks the table for as long as it runs"},
      {"D214", Severity::warning, "data-step-deletes-rows",
       "a data step deletes rows (DELETE, TRUNCATE) that its migration's down cannot bring back: `retain` the table "
       "in the step to keep them"},
      {"D215", Severity::warning, "breaks-deployed-queries",
       "a named query or a generated accessor of the previous state reads a table or column the migration renames, "
       "drops, retypes or archives: the code built from it fails until it is deployed again"},
      {"H301", Severity::warning, "table-without-primary-key", "a table without a primary key"},
      {"H302", Severity::warning, "foreign-key-without-index",
       "no index starts with a foreign key's columns: deletes in the referenced table scan this one"},
      {"H303", Severity::warning, "duplicate-index", "two indexes with the same definition"},
      {"C401", Severity::warning, "colocated-by-chance",
       "a distributed table references another without 'colocate with' (directly or through others): they share "
       "shards only while Citus's default colocation holds"},
      {"C402", Severity::warning, "policy-without-distribution-column",
       "a policy on a distributed table that does not read its distribution column: every query under it reaches "
       "every shard"},
      {"C403", Severity::warning, "distributed-without-index",
       "a distributed table with no index starting with its distribution column: lookups by tenant scan each shard"},
      {"C404", Severity::warning, "trigger-reads-other-tables",
       "a trigger on a distributed or reference table whose function reads other tables: it runs on each shard, on "
       "the workers, and its queries go out from there"},
      {"H304", Severity::warning, "overlapping-permissive-policies",
       "several permissive policies for one role and command: each is evaluated for every row"},
  };
  return all;
}

namespace {

const Rule& rule(const std::string& code) {
  for (const auto& r : rules())
    if (code == r.code) return r;
  throw std::logic_error("unknown lint rule " + code);
}

// `// lint:allow CODE reason` comments, by file and line.
struct Allow {
  std::string code, reason;
  std::uint32_t line = 0;
  bool used = false;
};

class Linter {
 public:
  Linter(const LoadedSchema& desired, const model::Schema* previous, Diagnostics& diags, std::string migration)
      : loaded_(desired), s_(desired.model), previous_(previous), diags_(diags), migration_(std::move(migration)) {
    read_allows();
  }

  Result run() {
    security();
    hygiene();
    distribution();
    materialized_views();
    if (previous_) {
      safety();
      data_steps();
    }
    return result_;
  }

 private:
  static Location at(const model::Origin& o) { return {o.file, o.offset, o.end}; }

  void read_allows() {
    static const std::regex allow(R"(//\s*lint:allow\s+([A-Z][0-9]{3})\b[ \t:]*(.*))");
    for (const auto& f : loaded_.files) {
      const auto& src = diags_.file(f.file_id);
      auto& list = allows_[f.file_id];
      std::uint32_t line = 1;
      std::size_t start = 0;
      const std::string& text = src.text();
      while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        std::string l = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
        std::smatch m;
        // Only the comment's first 512 bytes: std::regex recurses per character.
        if (auto at = l.find("lint:allow"); at != std::string::npos) l = l.substr(0, at + 512);
        if (l.find("lint:allow") != std::string::npos && std::regex_search(l, m, allow)) {
          std::string reason = m[2].str();
          while (!reason.empty() && std::isspace(static_cast<unsigned char>(reason.back()))) reason.pop_back();
          list.push_back({m[1].str(), reason, line});
        }
        if (end == std::string::npos) break;
        start = end + 1;
        ++line;
      }
    }
  }

  // An allow on the finding's line, or in the run of comment lines right above it.
  Allow* allowed(const std::string& code, Location where) {
    if (where.file < 0) return nullptr;
    const auto& src = diags_.file(where.file);
    std::uint32_t line = src.locate(where.offset).line;
    auto& list = allows_[where.file];
    auto find = [&](std::uint32_t l) -> Allow* {
      for (auto& a : list)
        if (a.line == l && a.code == code) return &a;
      return nullptr;
    };
    if (Allow* a = find(line)) return a;
    for (std::uint32_t l = line - 1; l >= 1; --l) {
      std::string_view text = src.line_text(l);
      auto first = text.find_first_not_of(" \t");
      if (first == std::string_view::npos || text.substr(first, 2) != "//") break;
      if (Allow* a = find(l)) return a;
    }
    return nullptr;
  }

  void report(const std::string& code, Location where, const std::string& message) {
    const Rule& r = rule(code);
    std::string text = message + " [" + code + " " + r.name + "]";
    if (Allow* a = allowed(code, where)) {
      if (a->reason.empty()) {
        diags_.error(where, "lint:allow " + code + " needs a reason after the code").code = "lint";
        ++result_.errors;
        return;
      }
      a->used = true;
      result_.silenced.push_back({code, where, a->reason, message});
      return;
    }
    if (r.severity == Severity::error) {
      diags_.error(where, text).code = code;
      ++result_.errors;
    } else {
      diags_.warning(where, text).code = code;
      ++result_.warnings;
    }
  }

  const Table* table(const QualifiedName& n) const {
    for (const auto& t : s_.tables)
      if (t.name == n || t.live_name() == n) return &t;
    return nullptr;
  }

  // ---- security ----------------------------------------------------------------------

  void security() {
    for (const auto& t : s_.tables) {
      if (t.is_extern || t.archived_as) continue;
      if (t.row_level_security && t.policies.empty())
        report("S101", at(t.origin),
               "table '" + t.name.display() +
                   "' enables row level security but declares no policy, so only its "
                   "owner can use it; add policies, or say so with lint:allow");
      if (!t.row_level_security)
        for (const auto& g : t.grants)
          if (g.role == "anon" || g.role == "authenticated")
            report("S102", at(t.origin),
                   "table '" + t.name.display() + "' is granted to " + g.role +
                       " without row level security: every row is readable through the API; add 'row level "
                       "security' and policies");
      for (const auto& p : t.policies) {
        bool api = p.roles.empty() || std::any_of(p.roles.begin(), p.roles.end(), [](const std::string& r) {
                     return r == "public" || r == "anon" || r == "authenticated";
                   });
        if (api && p.command != "select" && (always_true(p.using_sql) || always_true(p.check_sql)))
          report("S108", at(p.origin),
                 "policy '" + p.name + "' on '" + t.name.display() + "' allows " +
                     (p.command == "all" ? std::string("every command") : p.command) + " on every row (" +
                     (always_true(p.using_sql) ? "using (true)" : "with check (true)") + ") to " +
                     (p.roles.empty() ? std::string("every role") : join(p.roles)) +
                     "; restrict it to the rows the user owns");
      }
      for (const auto& p : t.policies)
        for (const auto* expr : {&p.using_sql, &p.check_sql})
          if (*expr && per_row_call(**expr))
            report("S105", at(p.origin),
                   "policy '" + p.name + "' calls " + per_row_call(**expr).value() + " for every row; write (select " +
                       per_row_call(**expr).value() + ") so it runs once");
    }
    for (const auto& v : s_.views) {
      if (v.security_invoker) continue;
      for (const auto& r : v.reads)
        if (const Table* t = table(r); t && t->row_level_security) {
          report("S103", at(v.origin),
                 "view '" + v.name.display() + "' reads '" + t->name.display() +
                     "', which has row level security, but runs as its owner and so bypasses it; declare it "
                     "'with (security_invoker)'");
          break;
        }
    }
    // Supabase's API roles.
    auto api_role = [](const std::vector<model::Grant>& grants) -> std::string {
      for (const auto& g : grants)
        if (g.role == "anon" || g.role == "authenticated") return g.role;
      return "";
    };
    const QualifiedName auth_users{"auth", "users"};
    auto reads_auth_users = [&](const model::DerivedNames& reads) {
      return std::find(reads.begin(), reads.end(), auth_users) != reads.end();
    };
    for (const auto& v : s_.views)
      if (std::string role = api_role(v.grants); !role.empty() && reads_auth_users(v.reads))
        report("S107", at(v.origin),
               "view '" + v.name.display() + "' reads auth.users and is granted to " + role +
                   ": every user's e-mail and metadata is readable through the API; expose only the columns "
                   "needed from a table of your own, or revoke the grant");
    for (const auto& v : s_.materialized_views) {
      std::string role = api_role(v.grants);
      if (role.empty()) continue;
      if (reads_auth_users(v.reads))
        report("S107", at(v.origin),
               "materialized view '" + v.name.display() + "' reads auth.users and is granted to " + role +
                   ": every user's e-mail and metadata is readable through the API; revoke the grant");
      else
        report("S110", at(v.origin),
               "materialized view '" + v.name.display() + "' is granted to " + role +
                   ", but a materialized view has no row level security: every row is readable through the API; "
                   "revoke the grant and expose it through a security_invoker view or a function");
    }
    // Supabase's API roles are declared: public is exposed through the API.
    bool api = std::any_of(s_.roles.begin(), s_.roles.end(),
                           [](const model::NamedObject& r) { return r.name == "anon" || r.name == "authenticated"; });
    for (const auto& e : s_.extensions)
      if (api && (e.schema.empty() || e.schema == "public"))
        report("S111", at(e.origin),
               "extension " + e.name +
                   " goes into public, which the API exposes: its functions become callable and its objects "
                   "visible through it; declare it 'extension " +
                   e.name + " with schema extensions'");
    for (const auto& f : s_.functions) {
      if (f.is_extern || !f.security_definer) continue;
      // One that reads the caller's identity (auth.uid(), auth.jwt(), ...) checks the caller.
      static const std::regex caller(R"((auth\s*\.\s*(uid|jwt|role)|current_setting)\s*\()", std::regex::icase);
      if (std::string role = api_role(f.grants);
          !role.empty() && !f.returns_trigger && !std::regex_search(f.body, caller))
        report("S109", at(f.origin),
               "function '" + f.name.display() + "' is security definer and granted to " + role +
                   ": anyone with an API key calls it with its owner's rights; check the caller inside it "
                   "(auth.uid()), or make it security invoker");
      if (!f.search_path)
        report("S104", at(f.origin),
               "function '" + f.name.display() +
                   "' is security definer without 'set search_path': add "
                   "\"set search_path = ''\" (and qualify names) or a fixed list of schemas");
      // A trigger function cannot be called directly: PUBLIC's EXECUTE gives nothing away.
      if (!f.returns_trigger && std::find(f.revoked.begin(), f.revoked.end(), "public") == f.revoked.end()) {
        report("S106", at(f.origin),
               "function '" + f.name.display() +
                   "' is security definer and every role may call it (PostgreSQL grants EXECUTE to PUBLIC): add "
                   "'revoke execute on function " +
                   f.name.display() + "(" + f.argument_types_sql() +
                   ") from public' and grant it to the roles that need it");
      }
    }
  }

  // The first volatile function an expression calls ("random()"), if any: a declared
  // function without `stable` or `immutable`, or one of PostgreSQL's volatile ones.
  std::optional<std::string> volatile_call(const model::Uses& uses) const {
    static const std::set<std::string> builtin = {"random",          "clock_timestamp",  "timeofday",
                                                  "gen_random_uuid", "uuid_generate_v4", "uuid_generate_v1",
                                                  "nextval",         "txid_current",     "statement_timestamp"};
    for (const auto& f : uses.functions) {
      bool declared = false;
      for (const auto& d : s_.functions)
        if (d.name.name == f.name && (f.schema.empty() || d.name.schema == f.schema)) {
          declared = true;
          if (d.volatility.empty() || d.volatility == "volatile") return f.display() + "()";
        }
      if (!declared && builtin.count(f.name) &&
          (f.schema.empty() || f.schema == "pg_catalog" || f.schema == "public" || f.schema == "extensions"))
        return f.name + "()";
    }
    return std::nullopt;
  }

  // An expression that is the constant true, whatever its parentheses and case.
  static bool always_true(const std::optional<std::string>& sql) {
    if (!sql) return false;
    std::string s;
    for (char c : *sql)
      if (!std::isspace(static_cast<unsigned char>(c)) && c != '(' && c != ')')
        s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s == "true";
  }

  // The first per-row call in a policy expression that is not inside (select ...).
  static std::optional<std::string> per_row_call(const std::string& sql) {
    static const std::regex call(R"((auth\s*\.\s*(uid|jwt|role)|current_setting)\s*\()", std::regex::icase);
    // std::regex is slow: most expressions name neither, and are passed over first.
    std::string lower = sql;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.find("auth") == std::string::npos && lower.find("current_setting") == std::string::npos)
      return std::nullopt;
    for (std::sregex_iterator it(sql.begin(), sql.end(), call), end; it != end; ++it) {
      std::string before = sql.substr(0, static_cast<std::size_t>(it->position()));
      while (!before.empty() && std::isspace(static_cast<unsigned char>(before.back()))) before.pop_back();
      std::string tail = before.size() >= 6 ? before.substr(before.size() - 6) : before;
      for (auto& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (tail != "select") {
        std::string name = it->str(1);
        name.erase(std::remove_if(name.begin(), name.end(), [](unsigned char c) { return std::isspace(c); }),
                   name.end());
        return name + "()";
      }
    }
    return std::nullopt;
  }

  // ---- hygiene --------------------------------------------------------------------------

  static bool index_starts_with(const std::vector<std::string>& leading, const std::vector<std::string>& columns) {
    if (leading.size() < columns.size()) return false;
    return std::equal(columns.begin(), columns.end(), leading.begin());
  }

  // Citus: what compiles but scales badly or holds by chance.
  void distribution() {
    auto colocated_by_declaration = [&](const Table& t, const QualifiedName& target) {
      std::set<QualifiedName> group_of_t, group_of_u;
      auto chain = [&](const Table* x, std::set<QualifiedName>& out) {
        for (int depth = 0; x && x->distribution && depth < 64; ++depth) {
          if (!out.insert(x->name).second) break;
          x = x->distribution->colocate_with ? s_.find_table(*x->distribution->colocate_with) : nullptr;
        }
      };
      chain(&t, group_of_t);
      chain(s_.find_table(target), group_of_u);
      for (const auto& n : group_of_t)
        if (group_of_u.count(n)) return true;
      return false;
    };
    for (const auto& t : s_.tables) {
      if (t.is_extern || !t.distribution) continue;
      const auto& d = *t.distribution;
      if (!d.reference) {
        for (const auto& c : t.constraints) {
          if (c.kind != model::ConstraintKind::foreign_key || c.ref_table == t.name) continue;
          const Table* u = s_.find_table(c.ref_table);
          if (u && u->distribution && !u->distribution->reference && !colocated_by_declaration(t, u->name))
            report("C401", at(c.origin),
                   "'" + t.name.display() + "' references distributed table '" + u->name.display() +
                       "' without being declared colocated with it; add 'colocate with " + u->name.display() + "'");
        }
        for (const auto& p : t.policies)
          if (!p.uses.reads(t.name, d.column) && !p.uses.reads(t.live_name(), d.column))
            report("C402", at(p.origin),
                   "policy '" + p.name + "' on distributed table '" + t.name.display() + "' does not read '" +
                       d.column + "': every query under it reaches every shard");
        bool indexed = false;
        for (const auto& c : t.constraints)
          indexed |= (c.kind == model::ConstraintKind::primary_key || c.kind == model::ConstraintKind::unique) &&
                     !c.columns.empty() && c.columns.front() == d.column;
        for (const auto& ix : t.indexes)
          indexed |= !ix.where_sql && !ix.elements.empty() && ix.elements.front().column == d.column;
        if (!indexed)
          report("C403", at(d.origin),
                 "distributed table '" + t.name.display() + "' has no index starting with '" + d.column +
                     "'; start its primary key with it, or add 'index on (" + d.column + ")'");
      }
      for (const auto& tr : t.triggers)
        for (const auto& f : s_.functions)
          if (f.name == tr.function && !f.reads.empty())
            report("C404", at(tr.origin),
                   "trigger '" + tr.name + "' on " + (d.reference ? "reference" : "distributed") + " table '" +
                       t.name.display() + "' runs " + f.name.display() + "(), which reads " +
                       f.reads.front().display() + ": it runs on each shard, on the workers");
    }
  }

  void hygiene() {
    for (const auto& t : s_.tables) {
      if (t.is_extern || t.archived_as) continue;
      if (!t.primary_key())
        report("H301", at(t.origin), "table '" + t.name.display() + "' has no primary key; add one");
      std::vector<std::vector<std::string>> leading;  // leading columns of every index
      for (const auto& c : t.constraints)
        if (c.kind == model::ConstraintKind::primary_key || c.kind == model::ConstraintKind::unique)
          leading.push_back(c.columns);
      for (const auto& ix : t.indexes) {
        std::vector<std::string> cols;
        for (const auto& e : ix.elements) {
          if (e.column.empty()) break;
          cols.push_back(e.column);
        }
        if (!ix.where_sql) leading.push_back(cols);
      }
      for (const auto& c : t.constraints) {
        if (c.kind != model::ConstraintKind::foreign_key) continue;
        bool covered =
            std::any_of(leading.begin(), leading.end(), [&](const auto& l) { return index_starts_with(l, c.columns); });
        if (!covered)
          report("H302", at(c.origin),
                 "foreign key '" + c.name + "' has no index on (" + join(c.columns) + "); add 'index on (" +
                     join(c.columns) + ")'");
      }
      for (std::size_t i = 0; i < t.indexes.size(); ++i)
        for (std::size_t j = 0; j < i; ++j) {
          auto a = t.indexes[i], b = t.indexes[j];
          a.name = b.name = "";
          a.named = b.named = false;
          a.doc = b.doc = {};
          if (a == b) {
            report("H303", at(t.indexes[i].origin),
                   "index '" + t.indexes[i].name + "' duplicates '" + t.indexes[j].name + "'; remove one");
            break;
          }
        }
      overlapping_policies(t);
    }
  }

  void overlapping_policies(const Table& t) {
    static const char* const commands[] = {"select", "insert", "update", "delete"};
    std::map<std::pair<std::string, std::string>, std::vector<const model::Policy*>> by_role_command;
    for (const auto& p : t.policies) {
      if (!p.permissive) continue;
      std::vector<std::string> roles = p.roles.empty() ? std::vector<std::string>{"public"} : p.roles;
      for (const auto& role : roles)
        for (const char* command : commands)
          if (p.command == "all" || p.command == command) by_role_command[{role, command}].push_back(&p);
    }
    std::set<const model::Policy*> reported;
    for (const auto& [key, policies] : by_role_command) {
      if (policies.size() < 2 || reported.count(policies.back())) continue;
      reported.insert(policies.back());
      report("H304", at(policies.back()->origin),
             "policies '" + policies.front()->name + "' and '" + policies.back()->name + "' are both permissive for " +
                 key.first + " on " + key.second + "; merge them into one policy");
    }
  }

  static std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
    return out;
  }

  void materialized_views() {
    for (const auto& v : s_.materialized_views) {
      bool unique = std::any_of(v.indexes.begin(), v.indexes.end(),
                                [](const model::Index& ix) { return ix.unique && !ix.where_sql; });
      if (!unique)
        report("D205", at(v.origin),
               "materialized view '" + v.name.display() +
                   "' has no unique index, so 'refresh materialized view concurrently' is refused; add a unique "
                   "index on columns that identify a row");
    }
  }

  // ---- safety: data steps that run in the next migration ---------------------------------------

  // From PostgreSQL's parse tree of each statement: what holds an exclusive lock for as
  // long as it runs.
  static std::optional<std::string> blocking_statement(const nlohmann::json& stmt) {
    auto has_option = [](const nlohmann::json& list, const char* name) {
      if (!list.is_array()) return false;
      for (const auto& o : list)
        if (o.contains("DefElem") && o["DefElem"].value("defname", "") == name) return true;
      return false;
    };
    if (stmt.contains("ClusterStmt")) return "CLUSTER";
    if (stmt.contains("VacuumStmt") && has_option(stmt["VacuumStmt"].value("options", nlohmann::json::array()), "full"))
      return "VACUUM FULL";
    if (stmt.contains("ReindexStmt") &&
        !has_option(stmt["ReindexStmt"].value("params", nlohmann::json::array()), "concurrently"))
      return "REINDEX without CONCURRENTLY";
    // SHARE (5) and stronger modes block writes.
    if (stmt.contains("LockStmt") && stmt["LockStmt"].value("mode", 0) >= 5)
      return "LOCK TABLE in a mode that blocks writes";
    return std::nullopt;
  }

  // Tables a DELETE or TRUNCATE names -> "DELETE" or "TRUNCATE" (a TRUNCATE wins).
  static void deleted_tables(const nlohmann::json& node, std::map<QualifiedName, std::string>& out) {
    // A list holds its RangeVars wrapped in a node; a DELETE's relation is one bare.
    auto add = [&](const nlohmann::json& range, const char* how) {
      const nlohmann::json& v = range.contains("RangeVar") ? range["RangeVar"] : range;
      if (!v.is_object() || !v.contains("relname")) return;
      QualifiedName n;
      n.schema = v.value("schemaname", "public");
      n.name = v.value("relname", "");
      if (out[n] != "TRUNCATE") out[n] = how;
    };
    if (node.is_object()) {
      for (const auto& [key, value] : node.items()) {
        if (key == "DeleteStmt" && value.contains("relation")) add(value["relation"], "DELETE");
        if (key == "TruncateStmt" && value.contains("relations"))
          for (const auto& r : value["relations"]) add(r, "TRUNCATE");
        deleted_tables(value, out);
      }
    } else if (node.is_array()) {
      for (const auto& v : node) deleted_tables(v, out);
    }
  }

  // D214: rows a pending data step deletes that its down cannot bring back: from a table
  // it names without retaining it (a partition counts as its table), or through an
  // ON DELETE CASCADE (or SET NULL / SET DEFAULT) into a table it does not retain.
  void deleted_rows(const model::DataStep& d, std::map<QualifiedName, std::string> deleted) {
    auto retained = [&](const QualifiedName& n) {
      return std::find(d.retain.begin(), d.retain.end(), n) != d.retain.end();
    };
    std::map<QualifiedName, std::string> tables;  // partitions as their table
    for (const auto& [n, how] : deleted) {
      QualifiedName table = n;
      for (const auto& p : s_.partitions)
        if (p.name == n) table = p.parent;
      if (tables[table] != "TRUNCATE") tables[table] = how;
    }
    for (const auto& [n, how] : tables) {
      if (how == "TRUNCATE") {
        if (!retained(n))
          report("D214", at(d.origin),
                 "data step '" + d.name + "' truncates " + n.display() +
                     ": its migration's down cannot bring the rows back; DELETE them and write 'retain " + n.display() +
                     "' in the step to keep them in schemac_retained until `schemac migrate purge`");
        continue;
      }
      if (!retained(n))
        report("D214", at(d.origin),
               "data step '" + d.name + "' deletes rows from " + n.display() +
                   " that its migration's down cannot bring back; write 'retain " + n.display() +
                   "' in the step to keep them in schemac_retained until `schemac migrate purge`");
    }
    // What the deletes reach through foreign keys, table by table.
    std::set<QualifiedName> reached;
    std::vector<QualifiedName> work;
    for (const auto& [n, how] : tables) work.push_back(n), reached.insert(n);
    while (!work.empty()) {
      QualifiedName from = work.back();
      work.pop_back();
      for (const auto& t : s_.tables)
        for (const auto& c : t.constraints) {
          if (c.kind != model::ConstraintKind::foreign_key || c.ref_table != from || t.live_name() == from) continue;
          if (c.on_delete == "cascade") {
            if (!retained(t.live_name()))
              report("D214", at(d.origin),
                     "data step '" + d.name + "' deletes rows of " + from.display() + ", and ON DELETE CASCADE of " +
                         t.name.display() + "." + c.name + " deletes the rows of " + t.live_name().display() +
                         " that point at them; its migration's down cannot bring those back: write 'retain " +
                         t.live_name().display() + "' in the step too");
            if (reached.insert(t.live_name()).second) work.push_back(t.live_name());
          } else if (c.on_delete == "set null" || c.on_delete == "set default") {
            report("D214", at(d.origin),
                   "data step '" + d.name + "' deletes rows of " + from.display() + ", and ON DELETE " + c.on_delete +
                       " of " + t.name.display() + "." + c.name + " changes the rows of " + t.live_name().display() +
                       " that point at them; its migration's down does not change them back");
          }
        }
    }
  }

  void data_steps() {
    for (const auto& d : s_.data_steps) {
      bool ran = std::any_of(previous_->data_steps.begin(), previous_->data_steps.end(),
                             [&](const model::DataStep& p) { return p.name == d.name; });
      if (ran) continue;
      PgQueryParseResult r = pg_query_parse(d.up.c_str());
      std::optional<std::string> found;
      if (!r.error) {
        auto tree = nlohmann::json::parse(r.parse_tree, nullptr, false);
        if (tree.is_object() && tree.contains("stmts"))
          for (const auto& s : tree["stmts"])
            if (s.contains("stmt") && (found = blocking_statement(s["stmt"]))) break;
      }
      std::map<QualifiedName, std::string> deleted;  // at any depth (a CTE's)
      if (!r.error) deleted_tables(nlohmann::json::parse(r.parse_tree, nullptr, false), deleted);
      pg_query_free_parse_result(r);
      deleted_rows(d, deleted);
      if (found)
        report("D213", at(d.origin),
               "data step '" + d.name + "' runs " + *found +
                   ", which blocks the table's writes for as long as it runs (or cannot run in the migration's "
                   "transaction at all); run it outside the migration (REINDEX CONCURRENTLY, pg_repack, or a "
                   "maintenance window)");
    }
  }

  // ---- safety: the planned change ------------------------------------------------------------

  // The planned change, read from the planner's typed change list (the same list the
  // migration is written from): nothing here derives a change on its own.
  void safety() {
    Diagnostics scratch;  // the planner's own refusals are errors of `plan`, not findings
    plan::Plan p = plan::plan_migration(*previous_, s_, scratch, migration_);
    std::vector<std::pair<const plan::Change*, bool>> changes;  // (change, refused by the planner)
    for (const auto& op : p.ops) changes.push_back({&op.change, false});
    for (const auto& c : p.refused) changes.push_back({&c, true});
    std::map<QualifiedName, std::string> gone;  // old name -> what happens to it (D208)
    for (const auto& [c, refused] : changes) {
      using K = plan::ChangeKind;
      std::string what = c->subject.display() + (c->member.empty() ? "" : "." + c->member);
      switch (c->kind) {
        case K::drop_table:
          gone[c->subject] = "drops it";
          if (!refused)  // confirmed by a `drop table` line
            report(
                "D201", at(c->origin),
                "dropping table '" + c->subject.display() + "' removes it and its rows from the application; " +
                    (c->detail.empty() ? std::string("its down re-creates it empty (a table with an identity "
                                                     "column in a Citus plan is not kept whole). Archive it instead to "
                                                     "keep them")
                                       : "it is kept whole in " + c->detail +
                                             " for its down, until `schemac migrate purge` deletes it"));
          break;
        case K::drop_column:
          if (refused) break;  // not confirmed: an error of the plan itself
          report("D201", at(c->origin),
                 "dropping column '" + what + "' deletes its data from the table; " +
                     (c->detail.empty() ? std::string("its down re-creates it empty (no primary key to keep the "
                                                      "values by)")
                                        : "its values are kept in the schemac_retained schema for its down"));
          break;
        case K::rename_table:
        case K::rename_column:
          if (!refused)
            report("D210", at(c->origin),
                   (c->kind == K::rename_table
                        ? "renaming table '" + c->previous_name.value_or(c->subject).display() + "' to '" +
                              c->subject.display() + "'"
                        : "renaming column '" + c->subject.display() + "." + c->detail + "' to '" + c->member + "'") +
                       " breaks the code still running against the old name until it is deployed again; for a "
                       "live application add the new column (or a view under the new name), deploy code that "
                       "uses it, and remove the old one in a later migration");
          if (c->kind == K::rename_table && c->previous_name)
            gone[*c->previous_name] = "renames it to '" + c->subject.display() + "'";
          break;
        case K::alter_column:
          if (c->scans_table)
            report("D212", at(c->origin),
                   "SET NOT NULL on '" + what +
                       "' scans the whole table under an ACCESS EXCLUSIVE lock (the planner proves it with a "
                       "validated check instead where it can: not on a partitioned table, nor with a type change "
                       "or identity in the same migration)");
          break;
        case K::add_column:
          if (c->column && (c->column->identity || c->column->serial || c->column->generated_sql))
            report("D211", at(c->origin),
                   "adding " +
                       std::string(c->column->generated_sql ? "generated"
                                   : c->column->identity    ? "identity"
                                                            : "serial") +
                       " column '" + what +
                       "' to an existing table fills it for every row, rewriting the table under an ACCESS "
                       "EXCLUSIVE lock; on a large table add it nullable, fill it in batches with a data step, "
                       "then make it what it must be");
          else if (c->column && c->column->default_sql)
            if (auto f = volatile_call(c->column->uses))
              report("D209", at(c->origin),
                     "column '" + what + "' is added with a default that calls " + *f +
                         ", which is volatile: PostgreSQL evaluates it for every row and rewrites the table under "
                         "an ACCESS EXCLUSIVE lock; add it without the default (or with a constant one), fill it "
                         "with a data step, then set the default");
          if (c->column && !c->column->nullable && !c->column->default_sql && !c->column->identity &&
              !c->column->serial && !c->column->generated_sql)
            report("D202", at(c->origin),
                   "column '" + what +
                       "' is NOT NULL without a default and the table exists already: adding "
                       "it fails when the table has rows; give it a default, or make it "
                       "nullable and fill it with a data step");
          break;
        case K::create_index:
          if (c->on_existing_table && !c->online)  // the planner builds it concurrently where it can
            report("D203", at(c->origin),
                   "index '" + c->member + "' is built on existing partitioned table '" + c->subject.display() +
                       "', which blocks its writes while it builds (PostgreSQL cannot build it concurrently "
                       "there); on a large table, build it on each partition concurrently first");
          break;
        case K::alter_column_type:
          if (auto why = model::narrowing(model::without_domains(*c->from_type, *previous_),
                                          model::without_domains(*c->to_type, s_)))
            report("D206", at(c->origin),
                   "changing '" + what + "' from " + c->from_type->sql() + " to " + c->to_type->sql() + " " + *why +
                       "; keep the type, or add a new column and copy with a data step");
          else if (model::rewrites(*c->from_type, *c->to_type))
            report("D204", at(c->origin),
                   "changing '" + what + "' from " + c->from_type->sql() + " to " + c->to_type->sql() +
                       " rewrites the table under an exclusive lock");
          if (c->scans_table && !model::rewrites(*c->from_type, *c->to_type))
            report("D212", at(c->origin),
                   "SET NOT NULL on '" + what +
                       "' scans the whole table under an ACCESS EXCLUSIVE lock (it changes type in the same "
                       "migration, so the planner cannot prove it with a validated check first)");
          break;
        case K::remove_enum_values:
          for (const auto& v : c->values)
            report("D207", at(c->origin),
                   "enum '" + c->subject.display() + "' loses the value '" + v +
                       "': rows holding it cannot be converted; keep the value (and stop "
                       "writing it), or migrate the rows to a new column first");
          break;
        case K::archive_table:
          gone[c->subject] = "archives it as '" + c->detail + "'";
          break;
        default:
          break;
      }
    }
    deployed_code(changes);
    // Function -> table edges from the parse trees: a body that names a table under
    // the name this migration takes away breaks at its next call.
    for (const auto& f : s_.functions)
      for (const auto& r : f.reads)
        if (auto g = gone.find(r); g != gone.end())
          report("D208", at(f.origin),
                 "function '" + f.name.display() + "' reads table '" + r.display() + "', and this migration " +
                     g->second + "; update the body to the new name, or keep the table");
  }

  // D215: the code generated from the previous state (its named queries, and every
  // accessor of a table, which reads all its columns by name) against what this
  // migration takes away from it. Expand/contract deploys are planned with this list.
  void deployed_code(const std::vector<std::pair<const plan::Change*, bool>>& changes) {
    using K = plan::ChangeKind;
    struct Broken {
      const plan::Change* change;
      std::string column;  // "" for the whole table
      std::string what;    // "renames it to ...", ...
    };
    std::map<QualifiedName, std::vector<Broken>> broken;  // by the table's name in the previous state
    auto old_name = [&](const plan::Change& c) {
      // a table renamed in the same migration is found under its previous name
      for (const auto& [x, refused] : changes)
        if (x->kind == K::rename_table && x->subject == c.subject && x->previous_name) return *x->previous_name;
      return c.subject;
    };
    for (const auto& [c, refused] : changes) {
      if (refused) continue;
      switch (c->kind) {
        case K::rename_column:
          broken[old_name(*c)].push_back({c, c->detail, "renames it to '" + c->member + "'"});
          break;
        case K::drop_column:
          broken[old_name(*c)].push_back({c, c->member, "drops it"});
          break;
        case K::alter_column_type:
          broken[old_name(*c)].push_back(
              {c, c->member, "changes its type from " + c->from_type->sql() + " to " + c->to_type->sql()});
          break;
        case K::rename_table:
          if (c->previous_name)
            broken[*c->previous_name].push_back({c, "", "renames it to '" + c->subject.display() + "'"});
          break;
        case K::archive_table:
          broken[c->subject].push_back({c, "", "archives it as '" + c->detail + "'"});
          break;
        case K::drop_table:
          broken[c->subject].push_back({c, "", "drops it"});
          break;
        default:
          break;
      }
    }
    if (broken.empty()) return;
    auto where = [&](const std::string& query, const plan::Change& c) {
      for (const auto& q : s_.queries)
        if (q.name == query) return at(q.origin);
      return at(c.origin);
    };
    for (const auto& q : previous_->queries) {
      auto reads = check::query_reads(*previous_, q);
      for (const auto& [table, list] : broken)
        for (const auto& b : list) {
          bool hit = false;
          if (b.column.empty())
            hit = std::find(reads.relations.begin(), reads.relations.end(), table) != reads.relations.end();
          else
            hit = std::find(reads.columns.begin(), reads.columns.end(), model::ColumnUse{table, b.column}) !=
                  reads.columns.end();
          if (!hit) continue;
          std::string subject = b.column.empty() ? "table '" + table.display() + "'"
                                                 : "column '" + table.display() + "." + b.column + "'";
          report("D215", where(q.name, *b.change),
                 "query '" + q.name + "' of the previous state reads " + subject + ", and this migration " + b.what +
                     ": the deployed code that runs it fails until it is deployed again; keep the old " +
                     (b.column.empty() ? "table" : "column") + " until that code is gone (expand, deploy, contract)");
        }
    }
    for (const auto& t : previous_->tables) {
      if (t.is_extern || t.archived_as) continue;
      auto it = broken.find(t.name);
      if (it == broken.end()) continue;
      for (const auto& b : it->second) {
        std::string subject = b.column.empty() ? "table '" + t.name.display() + "'"
                                               : "column '" + t.name.display() + "." + b.column + "'";
        report("D215", at(b.change->origin),
               "the generated accessors of table '" + t.name.display() +
                   "' (find, insert, list, ...) in the "
                   "deployed code read " +
                   subject + ", and this migration " + b.what +
                   ": they fail until the code generated from this schema is deployed");
      }
    }
  }

  const LoadedSchema& loaded_;
  const model::Schema& s_;
  const model::Schema* previous_;
  Diagnostics& diags_;
  std::string migration_;  // the planned migration's id, when linting one; "" for the change not yet planned
  std::map<int, std::vector<Allow>> allows_;
  Result result_;
};

}  // namespace

Result lint_schema(const LoadedSchema& desired, const model::Schema* previous, Diagnostics& diags,
                   const std::string& migration) {
  return Linter(desired, previous, diags, migration).run();
}

}  // namespace schemac::lint
