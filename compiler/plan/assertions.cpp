#include "plan/assertions.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace schemac::plan {
namespace {

using model::QualifiedName;

// What an assertion's result depends on: the relations it reads, the relations under
// the views it reads, a partitioned table's partitions; tables by their declared and
// their live (archived) name.
std::set<QualifiedName> depends_on(const model::Assertion& a, const model::Schema& s) {
  std::set<QualifiedName> out;
  std::vector<QualifiedName> todo(a.reads.begin(), a.reads.end());
  auto more = [&](const model::DerivedNames& names) { todo.insert(todo.end(), names.begin(), names.end()); };
  while (!todo.empty()) {
    QualifiedName n = todo.back();
    todo.pop_back();
    if (!out.insert(n).second) continue;
    for (const auto& t : s.tables)
      if (t.name == n || t.live_name() == n) out.insert(t.name), out.insert(t.live_name());
    for (const auto& v : s.views)
      if (v.name == n) more(v.reads);
    for (const auto& v : s.materialized_views)
      if (v.name == n) more(v.reads);
    for (const auto& p : s.partitions) {
      if (p.parent == n) todo.push_back(p.name);
      if (p.name == n) todo.push_back(p.parent);
    }
  }
  return out;
}

// The relations the migration's statements change; nullopt when a data step calls a
// function of the schema, which may change any of them.
std::optional<std::set<QualifiedName>> changed_relations(const Plan& plan, const model::Schema& desired) {
  std::set<QualifiedName> out;
  for (const auto& op : plan.ops) {
    // Comments and grants change no row (the verify file runs as the migrating role).
    if (op.up.empty() || op.step == Step::comment || op.step == Step::grant) continue;
    const Change& c = op.change;
    if (c.kind == ChangeKind::data_step) {
      auto step = std::find_if(desired.data_steps.begin(), desired.data_steps.end(),
                               [&](const model::DataStep& d) { return d.name == c.member; });
      if (step == desired.data_steps.end()) return std::nullopt;
      for (const auto& f : step->calls)
        if (std::any_of(desired.functions.begin(), desired.functions.end(),
                        [&](const model::Function& fn) { return !fn.is_extern && fn.name == f; }))
          return std::nullopt;
      out.insert(step->names.begin(), step->names.end());
      continue;
    }
    if (!c.subject.name.empty()) out.insert(c.subject);
    if (c.previous_name) out.insert(*c.previous_name);
    if (op.lock) out.insert(op.lock->table);
  }
  return out;
}

Op assertion_op(ChangeKind kind, const model::Assertion& a, std::string detail = "") {
  Op op;
  op.step = Step::late_validate;  // the last step: plan.ops stays in step order
  if (kind != ChangeKind::drop_assertion) op.verify.push_back(emit::assertion_holds(a));
  op.change.kind = kind;
  op.change.subject = {"public", a.name};
  op.change.detail = std::move(detail);
  op.change.origin = a.origin;
  return op;
}

}  // namespace

void plan_assertions(const model::Schema& previous, const model::Schema& desired, Plan& plan) {
  if (previous.assertions.empty() && desired.assertions.empty()) return;
  std::map<std::string, const model::Assertion*> before;
  for (const auto& a : previous.assertions) before[a.name] = &a;
  auto changed = changed_relations(plan, desired);
  std::vector<Op> ops;
  for (const auto& a : desired.assertions) {
    auto it = before.find(a.name);
    if (it == before.end()) {
      ops.push_back(assertion_op(ChangeKind::create_assertion, a));
    } else if (it->second->query != a.query) {
      ops.push_back(assertion_op(ChangeKind::alter_assertion, a));
    } else if (!changed) {
      ops.push_back(assertion_op(ChangeKind::check_assertion, a, "a data step calls a function of the schema"));
    } else {
      for (const auto& r : depends_on(a, desired))
        if (changed->count(r)) {
          ops.push_back(assertion_op(ChangeKind::check_assertion, a, r.display()));
          break;
        }
    }
  }
  // A removal is nothing in the database: it goes with a migration that does something.
  if (!plan.ops.empty() || !ops.empty())
    for (const auto& a : previous.assertions)
      if (std::none_of(desired.assertions.begin(), desired.assertions.end(),
                       [&](const model::Assertion& x) { return x.name == a.name; }))
        ops.push_back(assertion_op(ChangeKind::drop_assertion, a));
  for (auto& op : ops) plan.ops.push_back(std::move(op));
}

}  // namespace schemac::plan
