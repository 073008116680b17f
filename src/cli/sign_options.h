#pragma once
// Options shared by `sign`, `verify` and `digest`: how the model is hashed and which paths are left out.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "modelgate/escaped_text.h"
#include "modelgate/signing.h"

namespace modelgate::cli {

struct HashingArgs {
  std::vector<std::string> ignore_paths;
  bool ignore_git_paths = true;
  bool allow_symlinks = false;
  std::string serialization = "files";
  std::uint64_t shard_size = 1'000'000'000;
  std::string hash_type = "sha256";
  unsigned threads = 0;
};

// Ignore paths, symbolic links and thread count (sign, verify and digest), spelled as the reference spells them.
inline void add_ignore_options(CLI::App* cmd, HashingArgs& a) {
  cmd->add_option("--ignore-paths", a.ignore_paths,
                  "A path to leave out (repeatable), relative to the working directory as in the reference; "
                  "paths outside the model are dropped; a directory drops its subtree")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_flag("--ignore-git-paths,!--no-ignore-git-paths", a.ignore_git_paths,
                "Leave out .git, .gitattributes, .github and .gitignore at the model root (default: yes)");
  cmd->add_flag("--allow-symlinks", a.allow_symlinks, "Follow symbolic links to files instead of failing");
  cmd->add_option("--threads", a.threads, "Hashing threads (default: one per core)");
}

// How to serialize (sign and digest; verify takes these from the signature).
inline void add_serialization_options(CLI::App* cmd, HashingArgs& a) {
  cmd->add_option("--serialization", a.serialization, "files (one digest per file) or shards")
      ->check(CLI::IsMember({"files", "shards"}));
  cmd->add_option("--shard-size", a.shard_size, "Shard size in bytes for --serialization shards")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--hash-type", a.hash_type, "sha256 (default) or blake2b")->check(CLI::IsMember({"sha256", "blake2b"}));
}

inline ModelHashing model_hashing(const HashingArgs& a) {
  ModelHashing h;
  h.serialization = a.serialization == "shards" ? ModelHashing::Serialization::shards : ModelHashing::Serialization::files;
  h.shard_size = a.shard_size;
  h.digest = a.hash_type == "blake2b" ? ModelHashing::Digest::blake2b : ModelHashing::Digest::sha256;
  h.allow_symlinks = a.allow_symlinks;
  h.ignore_paths = a.ignore_paths;
  h.ignore_git_paths = a.ignore_git_paths;
  h.threads = a.threads;
  h.show_progress = ::isatty(STDERR_FILENO) == 1;
  return h;
}

// Prints a failure (names escaped for the terminal) and returns its exit code: 1 for a failed
// verification, 2 for usage/tool errors.
inline int report_failure(const Error& f, bool verifying) {
  bool failed_check = verifying && is_verification_failure(f);
  std::cerr << "modelgate: " << (failed_check ? "verification failed: " : "") << escape_for_terminal(f.message()) << '\n';
  return failed_check ? 1 : 2;
}

// A usage error the command finds before the library runs ("check: detail", exit 2).
inline int report_usage_error(std::string check, std::string detail) {
  return report_failure(Error{0, std::move(detail), {}, std::move(check)}, false);
}

}  // namespace modelgate::cli
