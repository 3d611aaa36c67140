// Value types for PostgreSQL columns that the standard library has no exact match
// for, and the text forms PostgreSQL reads and writes for all of them. Generated
// row structs use these; schemac/pqxx.hpp teaches libpqxx to convert them.
//
//   uuid                     schemac::Uuid (16 bytes)
//   numeric                  schemac::Decimal (exact: kept as its digits, never a double)
//   timestamp, timestamptz   schemac::Timestamp (microseconds since the Unix epoch, UTC)
//   date                     std::chrono::year_month_day
//   json, jsonb              schemac::Json (nlohmann::json)
//   bytea                    schemac::Bytes
//
// Text forms are PostgreSQL's with DateStyle ISO (the server default); timestamps
// are written in UTC and read with whatever offset the server prints.
#pragma once

#include <array>
#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace schemac {

// A value PostgreSQL sent that does not read as the expected type.
struct ConversionError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Uuid {
 public:
  Uuid() = default;  // the nil uuid
  explicit Uuid(const std::array<std::uint8_t, 16>& bytes) : bytes_(bytes) {}
  // "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex, either case; braces and dashes as
  // PostgreSQL accepts them). Throws ConversionError.
  static Uuid parse(std::string_view text);
  std::string str() const;  // lower case, with dashes
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  bool is_nil() const { return *this == Uuid{}; }
  auto operator<=>(const Uuid&) const = default;
  bool operator==(const Uuid&) const = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

// An exact decimal number: sign, digits and scale as PostgreSQL printed them (or
// NaN). Equality and order are numeric: 1.50 == 1.5.
class Decimal {
 public:
  Decimal() : Decimal(0) {}
  Decimal(std::int64_t v);  // NOLINT(google-explicit-constructor): integers convert exactly
  // "-12.3400", "42", "NaN"; throws ConversionError.
  static Decimal parse(std::string_view text);
  const std::string& str() const { return text_; }
  bool is_nan() const { return text_ == "NaN"; }
  std::strong_ordering operator<=>(const Decimal& other) const;
  bool operator==(const Decimal& other) const { return (*this <=> other) == 0; }

 private:
  explicit Decimal(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;
using Date = std::chrono::year_month_day;
using Json = nlohmann::json;

// bytea: a byte string, distinct from std::vector (which maps to an array).
struct Bytes : std::vector<std::byte> {
  using std::vector<std::byte>::vector;
  static Bytes from(std::string_view s);  // the bytes of a string
};

// Text forms, as PostgreSQL reads and writes them.
Timestamp parse_timestamp(std::string_view text);  // "2024-05-01 12:00:00.5+02", "infinity", " BC"
std::string format_timestamp(Timestamp t);         // "2024-05-01 10:00:00.500000+00"
Date parse_date(std::string_view text);            // "2024-05-01", "0044-03-15 BC"
std::string format_date(Date d);
Bytes parse_bytes(std::string_view text);  // "\x0aff" (hex output)
std::string format_bytes(const Bytes& b);  // "\x0aff"

// The largest and smallest timestamps stand for PostgreSQL's 'infinity' and '-infinity'.
constexpr Timestamp timestamp_infinity = Timestamp::max();
constexpr Timestamp timestamp_minus_infinity = Timestamp::min();

}  // namespace schemac
