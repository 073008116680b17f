// The rule-set digest: a cached verdict is reused only when everything that could change it, other
// than the file's bytes and name, is the same.
#include "core/content_digest.h"
#include "core/limit_fields.h"
#include "modelgate/rules.h"
#include "modelgate/scan.h"
#include "modelgate/version.h"
#include "pickle/allowlist.h"
#include "pickle/embedded_profiles.h"

namespace modelgate {

namespace {

// Length-prefixed, so that no two different sequences of fields serialise to the same text.
void append_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

}  // namespace

std::string ruleset_sha256(const ScanOptions& options) {
  auto allowlist = pickle::Allowlist::from_profiles(options.policy.profiles, options.policy.extra_allowed_globals);
  if (!allowlist) return {};
  std::string text;
  append_field(text, kVersion);
  for (const auto& r : all_rules()) {
    append_field(text, r.id);
    append_field(text, to_string(r.severity));
    append_field(text, to_string(r.status));
  }
  // Every embedded list (the denylist grades every pickle), then which allowlists are active.
  for (const auto& p : pickle::embedded_profiles()) {
    append_field(text, p.name);
    append_field(text, p.text);
  }
  for (const auto& p : allowlist->profiles()) append_field(text, "profile=" + p);
  for (const auto& g : options.policy.extra_allowed_globals) append_field(text, "global=" + g);
  for (const auto& f : limit_fields()) append_field(text, std::string(f.name) + "=" + std::to_string(f.get(options.limits)));
  return sha256_hex(as_byte_view(text));
}

}  // namespace modelgate
