#include "convert/staging.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

namespace modelgate::convert {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kTempSuffix = 6;

std::string random_suffix() {
  static const char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::string s;
  for (std::size_t i = 0; i < kTempSuffix; ++i) s += kChars[rd() % (sizeof kChars - 1)];
  return s;
}

bool plain_component(const std::string& c) { return !c.empty() && c != "." && c != ".." && c != "/"; }

}  // namespace

bool list_directory(int dirfd, std::vector<std::string>& names) {
  int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    return false;
  }
  errno = 0;
  while (const dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  int err = errno;
  ::closedir(d);
  errno = err;
  return err == 0;
}

std::string errno_text() { return std::strerror(errno); }

Fd open_directory_beneath(int dirfd, const fs::path& rel, bool create) {
  Fd cur(::fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
  if (!cur.ok()) return cur;
  for (const auto& part : rel) {
    std::string c = part.string();
    if (c.empty() || c == ".") continue;
    if (!plain_component(c)) {
      errno = EINVAL;
      return Fd();
    }
    const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = ::openat(cur.get(), c.c_str(), flags);
    if (fd < 0 && errno == ENOENT && create) {
      if (::mkdirat(cur.get(), c.c_str(), 0755) != 0 && errno != EEXIST) return Fd();
      fd = ::openat(cur.get(), c.c_str(), flags);
    }
    if (fd < 0) return Fd();
    cur = Fd(fd);
  }
  return cur;
}

Fd open_file_beneath(int dirfd, const fs::path& rel) {
  Fd parent = open_directory_beneath(dirfd, rel.parent_path(), false);
  if (!parent.ok()) return parent;
  std::string name = rel.filename().string();
  if (!plain_component(name)) {
    errno = EINVAL;
    return Fd();
  }
  return Fd(::openat(parent.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
}

std::string temp_prefix(const std::string& name) { return "." + name + ".modelgate-"; }

std::string new_temp_name(const std::string& name) { return temp_prefix(name) + random_suffix(); }

bool remove_tree_at(int dirfd, const std::string& name) {
  if (::unlinkat(dirfd, name.c_str(), 0) == 0) return true;
  if (errno != EISDIR && errno != EPERM) return false;
  Fd dir(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.ok()) return false;
  std::vector<std::string> names;
  if (!list_directory(dir.get(), names)) return false;
  for (const auto& n : names)
    if (!remove_tree_at(dir.get(), n)) return false;
  return ::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) == 0;
}

std::vector<std::string> remove_stale_temps(int dirfd, const std::string& name, std::vector<std::string>& errors) {
  std::vector<std::string> removed, names;
  const std::string prefix = temp_prefix(name);
  if (!list_directory(dirfd, names)) return removed;
  for (const auto& n : names) {
    if (n.size() != prefix.size() + kTempSuffix || n.compare(0, prefix.size(), prefix) != 0) continue;
    Fd f(::openat(dirfd, n.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!f.ok()) continue;  // a link or something else that is not ours: left alone
    struct stat st {};
    if (::fstat(f.get(), &st) != 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) continue;
    if (::flock(f.get(), LOCK_EX | LOCK_NB) != 0) continue;  // a conversion that is still running
    if (remove_tree_at(dirfd, n))
      removed.push_back(n);
    else
      errors.push_back("cannot remove the stale temporary " + n + ": " + errno_text());
  }
  return removed;
}

Expected<StagingDirectory> StagingDirectory::create(int parent_fd, const std::string& name, const std::string& display) {
  StagingDirectory s;
  s.name_ = name;
  s.display_ = display;
  s.parent_ = Fd(::fcntl(parent_fd, F_DUPFD_CLOEXEC, 0));
  if (!s.parent_.ok()) return parse_error(0, "cannot use the directory of " + display + ": " + errno_text());
  for (int attempt = 0; attempt < 100 && s.temp_.empty(); ++attempt) {
    std::string temp = new_temp_name(name);
    if (::mkdirat(s.parent_.get(), temp.c_str(), 0755) == 0)
      s.temp_ = temp;
    else if (errno != EEXIST)
      return parse_error(0, "cannot create a staging directory beside " + display + ": " + errno_text());
  }
  if (s.temp_.empty()) return parse_error(0, "cannot find a free staging directory name beside " + display);
  s.fd_ = Fd(::openat(s.parent_.get(), s.temp_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!s.fd_.ok() || ::flock(s.fd_.get(), LOCK_EX) != 0) {
    std::string why = errno_text();
    s.remove();
    return parse_error(0, "cannot open the staging directory beside " + display + ": " + why);
  }
  return s;
}

StagingDirectory::StagingDirectory(StagingDirectory&& o) noexcept
    : parent_(std::move(o.parent_)), fd_(std::move(o.fd_)), name_(std::move(o.name_)), temp_(std::move(o.temp_)),
      display_(std::move(o.display_)), committed_(o.committed_) {
  o.committed_ = true;
}

StagingDirectory::~StagingDirectory() {
  if (!committed_) remove();
}

void StagingDirectory::remove() {
  if (!temp_.empty() && parent_.ok()) remove_tree_at(parent_.get(), temp_);
  committed_ = true;
}

Expected<bool> StagingDirectory::commit(bool replace, bool durable) {
  const int p = parent_.get();
  int rc = ::renameat2(p, temp_.c_str(), p, name_.c_str(), RENAME_NOREPLACE);
  if (rc != 0 && (errno == EEXIST || errno == EINVAL || errno == ENOSYS)) {
    struct stat st {};
    if (::fstatat(p, name_.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
      return parse_error(0, display_ + " exists and is not a directory; not replaced");
    rc = ::renameat(p, temp_.c_str(), p, name_.c_str());  // replaces an empty directory only
    if (rc != 0 && (errno == ENOTEMPTY || errno == EEXIST)) {
      if (!replace) return parse_error(0, display_ + " exists and is not empty (use --force to replace it)");
      rc = ::renameat2(p, temp_.c_str(), p, name_.c_str(), RENAME_EXCHANGE);
      if (rc == 0) {
        committed_ = true;
        // The old directory now has the staging name; without it nothing refers to the old output.
        if (!remove_tree_at(p, temp_))
          return parse_error(0, "replaced " + display_ + ", but its old contents (now " + temp_ +
                                    ") cannot be removed: " + errno_text());
      }
    }
  }
  if (rc != 0) return parse_error(0, "cannot rename the staging directory to " + display_ + ": " + errno_text());
  committed_ = true;
  if (durable && ::fsync(p) != 0) return parse_error(0, "fsync of the directory of " + display_ + ": " + errno_text());
  return true;
}

}  // namespace modelgate::convert
