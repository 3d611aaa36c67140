// Diagnostics for machines: JSON (schemac's own shape) and SARIF 2.1.0 (what CI
// systems and code-scanning dashboards read). Both carry the range, the code and the
// notes of every diagnostic; the text form is Diagnostics::print.
#pragma once

#include <string>
#include <vector>

#include "diag/diagnostics.hpp"

namespace schemac::report {

// A path as the path of a URI: percent-encoded but for unreserved characters and '/'.
std::string uri_path(const std::string& path);

// A rule SARIF lists: a lint code or an error kind.
struct RuleInfo {
  std::string id;
  std::string name;
  std::string description;
  Severity severity = Severity::error;
};

// A finding silenced by a `lint:allow` comment: SARIF keeps it as a suppressed result.
struct Suppressed {
  std::string code;
  Location where;
  std::string message;
  std::string justification;
};

// The error kinds every pass reports under (syntax, schema, sql, plan, lint).
const std::vector<RuleInfo>& error_kinds();

// {"diagnostics": [{"severity", "code", "message", "file", "range": {"start":
// {"line", "column", "offset"}, "end": {...}}, "notes": [...]}], "errors", "warnings"}
// Lines and columns are 1-based, columns count code points, offsets bytes.
std::string json(const Diagnostics& diags, const std::vector<Suppressed>& silenced = {});

// A SARIF 2.1.0 log with one run of schemac and `rules` as its driver's rules.
std::string sarif(const Diagnostics& diags, const std::vector<RuleInfo>& rules, const std::string& version,
                  const std::vector<Suppressed>& silenced = {});

}  // namespace schemac::report
