// The planner: previous state + desired state -> operations with inverses.
//
// The previous state is first brought to the desired one's names: `was` renames of
// tables and columns, archive transitions. What remains is a diff of two models
// keyed by the names the database holds, object kind by object kind. Each change
// becomes the smallest faithful DDL with its inverse.

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <set>

#include "check/statements.hpp"
#include "emit/alter.hpp"
#include "emit/ddl.hpp"
#include "emit/sql.hpp"
#include "model/names.hpp"
#include "model/types.hpp"
#include "plan/assertions.hpp"
#include "plan/plan.hpp"
#include "plan/snapshot.hpp"

namespace schemac::plan {

using model::Column;
using model::Constraint;
using model::ConstraintKind;
using model::Distribution;
using model::Function;
using model::Index;
using model::QualifiedName;
using model::Schema;
using model::Table;

const char* change_name(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::other:
      return "other";
    case ChangeKind::create_table:
      return "create_table";
    case ChangeKind::drop_table:
      return "drop_table";
    case ChangeKind::rename_table:
      return "rename_table";
    case ChangeKind::archive_table:
      return "archive_table";
    case ChangeKind::unarchive_table:
      return "unarchive_table";
    case ChangeKind::add_column:
      return "add_column";
    case ChangeKind::drop_column:
      return "drop_column";
    case ChangeKind::rename_column:
      return "rename_column";
    case ChangeKind::rename_members:
      return "rename_members";
    case ChangeKind::alter_column_type:
      return "alter_column_type";
    case ChangeKind::alter_column:
      return "alter_column";
    case ChangeKind::regenerate_column:
      return "regenerate_column";
    case ChangeKind::add_constraint:
      return "add_constraint";
    case ChangeKind::drop_constraint:
      return "drop_constraint";
    case ChangeKind::create_index:
      return "create_index";
    case ChangeKind::drop_index:
      return "drop_index";
    case ChangeKind::create_trigger:
      return "create_trigger";
    case ChangeKind::drop_trigger:
      return "drop_trigger";
    case ChangeKind::create_policy:
      return "create_policy";
    case ChangeKind::alter_policy:
      return "alter_policy";
    case ChangeKind::drop_policy:
      return "drop_policy";
    case ChangeKind::create_view:
      return "create_view";
    case ChangeKind::drop_view:
      return "drop_view";
    case ChangeKind::create_function:
      return "create_function";
    case ChangeKind::replace_function:
      return "replace_function";
    case ChangeKind::drop_function:
      return "drop_function";
    case ChangeKind::create_enum:
      return "create_enum";
    case ChangeKind::add_enum_values:
      return "add_enum_values";
    case ChangeKind::remove_enum_values:
      return "remove_enum_values";
    case ChangeKind::drop_enum:
      return "drop_enum";
    case ChangeKind::create_sequence:
      return "create_sequence";
    case ChangeKind::alter_sequence:
      return "alter_sequence";
    case ChangeKind::drop_sequence:
      return "drop_sequence";
    case ChangeKind::create_type:
      return "create_type";
    case ChangeKind::alter_type:
      return "alter_type";
    case ChangeKind::drop_type:
      return "drop_type";
    case ChangeKind::data_step:
      return "data_step";
    case ChangeKind::create_assertion:
      return "create_assertion";
    case ChangeKind::alter_assertion:
      return "alter_assertion";
    case ChangeKind::drop_assertion:
      return "drop_assertion";
    case ChangeKind::check_assertion:
      return "check_assertion";
    case ChangeKind::distribute_table:
      return "distribute_table";
    case ChangeKind::moved_aside:
      return "moved_aside";
  }
  return "";
}

const char* step_title(Step step) {
  switch (step) {
    case Step::drop_view:
      return "Views and materialized views that change or go";
    case Step::detach_partition:
      return "Partitions detached (their bound changes, or they go)";
    case Step::take_default_privileges:
      return "Default privileges taken away (before anything is created)";
    case Step::drop_sequence_owner:
      return "Sequences that no longer belong to a column";
    case Step::drop_trigger:
      return "Triggers that change or go";
    case Step::drop_policy:
      return "Policies that change or go";
    case Step::drop_foreign_key:
      return "Foreign keys that change or go";
    case Step::drop_constraint:
      return "Constraints that change or go";
    case Step::drop_index:
      return "Indexes that change or go";
    case Step::drop_default:
      return "Defaults that call a function whose signature changes";
    case Step::drop_generated:
      return "Generated columns that are added again";
    case Step::drop_function_for_change:
      return "Functions whose signature changes";
    case Step::extension:
      return "Extensions";
    case Step::schema:
      return "Schemas";
    case Step::rename:
      return "Renames";
    case Step::enum_type:
      return "Types: enums, domains and composite types";
    case Step::sequence:
      return "Sequences";
    case Step::distribute:
      return "Distribution on the Citus cluster (reference tables, then distributed tables)";
    case Step::partition:
      return "Partitions";
    case Step::drop_partition:
      return "Dropped partitions (confirmed): detached, their rows kept for down";
    case Step::sequence_owner:
      return "Sequences owned by columns";
    case Step::function:
      return "Functions";
    case Step::row_type_function:
      return "Functions on the row types of tables";
    case Step::table:
      return "Tables, in foreign-key order";
    case Step::column:
      return "Columns";
    case Step::add_generated:
      return "Generated columns, added again";
    case Step::constraint:
      return "Constraints";
    case Step::index:
      return "Indexes";
    case Step::view:
      return "Views and materialized views, in dependency order";
    case Step::trigger:
      return "Triggers";
    case Step::row_level_security:
      return "Row level security";
    case Step::policy:
      return "Policies";
    case Step::grant:
      return "Grants";
    case Step::comment:
      return "Comments";
    case Step::data:
      return "Data steps";
    case Step::enum_dependents_restored:
      return "Objects that depend on the enum types, as they were";
    case Step::enum_value:
      return "Enum values (committed before anything uses them)";
    case Step::generated_dependents:
      return "Objects on a column that becomes generated again";
    case Step::generated_dependents_restored:
      return "Objects on a column that became generated again, as they were";
    case Step::enum_dependents:
      return "Objects that depend on the enum types";
    case Step::late_view:
      return "Views that read the archived tables";
    case Step::archive:
      return "Archived tables: renamed with their constraints and indexes; grants revoked";
    case Step::drop_column:
      return "Dropped columns (confirmed)";
    case Step::drop_table:
      return "Dropped tables (confirmed)";
    case Step::drop_sequence:
      return "Dropped sequences";
    case Step::drop_function:
      return "Dropped functions";
    case Step::drop_enum:
      return "Dropped types";
    case Step::drop_schema:
      return "Dropped schemas";
    case Step::concurrent_index:
      return "Indexes on existing tables, built without blocking writes";
    case Step::data_outside:
      return "Data steps with statements PostgreSQL runs only outside a transaction, statement by statement";
    case Step::validate:
      return "Constraints added NOT VALID, validated without blocking writes";
    case Step::set_not_null:
      return "NOT NULL, proved by the validated checks (no scan), which then go";
    case Step::attach_constraint:
      return "Unique and primary keys from the indexes built concurrently";
    case Step::late_foreign_key:
      return "Foreign keys that reference those keys";
    case Step::late_validate:
      return "Those foreign keys validated without blocking writes";
  }
  return "";
}

const char* lock_name(LockMode mode) {
  switch (mode) {
    case LockMode::share_update_exclusive:
      return "SHARE UPDATE EXCLUSIVE";
    case LockMode::share:
      return "SHARE";
    case LockMode::share_row_exclusive:
      return "SHARE ROW EXCLUSIVE";
    case LockMode::access_exclusive:
      return "ACCESS EXCLUSIVE";
  }
  return "";
}

Phase phase_of(Step step) {
  if (step <= Step::enum_value) return Phase::enum_values;
  if (step <= Step::drop_schema) return Phase::main;
  switch (step) {
    case Step::concurrent_index:
    case Step::data_outside:
      return Phase::concurrently;
    case Step::validate:
      return Phase::validate;
    case Step::late_validate:
      return Phase::late_validate;
    default:
      return Phase::attach;
  }
}

bool in_transaction(Phase phase) { return phase != Phase::concurrently; }

const char* phase_title(Phase phase) {
  switch (phase) {
    case Phase::enum_values:
      return "enum values, committed before they are used";
    case Phase::main:
      return "the changes";
    case Phase::concurrently:
      return "indexes built concurrently, outside a transaction";
    case Phase::validate:
      return "validation";
    case Phase::attach:
      return "NOT NULL and keys";
    case Phase::late_validate:
      return "validation of the foreign keys to the new keys";
  }
  return "";
}

bool Plan::commits_enum_values_first() const {
  bool values = false, rest = false;
  for (const auto& op : ops) {
    if (op.step == Step::enum_value) values |= !op.up.empty();
    if (op.step > Step::enum_value) rest |= !op.up.empty();
  }
  return values && rest;
}

std::vector<Plan::PhaseOps> Plan::phases() const {
  std::vector<PhaseOps> out;
  bool split = commits_enum_values_first();
  for (const auto& op : ops) {
    Phase phase = phase_of(op.step);
    if (phase == Phase::enum_values && !split) phase = Phase::main;
    if (out.empty() || out.back().phase != phase) out.push_back({phase, {}});
    out.back().ops.push_back(&op);
  }
  // A phase with no statement either way is left out.
  std::erase_if(out, [](const PhaseOps& p) {
    return std::all_of(p.ops.begin(), p.ops.end(), [](const Op* op) { return op->up.empty() && op->down.empty(); });
  });
  return out;
}

namespace {

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

// Statements one a line, leaving out the empty ones.
std::string join_lines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v)
    if (!s.empty()) out += (out.empty() ? "" : "\n") + s;
  return out;
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

// ---- verify conditions (emit/verify.hpp) -----------------------------------------

using emit::column_gone;
using emit::column_is;
using emit::constraint_exists;
using emit::function_exists;
using emit::policy_exists;
using emit::privilege_is;
using emit::relation_exists;
using emit::relation_gone;
using emit::trigger_exists;

// ---- comparisons without documentation (comments are their own operations) --------

template <typename T>
T undocumented(T x) {
  x.doc.clear();
  return x;
}

bool same_definition(const Constraint& a, const Constraint& b) { return undocumented(a) == undocumented(b); }
bool same_definition(const Index& a, const Index& b) { return undocumented(a) == undocumented(b); }

bool is_foreign_key(const Constraint& c) { return c.kind == ConstraintKind::foreign_key; }

// Column types, an extension's type the same wherever its extension is (moving the
// extension moves its types; the columns keep them).
bool same_type(const model::Type& a, const model::Type& b) {
  if (a == b) return true;
  if (a.kind != model::TypeKind::external || b.kind != model::TypeKind::external || !a.named_type || !b.named_type ||
      a.named_type->name != b.named_type->name || !model::extension_type(a.named_type->name))
    return false;
  model::Type x = a;
  x.named_type->schema = b.named_type->schema;
  return x == b;
}

// The privileges of each kind of object, in PostgreSQL's order.
using Privileges = std::vector<std::string>;
using model::function_privileges;
using model::relation_privileges;
using model::schema_privileges;

std::set<std::string> privilege_set(const model::Grant& g, const Privileges& all = relation_privileges()) {
  if (g.privileges == std::vector<std::string>{"ALL"}) return {all.begin(), all.end()};
  return {g.privileges.begin(), g.privileges.end()};
}

// Privileges in PostgreSQL's order; ALL when they are all there.
std::vector<std::string> privilege_list(const std::set<std::string>& set,
                                        const Privileges& all = relation_privileges()) {
  if (set.size() == all.size() && all.size() > 1) return {"ALL"};
  std::vector<std::string> out;
  for (const auto& p : all)
    if (set.count(p)) out.push_back(p);
  return out;
}

}  // namespace

namespace {

// ---- the planner ----------------------------------------------------------------------

class Planner {
 public:
  Planner(const Schema& previous, const Schema& desired, Diagnostics& diags, std::string migration)
      : previous_(previous), desired_(desired), diags_(diags), migration_(std::move(migration)) {}

  // The operations by step, in the order the planner chose within a step (a stable
  // bucket sort: operations are large, so each is moved once).
  static std::vector<Op> in_step_order(std::deque<Op> ops) {
    std::vector<std::size_t> count(step_count + 1, 0);
    for (const auto& op : ops) ++count[static_cast<std::size_t>(op.step) + 1];
    for (std::size_t i = 1; i < count.size(); ++i) count[i] += count[i - 1];
    std::vector<Op> out(ops.size());
    for (auto& op : ops) out[count[static_cast<std::size_t>(op.step)]++] = std::move(op);
    return out;
  }

  Plan run() {
    prev_ = state_of(previous_);
    want_ = state_of(desired_);
    orig_ = prev_;
    effective(orig_);
    for (const Schema* state : std::initializer_list<const Schema*>{&previous_, &desired_, &prev_, &want_, &orig_})
      index_tables(*state);
    apply_renames();
    match_renamed_members();
    apply_archive_transitions();
    effective(prev_);  // archived tables take their archived names
    effective(want_);
    index_tables(prev_);
    index_tables(want_);
    for (const Schema* s : {&prev_, &want_})
      for (const auto& t : s->tables) citus_ |= t.distribution.has_value();
    check_removals();
    // Planning goes on after a refusal, so that lint sees every change; the plan is
    // not written when diags has errors.

    plan_extensions_and_schemas();
    plan_enums();
    plan_functions();
    plan_column_changes();
    find_redistributed();
    plan_view_rebuilds();
    plan_tables();
    plan_partitions();
    plan_distribution();
    plan_views();
    plan_data_steps();
    plan_enum_dependents();
    plan_generated_dependents();
    add_renames();

    for (auto& op : ops_)
      if (!op.lock) op.lock = lock_of(op);
    Plan plan;
    plan.ops = in_step_order(std::move(ops_));
    plan.notes = std::move(notes_);
    plan.refused = std::move(refused_);
    plan.citus = citus_;
    return plan;
  }

 private:
  Op& add(Step step, std::string up, std::string down, std::vector<Check> verify = {}) {
    ops_.push_back({step, std::move(up), std::move(down), std::move(verify), {}, std::nullopt});
    return ops_.back();
  }

  // ---- privileges ---------------------------------------------------------------------

  using PrivilegeCheck = std::function<Check(const std::string& role, const std::string& privilege, bool held)>;
  // The member of a privilege change's Change: what moving an object aside looks for.
  static constexpr const char* privileges_member = "privileges";

  // Grants on `target` (what follows ON) from `before` to `after`: per role, the
  // privileges that come and go, each undone by down.
  void plan_grants(const QualifiedName& subject, const std::string& target,
                   const std::vector<model::Grant>& before_grants, const std::vector<model::Grant>& after_grants,
                   const Privileges& all, const PrivilegeCheck& check) {
    std::map<std::string, std::set<std::string>> before, after;
    for (const auto& g : before_grants) before[g.role] = privilege_set(g, all);
    for (const auto& g : after_grants) after[g.role] = privilege_set(g, all);
    std::set<std::string> roles;
    for (const auto& [r, s] : before) roles.insert(r);
    for (const auto& [r, s] : after) roles.insert(r);
    for (const auto& role : roles) {
      std::set<std::string> gained, lost;
      for (const auto& x : after[role])
        if (!before[role].count(x)) gained.insert(x);
      for (const auto& x : before[role])
        if (!after[role].count(x)) lost.insert(x);
      if (gained.empty() && lost.empty()) continue;
      std::vector<Check> checks;
      for (const auto& x : gained) checks.push_back(check(role, x, true));
      for (const auto& x : lost) checks.push_back(check(role, x, false));
      auto grant = [&](const std::set<std::string>& s) {
        return s.empty() ? "" : emit::grant_on(target, {role, privilege_list(s, all)});
      };
      auto revoke = [&](const std::set<std::string>& s) {
        return s.empty() ? "" : emit::revoke_on(target, {role, privilege_list(s, all)});
      };
      add(Step::grant, join_lines({grant(gained), revoke(lost)}), join_lines({grant(lost), revoke(gained)}), checks)
          .change = change(ChangeKind::other, subject, privileges_member);
    }
  }

  // Revokes on `target` from `before` to `after`. PostgreSQL gives PUBLIC `defaults`
  // on a new object (EXECUTE on a function): those come back when PUBLIC's revoke
  // goes. What another role held before a revoke is not known, so a revoke from it is
  // not undone (the plan's notes say so).
  void plan_revokes(const QualifiedName& subject, const std::string& target, const std::vector<std::string>& before,
                    const std::vector<std::string>& after, const Privileges& defaults, const PrivilegeCheck& check) {
    auto restore = [&](const std::string& role) {
      if (role == "public" && !defaults.empty()) return emit::grant_on(target, {role, defaults});
      notes_.push_back("privileges of " + role + " on " + target +
                       " revoked by a schema are not restored: schemac does not know what it held before");
      return std::string();
    };
    for (const auto& r : after)
      if (std::find(before.begin(), before.end(), r) == before.end())
        add(Step::grant, emit::revoke_all(target, r), restore(r), {check(r, "", false)}).change =
            change(ChangeKind::other, subject, privileges_member);
    for (const auto& r : before)
      if (std::find(after.begin(), after.end(), r) == after.end()) {
        std::string up = restore(r);
        std::vector<Check> checks;
        if (!up.empty())
          for (const auto& d : defaults) checks.push_back(check(r, d, true));
        add(Step::grant, up, emit::revoke_all(target, r), checks).change =
            change(ChangeKind::other, subject, privileges_member);
      }
  }

  static Check function_privilege(const Function& f, const std::string& role, const std::string& privilege, bool held) {
    return emit::function_privilege_is(f, role, privilege, held);
  }

  // CREATE FUNCTION with what its declaration says about privileges.
  static std::string create_function(const Function& f) {
    std::string privileges = emit::privileges(emit::function_privilege_target(f), f.grants, f.revoked);
    return emit::create_function(f) + (privileges.empty() ? "" : "\n" + privileges);
  }
  static std::vector<Check> function_checks(const Function& f) {
    std::vector<Check> checks = {function_exists(f)};
    for (const auto& g : f.grants) checks.push_back(function_privilege(f, g.role, "EXECUTE", true));
    for (const auto& r : f.revoked) checks.push_back(function_privilege(f, r, "", false));
    return checks;
  }
  // A function as CREATE OR REPLACE sees it: privileges and comments are apart.
  static Function definition(Function f) {
    f.doc.clear();
    f.grants.clear();
    f.revoked.clear();
    return f;
  }
  void plan_function_privileges(const Function& p, const Function& f) {
    std::string target = emit::function_privilege_target(f);
    auto check = [&](const std::string& role, const std::string& priv, bool held) {
      return function_privilege(f, role, priv, held);
    };
    std::size_t first = ops_.size();
    plan_revokes(f.name, target, p.revoked, f.revoked, function_privileges(), check);
    plan_grants(f.name, target, p.grants, f.grants, function_privileges(), check);
    for (std::size_t i = first; i < ops_.size(); ++i) ops_[i].change.detail = f.id().arguments;
  }
  // A function's change: its name as the subject, its parameter types (which tell
  // overloads apart) as the detail.
  static Change function_change(ChangeKind kind, const Function& f, model::Origin origin) {
    return change(kind, f.name, "", origin, f.id().arguments);
  }
  static model::FunctionId function_of(const Change& c) { return {c.subject, c.detail}; }

  // ---- typed changes ------------------------------------------------------------------

  static Change change(ChangeKind kind, const QualifiedName& subject, std::string member = "",
                       model::Origin origin = {}, std::string detail = "") {
    Change c;
    c.kind = kind;
    c.subject = subject;
    c.member = std::move(member);
    c.origin = origin;
    c.detail = std::move(detail);
    return c;
  }
  static Change on_existing(Change c) {
    c.on_existing_table = true;
    return c;
  }
  static Change added_column(const Table& t, const Column& c) {
    Change out = on_existing(change(ChangeKind::add_column, t.name, c.name, c.origin));
    out.column = std::make_shared<const Column>(c);
    return out;
  }
  static Change altered_column(const Table& t, const Column& old, const Column& c) {
    bool retype = !same_type(old.type, c.type);
    Change out = change(retype ? ChangeKind::alter_column_type : ChangeKind::alter_column, t.name, c.name, c.origin);
    if (retype) {
      out.from_type = std::make_shared<const model::Type>(old.type);
      out.to_type = std::make_shared<const model::Type>(c.type);
    }
    return out;
  }
  model::Origin drop_origin(const QualifiedName& table) const {
    for (const auto& d : desired_.dropped_tables)
      if (d.name == table) return d.origin;
    return {};
  }

