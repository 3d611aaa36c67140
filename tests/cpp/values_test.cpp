// The runtime's value types round-trip through PostgreSQL: each is sent as a
// parameter, cast by the server to its column type, and read back, with NULL, empty,
// unicode and extreme values.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "pg/pg_support.hpp"
#include "schemac/pqxx.hpp"

using namespace schemac;
using namespace std::chrono;

namespace {

// Sends `value` as $1::type and reads the result back as T.
template <typename T>
T round_trip(pqxx::connection& db, const std::string& type, const T& value) {
  pqxx::work tx(db);
  auto r = tx.exec_params("SELECT $1::" + type, value);
  return get<T>(r.at(0).at(0));
}

// What the server prints for $1::type (to see it understood the value).
template <typename T>
std::string server_text(pqxx::connection& db, const std::string& type, const T& value) {
  pqxx::work tx(db);
  return get<std::string>(tx.exec_params("SELECT ($1::" + type + ")::text", value).at(0).at(0));
}

// A struct as gen cpp writes one for a composite type (inner: another composite).
struct Point {
  std::optional<std::int32_t> x{}, y{};
  bool operator==(const Point&) const = default;
};
inline auto record_members(Point& p) { return std::tie(p.x, p.y); }
struct Label {
  std::optional<std::string> text{};
  std::optional<Point> at{};
  std::optional<std::vector<std::string>> tags{};
  bool operator==(const Label&) const = default;
};
inline auto record_members(Label& l) { return std::tie(l.text, l.at, l.tags); }

}  // namespace

namespace pqxx {
template <>
struct string_traits<Point> : schemac::detail::record_traits<Point> {
  static constexpr const char* name() noexcept { return "Point"; }
};
template <>
struct string_traits<Label> : schemac::detail::record_traits<Label> {
  static constexpr const char* name() noexcept { return "Label"; }
};
}  // namespace pqxx

TEST_CASE("composite values round-trip through PostgreSQL as structs") {
  pqxx::connection db(test::fresh_database("schemac_records"));
  {
    pqxx::work tx(db);
    tx.exec("create type point2 as (x int, y int); create type label as (text text, at point2, tags text[])");
    tx.commit();
  }
  for (const Label& l :
       {Label{"plain", Point{1, 2}, std::vector<std::string>{"a"}},
        Label{"with \"quotes\", (parens), commas and \\ backslash", Point{-1, std::nullopt},
              std::vector<std::string>{"x y", "", "\"q\""}},
        Label{"", std::nullopt, std::nullopt}, Label{std::nullopt, Point{}, std::vector<std::string>{}},
        Label{"unicode: żółw 🐢", Point{0, 0}, std::nullopt}}) {
    INFO(pqxx::to_string(l));
    CHECK(round_trip(db, "label", l) == l);
  }
  // What the server prints is read back field by field.
  pqxx::work tx(db);
  auto read = get<Label>(tx.exec("select row('a b', row(3, null)::point2, '{\"c,d\"}')::label").at(0).at(0));
  CHECK(read == Label{"a b", Point{3, std::nullopt}, std::vector<std::string>{"c,d"}});
  CHECK_THROWS_AS(get<Point>(tx.exec("select '(1,2,3)'::text").at(0).at(0)), ConversionError);
  CHECK_THROWS_AS(get<Point>(tx.exec("select 'oops'::text").at(0).at(0)), ConversionError);
}

