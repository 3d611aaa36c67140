// The migration-file format, shared by the compiler (which writes the files) and the
// runtime (which applies them): NNNN_name.up.sql, .down.sql and .verify.sql, and the
// marker lines inside an up file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace schemac::migration_file {

// First line of an up file whose statements cannot run in a transaction block
// (CREATE INDEX CONCURRENTLY, ...): they run one by one, with progress recorded.
inline constexpr std::string_view no_transaction_marker = "-- schemac:no-transaction";

// An up or down file is a sequence of phases, each introduced by a marker line of its
// own. Text before the first marker is a phase of its own (in a transaction) when it
// holds a statement, and only header comments otherwise; a file without markers is
// one phase, in a transaction.
// - commit_marker: the next phase runs in a transaction of its own (an enum value
//   added before a statement uses it; constraints validated after they were added
//   NOT VALID);
// - outside_transaction_marker: the next phase's statements run one by one outside a
//   transaction (CREATE INDEX CONCURRENTLY), each recorded when it is done.
// The history row counts the phases done (and the statements done of a phase outside
// a transaction); a failed run resumes where it stopped; the verify file runs after
// the last phase. A down file has the same number of phases as its up file, in
// reverse: its first phase undoes the up file's last, so that a half-applied
// migration can be reverted phase by phase.
inline constexpr std::string_view commit_marker = "-- schemac:commit";
inline constexpr std::string_view outside_transaction_marker = "-- schemac:outside-transaction";

inline constexpr std::string_view verify_error_prefix = "schemac verify: ";

// The schema that keeps what confirmed drops removed, for their downs: one table per
// migration and column, named "m" + the migration's id + "_" + ... (see the planner).
inline constexpr std::string_view retention_schema = "schemac_retained";
// The start of the comment of a table that a down moved there because it held rows
// (the down of a migration that created it): no migration restores it, so purge
// deletes it whatever is applied.
inline constexpr std::string_view kept_by_down_note = "schemac: kept by a down: ";

struct Phase {
  bool transaction = true;  // false: statement by statement, outside a transaction
  std::string sql;          // without its marker line
};

// The phases of an up or down file, in order (one phase when there is no marker; one
// phase outside a transaction for a file that opens with no_transaction_marker).
std::vector<Phase> phases(const std::string& text);

}  // namespace schemac::migration_file