  static Location where(const model::Origin& o) { return {o.file, o.offset, o.end}; }

  // ---- renames and archives: bring the previous state to the desired names ----------

  // Tables by name, indexed: a lookup is logarithmic, not linear. A table's name
  // changes only in rename_table_in (which updates the index) and in effective()
  // (after which the state is indexed again).
  const Table* find(const Schema& s, const QualifiedName& n) const {
    if (auto index = table_index_.find(&s); index != table_index_.end()) {
      auto it = index->second.find(n);
      return it == index->second.end() ? nullptr : it->second;
    }
    for (const auto& t : s.tables)
      if (t.name == n) return &t;
    return nullptr;
  }
  Table* find(Schema& s, const QualifiedName& n) {
    return const_cast<Table*>(static_cast<const Planner&>(*this).find(static_cast<const Schema&>(s), n));
  }
  void index_tables(const Schema& s) {
    auto& index = table_index_[&s];
    index.clear();
    for (const auto& t : s.tables) index.emplace(t.name, &t);  // the first of a name, as the linear search
  }

  // ---- renames ---------------------------------------------------------------------
  //
  // Renames are decided first (the previous state takes the desired names, so that
  // the diff compares like with like) and written last, once the diff knows which
  // constraints and indexes go: those, and every other dependent that changes, are
  // dropped under their original names before the renames run, and down re-creates
  // them only after the renames are undone.

  struct ObjectRename {
    bool index = false;  // else a constraint
    std::string from, to;
    std::string final_name;  // its name once every rename has run
  };
  struct Rename {
    QualifiedName table;      // the table (its name before this rename)
    QualifiedName to;         // a table rename: the new name (a temporary one inside a cycle)
    std::string column_from;  // a column rename: of `table`
    std::string column_to;
    QualifiedName final_table;
    std::vector<ObjectRename> objects;
    bool is_column() const { return !column_from.empty(); }
  };

  static bool find_relation(const Schema& s, const QualifiedName& n) {
    for (const auto& v : s.views)
      if (v.name == n) return true;
    for (const auto& v : s.materialized_views)
      if (v.name == n) return true;
    return false;
  }

  // The prefix PostgreSQL's default names carry: "items_" in items_pkey.
  static std::string default_prefix(const std::string& table) { return table + "_"; }

  // Renames table `t` of the previous state to `to`, with the constraints and indexes
  // whose default names follow it into `desired` (the table as the schema declares it).
  void rename_table_in(Table& t, const QualifiedName& to, const Table& desired, Rename& r) {
    std::string from_prefix = default_prefix(t.name.name), to_prefix = default_prefix(to.name),
                final_prefix = default_prefix(desired.name.name);
    auto follows = [&](const std::string& name, auto& members) {
      if (!starts_with(name, from_prefix)) return false;
      std::string final_name = final_prefix + name.substr(from_prefix.size());
      return find_named(members, final_name) != nullptr && !find_named(members, name);
    };
    auto origin_of = [&](const std::string& name) {
      auto it = origin_object_.find({t.name, name});
      return it == origin_object_.end() ? name : it->second;
    };
    std::map<std::pair<QualifiedName, std::string>, std::string> moved;
    for (auto& c : t.constraints) {
      std::string renamed = c.name;
      if (follows(c.name, desired.constraints)) {
        renamed = to_prefix + c.name.substr(from_prefix.size());
        r.objects.push_back({false, c.name, renamed, final_prefix + c.name.substr(from_prefix.size())});
      }
      moved[{to, renamed}] = origin_of(c.name);
      c.name = renamed;
    }
    for (auto& ix : t.indexes) {
      std::string renamed = ix.name;
      if (follows(ix.name, desired.indexes)) {
        renamed = to_prefix + ix.name.substr(from_prefix.size());
        r.objects.push_back({true, ix.name, renamed, final_prefix + ix.name.substr(from_prefix.size())});
      }
      moved[{to, renamed}] = origin_of(ix.name);
      ix.name = renamed;
    }
    std::erase_if(origin_object_, [&](const auto& e) { return e.first.first == t.name; });
    // Its partitions stay partitions of it (they keep their own names).
    for (auto& p : prev_.partitions)
      if (p.parent == t.name) p.parent = to;
    std::map<std::pair<QualifiedName, std::string>, std::string> columns;
    for (auto it = origin_column_.begin(); it != origin_column_.end();)
      if (it->first.first == t.name) {
        columns[{to, it->first.second}] = it->second;
        it = origin_column_.erase(it);
      } else {
        ++it;
      }
    origin_column_.insert(columns.begin(), columns.end());
    for (auto& [key, origin] : moved)
      if (key.second != origin) origin_object_[key] = origin;
    auto o = origin_table_.find(t.name);
    QualifiedName origin = o == origin_table_.end() ? t.name : o->second;
    if (o != origin_table_.end()) origin_table_.erase(o);
    origin_table_[to] = origin;
    QualifiedName old_name = t.name;
    t.name = to;
    if (auto index = table_index_.find(&prev_); index != table_index_.end()) {
      if (auto it = index->second.find(old_name); it != index->second.end() && it->second == &t)
        index->second.erase(it);
      index->second.insert_or_assign(to, &t);
    }
    for (auto& other : prev_.tables)
      for (auto& c : other.constraints)
        if (c.kind == ConstraintKind::foreign_key && c.ref_table == old_name) c.ref_table = to;
  }

  // Every `was` the previous state can satisfy. A target name may be taken in the
  // previous state only by a table that is itself renamed away (swaps, chains);
  // renames whose target is free run first, and a cycle goes through a temporary name.
  void apply_renames() {
    struct Wanted {
      QualifiedName from, to;
      const Table* desired;
    };
    std::vector<Wanted> wanted;
    for (const auto& d : desired_.tables) {
      if (d.is_extern || !d.was || *d.was == d.name) continue;
      if (!find(prev_, *d.was)) {
        if (!find(prev_, d.name))
          diags_.warning(where(d.origin), "'was " + d.was->display() + "': the previous state has no table " +
                                              d.was->display() + " (the hint is ignored)");
        continue;
      }
      wanted.push_back({*d.was, d.name, &d});
    }
    // A rename into a name that stays taken is a hint left from an earlier migration.
    for (bool changed = true; changed;) {
      changed = false;
      std::set<QualifiedName> vacated;
      for (const auto& w : wanted) vacated.insert(w.from);
      for (auto it = wanted.begin(); it != wanted.end(); ++it)
        if (find(prev_, it->to) && !vacated.count(it->to)) {
          wanted.erase(it);
          changed = true;
          break;
        }
    }
    std::set<QualifiedName> sources;
    for (const auto& w : wanted)
      if (!sources.insert(w.from).second)
        diags_.error(where(w.desired->origin), "two tables say 'was " + w.from.display() + "'");
    if (diags_.has_errors()) return;
    while (!wanted.empty()) {
      auto ready = std::find_if(wanted.begin(), wanted.end(), [&](const Wanted& w) { return !find(prev_, w.to); });
      if (ready == wanted.end()) {  // a cycle: the first source steps aside
        Wanted& w = wanted.front();
        QualifiedName temporary{w.from.schema, names::make_object_name(w.from.name, "", "schemac_swap")};
        Rename r{w.from, temporary, "", "", w.to, {}};
        rename_table_in(*find(prev_, w.from), temporary, *w.desired, r);
        renames_.push_back(r);
        w.from = temporary;
        continue;
      }
      Rename r{ready->from, ready->to, "", "", ready->to, {}};
      rename_table_in(*find(prev_, ready->from), ready->to, *ready->desired, r);
      renames_.push_back(r);
      wanted.erase(ready);
    }
    // Columns, table by table, the same way.
    for (const auto& d : desired_.tables) {
      if (d.is_extern) continue;
      Table* p = find(prev_, d.name);
      if (!p) continue;
      std::vector<std::pair<std::string, std::string>> columns;  // from, to
      for (const auto& c : d.columns) {
        if (!c.was || *c.was == c.name) continue;
        if (!p->find_column(*c.was)) {
          if (!p->find_column(c.name))
            diags_.warning(where(c.origin), "'was " + *c.was + "': the previous state of " + d.name.display() +
                                                " has no column " + *c.was + " (the hint is ignored)");
          continue;
        }
        columns.push_back({*c.was, c.name});
      }
      for (bool changed = true; changed;) {
        changed = false;
        for (auto it = columns.begin(); it != columns.end(); ++it) {
          bool vacated = std::any_of(columns.begin(), columns.end(), [&](auto& x) { return x.first == it->second; });
          if (p->find_column(it->second) && !vacated) {
            columns.erase(it);
            changed = true;
            break;
          }
        }
      }
      while (!columns.empty()) {
        auto ready = std::find_if(columns.begin(), columns.end(), [&](auto& x) { return !p->find_column(x.second); });
        if (ready == columns.end()) {
          auto& x = columns.front();
          std::string temporary = names::make_object_name(x.first, "", "schemac_swap");
          rename_column_of(*p, x.first, temporary);
          renames_.push_back({p->name, {}, x.first, temporary, p->name, {}});
          x.first = temporary;
          continue;
        }
        rename_column_of(*p, ready->first, ready->second);
        renames_.push_back({p->name, {}, ready->first, ready->second, p->name, {}});
        columns.erase(ready);
      }
    }
  }

  // The statements that rename an identity column's sequence from the name PostgreSQL
  // gave it (table_column_seq) to the one it gives after the rename, and back. IF
  // EXISTS: a sequence that took another name when it was made keeps it.
  static std::pair<std::string, std::string> rename_sequence(const std::string& schema, const std::string& table,
                                                             const std::string& column, const std::string& new_table,
                                                             const std::string& new_column) {
    std::string from = names::make_object_name(table, column, "seq"),
                to = names::make_object_name(new_table, new_column, "seq");
    return {emit::rename_sequence_if_exists(QualifiedName{schema, from}, to),
            emit::rename_sequence_if_exists(QualifiedName{schema, to}, from)};
  }

  // Constraints and indexes whose definition stays but whose name changes (a default
  // name that follows a renamed column, a name the schema changed) are renamed, not
  // built again: a unique key keeps its index, and what references it stays valid.
  void match_renamed_members() {
    for (auto& p : prev_.tables) {
      const Table* d = find(want_, p.name);
      if (!d || d->is_extern || p.is_extern || d->archived_as || p.archived_as) continue;
      Rename r{p.name, p.name, "", "", p.name, {}};
      auto unnamed = [](auto x) {
        x.name.clear();
        x.named = false;
        x.doc.clear();
        return x;
      };
      auto match = [&](auto& before, const auto& after, bool index) {
        for (auto& x : before) {
          if (find_named(after, x.name)) continue;
          for (const auto& y : after)
            if (!find_named(before, y.name) && unnamed(x) == unnamed(y)) {
              auto origin = origin_object_.find({p.name, x.name});
              origin_object_[{p.name, y.name}] = origin == origin_object_.end() ? x.name : origin->second;
              r.objects.push_back({index, x.name, y.name, y.name});
              x.name = y.name;
              break;
            }
        }
      };
      match(p.constraints, d->constraints, false);
      match(p.indexes, d->indexes, true);
      if (!r.objects.empty()) renames_.push_back(r);
    }
  }

  // The renames as operations, less the constraints and indexes that are dropped
  // before them.
  void add_renames() {
    // Archives undone: less the constraints and indexes dropped before (under the
    // archived names) and created again after.
    for (const auto& undone : unarchived_) {
      Table table = undone.first;
      const QualifiedName name = table.name;
      std::erase_if(table.constraints, [&](const Constraint& c) {
        return dropped_first_.count({name, "constraint:" + c.name});
      });
      std::erase_if(table.indexes, [&](const Index& ix) { return dropped_first_.count({name, "index:" + ix.name}); });
      add_archive_ops(table, undone.second, Step::rename, true);
    }
    for (const auto& r : renames_) {
      if (r.is_column()) {
        if (dropped_first_.count({r.final_table, "column:" + r.column_to})) continue;  // added again
        // The old name may be taken again (a swap): only a name nothing takes must be gone.
        bool retaken = want_.find_table(r.table) && want_.find_table(r.table)->find_column(r.column_from);
        std::vector<Check> verify;
        if (!retaken) verify.push_back(column_gone(r.table, r.column_from));
        std::string up = emit::rename_column(r.table, r.column_from, r.column_to);
        std::string down = emit::rename_column(r.table, r.column_to, r.column_from);
        const Table* t = find(prev_, r.table);
        if (const Column* c = t ? t->find_column(r.column_to) : nullptr; c && (c->identity || c->serial)) {
          auto [seq_up, seq_down] =
              rename_sequence(r.table.schema, r.table.name, r.column_from, r.table.name, r.column_to);
          up += "\n" + seq_up;
          down = seq_down + "\n" + down;
        }
        add(Step::rename, up, down, verify).change =
            change(ChangeKind::rename_column, r.table, r.column_to, {}, r.column_from);
        continue;
      }
      std::vector<std::string> up, down;
      if (r.table.schema != r.to.schema) {
        up.push_back(emit::set_table_schema(r.table, r.to.schema));
        down.push_back(emit::set_table_schema(QualifiedName{r.to.schema, r.table.name}, r.table.schema));
      }
      if (r.table.name != r.to.name) {
        up.push_back(emit::rename_table(QualifiedName{r.to.schema, r.table.name}, r.to.name));
        down.push_back(emit::rename_table(r.to, r.table.name));
        // Identity sequences take the name a fresh build would give them.
        if (const Table* t = find(prev_, r.final_table))
          for (const auto& c : original(*t).columns)
            if (c.identity || c.serial) {
              auto [seq_up, seq_down] = rename_sequence(r.to.schema, r.table.name, c.name, r.to.name, c.name);
              up.push_back(seq_up);
              down.push_back(seq_down);
            }
      }
      for (const auto& o : r.objects) {
        if (dropped_first_.count({r.final_table, (o.index ? "index:" : "constraint:") + o.final_name})) continue;
        if (o.index) {
          up.push_back(emit::rename_index(QualifiedName{r.to.schema, o.from}, o.to));
          down.push_back(emit::rename_index(QualifiedName{r.to.schema, o.to}, o.from));
        } else {
          up.push_back(emit::rename_constraint(r.to, o.from, o.to));
          down.push_back(emit::rename_constraint(r.to, o.to, o.from));
        }
      }
      std::reverse(down.begin(), down.end());
      std::vector<Check> verify;
      if (r.to == r.final_table) verify.push_back(relation_exists(r.to, "table"));
      if (!want_.find_table(r.table) && !find_relation(want_, r.table))
        verify.push_back(relation_gone(r.table, "renamed table"));
      Change renamed = change(r.table == r.to ? ChangeKind::rename_members : ChangeKind::rename_table, r.final_table);
      if (r.table != r.to) renamed.previous_name = r.table;
      add(Step::rename, join(up, "\n"), join(down, "\n"), verify).change = renamed;
    }
  }

  // Renames a column of the previous state, remembering its original name.
  void rename_column_of(Table& t, const std::string& from, const std::string& to) {
    auto it = origin_column_.find({t.name, from});
    std::string origin = it == origin_column_.end() ? from : it->second;
    if (it != origin_column_.end()) origin_column_.erase(it);
    origin_column_[{t.name, to}] = origin;
    rename_column_in(prev_, t, from, to);
  }

  static void rename_column_in(Schema& s, Table& t, const std::string& from, const std::string& to) {
    auto swap = [&](std::string& name) {
      if (name == from) name = to;
    };
    for (auto& c : t.columns) swap(c.name);
    for (auto& c : t.constraints) {
      for (auto& col : c.columns) swap(col);
      for (auto& e : c.elements) swap(e.column);  // an exclusion's
    }
    if (t.partition_by)
      for (auto& e : t.partition_by->keys) swap(e.column);
    if (t.distribution) swap(t.distribution->column);
    for (auto& ix : t.indexes) {
      for (auto& e : ix.elements) swap(e.column);
      for (auto& col : ix.include) swap(col);
    }
    for (auto& tr : t.triggers)
      for (auto& e : tr.events)
        for (auto& col : e.columns) swap(col);
    for (auto& other : s.tables)
      for (auto& c : other.constraints)
        if (c.kind == ConstraintKind::foreign_key && c.ref_table == t.name)
          for (auto& col : c.ref_columns) swap(col);
  }

  // A table archived in this migration: the archive runs as a contraction (after the
  // data steps, which may still read the table under its name). Until then both
  // states describe it unarchived; an archive undone by the schema runs the inverse.
  void apply_archive_transitions() {
    for (auto& d : want_.tables) {
      Table* p = find(prev_, d.name);
      if (!p && d.archived_as) {  // created and archived in one go: created first, archived last
        archived_now_.insert(d.live_name());
        archived_name_[d.name] = d.live_name();
        add_archive_ops(d, *d.archived_as, Step::archive, false);
        d.archived_as.reset();
        continue;
      }
      if (!p || p->archived_as == d.archived_as) continue;
      if (d.archived_as && !p->archived_as) {
        archived_now_.insert(d.live_name());
        archived_name_[d.name] = d.live_name();
        add_archive_ops(*p, *d.archived_as, Step::archive, false);
        d.archived_as.reset();
      } else if (!d.archived_as && p->archived_as) {
        // Until the archive is undone, the database has the table and the names that
        // followed it under the archived name: dependents dropped first use those.
        std::string from = p->name.name, to = *p->archived_as;
        origin_table_[p->name] = p->live_name();
        for (const auto& c : p->constraints)
          if (starts_with(c.name, from)) origin_object_[{p->name, c.name}] = to + c.name.substr(from.size());
        for (const auto& ix : p->indexes)
          if (starts_with(ix.name, from)) origin_object_[{p->name, ix.name}] = to + ix.name.substr(from.size());
        unarchived_.push_back({*p, *p->archived_as});  // written with the renames
        p->archived_as.reset();
      }
    }
  }

  // The archive of table `t` as `to` (or, `reverse`, its undoing) as operations.
  void add_archive_ops(const Table& t, const std::string& to, Step step, bool reverse) {
    QualifiedName live{t.name.schema, to};
    std::vector<std::pair<std::string, std::string>> forward, backward;  // up, down statement pairs in up order
    forward.push_back({emit::rename_table(t.name, to), emit::rename_table(live, t.name.name)});
    for (const auto& c : t.constraints)
      if (starts_with(c.name, t.name.name)) {
        std::string renamed = to + c.name.substr(t.name.name.size());
        forward.push_back(
            {emit::rename_constraint(live, c.name, renamed), emit::rename_constraint(live, renamed, c.name)});
      }
    for (const auto& ix : t.indexes)
      if (starts_with(ix.name, t.name.name)) {
        std::string renamed = to + ix.name.substr(t.name.name.size());
        forward.push_back({emit::rename_index(QualifiedName{live.schema, ix.name}, renamed),
                           emit::rename_index(QualifiedName{live.schema, renamed}, ix.name)});
      }
    for (const auto& g : t.grants) forward.push_back({emit::revoke(live, g), emit::grant(live, g)});
    std::string comment = "archived (was " + t.name.name + ")";
    if (!t.doc.empty()) comment += "\n" + emit::doc_text(t.doc);
    forward.push_back(
        {emit::comment_on_text(emit::table_target(live), comment), emit::comment_on(emit::table_target(live), t.doc)});
    std::string up, down;
    if (!reverse) {
      for (const auto& [u, d] : forward) up += (up.empty() ? "" : "\n") + u;
      for (auto it = forward.rbegin(); it != forward.rend(); ++it) down += (down.empty() ? "" : "\n") + it->second;
      add(step, up, down, {relation_exists(live, "archived table"), relation_gone(t.name, "archived table's original")})
          .change = change(ChangeKind::archive_table, t.name, "", t.origin, to);
    } else {
      for (auto it = forward.rbegin(); it != forward.rend(); ++it) up += (up.empty() ? "" : "\n") + it->second;
      for (const auto& [u, d] : forward) down += (down.empty() ? "" : "\n") + u;
      add(step, up, down, {relation_exists(t.name, "table"), relation_gone(live, "archive")}).change =
          change(ChangeKind::unarchive_table, t.name, "", t.origin, to);
    }
  }

