// Scanners for the pieces of a .schema file that carry SQL or quoted text: they run
// in linear time without recursion, so a 100,000-deep nest of parentheses is fine.
// Each returns the end of what it scanned, or nullptr with `error` set.
#pragma once

#include <string>

namespace schemac::syntax {

// At '(' : the end of the balanced group (after its ')'). SQL strings, quoted
// identifiers, dollar quotes and comments inside are respected.
const char* scan_group(const char* first, const char* last, std::string& error);

// At '$' : if a dollar-quote opener `$tag$` starts here, its tag (may be empty) and
// the position after it; otherwise nullptr without error.
const char* scan_dollar_open(const char* first, const char* last, std::string& tag);

// At '\'' : the end of an SQL string literal ('' escapes a quote).
const char* scan_string(const char* first, const char* last, std::string& error);

// At '"' : the end of a quoted identifier ("" escapes a quote).
const char* scan_quoted_ident(const char* first, const char* last, std::string& error);

}  // namespace schemac::syntax

namespace schemac::syntax {

// A default term: a literal, number, call, bare word or group, then any number of
// `::type` casts. Returns the end of its last token (never trailing blanks), or
// nullptr when no term starts here (error set when one starts but is malformed).
const char* scan_default_term(const char* first, const char* last, std::string& error);

}  // namespace schemac::syntax
