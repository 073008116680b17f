#include "sign/model_walk.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace modelgate::sign {

namespace fs = std::filesystem;

std::string normalize_relative(const std::string& path) {
  if (path.empty() || path.front() == '/') return {};
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string part = path.substr(i, j - i);
    if (part == "..") return {};
    if (!part.empty() && part != ".") parts.push_back(part);
    i = j + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

bool is_ignored(const std::string& relative, const std::vector<std::string>& ignore_paths) {
  for (const auto& ignore : ignore_paths) {
    if (ignore.empty()) continue;
    if (ignore == ".") return true;  // the model root itself, as the reference reads it
    if (relative == ignore) return true;
    if (relative.size() > ignore.size() && relative.compare(0, ignore.size(), ignore) == 0 &&
        relative[ignore.size()] == '/')
      return true;
  }
  return false;
}

namespace {

const char* kind_of(const struct stat& st) {
  if (S_ISFIFO(st.st_mode)) return "a FIFO";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  if (S_ISCHR(st.st_mode)) return "a character device";
  if (S_ISBLK(st.st_mode)) return "a block device";
  return "not a regular file or directory";
}

// Why a followed link leads nowhere: a loop is named as one.
std::string broken_link(int err) {
  if (err == ELOOP) return "a symbolic link loop";
  if (err == ENOENT) return "a broken symbolic link";
  return std::string("a symbolic link that cannot be followed: ") + std::strerror(err);
}

struct Walker {
  const WalkOptions& options;
  std::vector<ModelFile> files;

  // Iterative: a tree as deep as max_depth costs a stack entry per directory still to list, not a
  // call frame and an open directory per level.
  struct PendingDir {
    fs::path dir;
    std::string relative;
    int depth;
  };

  Check walk(const fs::path& root) {
    std::vector<PendingDir> pending{{root, "", 0}};
    while (!pending.empty()) {
      PendingDir next = std::move(pending.back());
      pending.pop_back();
      if (auto r = visit_dir(next.dir, next.relative, next.depth, pending); !r) return r;
    }
    return Ok{};
  }

  Check visit_dir(const fs::path& dir, const std::string& relative_dir, int depth, std::vector<PendingDir>& pending) {
    if (depth > options.max_depth)
      return verification_failure("model files", "directory nesting deeper than " +
                                                     std::to_string(options.max_depth) + " at " + dir.string());
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    if (ec) return verification_failure("model files", "cannot read directory " + dir.string() + ": " + ec.message());
    for (; it != end; it.increment(ec)) {
      if (ec) break;
      const fs::path& child = it->path();
      std::string name = child.filename().string();
      std::string relative = relative_dir.empty() ? name : relative_dir + "/" + name;
      if (is_ignored(relative, options.ignore_paths)) continue;
      struct stat lst {};
      if (::lstat(child.c_str(), &lst) != 0)
        return verification_failure("model files", "cannot stat " + child.string() + ": " + std::strerror(errno));
      struct stat st = lst;
      if (S_ISLNK(lst.st_mode)) {
        if (!options.allow_symlinks)
          return verification_failure("model files", "'" + relative +
                                                         "' is a symbolic link (use --allow-symlinks to follow it)");
        if (::stat(child.c_str(), &st) != 0)
          return verification_failure("model files", "'" + relative + "' is " + broken_link(errno));
        if (S_ISDIR(st.st_mode))
          return verification_failure("model files", "'" + relative +
                                                         "' is a symbolic link to a directory, which is not supported");
      }
      if (S_ISDIR(st.st_mode)) {
        pending.push_back({child, relative, depth + 1});
      } else if (S_ISREG(st.st_mode)) {
        if (files.size() >= options.max_files)
          return verification_failure("model files", "more than " + std::to_string(options.max_files) + " files");
        files.push_back({relative, child, static_cast<std::uint64_t>(st.st_size), st});
      } else {
        return verification_failure("model files", "'" + relative + "' is " + kind_of(st) +
                                                       "; only regular files and directories can be signed");
      }
    }
    if (ec) return verification_failure("model files", "cannot read directory " + dir.string() + ": " + ec.message());
    return Ok{};
  }
};

}  // namespace

Expected<std::vector<ModelFile>> list_model_files(const fs::path& model, const WalkOptions& options) {
  struct stat lst {};
  if (::lstat(model.c_str(), &lst) != 0)
    return usage_failure("model files", "model path " + model.string() + " does not exist");
  struct stat st = lst;
  if (S_ISLNK(lst.st_mode)) {
    if (!options.allow_symlinks)
      return verification_failure("model files", "model path " + model.string() +
                                                     " is a symbolic link (use --allow-symlinks to follow it)");
    if (::stat(model.c_str(), &st) != 0)
      return verification_failure("model files", "model path " + model.string() + " is " + broken_link(errno));
  }
  Walker walker{options, {}};
  if (S_ISREG(st.st_mode)) {
    walker.files.push_back({".", model, static_cast<std::uint64_t>(st.st_size), st});
  } else if (S_ISDIR(st.st_mode)) {
    if (auto r = walker.walk(model); !r) return r.error();
  } else {
    return verification_failure("model files", "model path " + model.string() + " is " + kind_of(st));
  }
  if (walker.files.empty())
    return verification_failure("model files", "the model contains no regular files after applying the ignore paths");
  return std::move(walker.files);
}

}  // namespace modelgate::sign
