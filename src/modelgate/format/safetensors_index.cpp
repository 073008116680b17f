// A sharded checkpoint: "<name>.safetensors.index.json" maps every tensor to the shard holding
// it ({"metadata": {...}, "weight_map": {"tensor": "model-00001-of-00002.safetensors"}}). Loaders
// follow the index; the shards must hold exactly what it says, each tensor exactly once.
#include <map>
#include <set>

#include "format/directory_checks.h"
#include "core/rule_catalog.h"
#include "readers/safetensors.h"
#include "core/strict_json.h"

namespace modelgate {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string quote_name(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s.substr(0, 120)) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  if (s.size() > 120) out += "...";
  return out + "\"";
}

// A shard name that stays inside the index's directory: relative, no "..", no backslashes.
bool is_contained(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t slash = name.find('/', start);
    std::string_view part = name.substr(start, slash == std::string_view::npos ? name.npos : slash - start);
    if (part == ".." || part.empty()) return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

// Adds findings under one rule, at most Limits::max_findings_per_rule of them plus a count of the rest.
class CappedFindings {
 public:
  CappedFindings(ArtifactReport& report, RuleId rule_id, const Limits& limits)
      : report_(report), rule_(rule(rule_id)), max_(limits.max_findings_per_rule) {}
  ~CappedFindings() {
    if (count_ > max_)
      report_.add(make_finding(rule_, report_.origin, std::nullopt, std::to_string(count_ - max_) + " more like the above"));
  }
  CappedFindings(const CappedFindings&) = delete;
  CappedFindings& operator=(const CappedFindings&) = delete;
  void add(std::string message) {
    if (++count_ <= max_)
      report_.add(make_finding(rule_, report_.origin, std::nullopt, std::move(message)));
  }

 private:
  ArtifactReport& report_;
  const Rule& rule_;
  std::uint64_t max_;
  std::uint64_t count_ = 0;
};

struct Shard {
  bool present = false;
  bool readable = false;  // a valid safetensors file whose names can be compared
  std::set<std::string> tensors;
};

void check_index(const WalkEntry& entry, ArtifactReport& report,
                 const std::map<std::string, std::size_t>& by_path,
                 const std::map<std::string, const WalkNote*>& not_files,
                 const std::vector<WalkEntry>& files, NestedScan& ctx, const EntryMapper& map) {
  const bool named_for_safetensors = ends_with(entry.relative, ".safetensors.index.json");
  auto mapped = map(entry);
  if (!mapped) return;  // the file's own scan already reported it as unreadable
  ByteView bytes = (*mapped)->bytes();
  auto invalid = [&](std::optional<std::uint64_t> offset, const std::string& why) {
    report.add(make_finding(rule("MG-SAFETENSORS-INDEX-INVALID"), report.origin, offset, why));
  };
  if (bytes.size() > ctx.limits().max_safetensors_header) {
    if (named_for_safetensors)
      report.add(make_finding(rule("MG-LIMIT-EXCEEDED"), report.origin, std::nullopt,
                              "the index is larger than " +
                                  std::to_string(ctx.limits().max_safetensors_header) + " bytes"));
    return;
  }
  JsonReadOptions options;
  options.max_depth = ctx.limits().max_json_depth;
  auto parsed = read_strict_json(as_chars(bytes), options);
  if (!parsed) {
    if (named_for_safetensors) invalid(parsed.error().offset, "index: " + parsed.error().reason);
    return;
  }
  const nlohmann::json& root = parsed->value;
  if (!root.is_object() || !root.contains("weight_map")) {
    if (named_for_safetensors) invalid(std::nullopt, "the index has no weight_map");
    return;
  }
  const nlohmann::json& weight_map = root.at("weight_map");
  if (!weight_map.is_object()) {
    invalid(std::nullopt, "weight_map is not an object");
    return;
  }

  const std::string dir = entry.relative.find('/') == std::string::npos
                              ? std::string()
                              : entry.relative.substr(0, entry.relative.rfind('/') + 1);
  std::map<std::string, Shard> shards;            // shard name as written in the index
  std::map<std::string, std::string> listed;      // tensor -> shard name
  for (const auto& [tensor, shard] : weight_map.items()) {
    if (!shard.is_string()) {
      invalid(std::nullopt, "weight_map entry " + quote_name(tensor) + " is not a file name");
      return;
    }
    listed.emplace(tensor, shard.get<std::string>());
    shards.emplace(shard.get<std::string>(), Shard{});
  }

  {
    CappedFindings escaping(report, "MG-SAFETENSORS-INDEX-SHARD-PATH", ctx.limits());
    CappedFindings missing(report, "MG-SAFETENSORS-INDEX-MISSING-SHARD", ctx.limits());
    CappedFindings unreadable(report, "MG-SAFETENSORS-INDEX-SHARD-NOT-READ", ctx.limits());
    for (auto& [name, shard] : shards) {
      if (!is_contained(name)) {
        escaping.add("the index names the shard " + quote_name(name) + ", which is not a plain path inside the model directory");
        continue;
      }
      auto it = by_path.find(dir + name);
      if (it == by_path.end()) {
        if (auto note = not_files.find(dir + name); note != not_files.end())
          unreadable.add("shard " + quote_name(name) + " named by the index was not read: " +
                         note->second->finding.message);
        else
          missing.add("shard " + quote_name(name) + " named by the index is not in the directory");
        continue;
      }
      shard.present = true;
      auto shard_file = map(files[it->second]);
      if (!shard_file) {
        unreadable.add("shard " + quote_name(name) + " named by the index cannot be read again to compare it: " +
                       shard_file.error().message());
        continue;
      }
      const ByteView shard_bytes = (*shard_file)->bytes();
      if (!safetensors::looks_like_safetensors(shard_bytes)) continue;  // its own report says what it is
      auto header = safetensors::parse(shard_bytes, ctx.limits());
      if (!header.ok()) continue;  // the shard's own report refuses it
      shard.readable = true;
      for (const auto& t : header->tensors) shard.tensors.insert(t.name);
    }
  }

  CappedFindings missing_tensor(report, "MG-SAFETENSORS-INDEX-MISSING-TENSOR", ctx.limits());
  CappedFindings unlisted(report, "MG-SAFETENSORS-INDEX-UNLISTED-TENSOR", ctx.limits());
  CappedFindings duplicate(report, "MG-SAFETENSORS-INDEX-DUPLICATE-TENSOR", ctx.limits());
  for (const auto& [tensor, shard_name] : listed) {
    const Shard& shard = shards.at(shard_name);
    if (shard.readable && !shard.tensors.count(tensor))
      missing_tensor.add("tensor " + quote_name(tensor) + " is listed in shard " + quote_name(shard_name) +
                         ", which does not hold it");
  }
  std::map<std::string, std::string> holder;  // tensor -> first shard that holds it
  std::size_t compared = 0;
  for (const auto& [shard_name, shard] : shards) {
    if (!shard.readable) continue;
    ++compared;
    for (const auto& tensor : shard.tensors) {
      auto [it, first] = holder.emplace(tensor, shard_name);
      if (!first)
        duplicate.add("tensor " + quote_name(tensor) + " is stored in both " + quote_name(it->second) +
                      " and " + quote_name(shard_name));
      // A tensor the index places in another shard is reported there as missing.
      if (!listed.count(tensor))
        unlisted.add("shard " + quote_name(shard_name) + " holds tensor " + quote_name(tensor) +
                     ", which the index does not list");
    }
  }
  for (const auto& [shard_name, shard] : shards)
    if (shard.present) report.model.shards.push_back(dir + shard_name);
  report.parsed.sharded_checkpoint = ShardedIndexCheck{shards.size(), compared, listed.size()};
}

// map_walk_entry as an EntryMapper.
Expected<std::shared_ptr<const ByteSource>> map_walk_entry_bytes(const WalkEntry& entry) {
  auto mapped = map_walk_entry(entry);
  if (!mapped) return mapped.error();
  return std::shared_ptr<const ByteSource>(std::move(*mapped));
}

}  // namespace

