#include "scan/format_table.h"

namespace modelgate {

static void scan_nothing(const Artifact&, ScanContext&, ArtifactReport&) {}

ScannerFn scanner_for(Format f) {
  switch (f) {
    case Format::empty: return scan_nothing;
    case Format::pickle: return scan_pickle_file;
    case Format::text: return scan_text_file;
    case Format::unknown: return scan_unknown_file;
    case Format::safetensors: return scan_safetensors_file;
    case Format::gguf: return scan_gguf_file;
  }
  return scan_unknown_file;
}

std::string_view format_name(Format f) {
  switch (f) {
    case Format::empty: return "empty";
    case Format::pickle: return "pickle";
    case Format::text: return "text";
    case Format::unknown: return "unknown";
    case Format::safetensors: return "safetensors";
    case Format::gguf: return "gguf";
  }
  return "unknown";
}

}  // namespace modelgate
