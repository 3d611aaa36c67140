#include "driver/generated_directory.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <vector>

#include "driver/compile.hpp"

namespace schemac {

namespace fs = std::filesystem;

namespace {

std::string errno_text() { return std::strerror(errno); }

void write_all(int fd, std::string_view text, const fs::path& name) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw EnvironmentError("cannot write '" + name.string() + "': " + errno_text());
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

// The files the previous run wrote, from its manifest (none without one).
std::set<std::string> previous_files(const fs::path& manifest) {
  std::set<std::string> out;
  std::ifstream in(manifest);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line.find('/') == std::string::npos) out.insert(line);
  return out;
}

}  // namespace

struct GeneratedDirectory::File {
  int fd = -1;
  bool in_tmp = false;  // written into the new directory itself (no O_TMPFILE here)
  std::ifstream old;    // the previous file, compared as the new one is written
  bool same = true;
  ~File() {
    if (fd >= 0) ::close(fd);
  }
};

GeneratedDirectory::GeneratedDirectory(const fs::path& dir, std::string manifest) : manifest_(std::move(manifest)) {
  dir_ = fs::absolute(dir).lexically_normal();
  if (dir_.filename().empty()) dir_ = dir_.parent_path();
  parent_ = dir_.parent_path();
  std::error_code ec;
  // The directory is exchanged for a new one: the one this process (and the shell that
  // started it) stands in would be pulled away.
  auto cwd = fs::current_path(ec);
  auto [ours, theirs] = std::mismatch(dir_.begin(), dir_.end(), cwd.begin(), cwd.end());
  if (!ec && ours == dir_.end())
    throw EnvironmentError("'" + dir.string() +
                           "' holds the current directory: gen cpp replaces its output directory "
                           "as a whole; give it one of its own");
  if (fs::exists(dir_, ec)) {
    if (!fs::is_directory(dir_, ec)) throw EnvironmentError("'" + dir.string() + "' is not a directory");
    for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_directory(ec) && !it->is_symlink(ec))
        throw EnvironmentError("'" + dir.string() + "' holds the directory '" + it->path().filename().string() +
                               "': gen cpp replaces its output directory as a whole; give it one of its own");
  }
  fs::create_directories(parent_, ec);
  if (ec) throw EnvironmentError("cannot create '" + parent_.string() + "': " + ec.message());
  // What a run killed while it put its files in place left (its process is gone).
  std::string prefix = "." + dir_.filename().string() + ".schemac-";
  for (fs::directory_iterator it(parent_, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    std::error_code ignored;
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove_all(it->path(), ignored);
  }
}

GeneratedDirectory::~GeneratedDirectory() {
  files_.clear();
  std::error_code ec;
  if (!tmp_.empty() && !committed_) fs::remove_all(tmp_, ec);
}

fs::path GeneratedDirectory::temporary_directory() {
  if (!tmp_.empty()) return tmp_;
  std::string base = "." + dir_.filename().string() + ".schemac-" + std::to_string(::getpid()) + "-";
  for (int n = 0;; ++n) {
    fs::path p = parent_ / (base + std::to_string(n));
    if (::mkdir(p.c_str(), 0777) == 0) return tmp_ = p;
    if (errno != EEXIST) throw EnvironmentError("cannot create '" + p.string() + "': " + errno_text());
  }
}

void GeneratedDirectory::append(const std::string& name, std::string_view text) {
  auto& f = files_[name];
  if (!f) {
    f = std::make_unique<File>();
    f->fd = ::open(parent_.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (f->fd < 0) {  // a file system without anonymous files: write into the new directory
      f->in_tmp = true;
      fs::path p = temporary_directory() / name;
      f->fd = ::open(p.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0666);
      if (f->fd < 0) throw EnvironmentError("cannot write '" + p.string() + "': " + errno_text());
    }
    f->old.open(dir_ / name, std::ios::binary);
    f->same = f->old.is_open();
  }
  write_all(f->fd, text, dir_ / name);
  if (f->same) {
    std::string before(text.size(), '\0');
    f->old.read(before.data(), static_cast<std::streamsize>(before.size()));
    f->same = f->old.gcount() == static_cast<std::streamsize>(before.size()) && before == text;
  }
}

bool GeneratedDirectory::commit() {
  std::error_code ec;
  bool exists = fs::is_directory(dir_, ec);
  std::set<std::string> previous = exists ? previous_files(dir_ / manifest_) : std::set<std::string>{};
  bool changed = !exists;
  for (auto& [name, f] : files_) {
    f->same = f->same && f->old.peek() == std::char_traits<char>::eof();
    changed |= !f->same;
  }
  for (const auto& name : previous)
    if (!files_.count(name) && fs::exists(dir_ / name, ec)) changed = true;  // a file of a larger split
  if (!changed) {
    files_.clear();
    std::error_code ignored;
    if (!tmp_.empty()) fs::remove_all(tmp_, ignored);
    tmp_.clear();
    return false;
  }
  fs::path tmp = temporary_directory();
  for (auto& [name, f] : files_) {
    fs::path target = tmp / name;
    if (f->same) {  // carried over: same inode, same mtime
      if (f->in_tmp) fs::remove(target, ec);
      if (::link((dir_ / name).c_str(), target.c_str()) == 0) continue;
      if (f->in_tmp) throw EnvironmentError("cannot link '" + target.string() + "': " + errno_text());
    }
    if (f->in_tmp) continue;
    std::string self = "/proc/self/fd/" + std::to_string(f->fd);
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, target.c_str(), AT_SYMLINK_FOLLOW) == 0) continue;
    // No /proc: copy the anonymous file's content.
    int out = ::open(target.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0666);
    if (out < 0) throw EnvironmentError("cannot write '" + target.string() + "': " + errno_text());
    char buf[1 << 16];
    ssize_t n;
    for (off_t at = 0; (n = ::pread(f->fd, buf, sizeof buf, at)) > 0; at += n)
      write_all(out, {buf, std::size_t(n)}, target);
    ::close(out);
    if (n < 0) throw EnvironmentError("cannot read back '" + target.string() + "': " + errno_text());
  }
  files_.clear();
  if (exists) {
    // Anything else in the directory (a build's stamp) stays.
    for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (fs::exists(tmp / name) || previous.count(name)) continue;
      if (::link(it->path().c_str(), (tmp / name).c_str()) != 0)
        throw EnvironmentError("cannot link '" + it->path().string() + "': " + errno_text());
    }
    struct stat st;
    if (::stat(dir_.c_str(), &st) == 0) ::chmod(tmp.c_str(), st.st_mode & 07777);
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dir_.c_str(), RENAME_EXCHANGE) != 0) {
      if (errno != EINVAL && errno != ENOSYS)
        throw EnvironmentError("cannot replace '" + dir_.string() + "': " + errno_text());
      // No exchange on this file system: two renames, with a moment without the directory.
      fs::path aside = temporary_directory().string() + "-old";
      if (::rename(dir_.c_str(), aside.c_str()) != 0 || ::rename(tmp.c_str(), dir_.c_str()) != 0)
        throw EnvironmentError("cannot replace '" + dir_.string() + "': " + errno_text());
      tmp = aside;
    }
  } else if (::rename(tmp.c_str(), dir_.c_str()) != 0) {
    throw EnvironmentError("cannot create '" + dir_.string() + "': " + errno_text());
  }
  committed_ = true;
  fs::remove_all(tmp, ec);  // after the exchange: the previous files
  tmp_.clear();
  return true;
}

}  // namespace schemac
