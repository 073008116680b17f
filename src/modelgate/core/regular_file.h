#pragma once
// Opening an input for reading without ever blocking: a FIFO, socket or device given as a model
// path, a policy, a key or a signature is refused at once instead of hanging in open() or read().
#include <sys/stat.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/expected.h"

namespace modelgate {

// Owns one file descriptor.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor();
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

struct OpenedFile {
  FileDescriptor fd;
  struct stat st {};  // fstat of the open descriptor, so checks and reads see the same file
};

enum class FinalLink { follow, refuse };

// Opens `path` read-only with O_NONBLOCK (and O_NOFOLLOW when `link` is refuse), then fstat()s the
// descriptor and accepts only a regular file. An error's origin is the path, its reason the OS's or
// the kind of file found ("is a FIFO", "is a directory", ...).
Expected<OpenedFile> open_regular_file(const std::filesystem::path& path, FinalLink link = FinalLink::follow);

// Opens `relative` ('/'-separated, no "." or ".." components) beneath the directory `base`, one
// component at a time with O_NOFOLLOW, so that a symbolic link swapped in anywhere along the way is
// refused rather than followed and a path longer than PATH_MAX still opens. `base` itself is
// followed: the user named it. Otherwise as open_regular_file with FinalLink::refuse.
Expected<OpenedFile> open_regular_file_beneath(const std::filesystem::path& base, std::string_view relative);

// The lstat() of what `relative` names beneath `base` now, reached as open_regular_file_beneath()
// reaches it (no link followed after `base`, the last one not followed either); false when it
// cannot be reached. One system call for a file directly in `base`: a check that the name still
// refers to the file opened costs less than opening it again.
bool stat_beneath(const std::filesystem::path& base, std::string_view relative, struct stat& st);

// Reads a whole small regular file (a policy, a key, a signature bundle) opened as above; a file
// larger than `max_bytes` is an error, as is one that changes size while it is read.
Expected<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_bytes);

// "FIFO", "socket", "character device", ... for messages.
const char* file_kind_name(mode_t mode);

// How a file differs between two stat()s of it ("its size went from 10 to 0 bytes", "it was
// modified while it was read", "its name now refers to a different file"), or empty when its
// device, inode, size, modification and change times are all the same. Every reader that must not
// judge, convert or sign a file that changed underneath it (scan, convert, sign/digest) asks this.
std::string change_between(const struct stat& then, const struct stat& now);

}  // namespace modelgate
