#pragma once
// Where `sign` writes its bundle. Checked before any hashing, so that a wrong path fails at once:
// never over a file of the model being signed or over one of the inputs (key, certificates), never
// over an existing signature without `force`, and always atomically (a temp file beside the target,
// renamed over it: a symbolic link at the target is replaced, never written through).
#include <filesystem>
#include <string_view>
#include <vector>

#include "sign/result.h"

namespace modelgate::sign {

struct SignatureTarget {
  std::filesystem::path path;
  std::filesystem::path model;
  std::vector<std::filesystem::path> inputs;  // key and certificate files: never replaced
  bool force = false;                         // replace an existing signature (or other file outside the model)
};

Check check_signature_target(const SignatureTarget& target);

// Writes `bundle` to the target atomically; without `force`, fails if the target appeared meanwhile.
Check write_signature(const SignatureTarget& target, std::string_view bundle);

}  // namespace modelgate::sign
