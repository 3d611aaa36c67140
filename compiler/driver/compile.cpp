#include "driver/compile.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "check/embedded_sql.hpp"
#include "model/resolve.hpp"

namespace schemac {

namespace fs = std::filesystem;

std::vector<fs::path> schema_files(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw EnvironmentError("'" + dir.string() + "' is not a directory");
  std::vector<fs::path> out;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".schema") continue;
    // A .schema entry that cannot be read is an error, not a file quietly left out.
    std::error_code file_ec;
    std::string shown = (dir / it->path().filename()).generic_string();
    if (it->is_symlink(file_ec) && !fs::exists(it->path(), file_ec))
      throw EnvironmentError("cannot read '" + shown + "': a symbolic link to nothing (" +
                             fs::read_symlink(it->path(), file_ec).string() + ")");
    if (!it->is_regular_file(file_ec)) throw EnvironmentError("cannot read '" + shown + "': not a regular file");
    out.push_back(it->path());
  }
  if (ec) throw EnvironmentError("cannot read '" + dir.string() + "': " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw EnvironmentError("cannot read '" + path.string() + "': " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string read_schema_file(const fs::path& path) {
  std::string text = read_file(path);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  return text;
}

void write_file_atomically(const fs::path& path, const std::string& content) {
  fs::path tmp = path;
  tmp += ".schemac-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw EnvironmentError("cannot write '" + tmp.string() + "': " + std::strerror(errno));
    out << content;
    out.flush();
    if (!out) throw EnvironmentError("cannot write '" + tmp.string() + "'");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw EnvironmentError("cannot replace '" + path.string() + "'");
  }
}

static LoadedSchema parse_and_resolve(LoadedSchema loaded, Diagnostics& diags, bool check_sql = true) {
  bool ok = true;
  diags.set_kind("syntax");
  for (auto& f : loaded.files) ok &= syntax::parse_file(diags, f.file_id, f);
  diags.set_kind("");
  if (!ok) return loaded;
  if (check_sql) {
    resolve_parsed(loaded, diags);
    return loaded;
  }
  diags.set_kind("schema");
  loaded.model = model::resolve(loaded.files, diags);
  diags.set_kind("");
  check::derive_view_names(loaded.model);
  return loaded;
}

void resolve_parsed(LoadedSchema& loaded, Diagnostics& diags) {
  diags.set_kind("schema");
  loaded.model = model::resolve(loaded.files, diags);
  diags.set_kind("sql");
  check::check_embedded_sql(loaded.files, loaded.model, diags);
  diags.set_kind("");
}

LoadedSchema compile_directory(const fs::path& dir, Diagnostics& diags) {
  LoadedSchema loaded;
  for (const auto& p : schema_files(dir)) {
    syntax::ParsedFile f;
    f.file_id = diags.add_file((dir / p.filename()).generic_string(), read_schema_file(p));
    loaded.files.push_back(std::move(f));
    loaded.paths.push_back(p);
  }
  return parse_and_resolve(std::move(loaded), diags);
}

LoadedSchema compile_sources(const std::vector<std::pair<std::string, std::string>>& sources, Diagnostics& diags) {
  LoadedSchema loaded;
  for (const auto& [name, text] : sources) {
    syntax::ParsedFile f;
    f.file_id = diags.add_file(name, text);
    loaded.files.push_back(std::move(f));
    loaded.paths.push_back(name);
  }
  return parse_and_resolve(std::move(loaded), diags);
}

LoadedSchema compile_own_output(const std::string& name, const std::string& text, Diagnostics& diags) {
  LoadedSchema loaded;
  syntax::ParsedFile f;
  f.file_id = diags.add_file(name, text);
  loaded.files.push_back(std::move(f));
  loaded.paths.push_back(name);
  return parse_and_resolve(std::move(loaded), diags, false);
}

}  // namespace schemac