void check_safetensors_index(std::size_t index, const std::vector<WalkEntry>& files, const std::vector<WalkNote>& notes,
                             ArtifactReport& report, NestedScan& ctx, const EntryMapper& map) {
  std::map<std::string, std::size_t> by_path;
  for (std::size_t i = 0; i < files.size(); ++i) by_path.emplace(files[i].relative, i);
  std::map<std::string, const WalkNote*> not_files;
  for (const auto& n : notes) not_files.emplace(n.relative, &n);
  check_index(files[index], report, by_path, not_files, files, ctx, map);
}

void check_safetensors_indexes(const std::vector<WalkEntry>& files, const std::vector<WalkNote>& notes,
                               std::vector<ArtifactReport>& reports, NestedScan& ctx, const IndexCheckRunner& run) {
  for (std::size_t i = 0; i < files.size() && i < reports.size(); ++i) {
    if (!ends_with(files[i].relative, ".index.json")) continue;
    std::size_t before = reports[i].findings.size();
    if (run)
      run(i, files, notes, reports[i], ctx);
    else
      check_safetensors_index(i, files, notes, reports[i], ctx, map_walk_entry_bytes);
    if (reports[i].findings.size() != before || reports[i].parsed.sharded_checkpoint)
      reports[i].finalize();
  }
}

}  // namespace modelgate
