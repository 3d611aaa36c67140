// libpqxx 6.4 conversions for the runtime's value types, arrays (std::vector) and
// NULL (std::optional), and the small helpers generated code is made of: reading a
// field into any of these types, preparing a statement once per connection, and
// running a transaction as an API role with request claims (row level security).
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "schemac/errors.hpp"
#include "schemac/values.hpp"

namespace schemac::detail {

template <typename T>
struct is_optional : std::false_type {};
template <typename T>
struct is_optional<std::optional<T>> : std::true_type {};

// Array elements: quoted and escaped for PostgreSQL's array text form.
std::string quote_array_element(const std::string& text);
// The elements of an array's text form (NULL as nullopt); one dimension.
std::vector<std::optional<std::string>> parse_array(const char* text);
// The fields of a composite value's text form, "(a,,\"b c\")" (NULL as nullopt).
std::vector<std::optional<std::string>> parse_record(const char* text);
// A field for a composite value's text form: quoted (backslash escapes) like an array element.
inline std::string quote_record_field(const std::string& text) { return quote_array_element(text); }

// string_traits for a type with text forms parse(const char*) / format(const T&).
template <typename T, T (*Parse)(std::string_view), std::string (*Format)(const T&)>
struct text_traits {
  static constexpr bool has_null() noexcept { return false; }
  static bool is_null(const T&) { return false; }
  [[noreturn]] static T null() { pqxx::internal::throw_null_conversion("schemac value"); }
  static void from_string(const char str[], T& obj) { obj = Parse(str); }
  static std::string to_string(const T& obj) { return Format(obj); }
};

inline Uuid parse_uuid(std::string_view s) { return Uuid::parse(s); }
inline std::string format_uuid(const Uuid& u) { return u.str(); }
inline Decimal parse_decimal(std::string_view s) { return Decimal::parse(s); }
inline std::string format_decimal(const Decimal& d) { return d.str(); }
inline Json parse_json(std::string_view s) {
  try {
    return Json::parse(s);
  } catch (const Json::exception& e) {
    throw ConversionError(std::string("not JSON: ") + e.what());
  }
}
inline std::string format_json(const Json& j) { return j.dump(); }
inline std::string format_timestamp_ref(const Timestamp& t) { return format_timestamp(t); }
inline std::string format_date_ref(const Date& d) { return format_date(d); }

}  // namespace schemac::detail

namespace pqxx {

template <>
struct string_traits<schemac::Uuid>
    : schemac::detail::text_traits<schemac::Uuid, schemac::detail::parse_uuid, schemac::detail::format_uuid> {
  static constexpr const char* name() noexcept { return "schemac::Uuid"; }
};
template <>
struct string_traits<schemac::Decimal>
    : schemac::detail::text_traits<schemac::Decimal, schemac::detail::parse_decimal, schemac::detail::format_decimal> {
  static constexpr const char* name() noexcept { return "schemac::Decimal"; }
};
template <>
struct string_traits<schemac::Json>
    : schemac::detail::text_traits<schemac::Json, schemac::detail::parse_json, schemac::detail::format_json> {
  static constexpr const char* name() noexcept { return "schemac::Json"; }
};
template <>
struct string_traits<schemac::Timestamp> : schemac::detail::text_traits<schemac::Timestamp, schemac::parse_timestamp,
                                                                        schemac::detail::format_timestamp_ref> {
  static constexpr const char* name() noexcept { return "schemac::Timestamp"; }
};
template <>
struct string_traits<schemac::Date>
    : schemac::detail::text_traits<schemac::Date, schemac::parse_date, schemac::detail::format_date_ref> {
  static constexpr const char* name() noexcept { return "schemac::Date"; }
};
template <>
struct string_traits<schemac::Bytes>
    : schemac::detail::text_traits<schemac::Bytes, schemac::parse_bytes, schemac::format_bytes> {
  static constexpr const char* name() noexcept { return "schemac::Bytes"; }
};

// T[] <-> std::vector<T>; elements may be std::optional<U> (NULL elements).
template <typename T>
struct string_traits<std::vector<T>> {
  static constexpr const char* name() noexcept { return "std::vector"; }
  static constexpr bool has_null() noexcept { return false; }
  static bool is_null(const std::vector<T>&) { return false; }
  [[noreturn]] static std::vector<T> null() { internal::throw_null_conversion(name()); }
  static void from_string(const char str[], std::vector<T>& obj) {
    obj.clear();
    for (auto& element : schemac::detail::parse_array(str)) {
      if constexpr (schemac::detail::is_optional<T>::value) {
        if (!element) {
          obj.emplace_back(std::nullopt);
          continue;
        }
        typename T::value_type v;
        string_traits<typename T::value_type>::from_string(element->c_str(), v);
        obj.emplace_back(std::move(v));
      } else {
        if (!element) throw schemac::ConversionError("NULL element in an array of non-optional values");
        T v;
        string_traits<T>::from_string(element->c_str(), v);
        obj.push_back(std::move(v));
      }
    }
  }
  static std::string to_string(const std::vector<T>& obj) {
    std::string out = "{";
    for (std::size_t i = 0; i < obj.size(); ++i) {
      if (i) out += ',';
      if constexpr (schemac::detail::is_optional<T>::value) {
        if (!obj[i]) {
          out += "NULL";
          continue;
        }
        out += schemac::detail::quote_array_element(string_traits<typename T::value_type>::to_string(*obj[i]));
      } else {
        out += schemac::detail::quote_array_element(string_traits<T>::to_string(obj[i]));
      }
    }
    return out + "}";
  }
};

}  // namespace pqxx

