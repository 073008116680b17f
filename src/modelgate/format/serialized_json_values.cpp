#include "format/serialized_json_values.h"

#include <string>

#include "core/python_base64.h"
#include "core/rule_catalog.h"
#include "core/unpack_budget.h"
#include "hf/loader_routes.h"

namespace modelgate {

namespace {

constexpr std::string_view kSerializedKey = ":serialized:";

// Whether a JSON text may spell the key ":serialized:" somewhere: literally, or with one of its
// characters as a \u escape (JSON writers escape only non-ASCII, so real files never do). A
// vocabulary's "serialized" token is not the key.
bool may_spell_serialized_key(std::string_view text) {
  if (text.find(kSerializedKey) != std::string_view::npos) return true;
  for (std::size_t at = text.find("\\u00"); at != std::string_view::npos; at = text.find("\\u00", at + 1)) {
    std::string hex(text.substr(at + 4, 2));
    for (char& c : hex) c = static_cast<char>(c >= 'A' && c <= 'F' ? c | 0x20 : c);
    for (std::string_view k : {"3a", "73", "65", "72", "69", "61", "6c", "7a", "64"})
      if (hex == k) return true;
  }
  return false;
}

void refuse(ArtifactReport& report, const std::string& origin, std::string message) {
  report.add(make_finding(rule("MG-JSON-SERIALIZED-MALFORMED"), origin, std::nullopt, std::move(message)));
}

}  // namespace

void scan_serialized_json_values(const Artifact& a, const nlohmann::json& doc, bool shallow, NestedScan& ctx,
                                 ArtifactReport& report) {
  const Limits& limits = ctx.limits();
  std::uint64_t decoded = 0;
  bool stopped = false;
  for_each_key(doc, [&](const std::string& path, const std::string& key, const nlohmann::json& value) {
    if (key != kSerializedKey || stopped) return;
    // The payload's name: the path of the object holding the key, then the key.
    const std::string holder = path.substr(0, path.size() - key.size() - (path.size() > key.size() ? 1 : 0));
    const std::string name = holder + std::string(kSerializedKey);
    if (!value.is_string()) {
      // json_to_data calls serialization.encode(): an AttributeError, caught with a warning; the
      // value is then left out. Nothing is decoded, but the file is not what SB3 writes.
      refuse(report, a.origin, name + " is not a string (" + std::string(value.type_name()) + ")");
      return;
    }
    if (++decoded > limits.max_archive_members) {
      report.add(make_finding(rule("MG-LIMIT-EXCEEDED"), a.origin, std::nullopt,
                              "more than " + std::to_string(limits.max_archive_members) +
                                  " :serialized: payloads (max_archive_members): the rest were not decoded"));
      stopped = true;
      return;
    }
    auto bytes = python_b64decode(value.get_ref<const std::string&>(), limits.max_nested_payload);
    if (!bytes) {
      refuse(report, a.origin,
             name + " cannot be decoded as base64.b64decode decodes it (at character " +
                 std::to_string(bytes.error().offset) + "): " + bytes.error().reason);
      return;
    }
    auto buffer = std::make_shared<UnpackedBuffer>(ctx.budget(a), "max_nested_payload", limits.max_nested_payload);
    if (!buffer->append(bytes->data(), bytes->size())) {
      report.add(make_finding(rule("MG-LIMIT-EXCEEDED"), a.origin, std::nullopt,
                              name + ": the decoded payload is " + buffer->exceeded_reason()));
      stopped = true;
      return;
    }
    ByteView view = buffer->bytes();
    report.children.push_back(ctx.scan(a.child(name, view, std::move(buffer))));
  });
  if (shallow && may_spell_serialized_key(as_chars(a.bytes)))
    refuse(report, a.origin,
           "a JSON file too large to be read whole may hold :serialized: payloads in the parts not read "
           "(Stable-Baselines3 decodes and unpickles each)");
}

}  // namespace modelgate