  // The state as the database holds it: archived tables under their new names,
  // with renamed constraints and indexes, no grants and the archive comment.
  static void effective(Schema& s) {
    std::map<QualifiedName, QualifiedName> moved;
    for (auto& t : s.tables) {
      if (!t.archived_as) continue;
      std::string from = t.name.name, to = *t.archived_as;
      for (auto& c : t.constraints)
        if (starts_with(c.name, from)) c.name = to + c.name.substr(from.size());
      for (auto& ix : t.indexes)
        if (starts_with(ix.name, from)) ix.name = to + ix.name.substr(from.size());
      t.grants.clear();
      model::Doc doc = {"archived (was " + from + ")"};
      doc.insert(doc.end(), t.doc.begin(), t.doc.end());
      t.doc = doc;
      moved[t.name] = {t.name.schema, to};
      t.name.name = to;
      t.archived_as.reset();
    }
    for (auto& t : s.tables)
      for (auto& c : t.constraints)
        if (auto it = moved.find(c.ref_table); it != moved.end()) c.ref_table = it->second;
  }

  // ---- destructive changes must be confirmed -------------------------------------------

  void check_removals() {
    std::set<QualifiedName> confirmed;
    for (const auto& d : desired_.dropped_tables) confirmed.insert(d.name);
    for (const auto& p : prev_.tables) {
      if (p.is_extern) continue;
      const Table* d = find(want_, p.name);
      if (!d) {
        if (!confirmed.count(p.name)) {
          refused_.push_back(change(ChangeKind::drop_table, p.name, "", p.origin));
          diags_.error({}, "table " + p.name.display() +
                               " is no longer declared: dropping it would delete all its rows. "
                               "Write 'drop table " +
                               p.name.display() + "' to confirm, or 'archive table " + p.name.display() +
                               " as NEW_NAME' to keep its data");
        }
        continue;
      }
      if (d->is_extern) continue;
      const Table* declared = find(desired_, p.name);
      for (const auto& c : p.columns) {
        const Column* now = d->find_column(c.name);
        if (!now) {
          bool ok = declared && std::find(declared->dropped_columns.begin(), declared->dropped_columns.end(), c.name) !=
                                    declared->dropped_columns.end();
          if (!ok) {
            refused_.push_back(change(ChangeKind::drop_column, p.name, c.name, d->origin));
            diags_.error(where(d->origin), "column " + p.name.display() + "." + c.name +
                                               " is no longer declared: dropping it would delete its data. Write "
                                               "'drop column " +
                                               c.name + "' in the table to confirm");
          }
          continue;
        }
        // A domain converts as its base type does (its checks then hold or the
        // migration stops, as for a new check).
        if (same_type(c.type, now->type)) continue;
        if (auto why =
                model::narrowing(model::without_domains(c.type, prev_), model::without_domains(now->type, want_))) {
          refused_.push_back(altered_column(p, c, *now));
          diags_.error(where(now->origin), "changing " + p.name.display() + "." + c.name + " from " + c.type.sql() +
                                               " to " + now->type.sql() + " " + *why +
                                               " and can lose data; keep the type, or add a new column and copy "
                                               "the data with a data step");
        }
      }
    }
  }

  // ---- extensions, schemas, enums, functions ---------------------------------------------

  void plan_extensions_and_schemas() {
    std::map<std::string, std::string> before;  // name -> schema
    std::set<std::string> after;
    for (const auto& e : prev_.extensions) before[e.name] = e.schema;
    for (const auto& e : want_.extensions) {
      after.insert(e.name);
      auto it = before.find(e.name);
      if (it == before.end()) {
        // It stays in down (what the migrations do not manage may use it), unless the
        // schema it goes into is new: that schema goes in down, and takes it along.
        auto declared = [&](const Schema& s) {
          return std::any_of(s.schemas.begin(), s.schemas.end(), [&](const auto& x) { return x.name == e.schema; });
        };
        bool new_schema = !e.schema.empty() && declared(want_) && !declared(prev_);
        add(Step::extension, emit::create_extension(e),
            new_schema ? "DROP EXTENSION " + names::quote(e.name) + ";"
                       : "-- extension " + e.name + " stays: it may be shared with what the migrations do not manage",
            {emit::extension_exists(e.name)});
      } else if (!e.schema.empty() && it->second != e.schema && !(it->second.empty() && e.schema == "public")) {
        // Its objects move (what uses them follows by OID). No schema declared: it
        // stays wherever it is.
        auto set_schema = [&](const std::string& schema) {
          return "ALTER EXTENSION " + names::quote(e.name) + " SET SCHEMA " +
                 names::quote(schema.empty() ? "public" : schema) + ";";
        };
        add(Step::extension, set_schema(e.schema), set_schema(it->second), {emit::extension_exists(e.name)});
      }
    }
    for (const auto& e : prev_.extensions)
      if (!after.count(e.name))
        notes_.push_back("extension " + e.name + " is no longer declared; it is left installed");
    std::map<std::string, const model::NamedObject*> old_schemas;
    for (const auto& s : prev_.schemas) old_schemas[s.name] = &s;
    for (const auto& s : want_.schemas) {
      auto it = old_schemas.find(s.name);
      std::string target = emit::schema_privilege_target(s.name);
      auto check = [&](const std::string& role, const std::string& priv, bool held) {
        return emit::schema_privilege_is(s.name, role, priv, held);
      };
      if (it == old_schemas.end()) {
        std::vector<Check> checks = {emit::schema_exists(s.name)};
        for (const auto& g : s.grants)
          for (const auto& priv : privilege_set(g, schema_privileges())) checks.push_back(check(g.role, priv, true));
        for (const auto& r : s.revoked) checks.push_back(check(r, "", false));
        add(Step::schema, create_schema(s), emit::drop_schema(s.name), checks);
        comment(emit::schema_target(s.name), {}, s.doc, true);
      } else {
        comment(emit::schema_target(s.name), it->second->doc, s.doc, false);
        plan_revokes({s.name, ""}, target, it->second->revoked, s.revoked, {}, check);
        plan_grants({s.name, ""}, target, it->second->grants, s.grants, schema_privileges(), check);
        old_schemas.erase(it);
      }
    }
    for (const auto& [name, s] : old_schemas) {
      add(Step::drop_schema, emit::drop_schema(name), create_schema(*s), {emit::schema_gone(name)});
      comment(emit::schema_target(name), s->doc, {}, false, true);
    }
  }

  static std::string create_schema(const model::NamedObject& s) {
    std::string privileges = emit::privileges(emit::schema_privilege_target(s.name), s.grants, s.revoked);
    return emit::create_schema(s) + (privileges.empty() ? "" : "\n" + privileges);
  }

  // COMMENT ON target: from `before` to `after`. `fresh`: the object is new (its
  // down is its drop, which takes the comment along). `going`: it is dropped later in
  // up, so up need not clear it, but down restores it after re-creating the object.
  void comment(const std::string& target, const model::Doc& before, const model::Doc& after, bool fresh,
               bool going = false) {
    if (before == after) return;
    std::string up = going ? "" : emit::comment_on(target, after);
    std::string down = fresh ? "" : emit::comment_on(target, before);
    add(Step::comment, up, down);
  }

  void plan_enums() {
    std::map<QualifiedName, const model::Enum*> old;
    for (const auto& e : prev_.enums) old[e.name] = &e;
    for (const auto& e : want_.enums) {
      auto it = old.find(e.name);
      if (it == old.end()) {
        add(Step::enum_type, emit::create_enum(e), emit::drop_type(e.name), {emit::type_exists(e.name)}).change =
            change(ChangeKind::create_enum, e.name, "", e.origin);
        comment(emit::type_target(e.name), {}, e.doc, true);
        continue;
      }
      const model::Enum& p = *it->second;
      old.erase(it);
      comment(emit::type_target(e.name), p.doc, e.doc, false);
      if (p.values == e.values) continue;
      // Only additions, in an order that keeps the old values' order.
      std::vector<std::string> kept;
      for (const auto& v : e.values)
        if (std::find(p.values.begin(), p.values.end(), v) != p.values.end()) kept.push_back(v);
      if (kept != p.values) {
        Change removed = change(ChangeKind::remove_enum_values, e.name, "", e.origin);
        for (const auto& v : p.values)
          if (std::find(e.values.begin(), e.values.end(), v) == e.values.end()) removed.values.push_back(v);
        refused_.push_back(removed);
        diags_.error(where(e.origin), "enum " + e.name.display() +
                                          ": values can only be added; removing or reordering values would need "
                                          "every row that uses them rewritten");
        continue;
      }
      std::string up;
      std::vector<Check> verify;
      for (std::size_t i = 0; i < e.values.size(); ++i) {
        const auto& v = e.values[i];
        if (std::find(p.values.begin(), p.values.end(), v) != p.values.end()) continue;
        // Going forward, the value before is always there already (old or just added).
        std::string statement = i > 0              ? emit::add_enum_value(e.name, v, &e.values[i - 1], nullptr)
                                : p.values.empty() ? emit::add_enum_value(e.name, v, nullptr, nullptr)
                                                   : emit::add_enum_value(e.name, v, nullptr, &p.values.front());
        up += (up.empty() ? "" : "\n") + statement;
        verify.push_back(emit::enum_value_exists(e.name, v));
      }
      Change added = change(ChangeKind::add_enum_values, e.name, "", e.origin);
      for (const auto& v : e.values)
        if (std::find(p.values.begin(), p.values.end(), v) == p.values.end()) added.values.push_back(v);
      add(Step::enum_value, up, recreate_enum(p), verify).change = added;
      recreated_enums_.insert(e.name);
      // Down re-creates the type to remove the value; a domain or a composite type
      // made of it would have to be re-created too, which down does not do.
      for (const auto& d : prev_.domains)
        if (d.base.named_type == e.name)
          diags_.error(where(e.origin), "enum " + e.name.display() + " gains a value while domain " + d.name.display() +
                                            " is over it: down could not take the value away again (not supported "
                                            "yet); declare a new enum instead");
      for (const auto& c : prev_.composite_types)
        for (const auto& f : c.fields)
          if (f.type.named_type == e.name)
            diags_.error(where(e.origin), "enum " + e.name.display() + " gains a value while composite type " +
                                              c.name.display() +
                                              " holds it: down could not take the value away "
                                              "again (not supported yet); declare a new enum instead");
    }
    plan_domains_and_composite_types();
    plan_sequences();
    plan_default_privileges();
    // Dropped last: domains and composite types may be over an enum.
    for (const auto& [name, e] : old) {
      add(Step::drop_enum, emit::drop_type(name), emit::create_enum(*e), {emit::type_gone(name)}).change =
          change(ChangeKind::drop_enum, name);
      comment(emit::type_target(name), e->doc, {}, false, true);
    }
  }

  // Domains and composite types of a state, each after the ones it is made of.
  struct DeclaredType {
    const model::Domain* domain = nullptr;
    const model::CompositeType* composite = nullptr;
    const QualifiedName& name() const { return domain ? domain->name : composite->name; }
  };
  static std::vector<DeclaredType> types_in_order(const Schema& s) {
    std::map<QualifiedName, DeclaredType> all;
    for (const auto& d : s.domains) all[d.name].domain = &d;
    for (const auto& c : s.composite_types) all[c.name].composite = &c;
    std::vector<DeclaredType> out;
    std::set<QualifiedName> done, visiting;
    std::function<void(const QualifiedName&)> visit = [&](const QualifiedName& n) {
      auto it = all.find(n);
      if (it == all.end() || done.count(n) || !visiting.insert(n).second) return;  // a cycle was reported by check
      std::vector<const model::Type*> parts;
      if (it->second.domain) parts.push_back(&it->second.domain->base);
      if (it->second.composite)
        for (const auto& f : it->second.composite->fields) parts.push_back(&f.type);
      for (const auto* t : parts)
        if (t->named_type) visit(*t->named_type);
      done.insert(n);
      out.push_back(it->second);
    };
    for (const auto& [n, t] : all) visit(n);
    return out;
  }

  // Whether a column holds values of `type`: directly, as an array, or through a
  // domain or a composite type made of it.
  static bool used_by_a_column(const Schema& s, const QualifiedName& type) {
    std::set<QualifiedName> holders = {type};
    for (bool grew = true; grew;) {
      grew = false;
      auto holds = [&](const model::Type& t) { return t.named_type && holders.count(*t.named_type); };
      for (const auto& d : s.domains)
        if (holds(d.base) && holders.insert(d.name).second) grew = true;
      for (const auto& c : s.composite_types)
        for (const auto& f : c.fields)
          if (holds(f.type) && holders.insert(c.name).second) grew = true;
    }
    for (const auto& t : s.tables)
      for (const auto& c : t.columns)
        if (c.type.named_type && holders.count(*c.type.named_type)) return true;
    return false;
  }

  void plan_domains_and_composite_types() {
    std::map<QualifiedName, const model::Domain*> old_domains;
    std::map<QualifiedName, const model::CompositeType*> old_composites;
    for (const auto& d : prev_.domains) old_domains[d.name] = &d;
    for (const auto& c : prev_.composite_types) old_composites[c.name] = &c;
    for (const auto& t : types_in_order(want_)) {
      if (t.domain) {
        const model::Domain& d = *t.domain;
        auto it = old_domains.find(d.name);
        if (it == old_domains.end()) {
          add(Step::enum_type, emit::create_domain(d), emit::drop_domain(d.name), {emit::type_exists(d.name)}).change =
              change(ChangeKind::create_type, d.name, "", d.origin, "domain");
          comment(emit::domain_target(d.name), {}, d.doc, true);
          continue;
        }
        const model::Domain& p = *it->second;
        old_domains.erase(it);
        plan_domain_change(p, d);
        continue;
      }
      const model::CompositeType& c = *t.composite;
      auto it = old_composites.find(c.name);
      if (it == old_composites.end()) {
        add(Step::enum_type, emit::create_composite_type(c), emit::drop_type(c.name), {emit::type_exists(c.name)})
            .change = change(ChangeKind::create_type, c.name, "", c.origin, "composite type");
        comment(emit::type_target(c.name), {}, c.doc, true);
        for (const auto& f : c.fields) comment(field_target(c.name, f.name), {}, f.doc, true);
        continue;
      }
      const model::CompositeType& p = *it->second;
      old_composites.erase(it);
      plan_composite_change(p, c);
    }
    auto order = types_in_order(prev_);
    for (auto t = order.rbegin(); t != order.rend(); ++t) {
      const QualifiedName& name = t->name();
      if (t->domain && old_domains.count(name)) {
        add(Step::drop_enum, emit::drop_domain(name), emit::create_domain(*t->domain), {emit::type_gone(name)}).change =
            change(ChangeKind::drop_type, name, "", {}, "domain");
        comment(emit::domain_target(name), t->domain->doc, {}, false, true);
      } else if (t->composite && old_composites.count(name)) {
        add(Step::drop_enum, emit::drop_type(name), emit::create_composite_type(*t->composite), {emit::type_gone(name)})
            .change = change(ChangeKind::drop_type, name, "", {}, "composite type");
        comment(emit::type_target(name), t->composite->doc, {}, false, true);
        for (const auto& f : t->composite->fields) comment(field_target(name, f.name), f.doc, {}, false, true);
      }
    }
  }

  // ---- sequences ----------------------------------------------------------------------
  //
  // Created before the tables whose defaults call them, owned by their column once it
  // exists; a change of options keeps the current value. A dropped sequence lets go
  // of its column first (so that a dropped table does not take it along) and is
  // dropped after the tables.
  static std::string create_sequence(const model::Sequence& s) {
    std::string privileges = emit::privileges("SEQUENCE " + s.name.sql(), s.grants);
    return emit::create_sequence(s) + (privileges.empty() ? "" : "\n" + privileges);
  }
  static model::Sequence sequence_options(model::Sequence s) {
    s.owned_by.reset();
    s.grants.clear();
    s.doc.clear();
    return s;
  }
  void plan_sequences() {
    std::map<QualifiedName, const model::Sequence*> old;
    for (const auto& s : prev_.sequences) old[s.name] = &s;
    for (const auto& s : want_.sequences) {
      auto check = [&](const std::string& role, const std::string& priv, bool held) {
        return emit::privilege_is(s.name, role, priv, held);
      };
      auto it = old.find(s.name);
      const model::Sequence* p = it == old.end() ? nullptr : it->second;
      if (!p) {
        std::vector<Check> checks = {emit::relation_exists(s.name, "sequence")};
        for (const auto& g : s.grants)
          for (const auto& priv : privilege_set(g, model::sequence_privileges()))
            checks.push_back(check(g.role, priv, true));
        add(Step::sequence, create_sequence(s), emit::drop_sequence(s.name), checks).change =
            change(ChangeKind::create_sequence, s.name, "", s.origin);
        comment(emit::sequence_target(s.name), {}, s.doc, true);
      } else {
        old.erase(it);
        if (!(sequence_options(*p) == sequence_options(s)))
          add(Step::sequence, emit::alter_sequence(s), emit::alter_sequence(*p)).change =
              change(ChangeKind::alter_sequence, s.name, "", s.origin);
        comment(emit::sequence_target(s.name), p->doc, s.doc, false);
        plan_grants(s.name, "SEQUENCE " + s.name.sql(), p->grants, s.grants, model::sequence_privileges(), check);
      }
      if (p && p->owned_by == s.owned_by) continue;
      model::Sequence none = s;
      none.owned_by.reset();
      if (p && p->owned_by) {  // let go early: the old owner may go in this migration
        add(Step::drop_sequence_owner, emit::sequence_owner(none), emit::sequence_owner(*p));
      }
      if (s.owned_by) add(Step::sequence_owner, emit::sequence_owner(s), emit::sequence_owner(none));
    }
    for (const auto& [name, s] : old) {
      model::Sequence none = *s;
      none.owned_by.reset();
      if (s->owned_by) add(Step::drop_sequence_owner, emit::sequence_owner(none), emit::sequence_owner(*s));
      add(Step::drop_sequence, emit::drop_sequence(name), create_sequence(*s), {emit::relation_gone(name, "sequence")})
          .change = change(ChangeKind::drop_sequence, name);
      comment(emit::sequence_target(name), s->doc, {}, false, true);
      notes_.push_back("sequence " + name.display() + " is dropped: down creates it again at its start value");
    }
  }