namespace schemac::detail {

// string_traits for a struct of a composite type: `record_members(T&)`, found by
// argument-dependent lookup, ties its members in the type's field order.
template <typename T>
struct record_traits {
  static constexpr bool has_null() noexcept { return false; }
  static bool is_null(const T&) { return false; }
  [[noreturn]] static T null() { pqxx::internal::throw_null_conversion("composite value"); }
  static void from_string(const char str[], T& obj) {
    auto fields = parse_record(str);
    auto members = record_members(obj);
    if (fields.size() != std::tuple_size_v<decltype(members)>)
      throw ConversionError("composite value with " + std::to_string(fields.size()) + " fields, expected " +
                            std::to_string(std::tuple_size_v<decltype(members)>) + ": " + str);
    std::size_t i = 0;
    std::apply([&](auto&... m) { (read(fields[i++], m), ...); }, members);
  }
  static std::string to_string(const T& obj) {
    std::string out = "(";
    bool first = true;
    std::apply([&](const auto&... m) { ((out += first ? "" : ",", first = false, out += write(m)), ...); },
               record_members(const_cast<T&>(obj)));
    return out + ")";
  }

 private:
  template <typename M>
  static void read(const std::optional<std::string>& text, M& m) {
    if constexpr (is_optional<M>::value) {
      if (!text) {
        m = std::nullopt;
        return;
      }
      typename M::value_type v{};
      pqxx::string_traits<typename M::value_type>::from_string(text->c_str(), v);
      m = std::move(v);
    } else {
      if (!text) throw ConversionError("NULL field in a composite value of non-optional members");
      pqxx::string_traits<M>::from_string(text->c_str(), m);
    }
  }
  template <typename M>
  static std::string write(const M& m) {
    if constexpr (is_optional<M>::value) {
      return m ? quote_record_field(pqxx::string_traits<typename M::value_type>::to_string(*m)) : std::string();
    } else {
      return quote_record_field(pqxx::string_traits<M>::to_string(m));
    }
  }
};

}  // namespace schemac::detail

namespace schemac {

// A field as T; std::optional<T> reads NULL as nullopt, any other T refuses NULL.
template <typename T>
T get(const pqxx::field& f) {
  if constexpr (detail::is_optional<T>::value) {
    if (f.is_null()) return std::nullopt;
    return get<typename T::value_type>(f);
  } else {
    if (f.is_null()) throw ConversionError(std::string("unexpected NULL in column ") + f.name());
    T v{};
    pqxx::string_traits<T>::from_string(f.c_str(), v);
    return v;
  }
}

// A member of a New... struct for a column that must be given (NOT NULL, no
// default): it has no default constructor, so leaving it out of a designated
// initializer does not compile, and nothing is sent as '' or a nil uuid by mistake.
template <typename T>
class Required {
 public:
  using value_type = T;
  Required(const T& v) : value_(v) {}  // NOLINT: implicit, as `.email = "a@b"` needs
  Required(T&& v) : value_(std::move(v)) {}
  template <typename U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, Required> &&
           !std::is_same_v<std::remove_cvref_t<U>, T>) Required(U&& v)
      : value_(std::forward<U>(v)) {}
  // Chosen when the member is left out: the error says what to do.
  template <bool left_out = true>
  Required() {
    static_assert(!left_out,
                  "schemac: a required column (NOT NULL, no default) of a New... struct is left unset: give it a "
                  "value in the initializer");
  }
  Required(const Required&) = default;
  Required(Required&&) = default;
  Required& operator=(const Required&) = default;
  Required& operator=(Required&&) = default;
  Required& operator=(const T& v) {
    value_ = v;
    return *this;
  }
  const T& value() const noexcept { return value_; }
  T& value() noexcept { return value_; }
  operator const T&() const noexcept { return value_; }
  const T* operator->() const noexcept { return &value_; }
  bool operator==(const Required&) const = default;

