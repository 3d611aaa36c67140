#include "support.hpp"

#include <algorithm>

namespace schemac::test {

namespace fs = std::filesystem;

fs::path source_dir() { return SCHEMAC_SOURCE_DIR; }

Compiled compile_files(const std::vector<std::pair<std::string, std::string>>& files) {
  Compiled c;
  Diagnostics diags;
  c.loaded = compile_sources(files, diags);
  c.diagnostics = diags.render();
  c.ok = !diags.has_errors();
  return c;
}

Compiled compile_text(const std::string& text) { return compile_files({{"test.schema", text}}); }

std::string first_line(const std::string& d) { return d.substr(0, d.find('\n')); }

std::vector<fs::path> valid_schema_dirs() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(source_dir() / "schemas"))
    if (e.is_directory()) out.push_back(fs::relative(e.path(), source_dir()));
  for (const auto& e : fs::directory_iterator(source_dir() / "tests/golden"))
    if (e.is_directory() && fs::exists(e.path() / "schema") && !fs::exists(e.path() / "stderr.txt"))
      out.push_back(fs::relative(e.path() / "schema", source_dir()));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace schemac::test
