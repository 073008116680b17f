#include "convert/conversion_plan_codec.h"

#include <cstring>

#include "core/byte_reader.h"
#include "core/byte_writer.h"

namespace modelgate::convert {

namespace {

constexpr char kMagic[4] = {'M', 'G', 'C', 'P'};
constexpr std::uint8_t kVersion = 1;
constexpr std::uint8_t kRefused = 1, kPlan = 2;
constexpr std::uint8_t kInFile = 0, kInflated = 1;
constexpr std::size_t kMinTensorBytes = 4 + 1 + 1 + 4 + 8 + 4 + 8 + 8 + 1 + 8;
constexpr std::uint8_t kDtypeCount = static_cast<std::uint8_t>(safetensors::Dtype::U64) + 1;

class PlanReader {
 public:
  PlanReader(ByteView bytes, const Limits& limits) : in_(bytes), limits_(limits) {}

  Expected<ConversionPlan> read() {
    ByteView magic;
    std::uint8_t version = 0, kind = 0;
    if (!in_.bytes(4, magic) || std::memcmp(magic.data(), kMagic, 4) != 0) return fail("not a conversion plan");
    if (!in_.u8(version) || version != kVersion) return fail("unknown version");
    if (!in_.u8(kind)) return fail("truncated");
    if (kind == kRefused) {
      std::uint64_t offset = 0;
      std::string reason;
      if (!in_.le(offset) || !text(reason) || !in_.at_end()) return fail("malformed refusal");
      return parse_error(offset, reason);
    }
    if (kind != kPlan) return fail("unknown kind");
    ConversionPlan plan;
    std::uint8_t big = 0;
    std::uint32_t n = 0;
    // Always 0: a big-endian checkpoint is refused before it has a plan.
    if (!in_.u8(big) || big != 0) return fail("byte order flag is not 0 (little-endian)");
    if (!count(n, kMinTensorBytes) || n > limits_.max_tensors) return fail("tensor count out of range");
    plan.tensors.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i)
      if (!tensor(plan.tensors.emplace_back())) return fail("malformed tensor");
    if (!count(n, 8)) return fail("metadata count out of range");
    for (std::uint32_t i = 0; i < n; ++i) {
      std::string k, v;
      if (!text(k) || !text(v) || !plan.metadata.emplace(std::move(k), std::move(v)).second)
        return fail("malformed metadata");
    }
    if (!count(n, 8)) return fail("alias count out of range");
    for (std::uint32_t i = 0; i < n; ++i) {
      auto& [alias, kept] = plan.aliases.emplace_back();
      if (!text(alias) || !text(kept)) return fail("malformed alias");
    }
    if (!count(n, 4)) return fail("dropped count out of range");
    for (std::uint32_t i = 0; i < n; ++i)
      if (!text(plan.dropped.emplace_back())) return fail("malformed dropped entry");
    if (!count(n, 4 + 1 + 4)) return fail("storage count out of range");
    for (std::uint32_t i = 0; i < n; ++i) {
      std::string key;
      PlannedStorage s;
      if (!text(key) || !storage(s) || !plan.storages.emplace(std::move(key), std::move(s)).second)
        return fail("malformed storage");
    }
    if (!in_.at_end()) return fail("bytes after the plan");
    return plan;
  }

