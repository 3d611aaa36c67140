#include "schemac/migrations.hpp"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "schemac/migration_file.hpp"

namespace schemac::runtime {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read '" + p.string() + "'");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

bool Migration::no_transaction() const { return up.rfind(migration_file::no_transaction_marker, 0) == 0; }

std::vector<Migration> load_migrations(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw std::runtime_error("'" + dir.string() + "' is not a directory");
  static const std::regex up_file(R"((([0-9]{4,})_[a-z0-9_]+)\.up\.sql)");
  std::vector<Migration> out;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::smatch m;
    std::string file = it->path().filename().string();
    if (!std::regex_match(file, m, up_file)) continue;
    Migration mig;
    mig.version = std::stoi(m[2].str());
    mig.name = m[1].str();
    mig.up = read_text(it->path());
    for (auto [suffix, text] : {std::pair{".down.sql", &mig.down}, std::pair{".verify.sql", &mig.verify}}) {
      fs::path companion = dir / (mig.name + suffix);
      if (!fs::exists(companion)) throw std::runtime_error("'" + companion.string() + "' is missing");
      *text = read_text(companion);
    }
    out.push_back(std::move(mig));
  }
  if (ec) throw std::runtime_error("cannot read '" + dir.string() + "': " + ec.message());
  std::sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].version == out[i - 1].version)
      throw std::runtime_error("migrations " + out[i - 1].name + " and " + out[i].name + " share a version");
  return out;
}

}  // namespace schemac::runtime
