#pragma once
// Lists the regular files of a model (a directory or a single file) the way the reference serializer
// does: ignore paths prune whole subtrees, symbolic links are an error unless allowed, special files
// (FIFOs, sockets, devices) are always an error, and an empty selection is an error.
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sign/result.h"

namespace modelgate::sign {

struct WalkOptions {
  bool allow_symlinks = false;
  std::vector<std::string> ignore_paths;  // model-relative POSIX paths
  std::size_t max_files = 10'000'000;
  int max_depth = 512;
};

struct ModelFile {
  std::string relative;  // POSIX path relative to the model root; "." for a single-file model
  std::filesystem::path path;
  std::uint64_t size = 0;
  struct stat st {};  // as listed: hashing refuses the file if it is no longer this version
};

Expected<std::vector<ModelFile>> list_model_files(const std::filesystem::path& model, const WalkOptions& options);

// True when `relative` equals an ignore path or lies below one (component-wise).
bool is_ignored(const std::string& relative, const std::vector<std::string>& ignore_paths);

// Normalizes a user-given or recorded ignore path to a clean model-relative POSIX path; empty when it
// escapes the model (absolute outside it, or "..").
std::string normalize_relative(const std::string& path);

}  // namespace modelgate::sign