  // ---- partitions -----------------------------------------------------------------------
  //
  // Created of their parent after the tables; a changed bound detaches and attaches
  // again (PostgreSQL checks the rows against it); a confirmed drop detaches the
  // partition and moves it, rows and all, into the retention schema, from where down
  // attaches it again. A table cannot become partitioned or stop being so, nor change
  // its partition key, in place.
  void plan_partitions() {
    std::set<QualifiedName> confirmed;
    for (const auto& d : desired_.dropped_tables) confirmed.insert(d.name);
    for (const auto& p : prev_.tables) {
      const Table* t = find(want_, p.name);
      if (!t || t->is_extern || p.is_extern || p.partition_by == t->partition_by) continue;
      refused_.push_back(change(ChangeKind::other, p.name, "partition key", t->origin));
      diags_.error(where(t->origin), "table " + t->name.display() + ": " +
                                         (!p.partition_by    ? std::string("a table cannot become partitioned in place")
                                          : !t->partition_by ? std::string("a partitioned table cannot stop being so")
                                                             : std::string("its partition key cannot change")) +
                                         "; declare a new table and move the rows with a data step");
    }
    for (const auto& p : prev_.tables) {
      const Table* t = find(want_, p.name);
      if (!t || !t->partition_by || !p.partition_by) continue;
      for (const auto& k : t->partition_by->keys) {
        const Column* before = p.find_column(k.column);
        const Column* now = t->find_column(k.column);
        if (before && now && !(before->type == now->type))
          diags_.error(where(now->origin), "column " + t->name.display() + "." + k.column +
                                               " is in the partition key: PostgreSQL cannot change its type");
      }
    }
    // Detached first (their bound may be what a new partition takes), created, then
    // attached again with their new bound; dropped ones are moved away last (data
    // steps may still read them). Down undoes it in the reverse order.
    std::map<QualifiedName, const model::Partition*> old;
    for (const auto& p : prev_.partitions) old[p.name] = &p;
    for (const auto& p : want_.partitions) {
      auto it = old.find(p.name);
      if (it == old.end()) {
        // Down detaches it and keeps it when rows were written to it after up.
        const Table* parent = find(want_, p.parent);
        bool keeps = parent && keeps_partitions(*parent) && !migration_.empty();
        std::string down =
            keeps ? emit::detach_partition(p) + "\n" + (citus_ ? emit::make_local(p.name) + "\n" : std::string()) +
                        emit::retain_table(p.name, {emit::retention_schema, retained_name(p.name, "down")},
                                           std::string(migration_file::kept_by_down_note) + "rows of partition " +
                                               p.name.display() + " written after migration " + migration_ +
                                               " created it",
                                           true)
                  : emit::drop_table(p.name);
        Op& op = add(Step::partition, create_partition(p), down, {emit::relation_exists(p.name, "partition")});
        op.change = change(ChangeKind::create_table, p.name, "", p.origin, "partition");
        op.down_retains = keeps;
        comment(emit::table_target(p.name), {}, p.doc, true);
        continue;
      }
      const model::Partition& q = *it->second;
      old.erase(it);
      comment(emit::table_target(p.name), q.doc, p.doc, false);
      if (q.parent != p.parent) {
        refused_.push_back(change(ChangeKind::other, p.name, "parent", p.origin));
        diags_.error(where(p.origin), "partition " + p.name.display() + " cannot move to another table");
        continue;
      }
      if (q.bound_sql() == p.bound_sql()) continue;
      add(Step::detach_partition, emit::detach_partition(q), emit::attach_partition(q)).change =
          change(ChangeKind::other, p.name, "bound", p.origin);
      add(Step::partition, emit::attach_partition(p), emit::detach_partition(p)).change =
          change(ChangeKind::other, p.name, "bound", p.origin);
    }
    for (const auto& [name, q] : old) {
      if (!find(want_, q->parent)) {
        const Table* parent = find(prev_, q->parent);
        // Kept with its table (drop_table), in the order dropped tables go.
        if (parent && confirmed.count(parent->name) && keeps_partitions(*parent)) continue;
        // Its table goes and takes it along; down re-creates it after the table.
        add(Step::drop_column, "", create_partition(*q) + comment_sql(emit::table_target(name), q->doc));
        continue;
      }
      if (!confirmed.count(name)) {
        refused_.push_back(change(ChangeKind::other, name, "partition", q->origin));
        diags_.error({}, "partition " + name.display() +
                             " is no longer declared: dropping it would remove its rows "
                             "from " +
                             q->parent.display() + ". Write 'drop table " + name.display() + "' to confirm");
        continue;
      }
      // Kept whole: detached early, then renamed (its indexes too, so that two kept
      // partitions never meet) and moved into the retention schema.
      QualifiedName kept{emit::retention_schema, retained_name(name, "partition")};
      add(Step::detach_partition, emit::detach_partition(*q), emit::attach_partition(*q)).change =
          change(ChangeKind::other, name, "partition", q->origin);
      std::string rename_indexes = fmt::format(
          "DO $schemac$ DECLARE i record; BEGIN FOR i IN SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = "
          "x.indexrelid WHERE x.indrelid = {0}::regclass LOOP EXECUTE format('ALTER INDEX %I.%I RENAME TO %I', {1}, "
          "i.relname, left({2} || '_' || i.relname, 63)); END LOOP; END $schemac$;",
          emit::sql_string(name.sql()), emit::sql_string(name.schema), emit::sql_string(kept.name));
      // What ties it to other objects goes while it is kept (its table's foreign keys,
      // cloned again when it is attached; its column defaults, set again by down), so
      // that it never stands in the way of dropping them.
      std::string loosen, tighten;
      if (const Table* parent = find(prev_, q->parent)) {
        for (const auto& c : parent->constraints)
          if (is_foreign_key(c))
            loosen += "ALTER TABLE " + name.sql() + " DROP CONSTRAINT IF EXISTS " + names::quote(c.name) + ";\n";
        for (const auto& c : parent->columns) {
          std::optional<std::string> def = c.default_sql;
          if (c.serial) def = emit::serial_default(parent->name, c.name);
          if (!def) continue;
          loosen += emit::drop_column_default(name, c.name) + "\n";
          tighten += "\n" + emit::set_column_default(name, c.name, *def);
        }
      }
      std::string up =
          loosen +
          fmt::format(
              "DO $schemac$ BEGIN IF to_regnamespace({0}) IS NULL THEN CREATE SCHEMA {1}; END IF; END $schemac$;\n{2}\n"
              "ALTER TABLE {3} RENAME TO {4};\nALTER TABLE {5} SET SCHEMA {1};",
              emit::sql_string(names::quote(kept.schema)), names::quote(kept.schema), rename_indexes, name.sql(),
              names::quote(kept.name), QualifiedName{name.schema, kept.name}.sql());
      std::string guard =
          emit::purged_guard(kept, "partition " + name.display() + " kept in " + kept.display() +
                                       " was purged (schemac migrate purge); this down cannot restore it");
      std::string restore_indexes = fmt::format(
          "DO $schemac$ DECLARE i record; BEGIN FOR i IN SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = "
          "x.indexrelid WHERE x.indrelid = {0}::regclass AND starts_with(c.relname, {1}) LOOP EXECUTE format('ALTER "
          "INDEX %I.%I RENAME TO %I', {2}, i.relname, substr(i.relname, {3})); END LOOP; END $schemac$;",
          emit::sql_string(name.sql()), emit::sql_string(kept.name + "_"), emit::sql_string(name.schema),
          kept.name.size() + 2);
      std::string down = guard + "\nALTER TABLE " + kept.sql() + " SET SCHEMA " + names::quote(name.schema) +
                         ";\nALTER TABLE " + QualifiedName{name.schema, kept.name}.sql() + " RENAME TO " +
                         names::quote(name.name) + ";\n" + restore_indexes + tighten;
      Change dropped = change(ChangeKind::other, name, "partition", q->origin, kept.display());
      add(Step::drop_partition, up, down,
          {emit::relation_gone(name, "partition"), emit::relation_exists(kept, "kept partition")})
          .change = dropped;
      notes_.push_back("partition " + name.display() + " is dropped; it is kept whole in " + kept.display() +
                       " and down attaches it again (its indexes keep names prefixed with " + kept.name + ")");
    }
  }

  // A partition of a dropped table, kept whole: detached, then kept like a dropped table
  // (pg_temp.schemac_retain). Down, once the table is back (empty, with new sequences):
  // the sequences continue where the old ones stood, the partition is restored and
  // attached again; the table's indexes, foreign keys and triggers, restored after,
  // reach it as they reach every partition.
  struct KeptPartition {
    std::string up, down;
    std::vector<Check> verify;
  };
  KeptPartition keep_partition_of_dropped(const model::Partition& q, const Table& parent, bool first) {
    QualifiedName kept{emit::retention_schema, retained_name(q.name, "partition")};
    // The table's sequences (serial and identity) go with it: the state of each is kept
    // in a sequence owned by its first partition's kept copy (purged with it), and down
    // sets the re-created sequence from it.
    std::string up = emit::detach_partition(q) + "\n", held_up, held_down;
    if (first)
      for (const auto& c : parent.columns) {
        if (!c.serial && !c.identity) continue;
        QualifiedName held{emit::retention_schema, retained_name(q.name, c.name + "_sequence")};
        held_up += fmt::format(
            "\nCREATE SEQUENCE {0} AS bigint MINVALUE -9223372036854775808 OWNED BY {1}.{2};\nDO $schemac$ "
            "DECLARE r record; BEGIN EXECUTE format('SELECT last_value, is_called FROM %s', "
            "pg_get_serial_sequence({3}, {4})) INTO r; PERFORM setval({5}, r.last_value, r.is_called); END "
            "$schemac$;",
            held.sql(), kept.sql(), names::quote(c.name), emit::sql_string(parent.name.sql()), emit::sql_string(c.name),
            emit::sql_string(held.sql()));
        held_down += fmt::format(
            "\nSELECT setval(pg_get_serial_sequence({0}, {1}), last_value, is_called) FROM {2};\nDROP "
            "SEQUENCE {2};",
            emit::sql_string(parent.name.sql()), emit::sql_string(c.name), held.sql());
      }
    up += emit::retain_table(q.name, kept,
                             "schemac: partition " + q.name.display() + " of " + parent.name.display() +
                                 ", dropped by " + migration_label() + ", kept for its down",
                             false) +
          held_up;
    Table shape = parent;  // a partition has its table's columns and checks
    shape.name = q.name;
    // restore_table stops a down whose copy was purged before anything changes.
    std::string down = held_down + "\n" + emit::restore_table(shape, kept, &parent.name) + "\n" +
                       emit::attach_partition(q) + comment_sql(emit::table_target(q.name), q.doc);
    notes_.push_back("partition " + q.name.display() + " of dropped table " + parent.name.display() +
                     " is kept whole in " + kept.display() + "; down attaches it again");
    return {up, down, {emit::relation_gone(q.name, "partition"), emit::relation_exists(kept, "kept partition")}};
  }

  // Whether the partitions of a partitioned table are kept whole when it goes, or when
  // a down would drop them holding rows. In a Citus plan the table is made local first,
  // which Citus refuses for a table with an identity column.
  bool keeps_partitions(const Table& t) const {
    return t.partition_by &&
           (!citus_ || std::none_of(t.columns.begin(), t.columns.end(), [](const Column& c) { return c.identity; }));
  }

  // A partition takes what default privileges give new tables; the model gives it
  // nothing of its own (it is read through its table, under the table's policies).
  std::string create_partition(const model::Partition& p) const {
    std::string out = emit::create_partition(p);
    for (const auto& d : want_.default_privileges)
      if (d.kind == "tables" && !d.revoke && (d.schema.empty() || d.schema == p.name.schema))
        out += "\n" + emit::revoke_all("TABLE " + p.name.sql(), d.role);
    return out;
  }

  // ---- default privileges --------------------------------------------------------------
  //
  // Set last (the objects this migration creates have their grants from the model);
  // each entry undone by down. A revoke entry takes back PUBLIC's EXECUTE.
  //
  // Every object the migration creates (and every one its down re-creates) must
  // take no privilege the model does not state: what the defaults give is taken away
  // before anything is created (and given back after down re-created everything),
  // and what they give is added after everything is created (and taken away first in
  // down). The objects' own grants come from the model.
  void plan_default_privileges() {
    std::map<std::string, const model::DefaultPrivilege*> before, after;
    for (const auto& d : prev_.default_privileges) before[d.key()] = &d;
    for (const auto& d : want_.default_privileges) after[d.key()] = &d;
    std::set<std::string> keys;
    for (const auto& [k, d] : before) keys.insert(k);
    for (const auto& [k, d] : after) keys.insert(k);
    for (const auto& key : keys) {
      const model::DefaultPrivilege* b = before.count(key) ? before[key] : nullptr;
      const model::DefaultPrivilege* a = after.count(key) ? after[key] : nullptr;
      const model::DefaultPrivilege& any = a ? *a : *b;
      auto expanded = [&](const model::DefaultPrivilege* d) {
        std::set<std::string> out;
        if (d)
          for (const auto& p : d->privileges)
            for (const auto& each : p == "ALL" ? all_of(*d) : std::vector<std::string>{p}) out.insert(each);
        return out;
      };
      std::set<std::string> was = expanded(b), now = expanded(a), gained, lost;
      for (const auto& p : now)
        if (!was.count(p)) gained.insert(p);
      for (const auto& p : was)
        if (!now.count(p)) lost.insert(p);
      auto entry = [&](const std::set<std::string>& privileges) {
        model::DefaultPrivilege d = any;
        d.privileges.clear();
        for (const auto& p : all_of(any))
          if (privileges.count(p)) d.privileges.push_back(p);
        if (d.privileges.size() == all_of(any).size() && d.privileges.size() > 1) d.privileges = {"ALL"};
        return d;
      };
      auto checks = [&](const std::set<std::string>& privileges, bool held) {
        std::vector<Check> out;
        for (const auto& p : privileges)
          out.push_back(emit::default_privilege_is(any.schema, any.kind, any.role, p, held));
        return out;
      };
      // A grant entry gives what it holds; a revoke entry (PUBLIC's EXECUTE) takes it.
      bool gives = !any.revoke;
      const std::set<std::string>& giving = gives ? gained : lost;
      const std::set<std::string>& taking = gives ? lost : gained;
      if (!taking.empty())
        add(Step::take_default_privileges, emit::default_privileges(entry(taking), false),
            emit::default_privileges(entry(taking), true), checks(taking, false))
            .change = change(ChangeKind::other, {any.schema, any.kind}, "default privileges");
      if (!giving.empty())
        add(Step::grant, emit::default_privileges(entry(giving), true), emit::default_privileges(entry(giving), false),
            checks(giving, true))
            .change = change(ChangeKind::other, {any.schema, any.kind}, "default privileges");
    }
  }
  static const std::vector<std::string>& all_of(const model::DefaultPrivilege& d) {
    return model::privileges_of_kind(d.kind);
  }

  static std::string field_target(const QualifiedName& type, const std::string& field) {
    return "COLUMN " + type.sql() + "." + names::quote(field);
  }

  // A domain's default, NOT NULL and checks change in place (each undone by down);
  // its base type cannot: the columns over it would need converting.
  void plan_domain_change(const model::Domain& p, const model::Domain& d) {
    comment(emit::domain_target(d.name), p.doc, d.doc, false);
    if (!(p.base == d.base)) {
      refused_.push_back(change(ChangeKind::alter_type, d.name, "", d.origin, "base type"));
      diags_.error(where(d.origin), "domain " + d.name.display() + ": its base type cannot change (" + p.base.sql() +
                                        " to " + d.base.sql() + "); declare a new domain and change the columns to it");
      return;
    }
    auto altered = [&](const std::string& up, const std::string& down, const std::string& what) {
      add(Step::enum_type, emit::alter_domain(d.name, up), emit::alter_domain(d.name, down)).change =
          change(ChangeKind::alter_type, d.name, "", d.origin, what);
    };
    if (p.default_sql != d.default_sql)
      altered(d.default_sql ? "SET DEFAULT " + *d.default_sql : "DROP DEFAULT",
              p.default_sql ? "SET DEFAULT " + *p.default_sql : "DROP DEFAULT", "default");
    if (p.not_null != d.not_null)
      altered(d.not_null ? "SET NOT NULL" : "DROP NOT NULL", p.not_null ? "SET NOT NULL" : "DROP NOT NULL", "not null");
    for (const auto& c : p.checks) {
      auto now = std::find_if(d.checks.begin(), d.checks.end(), [&](const auto& x) { return x.name == c.name; });
      if (now != d.checks.end() && now->expression == c.expression) continue;
      altered("DROP CONSTRAINT " + names::quote(c.name), "ADD " + emit::domain_check(c), "check " + c.name);
    }
    for (const auto& c : d.checks) {
      auto before = std::find_if(p.checks.begin(), p.checks.end(), [&](const auto& x) { return x.name == c.name; });
      if (before != p.checks.end() && before->expression == c.expression) continue;
      altered("ADD " + emit::domain_check(c), "DROP CONSTRAINT " + names::quote(c.name), "check " + c.name);
    }
  }

  // A composite type gains fields at its end; when no column holds it, it may also
  // lose its last fields or change a field's type. Anything else would reorder the
  // fields (PostgreSQL adds at the end) or lose the values columns hold.
  void plan_composite_change(const model::CompositeType& p, const model::CompositeType& c) {
    comment(emit::type_target(c.name), p.doc, c.doc, false);
    bool in_use = used_by_a_column(prev_, c.name);
    std::size_t common = 0;
    while (common < p.fields.size() && common < c.fields.size() && p.fields[common].name == c.fields[common].name)
      ++common;
    auto refuse = [&](const std::string& why) {
      refused_.push_back(change(ChangeKind::alter_type, c.name, "", c.origin, "fields"));
      diags_.error(where(c.origin), "composite type " + c.name.display() + ": " + why);
    };
    if (common < p.fields.size() && common < c.fields.size()) {
      refuse("fields keep their order (field '" + c.fields[common].name + "' where '" + p.fields[common].name +
             "' was): new fields go at the end");
      return;
    }
    if (in_use && common < p.fields.size()) {
      refuse("field '" + p.fields[common].name +
             "' cannot be removed while a column holds the type (its values would "
             "be lost)");
      return;
    }
    for (std::size_t i = 0; i < common; ++i) {
      const auto& a = p.fields[i];
      const auto& b = c.fields[i];
      if (!(a.type == b.type)) {
        if (in_use) {
          refuse("the type of field '" + b.name + "' cannot change while a column holds the type");
          return;
        }
      }
    }
    for (std::size_t i = 0; i < common; ++i) {
      const auto& a = p.fields[i];
      const auto& b = c.fields[i];
      if (!(a.type == b.type))
        add(Step::enum_type,
            emit::alter_type(c.name, "ALTER ATTRIBUTE " + names::quote(b.name) + " TYPE " + b.type.sql()),
            emit::alter_type(c.name, "ALTER ATTRIBUTE " + names::quote(a.name) + " TYPE " + a.type.sql()))
            .change = change(ChangeKind::alter_type, c.name, b.name, c.origin, "field type");
      comment(field_target(c.name, b.name), a.doc, b.doc, false);
    }
    for (std::size_t i = common; i < c.fields.size(); ++i) {
      const auto& f = c.fields[i];
      add(Step::enum_type, emit::alter_type(c.name, "ADD ATTRIBUTE " + names::quote(f.name) + " " + f.type.sql()),
          emit::alter_type(c.name, "DROP ATTRIBUTE " + names::quote(f.name)))
          .change = change(ChangeKind::alter_type, c.name, f.name, c.origin, "field added");
      comment(field_target(c.name, f.name), {}, f.doc, true);
    }
    // Removed from the end, so that down adds them back in their places.
    for (std::size_t i = p.fields.size(); i-- > common;) {
      const auto& f = p.fields[i];
      // Its comment comes back with it (down undoes comments before this step).
      add(Step::enum_type, emit::alter_type(c.name, "DROP ATTRIBUTE " + names::quote(f.name)),
          emit::alter_type(c.name, "ADD ATTRIBUTE " + names::quote(f.name) + " " + f.type.sql()) +
              comment_sql(field_target(c.name, f.name), f.doc))
          .change = change(ChangeKind::alter_type, c.name, f.name, c.origin, "field removed");
    }
  }

  // ---- what a down must move out of the way ------------------------------------------
  //
  // Some downs change something PostgreSQL refuses to change under its dependents:
  // an enum type re-created without the added values (its columns converted back,
  // functions with it in their signature dropped), a generated column added again.
  // The dependents this migration leaves alone are dropped in down first (as the
  // migrated database has them) and created again after (as they were).

  struct Aside {
    std::set<model::ColumnUse> columns;     // (table, column) changed under their readers
    std::set<QualifiedName> types;          // types re-created: what casts to them moves
    std::set<model::FunctionId> functions;  // functions dropped and brought back too
    bool calls(const QualifiedName& name) const {
      auto it = functions.lower_bound({name, ""});
      return it != functions.end() && it->name == name;
    }
  };

