#include "convert/conversion_scanner.h"

namespace modelgate::convert {

ConversionScanner::ConversionScanner(const ConvertOptions& options) : limits_(options.limits) {
  policy_.profiles = {"torch"};
  auto allowlist = pickle::Allowlist::from_profiles(policy_.profiles, {});
  if (!allowlist) {
    error_ = "the torch allowlist cannot be loaded: " + allowlist.error().reason;
    return;
  }
  allowlist_.emplace(std::move(*allowlist));
  ctx_.emplace(limits_, policy_, *allowlist_, options.hash_inputs);
  if (options.sandbox == SandboxMode::off) return;
  workers_.emplace(*ctx_, options.sandbox, 1, sandbox::worker_config(limits_));
  error_ = workers_->error();
}

ArtifactReport ConversionScanner::scan(const InputFile& file, const std::string& name) {
  if (workers_) return workers_->scan_descriptor(0, file.fd(), name, name, file.bytes().size());
  Artifact a;
  a.origin = name;
  a.name = name;
  a.bytes = file.bytes();
  return ctx_->scan(a);
}

}  // namespace modelgate::convert
