#include "schemac/errors.hpp"

#include <cctype>
#include <sstream>

namespace schemac {

// libpq's verbose form (PQERRORS_VERBOSE), one field a line:
//   ERROR:  23505: duplicate key value violates unique constraint "users_email_key"
//   DETAIL:  Key (email)=(a@example.com) already exists.
//   SCHEMA NAME:  public
//   TABLE NAME:  users
//   CONSTRAINT NAME:  users_email_key
//   LOCATION:  _bt_check_unique, nbtinsert.c:664
DatabaseError::Fields error_fields(const std::string& verbose_message, const std::string& sqlstate) {
  DatabaseError::Fields f;
  f.sqlstate = sqlstate;
  std::istringstream in(verbose_message);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    auto colon = line.find(":  ");
    if (colon == std::string::npos) {
      if (first) f.message = line;
      first = false;
      continue;
    }
    std::string label = line.substr(0, colon), value = line.substr(colon + 3);
    if (first) {
      // "SEVERITY:  SQLSTATE: message"
      if (!sqlstate.empty() && value.rfind(sqlstate + ": ", 0) == 0) value = value.substr(sqlstate.size() + 2);
      f.message = value;
      first = false;
    } else if (label == "DETAIL") {
      f.detail = value;
    } else if (label == "HINT") {
      f.hint = value;
    } else if (label == "SCHEMA NAME") {
      f.schema = value;
    } else if (label == "TABLE NAME") {
      f.table = value;
    } else if (label == "COLUMN NAME") {
      f.column = value;
    } else if (label == "CONSTRAINT NAME") {
      f.constraint = value;
    }
  }
  return f;
}

namespace {

// What the typed error says: the primary message, and the names it carries.
std::string summary(const DatabaseError::Fields& f) {
  std::string out = f.message.empty() ? std::string("database error ") + f.sqlstate : f.message;
  if (!f.detail.empty()) out += " (" + f.detail + ")";
  return out;
}

// The SQLSTATE of a verbose message ("ERROR:  42501: permission denied ..."), for the
// exceptions libpqxx 6.4 builds without it (insufficient_privilege, ...).
std::string verbose_sqlstate(const std::string& message) {
  auto at = message.find(":  ");
  if (at == std::string::npos || message.size() < at + 9 || message[at + 8] != ':') return "";
  std::string code = message.substr(at + 3, 5);
  for (char c : code)
    if (!std::isdigit(static_cast<unsigned char>(c)) && !std::isupper(static_cast<unsigned char>(c))) return "";
  return code;
}

}  // namespace

void throw_typed(const pqxx::sql_error& e) {
  std::string state = e.sqlstate();
  if (state.empty()) state = verbose_sqlstate(e.what());
  if (state.size() != 5) return;
  auto f = error_fields(e.what(), state);
  std::string what = summary(f);
  if (state == "23505") throw UniqueViolation(what, e.query(), f);
  if (state == "23503") throw ForeignKeyViolation(what, e.query(), f);
  if (state == "23514") throw CheckViolation(what, e.query(), f);
  if (state == "23502") throw NotNullViolation(what, e.query(), f);
  if (state == "23P01") throw ExclusionViolation(what, e.query(), f);
  if (state == "42501") {
    // The same SQLSTATE as a missing grant: row level security says so in its message.
    if (f.message.find("row-level security") != std::string::npos) throw RowSecurityViolation(what, e.query(), f);
    throw PermissionDenied(what, e.query(), f);
  }
  if (state == "40001") throw SerializationFailure(what, f);
}

void throw_typed(const pqxx::transaction_rollback& e) {
  // libpqxx 6.4 throws serialization_failure (a transaction_rollback, not an
  // sql_error) for 40001, without its SQLSTATE accessor.
  if (dynamic_cast<const pqxx::serialization_failure*>(&e) && !dynamic_cast<const SerializationFailure*>(&e)) {
    auto f = error_fields(e.what(), "40001");
    throw SerializationFailure(summary(f), f);
  }
}

}  // namespace schemac