  void move_aside_in_down(const Aside& a, Step restored, Step aside, ChangeKind kind) {
    auto depends = [&](const model::Uses& u) {
      for (const auto& x : a.columns)
        if (u.reads(x.relation, x.column)) return true;
      for (const auto& t : a.types)
        if (u.names_type(t)) return true;
      for (const auto& f : u.functions)
        if (a.calls(f)) return true;  // a call by name may mean any overload
      return false;
    };
    auto on_columns = [&](const QualifiedName& table, const std::vector<std::string>& columns) {
      return std::any_of(columns.begin(), columns.end(), [&](const std::string& c) {
        return a.columns.count({table, c});
      });
    };
    // Views, with the views over them.
    std::set<QualifiedName> views;
    for (const auto& r : view_order(want_)) {
      bool dep = depends(r.uses());
      for (const auto& n : r.reads()) dep |= views.count(n) > 0;
      for (const auto& f : r.calls()) dep |= a.calls(f);
      if (dep) views.insert(r.name);
    }
    auto kept_view = [&](const QualifiedName& v) { return views.count(v) && !rebuilt_views_.count(v); };
    // What down brings back here comes with its previous privileges: their own undo
    // would run while the object is out of the way.
    for (auto& op : ops_)
      if (op.step == Step::grant && op.change.member == privileges_member &&
          (a.functions.count(function_of(op.change)) || kept_view(op.change.subject)))
        op.down.clear();
    std::vector<std::string> view_drops, view_creates;
    auto before = view_order(prev_);
    for (auto it = before.rbegin(); it != before.rend(); ++it)
      if (kept_view(it->name)) view_drops.push_back(drop_relation(*it));
    for (const auto& r : before)
      if (kept_view(r.name)) {
        std::string create = create_relation(r) + comment_sql(emit::view_target(r.name, !r.view), r.doc());
        if (r.matview)
          for (const auto& ix : r.matview->indexes) create += comment_sql(emit::index_target(r.name, ix.name), ix.doc);
        view_creates.push_back(create);
      }
    // Members of the tables that stay.
    std::vector<std::string> reader_drops, reader_creates, key_drops, key_creates, member_drops, member_creates;
    for (const auto& t : want_.tables) {
      const Table* p = find(prev_, t.name);
      if (t.is_extern || !p) continue;
      const Table& o = original(*p);
      for (const auto& pol : t.policies) {
        const model::Policy* old = find_named(p->policies, pol.name);
        bool dep = depends(pol.uses);
        for (const auto& v : views) dep |= pol.uses.reads_relation(v);
        if (!old || recreated(t, "policy:", pol.name) || !dep) continue;
        const auto& op = original(*p, &Table::policies, *old);
        reader_drops.push_back(emit::drop_policy(t.name, pol.name));
        reader_creates.push_back(emit::create_policy(o, op) +
                                 comment_sql(emit::policy_target(o.name, op.name), op.doc));
      }
      for (const auto& tr : t.triggers) {
        const model::Trigger* old = find_named(p->triggers, tr.name);
        bool dep = depends(tr.uses) || a.functions.count({tr.function, ""});
        for (const auto& e : tr.events) dep |= on_columns(t.name, e.columns);
        if (!old || recreated(t, "trigger:", tr.name) || !dep) continue;
        const auto& ot = original(*p, &Table::triggers, *old);
        reader_drops.push_back(emit::drop_trigger(t.name, tr.name));
        reader_creates.push_back(emit::create_trigger(o, ot) +
                                 comment_sql(emit::trigger_target(o.name, ot.name), ot.doc));
      }
      for (const auto& c : t.constraints) {
        const Constraint* old = find_named(p->constraints, c.name);
        bool dep = on_columns(t.name, c.columns) || (c.kind == ConstraintKind::check && depends(c.uses)) ||
                   (is_foreign_key(c) && on_columns(c.ref_table, c.ref_columns));
        if (!old || recreated(t, "constraint:", c.name) || !dep) continue;
        const auto& oc = original(*p, &Table::constraints, *old);
        (is_foreign_key(c) ? key_drops : member_drops).push_back(drop_constraint_sql(t, c));
        (is_foreign_key(c) ? key_creates : member_creates)
            .push_back(emit::add_constraint(o, oc) + comment_sql(emit::constraint_target(o.name, oc.name), oc.doc));
      }
      for (const auto& ix : t.indexes) {
        const Index* old = find_named(p->indexes, ix.name);
        bool dep = depends(ix.uses) || on_columns(t.name, ix.include);
        for (const auto& e : ix.elements) dep |= !e.column.empty() && a.columns.count({t.name, e.column});
        if (!old || recreated(t, "index:", ix.name) || !dep) continue;
        const auto& oi = original(*p, &Table::indexes, *old);
        member_drops.push_back(emit::drop_index(QualifiedName{t.name.schema, ix.name}));
        member_creates.push_back(emit::create_index(o.name, oi) +
                                 comment_sql(emit::index_target(o.name, oi.name), oi.doc));
      }
    }
    std::vector<std::string> function_drops, function_creates;
    for (const auto& id : a.functions) {
      const Function* f = prev_.find_function(id);
      function_drops.push_back(emit::drop_function(*want_.find_function(id)));
      function_creates.push_back(create_function(*f) + comment_sql(emit::function_target(*f), f->doc));
    }
    // Readers before the views they read and keys before what they reference; back
    // in the opposite order.
    std::vector<std::string> drops, creates;
    for (const auto* part : {&reader_drops, &view_drops, &key_drops, &member_drops, &function_drops})
      drops.insert(drops.end(), part->begin(), part->end());
    for (const auto* part : {&function_creates, &view_creates, &member_creates, &key_creates, &reader_creates})
      creates.insert(creates.end(), part->begin(), part->end());
    if (drops.empty()) return;
    add(restored, "", join(creates, "\n")).change = change(kind, {});
    add(aside, "", join(drops, "\n")).change = change(kind, {});
  }

  // An enum whose down re-creates the type: its columns, casts to it and the
  // functions with it in their signature.
  void plan_enum_dependents() {
    if (recreated_enums_.empty()) return;
    auto is_enum = [&](const model::Type& t) { return t.named_type && recreated_enums_.count(*t.named_type); };
    Aside a;
    a.types = recreated_enums_;
    for (const auto& t : want_.tables)
      for (const auto& c : t.columns)
        if (is_enum(c.type)) a.columns.insert({t.name, c.name});
    for (const auto& f : want_.functions) {
      if (f.is_extern || !prev_.find_function(f.id())) continue;
      bool uses = f.return_type && is_enum(*f.return_type);
      for (const auto& p : f.parameters) uses |= is_enum(p.type);
      for (const auto& r : f.returns_table) uses |= is_enum(r.type);
      if (uses && !changed_signatures_.count(f.id())) a.functions.insert(f.id());
    }
    // A function whose body this migration replaces comes back (old body) with the
    // others, after the type: its own down would bring it back before.
    for (auto& op : ops_)
      if (op.change.kind == ChangeKind::replace_function && a.functions.count(function_of(op.change))) op.down.clear();
    move_aside_in_down(a, Step::enum_dependents_restored, Step::enum_dependents, ChangeKind::moved_aside);
  }

  // A column that stops being generated keeps its values in up (DROP EXPRESSION), but
  // down can only add it again, which PostgreSQL refuses under a view or a policy and
  // which takes its indexes and constraints along.
  void plan_generated_dependents() {
    for (const auto& column : expression_dropped_) {
      Aside a;
      a.columns.insert(column);
      move_aside_in_down(a, Step::generated_dependents_restored, Step::generated_dependents, ChangeKind::moved_aside);
    }
  }

  // PostgreSQL cannot remove an enum value: the type is re-created with the old
  // values and every column that uses it converted back (through text).
  std::string recreate_enum(const model::Enum& e) {
    QualifiedName scratch{e.name.schema, names::make_object_name(e.name.name, "", "schemac_old")};
    std::string out = emit::rename_type(e.name, scratch.name) + "\n" + emit::create_enum(e);
    // It runs last in down: every table has its names from before the migration.
    for (const auto& t : orig_.tables) {
      if (t.is_extern) continue;
      for (const auto& c : t.columns) {
        if (!c.type.named_type || *c.type.named_type != e.name) continue;
        if (c.default_sql) out += "\n" + emit::drop_column_default(t.name, c.name);
        out += "\n" + emit::alter_column_type(t.name, c.name, c.type, true);
        if (c.default_sql) out += "\n" + emit::set_column_default(t.name, c.name, *c.default_sql);
      }
    }
    out += "\n" + emit::drop_type(scratch);
    return out + comment_sql(emit::type_target(e.name), e.doc);
  }

  static bool same_signature(const Function& a, const Function& b) {
    if (a.parameters.size() != b.parameters.size() || a.returns != b.returns || a.procedure != b.procedure)
      return false;  // CREATE OR REPLACE cannot change a function into a procedure
    for (std::size_t i = 0; i < a.parameters.size(); ++i)
      if (!(a.parameters[i] == b.parameters[i])) return false;  // names and defaults cannot change in place
    return true;
  }

  // Functions whose parameters or result name a table's row type come after the
  // tables (the others before: defaults and checks call them), before the views that
  // may call them; going, they go first, before their table may.
  static bool on_row_type(const Function& f, const Schema& s) {
    auto on_relation = [&](const model::Type& t) {
      return t.kind == model::TypeKind::composite && t.named_type && !s.find_composite_type(*t.named_type);
    };
    bool late = f.return_type && on_relation(*f.return_type);
    for (const auto& p : f.parameters) late |= on_relation(p.type);
    for (const auto& r : f.returns_table) late |= on_relation(r.type);
    return late;
  }
  Step function_step(const Function& f) const {
    return on_row_type(f, want_) ? Step::row_type_function : Step::function;
  }

  // Overloads are distinct objects, matched by name and parameter types: changing a
  // parameter's type drops one overload and creates another. What calls a function
  // names it without its types, so an overload that changes or goes takes along
  // everything that calls its name (re-created around it), whichever overload the
  // call resolves to.
  void plan_functions() {
    std::map<model::FunctionId, const Function*> old;
    for (const auto& f : prev_.functions)
      if (!f.is_extern) old[f.id()] = &f;
    for (const auto& f : want_.functions) {
      if (f.is_extern) continue;
      std::string target = emit::function_target(f);
      auto it = old.find(f.id());
      if (it == old.end()) {
        add(function_step(f), create_function(f), emit::drop_function(f), function_checks(f)).change =
            function_change(ChangeKind::create_function, f, f.origin);
        comment(target, {}, f.doc, true);
        continue;
      }
      const Function& p = *it->second;
      old.erase(it);
      if (definition(p) == definition(f)) {
        comment(target, p.doc, f.doc, false);
        plan_function_privileges(p, f);
      } else if (same_signature(p, f)) {
        // CREATE OR REPLACE keeps the function's privileges.
        add(function_step(f), emit::replace_function(f), emit::replace_function(p), {function_exists(f)}).change =
            function_change(ChangeKind::replace_function, f, f.origin);
        comment(target, p.doc, f.doc, false);
        plan_function_privileges(p, f);
      } else {
        changed_functions_.insert(f.name);
        changed_signatures_.insert(f.id());
        // Down re-creates it with its comment and privileges, after what replaced it is gone.
        add(Step::drop_function_for_change, emit::drop_function(p),
            create_function(p) + comment_sql(emit::function_target(p), p.doc))
            .change = function_change(ChangeKind::drop_function, p, f.origin);
        add(function_step(f), create_function(f), emit::drop_function(f), function_checks(f)).change =
            function_change(ChangeKind::create_function, f, f.origin);
        comment(target, {}, f.doc, true);
      }
    }
    for (const auto& [id, f] : old) {
      const model::QualifiedName& name = id.name;  // clang 14 cannot capture a structured binding
      bool name_stays = std::any_of(want_.functions.begin(), want_.functions.end(),
                                    [&](const Function& w) { return !w.is_extern && w.name == name; });
      if (name_stays) {
        // Its parameter types changed, or one overload of several goes: calls of the
        // name are re-created after it is gone (they may have resolved to it).
        changed_functions_.insert(id.name);
        add(Step::drop_function_for_change, emit::drop_function(*f),
            create_function(*f) + comment_sql(emit::function_target(*f), f->doc), {emit::function_gone(*f)})
            .change = function_change(ChangeKind::drop_function, *f, {});
        continue;
      }
      add(on_row_type(*f, prev_) ? Step::drop_function_for_change : Step::drop_function, emit::drop_function(*f),
          create_function(*f), {emit::function_gone(*f)})
          .change = function_change(ChangeKind::drop_function, *f, {});
      comment(emit::function_target(*f), f->doc, {}, false, true);
    }
  }

  // ---- tables -------------------------------------------------------------------------------

  static std::vector<const Table*> foreign_key_order(const Schema& s) {
    std::vector<const Table*> order;
    std::map<QualifiedName, int> state;
    std::map<QualifiedName, const Table*> by_name;
    for (const auto& t : s.tables)
      if (!t.is_extern) by_name[t.name] = &t;
    std::function<void(const Table&)> visit = [&](const Table& t) {
      state[t.name] = 1;
      for (const auto& c : t.constraints) {
        if (!is_foreign_key(c)) continue;
        auto it = by_name.find(c.ref_table);
        if (it != by_name.end() && it->second != &t && state[it->second->name] == 0) visit(*it->second);
      }
      state[t.name] = 2;
      order.push_back(&t);
    };
    for (const auto& t : s.tables)
      if (!t.is_extern && state[t.name] == 0) visit(t);
    return order;
  }

  void plan_tables() {
    // Primary and unique keys that are dropped or redefined on surviving tables: the
    // foreign keys that rely on them must go first and come back after.
    for (const auto& p : prev_.tables) {
      const Table* t = find(want_, p.name);
      if (!t || p.is_extern) continue;
      for (const auto& c : p.constraints) {
        if (c.kind != ConstraintKind::primary_key && c.kind != ConstraintKind::unique) continue;
        const Constraint* now = find_named(t->constraints, c.name);
        if (!now || !same_definition(c, *now)) rebuilt_keys_.insert({p.name, c.columns});
      }
    }
    // Created tables go in foreign-key order; a foreign key to a table created later
    // in the same migration (a cycle) is added once both exist.
    std::set<QualifiedName> created_so_far;
    for (const auto& t : prev_.tables)
      if (!t.is_extern) created_so_far.insert(t.name);
    // Tables that become logged, referenced ones first, before any table created or
    // changed here references them (PostgreSQL lets only an unlogged table reference an
    // unlogged one). Each rewrites the table.
    auto order = foreign_key_order(want_);
    for (const Table* t : order)
      if (const Table* p = find(prev_, t->name); p && p->unlogged && !t->unlogged)
        add(Step::table, emit::set_logged(live_name_now(t->name), true),
            emit::set_logged(live_name_now(t->name), false));
    for (const Table* t : foreign_key_order(want_)) {
      const Table* p = find(prev_, t->name);
      if (!p) {
        create_table(*t, created_so_far);
        created_so_far.insert(t->name);
      } else {
        alter_table(*p, *t);
      }
    }
    // Dropped tables: in reverse foreign-key order, so that down re-creates the
    // referenced ones first.
    auto old_order = foreign_key_order(prev_);
    for (auto it = old_order.rbegin(); it != old_order.rend(); ++it)
      if (!find(want_, (*it)->name)) drop_table(**it);
    // Tables that become unlogged, referencing ones first, once the tables dropped here
    // no longer reference them (archives have run: the desired name is the live one).
    for (auto it = order.rbegin(); it != order.rend(); ++it)
      if (const Table* p = find(prev_, (*it)->name); p && !p->unlogged && (*it)->unlogged)
        add(Step::drop_table, emit::set_logged((*it)->name, false), emit::set_logged((*it)->name, true));
  }

  // The name a table of the desired state has while the migration runs its table steps
  // (a table this migration archives still has its declared name).
  QualifiedName live_name_now(const QualifiedName& n) const {
    for (const auto& [declared, archived] : archived_name_)
      if (archived == n) return declared;
    return n;
  }

  void create_table(const Table& t, const std::set<QualifiedName>& existing) {
    auto to_attached_key = [&](const Constraint& c) {
      return is_foreign_key(c) && c.ref_table != t.name && attached_key(c.ref_table, c.ref_columns);
    };
    auto inline_it = [&](const Constraint& c) {
      if (to_attached_key(c)) return false;
      if (is_foreign_key(c) && citus_foreign_key(t, c)) return false;  // once both tables are distributed
      return !is_foreign_key(c) || c.ref_table == t.name || existing.count(c.ref_table) ||
             (find(want_, c.ref_table) && find(want_, c.ref_table)->is_extern);
    };
    std::vector<Check> verify = {relation_exists(t.name, "table")};
    if (!t.columns.empty()) verify.push_back(emit::columns_are(t.name, t.columns));
    // Down drops the table, or keeps it when rows were written to it after up.
    bool keeps = keeps_whole(t) && !migration_.empty();
    Op& op = add(
        Step::table, emit::create_table(t, inline_it),
        keeps ? (citus_ ? emit::make_local(t.name) + "\n" : std::string()) +
                    emit::retain_table(t.name, {emit::retention_schema, retained_name(t.name, "down")},
                                       std::string(migration_file::kept_by_down_note) + "rows of " + t.name.display() +
                                           " written after migration " + migration_ + " created it",
                                       true)
              : emit::drop_table(t.name),
        verify);
    op.change = change(ChangeKind::create_table, t.name, "", t.origin);
    op.down_retains = keeps;
    if (keeps && citus_ && t.distribution)
      notes_.push_back("down keeps " + t.name.display() +
                       " when it holds rows: it makes the table local first, gathering every row from the shards "
                       "onto the coordinator");
    for (const auto& c : t.constraints)
      if (!inline_it(c)) {  // the table is new and empty: nothing to validate later
        bool late = to_attached_key(c);
        if (late && !c.doc.empty()) commented_late_.insert({t.name, "constraint:" + c.name});
        add(late ? Step::late_foreign_key : Step::constraint,
            emit::add_constraint(t, c) +
                (late ? comment_sql(emit::constraint_target(t.name, c.name), c.doc) : std::string()),
            drop_constraint_sql(t, c), {constraint_exists(t.name, c.name)})
            .change = change(ChangeKind::add_constraint, t.name, c.name, c.origin);
      }
    for (const auto& ix : t.indexes)
      add(Step::index, emit::create_index(t.name, ix), "", {relation_exists({t.name.schema, ix.name}, "index")})
          .change = change(ChangeKind::create_index, t.name, ix.name, ix.origin);
    for (const auto& tr : t.triggers)
      add(Step::trigger, emit::create_trigger(t, tr), "", {trigger_exists(t.name, tr.name)});
    if (t.row_level_security || t.force_row_level_security) {
      std::string up = t.row_level_security ? emit::enable_rls(t) : "";
      if (t.force_row_level_security) up += (up.empty() ? "" : "\n") + emit::force_rls(t);
      add(Step::row_level_security, up, "",
          {emit::row_level_security_is(t.name, t.row_level_security, t.force_row_level_security)});
    }
    for (const auto& p : t.policies) add(Step::policy, emit::create_policy(t, p), "", {policy_exists(t.name, p.name)});
    for (const auto& g : t.grants) {
      std::vector<Check> checks;
      for (const auto& priv : privilege_set(g)) checks.push_back(privilege_is(t.name, g.role, priv, true));
      add(Step::grant, emit::grant(t.name, g), "", checks);
    }
    table_comments(nullptr, &t);
  }

  // ---- Citus ------------------------------------------------------------------------

  // A foreign key from or to a distributed or reference table: Citus accepts it only
  // once both tables are distributed, so a new table's is added after its distribution.
  bool citus_foreign_key(const Table& t, const Constraint& c) const {
    const Table* u = find(want_, c.ref_table);
    return t.distribution || (u && u->distribution);
  }

  static std::string distribution_text(const std::optional<Distribution>& d) {
    if (!d) return "local";
    if (d->reference) return "reference";
    return "distributed by " + d->column + (d->colocate_with ? " colocated with " + d->colocate_with->display() : "");
  }
  // Colocation follows the distribution column's type (Citus colocates tables of one
  // type by default), so naming another table to colocate with changes nothing.
  static bool same_distribution(const std::optional<Distribution>& a, const std::optional<Distribution>& b) {
    if (!a || !b) return !a && !b;
    return a->reference == b->reference && a->column == b->column;
  }

  // Tables that were there before and change how they are distributed: the foreign
  // keys from and to them go first and come back after; views that read them are
  // created again (Citus re-creates the table under them).
  void find_redistributed() {
    for (const auto& p : prev_.tables) {
      const Table* t = find(want_, p.name);
      if (!t || t->is_extern || p.is_extern) continue;
      if (!same_distribution(p.distribution, t->distribution)) redistributed_.insert(p.name);
    }
  }

  // The tables of `s` with a distribution, in the order Citus needs them: reference
  // tables first, then distributed tables, each after the table it is colocated with.
  static std::vector<const Table*> distribution_order(const Schema& s) {
    std::vector<const Table*> out;
    std::set<QualifiedName> placed;
    for (const Table* t : foreign_key_order(s))
      if (t->distribution && t->distribution->reference && placed.insert(t->name).second) out.push_back(t);
    std::function<void(const Table*, int)> place = [&](const Table* t, int depth) {
      if (placed.count(t->name) || depth > 64) return;
      if (t->distribution->colocate_with)
        if (const Table* u = s.find_table(*t->distribution->colocate_with); u && u->distribution) place(u, depth + 1);
      if (placed.insert(t->name).second) out.push_back(t);
    };
    for (const Table* t : foreign_key_order(s))
      if (t->distribution && !t->distribution->reference) place(t, 0);
    return out;
  }

  // A table with rows distributed: the coordinator copies them to the shards, then
  // empties its own copy (which Citus keeps, hidden, until told).
  static std::string distribute_existing(const Table& t, const Distribution& d) {
    return emit::distribute_table(t.name, d, !t.triggers.empty()) +
           "\nSELECT truncate_local_data_after_distributing_table(" + emit::sql_string(t.name.sql()) + ");";
  }

  // Citus cannot undistribute or redistribute a table with an identity column
  // (undistribute_table, alter_distributed_table), which every change of an existing
  // table's distribution needs in its up or its down.
  void refuse_identity_redistribution(const Table& p, const Table& t, model::Origin where_) {
    // Columns are added after the distribution changes and dropped (in down) before
    // it is undone: the previous table's identity columns are the ones in the way.
    for (const auto& c : p.columns)
      if (c.identity) {
        refused_.push_back(change(ChangeKind::distribute_table, t.name, "", where_));
        diags_.error(where(where_), "the distribution of " + t.name.display() +
                                        " cannot change: Citus cannot "
                                        "undistribute or redistribute a table with an identity column (" +
                                        c.name + ")");
        return;
      }
  }

