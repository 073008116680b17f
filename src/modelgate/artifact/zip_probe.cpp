#include "artifact/zip_probe.h"

namespace modelgate {

const Expected<zip::Archive>& zip_probe(const Artifact& a) {
  if (!a.zip_probe) a.zip_probe.emplace(zip::read_zip(a.bytes, "", Limits{}));
  return *a.zip_probe;
}

Expected<zip::Archive> take_zip_directory(const Artifact& a, const Limits& limits) {
  if (!a.zip_probe || !*a.zip_probe || limits != Limits{}) return zip::read_zip(a.bytes, a.origin, limits);
  Expected<zip::Archive> taken = std::move(*a.zip_probe);
  a.zip_probe.reset();
  for (auto& f : taken->findings) f.origin = a.origin;
  return taken;
}

}  // namespace modelgate
