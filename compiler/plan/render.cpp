#include "plan/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <sstream>

#include "emit/alter.hpp"
#include "emit/ddl.hpp"
#include "schemac/migration_file.hpp"

namespace schemac::plan {
namespace {

bool touches_functions(const std::vector<const Op*>& ops) {
  for (const Op* op : ops)
    if (op->step == Step::function || op->step == Step::row_type_function || op->step == Step::drop_function ||
        op->step == Step::drop_function_for_change)
      return true;
  return false;
}

std::string head(const std::string& header) {
  std::string out;
  std::istringstream lines(header);
  for (std::string line; std::getline(lines, line);) out += line.empty() ? "--\n" : "-- " + line + "\n";
  return out;
}

// Appends the statements of `ops` (pointers, in the order to print) to `out`, under
// a short comment per step, a blank line between statements.
template <typename Text>
void body(std::string& out, const std::vector<const Op*>& ops, Text text, const char* prefix) {
  const char* current = nullptr;
  for (const Op* op : ops) {
    const std::string& sql = text(*op);
    if (sql.empty()) continue;
    const char* title = step_title(op->step);
    if (title != current) {
      out += "\n-- ";
      out += prefix;
      out += title;
      out += "\n";
      current = title;
    }
    out += "\n";
    out += sql;
    out += "\n";
  }
}

// The marker line that opens a phase (migration_file.hpp), with what the phase is.
std::string marker(Phase phase, std::size_t number, std::size_t count, const char* prefix) {
  std::string out = "\n";
  out += in_transaction(phase) ? migration_file::commit_marker : migration_file::outside_transaction_marker;
  out += fmt::format("\n-- Phase {} of {}: {}{}\n", number, count, prefix, phase_title(phase));
  return out;
}

// Citus: the statement that opens each transaction of a plan with distributed tables.
void sequential(std::string& out, const Plan& plan, Phase phase) {
  if (plan.citus && in_transaction(phase))
    out +=
        "\n-- Citus: shard commands one connection at a time (DDL on tables linked by foreign keys)\n\n"
        "SET LOCAL citus.multi_shard_modify_mode TO 'sequential';\n";
}

// The session-local function that keeps whole tables, defined at the start of each
// phase that calls it (a resumed run may be in another session).
void retain_function(std::string& out, const std::vector<const Op*>& ops, bool Op::*retains) {
  if (std::any_of(ops.begin(), ops.end(), [&](const Op* op) { return op->*retains; }))
    out += "\n-- Keeps a whole table in " + emit::retention_schema + " (see the README: retained drops)\n\n" +
           emit::retain_table_function() + "\n";
}

// The DO block that runs `checks` and raises one exception listing every one that
// failed (the verify file's form).
std::string checks_block(const std::vector<const Check*>& checks) {
  // An assertion's query may read a column named like the block's variable: the
  // column wins there (the block itself never reads a column).
  bool assertions =
      std::any_of(checks.begin(), checks.end(), [](const Check* c) { return c->kind == emit::CheckKind::assertion; });
  std::string out;
  out.reserve(256 + checks.size() * 320);  // a check is about 250 bytes; the verify file can be the largest
  out += assertions ? "\nDO $schemac_verify$\n#variable_conflict use_column\nDECLARE\n"
                    : "\nDO $schemac_verify$\nDECLARE\n";
  out += "  missing text[] := '{}';\nBEGIN\n";
  for (const Check* c : checks) out += emit::check_statement(*c);
  out += "  IF cardinality(missing) > 0 THEN\n    RAISE EXCEPTION '";
  out += migration_file::verify_error_prefix;
  out += "%', array_to_string(missing, '; ');\n  END IF;\nEND\n$schemac_verify$;\n";
  return out;
}

// In a migration of several phases the verify file runs with the last one, after the
// main phase (data steps, archives, drops) has committed. The assertions check data,
// and no later phase changes a row, so they run at the end of the main phase too: one
// that fails there rolls back the data steps with it (the guides' "do not proceed
// unless these numbers match").
std::string main_phase_assertions(const Plan& plan) {
  std::vector<const Check*> checks;
  for (const auto& op : plan.ops)
    for (const auto& c : op.verify)
      if (c.kind == emit::CheckKind::assertion) checks.push_back(&c);
  if (checks.empty()) return "";
  return "\n-- Assertions, checked before this phase commits (and again by the verify file)\n" + checks_block(checks);
}

}  // namespace

// A plan in one phase is written as one transaction, without markers. In several,
// each phase opens with its marker; the down file has the same phases in reverse.
std::string render_up(const Plan& plan, const std::string& header) {
  std::string out = head(header);
  auto phases = plan.phases();
  auto up = [](const Op& op) -> const std::string& { return op.up; };
  bool functions = false;
  for (const auto& p : phases) functions |= touches_functions(p.ops);
  bool marked = phases.size() > 1 || (phases.size() == 1 && !in_transaction(phases[0].phase));
  for (std::size_t i = 0; i < phases.size(); ++i) {
    if (marked) out += marker(phases[i].phase, i + 1, phases.size(), "");
    sequential(out, plan, phases[i].phase);
    // Each transaction that may run in a session of its own (a resumed run) sets what
    // the first set.
    if (in_transaction(phases[i].phase) &&
        (i == 0 ? functions : touches_functions(phases[i].ops) || (phases[i].phase == Phase::main && functions)))
      out += i == 0 ? "\n-- Function bodies are checked by schemac; they may name tables created below\n\n"
                      "SET check_function_bodies = off;\n"
                    : "\nSET check_function_bodies = off;\n";
    retain_function(out, phases[i].ops, &Op::up_retains);
    body(out, phases[i].ops, up, "");
    if (phases.size() > 1 && phases[i].phase == Phase::main) out += main_phase_assertions(plan);
  }
  return out;
}

std::string render_down(const Plan& plan, const std::string& header) {
  std::string out = head(header);
  auto phases = plan.phases();
  std::reverse(phases.begin(), phases.end());
  auto down = [](const Op& op) -> const std::string& { return op.down; };
  bool marked = phases.size() > 1 || (phases.size() == 1 && !in_transaction(phases[0].phase));
  for (std::size_t i = 0; i < phases.size(); ++i) {
    if (marked) out += marker(phases[i].phase, i + 1, phases.size(), "undo ");
    sequential(out, plan, phases[i].phase);
    if (in_transaction(phases[i].phase) && touches_functions(phases[i].ops))
      out += "\nSET check_function_bodies = off;\n";
    retain_function(out, phases[i].ops, &Op::down_retains);
    std::vector<const Op*> reversed = phases[i].ops;
    std::reverse(reversed.begin(), reversed.end());
    body(out, reversed, down, "Undo: ");
  }
  return out;
}

std::string render_verify(const Plan& plan, const std::string& header) {
  std::string out = head(header);
  bool any = std::any_of(plan.ops.begin(), plan.ops.end(), [](const Op& op) { return !op.verify.empty(); });
  if (!any) return out + "\n-- Nothing to verify.\n";
  // Every check runs; the exception lists all that failed.
  std::vector<const Check*> checks;
  for (const auto& op : plan.ops)
    for (const auto& c : op.verify) checks.push_back(&c);
  out += checks_block(checks);
  return out;
}

namespace {

std::string size_of(const model::QualifiedName& table, const std::map<model::QualifiedName, double>& rows) {
  auto it = rows.find(table);
  if (it == rows.end()) return "";
  double n = it->second;
  if (n < 0) return " (rows unknown: never analyzed)";
  if (n < 1e4) return fmt::format(" (~{:.0f} rows)", n);
  if (n < 1e6) return fmt::format(" (~{:.0f} k rows)", n / 1e3);
  if (n < 1e9) return fmt::format(" (~{:.1f} M rows)", n / 1e6);
  return fmt::format(" (~{:.1f} G rows)", n / 1e9);
}

const char* effect_text(TableLock::Effect e) {
  switch (e) {
    case TableLock::Effect::brief:
      return "brief";
    case TableLock::Effect::scans:
      return "scans it";
    case TableLock::Effect::rewrites:
      return "rewrites it";
  }
  return "";
}

}  // namespace

std::vector<std::string> lock_summary(const Plan& plan, const std::map<model::QualifiedName, double>& rows) {
  std::vector<std::string> out, hazards;
  auto phases = plan.phases();
  for (std::size_t i = 0; i < phases.size(); ++i) {
    // Per table: the strongest lock, and the heaviest work done under any lock.
    std::map<model::QualifiedName, std::pair<LockMode, TableLock::Effect>> tables;
    for (const Op* op : phases[i].ops) {
      if (!op->lock) continue;
      const TableLock& l = *op->lock;
      auto [it, fresh] = tables.try_emplace(l.table, l.mode, l.effect);
      if (!fresh) {
        it->second.first = std::max(it->second.first, l.mode);
        it->second.second = std::max(it->second.second, l.effect);
      }
      if (l.effect != TableLock::Effect::brief && blocks_writes(l.mode))
        hazards.push_back(fmt::format(
            "hazard: {}{}: {} under {} ({}); {} wait while it runs", l.table.display(), size_of(l.table, rows),
            l.effect == TableLock::Effect::rewrites ? "rewrites the table" : "scans the table", lock_name(l.mode),
            l.what, l.mode == LockMode::access_exclusive ? "reads and writes" : "writes"));
    }
    for (const auto& [table, lock] : tables) {
      std::string line = fmt::format("{}{}: {}, {}", table.display(), size_of(table, rows), lock_name(lock.first),
                                     effect_text(lock.second));
      if (lock.second != TableLock::Effect::brief && !blocks_writes(lock.first)) line += " (writes go on)";
      std::string where =
          phases.size() == 1 ? ""
                             : fmt::format("phase {} of {} ({}): ", i + 1, phases.size(), phase_title(phases[i].phase));
      out.push_back(where + line);
    }
  }
  out.insert(out.end(), hazards.begin(), hazards.end());
  return out;
}

std::vector<std::string> assertion_summary(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& op : plan.ops) {
    const Change& c = op.change;
    if (c.kind == ChangeKind::create_assertion)
      out.push_back(c.subject.name + " (added)");
    else if (c.kind == ChangeKind::alter_assertion)
      out.push_back(c.subject.name + " (its query changed)");
    else if (c.kind == ChangeKind::check_assertion)
      out.push_back(c.subject.name + " (reads " + c.detail + ", which this migration changes)");
  }
  return out;
}

std::string full_state_sql(model::Schema state) {
  // A new database has no data to move: data steps are directives of migrations.
  state.data_steps.clear();
  Diagnostics unused;  // nothing is removed from an empty state, so nothing can be refused
  return render_up(plan_migration({}, state, unused),
                   "Generated by schemac: the complete desired state of the schema. Do not edit.");
}

}  // namespace schemac::plan
