#include "schemac/values.hpp"

#include <atomic>
#include <charconv>
#include <cstdio>
#include <pqxx/tablewriter>

#include "schemac/pqxx.hpp"

namespace schemac {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

[[noreturn]] void bad(const char* what, std::string_view text) {
  throw ConversionError(std::string("not a valid ") + what + ": '" + std::string(text) + "'");
}

// Reads `n` decimal digits at text[pos] into out; false if they are not there.
bool digits(std::string_view text, std::size_t& pos, std::size_t n, long long& out) {
  if (pos + n > text.size()) return false;
  auto r = std::from_chars(text.data() + pos, text.data() + pos + n, out);
  if (r.ec != std::errc() || r.ptr != text.data() + pos + n) return false;
  pos += n;
  return true;
}

// "YYYY-MM-DD" (4 or more year digits) at the start; pos moves past it.
bool read_date(std::string_view text, std::size_t& pos, std::chrono::year_month_day& out) {
  std::size_t dash = text.find('-', pos + 1);
  if (dash == std::string_view::npos || dash < pos + 4) return false;
  long long y = 0, m = 0, d = 0;
  if (!digits(text, pos, dash - pos, y) || text[pos++] != '-' || !digits(text, pos, 2, m) || pos >= text.size() ||
      text[pos++] != '-' || !digits(text, pos, 2, d))
    return false;
  out = std::chrono::year(static_cast<int>(y)) / static_cast<int>(m) / static_cast<int>(d);
  return out.ok();
}

// A trailing " BC" turns year Y into 1 - Y (there is no year 0 in PostgreSQL's output).
bool strip_bc(std::string_view& text) {
  if (text.size() > 3 && text.substr(text.size() - 3) == " BC") {
    text.remove_suffix(3);
    return true;
  }
  return false;
}

std::chrono::year_month_day apply_bc(std::chrono::year_month_day d) {
  return std::chrono::year(1 - static_cast<int>(d.year())) / d.month() / d.day();
}

std::string year_text(int y, bool& bc) {
  bc = y <= 0;
  if (bc) y = 1 - y;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d", y);
  return buf;
}

// Decimal: sign, integer digits without leading zeros, fraction without trailing zeros.
struct Parts {
  bool negative = false;
  std::string integer, fraction;
};

Parts parts(const std::string& text) {
  Parts p;
  std::string_view s = text;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    p.negative = s[0] == '-';
    s.remove_prefix(1);
  }
  auto dot = s.find('.');
  p.integer = std::string(s.substr(0, dot));
  if (dot != std::string_view::npos) p.fraction = std::string(s.substr(dot + 1));
  p.integer.erase(0, std::min(p.integer.find_first_not_of('0'), p.integer.size()));
  while (!p.fraction.empty() && p.fraction.back() == '0') p.fraction.pop_back();
  if (p.integer.empty() && p.fraction.empty()) p.negative = false;  // -0 == 0
  return p;
}

std::strong_ordering magnitude(const Parts& a, const Parts& b) {
  if (a.integer.size() != b.integer.size()) return a.integer.size() <=> b.integer.size();
  if (auto c = a.integer.compare(b.integer); c != 0) return c <=> 0;
  return a.fraction.compare(b.fraction) <=> 0;
}

}  // namespace

Uuid Uuid::parse(std::string_view text) {
  std::string_view s = text;
  if (s.size() >= 2 && s.front() == '{' && s.back() == '}') s = s.substr(1, s.size() - 2);
  std::array<std::uint8_t, 16> bytes{};
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '-' && n > 0 && n % 2 == 0 && i + 1 < s.size() && s[i + 1] != '-') continue;
    int hi = hex_digit(s[i]), lo = i + 1 < s.size() ? hex_digit(s[i + 1]) : -1;
    if (hi < 0 || lo < 0 || n >= 32) bad("uuid", text);
    bytes[n / 2] = static_cast<std::uint8_t>(hi * 16 + lo);
    n += 2;
    ++i;
  }
  if (n != 32) bad("uuid", text);
  return Uuid(bytes);
}

std::string Uuid::str() const {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[bytes_[i] >> 4];
    out += hex[bytes_[i] & 15];
  }
  return out;
}

Decimal::Decimal(std::int64_t v) : text_(std::to_string(v)) {}

Decimal Decimal::parse(std::string_view text) {
  if (text == "NaN") return Decimal(std::string(text));
  std::size_t i = 0, digits_seen = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  bool dot = false;
  for (; i < text.size(); ++i) {
    if (text[i] == '.' && !dot)
      dot = true;
    else if (text[i] >= '0' && text[i] <= '9')
      ++digits_seen;
    else
      bad("numeric", text);
  }
  if (!digits_seen) bad("numeric", text);
  return Decimal(std::string(text));
}