 private:
  Expected<ConversionPlan> fail(const char* why) {
    return parse_error(in_.offset(), "the parse worker's conversion plan at byte " + std::to_string(in_.offset()) + ": " + why);
  }
  bool text(std::string& out) { return in_.sized(out); }
  bool count(std::uint32_t& n, std::size_t min_bytes) { return in_.count(n, min_bytes); }
  bool numbers(std::vector<std::uint64_t>& out, std::uint32_t n) {
    if (n > in_.remaining() / 8) return false;
    out.resize(n);
    for (auto& v : out)
      if (!in_.le(v)) return false;
    return true;
  }
  bool tensor(TensorRecord& t) {
    std::uint8_t dtype = 0, element = 0, contiguous = 0;
    std::uint32_t rank = 0;
    if (!text(t.name) || !in_.u8(dtype) || dtype >= kDtypeCount || !in_.u8(element) || !in_.le(rank) || rank > 64 ||
        !numbers(t.shape, rank) || !numbers(t.strides, rank) || !in_.le(t.offset) || !text(t.storage_key) ||
        !in_.le(t.storage_bytes) || !in_.le(t.byte_size) || !in_.u8(contiguous) || contiguous > 1 ||
        !in_.le(t.pickle_offset))
      return false;
    t.dtype = static_cast<safetensors::Dtype>(dtype);
    t.element_size = element;
    t.contiguous = contiguous == 1;
    return true;
  }
  bool storage(PlannedStorage& s) {
    std::uint8_t where = 0;
    if (!in_.u8(where)) return false;
    if (where == kInFile) return in_.le(s.file_offset) && in_.le(s.size);
    ByteView bytes;
    if (where != kInflated || !in_.sized(bytes)) return false;
    s.size = bytes.size();
    s.owner = std::make_shared<OwnedBuffer>(bytes);
    s.inflated = s.owner->bytes();
    return true;
  }

  ByteReader in_;
  const Limits& limits_;
};

}  // namespace

std::vector<std::uint8_t> encode_plan_attachment(const Expected<ConversionPlan>& plan, std::uint64_t max_inflated) {
  ByteWriter w;
  for (char c : kMagic) w.u8(static_cast<std::uint8_t>(c));
  w.u8(kVersion);
  std::uint64_t inflated = 0;
  if (plan)
    for (const auto& [key, s] : plan->storages) inflated += s.owner ? s.size : 0;
  if (!plan || inflated > max_inflated) {
    w.u8(kRefused);
    w.u64(plan ? 0 : plan.error().offset);
    w.str(plan ? "its compressed storage records inflate to " + std::to_string(inflated) +
                     " bytes, more than a parse worker returns (" + std::to_string(max_inflated) +
                     "); convert it with --sandbox off"
               : plan.error().reason);
    return std::move(w.bytes());
  }
  w.u8(kPlan);
  w.u8(0);  // the byte order flag: storages are little-endian
  w.u32(static_cast<std::uint32_t>(plan->tensors.size()));
  for (const auto& t : plan->tensors) {
    w.str(t.name);
    w.u8(static_cast<std::uint8_t>(t.dtype));
    w.u8(static_cast<std::uint8_t>(t.element_size));
    w.u32(static_cast<std::uint32_t>(t.shape.size()));
    for (auto v : t.shape) w.u64(v);
    for (auto v : t.strides) w.u64(v);
    w.u64(t.offset);
    w.str(t.storage_key);
    w.u64(t.storage_bytes);
    w.u64(t.byte_size);
    w.u8(t.contiguous ? 1 : 0);
    w.u64(t.pickle_offset);
  }
  w.u32(static_cast<std::uint32_t>(plan->metadata.size()));
  for (const auto& [k, v] : plan->metadata) {
    w.str(k);
    w.str(v);
  }
  w.u32(static_cast<std::uint32_t>(plan->aliases.size()));
  for (const auto& [alias, kept] : plan->aliases) {
    w.str(alias);
    w.str(kept);
  }
  w.u32(static_cast<std::uint32_t>(plan->dropped.size()));
  for (const auto& d : plan->dropped) w.str(d);
  w.u32(static_cast<std::uint32_t>(plan->storages.size()));
  for (const auto& [key, s] : plan->storages) {
    w.str(key);
    if (s.owner) {
      w.u8(kInflated);
      w.str(as_chars(s.inflated));
    } else {
      w.u8(kInFile);
      w.u64(s.file_offset);
      w.u64(s.size);
    }
  }
  return std::move(w.bytes());
}

Expected<ConversionPlan> decode_plan_attachment(ByteView bytes, const Limits& limits) {
  return PlanReader(bytes, limits).read();
}

}  // namespace modelgate::convert