  void plan_distribution() {
    std::vector<const Table*> order = distribution_order(want_);
    for (const Table* t : order) {
      const Table* p = find(prev_, t->name);
      if (p && same_distribution(p->distribution, t->distribution)) continue;
      if (p && p->is_extern) continue;
      if (p) refuse_identity_redistribution(*p, *t, t->distribution->origin);
      std::vector<Check> verify = {emit::distribution_is(t->name, &*t->distribution)};
      Change ch =
          change(ChangeKind::distribute_table, t->name, "", t->distribution->origin,
                 distribution_text(p ? p->distribution : std::nullopt) + " -> " + distribution_text(t->distribution));
      ch.on_existing_table = p != nullptr;
      std::string up, down;
      if (!p || !p->distribution) {
        // A new table's triggers come after its distribution.
        up = p ? distribute_existing(*t, *t->distribution) : emit::distribute_table(t->name, *t->distribution, false);
        down = p ? emit::undistribute_table(t->name) : "";  // a new table's DROP TABLE takes its shards along
      } else if (!p->distribution->reference && !t->distribution->reference) {
        up = emit::alter_distributed_table(t->name, *t->distribution);
        down = emit::alter_distributed_table(t->name, *p->distribution);
      } else {  // distributed <-> reference: back to local, then as declared
        up = emit::undistribute_table(t->name) + "\n" + distribute_existing(*t, *t->distribution);
        down = emit::undistribute_table(t->name) + "\n" + distribute_existing(*p, *p->distribution);
      }
      add(Step::distribute, up, down, verify).change = ch;
    }
    // Tables that become local again: after the foreign keys that need them distributed
    // went (dropped first), before any that need them local come.
    for (const auto& p : prev_.tables) {
      const Table* t = find(want_, p.name);
      if (!t || !p.distribution || t->distribution || t->is_extern || p.is_extern) continue;
      refuse_identity_redistribution(p, *t, t->origin);
      Change ch =
          change(ChangeKind::distribute_table, t->name, "", t->origin, distribution_text(p.distribution) + " -> local");
      ch.on_existing_table = true;
      add(Step::distribute, emit::undistribute_table(t->name), distribute_existing(p, *p.distribution),
          {emit::distribution_is(t->name, nullptr)})
          .change = ch;
    }
  }

  // Whether a table that goes can be kept whole (moved into the retention schema): not
  // a partitioned table (its partitions do not follow a move; they are kept one by
  // one). In a Citus plan it is made local first (its rows gathered from the shards),
  // which Citus refuses for a table with an identity column.
  bool keeps_whole(const Table& t) const {
    if (t.partition_by) return false;
    return !citus_ || std::none_of(t.columns.begin(), t.columns.end(), [](const Column& c) { return c.identity; });
  }

  void drop_table(const Table& t) {
    // DROP TABLE (or keeping the table whole) takes indexes, triggers, policies,
    // grants and comments along; each is restored by its own inverse after down
    // restores the table.
    for (const auto& c : t.constraints)
      if (is_foreign_key(c)) add(Step::drop_foreign_key, "", emit::add_constraint(t, c));
    for (const auto& ix : t.indexes) add(Step::drop_index, "", emit::create_index(t.name, ix));
    for (const auto& tr : t.triggers) add(Step::drop_trigger, "", emit::create_trigger(t, tr));
    for (const auto& p : t.policies) add(Step::drop_policy, "", emit::create_policy(t, p));
    if (t.row_level_security) add(Step::row_level_security, "", emit::enable_rls(t));
    if (t.force_row_level_security) add(Step::row_level_security, "", emit::force_rls(t));
    for (const auto& g : t.grants) add(Step::grant, "", emit::grant(t.name, g));
    // Citus: the table comes back distributed, before its foreign keys and triggers.
    // Into the default group of its column's type, where its colocation target is
    // (which may come back after it). A kept table brings its rows, which then go to
    // the shards (the coordinator's copy emptied).
    if (t.distribution) {
      Distribution d = *t.distribution;
      d.colocate_with.reset();
      std::string again = emit::distribute_table(t.name, d, false);
      if (keeps_whole(t) || keeps_partitions(t))
        again += "\nSELECT truncate_local_data_after_distributing_table(" + emit::sql_string(t.name.sql()) + ");";
      add(Step::distribute, "", again);
    }
    table_comments(&t, nullptr);
    Change dropped = change(ChangeKind::drop_table, t.name, "", drop_origin(t.name));
    if (keeps_partitions(t)) {
      // Each partition detached and kept, then the empty table dropped; down re-creates
      // the table and attaches the partitions again. In the order dropped tables go (a
      // table that references this one has let go of it before its partitions detach).
      // Citus: the table and its partitions made local first.
      dropped.detail = emit::retention_schema + " (partition by partition)";
      std::string up = citus_ ? emit::make_local(t.name) + "\n" : std::string(), restore;
      std::vector<Check> verify = {relation_gone(t.name, "dropped table")};
      bool first = true;
      for (const auto& q : prev_.partitions) {
        if (q.parent != t.name) continue;
        KeptPartition k = keep_partition_of_dropped(q, t, first);
        first = false;
        up += k.up + "\n";
        restore += "\n" + k.down;
        verify.insert(verify.end(), k.verify.begin(), k.verify.end());
      }
      Op& op = add(Step::drop_table, up + emit::drop_table(t.name),
                   emit::create_table(t, [](const Constraint& c) { return !is_foreign_key(c); }) + restore, verify);
      op.change = dropped;
      op.up_retains = true;
      notes_.push_back(
          "table " + t.name.display() + " is dropped; its partitions are kept whole" +
          (citus_ ? std::string(" (made local first: their rows are gathered from the shards)") : std::string()) +
          ", and down re-creates it and attaches them again");
      return;
    }
    if (!keeps_whole(t)) {
      add(Step::drop_table, emit::drop_table(t.name),
          emit::create_table(t, [](const Constraint& c) { return !is_foreign_key(c); }),
          {relation_gone(t.name, "dropped table")})
          .change = dropped;
      notes_.push_back("table " + t.name.display() +
                       " is dropped; down re-creates it empty (Citus cannot make a table with an identity column "
                       "local, so it is not kept whole)");
      return;
    }
    QualifiedName kept{emit::retention_schema, retained_name(t.name, "table")};
    dropped.detail = kept.display();
    Op& op = add(Step::drop_table,
                 (citus_ ? emit::make_local(t.name) + "\n" : std::string()) +
                     emit::retain_table(t.name, kept,
                                        "schemac: table " + t.name.display() + " dropped by " + migration_label() +
                                            ", kept for its down",
                                        false),
                 emit::restore_table(t, kept),
                 {relation_gone(t.name, "dropped table"), relation_exists(kept, "kept table")});
    op.change = dropped;
    op.up_retains = true;
    notes_.push_back("table " + t.name.display() + " is dropped; it is kept whole, rows and all, in " + kept.display() +
                     " and down restores it" +
                     (t.distribution ? std::string(" (made local first: its rows are gathered from the shards, and "
                                                   "down distributes them again)")
                                     : std::string()));
  }

  static std::string drop_constraint_sql(const Table& t, const Constraint& c) {
    return emit::drop_constraint(t.name, c.name);
  }

  // Comments of a table and its parts, from `before` (null: new) to `after` (null: dropped).
  void table_comments(const Table* before, const Table* after) {
    const Table& any = after ? *after : *before;
    bool fresh = !before, going = !after;
    static const model::Doc none;
    auto doc_of = [](const Table* t, auto pick) -> const model::Doc& { return t ? pick(*t) : none; };
    comment(emit::table_target(any.name), doc_of(before, [](const Table& t) -> const model::Doc& { return t.doc; }),
            doc_of(after, [](const Table& t) -> const model::Doc& { return t.doc; }), fresh, going);
    // Objects dropped before the renames carry their comments both ways.
    auto parts = [&](auto member, const char* kind, auto target) {
      std::map<std::string, model::Doc> old_docs, new_docs;
      auto carried = [&](const std::string& name) { return !fresh && dropped_first_.count({any.name, kind + name}); };
      // Made in a later phase, with its comment in the same statement.
      auto late = [&](const std::string& name) { return commented_late_.count({any.name, kind + name}) > 0; };
      if (before)
        for (const auto& x : (*before).*member) old_docs[x.name] = x.doc;
      if (after)
        for (const auto& x : (*after).*member) new_docs[x.name] = x.doc;
      for (const auto& [name, doc] : new_docs) {
        auto it = old_docs.find(name);
        const model::Doc& was = it == old_docs.end() ? none : it->second;
        if (was == doc || (carried(name) && it != old_docs.end()) || late(name)) continue;
        comment(target(name), was, doc, fresh || it == old_docs.end(), false);
      }
      for (const auto& [name, doc] : old_docs)
        if (!doc.empty() && !new_docs.count(name) && !carried(name)) comment(target(name), doc, none, false, true);
    };
    const QualifiedName& n = any.name;
    parts(&Table::columns, "column:", [&](const std::string& c) { return emit::column_target(n, c); });
    parts(&Table::constraints, "constraint:", [&](const std::string& c) { return emit::constraint_target(n, c); });
    parts(&Table::indexes, "index:", [&](const std::string& i) { return emit::index_target(n, i); });
    parts(&Table::policies, "policy:", [&](const std::string& p) { return emit::policy_target(n, p); });
    parts(&Table::triggers, "trigger:", [&](const std::string& tr) { return emit::trigger_target(n, tr); });
  }

  // ---- what a change forces to be re-created ----------------------------------------
  //
  // PostgreSQL refuses ALTER COLUMN TYPE on a column that a view, a policy, a trigger
  // definition or a generated column reads, refuses to drop a function that anything
  // calls, and a generated expression can only change by adding the column again.
  // The dependents are found column by column in what check recorded (model::Uses);
  // nothing else is touched.

  bool reads_changed_column(const model::Uses& u) const {
    for (const auto& sets : {&retyped_, &regenerated_})
      for (const auto& x : *sets)
        if (u.reads(x.relation, x.column)) return true;
    return false;
  }
  bool calls_changed_function(const model::Uses& u) const {
    for (const auto& f : u.functions)
      if (changed_functions_.count(f)) return true;
    return false;
  }
  bool regenerated(const Table& t, const std::string& column) const { return regenerated_.count({t.name, column}) > 0; }
  bool any_regenerated(const Table& t, const std::vector<std::string>& columns) const {
    return std::any_of(columns.begin(), columns.end(), [&](const std::string& c) { return regenerated(t, c); });
  }

