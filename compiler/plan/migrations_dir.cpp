#include "plan/migrations_dir.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <regex>

#include "driver/compile.hpp"
#include "plan/render.hpp"
#include "plan/snapshot.hpp"

namespace schemac::plan {

namespace fs = std::filesystem;

std::vector<MigrationFile> list_migrations(const fs::path& dir) {
  std::vector<MigrationFile> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  if (!fs::is_directory(dir, ec)) throw EnvironmentError("'" + dir.string() + "' is not a directory");
  static const std::regex up_file(R"((([0-9]{4,})_[a-z0-9_]+)\.up\.sql)");
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::smatch m;
    std::string name = it->path().filename().string();
    if (std::regex_match(name, m, up_file)) out.push_back({std::stoi(m[2].str()), m[1].str()});
  }
  if (ec) throw EnvironmentError("cannot read '" + dir.string() + "': " + ec.message());
  std::sort(out.begin(), out.end(), [](const MigrationFile& a, const MigrationFile& b) { return a.number < b.number; });
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].number == out[i - 1].number)
      throw EnvironmentError("two migrations share the number " + std::to_string(out[i].number) + ": " + out[i - 1].id +
                             " and " + out[i].id);
  return out;
}

std::optional<model::Schema> read_previous_snapshot(const fs::path& dir, Diagnostics& diags) {
  fs::path file = dir / "snapshot.previous.schema";
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::nullopt;
  auto loaded = compile_own_output(file.generic_string(), read_file(file), diags);
  return std::move(loaded.model);
}

model::Schema read_snapshot(const fs::path& dir, Diagnostics& diags) {
  fs::path file = dir / "snapshot.schema";
  std::error_code ec;
  if (!fs::exists(file, ec)) return {};
  // Written by schemac from a checked schema: not checked again.
  auto loaded = compile_own_output(file.generic_string(), read_file(file), diags);
  return loaded.model;
}

namespace {

// An exclusive lock on the directory itself (no lock file is left behind), held
// while a plan reads the snapshot and writes the next migration: two `plan` runs
// into one directory take turns, so the second plans from the first one's snapshot
// and never reuses its number.
class DirectoryLock {
 public:
  explicit DirectoryLock(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw EnvironmentError("cannot create '" + dir.string() + "': " + ec.message());
    fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) throw EnvironmentError("cannot open '" + dir.string() + "': " + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0)
      if (errno != EINTR) {
        int error = errno;
        ::close(fd_);
        throw EnvironmentError("cannot lock '" + dir.string() + "': " + std::strerror(error));
      }
  }
  ~DirectoryLock() { ::close(fd_); }  // closing releases the lock
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

void check_migration_name(const std::string& name) {
  static const std::regex valid_name("[a-z0-9_]+");
  if (!std::regex_match(name, valid_name))
    throw EnvironmentError("migration name '" + name + "' must be lower case letters, digits and underscores");
}

Written write_next_migration(const fs::path& dir, const std::string& name, const model::Schema& desired,
                             Diagnostics& diags, std::vector<std::string>& notes,
                             const std::map<model::QualifiedName, double>& rows) {
  check_migration_name(name);
  DirectoryLock lock(dir);
  auto existing = list_migrations(dir);
  model::Schema previous = read_snapshot(dir, diags);
  if (diags.has_errors()) return {};
  if (!existing.empty() && !fs::exists(dir / "snapshot.schema"))
    throw EnvironmentError("'" + dir.string() +
                           "' has migrations but no snapshot.schema; restore it from version control");
  int number = existing.empty() ? 1 : existing.back().number + 1;
  std::string id = fmt::format("{:04d}_{}", number, name);
  Plan plan = plan_migration(previous, desired, diags, id);
  if (diags.has_errors()) return {};
  notes = plan.notes;

  // Each file is written next to its place as soon as it is rendered (so that only
  // one is in memory at a time), and renamed into place when all are complete.
  Written written;
  written.locks = lock_summary(plan, rows);
  written.assertions = assertion_summary(plan);
  std::vector<fs::path> staged;
  std::error_code ec;
  auto temporary = [](fs::path p) { return p += ".schemac-tmp"; };
  auto stage = [&](const fs::path& path, const std::string& text) {
    if (staged.empty()) {
      fs::create_directories(dir, ec);
      if (ec) throw EnvironmentError("cannot create '" + dir.string() + "': " + ec.message());
    }
    staged.push_back(path);  // first: a half-written temporary file is removed too
    write_file_atomically(temporary(path), text);
  };
  try {
    if (!plan.empty()) {
      written.id = id;
      std::string from = existing.empty() ? "the empty database" : existing.back().id;
      auto header = [&](const char* kind, const char* what) {
        return fmt::format("schemac migration {} ({})\nfrom {} to {}\n{}\nGenerated by schemac plan; do not edit.",
                           written.id, kind, from, written.id, what);
      };
      stage(dir / (written.id + ".up.sql"), render_up(plan, header("up", "Expand, then data, then contract.")));
      stage(dir / (written.id + ".down.sql"),
            render_down(plan, header("down", "Undoes the up file exactly, in reverse order.")));
      stage(dir / (written.id + ".verify.sql"),
            render_verify(plan, header("verify", "Raises an exception naming what is missing after up.")));
      // The state this migration starts from, for `schemac lint` once it is planned.
      std::string before =
          fs::exists(dir / "snapshot.schema", ec) ? read_file(dir / "snapshot.schema") : snapshot_text(model::Schema{});
      before = before.substr(before.find('\n') + 1);
      stage(dir / "snapshot.previous.schema", "// schemac snapshot: the state before the newest migration, " +
                                                  written.id + ". Written by `schemac plan`; do not edit.\n" + before);
    }
    plan = {};
    {
      std::string snapshot = snapshot_text(desired);
      bool snapshot_changed =
          !fs::exists(dir / "snapshot.schema", ec) || read_file(dir / "snapshot.schema") != snapshot;
      if (snapshot_changed) stage(dir / "snapshot.schema", snapshot);
    }
  } catch (...) {  // nothing is left behind: no temporary file, nothing renamed yet
    for (const auto& p : staged) fs::remove(temporary(p), ec);
    throw;
  }
  for (const auto& path : staged) {
    fs::rename(temporary(path), path, ec);
    if (ec) throw EnvironmentError("cannot write '" + path.string() + "': " + ec.message());
    written.files.push_back(path.filename().string());
  }
  return written;
}

}  // namespace schemac::plan
