// PyTorch's legacy (pre-1.6, or _use_new_zipfile_serialization=False) checkpoint, read the way
// torch.load's _legacy_load reads it: pickle.load x3 (magic number, protocol version, sys info),
// the data pickle with persistent_load, pickle.load of the storage keys, then for every key an
// 8-byte element count and the raw storage. Every pickle is analysed; storage bytes are skipped.
#include <map>

#include "container/checkpoint_reading.h"
#include "container/checkpoint_tensor_facts.h"
#include "container/pickle_member.h"
#include "container/torch_storage.h"
#include "core/rule_catalog.h"
#include "identify/container_magic.h"
#include "format/scanners.h"

namespace modelgate {

namespace {

const char* const kStreamNames[] = {"magic number", "protocol version", "system info", "data",
                                    "storage keys"};

}  // namespace

// Returns the offset after the last storage, or nullopt when the layout cannot be followed. With
// `kept`, each pickle is also kept there with its data retained, as far as the pickles are read.
std::optional<std::size_t> scan_torch_legacy_streams(const Artifact& a, NestedScan& ctx,
                                                     ArtifactReport& report, TorchLegacyReading* kept) {
  auto malformed = [&](std::optional<std::uint64_t> off, std::string msg) {
    report.add(make_finding(rule("MG-TORCH-LEGACY-MALFORMED"), a.origin, off, std::move(msg)));
    return std::nullopt;
  };
  std::size_t pos = 0;
  pickle::StreamResult streams[5];
  pickle::StreamResult retained_data;  // the data pickle with its values, for the tensor list
  for (int i = 0; i < 5; ++i) {
    PickleMemberOptions o;
    o.persistent_load = i == 3;
    o.retain_data = i == 4;  // the key list is needed to walk the storages
    if (kept) o.keep_retained = &kept->streams.emplace_back();
    else if (i == 3) o.keep_retained = &retained_data;
    streams[i] = analyse_pickle_stream(a, pos, ctx, report, o);
    if (!streams[i].complete)
      return malformed(pos, std::string("the ") + kStreamNames[i] + " pickle cannot be read completely");
    pos = streams[i].end;
  }
  const auto& proto = streams[1].root;
  if (proto.kind != pickle::Kind::integer || proto.i != 1001)
    malformed(streams[1].start, "protocol version is not 1001 (torch.load raises)");

  std::vector<std::string> bad_ids;
  auto refs = storage_refs(streams[3], bad_ids);
  for (const auto& why : bad_ids)
    report.add(make_finding(rule("MG-TORCH-PERSISTENT-ID"), a.origin, streams[3].start, why));
  std::map<std::string, const StorageRef*, std::less<>> by_key;
  for (const auto& r : refs) by_key.emplace(r.key, &r);
  details_of(report.details.torch).storages = by_key.size();
  for (const auto& [key, s] : by_key) add_storage_facts(s->type, s->numel, report.model);

  const auto& keys = streams[4].root;
  const auto& g = *streams[4].graph;
  if (keys.kind != pickle::Kind::list)
    return malformed(streams[4].start, "the storage keys pickle is not a list");
  std::map<std::string, std::uint64_t> storage_offsets;  // key -> its first byte in the file
  std::vector<std::string_view> key_list;  // views: the memo lets one long key fill the whole list
  if (keys.has_node())
    for (const auto& k : g.node(static_cast<std::uint32_t>(keys.u)).items) {
      if (k.kind != pickle::Kind::string) return malformed(streams[4].start, "a storage key is not a string");
      key_list.emplace_back(g.text_of(k));
    }
  else if (keys.len != 0)
    return malformed(streams[4].start, "storage keys were not retained");
  for (std::string_view listed : key_list) {
    auto it = by_key.find(listed);
    if (it == by_key.end()) {
      report.add(make_finding(rule("MG-TORCH-STORAGE-MISSING"), a.origin, pos,
                              "storage key '" + std::string(listed.substr(0, 256)) +
                                  "' is not referenced by the data pickle (torch asserts)"));
      return std::nullopt;
    }
    const std::string& key = it->first;
    const StorageRef& s = *it->second;
    std::uint64_t numel = 0;
    if (a.bytes.size() - pos < 8) return malformed(pos, "storage '" + key + "' is truncated");
    for (int b = 7; b >= 0; --b) numel = (numel << 8) | a.bytes[pos + b];
    if (numel != s.numel) {
      report.add(make_finding(rule("MG-TORCH-STORAGE-SIZE"), a.origin, pos,
                              "storage '" + key + "' has " + std::to_string(numel) +
                                  " elements in the file, the data pickle says " + std::to_string(s.numel)));
      return std::nullopt;
    }
    if (s.element_size == 0) return malformed(pos, "storage '" + key + "' has unknown type " + s.type);
    pos += 8;
    if (numel > UINT64_MAX / s.element_size || numel * s.element_size > a.bytes.size() - pos)
      return malformed(pos, "storage '" + key + "' runs past the end of the file");
    storage_offsets.emplace(key, pos);
    pos += numel * s.element_size;
  }
  if (by_key.size() > key_list.size())
    report.add(make_finding(rule("MG-TORCH-STORAGE-MISSING"), a.origin, streams[4].start,
                            "the data pickle references storages that the key list does not contain"));
  else
    list_state_dict_tensors(kept ? kept->streams[3] : retained_data, {{}, &storage_offsets}, ctx.limits(), report.model);
  return pos;
}

void scan_torch_legacy(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  std::optional<TorchLegacyReading> kept;
  if (a.checkpoint_reading) kept.emplace();
  auto end = scan_torch_legacy_streams(a, ctx, report, kept ? &*kept : nullptr);
  if (kept) a.checkpoint_reading->keep(a.bytes, std::move(*kept));
  if (end && *end < a.bytes.size()) {
    // torch.load stops after the last storage; whatever follows is never read by it.
    report.add(make_finding(rule("MG-TORCH-STORAGE-EXTRA"), a.origin, *end,
                            std::to_string(a.bytes.size() - *end) + " bytes follow the last storage"));
    Artifact rest = a.child("trailing", a.bytes.subspan(*end), nullptr);
    rest.origin = a.origin + "@" + std::to_string(*end);
    report.children.push_back(ctx.scan(rest));
  }
}

}  // namespace modelgate
