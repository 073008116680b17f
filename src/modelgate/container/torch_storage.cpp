#include "container/torch_storage.h"

#include <array>
#include <utility>

namespace modelgate {

std::uint64_t storage_element_size(std::string_view type) {
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 19> sizes{{
      {"FloatStorage", 4}, {"DoubleStorage", 8}, {"HalfStorage", 2}, {"BFloat16Storage", 2},
      {"LongStorage", 8}, {"IntStorage", 4}, {"ShortStorage", 2}, {"CharStorage", 1},
      {"ByteStorage", 1}, {"BoolStorage", 1}, {"ComplexFloatStorage", 8},
      {"ComplexDoubleStorage", 16}, {"QInt8Storage", 1}, {"QUInt8Storage", 1},
      {"QInt32Storage", 4}, {"QUInt4x2Storage", 1}, {"QUInt2x4Storage", 1},
      {"UntypedStorage", 1}, {"ComplexHalfStorage", 4},
  }};
  for (const auto& [name, size] : sizes)
    if (name == type) return size;
  return 0;
}

std::optional<StorageRef> decode_storage_ref(const pickle::ValueGraph& g, pickle::Value v, std::string& why) {
  std::uint64_t offset = 0;
  if (v.kind == pickle::Kind::persistent && v.has_node()) {
    const auto& n = g.node(static_cast<std::uint32_t>(v.u));
    offset = n.offset;
    if (n.items.empty()) {
      why = "empty persistent id";
      return std::nullopt;
    }
    v = n.items[0];
  }
  if (v.kind != pickle::Kind::tuple || !v.has_node()) {
    why = "persistent id " + g.describe(v) + " is not a tuple";
    return std::nullopt;
  }
  const auto& t = g.node(static_cast<std::uint32_t>(v.u));
  if (offset == 0) offset = t.offset;
  const auto& it = t.items;
  bool shape = it.size() >= 5 && it[0].kind == pickle::Kind::string && g.text_of(it[0]) == "storage" &&
               it[1].kind == pickle::Kind::global && it[1].has_node() &&
               it[2].kind == pickle::Kind::string && it[3].kind == pickle::Kind::string &&
               it[4].kind == pickle::Kind::integer && it[4].i >= 0;
  if (!shape) {
    why = "persistent id " + g.describe(v) + " is not a storage reference";
    return std::nullopt;
  }
  const auto& type = g.node(static_cast<std::uint32_t>(it[1].u));
  StorageRef s;
  s.type = type.name;
  if (type.module != "torch") s.type = type.module + "." + type.name;
  s.key = std::string(g.text_of(it[2]));
  s.location = std::string(g.text_of(it[3]));
  s.numel = static_cast<std::uint64_t>(it[4].i);
  s.element_size = type.module == "torch" ? storage_element_size(type.name) : 0;
  s.offset = offset;
  s.has_view_metadata = it.size() >= 6 && it[5].kind != pickle::Kind::none;
  return s;
}

std::vector<StorageRef> storage_refs(const pickle::StreamResult& r, std::vector<std::string>& malformed) {
  std::vector<StorageRef> out;
  if (!r.graph) return out;
  for (const pickle::Value& v : r.persistent_ids) {
    std::string why;
    if (auto s = decode_storage_ref(*r.graph, v, why))
      out.push_back(std::move(*s));
    else
      malformed.push_back(std::move(why));
  }
  return out;
}

}  // namespace modelgate
