#include "support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>

#include "plan/migrations_dir.hpp"
#include "plan/snapshot.hpp"

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

std::string error_of(const std::string& text) {
  auto c = compile_text(text);
  INFO(c.diagnostics);
  CHECK_FALSE(c.ok);
  return first_line(c.diagnostics);
}

std::vector<fs::path> valid_schema_dirs() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(source_dir() / "schemas")) {
    if (!e.is_directory()) continue;
    out.push_back(fs::relative(e.path(), source_dir()));
    if (fs::exists(e.path() / "history"))
      for (const auto& h : fs::directory_iterator(e.path() / "history"))
        if (h.is_directory()) out.push_back(fs::relative(h.path(), source_dir()));
  }
  for (const auto& e : fs::directory_iterator(source_dir() / "tests/golden")) {
    if (!e.is_directory()) continue;
    if (fs::exists(e.path() / "schema") && !fs::exists(e.path() / "stderr.txt"))
      out.push_back(fs::relative(e.path() / "schema", source_dir()));
    for (const char* version : {"v1", "v2"})
      if (fs::exists(e.path() / version) && !(version == std::string("v2") && fs::exists(e.path() / "stderr.txt")))
        out.push_back(fs::relative(e.path() / version, source_dir()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

model::Schema snapshot_of(const model::Schema& state) {
  Diagnostics diags;
  auto loaded = compile_own_output("snapshot.schema", plan::snapshot_text(state), diags);
  INFO(diags.render());
  REQUIRE_FALSE(diags.has_errors());
  return loaded.model;
}

PlannedVersions plan_versions(const fs::path& case_dir) {
  PlannedVersions out;
  fs::path scratch = fs::temp_directory_path() /
                     ("schemac-golden-" + case_dir.filename().string() + "-" + std::to_string(std::rand()));
  fs::remove_all(scratch);
  auto read = [](const fs::path& p) { return fs::exists(p) ? read_file(p) : std::string(); };
  for (const char* version : {"v1", "v2"}) {
    Diagnostics diags;
    auto loaded = compile_directory(case_dir / version, diags);
    std::vector<std::string> notes;
    plan::Written written;
    if (!diags.has_errors()) written = plan::write_next_migration(scratch, version, loaded.model, diags, notes);
    if (diags.has_errors()) {
      out.errors = diags.render();
      break;
    }
    (version == std::string("v1") ? out.v1 : out.v2) = loaded.model;
    if (written.id.empty()) continue;
    if (version == std::string("v1")) {
      out.v1_up = read(scratch / (written.id + ".up.sql"));
      out.v1_verify = read(scratch / (written.id + ".verify.sql"));
    } else {
      out.up = read(scratch / (written.id + ".up.sql"));
      out.down = read(scratch / (written.id + ".down.sql"));
      out.verify = read(scratch / (written.id + ".verify.sql"));
    }
  }
  fs::remove_all(scratch);
  return out;
}

}  // namespace schemac::test
