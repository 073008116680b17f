#include "output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace modelgate::cli {

namespace {

bool write_all(int fd, const std::string& contents) {
  std::size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

std::optional<std::string> write_output_file(const std::string& path, const std::string& contents) {
  auto fail = [&](const std::string& what) { return "cannot write " + path + ": " + what + std::strerror(errno); };
  // A terminal, pipe or /dev/stdout named as the output is written as it is, not replaced.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) return "cannot write " + path + ": it is a directory";
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return fail("");
    bool ok = write_all(fd, contents);
    int err = errno;
    ::close(fd);
    errno = err;
    if (!ok) return fail("");
    return std::nullopt;
  }
  std::filesystem::path target(path);
  std::string temp = (target.parent_path() / ("." + target.filename().string() + ".XXXXXX")).string();
  int fd = ::mkstemp(temp.data());
  if (fd < 0) return fail("cannot create a temporary file beside it: ");
  ::fchmod(fd, 0644);
  if (!write_all(fd, contents)) {
    auto error = fail("");
    ::close(fd);
    ::unlink(temp.c_str());
    return error;
  }
  if (::close(fd) != 0) {
    auto error = fail("");
    ::unlink(temp.c_str());
    return error;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    auto error = fail("cannot rename the temporary file into place: ");
    ::unlink(temp.c_str());
    return error;
  }
  return std::nullopt;
}

}  // namespace modelgate::cli
