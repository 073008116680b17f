#include "identify/code_format_probes.h"

#include <cstring>

#include "artifact/zip_probe.h"
#include "protowire/wire.h"
#include "readers/zip_reader.h"

namespace modelgate {

namespace {

using protowire::Field;
using protowire::MessageReader;
using protowire::WireType;

constexpr std::uint8_t kHdf5Signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

}  // namespace

// Writers emit fields in number order, so ir_version comes first. Read in prefix mode so that a
// truncated model is still recognised (and then refused).
bool looks_like_onnx_model(ByteView bytes) {
  MessageReader r(bytes);
  r.allow_truncated_tail();
  Field f;
  bool ir_version = false, graph = false, opset = false, first = true;
  std::uint64_t ir = 0;
  while (r.next(f)) {
    if (first && (f.number != 1 || f.type != WireType::varint)) return false;
    first = false;
    switch (f.number) {
      case 1: if (f.type != WireType::varint) return false; ir_version = true; ir = f.value; break;
      case 5: if (f.type != WireType::varint) return false; break;
      case 2: case 3: case 4: case 6: case 14: case 20: case 25:
        if (f.type != WireType::len) return false;
        break;
      case 7: if (f.type != WireType::len) return false; graph = true; break;
      case 8: if (f.type != WireType::len) return false; opset = true; break;
      default:
        // Fields added by later IR versions are length-delimited messages.
        if (f.number > 32 || f.type != WireType::len) return false;
    }
  }
  if (r.error() || !ir_version || ir < 1 || ir > 64 || !graph) return false;
  return opset || ir < 3 || r.truncated();
}

// The probes read in prefix mode so that a truncated file is still recognised (and then refused).
bool looks_like_saved_model(ByteView bytes) {
  MessageReader r(bytes);
  r.allow_truncated_tail();
  Field f;
  bool have_meta_graph = false;
  while (r.next(f)) {
    if (f.number == 1 && f.type == WireType::varint) continue;
    if (f.number != 2 || f.type != WireType::len) return false;
    if (have_meta_graph) continue;
    // The first MetaGraphDef: only length-delimited fields 1..7, with a meta_info_def or graph_def.
    MessageReader m(f.bytes);
    if (r.truncated()) m.allow_truncated_tail();
    Field g;
    bool graph_or_info = false;
    while (m.next(g)) {
      if (g.type != WireType::len || g.number > 7) return false;
      graph_or_info |= g.number <= 2;
    }
    if (m.error() || !graph_or_info) return false;
    have_meta_graph = true;
  }
  return !r.error() && have_meta_graph;
}

bool looks_like_keras_metadata_pb(ByteView bytes) {
  MessageReader r(bytes);
  r.allow_truncated_tail();
  Field f;
  bool first = true, keras_identifier = false;
  while (r.next(f)) {
    if (f.number != 1 || f.type != WireType::len) return false;
    if (!first) continue;
    first = false;
    MessageReader m(f.bytes);
    if (r.truncated()) m.allow_truncated_tail();
    Field g;
    while (m.next(g)) {
      if (g.number == 2 && g.type == WireType::varint) continue;
      if (g.number < 3 || g.number > 6 || g.type != WireType::len) return false;
      if (g.number == 4) keras_identifier = as_chars(g.bytes).starts_with("_tf_keras");
    }
    if (m.error()) return false;
  }
  return !r.error() && keras_identifier;
}

// fingerprint.pb (TF >= 2.12): FingerprintDef, five uint64 hashes and a VersionDef. Pure data.
bool looks_like_tf_fingerprint(ByteView bytes) {
  MessageReader r(bytes);
  Field f;
  unsigned hashes = 0;
  while (r.next(f)) {
    if (f.number >= 1 && f.number <= 5 && f.type == WireType::varint) ++hashes;
    else if (!(f.number == 6 && f.type == WireType::len && protowire::is_flat_message(f.bytes))) return false;
  }
  return !r.error() && hashes >= 3;
}

std::optional<std::uint64_t> hdf5_superblock_offset(ByteView bytes) {
  // libhdf5 (H5FD_locate_signature) looks at 0 and at every power of two from 512 up to the end
  // of the file, however large: a user block may be gigabytes long.
  for (std::size_t at = 0; at <= bytes.size() && bytes.size() - at >= 8; at = at == 0 ? 512 : at * 2)
    if (std::memcmp(bytes.data() + at, kHdf5Signature, 8) == 0) return at;
  return std::nullopt;
}

bool looks_like_hdf5(ByteView bytes) { return hdf5_superblock_offset(bytes).has_value(); }

bool looks_like_keras_archive(const Artifact& artifact) {
  if (!zip::looks_like_zip(artifact.bytes)) return false;
  const auto& ar = zip_probe(artifact);
  return ar && has_keras_layout(*ar);
}

bool has_keras_layout(const zip::Archive& ar) {
  auto has = [&](std::string_view n) { return ar.find_as_zipfile(n) != nullptr; };
  return has("config.json") && (has("metadata.json") || has("model.weights.h5") || has("model.weights.npz"));
}

}  // namespace modelgate
