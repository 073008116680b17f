#include "output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "modelgate/convert.h"

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

// The entry of `never_replace` that `path` is, if any (links in either are not followed, then followed).
std::optional<std::string> read_by_this_run(const std::string& path, const std::vector<std::string>& never_replace) {
  struct stat target {};
  if (never_replace.empty() || ::lstat(path.c_str(), &target) != 0) return std::nullopt;
  for (const auto& input : never_replace) {
    struct stat in {};
    for (auto* look : {&::lstat, &::stat})
      if (look(input.c_str(), &in) == 0 && in.st_dev == target.st_dev && in.st_ino == target.st_ino) return input;
  }
  return std::nullopt;
}

void collect_walked_files(const ArtifactReport& r, std::vector<std::string>& out) {
  for (const auto& c : r.children) {
    if (c.format == "directory")
      collect_walked_files(c, out);
    else if (c.format != "json" && c.format != "text")
      out.push_back(c.origin);
  }
}

}  // namespace

std::vector<std::string> files_not_to_replace(const std::vector<std::string>& paths, const ScanResult& result,
                                              std::vector<std::string> also) {
  std::vector<std::string> out(paths.begin(), paths.end());
  for (auto& a : also)
    if (!a.empty()) out.push_back(std::move(a));
  for (const auto& a : result.artifacts)
    if (a.format == "directory") collect_walked_files(a, out);
  return out;
}

std::optional<std::string> write_output_file(const std::string& path, const std::string& contents,
                                             const std::vector<std::string>& never_replace) {
  auto fail = [&](const std::string& what) { return "cannot write " + path + ": " + what + std::strerror(errno); };
  if (auto input = read_by_this_run(path, never_replace))
    return "cannot write " + path + ": it is " + *input + ", which this run read; choose another output file";
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
  DeferredInterrupts deferred;  // after the temporary file is renamed or removed
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
