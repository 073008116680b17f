#pragma once
// Where convert writes, and how it stays there: every path is resolved one component at a time
// from a directory descriptor with O_NOFOLLOW (no symbolic link is ever followed, so nothing lands
// outside the output), a directory is built in a staging directory beside its target and renamed
// into place only when complete, and temps left by a killed run are found by their name and
// removed once no live run holds their lock.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/expected.h"
#include "core/regular_file.h"

namespace modelgate::convert {

// strerror(errno), for messages.
std::string errno_text();

using Fd = FileDescriptor;

// The names in the directory `dirfd` (without "." and ".."), read through a descriptor of its own.
// False with errno set on failure.
bool list_directory(int dirfd, std::vector<std::string>& names);

// Opens the directory `rel` (relative, without "." or "..") beneath `dirfd`, never following a
// link; with `create`, missing directories are made (mode 0755). Invalid Fd with errno set.
Fd open_directory_beneath(int dirfd, const std::filesystem::path& rel, bool create);
// Opens the file `rel` beneath `dirfd` for reading, never following a link; does not block on a
// FIFO or device. Invalid Fd with errno set.
Fd open_file_beneath(int dirfd, const std::filesystem::path& rel);

// Temp names of `name` in its directory: ".NAME.modelgate-XXXXXX" (the prefix, and a new one).
std::string temp_prefix(const std::string& name);
std::string new_temp_name(const std::string& name);

// Removes what a killed conversion left beside `name` in `dirfd` (entries named
// temp_prefix(name) + 6 characters that no live run holds locked). Returns the names removed;
// entries that cannot be removed go to `errors`.
std::vector<std::string> remove_stale_temps(int dirfd, const std::string& name, std::vector<std::string>& errors);

// A new, locked directory beside `target` that becomes `target` on commit() and is removed with
// its contents otherwise.
class StagingDirectory {
 public:
  // `parent_fd`: the directory that holds (or will hold) `name`; `display` names it in messages.
  static Expected<StagingDirectory> create(int parent_fd, const std::string& name, const std::string& display);
  StagingDirectory(StagingDirectory&& o) noexcept;
  StagingDirectory& operator=(StagingDirectory&&) = delete;
  ~StagingDirectory();

  int fd() const { return fd_.get(); }
  // Renames the staging directory to the target. An existing empty target is replaced; a
  // non-empty one only with `replace`, and then its old contents are removed after the exchange.
  // `durable`: fsync the parent directory afterwards.
  Expected<bool> commit(bool replace, bool durable);

 private:
  StagingDirectory() = default;
  void remove();
  Fd parent_;
  Fd fd_;  // holds the lock
  std::string name_, temp_, display_;
  bool committed_ = false;
};

// Removes the entry `name` of `dirfd` and, for a directory, everything beneath it, without
// following links. False with errno set on failure.
bool remove_tree_at(int dirfd, const std::string& name);

}  // namespace modelgate::convert
