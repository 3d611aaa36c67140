// Typed errors for what PostgreSQL refuses, thrown by the generated code (every
// statement it runs goes through schemac::exec_prepared), carrying the names
// PostgreSQL reports with the error: constraint, table, column, schema.
//
// libpqxx 6.4 throws pqxx::sql_error with the SQLSTATE but not the error's fields
// (it keeps no PGresult). While a generated statement runs, the connection's error
// verbosity is set to verbose, so that libpq writes the fields into the message
// ("TABLE NAME:  users", ...), and they are read back from there; the verbosity is
// restored right after. The labels are libpq's, untranslated unless the program
// installs a message catalogue and sets a locale.
#pragma once

#include <cstddef>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace schemac {

// Any error PostgreSQL reported for a generated statement that has a type below.
// Derives from pqxx::sql_error, so existing handlers still catch it.
class DatabaseError : public pqxx::sql_error {
 public:
  struct Fields {
    std::string sqlstate, message, detail, hint, schema, table, column, constraint;
  };
  DatabaseError(const std::string& what, const std::string& query, Fields fields)
      : pqxx::sql_error(what, query, fields.sqlstate.c_str()), fields_(std::move(fields)) {}
  const std::string& message() const noexcept { return fields_.message; }  // the primary message
  const std::string& detail() const noexcept { return fields_.detail; }
  const std::string& hint() const noexcept { return fields_.hint; }
  const std::string& schema() const noexcept { return fields_.schema; }
  const std::string& table() const noexcept { return fields_.table; }
  const std::string& column() const noexcept { return fields_.column; }
  const std::string& constraint() const noexcept { return fields_.constraint; }

 private:
  Fields fields_;
};

// Class 23: a constraint refused the row. constraint() and table() name it (for
// NotNullViolation, column() is the column and constraint() is empty).
class ConstraintViolation : public DatabaseError {
  using DatabaseError::DatabaseError;
};
class UniqueViolation : public ConstraintViolation {  // 23505
  using ConstraintViolation::ConstraintViolation;
};
class ForeignKeyViolation : public ConstraintViolation {  // 23503
  using ConstraintViolation::ConstraintViolation;
};
class CheckViolation : public ConstraintViolation {  // 23514
  using ConstraintViolation::ConstraintViolation;
};
class NotNullViolation : public ConstraintViolation {  // 23502
  using ConstraintViolation::ConstraintViolation;
};
class ExclusionViolation : public ConstraintViolation {  // 23P01
  using ConstraintViolation::ConstraintViolation;
};

// 42501 insufficient_privilege: a missing grant, or row level security refusing a
// row (RowSecurityViolation: "new row violates row-level security policy ...").
class PermissionDenied : public DatabaseError {
  using DatabaseError::DatabaseError;
};
class RowSecurityViolation : public PermissionDenied {
  using PermissionDenied::PermissionDenied;
};

// 40001: the transaction must be run again (see retry_serializable). Derives from
// pqxx::serialization_failure, which libpqxx itself throws for a failed COMMIT.
class SerializationFailure : public pqxx::serialization_failure {
 public:
  SerializationFailure(const std::string& what, DatabaseError::Fields fields)
      : pqxx::serialization_failure(what), fields_(std::move(fields)) {}
  const std::string& message() const noexcept { return fields_.message; }

 private:
  DatabaseError::Fields fields_;
};

// A `returns one` query found more than one row.
class UnexpectedRows : public std::runtime_error {
 public:
  UnexpectedRows(const std::string& statement, std::size_t rows)
      : std::runtime_error(statement + " returns one row, but found " + std::to_string(rows)) {}
};

// The fields of a verbose libpq error message (see above); message() is the first
// line without severity and SQLSTATE.
DatabaseError::Fields error_fields(const std::string& verbose_message, const std::string& sqlstate);

// Throws the typed error for `e` when its SQLSTATE has one; otherwise returns (the
// caller rethrows the original).
void throw_typed(const pqxx::sql_error& e);
void throw_typed(const pqxx::transaction_rollback& e);

namespace detail {
// Sets a connection's error verbosity to verbose for a scope.
class VerboseErrors {
 public:
  explicit VerboseErrors(pqxx::connection_base& c) : c_(c), before_(c.get_verbosity()) {
    c_.set_verbosity(pqxx::connection_base::verbose);
  }
  ~VerboseErrors() { c_.set_verbosity(before_); }
  VerboseErrors(const VerboseErrors&) = delete;
  VerboseErrors& operator=(const VerboseErrors&) = delete;

 private:
  pqxx::connection_base& c_;
  pqxx::connection_base::error_verbosity before_;
};
}  // namespace detail

// Runs `work(tx)` in a SERIALIZABLE transaction of its own and commits, again (up to
// `attempts` times in all) when PostgreSQL reports a serialization failure or a
// deadlock; returns what `work` returns. `work` may run several times: keep side
// effects outside the database out of it.
template <typename Work>
auto retry_serializable(pqxx::connection_base& db, Work&& work, int attempts = 5) {
  for (int attempt = 1;; ++attempt) {
    try {
      pqxx::transaction<pqxx::serializable> tx(db);
      if constexpr (std::is_void_v<std::invoke_result_t<Work&, pqxx::transaction_base&>>) {
        work(static_cast<pqxx::transaction_base&>(tx));
        tx.commit();
        return;
      } else {
        auto result = work(static_cast<pqxx::transaction_base&>(tx));
        tx.commit();
        return result;
      }
    } catch (const pqxx::serialization_failure&) {
      if (attempt >= attempts) throw;
    } catch (const pqxx::deadlock_detected&) {
      if (attempt >= attempts) throw;
    }
  }
}

}  // namespace schemac
