// A plan as the files a reviewer reads: up (operations in order), down (inverses in
// reverse order) and verify (checks that raise an exception naming what is missing).
#pragma once

#include <string>

#include "plan/plan.hpp"

namespace schemac::plan {

// `header` lines are written as SQL comments at the top (after the no-transaction
// marker, which comes first when a statement cannot run in a transaction).
std::string render_up(const Plan& plan, const std::string& header);
std::string render_down(const Plan& plan, const std::string& header);
std::string render_verify(const Plan& plan, const std::string& header);

}  // namespace schemac::plan
