#include "core/regular_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace modelgate {

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

const char* file_kind_name(mode_t mode) {
  if (S_ISREG(mode)) return "regular file";
  if (S_ISDIR(mode)) return "directory";
  if (S_ISFIFO(mode)) return "FIFO";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  if (S_ISLNK(mode)) return "symbolic link";
  return "special file";
}

namespace {

// The path is the error's origin, so that its message() reads "path: reason" (": reason" for an
// empty path, as it always has).
Error io_error(const std::filesystem::path& path, std::string reason) {
  if (path.empty()) return parse_error(0, ": " + reason);
  return Error{0, std::move(reason), {}, path.string()};
}

bool same_time(const timespec& a, const timespec& b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }

}  // namespace

std::string change_between(const struct stat& then, const struct stat& now) {
  if (now.st_dev != then.st_dev || now.st_ino != then.st_ino) return "its name now refers to a different file";
  if (now.st_size != then.st_size)
    return "its size went from " + std::to_string(then.st_size) + " to " + std::to_string(now.st_size) + " bytes";
  if (!same_time(now.st_mtim, then.st_mtim) || !same_time(now.st_ctim, then.st_ctim))
    return "it was modified while it was read";
  return {};
}

Expected<OpenedFile> open_regular_file(const std::filesystem::path& path, FinalLink link) {
  int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
  if (link == FinalLink::refuse) flags |= O_NOFOLLOW;
  OpenedFile f;
  f.fd = FileDescriptor(::open(path.c_str(), flags));
  if (f.fd.get() < 0) {
    int err = errno;
    if (err == ELOOP && link == FinalLink::refuse)
      return io_error(path, "is a symbolic link (not followed)");
    if (err == ENXIO) return io_error(path, "is a socket or a FIFO without a writer (not read)");
    return io_error(path, std::strerror(err));
  }
  if (::fstat(f.fd.get(), &f.st) != 0) return io_error(path, std::strerror(errno));
  if (!S_ISREG(f.st.st_mode))
    return io_error(path, std::string("is a ") + file_kind_name(f.st.st_mode) + ", not a regular file (not read)");
  return f;
}

namespace {

// Where open_regular_file_beneath() and stat_beneath() resolve the last component of `relative`:
// `dir` (AT_FDCWD or the directory it is in, opened one component at a time with O_NOFOLLOW) and
// `last`, relative to it. A single component whose whole path fits in PATH_MAX is resolved in one
// call on the joined path: the kernel then follows links only in `base`, as opening `base` does.
struct Beneath {
  FileDescriptor dir;
  std::string last;
  int dirfd() const { return dir.ok() ? dir.get() : AT_FDCWD; }
};

Expected<Beneath> resolve_beneath(const std::filesystem::path& base, std::string_view relative) {
  auto name = [&] { return (base / std::string(relative)).string(); };
  Beneath b;
  if (relative.find('/') == std::string_view::npos && base.native().size() + relative.size() + 2 <= PATH_MAX) {
    b.last = name();
    return b;
  }
  b.dir = FileDescriptor(::open(base.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NONBLOCK));
  if (!b.dir.ok()) return io_error(base, std::strerror(errno));
  for (std::size_t slash; (slash = relative.find('/')) != std::string_view::npos;) {
    std::string component(relative.substr(0, slash));
    FileDescriptor next(
        ::openat(b.dir.get(), component.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK));
    if (!next.ok()) {
      int err = errno;
      // O_NOFOLLOW|O_DIRECTORY on a link fails with ENOTDIR or ELOOP depending on the kernel.
      return io_error(name(), err == ELOOP || err == ENOTDIR
                                  ? "a directory on the way (" + component + ") was replaced by a link or a file"
                                  : std::string(std::strerror(err)));
    }
    b.dir = std::move(next);
    relative.remove_prefix(slash + 1);
  }
  b.last = std::string(relative);
  return b;
}

}  // namespace

Expected<OpenedFile> open_regular_file_beneath(const std::filesystem::path& base, std::string_view relative) {
  auto name = [&] { return (base / std::string(relative)).string(); };
  auto at = resolve_beneath(base, relative);
  if (!at) return at.error();
  OpenedFile f;
  f.fd = FileDescriptor(
      ::openat(at->dirfd(), at->last.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW));
  if (!f.fd.ok()) {
    int err = errno;
    if (err == ELOOP) return io_error(name(), "is a symbolic link (not followed)");
    if (err == ENXIO) return io_error(name(), "is a socket or a FIFO without a writer (not read)");
    return io_error(name(), std::strerror(err));
  }
  if (::fstat(f.fd.get(), &f.st) != 0) return io_error(name(), std::strerror(errno));
  if (!S_ISREG(f.st.st_mode))
    return io_error(name(), std::string("is a ") + file_kind_name(f.st.st_mode) + ", not a regular file (not read)");
  return f;
}

bool stat_beneath(const std::filesystem::path& base, std::string_view relative, struct stat& st) {
  auto at = resolve_beneath(base, relative);
  return at && ::fstatat(at->dirfd(), at->last.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

Expected<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_bytes) {
  auto opened = open_regular_file(path);
  if (!opened) return opened.error();
  auto declared = static_cast<std::uint64_t>(opened->st.st_size);
  if (declared > max_bytes)
    return io_error(path, std::to_string(declared) + " bytes, more than the " + std::to_string(max_bytes) +
                          " allowed for this kind of file");
  std::string data;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(opened->fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(path, std::strerror(errno));
    }
    if (n == 0) break;
    if (data.size() + static_cast<std::size_t>(n) > max_bytes)
      return io_error(path, "grew past the " + std::to_string(max_bytes) + " bytes allowed while it was read");
    data.append(buffer, static_cast<std::size_t>(n));
  }
  if (data.size() != declared) return io_error(path, "changed size while it was read");
  return data;
}

}  // namespace modelgate