  void plan_column_changes() {
    for (const auto& t : want_.tables) {
      const Table* p = find(prev_, t.name);
      if (t.is_extern || !p || p->is_extern) continue;
      for (const auto& c : t.columns) {
        const Column* old = p->find_column(c.name);
        if (!old) continue;
        if (c.generated_sql && (old->generated_sql != c.generated_sql || !(old->type == c.type)))
          regenerated_.insert({t.name, c.name});
        else if (!(old->type == c.type))
          retyped_.insert({t.name, c.name});
      }
    }
    // A generated column that reads a changed column or calls a changed function is
    // added again too (PostgreSQL cannot retype under it nor drop what it calls).
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& t : want_.tables) {
        const Table* p = find(prev_, t.name);
        if (t.is_extern || !p) continue;
        for (const auto& c : t.columns)
          if (c.generated_sql && p->find_column(c.name) && !regenerated(t, c.name) &&
              (reads_changed_column(c.uses) || calls_changed_function(c.uses))) {
            regenerated_.insert({t.name, c.name});
            retyped_.erase({t.name, c.name});
            grew = true;
          }
      }
    }
  }

  // Whether an object that exists before and after must be dropped and created again
  // because of what it depends on (its own definition aside).
  bool forced(const Table& t, const Constraint& c) const {
    if (is_foreign_key(c) && (redistributed_.count(t.name) || redistributed_.count(c.ref_table))) return true;
    return any_regenerated(t, c.columns) || calls_changed_function(c.uses) || reads_changed_regenerated(c.uses) ||
           (is_foreign_key(c) && (rebuilt_keys_.count({c.ref_table, c.ref_columns}) || [&] {
              for (const auto& col : c.ref_columns)
                if (regenerated_.count({c.ref_table, col})) return true;
              return false;
            }()));
  }
  bool forced(const Table& t, const Index& ix) const {
    for (const auto& e : ix.elements)
      if (!e.column.empty() && regenerated(t, e.column)) return true;
    return any_regenerated(t, ix.include) || calls_changed_function(ix.uses) || reads_changed_regenerated(ix.uses);
  }
  bool forced(const Table& t, const model::Trigger& tr) const {
    if (changed_functions_.count(tr.function) || reads_changed_column(tr.uses)) return true;
    for (const auto& e : tr.events)
      for (const auto& col : e.columns)
        if (retyped_.count({t.name, col}) || regenerated(t, col)) return true;
    return false;
  }
  bool forced(const model::Policy& pol) const {
    for (const auto& v : views_to_rebuild_)  // PostgreSQL will not drop a view a policy reads
      if (pol.uses.reads_relation(v)) return true;
    return reads_changed_column(pol.uses) || calls_changed_function(pol.uses) || mentions_changed_function(pol);
  }
  // Indexes and checks survive a type change (PostgreSQL rebuilds them) but not the
  // removal of a column they read.
  bool reads_changed_regenerated(const model::Uses& u) const {
    for (const auto& x : regenerated_)
      if (u.reads(x.relation, x.column)) return true;
    return false;
  }

  // ---- dependents dropped before the renames, under their original names ---------------

  // The previous state's table as the database holds it before this migration's renames.
  const Table& original(const Table& p) const {
    auto it = origin_table_.find(p.name);
    const Table* o = find(orig_, it == origin_table_.end() ? p.name : it->second);
    return o ? *o : p;
  }
  template <typename T>
  const T& original(const Table& p, std::vector<T> Table::*member, const T& x) const {
    auto it = origin_object_.find({p.name, x.name});
    const T* o = find_named(original(p).*member, it == origin_object_.end() ? x.name : it->second);
    return o ? *o : x;
  }
  std::string original_column(const Table& p, const std::string& column) const {
    auto it = origin_column_.find({p.name, column});
    return it == origin_column_.end() ? column : it->second;
  }

  static std::string comment_sql(const std::string& target, const model::Doc& doc) {
    return doc.empty() ? "" : "\n" + emit::comment_on(target, doc);
  }
  bool recreated(const Table& t, const char* kind, const std::string& name) const {
    return dropped_first_.count({t.name, std::string(kind) + name}) > 0;
  }

  void drop_constraint_first(const Table& p, const Constraint& c) {
    const Table& o = original(p);
    const Constraint& oc = original(p, &Table::constraints, c);
    dropped_first_.insert({p.name, "constraint:" + c.name});
    add(is_foreign_key(c) ? Step::drop_foreign_key : Step::drop_constraint, drop_constraint_sql(o, oc),
        emit::add_constraint(o, oc) + comment_sql(emit::constraint_target(o.name, oc.name), oc.doc))
        .change = change(ChangeKind::drop_constraint, p.name, c.name);
  }
  void drop_index_first(const Table& p, const Index& ix) {
    const Table& o = original(p);
    const Index& oi = original(p, &Table::indexes, ix);
    dropped_first_.insert({p.name, "index:" + ix.name});
    add(Step::drop_index, emit::drop_index(QualifiedName{o.name.schema, oi.name}),
        emit::create_index(o.name, oi) + comment_sql(emit::index_target(o.name, oi.name), oi.doc))
        .change = change(ChangeKind::drop_index, p.name, ix.name);
  }
  void drop_trigger_first(const Table& p, const model::Trigger& tr) {
    const Table& o = original(p);
    const model::Trigger& ot = original(p, &Table::triggers, tr);
    dropped_first_.insert({p.name, "trigger:" + tr.name});
    add(Step::drop_trigger, emit::drop_trigger(o.name, ot.name),
        emit::create_trigger(o, ot) + comment_sql(emit::trigger_target(o.name, ot.name), ot.doc))
        .change = change(ChangeKind::drop_trigger, p.name, tr.name);
  }
  void drop_policy_first(const Table& p, const model::Policy& pol) {
    const Table& o = original(p);
    const model::Policy& op = original(p, &Table::policies, pol);
    dropped_first_.insert({p.name, "policy:" + pol.name});
    add(Step::drop_policy, emit::drop_policy(o.name, op.name),
        emit::create_policy(o, op) + comment_sql(emit::policy_target(o.name, op.name), op.doc))
        .change = change(ChangeKind::drop_policy, p.name, pol.name);
  }

  // ---- online changes to existing tables ------------------------------------------------

  // The lock an operation takes on a table that was there before (nullopt: none, or
  // one no session is using yet), from what it does.
  std::optional<TableLock> lock_of(const Op& op) const {
    const Change& c = op.change;
    if (op.up.empty() || !find(prev_, c.subject)) return std::nullopt;
    using K = ChangeKind;
    using E = TableLock::Effect;
    TableLock lock{c.subject, LockMode::access_exclusive, E::brief, ""};
    switch (c.kind) {
      case K::create_index:
        lock.mode = LockMode::share;
        lock.effect = E::scans;
        lock.what = "index " + c.member;
        return lock;
      case K::add_constraint:
        lock.effect = E::scans;
        lock.what = "constraint " + c.member;
        return lock;
      case K::alter_column_type:
        if (c.from_type && c.to_type && model::rewrites(*c.from_type, *c.to_type)) {
          lock.effect = E::rewrites;
          lock.what = "column " + c.member + ": " + c.from_type->sql() + " -> " + c.to_type->sql();
        }
        return lock;
      case K::alter_column:
        if (c.scans_table) {
          lock.effect = E::scans;
          lock.what = "NOT NULL of column " + c.member;
        }
        return lock;
      case K::regenerate_column:
        lock.effect = E::rewrites;
        lock.what = "generated column " + c.member;
        return lock;
      case K::add_column:
        if (c.column && (c.column->generated_sql || c.column->identity || c.column->serial)) {
          lock.effect = E::rewrites;
          lock.what = "new column " + c.member + " filled for every row";
        }
        return lock;
      case K::create_trigger:
      case K::drop_trigger:
        lock.mode = LockMode::share_row_exclusive;
        return lock;
      case K::distribute_table:  // Citus copies every row to its new place
        lock.effect = E::rewrites;
        lock.what = c.detail;
        return lock;
      case K::drop_table:
      case K::rename_table:
      case K::archive_table:
      case K::unarchive_table:
      case K::drop_column:
      case K::rename_column:
      case K::rename_members:
      case K::drop_constraint:
      case K::drop_index:
      case K::create_policy:
      case K::alter_policy:
      case K::drop_policy:
        return lock;
      default:
        return std::nullopt;
    }
  }

  // Changes to an existing table are made online unless it is partitioned (PostgreSQL
  // builds no index concurrently and adds no NOT VALID foreign key there).
  static bool online_table(const Table& t) { return !t.partition_by && !t.is_extern; }

  // A unique or primary key on `columns` that this migration adds to a table that was
  // there before: attached in a later phase, so foreign keys to it come after it.
  bool attached_key(const QualifiedName& table, std::vector<std::string> columns) const {
    const Table* t = find(want_, table);
    const Table* p = find(prev_, table);
    if (!t || !p || !online_table(*t)) return false;
    std::sort(columns.begin(), columns.end());
    for (const auto& c : t->constraints) {
      if (c.kind != ConstraintKind::primary_key && c.kind != ConstraintKind::unique) continue;
      std::vector<std::string> key = c.columns;
      std::sort(key.begin(), key.end());
      if (key != columns) continue;
      const Constraint* old = find_named(p->constraints, c.name);
      return !old || !same_definition(c, *old) || forced(*t, c);
    }
    return false;
  }

  static std::string concurrently(std::string create_index) {
    create_index.insert(create_index.find("INDEX ") + 6, "CONCURRENTLY ");
    return create_index;
  }

  void build_concurrently(const Table& t, const Index& ix, const std::string& doc, std::vector<Check> verify,
                          const Change& ch) {
    Op& op = add(Step::concurrent_index, concurrently(emit::create_index(t.name, ix)) + doc,
                 "DROP INDEX CONCURRENTLY IF EXISTS " + QualifiedName{t.name.schema, ix.name}.sql() + ";",
                 std::move(verify));
    op.change = ch;
    op.lock = TableLock{t.name, LockMode::share_update_exclusive, TableLock::Effect::scans, "index " + ix.name};
  }

  // A constraint added to an existing table: a unique or primary key from an index
  // built concurrently; a check or foreign key NOT VALID, validated in a later phase
  // (which does not block writes); an exclusion constraint as it is.
  // `fresh`: new to the table; made in a later phase, it carries its comment itself (the
  // comments step runs in the first).
  void add_constraint_online(const Table& t, const Constraint& c, std::string doc, bool fresh) {
    auto late_comment = [&] {
      if (!fresh || c.doc.empty()) return;
      doc = comment_sql(emit::constraint_target(t.name, c.name), c.doc);
      commented_late_.insert({t.name, "constraint:" + c.name});
    };
    Change ch = on_existing(change(ChangeKind::add_constraint, t.name, c.name, c.origin));
    std::vector<Check> verify = {constraint_exists(t.name, c.name)};
    bool key = c.kind == ConstraintKind::primary_key || c.kind == ConstraintKind::unique;
    bool validated = c.kind == ConstraintKind::check || is_foreign_key(c);
    LockMode mode = is_foreign_key(c) ? LockMode::share_row_exclusive : LockMode::access_exclusive;
    if (!online_table(t) || !(key || validated)) {
      // A foreign key to a key attached later comes after it, even when it cannot be
      // added NOT VALID (a partitioned table's).
      bool after_key = is_foreign_key(c) && attached_key(c.ref_table, c.ref_columns);
      if (after_key) late_comment();
      Op& op = add(after_key ? Step::late_foreign_key : Step::constraint, emit::add_constraint(t, c) + doc,
                   drop_constraint_sql(t, c), verify);
      op.change = ch;
      op.lock = TableLock{t.name, mode, TableLock::Effect::scans, "constraint " + c.name};
      return;
    }
    ch.online = true;
    std::string table = t.name.sql(), name = names::quote(c.name);
    bool late = is_foreign_key(c) && attached_key(c.ref_table, c.ref_columns);
    if (key || late) late_comment();
    if (key) {
      Index ix;
      ix.name = c.name;
      ix.unique = true;
      ix.nulls_not_distinct = c.nulls_not_distinct;
      for (const auto& column : c.columns) ix.elements.push_back({column, "", "", "", "", ""});
      build_concurrently(t, ix, "", {}, ch);
      std::string attach = "ALTER TABLE " + table + " ADD CONSTRAINT " + name +
                           (c.kind == ConstraintKind::primary_key ? " PRIMARY KEY" : " UNIQUE") + " USING INDEX " +
                           name;
      if (c.deferrable) attach += c.initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
      Op& op = add(Step::attach_constraint, attach + ";" + doc, drop_constraint_sql(t, c), verify);
      op.change = ch;
      op.lock = TableLock{t.name, LockMode::access_exclusive, TableLock::Effect::brief, ""};
      return;
    }
    std::string added = emit::add_constraint(t, c);
    added.insert(added.size() - 1, " NOT VALID");
    Op& op = add(late ? Step::late_foreign_key : Step::constraint, added + doc, drop_constraint_sql(t, c), verify);
    op.change = ch;
    op.lock = TableLock{t.name, mode, TableLock::Effect::brief, ""};
    Op& check = add(late ? Step::late_validate : Step::validate,
                    "ALTER TABLE " + table + " VALIDATE CONSTRAINT " + name + ";", "");
    check.change = ch;
    check.lock = TableLock{t.name, LockMode::share_update_exclusive, TableLock::Effect::scans, "constraint " + c.name};
  }

  // SET NOT NULL on an existing column: a CHECK (column IS NOT NULL) added NOT VALID,
  // validated without blocking writes; SET NOT NULL then uses it instead of a scan.
  void set_not_null_online(const Table& t, const Column& old, const Column& c) {
    Change ch = altered_column(t, old, c);
    ch.online = true;
    std::string table = t.name.sql(), column = names::quote(c.name);
    std::string helper = names::quote(names::make_object_name(t.name.name, c.name, "not_null_schemac"));
    add(Step::constraint,
        "ALTER TABLE " + table + " ADD CONSTRAINT " + helper + " CHECK (" + column + " IS NOT NULL) NOT VALID;",
        "ALTER TABLE " + table + " DROP CONSTRAINT IF EXISTS " + helper + ";")
        .change = ch;
    Op& check = add(Step::validate, "ALTER TABLE " + table + " VALIDATE CONSTRAINT " + helper + ";", "");
    check.change = ch;
    check.lock =
        TableLock{t.name, LockMode::share_update_exclusive, TableLock::Effect::scans, "NOT NULL of column " + c.name};
    add(Step::set_not_null,
        emit::set_column_not_null(t.name, c.name, true) + "\nALTER TABLE " + table + " DROP CONSTRAINT " + helper + ";",
        emit::set_column_not_null(t.name, c.name, false), {column_is(t.name, c)})
        .change = ch;
  }

  // Citus refuses ALTER TABLE ... ADD COLUMN ... GENERATED AS IDENTITY on a distributed
  // or reference table (columns are added after the tables are distributed).
  static bool adds_identity_on_citus(const Table& t, const Column* old, const Column& c) {
    return c.identity && (!old || !old->identity) && t.distribution;
  }

  void alter_table(const Table& p, const Table& t) {
    if (t.is_extern || p.is_extern) return;
    // Columns.
    for (const auto& c : t.columns) {
      const Column* old = p.find_column(c.name);
      if (!old && adds_identity_on_citus(t, old, c))
        diags_.error(where(c.origin), "identity column " + t.name.display() + "." + c.name + " cannot be added: " +
                                          "Citus refuses identity columns added to a distributed or reference table");
      if (!old) {
        add(Step::column, emit::add_column(t.name, c), emit::drop_column(t.name, c.name), {column_is(t.name, c)})
            .change = added_column(t, c);
        continue;
      }
      if (regenerated(t, c.name))
        regenerate_column(p, t, *old, c);
      else
        alter_column(p, t, *old, c);
    }
    for (const auto& c : p.columns)
      if (!t.find_column(c.name)) drop_column(t, c);

    // Constraints, indexes, triggers and policies: by name; one that changes, or that
    // something it depends on forces, is dropped before the renames and created again.
    // Created again, it carries its comment; dropped, its down restores it.
    for (const auto& c : p.constraints) {
      const Constraint* now = find_named(t.constraints, c.name);
      if (!now || !same_definition(c, *now) || forced(t, *now)) drop_constraint_first(p, c);
    }
    for (const auto& c : t.constraints) {
      const Constraint* old = find_named(p.constraints, c.name);
      if (old && same_definition(c, *old) && !forced(t, c)) continue;
      add_constraint_online(t, c, old ? comment_sql(emit::constraint_target(t.name, c.name), c.doc) : "", !old);
    }
    for (const auto& ix : p.indexes) {
      const Index* now = find_named(t.indexes, ix.name);
      if (!now || !same_definition(ix, *now) || forced(t, *now)) drop_index_first(p, ix);
    }
    for (const auto& ix : t.indexes) {
      const Index* old = find_named(p.indexes, ix.name);
      if (old && same_definition(ix, *old) && !forced(t, ix)) continue;
      Change ch = on_existing(change(ChangeKind::create_index, t.name, ix.name, ix.origin));
      std::string doc = old ? comment_sql(emit::index_target(t.name, ix.name), ix.doc) : "";
      std::vector<Check> verify = {relation_exists({t.name.schema, ix.name}, "index")};
      if (online_table(t) && !old && !ix.doc.empty()) {  // built in a later phase: its comment with it
        doc = comment_sql(emit::index_target(t.name, ix.name), ix.doc);
        commented_late_.insert({t.name, "index:" + ix.name});
      }
      if (!online_table(t)) {
        add(Step::index, emit::create_index(t.name, ix) + doc, emit::drop_index(QualifiedName{t.name.schema, ix.name}),
            verify)
            .change = ch;
        continue;
      }
      ch.online = true;
      build_concurrently(t, ix, doc, verify, ch);
    }
    for (const auto& tr : p.triggers) {
      const model::Trigger* now = find_named(t.triggers, tr.name);
      if (!now || !(undocumented(tr) == undocumented(*now)) || forced(t, *now)) drop_trigger_first(p, tr);
    }
    for (const auto& tr : t.triggers) {
      const model::Trigger* old = find_named(p.triggers, tr.name);
      if (!old || !(undocumented(tr) == undocumented(*old)) || forced(t, tr))
        add(Step::trigger,
            emit::create_trigger(t, tr) + (old ? comment_sql(emit::trigger_target(t.name, tr.name), tr.doc) : ""),
            emit::drop_trigger(t.name, tr.name), {trigger_exists(t.name, tr.name)})
            .change = change(ChangeKind::create_trigger, t.name, tr.name, tr.origin);
    }
    // Row level security.
    if (p.row_level_security != t.row_level_security || p.force_row_level_security != t.force_row_level_security) {
      auto statements = [&](const Table& from, const Table& to) {
        std::string out;
        auto line = [&](const char* what) {
          out += (out.empty() ? "" : "\n") + emit::row_level_security(t.name, what);
        };
        if (from.row_level_security != to.row_level_security) line(to.row_level_security ? "ENABLE" : "DISABLE");
        if (from.force_row_level_security != to.force_row_level_security)
          line(to.force_row_level_security ? "FORCE" : "NO FORCE");
        return out;
      };
      add(Step::row_level_security, statements(p, t), statements(t, p),
          {emit::row_level_security_is(t.name, t.row_level_security, t.force_row_level_security)});
    }
    // Policies: ALTER POLICY where PostgreSQL allows it (roles and expressions of the
    // same command and kind; an expression can be changed but not removed), otherwise
    // dropped and created again.
    auto recreate = [&](const model::Policy& before, const model::Policy& after) {
      return before.command != after.command || before.permissive != after.permissive ||
             before.using_sql.has_value() != after.using_sql.has_value() ||
             before.check_sql.has_value() != after.check_sql.has_value() || forced(after) ||
             // ALTER POLICY's inverse would name what the renames have not yet restored
             (!renames_.empty() && (before.using_sql != after.using_sql || before.check_sql != after.check_sql));
    };
    for (const auto& pol : p.policies) {
      const model::Policy* now = find_named(t.policies, pol.name);
      if (!now || recreate(pol, *now)) drop_policy_first(p, pol);
    }
    for (const auto& pol : t.policies) {
      const model::Policy* old = find_named(p.policies, pol.name);
      if (!old || recreate(*old, pol)) {
        add(Step::policy,
            emit::create_policy(t, pol) + (old ? comment_sql(emit::policy_target(t.name, pol.name), pol.doc) : ""),
            emit::drop_policy(t.name, pol.name), {policy_exists(t.name, pol.name)})
            .change = change(ChangeKind::create_policy, t.name, pol.name, pol.origin);
      } else if (!(undocumented(*old) == undocumented(pol))) {
        add(Step::policy, emit::alter_policy(t.name, *old, pol), emit::alter_policy(t.name, pol, *old),
            {policy_exists(t.name, pol.name)})
            .change = change(ChangeKind::alter_policy, t.name, pol.name, pol.origin);
      }
    }
    plan_grants(t.name, "TABLE " + t.name.sql(), p.grants, t.grants, relation_privileges(),
                [&](const std::string& role, const std::string& priv, bool held) {
                  return privilege_is(t.name, role, priv, held);
                });
    table_comments(&p, &t);
  }

  // A generated column whose expression changes (or that becomes generated, or reads
  // a column that changes): dropped before the renames under its original name, and
  // added again after the column changes, with its comment; the indexes and
  // constraints on it are forced to be re-created around it.
  void regenerate_column(const Table& p, const Table& t, const Column& old, const Column& c) {
    const Table& o = original(p);
    Column before = old;
    before.name = original_column(p, old.name);
    if (const Column* oc = o.find_column(before.name)) before = *oc;
    dropped_first_.insert({p.name, "column:" + c.name});
    std::string column_comment = emit::column_target(o.name, before.name);
    std::string target = emit::column_target(t.name, c.name);
    // A plain column that becomes generated loses its values in up. Down adds it back
    // empty, as it was declared; a NOT NULL one without a default could not be added
    // to a table with rows, so down keeps the computed values (DROP EXPRESSION).
    bool keep_values = !old.generated_sql && before.name == c.name && old.type == c.type && !old.nullable &&
                       !old.default_sql && !old.identity;
    std::string restore_down, restore_plain;
    if (keep_values) {
      restore_plain = emit::drop_column_expression(t.name, c.name);
      if (old.identity) restore_plain += "\n" + emit::add_column_identity(t.name, c.name);
      if (old.default_sql) restore_plain += "\n" + emit::set_column_default(t.name, c.name, *old.default_sql);
      bool was_not_null = !old.nullable || old.identity, not_null = !c.nullable || c.identity;
      if (was_not_null != not_null) restore_plain += "\n" + emit::set_column_not_null(t.name, c.name, was_not_null);
      if (old.doc != c.doc) restore_plain += "\n" + emit::comment_on(target, old.doc);
    } else {
      restore_down = emit::add_column(o.name, before) + comment_sql(column_comment, before.doc);
    }
    add(Step::drop_generated, emit::drop_column(o.name, before.name), restore_down).change =
        change(ChangeKind::regenerate_column, t.name, c.name, c.origin);
    add(Step::add_generated, emit::add_column(t.name, c) + comment_sql(target, c.doc),
        keep_values ? restore_plain : emit::drop_column(t.name, c.name), {column_is(t.name, c)})
        .change = change(ChangeKind::regenerate_column, t.name, c.name, c.origin);
    if (!old.generated_sql)
      notes_.push_back("column " + t.name.display() + "." + c.name +
                       " becomes generated: its stored values are replaced by computed ones" +
                       (keep_values ? "; down keeps the computed values" : "; down re-creates it empty"));
  }

  // The calls come from the policy's parse trees (check records them).
  bool mentions_changed_function(const model::Policy& p) const {
    for (const auto& f : p.calls)
      if (changed_functions_.count(f)) return true;
    return false;
  }

  template <typename T>
  static const T* find_named(const std::vector<T>& v, const std::string& name) {
    for (const auto& x : v)
      if (x.name == name) return &x;
    return nullptr;
  }

  void alter_column(const Table& p, const Table& t, const Column& old, const Column& c) {
    const QualifiedName& table = t.name;
    const std::string& col = c.name;
    // A default that calls a function whose signature changes is dropped before the
    // function (under the original names) and set again after it.
    // The old default's calls are not known (the snapshot is not checked again): one
    // that differs from the new is reset too while any function changes signature.
    bool default_reset = old.default_sql && ((c.default_sql && calls_changed_function(c.uses)) ||
                                             (!changed_functions_.empty() && old.default_sql != c.default_sql));
    if (default_reset) {
      const Table& o = original(p);
      std::string column = original_column(p, old.name);
      add(Step::drop_default, emit::drop_column_default(o.name, column),
          emit::set_column_default(o.name, column, *old.default_sql))
          .change = change(ChangeKind::alter_column, t.name, c.name, c.origin);
    }
    // Up and down are each written in the order they run.
    bool retype = !same_type(old.type, c.type);
    if (retype && t.distribution && !t.distribution->reference && t.distribution->column == c.name) {
      refused_.push_back(change(ChangeKind::alter_column_type, t.name, c.name, c.origin));
      diags_.error(where(c.origin), "the type of " + t.name.display() + "." + c.name +
                                        " cannot change: it is the distribution column (Citus refuses ALTER TABLE "
                                        "on it); distribute the table by another column first");
    }
    if (adds_identity_on_citus(t, &old, c))
      diags_.error(where(c.origin), "identity cannot be added to " + t.name.display() + "." + c.name + ": Citus " +
                                        "refuses identity columns added to a distributed or reference table");
    bool was_not_null = !old.nullable || old.identity, not_null = !c.nullable || c.identity;
    std::vector<std::string> up, down;
    bool adds_identity = c.identity && !old.identity, drops_identity = old.identity && !c.identity;
    bool old_default = old.default_sql && !default_reset, new_default = c.default_sql && !default_reset;
    // Up. Identity needs NOT NULL first, and leaves it behind when removed.
    if (old.generated_sql && !c.generated_sql) up.push_back(emit::drop_column_expression(table, col));
    // A serial column's sequence: made (counting on from the largest value) or
    // dropped with the default it gives; retyped with the column.
    QualifiedName sequence{table.schema, names::make_object_name(table.name, col, "seq")};
    std::string make_serial =
        "CREATE SEQUENCE " + sequence.sql() + " AS " + c.type.sql() + " OWNED BY " + table.sql() + "." +
        names::quote(col) + ";\nSELECT setval(" + emit::sql_string(sequence.sql()) + ", coalesce(max(" +
        names::quote(col) + "), 0) + 1, false) FROM " + table.sql() + ";\n" +
        emit::set_column_default(table, col, "nextval(" + emit::sql_string(sequence.sql()) + "::regclass)");
    std::string remake_serial = make_serial;
    if (!(old.type == c.type))  // down makes it for the old type
      remake_serial.replace(remake_serial.find(" AS " + c.type.sql()), 4 + c.type.sql().size(),
                            " AS " + old.type.sql());
    std::string drop_serial = emit::drop_column_default(table, col) + "\n" + emit::drop_sequence(sequence);
    bool adds_serial = c.serial && !old.serial, drops_serial = old.serial && !c.serial;
    if (drops_serial) up.push_back(drop_serial);
    if (retype && old.serial && c.serial)
      up.push_back("ALTER SEQUENCE " + sequence.sql() + " AS " + c.type.sql() + ";");
    if (retype) {
      if (old_default) up.push_back(emit::drop_column_default(table, col));  // may not fit the new type
      up.push_back(emit::alter_column_type(table, col, c.type));
    }
    if (drops_identity) up.push_back(emit::drop_column_identity(table, col));
    if (c.default_sql && (retype || c.default_sql != old.default_sql || default_reset))
      up.push_back(emit::set_column_default(table, col, *c.default_sql));
    if (!c.default_sql && old.default_sql && !retype && !default_reset)
      up.push_back(emit::drop_column_default(table, col));
    // NOT NULL on a column that keeps its type: proved by a check added NOT VALID and
    // validated in later phases, so that SET NOT NULL does not scan under its lock.
    bool online_not_null = not_null && !was_not_null && !retype && !adds_identity && online_table(t);
    if (was_not_null != not_null && !online_not_null) up.push_back(emit::set_column_not_null(table, col, not_null));
    if (adds_identity) up.push_back(emit::add_column_identity(table, col));
    if (adds_serial) up.push_back(make_serial);
    // Down: the same steps undone, last first.
    if (adds_serial) down.push_back(drop_serial);
    if (adds_identity) down.push_back(emit::drop_column_identity(table, col));
    if (was_not_null != not_null && !online_not_null)
      down.push_back(emit::set_column_not_null(table, col, was_not_null));
    if (retype && new_default) down.push_back(emit::drop_column_default(table, col));
    if (default_reset && c.default_sql) down.push_back(emit::drop_column_default(table, col));
    if (!retype && !default_reset && old.default_sql != c.default_sql)
      down.push_back(old.default_sql ? emit::set_column_default(table, col, *old.default_sql)
                                     : emit::drop_column_default(table, col));
    if (drops_identity) down.push_back(emit::add_column_identity(table, col));
    if (retype) {
      down.push_back(emit::alter_column_type(table, col, old.type));
      if (old_default) down.push_back(emit::set_column_default(table, col, *old.default_sql));
    }
    if (retype && old.serial && c.serial)
      down.push_back("ALTER SEQUENCE " + sequence.sql() + " AS " + old.type.sql() + ";");
    if (drops_serial) down.push_back(remake_serial);
    if (old.generated_sql && !c.generated_sql)
      down.push_back(emit::drop_column(table, col) + "\n" + emit::add_column(table, old));
    if (online_not_null) set_not_null_online(t, old, c);
    if (up.empty() && down.empty()) return;
    Change ch = altered_column(t, old, c);
    ch.scans_table = not_null && !was_not_null && !online_not_null;
    add(Step::column, join(up, "\n"), join(down, "\n"), {column_is(t.name, c)}).change = ch;
    if (old.generated_sql && !c.generated_sql) expression_dropped_.push_back({t.name, c.name});
  }

  // A confirmed column drop. Its values are kept by primary key in the retention
  // schema, and down puts them back; a generated column is computed again instead.
  void drop_column(const Table& t, const Column& c) {
    const Constraint* key = nullptr;
    for (const auto& k : t.constraints)
      if (k.kind == ConstraintKind::primary_key) key = &k;
    Change dropped = change(ChangeKind::drop_column, t.name, c.name, t.origin);
    std::string what = "column " + t.name.display() + "." + c.name;
    // Column drops run after the archives: a table archived by this migration has its
    // archived name by then (and still has it when down restores the column).
    auto archived = archived_name_.find(t.name);
    const QualifiedName& table = archived == archived_name_.end() ? t.name : archived->second;
    if (c.generated_sql || !key) {
      add(Step::drop_column, emit::drop_column(table, c.name), emit::add_column(table, c), {column_gone(table, c.name)})
          .change = dropped;
      if (!c.generated_sql)
        notes_.push_back(what + " is dropped; " + t.name.display() +
                         " has no primary key to keep its values by (a row's ctid changes with every update and "
                         "VACUUM FULL, so values kept by it could land on the wrong rows), so down re-creates it "
                         "empty" +
                         (!c.nullable && !c.default_sql && !c.identity ? " (and fails if the table has rows)" : ""));
      return;
    }
    emit::Retention r;
    r.copy = {emit::retention_schema, retained_name(t.name, c.name)};
    r.table = table;
    for (const auto& k : key->columns)
      if (const Column* col = t.find_column(k)) r.key.push_back(col);
    r.forced_row_security = t.row_level_security && t.force_row_level_security;
    dropped.detail = r.copy.display();
    add(Step::drop_column,
        emit::retain_column(
            r, c, "schemac: the values of " + what + " dropped by " + migration_label() + ", kept for its down") +
            "\n" + emit::drop_column(table, c.name),
        emit::restore_column(r, c), {column_gone(table, c.name), relation_exists(r.copy, "retained copy")})
        .change = dropped;
    notes_.push_back(what + " is dropped; its values are kept in " + r.copy.display() + " and down restores them");
  }
  std::string migration_label() const { return migration_.empty() ? "this migration" : "migration " + migration_; }
  // One name per migration and column, at most 63 bytes. A hash of the parts keeps
  // apart names that would otherwise meet: long ones cut short, and two columns that
  // spell the same (a_b.c and a.b_c) in one migration.
  std::string retained_name(const QualifiedName& table, const std::string& column) {
    std::string prefix = migration_.empty() ? "pending" : "m" + migration_;
    std::string name = prefix + "_" + table.schema + "_" + table.name + "_" + column;
    if (name.size() <= names::max_identifier_bytes && retained_names_.insert(name).second) return name;
    std::uint32_t h = 2166136261u;  // FNV-1a: the same on every machine
    for (const std::string* part : {&table.schema, &table.name, &column}) {
      for (unsigned char ch : *part) h = (h ^ ch) * 16777619u;
      h = (h ^ 0x1fu) * 16777619u;  // a separator no name holds
    }
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", h);
    std::size_t cut = std::min(name.size(), names::max_identifier_bytes - 9);
    while (cut > 0 && cut < name.size() && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    name = name.substr(0, cut) + "_" + hex;
    // The same table kept twice more in one migration (by three data steps): numbered.
    std::string base = name.substr(0, std::min(name.size(), names::max_identifier_bytes - 5));
    for (int n = 2; !retained_names_.insert(name).second; ++n) name = base + "_" + std::to_string(n);
    return name;
  }

  // ---- views and materialized views ---------------------------------------------------------

  struct Relation {
    QualifiedName name;
    const model::View* view = nullptr;
    const model::MaterializedView* matview = nullptr;
    const std::vector<QualifiedName>& reads() const { return view ? view->reads : matview->reads; }
    const std::vector<QualifiedName>& calls() const { return view ? view->calls : matview->calls; }
    const model::Uses& uses() const { return view ? view->uses : matview->uses; }
    const model::Doc& doc() const { return view ? view->doc : matview->doc; }
    const std::vector<model::Grant>& grants() const { return view ? view->grants : matview->grants; }
  };

  static std::vector<Relation> view_order(const Schema& s) {
    std::vector<Relation> all;
    for (const auto& v : s.views) all.push_back({v.name, &v, nullptr});
    for (const auto& v : s.materialized_views) all.push_back({v.name, nullptr, &v});
    std::sort(all.begin(), all.end(), [](const Relation& a, const Relation& b) { return a.name < b.name; });
    // Depth first over what each reads (found by name, visited in name order), so
    // the cost follows the edges, not the pairs.
    std::map<QualifiedName, std::size_t> by_name;
    for (std::size_t i = 0; i < all.size(); ++i) by_name.emplace(all[i].name, i);
    std::vector<Relation> order;
    std::vector<int> state(all.size(), 0);  // 0 new, 1 on the path, 2 done
    std::function<void(std::size_t)> visit = [&](std::size_t i) {
      state[i] = 1;
      std::vector<std::size_t> read;
      for (const auto& n : all[i].reads())
        if (auto it = by_name.find(n); it != by_name.end() && it->second != i) read.push_back(it->second);
      std::sort(read.begin(), read.end());
      for (std::size_t j : read)
        if (state[j] == 0) visit(j);
      state[i] = 2;
      order.push_back(all[i]);
    };
    for (std::size_t i = 0; i < all.size(); ++i)
      if (state[i] == 0) visit(i);
    return order;
  }

  // CREATE VIEW or MATERIALIZED VIEW with its indexes and grants.
  static std::string create_relation(const Relation& r) {
    std::string out = r.view ? emit::create_view(*r.view) : emit::create_materialized_view(*r.matview);
    if (r.matview)
      for (const auto& ix : r.matview->indexes) out += "\n" + emit::create_index(r.name, ix);
    std::string grants = emit::privileges("TABLE " + r.name.sql(), r.grants());
    return out + (grants.empty() ? "" : "\n" + grants);
  }
  static std::string drop_relation(const Relation& r) { return emit::drop_view(r.name, !r.view); }

  // The same definition (comments, grants and a materialized view's indexes change
  // on their own).
  static bool same_relation(const Relation& a, const Relation& b) {
    if (a.view && b.view) {
      auto x = undocumented(*a.view), y = undocumented(*b.view);
      x.grants.clear();
      y.grants.clear();
      return x == y;
    }
    if (a.matview && b.matview) {
      auto x = undocumented(*a.matview), y = undocumented(*b.matview);
      x.indexes.clear();
      y.indexes.clear();
      x.grants.clear();
      y.grants.clear();
      return x == y;
    }
    return false;
  }

  // What must be re-created: changed definitions, views over columns that change
  // type or are added again, views calling a function whose signature changes, and
  // (transitively) views over those. Worked out before the tables, whose policies
  // may read these views.
  void plan_view_rebuilds() {
    std::map<QualifiedName, Relation> old;
    for (const auto& r : view_order(prev_)) old[r.name] = r;
    for (const auto& r : view_order(want_)) {
      auto it = old.find(r.name);
      if (it == old.end()) continue;
      bool changed = !same_relation(it->second, r);
      changed |= reads_changed_column(r.uses());
      for (const auto& f : r.calls()) changed |= changed_functions_.count(f) > 0;
      for (const auto& n : r.reads()) changed |= views_to_rebuild_.count(n) > 0 || redistributed_.count(n) > 0;
      if (changed) views_to_rebuild_.insert(r.name);
    }
  }

  void plan_views() {
    auto before = view_order(prev_), after = view_order(want_);
    std::map<QualifiedName, Relation> old, now;
    for (const auto& r : before) old[r.name] = r;
    for (const auto& r : after) now[r.name] = r;
    const std::set<QualifiedName>& rebuild = views_to_rebuild_;
    std::set<QualifiedName> late_views;
    // Drops, dependents first.
    for (auto it = before.rbegin(); it != before.rend(); ++it) {
      bool gone = !now.count(it->name);
      if (gone || rebuild.count(it->name)) {
        rebuilt_views_.insert(it->name);
        // Down re-creates it with its comments (and a materialized view's indexes).
        std::string restore = create_relation(*it) + comment_sql(emit::view_target(it->name, !it->view), it->doc());
        if (it->matview)
          for (const auto& ix : it->matview->indexes)
            restore += comment_sql(emit::index_target(it->name, ix.name), ix.doc);
        add(Step::drop_view, drop_relation(*it), restore).change = change(ChangeKind::drop_view, it->name);
      }
    }
    for (const auto& r : after) {
      auto it = old.find(r.name);
      bool fresh = it == old.end() || rebuild.count(r.name);
      std::vector<Check> verify = {relation_exists(r.name, r.view ? "view" : "materialized view")};
      for (const auto& g : r.grants())
        for (const auto& priv : privilege_set(g)) verify.push_back(privilege_is(r.name, g.role, priv, true));
      if (fresh) {
        // A view over a table archived by this migration waits for the archive.
        bool late = false;
        for (const auto& n : r.reads()) late |= archived_now_.count(n) || late_views.count(n);
        if (late) late_views.insert(r.name);
        add(late ? Step::late_view : Step::view, create_relation(r), drop_relation(r), verify).change =
            change(ChangeKind::create_view, r.name, "", r.view ? r.view->origin : r.matview->origin);
        view_comments(nullptr, &r, true, false);
        continue;
      }
      if (r.matview) {
        // Same materialized view: its indexes change on their own, with their comments.
        for (const auto& ix : it->second.matview->indexes) {
          const Index* n = find_named(r.matview->indexes, ix.name);
          if (n && same_definition(ix, *n)) continue;
          dropped_first_.insert({r.name, "index:" + ix.name});
          add(Step::drop_index, emit::drop_index(QualifiedName{r.name.schema, ix.name}),
              emit::create_index(r.name, ix) + comment_sql(emit::index_target(r.name, ix.name), ix.doc));
        }
        for (const auto& ix : r.matview->indexes) {
          const Index* o = find_named(it->second.matview->indexes, ix.name);
          if (!o || !same_definition(ix, *o))
            add(Step::view,
                emit::create_index(r.name, ix) + (o ? comment_sql(emit::index_target(r.name, ix.name), ix.doc) : ""),
                emit::drop_index(QualifiedName{r.name.schema, ix.name}),
                {relation_exists({r.name.schema, ix.name}, "index")});
        }
      }
      plan_grants(r.name, "TABLE " + r.name.sql(), it->second.grants(), r.grants(), relation_privileges(),
                  [&](const std::string& role, const std::string& priv, bool held) {
                    return privilege_is(r.name, role, priv, held);
                  });
      view_comments(&it->second, &r, false, false);
    }
  }

  void view_comments(const Relation* before, const Relation* after, bool fresh, bool going) {
    const Relation& any = after ? *after : *before;
    static const model::Doc none;
    auto doc = [](const Relation* r) -> const model::Doc& {
      if (!r) return none;
      return r->view ? r->view->doc : r->matview->doc;
    };
    comment(emit::view_target(any.name, !any.view), fresh ? none : doc(before), going ? none : doc(after), fresh,
            going);
    std::map<std::string, model::Doc> old_docs, new_docs;
    if (before && before->matview && !fresh)
      for (const auto& ix : before->matview->indexes) old_docs[ix.name] = ix.doc;
    if (after && after->matview && !going)
      for (const auto& ix : after->matview->indexes) new_docs[ix.name] = ix.doc;
    if (going && before && before->matview)
      for (const auto& ix : before->matview->indexes) old_docs[ix.name] = ix.doc;
    for (const auto& [name, d] : new_docs) {
      if (!fresh && dropped_first_.count({any.name, "index:" + name})) continue;  // carries its comment
      auto it = old_docs.find(name);
      comment("INDEX " + QualifiedName{any.name.schema, name}.sql(), it == old_docs.end() ? none : it->second, d,
              fresh || it == old_docs.end(), false);
    }
    for (const auto& [name, d] : old_docs)
      if (!new_docs.count(name) && !dropped_first_.count({any.name, "index:" + name}))
        comment("INDEX " + QualifiedName{any.name.schema, name}.sql(), d, none, false, true);
  }

  // ---- data steps -------------------------------------------------------------------------

  static std::string statement(const std::string& body) {
    auto b = body.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    auto e = body.find_last_not_of(" \t\r\n");
    std::string sql = body.substr(b, e - b + 1);
    if (sql.back() != ';') sql += ';';
    return sql;
  }

  void plan_data_steps() {
    std::set<std::string> done;
    for (const auto& d : prev_.data_steps) done.insert(d.name);
    // What the migration removes, which a data step run after its transaction would
    // no longer see as the step's SQL was checked (before the contractions).
    std::string contracts;
    for (const auto& op : ops_)
      if (op.step == Step::archive || op.step == Step::drop_column || op.step == Step::drop_table ||
          op.step == Step::drop_partition || op.step == Step::drop_sequence || op.step == Step::drop_function ||
          op.step == Step::drop_enum || op.step == Step::drop_schema)
        if (contracts.empty() && !op.change.subject.name.empty())
          contracts = std::string(change_name(op.change.kind)) + " " + op.change.subject.display();
    for (const auto& d : want_.data_steps) {
      if (done.count(d.name)) continue;
      // A statement PostgreSQL cannot run in a transaction block (VACUUM, CREATE INDEX
      // CONCURRENTLY, ...) puts the step in the phase outside a transaction, after the
      // migration's transactional changes: statement by statement, each committed.
      std::vector<check::StatementKind> outside = check::classify_statements(d.up).outside_transaction;
      if (d.down) {
        auto more = check::classify_statements(*d.down).outside_transaction;
        outside.insert(outside.end(), more.begin(), more.end());
      }
      if (!outside.empty() && !contracts.empty()) {
        diags_.error(where(d.origin),
                     "data step " + d.name + " holds " + outside.front().what +
                         ", which PostgreSQL runs only outside a transaction: the step then runs after the "
                         "migration's transactional changes, when " +
                         contracts +
                         " has happened already (its SQL was checked against the state before). Plan the step "
                         "in a migration of its own, before or after this one");
        continue;
      }
      if (!outside.empty())
        notes_.push_back("data step " + d.name + " holds " + outside.front().what +
                         ": it runs outside a transaction, statement by statement, after the migration's other "
                         "changes (a failure leaves the statements before it done; `migrate up` resumes)");
      std::string up = "-- data step " + d.name + "\n" + statement(d.up);
      std::string down = d.down ? "-- undo data step " + d.name + "\n" + statement(*d.down)
                                : "-- data step " + d.name + " has no down step";
      std::vector<Check> verify;
      if (!d.retain.empty() && !outside.empty())  // check refuses it first; never silently unkept
        diags_.error(where(d.origin), "data step " + d.name + " retains rows but holds " + outside.front().what +
                                          ", which runs outside a transaction");
      else if (!d.retain.empty())
        keep_deleted_rows(d, up, down, verify);
      add(outside.empty() ? Step::data : Step::data_outside, up, down, verify).change =
          change(ChangeKind::data_step, {}, d.name, d.origin);
    }
  }

  // `retain T, ...` on a data step: the rows its up deletes from each table are copied
  // into the retention schema while it runs, and put back after its down; tables
  // referenced by others come back first.
  void keep_deleted_rows(const model::DataStep& d, std::string& up, std::string& down, std::vector<Check>& verify) {
    // Each table as the database names it while data steps run: a table archived by an
    // earlier migration under its archived name, one archived by this migration still
    // under its declared name (either name may be written).
    std::vector<std::pair<QualifiedName, const Table*>> tables;
    for (std::size_t i = 0; i < d.retain.size(); ++i) {
      const QualifiedName& n = d.retain[i];
      QualifiedName live = n;
      for (const auto& t : desired_.tables) {
        if (!t.archived_as || (t.name != n && t.live_name() != n)) continue;
        live = archived_name_.count(t.name) ? t.name : t.live_name();
      }
      const Table* t = find(want_, live);
      if (!t) t = find(prev_, live);
      // A table this migration drops is known only from the previous state.
      bool partition = std::any_of(prev_.partitions.begin(), prev_.partitions.end(),
                                   [&](const model::Partition& p) { return p.name == live; });
      if (partition || (t && t->distribution)) {
        diags_.error(where(d.retain_origins[i]),
                     "data step " + d.name + " retains the rows it deletes from " + n.display() + ", which is " +
                         (partition ? std::string("a partition: retain its table (the rows of every partition are "
                                                  "kept)")
                                    : std::string("a Citus table: keeping deleted rows takes a trigger that schemac "
                                                  "does not put on Citus tables")));
        continue;
      }
      tables.emplace_back(live, t);
    }
    auto refers_to = [](const Table* from, const QualifiedName& to) {
      return from && std::any_of(from->constraints.begin(), from->constraints.end(), [&](const Constraint& c) {
               return is_foreign_key(c) && c.ref_table == to && c.ref_table != from->name;
             });
    };
    std::vector<std::pair<QualifiedName, const Table*>> order;  // referenced tables first
    while (!tables.empty()) {
      auto next = std::find_if(tables.begin(), tables.end(), [&](const auto& a) {
        return std::none_of(tables.begin(), tables.end(),
                            [&](const auto& b) { return &a != &b && b.second && refers_to(a.second, b.second->name); });
      });
      if (next == tables.end()) next = tables.begin();  // a cycle: as written
      order.push_back(*next);
      tables.erase(next);
    }
    std::string start, stop, restore;
    for (const auto& [name, table] : order) {
      QualifiedName kept{emit::retention_schema, retained_name(name, "rows")};
      start += emit::keep_deleted_rows_start(name, kept,
                                             "schemac: rows data step " + d.name + " of " + migration_label() +
                                                 " deleted from " + name.display() + ", kept for its down") +
               "\n";
      stop += "\n" + emit::keep_deleted_rows_stop(name);
      restore += "\n-- rows data step " + d.name + " deleted from " + name.display() + " come back\n" +
                 emit::restore_deleted_rows(name, kept,
                                            "rows of " + name.display() + " kept in " + kept.display() +
                                                " were purged (schemac migrate purge); this down cannot restore them");
      verify.push_back(relation_exists(kept, "kept rows"));
      notes_.push_back("data step " + d.name + " keeps the rows it deletes from " + name.display() + " in " +
                       kept.display() +
                       "; down puts them back after the step's own down (rows the step inserted or updated are its "
                       "down's to undo). Its triggers lock " +
                       name.display() + " against writes (SHARE ROW EXCLUSIVE) until the migration commits");
    }
    if (order.empty()) return;
    up = "-- data step " + d.name + " keeps the rows it deletes\n" + start + up + stop;
    down += restore;
  }

  const Schema& previous_;
  const Schema& desired_;
  Diagnostics& diags_;
  std::string migration_;
  std::set<std::string> retained_names_;  // of this migration's retained copies
  bool citus_ = false;                    // a state before or after has distributed or reference tables
  std::map<const Schema*, std::map<QualifiedName, const Table*>> table_index_;
  Schema prev_, want_;
  Schema orig_;  // the previous state as the database holds it before any rename
  std::vector<Rename> renames_;
  std::map<QualifiedName, QualifiedName> origin_table_;                         // renamed (previous state) -> original
  std::map<std::pair<QualifiedName, std::string>, std::string> origin_object_;  // constraint or index
  std::map<std::pair<QualifiedName, std::string>, std::string> origin_column_;
  std::set<std::pair<QualifiedName, std::string>> dropped_first_;  // (table, "kind:name") dropped before the renames
  // (table, "kind:name") created in a later phase with its comment in the same statement
  std::set<std::pair<QualifiedName, std::string>> commented_late_;
  std::set<model::ColumnUse> retyped_, regenerated_;
  std::set<QualifiedName> archived_now_;                  // live names of the tables this migration archives
  std::map<QualifiedName, QualifiedName> archived_name_;  // those tables: declared name -> live name
  std::set<QualifiedName> recreated_enums_;               // enums whose down re-creates the type
  std::set<QualifiedName> rebuilt_views_;                 // views and materialized views dropped by up
  std::set<QualifiedName> views_to_rebuild_;              // existing views created again
  std::set<QualifiedName> redistributed_;                 // Citus: existing tables whose distribution changes
  std::vector<Change> refused_;
  std::vector<model::ColumnUse> expression_dropped_;       // generated columns that become plain
  std::vector<std::pair<Table, std::string>> unarchived_;  // (table, its archived name) brought back
  std::deque<Op> ops_;  // a deque: never moved as it grows, and add()'s references stay valid
  std::vector<std::string> notes_;
  std::set<QualifiedName> changed_functions_;       // names with an overload that changes signature or goes
  std::set<model::FunctionId> changed_signatures_;  // overloads dropped and created again
  std::set<std::pair<QualifiedName, std::vector<std::string>>> rebuilt_keys_;  // (table, key columns)
};

}  // namespace

Plan plan_migration(const Schema& previous, const Schema& desired, Diagnostics& diags, const std::string& migration) {
  diags.set_kind("plan");
  Plan plan = Planner(previous, desired, diags, migration).run();
  plan_assertions(previous, desired, plan);
  diags.set_kind("");
  return plan;
}

}  // namespace schemac::plan
