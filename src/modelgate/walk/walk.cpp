#include "walk/walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "core/rule_catalog.h"
#include "core/path_within.h"
#include "core/regular_file.h"

namespace modelgate {

namespace fs = std::filesystem;

namespace {

constexpr int kDirectoryOpenFlags = O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NONBLOCK;

// The names in an open directory, sorted; an error text when it cannot be read to the end.
std::string list_directory_names(int dir_fd, std::vector<std::string>& names) {
  int fd = ::openat(dir_fd, ".", kDirectoryOpenFlags);
  if (fd < 0) return std::strerror(errno);
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    int err = errno;
    ::close(fd);
    return std::strerror(err);
  }
  std::string error;
  for (;;) {
    errno = 0;
    dirent* e = ::readdir(dir);
    if (e == nullptr) {
      if (errno != 0) error = std::strerror(errno);
      break;
    }
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    names.emplace_back(e->d_name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return error;
}

// One directory on the path from the root to where the walk is.
struct WalkLevel {
  std::vector<std::string> names;
  std::size_t next = 0;
  std::size_t relative_length = 0;  // of the walk's relative path while inside this directory
  dev_t dev = 0;
  ino_t ino = 0;
};

class DirectoryWalker {
 public:
  DirectoryWalker(const fs::path& root, const std::string& origin, std::uint32_t max_depth, const fs::path& containment)
      : root_(root), origin_(origin), max_depth_(max_depth) {
    std::error_code ec;
    containment_ = fs::canonical(containment.empty() ? root : containment, ec);
  }

  WalkResult run() {
    FileDescriptor dir(::open(root_.c_str(), kDirectoryOpenFlags));
    struct stat st {};
    if (dir.get() < 0 || ::fstat(dir.get(), &st) != 0) {
      out_.findings.push_back(make_finding(rule("MG-IO-ERROR"), origin_, std::nullopt,
                                           std::string("cannot open directory: ") + std::strerror(errno)));
      return std::move(out_);
    }
    WalkLevel top;
    top.dev = st.st_dev;
    top.ino = st.st_ino;
    if (std::string err = list_directory_names(dir.get(), top.names); !err.empty())
      out_.findings.push_back(make_finding(rule("MG-IO-ERROR"), origin_, std::nullopt,
                                           "cannot list directory: " + err + "; the entries read are reported"));
    levels_.push_back(std::move(top));
    while (!levels_.empty()) {
      WalkLevel& level = levels_.back();
      if (level.next == level.names.size()) {
        levels_.pop_back();
        if (!levels_.empty()) dir = leave(std::move(dir));
        continue;
      }
      const std::string& name = level.names[level.next++];
      relative_.resize(level.relative_length);
      if (!relative_.empty()) relative_ += '/';
      relative_ += name;
      visit(dir, name);
      if (entered_) {  // `visit` pushed a level for a directory it opened: continue inside it
        entered_ = false;
        dir = std::move(entered_fd_);
      }
    }
    auto by_relative = [](const auto& a, const auto& b) { return a.relative < b.relative; };
    std::sort(out_.files.begin(), out_.files.end(), by_relative);
    std::sort(out_.notes.begin(), out_.notes.end(), by_relative);
    return std::move(out_);
  }

 private:
  void note(const char* format, RuleId rule_id, std::string message) {
    out_.notes.push_back({relative_, format,
                          make_finding(rule(rule_id), origin_ + "/" + relative_, std::nullopt, std::move(message))});
  }

  void visit(const FileDescriptor& dir, const std::string& name) {
    struct stat st {};
    if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return note("unreadable", "MG-IO-ERROR", std::string("cannot stat: ") + std::strerror(errno));
    if (S_ISREG(st.st_mode)) {
      out_.files.push_back({root_ / relative_, relative_, root_, relative_, false});
    } else if (S_ISDIR(st.st_mode)) {
      enter(dir, name, st);
    } else if (S_ISLNK(st.st_mode)) {
      link();
    } else {
      note("special-file", "MG-WALK-SPECIAL-FILE",
           std::string("is a ") + file_kind_name(st.st_mode) + ", not a regular file; not read");
    }
  }

  void enter(const FileDescriptor& dir, const std::string& name, const struct stat& st) {
    if (levels_.size() > max_depth_)
      return note("unread-directory", "MG-LIMIT-EXCEEDED",
                  "directory deeper than max_directory_depth (" + std::to_string(max_depth_) +
                      " levels); its contents were not read");
    FileDescriptor child(::openat(dir.get(), name.c_str(), kDirectoryOpenFlags | O_NOFOLLOW));
    struct stat opened {};
    if (child.get() < 0)
      return note("unread-directory", "MG-IO-ERROR", std::string("cannot open directory: ") + std::strerror(errno));
    if (::fstat(child.get(), &opened) != 0 || opened.st_dev != st.st_dev || opened.st_ino != st.st_ino)
      return note("unread-directory", "MG-FILE-CHANGED", "directory was replaced while the walk read it; not read");
    WalkLevel level;
    level.relative_length = relative_.size();
    level.dev = opened.st_dev;
    level.ino = opened.st_ino;
    if (std::string err = list_directory_names(child.get(), level.names); !err.empty())
      note("unread-directory", "MG-IO-ERROR", "cannot list directory: " + err + "; the entries read are reported");
    levels_.push_back(std::move(level));
    entered_fd_ = std::move(child);
    entered_ = true;
  }

  // Back to the parent through "..", checked against the directory the walk came from: if it was
  // moved meanwhile, everything not yet visited is refused instead of being read from elsewhere.
  FileDescriptor leave(FileDescriptor dir) {
    FileDescriptor parent(::openat(dir.get(), "..", kDirectoryOpenFlags));
    struct stat st {};
    const WalkLevel& expected = levels_.back();
    if (parent.get() >= 0 && ::fstat(parent.get(), &st) == 0 && st.st_dev == expected.dev && st.st_ino == expected.ino)
      return parent;
    // Deepest first: each level's relative path is a prefix of the deeper ones'.
    for (auto it = levels_.rbegin(); it != levels_.rend(); ++it) {
      WalkLevel& level = *it;
      for (; level.next < level.names.size(); ++level.next) {
        relative_.resize(level.relative_length);
        if (!relative_.empty()) relative_ += '/';
        relative_ += level.names[level.next];
        note("unreadable", "MG-FILE-CHANGED", "a directory was moved while the walk read it; not read");
      }
    }
    levels_.clear();
    return FileDescriptor();
  }

  void link() {
    fs::path entry = root_ / relative_;
    std::error_code ec;
    std::string target_text = fs::read_symlink(entry, ec).string();
    fs::path target = fs::canonical(entry, ec);
    if (ec) {
      if (ec == std::errc::too_many_symbolic_link_levels)
        return note("symlink", "MG-WALK-SYMLINK-LOOP", "symbolic link loop (to " + target_text + "); not followed");
      if (ec == std::errc::no_such_file_or_directory)
        return note("symlink", "MG-WALK-SYMLINK-ESCAPE",
                    "symbolic link is dangling (to " + target_text + "); not followed");
      return note("symlink", "MG-IO-ERROR", "cannot resolve symbolic link (to " + target_text + "): " + ec.message());
    }
    if (containment_.empty() || !path_is_within(target, containment_))
      return note("symlink", "MG-WALK-SYMLINK-ESCAPE",
                  "symbolic link points outside the scanned directory (to " + target_text + "); not followed");
    auto st = fs::status(target, ec);
    if (fs::is_regular_file(st)) {
      out_.files.push_back({target, relative_, containment_, target.lexically_relative(containment_).generic_string(), true});
    } else if (fs::is_directory(st)) {
      fs::path link_dir = fs::canonical(entry.parent_path(), ec);
      if (!ec && path_is_within(link_dir, target))
        return note("symlink", "MG-WALK-SYMLINK-LOOP",
                    "symbolic link to a directory that contains it (to " + target_text + "): a loop; not followed");
      note("symlink", "MG-WALK-DIRECTORY-LINK",
           "symbolic link to a directory inside the scanned directory (to " + target_text +
               "); not followed, its files are scanned where they are");
    } else {
      note("special-file", "MG-WALK-SPECIAL-FILE", "symbolic link to a special file (to " + target_text + "); not read");
    }
  }

  fs::path root_;
  std::string origin_;
  std::uint32_t max_depth_;
  fs::path containment_;
  WalkResult out_;
  std::vector<WalkLevel> levels_;
  std::string relative_;
  FileDescriptor entered_fd_;
  bool entered_ = false;
};

}  // namespace

WalkResult walk_directory(const fs::path& root, const std::string& origin, std::uint32_t max_depth,
                          const fs::path& containment) {
  return DirectoryWalker(root, origin, max_depth, containment).run();
}

}  // namespace modelgate
