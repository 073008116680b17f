#include "identify/identify.h"

#include <algorithm>

#include "artifact/artifact.h"
#include "artifact/pickle_probe.h"
#include "core/strict_json.h"
#include "hf/front_matter.h"
#include "hf/python_lexer.h"
#include "identify/code_format_probes.h"
#include "identify/container_magic.h"
#include "pickle/opcodes.h"
#include "readers/coreml.h"
#include "readers/flax_msgpack.h"
#include "readers/gguf.h"
#include "readers/openvino_ir.h"
#include "readers/safetensors.h"
#include "readers/sentencepiece.h"
#include "readers/tflite.h"

namespace modelgate {

namespace {

// Valid UTF-8 without NUL or unusual control characters in the first 64 KiB.
bool looks_like_text(ByteView bytes) {
  std::size_t n = std::min<std::size_t>(bytes.size(), 64 * 1024);
  std::size_t i = 0;
  while (i < n) {
    std::uint8_t c = bytes[i];
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1b)
        return false;
      ++i;
      continue;
    }
    std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4)) return false;
    if (i + len > n) return n < bytes.size();  // sequence cut by the sampling window
    for (std::size_t k = 1; k < len; ++k)
      if ((bytes[i + k] & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

}  // namespace

Format identify(ByteView bytes) {
  Artifact a;
  a.bytes = bytes;
  return identify(a);
}

Format identify(const Artifact& artifact) {
  ByteView bytes = artifact.bytes;
  if (bytes.empty()) return Format::empty;
  if (gguf::looks_like_gguf(bytes)) return Format::gguf;
  if (safetensors::looks_like_safetensors(bytes)) return Format::safetensors;
  // A .keras file is a ZIP with its own scanner; it must be claimed before the generic ZIP.
  if (looks_like_keras_archive(bytes)) return Format::keras_archive;
  if (auto f = identify_container(artifact)) return *f;
  if (bytes[0] == pickle::PROTO && bytes.size() >= 2 && bytes[1] <= pickle::kHighestProtocol)
    return Format::pickle;
  if (looks_like_hdf5(bytes)) return Format::hdf5;
  if (looks_like_onnx_model(bytes)) return Format::onnx;
  if (coreml::looks_like_model(bytes)) return Format::coreml;
  if (coreml::looks_like_blob_storage(bytes)) return Format::coreml_weights;
  if (looks_like_saved_model(bytes)) return Format::tf_savedmodel;
  if (looks_like_keras_metadata_pb(bytes)) return Format::keras_metadata_pb;
  if (looks_like_tf_fingerprint(bytes)) return Format::tf_fingerprint;
  if (sentencepiece::looks_like_model(bytes)) return Format::sentencepiece;
  if (tflite::looks_like_model(bytes)) return Format::tflite;
  // JSON cannot start a pickle ('{', '[' and whitespace are not opcodes), so it goes first.
  if (looks_like_json(as_chars(bytes)) && looks_like_text(bytes)) return Format::json;
  // A msgpack map opens with 0x81-0x8f/0xde/0xdf, never the pickle PROTO opcode (0x80).
  if (flax::looks_like_msgpack_state(bytes)) return Format::flax_msgpack;
  // A protocol 0/1 pickle has no magic; it is a pickle when the machine reads it to STOP, or when
  // it imports a real-looking global before breaking (a broken payload is still a payload).
  if (auto& p = probe_pickle_at_start(artifact); p.complete || p.imports) return Format::pickle;
  if (looks_like_text(bytes)) {
    std::string_view text = as_chars(bytes);
    if (has_front_matter(text)) return Format::model_card;
    if (openvino::looks_like_ir(text)) return Format::openvino_ir;
    if (python::looks_like_python(text)) return Format::python;
    if (text.find("{%") != std::string_view::npos || text.find("{{") != std::string_view::npos) return Format::jinja;
    return Format::text;
  }
  return Format::unknown;
}

}  // namespace modelgate
