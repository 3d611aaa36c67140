// Naming rules in one place: identifier quoting as PostgreSQL needs it, the default
// names PostgreSQL gives unnamed constraints and indexes (C++ naming: emit/cpp_names.hpp).
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace schemac::names {

constexpr std::size_t max_identifier_bytes = 63;  // NAMEDATALEN - 1

// True for the keywords that PostgreSQL's quote_ident quotes (every category but
// unreserved), e.g. `user`, `order`, `table`.
bool is_quoted_keyword(std::string_view word);

// The identifier as PostgreSQL needs it written: bare when it is lower case
// [a-z_][a-z0-9_$]* and not such a keyword, else in double quotes.
std::string quote(std::string_view identifier);

// PostgreSQL's makeObjectName: name1[_name2]_label, truncating the longer part so
// that the result fits in 63 bytes.
std::string make_object_name(std::string_view name1, std::string_view name2, std::string_view label);

// Column names joined by '_' as ChooseIndexNameAddition / the foreign key variant
// do (stops once the buffer is full).
std::string join_column_names(const std::vector<std::string>& columns);

// ChooseRelationName / ChooseConstraintName: the first of name, name1, name2, ...
// (the number replacing the end of the label) not in `used`, which it then records.
std::string choose_name(std::string_view name1, std::string_view name2, std::string_view label,
                        std::set<std::string>& used);

}  // namespace schemac::names