std::strong_ordering Decimal::operator<=>(const Decimal& other) const {
  // NaN sorts above every number and equals itself, as in PostgreSQL.
  if (is_nan() || other.is_nan())
    return is_nan() == other.is_nan() ? std::strong_ordering::equal
           : is_nan()                 ? std::strong_ordering::greater
                                      : std::strong_ordering::less;
  Parts a = parts(text_), b = parts(other.text_);
  if (a.negative != b.negative) return a.negative ? std::strong_ordering::less : std::strong_ordering::greater;
  auto m = magnitude(a, b);
  return a.negative ? 0 <=> m : m;
}

Bytes Bytes::from(std::string_view s) {
  Bytes b;
  for (char c : s) b.push_back(static_cast<std::byte>(c));
  return b;
}

Timestamp parse_timestamp(std::string_view text) {
  if (text == "infinity") return timestamp_infinity;
  if (text == "-infinity") return timestamp_minus_infinity;
  std::string_view s = text;
  bool bc = strip_bc(s);
  std::size_t pos = 0;
  std::chrono::year_month_day day;
  long long h = 0, m = 0, sec = 0, micros = 0;
  if (!read_date(s, pos, day) || pos >= s.size() || (s[pos] != ' ' && s[pos] != 'T')) bad("timestamp", text);
  ++pos;
  auto colon = [&] { return pos < s.size() && s[pos++] == ':'; };
  if (!digits(s, pos, 2, h) || !colon() || !digits(s, pos, 2, m) || !colon() || !digits(s, pos, 2, sec))
    bad("timestamp", text);
  if (pos < s.size() && s[pos] == '.') {
    std::size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    std::string frac(s.substr(start, pos - start));
    if (frac.empty() || frac.size() > 6) bad("timestamp", text);
    frac.resize(6, '0');
    micros = std::stoll(frac);
  }
  long long offset = 0;  // seconds east of UTC
  if (pos < s.size()) {
    char sign = s[pos++];
    long long oh = 0, om = 0, os = 0;
    if ((sign != '+' && sign != '-') || !digits(s, pos, 2, oh)) bad("timestamp", text);
    if (pos < s.size() && s[pos] == ':' && (!colon() || !digits(s, pos, 2, om))) bad("timestamp", text);
    if (pos < s.size() && s[pos] == ':' && (!colon() || !digits(s, pos, 2, os))) bad("timestamp", text);
    if (pos != s.size()) bad("timestamp", text);
    offset = (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60 + os);
  }
  if (bc) day = apply_bc(day);
  using namespace std::chrono;
  return sys_days(day) + hours(h) + minutes(m) + seconds(sec) + microseconds(micros) - seconds(offset);
}

std::string format_timestamp(Timestamp t) {
  if (t == timestamp_infinity) return "infinity";
  if (t == timestamp_minus_infinity) return "-infinity";
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd(day);
  hh_mm_ss<microseconds> time(t - day);
  bool bc = false;
  std::string year = year_text(static_cast<int>(ymd.year()), bc);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s-%02u-%02u %02lld:%02lld:%02lld.%06lld+00%s", year.c_str(),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long long>(time.hours().count()), static_cast<long long>(time.minutes().count()),
                static_cast<long long>(time.seconds().count()), static_cast<long long>(time.subseconds().count()),
                bc ? " BC" : "");
  return buf;
}

Date parse_date(std::string_view text) {
  std::string_view s = text;
  bool bc = strip_bc(s);
  std::size_t pos = 0;
  Date d;
  if (!read_date(s, pos, d) || pos != s.size()) bad("date", text);
  return bc ? apply_bc(d) : d;
}

std::string format_date(Date d) {
  bool bc = false;
  std::string year = year_text(static_cast<int>(d.year()), bc);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s-%02u-%02u%s", year.c_str(), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()), bc ? " BC" : "");
  return buf;
}

Bytes parse_bytes(std::string_view text) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2) bad("bytea (hex output)", text);
  Bytes out;
  out.reserve(text.size() / 2 - 1);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    int hi = hex_digit(text[i]), lo = hex_digit(text[i + 1]);
    if (hi < 0 || lo < 0) bad("bytea (hex output)", text);
    out.push_back(static_cast<std::byte>(hi * 16 + lo));
  }
  return out;
}

std::string format_bytes(const Bytes& b) {
  static const char* hex = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + b.size() * 2);
  for (std::byte x : b) {
    auto v = std::to_integer<unsigned>(x);
    out += hex[v >> 4];
    out += hex[v & 15];
  }
  return out;
}

