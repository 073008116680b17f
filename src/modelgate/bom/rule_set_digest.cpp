#include "bom/rule_set_digest.h"

#include "core/content_digest.h"
#include "pickle/embedded_profiles.h"

namespace modelgate::bom {

namespace {

ByteView bytes_of(const std::string& s) { return ByteView(reinterpret_cast<const unsigned char*>(s.data()), s.size()); }

// Each item followed by a byte no item holds, so that different lists never give one text.
void append_item(std::string& out, std::string_view item) {
  out += item;
  out += '\0';
}

}  // namespace

std::string rule_set_sha256() {
  std::string text;
  for (const auto& r : all_rules()) {
    append_item(text, r.id);
    append_item(text, to_string(r.severity));
    append_item(text, to_string(r.status));
  }
  for (const auto& p : pickle::embedded_profiles()) {
    append_item(text, p.name);
    append_item(text, p.text);
  }
  return sha256_hex(bytes_of(text));
}

std::string policy_sha256(const Policy& policy) {
  std::string text;
  append_item(text, "profiles");
  for (const auto& p : policy.profiles) append_item(text, p);
  append_item(text, "extra_allowed_globals");
  for (const auto& g : policy.extra_allowed_globals) append_item(text, g);
  append_item(text, "allowed_statuses");
  for (Status s : policy.allowed_statuses) append_item(text, to_string(s));
  return sha256_hex(bytes_of(text));
}

}  // namespace modelgate::bom
