#include "container/torch_storage.h"

#include <array>
#include <utility>

namespace modelgate {

namespace {

struct StorageType {
  std::string_view name;       // torch.<name>
  std::uint64_t element_size;  // bytes per element
  std::string_view dtype;      // the element type, named as safetensors names it
};

constexpr std::array<StorageType, 19> kStorageTypes{{
    {"FloatStorage", 4, "F32"},        {"DoubleStorage", 8, "F64"},      {"HalfStorage", 2, "F16"},
    {"BFloat16Storage", 2, "BF16"},    {"LongStorage", 8, "I64"},        {"IntStorage", 4, "I32"},
    {"ShortStorage", 2, "I16"},        {"CharStorage", 1, "I8"},         {"ByteStorage", 1, "U8"},
    {"BoolStorage", 1, "BOOL"},        {"ComplexFloatStorage", 8, "C64"}, {"ComplexDoubleStorage", 16, "C128"},
    {"QInt8Storage", 1, "QI8"},        {"QUInt8Storage", 1, "QU8"},      {"QInt32Storage", 4, "QI32"},
    {"QUInt4x2Storage", 1, "QU4x2"},   {"QUInt2x4Storage", 1, "QU2x4"},  {"UntypedStorage", 1, "U8"},
    {"ComplexHalfStorage", 4, "C32"},
}};

const StorageType* storage_type(std::string_view name) {
  for (const auto& t : kStorageTypes)
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace

std::uint64_t storage_element_size(std::string_view type) {
  const StorageType* t = storage_type(type);
  return t ? t->element_size : 0;
}

void add_storage_facts(std::string_view type, std::uint64_t numel, ModelFacts& facts) {
  const StorageType* t = storage_type(type);
  if (t == nullptr) return;
  std::uint64_t total = facts.parameters.value_or(0);
  facts.parameters = numel > UINT64_MAX - total ? UINT64_MAX : total + numel;
  ++facts.dtypes[std::string(t->dtype)];
}

Expected<StorageRef> decode_storage_ref(const pickle::ValueGraph& g, pickle::Value v) {
  std::uint64_t offset = 0;
  if (v.kind == pickle::Kind::persistent && v.has_node()) {
    const auto& n = g.node(static_cast<std::uint32_t>(v.u));
    offset = n.offset;
    if (n.items.empty()) return parse_error(offset, "empty persistent id");
    v = n.items[0];
  }
  if (v.kind != pickle::Kind::tuple || !v.has_node())
    return parse_error(offset, "persistent id " + g.describe(v) + " is not a tuple");
  const auto& t = g.node(static_cast<std::uint32_t>(v.u));
  if (offset == 0) offset = t.offset;
  const auto& it = t.items;
  bool shape = it.size() >= 5 && it[0].kind == pickle::Kind::string && g.text_of(it[0]) == "storage" &&
               it[1].kind == pickle::Kind::global && it[1].has_node() &&
               it[2].kind == pickle::Kind::string && it[3].kind == pickle::Kind::string &&
               it[4].kind == pickle::Kind::integer && it[4].i >= 0;
  if (!shape) return parse_error(offset, "persistent id " + g.describe(v) + " is not a storage reference");
  const auto& type = g.node(static_cast<std::uint32_t>(it[1].u));
  // torch.save writes keys of a few digits, locations such as "cuda:0" and storage types such as
  // "BFloat16Storage". Longer ones are refused before they are copied: the memo lets a small pickle
  // name one long string in every persistent id it holds.
  constexpr std::size_t kLongest = 256;
  for (auto [what, length] : {std::pair{"key", g.text_of(it[2]).size()}, std::pair{"location", g.text_of(it[3]).size()},
                              std::pair{"storage type", type.module().size() + type.name().size()}})
    if (length > kLongest)
      return parse_error(offset, std::string("persistent id with a storage ") + what + " of " + std::to_string(length) +
                                     " bytes (torch writes at most a few dozen)");
  StorageRef s;
  s.type = type.name();
  if (type.module() != "torch") s.type = type.module() + "." + type.name();
  s.key = std::string(g.text_of(it[2]));
  s.location = std::string(g.text_of(it[3]));
  s.numel = static_cast<std::uint64_t>(it[4].i);
  s.element_size = type.module() == "torch" ? storage_element_size(type.name()) : 0;
  s.offset = offset;
  s.has_view_metadata = it.size() >= 6 && it[5].kind != pickle::Kind::none;
  return s;
}

std::vector<StorageRef> storage_refs(const pickle::StreamResult& r, std::vector<std::string>& malformed) {
  std::vector<StorageRef> out;
  if (!r.graph) return out;
  for (const pickle::Value& v : r.persistent_ids) {
    auto s = decode_storage_ref(*r.graph, v);
    if (s)
      out.push_back(std::move(*s));
    else
      malformed.push_back(s.error().reason);
  }
  return out;
}

}  // namespace modelgate
