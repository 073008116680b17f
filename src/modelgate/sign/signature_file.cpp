#include "sign/signature_file.h"

#include <sys/stat.h>

#include <cstring>

#include "convert/safetensors_writer.h"
#include "core/path_within.h"
#include "modelgate/convert.h"
#include "core/regular_file.h"
#include "sign/bundle.h"

namespace modelgate::sign {

namespace fs = std::filesystem;

namespace {

Error target_error(std::string detail) { return usage_failure("signature", std::move(detail)); }

// True when the file holds a Sigstore bundle: a signature from an earlier run, not a model file.
bool holds_bundle(const fs::path& path) {
  auto text = modelgate::read_small_file(path, kMaxBundleBytes);
  return text && parse_bundle(*text).ok();
}

// The target's directory resolved, then its name: where the rename will land.
fs::path resolved_target(const fs::path& path) {
  std::error_code ec;
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  return fs::weakly_canonical(fs::absolute(dir, ec), ec) / path.filename();
}

}  // namespace

Check check_signature_target(const SignatureTarget& target) {
  const fs::path& path = target.path;
  if (path.empty() || !path.has_filename() || path.filename() == "." || path.filename() == "..")
    return target_error("'" + path.string() + "' does not name a file");
  struct stat lst {};
  if (::lstat(path.c_str(), &lst) != 0) {
    if (errno != ENOENT) return target_error(path.string() + ": " + std::strerror(errno));
    std::error_code ec;
    fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    if (!fs::is_directory(dir, ec)) return target_error("the directory of " + path.string() + " does not exist");
    return Ok{};  // a new file (inside the model it is excluded from the signature and recorded as ignored)
  }
  if (S_ISDIR(lst.st_mode)) return target_error(path.string() + " is a directory");
  for (const auto& input : target.inputs) {
    struct stat in {};
    if (::stat(input.c_str(), &in) == 0 && in.st_dev == lst.st_dev && in.st_ino == lst.st_ino)
      return target_error(path.string() + " is " + input.string() + ", an input of this signing; it is never replaced");
  }
  struct stat model {};
  if (::stat(target.model.c_str(), &model) == 0 && model.st_dev == lst.st_dev && model.st_ino == lst.st_ino)
    return target_error(path.string() + " is the model being signed; it is never replaced");
  std::error_code ec;
  fs::path root = fs::weakly_canonical(fs::absolute(target.model, ec), ec);
  if (fs::is_directory(root, ec) && path_is_within(resolved_target(path), root)) {
    if (!S_ISREG(lst.st_mode) || !holds_bundle(path))
      return target_error(path.string() + " is a file of the model being signed; choose a signature path outside the "
                                          "model or a name no model file has");
    if (!target.force) return target_error(path.string() + " holds an earlier signature (use --force to replace it)");
    return Ok{};
  }
  if (!target.force) return target_error(path.string() + " exists (use --force to replace it)");
  return Ok{};
}

Check write_signature(const SignatureTarget& target, std::string_view bundle) {
  DeferredInterrupts deferred;  // until the temporary file is renamed into place or removed
  auto file = convert::AtomicFile::create(target.path, target.force);
  if (!file) return target_error(file.error().reason);
  if (!convert::write_all(file->fd(), bundle.data(), bundle.size()))
    return target_error("cannot write the signature to " + target.path.string() + ": " + std::strerror(errno));
  if (auto done = file->commit(); !done) return target_error(done.error().reason);
  return Ok{};
}

}  // namespace modelgate::sign
