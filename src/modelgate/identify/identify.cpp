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
#include "readers/yaml_tags.h"

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

bool is_empty(ByteView bytes) { return bytes.empty(); }
bool any_bytes(ByteView) { return true; }
bool any_text(std::string_view) { return true; }

bool starts_with_pickle_proto(ByteView bytes) {
  return bytes.size() >= 2 && bytes[0] == pickle::PROTO && bytes[1] <= pickle::kHighestProtocol;
}

bool looks_like_unframed_pickle(const Artifact& artifact) {
  auto& p = probe_pickle_at_start(artifact);
  return p.complete || p.imports;
}

// The Git LFS pointer format's first line (spec v1, and the format's pre-release name).
bool looks_like_lfs_pointer(std::string_view text) {
  return text.starts_with("version https://git-lfs.github.com/spec/") || text.starts_with("version https://hawser.github.com/spec/");
}

bool has_jinja_tags(std::string_view text) {
  return text.find("{%") != std::string_view::npos || text.find("{{") != std::string_view::npos;
}

// The artifact a probe is asked about, and whether it is text (asked once, for every text probe).
class Sniffed {
 public:
  explicit Sniffed(const Artifact& artifact) : artifact_(artifact) {}

  bool accepts(bool (*probe)(ByteView)) { return probe(artifact_.bytes); }
  bool accepts(bool (*probe)(std::string_view)) { return text() && probe(as_chars(artifact_.bytes)); }
  bool accepts(bool (*probe)(const Artifact&)) { return probe(artifact_); }

 private:
  bool text() {
    if (text_ < 0) text_ = looks_like_text(artifact_.bytes) ? 1 : 0;
    return text_ == 1;
  }

  const Artifact& artifact_;
  int text_ = -1;
};

}  // namespace

Format identify(ByteView bytes) {
  Artifact a;
  a.bytes = bytes;
  return identify(a);
}

Format identify(const Artifact& artifact) {
  Sniffed sniffed(artifact);
#define MG_FORMAT(id, name, probe, scanner, component) \
  if (sniffed.accepts(probe)) return Format::id;
#define MG_PROBE(id, probe) MG_FORMAT(id, , probe, , )
#include "identify/format_list.inc"
#undef MG_FORMAT
#undef MG_PROBE
  return Format::unknown;
}

}  // namespace modelgate