namespace detail {

std::string quote_array_element(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::vector<std::optional<std::string>> parse_array(const char* text) {
  std::vector<std::optional<std::string>> out;
  pqxx::array_parser parser(text, pqxx::internal::encoding_group::UTF8);
  int depth = 0;
  for (auto [what, value] = parser.get_next(); what != pqxx::array_parser::done;
       std::tie(what, value) = parser.get_next()) {
    switch (what) {
      case pqxx::array_parser::row_start:
        if (++depth > 1) throw ConversionError("multi-dimensional arrays are not supported: " + std::string(text));
        break;
      case pqxx::array_parser::row_end:
        --depth;
        break;
      case pqxx::array_parser::null_value:
        out.emplace_back(std::nullopt);
        break;
      case pqxx::array_parser::string_value:
        out.emplace_back(std::move(value));
        break;
      case pqxx::array_parser::done:
        break;
    }
  }
  return out;
}

// PostgreSQL's composite output: "(" fields ")", separated by commas; a NULL field is
// empty; a field may be double-quoted, with "" or a backslash escaping a quote and a
// backslash escaping any character (the input syntax accepts both).
std::vector<std::optional<std::string>> parse_record(const char* text) {
  std::string_view s(text);
  if (s.size() < 2 || s.front() != '(' || s.back() != ')')
    throw ConversionError("not a composite value: " + std::string(text));
  std::vector<std::optional<std::string>> out;
  std::size_t i = 1;
  while (true) {
    if (s[i] == ',' || s[i] == ')') {
      out.emplace_back(std::nullopt);
    } else {
      std::string field;
      bool quoted = false;
      while (i < s.size() && (quoted || (s[i] != ',' && s[i] != ')'))) {
        char c = s[i];
        if (c == '\\' && i + 1 < s.size()) {
          field += s[i + 1];
          i += 2;
        } else if (c == '"' && quoted && i + 1 < s.size() && s[i + 1] == '"') {
          field += '"';
          i += 2;
        } else if (c == '"') {
          quoted = !quoted;
          ++i;
        } else {
          field += c;
          ++i;
        }
      }
      if (quoted || i >= s.size()) throw ConversionError("unterminated composite value: " + std::string(text));
      out.emplace_back(std::move(field));
    }
    if (s[i] == ')') {
      if (i + 1 != s.size()) throw ConversionError("text after a composite value: " + std::string(text));
      return out;
    }
    ++i;  // the comma
  }
}

}  // namespace detail

void copy_rows(pqxx::transaction_base& tx, const std::string& table, const std::vector<std::string>& columns,
               const std::vector<CopyRow>& rows) {
  // stream_to (libpqxx's replacement) takes rows of a fixed tuple type only; the
  // older tablewriter takes a prepared line, which is what a row of text values needs.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  pqxx::tablewriter writer(tx, table, columns.begin(), columns.end());
#pragma GCC diagnostic pop
  std::string line;
  for (const auto& row : rows) {
    line.clear();
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) line += '\t';
      if (!row[i]) {
        line += "\\N";
        continue;
      }
      for (char c : *row[i]) {
        switch (c) {
          case '\\':
            line += "\\\\";
            break;
          case '\t':
            line += "\\t";
            break;
          case '\n':
            line += "\\n";
            break;
          case '\r':
            line += "\\r";
            break;
          default:
            line += c;
        }
      }
    }
    writer.write_raw_line(line);
  }
  writer.complete();
}

void act_as(pqxx::transaction_base& tx, const Claims& who) {
  tx.exec("SET LOCAL ROLE " + tx.quote_name(who.role));
  tx.conn().prepare("schemac_act_as", "SELECT set_config('request.jwt.claims', $1, true)");
  tx.exec_prepared("schemac_act_as", who.claims.dump());
  for (const auto& [key, value] : who.claims.items()) {
    tx.conn().prepare("schemac_act_as_claim", "SELECT set_config('request.jwt.claim.' || $1, $2, true)");
    tx.exec_prepared("schemac_act_as_claim", key, value.is_string() ? value.get<std::string>() : value.dump());
  }
}

std::string Cursor::next_name() {
  static std::atomic<std::uint64_t> next{0};
  return "schemac_cursor_" + std::to_string(++next);
}

pqxx::result Cursor::fetch(std::size_t rows) {
  if (!open_) return {};
  pqxx::result r;
  run([&] { r = tx_.exec("FETCH FORWARD " + std::to_string(rows) + " FROM " + name_); });
  if (r.size() < rows) {
    run([&] { tx_.exec("CLOSE " + name_); });
    open_ = false;
  }
  return r;
}

Claims as_user(const Uuid& user_id, const std::string& role) {
  Claims c;
  c.role = role;
  c.claims = Json{{"sub", user_id.str()}, {"role", role}};
  return c;
}

}  // namespace schemac
