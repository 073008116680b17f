#pragma once
// Options shared by `sign`, `verify` and `digest`: how the model is hashed and which paths are left out.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/escaped_text.h"
#include "sign/model_signing.h"

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

inline sign::HashingConfig hashing_config(const HashingArgs& a, const std::string& signature) {
  sign::HashingConfig c;
  c.serialization.method = a.serialization == "shards" ? sign::SerializationMethod::shards : sign::SerializationMethod::files;
  c.serialization.shard_size = a.shard_size;
  c.serialization.hash = a.hash_type == "blake2b" ? sign::HashAlgorithm::blake2b : sign::HashAlgorithm::sha256;
  c.serialization.allow_symlinks = a.allow_symlinks;
  c.ignore_paths = a.ignore_paths;
  c.ignore_git_paths = a.ignore_git_paths;
  c.signature = signature;
  c.hashing.threads = a.threads;
  c.hashing.show_progress = ::isatty(STDERR_FILENO) == 1;
  return c;
}

// Prints a failure (names escaped for the terminal) and returns its exit code: 1 for a failed
// verification, 2 for usage/tool errors.
inline int report_failure(const sign::Failure& f, bool verifying) {
  bool failed_check = verifying && f.kind == sign::FailureKind::verification;
  std::cerr << "modelgate: " << (failed_check ? "verification failed: " : "") << escape_for_terminal(f.message()) << '\n';
  return failed_check ? 1 : 2;
}

}  // namespace modelgate::cli
