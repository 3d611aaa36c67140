// `schemac lint`: what a database linter would find later, found at compile time.
// Each rule has a stable code, a severity (error where data would be exposed or
// lost, warning for likely mistakes and costs) and a message that says what to do.
// One occurrence is silenced by a comment on the line of the finding or in the
// comment lines right above it:   // lint:allow S104 the function only reads now()
#pragma once

#include <string>
#include <vector>

#include "diag/diagnostics.hpp"
#include "driver/compile.hpp"

namespace schemac::lint {

struct Rule {
  const char* code;
  Severity severity;
  const char* name;
  const char* description;
};

const std::vector<Rule>& rules();

struct Silenced {
  std::string code;
  Location where;
  std::string reason;
  std::string message;
};

struct Result {
  std::vector<Silenced> silenced;
  std::size_t errors = 0, warnings = 0;
};

// Lints the schema; with `previous` (the migrations' snapshot) also the planned
// change. Findings go to diags as errors and warnings (with their code). `migration`
// is the id of the migration that holds the change, when it is planned already (what
// it retains is named after it).
Result lint_schema(const LoadedSchema& desired, const model::Schema* previous, Diagnostics& diags,
                   const std::string& migration = "");

}  // namespace schemac::lint
