// A plan as the files a reviewer reads: up (operations in order), down (inverses in
// reverse order) and verify (checks that raise an exception naming what is missing).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "plan/plan.hpp"

namespace schemac::plan {

// `header` lines are written as SQL comments at the top. A plan in several phases
// writes each phase under its marker (migration_file.hpp); the down file has the
// same phases, in reverse.
std::string render_up(const Plan& plan, const std::string& header);
std::string render_down(const Plan& plan, const std::string& header);
std::string render_verify(const Plan& plan, const std::string& header);

// What a reviewer reads first about locks, a line each: per phase, every table that
// existed before with the strongest lock the phase takes on it, and whether it reads
// (scans) or rewrites the table under it; then the hazards: a scan or rewrite under a
// lock that blocks writes. `rows` (estimates by table, pg_class.reltuples; negative:
// never analyzed) adds the size of each table it names.
std::vector<std::string> lock_summary(const Plan& plan, const std::map<model::QualifiedName, double>& rows = {});

// The assertions the verify file checks, a line each: the name and why (added, its
// query changed, or what it reads that the migration changes).
std::vector<std::string> assertion_summary(const Plan& plan);

}  // namespace schemac::plan
