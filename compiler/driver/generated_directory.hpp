// A directory of generated files (gen cpp's output) replaced as one: either every
// file is the new one or every file is the previous one, whatever happens to the
// process meanwhile. Files are written as they come (anonymous temporary files,
// O_TMPFILE, in the directory's parent, so a killed run leaves nothing behind);
// commit() builds the new directory beside the old one and exchanges the two with
// one rename (renameat2 RENAME_EXCHANGE). A file whose content did not change is
// carried over as a hard link, so its mtime stays; files of the previous run that
// are not written again (listed in the previous manifest) are gone; any other file
// in the directory (a build's stamp) is carried over.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace schemac {

class GeneratedDirectory {
 public:
  // `manifest`: the name of the file (written like the others) that lists the
  // generated files, one per line. Throws EnvironmentError when `dir` is not a
  // directory or holds a subdirectory (which one rename could not carry over).
  GeneratedDirectory(const std::filesystem::path& dir, std::string manifest);
  GeneratedDirectory(const GeneratedDirectory&) = delete;
  GeneratedDirectory& operator=(const GeneratedDirectory&) = delete;
  ~GeneratedDirectory();  // without commit(): every temporary is removed

  // Appends to the file `name` (created at its first piece).
  void append(const std::string& name, std::string_view text);
  // Puts the files in place; returns false when every file was the same already
  // (nothing was touched).
  bool commit();

 private:
  struct File;
  std::filesystem::path temporary_directory();
  std::filesystem::path dir_, parent_;
  std::string manifest_;
  std::map<std::string, std::unique_ptr<File>> files_;
  std::filesystem::path tmp_;  // the new directory while it is built (removed unless committed)
  bool committed_ = false;
};

}  // namespace schemac