 private:
  T value_;
};

namespace detail {
template <typename T>
const T& plain(const T& v) {
  return v;
}
template <typename T>
const T& plain(const Required<T>& v) {
  return v.value();
}
}  // namespace detail

// The order of list(): by primary key, ascending or descending.
enum class Order { ascending, descending };

// Declares the statement on the transaction's connection and runs it with the
// parameters; an error PostgreSQL reports becomes the typed error of
// schemac/errors.hpp when there is one.
//
// Prepared statements and libpqxx 6.4. `connection_base::prepare(name, sql)` only
// records the definition in the connection's registry (the same definition again
// is a no-op); the statement is sent to the server (PQprepare) the first time
// `exec_prepared` runs it, and marked registered only when that succeeded. A
// prepared statement is session state, not transactional: one prepared inside a
// pqxx::subtransaction (a savepoint) that is rolled back stays prepared, and one
// whose PQprepare failed (in an aborted transaction, say) stays unregistered and is
// prepared again at its next use. So generated code is safe inside
// subtransactions; what is not is preparing the same name with another SQL text on
// one connection (libpqxx throws pqxx::argument_error), which cannot happen since
// the statement names are the generated functions'.
template <typename... Args>
pqxx::result exec_prepared(pqxx::transaction_base& tx, const std::string& name, const std::string& sql,
                           const Args&... args) {
  auto& conn = tx.conn();
  conn.prepare(name, sql);
  detail::VerboseErrors verbose(conn);
  try {
    return tx.exec_prepared(name, detail::plain(args)...);
  } catch (const pqxx::sql_error& e) {
    throw_typed(e);
    throw;
  } catch (const pqxx::transaction_rollback& e) {
    throw_typed(e);
    throw;
  }
}

// A cursor over a query with parameters (DECLARE ... CURSOR FOR, which PostgreSQL
// runs with the parameters of the extended protocol), closed by close(); an open
// cursor ends with its transaction anyway.
class Cursor {
 public:
  // `declare_tail` follows the cursor's name: " NO SCROLL CURSOR FOR SELECT ...".
  template <typename... Args>
  Cursor(pqxx::transaction_base& tx, const std::string& declare_tail, const Args&... args)
      : tx_(tx), name_(next_name()) {
    run([&] { tx_.exec_params("DECLARE " + name_ + declare_tail, args...); });
  }
  // The next `rows` rows (fewer at the end); closes the cursor after the last ones.
  pqxx::result fetch(std::size_t rows);

 private:
  static std::string next_name();
  template <typename F>
  void run(F&& f) {
    detail::VerboseErrors verbose(tx_.conn());
    try {
      f();
    } catch (const pqxx::sql_error& e) {
      throw_typed(e);
      throw;
    } catch (const pqxx::transaction_rollback& e) {
      throw_typed(e);
      throw;
    }
  }
  pqxx::transaction_base& tx_;
  std::string name_;
  bool open_ = true;
};

// One row for COPY: each value in PostgreSQL's text form, nullopt for NULL.
using CopyRow = std::vector<std::optional<std::string>>;

// COPY table (columns) FROM STDIN with the rows; `table` and `columns` are SQL
// (quoted as needed). Values are escaped for COPY's text format.
void copy_rows(pqxx::transaction_base& tx, const std::string& table, const std::vector<std::string>& columns,
               const std::vector<CopyRow>& rows);

// Who a transaction acts for under row level security, as Supabase's API does it:
// `SET LOCAL ROLE role` and the JWT claims in `request.jwt.claims` (and each
// top-level claim in `request.jwt.claim.NAME`, which auth.uid() reads), all local
// to the transaction.
struct Claims {
  std::string role = "authenticated";
  Json claims = Json::object();  // e.g. {"sub": "<user uuid>", "email": "..."}
};

// Applies the claims to `tx` (call it first thing in the transaction).
void act_as(pqxx::transaction_base& tx, const Claims& who);

// `sub` claim helper: act_as(tx, as_user(user_id)).
Claims as_user(const Uuid& user_id, const std::string& role = "authenticated");

}  // namespace schemac