TEST_CASE("runtime values round-trip through PostgreSQL") {
  pqxx::connection db(test::fresh_database("schemac_values"));

  SECTION("uuid") {
    auto u = Uuid::parse("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11");
    CHECK(u.str() == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    CHECK(round_trip(db, "uuid", u) == u);
    CHECK(round_trip(db, "uuid", Uuid{}).is_nil());
    CHECK(Uuid::parse("{a0eebc999c0b4ef8bb6d6bb9bd380a11}") == u);
    CHECK_THROWS_AS(Uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"), ConversionError);
    CHECK_THROWS_AS(Uuid::parse("not a uuid"), ConversionError);
  }
  SECTION("numeric is exact") {
    for (const char* text : {"0", "-1", "3.14159265358979323846264338327950288419716939937510",
                             "123456789012345678901234567890.000000000000000000001", "-0.000001", "NaN"}) {
      auto d = Decimal::parse(text);
      CHECK(round_trip(db, "numeric", d) == d);
      CHECK(server_text(db, "numeric", d) == text);
    }
    CHECK(Decimal::parse("1.50") == Decimal::parse("1.5"));
    CHECK(Decimal::parse("-2") < Decimal::parse("-1.999"));
    CHECK(Decimal::parse("10") > Decimal::parse("9.99"));
    CHECK(Decimal(42) == Decimal::parse("42.000"));
    CHECK(round_trip(db, "numeric(12,4)", Decimal::parse("2.5")).str() == "2.5000");
    CHECK_THROWS_AS(Decimal::parse("1e5"), ConversionError);
  }
  SECTION("timestamps keep microseconds and time zones") {
    Timestamp t = sys_days(year(2024) / 2 / 29) + hours(23) + minutes(59) + seconds(59) + microseconds(123456);
    CHECK(round_trip(db, "timestamptz", t) == t);
    CHECK(round_trip(db, "timestamp", t) == t);
    {
      pqxx::work tx(db);
      tx.exec("SET LOCAL TIME ZONE 'Asia/Kolkata'");  // +05:30: the server prints another offset
      auto r = tx.exec_params("SELECT $1::timestamptz, $1::timestamptz::text", t);
      CHECK(get<Timestamp>(r.at(0).at(0)) == t);
      CHECK(r.at(0).at(1).as<std::string>() == "2024-03-01 05:29:59.123456+05:30");
    }
    CHECK(parse_timestamp("2024-05-01 12:00:00+02") == sys_days(year(2024) / 5 / 1) + hours(10));
    for (const char* broken :
         {"2024-05-01 12", "2024-05-01 12:00", "2024-05-01 12:00:", "2024-05-01", "2024-05-01 12:00:00+",
          "2024-05-01 12:00:00.1234567", "2024-13-01 00:00:00", "yesterday"})
      CHECK_THROWS_AS(parse_timestamp(broken), ConversionError);
    CHECK_THROWS_AS(parse_date("2024-02-30"), ConversionError);
    CHECK_THROWS_AS(parse_bytes("\\x0"), ConversionError);
    CHECK(parse_timestamp("1901-12-13 20:45:52-04:56:02") ==
          sys_days(year(1901) / 12 / 14) + hours(1) + minutes(41) + seconds(54));
    // Extremes: PostgreSQL's first representable day, year 9999 and later, infinity.
    Timestamp first = sys_days(year(-4712) / 11 / 24);  // 4713 BC (there is no year 0)
    CHECK(round_trip(db, "timestamptz", first) == first);
    CHECK(server_text(db, "timestamptz", first) == "4713-11-24 00:00:00+00 BC");
    Timestamp far = sys_days(year(29000) / 12 / 31) + hours(23);
    CHECK(round_trip(db, "timestamptz", far) == far);
    CHECK(round_trip(db, "timestamptz", timestamp_infinity) == timestamp_infinity);
    CHECK(round_trip(db, "timestamptz", timestamp_minus_infinity) == timestamp_minus_infinity);
    CHECK(round_trip(db, "timestamptz", Timestamp{}) == Timestamp{});  // the epoch
  }
  SECTION("dates") {
    Date d = year(2000) / 1 / 1;
    CHECK(round_trip(db, "date", d) == d);
    Date bc = year(-43) / 3 / 15;  // 44 BC
    CHECK(server_text(db, "date", bc) == "0044-03-15 BC");
    CHECK(round_trip(db, "date", bc) == bc);
    Date last = year(32767) / 12 / 31;  // std::chrono's last year (PostgreSQL goes further)
    CHECK(round_trip(db, "date", last) == last);
  }
  SECTION("json keeps unicode, nesting and escapes") {
    Json j = {{"name", "Zoë ✓ 日本"}, {"nested", {{"list", {1, 2.5, nullptr, true}}}}, {"quote", "a\"b\\c\n"}};
    CHECK(round_trip(db, "jsonb", j) == j);
    CHECK(round_trip(db, "json", j) == j);
    CHECK(round_trip(db, "jsonb", Json::object()) == Json::object());
    CHECK(round_trip(db, "jsonb", Json("just a string")) == Json("just a string"));
  }
  SECTION("bytes, including zero bytes and the empty string") {
    Bytes b = {std::byte{0}, std::byte{0xff}, std::byte{'\\'}, std::byte{'\''}, std::byte{0x80}};
    CHECK(round_trip(db, "bytea", b) == b);
    CHECK(round_trip(db, "bytea", Bytes{}) == Bytes{});
    CHECK(round_trip(db, "bytea", Bytes::from("héllo")) == Bytes::from("héllo"));
  }
  SECTION("text keeps unicode and quotes") {
    std::string s = "it's \"quoted\" \\ back\tslash — Zoë 🐘";
    CHECK(round_trip(db, "text", s) == s);
    CHECK(round_trip(db, "text", std::string()).empty());
  }
  SECTION("integers and floats at their limits") {
    CHECK(round_trip(db, "smallint", std::int16_t{-32768}) == -32768);
    CHECK(round_trip(db, "integer", std::int32_t{2147483647}) == 2147483647);
    CHECK(round_trip(db, "bigint", std::numeric_limits<std::int64_t>::min()) ==
          std::numeric_limits<std::int64_t>::min());
    CHECK(round_trip(db, "double precision", 0.1) == 0.1);
    CHECK(round_trip(db, "boolean", true));
  }
  SECTION("arrays, with NULL elements, quotes, commas and braces") {
    std::vector<std::string> words = {"a", "with space", "com,ma", "{brace}", "quo\"te", "back\\slash", "", "NULL"};
    CHECK(round_trip(db, "text[]", words) == words);
    CHECK(round_trip(db, "text[]", std::vector<std::string>{}).empty());
    std::vector<std::optional<std::int32_t>> holes = {1, std::nullopt, 3};
    CHECK(round_trip(db, "integer[]", holes) == holes);
    std::vector<Uuid> ids = {Uuid::parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), Uuid{}};
    CHECK(round_trip(db, "uuid[]", ids) == ids);
    {
      pqxx::work tx(db);
      CHECK_THROWS_AS(get<std::vector<std::int32_t>>(tx.exec("SELECT '{1,NULL}'::int[]").at(0).at(0)), ConversionError);
    }
  }
  SECTION("NULL is std::optional") {
    std::optional<Uuid> none;
    CHECK_FALSE(round_trip(db, "uuid", none).has_value());
    CHECK(round_trip(db, "numeric", std::optional<Decimal>(Decimal(7))) == Decimal(7));
    pqxx::work tx(db);
    CHECK_THROWS_AS(get<std::string>(tx.exec("SELECT NULL::text").at(0).at(0)), ConversionError);
  }
}
