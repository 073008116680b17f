#include "readers/coreml.h"

#include <algorithm>
#include <array>
#include <optional>

#include "core/byte_reader.h"
#include "protowire/wire.h"

namespace modelgate::coreml {

namespace {

using protowire::Field;
using protowire::MessageReader;
using protowire::WireType;

// Model.Type, the oneof of Model.proto (specification version 8).
bool model_type_field(std::uint32_t n) {
  static constexpr std::array<std::uint32_t, 36> kTypes = {
      200, 201, 202, 300, 301, 302, 303, 304, 400, 401, 402, 403, 404, 500, 501, 502, 555, 556,
      560, 600, 601, 602, 603, 604, 606, 607, 609, 610, 900, 2000, 2001, 2002, 2003, 2004, 2005, 2006};
  return n == 3000 || std::find(kTypes.begin(), kTypes.end(), n) != kTypes.end();
}

constexpr std::uint32_t kPipelineClassifier = 200, kPipelineRegressor = 201, kPipeline = 202;
constexpr std::uint32_t kNeuralNetworkRegressor = 303, kNeuralNetworkClassifier = 403, kNeuralNetwork = 500;
constexpr std::uint32_t kCustomModel = 555, kLinkedModel = 556, kSerializedModel = 3000;
constexpr std::uint32_t kLayerCustom = 500, kLayerBranch = 605, kLayerLoop = 615;

std::string printable(ByteView bytes) {
  std::string out(as_chars(bytes).substr(0, 200));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

class ModelWalk {
 public:
  ModelWalk(Model& out, const Limits& limits) : out_(out), limits_(limits) {}

  std::optional<Error> model(ByteView bytes, std::size_t base, unsigned depth) {
    if (depth > limits_.max_protobuf_depth) return parse_error(base, "models and networks nested too deeply");
    ++out_.models;
    MessageReader r(bytes, base);
    Field f;
    std::uint32_t type = 0;
    while (r.next(f)) {
      if (auto e = count(f)) return e;
      if (f.number == 1 && f.type == WireType::varint) {
        if (depth == 0) out_.specification_version = f.value;
      } else if (f.number == 10 && f.type == WireType::varint) {
      } else if (f.number == 2 && f.type == WireType::len) {
      } else if (model_type_field(f.number) && f.type == WireType::len) {
        // Protobuf keeps the last member of a oneof; two different types are read differently by
        // a reader that keeps the first, so they are refused. A repeated one is merged: each part
        // is walked.
        if (type != 0 && type != f.number)
          return parse_error(f.offset, "two model types (" + std::to_string(type) + " and " +
                                           std::to_string(f.number) + ") in one Model");
        type = f.number;
        if (auto e = model_type(f, r.absolute(f.bytes), depth)) return e;
      } else {
        return parse_error(f.offset, "field " + std::to_string(f.number) +
                                         " is not a Core ML Model field (a model type newer than "
                                         "specification version 8 is not read)");
      }
    }
    if (r.error()) return *r.error();
    if (type == 0) return parse_error(base, "Model without a model type");
    if (depth == 0) out_.model_type = type;
    return std::nullopt;
  }

 private:
  std::optional<Error> count(const Field& f) {
    if (++fields_ > limits_.max_protobuf_fields) return parse_error(f.offset, "more protobuf fields than the limit");
    return std::nullopt;
  }

  // The first length-delimited field `number` of a message (a string), or empty.
  std::optional<Error> string_field(ByteView bytes, std::size_t base, std::uint32_t number, std::string& out) {
    MessageReader r(bytes, base);
    Field f;
    while (r.next(f))
      if (f.number == number && f.type == WireType::len) out = printable(f.bytes);
    if (r.error()) return *r.error();
    return std::nullopt;
  }

  std::optional<Error> model_type(const Field& type, std::size_t base, unsigned depth) {
    CodeReference ref{CodeReference::Kind::custom_model, {}, type.offset};
    switch (type.number) {
      case kPipelineClassifier:
      case kPipelineRegressor:  // {Pipeline pipeline = 1}
        return each(type.bytes, base, 1, [&](const Field& f, std::size_t at) { return pipeline(f.bytes, at, depth); });
      case kPipeline: return pipeline(type.bytes, base, depth);
      case kNeuralNetworkRegressor:
      case kNeuralNetworkClassifier:
      case kNeuralNetwork: return network(type.bytes, base, depth);
      case kCustomModel:  // CustomModel {string className = 10; ...}
        if (auto e = string_field(type.bytes, base, 10, ref.name)) return e;
        out_.code.push_back(std::move(ref));
        return std::nullopt;
      case kLinkedModel: {  // LinkedModel {LinkedModelFile linkedModelFile = 1}
        ref.kind = CodeReference::Kind::linked_model;
        auto e = each(type.bytes, base, 1, [&](const Field& file, std::size_t at) {
          // LinkedModelFile {StringParameter linkedModelFileName = 1}; StringParameter {string defaultValue = 1}
          return each(file.bytes, at, 1, [&](const Field& name, std::size_t name_at) {
            return string_field(name.bytes, name_at, 1, ref.name);
          });
        });
        if (e) return e;
        out_.code.push_back(std::move(ref));
        return std::nullopt;
      }
      case kSerializedModel:  // SerializedModel {string identifier = 1; bytes model = 2}
        ref.kind = CodeReference::Kind::serialized_model;
        if (auto e = string_field(type.bytes, base, 1, ref.name)) return e;
        out_.code.push_back(std::move(ref));
        return std::nullopt;
      default: return std::nullopt;  // data: trees, GLMs, SVMs, feature engineering, ML programs
    }
  }

  // Calls `fn` for every length-delimited field `number` of a message.
  template <class Fn>
  std::optional<Error> each(ByteView bytes, std::size_t base, std::uint32_t number, Fn&& fn) {
    MessageReader r(bytes, base);
    Field f;
    while (r.next(f)) {
      if (auto e = count(f)) return e;
      if (f.number == number && f.type == WireType::len)
        if (auto e = fn(f, r.absolute(f.bytes))) return e;
    }
    if (r.error()) return *r.error();
    return std::nullopt;
  }

  // Pipeline {repeated Model models = 1; repeated string names = 2}
  std::optional<Error> pipeline(ByteView bytes, std::size_t base, unsigned depth) {
    return each(bytes, base, 1, [&](const Field& f, std::size_t at) { return model(f.bytes, at, depth + 1); });
  }

  // NeuralNetwork, NeuralNetworkClassifier, NeuralNetworkRegressor {repeated NeuralNetworkLayer layers = 1; ...}
  std::optional<Error> network(ByteView bytes, std::size_t base, unsigned depth) {
    if (depth > limits_.max_protobuf_depth) return parse_error(base, "models and networks nested too deeply");
    return each(bytes, base, 1, [&](const Field& f, std::size_t at) { return layer(f.bytes, at, depth); });
  }

  std::optional<Error> layer(ByteView bytes, std::size_t base, unsigned depth) {
    ++out_.layers;
    MessageReader r(bytes, base);
    Field f;
    while (r.next(f)) {
      if (auto e = count(f)) return e;
      if (f.type != WireType::len) continue;
      std::size_t at = r.absolute(f.bytes);
      std::optional<Error> e;
      if (f.number == kLayerCustom) {  // CustomLayerParams {string className = 10; ...}
        CodeReference ref{CodeReference::Kind::custom_layer, {}, f.offset};
        e = string_field(f.bytes, at, 10, ref.name);
        out_.code.push_back(std::move(ref));
      } else if (f.number == kLayerBranch) {  // BranchLayerParams {NeuralNetwork ifBranch = 1; elseBranch = 2}
        e = nested_networks(f.bytes, at, 1, 2, depth);
      } else if (f.number == kLayerLoop) {  // LoopLayerParams {conditionNetwork = 3; bodyNetwork = 4}
        e = nested_networks(f.bytes, at, 3, 4, depth);
      }
      if (e) return e;
    }
    if (r.error()) return *r.error();
    return std::nullopt;
  }

  std::optional<Error> nested_networks(ByteView bytes, std::size_t base, std::uint32_t a, std::uint32_t b,
                                            unsigned depth) {
    MessageReader r(bytes, base);
    Field f;
    while (r.next(f)) {
      if (auto e = count(f)) return e;
      if ((f.number == a || f.number == b) && f.type == WireType::len)
        if (auto e = network(f.bytes, r.absolute(f.bytes), depth + 1)) return e;
    }
    if (r.error()) return *r.error();
    return std::nullopt;
  }

  Model& out_;
  const Limits& limits_;
  std::uint64_t fields_ = 0;
};

constexpr std::uint32_t kBlobSentinel = 0xDEADBEEF;
constexpr std::uint64_t kBlobAlignment = 64;

}  // namespace

bool looks_like_model(ByteView bytes) {
  if (bytes.size() < 4 || bytes[0] != 0x08) return false;
  MessageReader r(bytes);
  r.allow_truncated_tail();
  Field f;
  int types = 0;
  bool first = true;
  while (r.next(f)) {
    if (first && (f.number != 1 || f.value == 0 || f.value > 64)) return false;
    first = false;
    if (f.number == 1 || f.number == 10) {
      if (f.type != WireType::varint) return false;
    } else if (f.number == 2 || model_type_field(f.number)) {
      if (f.type != WireType::len) return false;
      types += f.number != 2;
    } else {
      return false;
    }
  }
  return !r.error() && types >= 1;
}

Expected<Model> parse(ByteView bytes, const Limits& limits) {
  Model m;
  ModelWalk walk(m, limits);
  if (auto e = walk.model(bytes, 0, 0)) return *e;
  return m;
}

bool looks_like_blob_storage(ByteView bytes) {
  ByteReader r(bytes);
  std::uint32_t count = 0, version = 0, sentinel = 0;
  if (!r.le(count) || !r.le(version) || version != 2 || bytes.size() < kBlobAlignment) return false;
  if (std::any_of(bytes.begin() + 8, bytes.begin() + kBlobAlignment, [](std::uint8_t b) { return b != 0; }))
    return false;
  if (count == 0) return bytes.size() == kBlobAlignment;
  r.seek(kBlobAlignment);
  return r.le(sentinel) && sentinel == kBlobSentinel;
}

Expected<BlobStorage> parse_blob_storage(ByteView bytes) {
  ByteReader r(bytes);
  std::uint32_t count = 0, version = 0;
  if (!r.le(count) || !r.le(version) || version != 2) return parse_error(0, "not MIL blob storage version 2");
  std::uint64_t pos = kBlobAlignment;
  for (std::uint32_t i = 0; i < count; ++i) {
    // Each entry is at least its 64-byte metadata, so the count is bounded by the file size.
    if (pos > bytes.size() || bytes.size() - pos < kBlobAlignment)
      return parse_error(pos, "blob " + std::to_string(i) + " of " + std::to_string(count) + " runs past the end");
    r.seek(pos);
    std::uint32_t sentinel = 0, dtype = 0;
    std::uint64_t size = 0, offset = 0;
    r.le(sentinel);
    r.le(dtype);
    r.le(size);
    r.le(offset);
    if (sentinel != kBlobSentinel) return parse_error(pos, "blob metadata without its 0xDEADBEEF sentinel");
    if (offset < pos + kBlobAlignment || offset % kBlobAlignment != 0 || offset > bytes.size() ||
        size > bytes.size() - offset)
      return parse_error(pos + 16, "blob data at " + std::to_string(offset) + " (" + std::to_string(size) +
                                       " bytes) is not an aligned range after its metadata inside the file");
    std::uint64_t end = offset + size;
    pos = (end + kBlobAlignment - 1) / kBlobAlignment * kBlobAlignment;
  }
  if (pos < bytes.size()) return parse_error(pos, "bytes after the last blob");
  return BlobStorage{count};
}

}  // namespace modelgate::coreml
