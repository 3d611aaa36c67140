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

// A line of its own between two parts of an up file that must run in separate
// transactions (an enum value added before a statement uses it). Each part commits
// with a history row counting the parts done; a failed run resumes with the part
// that failed; the last part runs with the verify file.
inline constexpr std::string_view commit_marker = "-- schemac:commit";

inline constexpr std::string_view verify_error_prefix = "schemac verify: ";

// The schema that keeps what confirmed drops removed, for their downs: one table per
// migration and column, named "m" + the migration's id + "_" + ... (see the planner).
inline constexpr std::string_view retention_schema = "schemac_retained";

// The parts of `up` that run in their own transactions, in order (one part when
// there is no commit marker).
std::vector<std::string> transactions(const std::string& up);

}  // namespace schemac::migration_file
