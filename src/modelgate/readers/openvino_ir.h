#pragma once
// OpenVINO IR: an XML model (`<net name=... version="10|11">` with `<layers>` of `<layer id name
// type version>` and `<edges>`) and a `.bin` of constants beside it with the same stem (what
// ov::Core::read_model takes when no weights path is given). The runtime builds each layer from
// the operation set its `version` names: `opsetN` are OpenVINO's own operations; any other
// version (`extension`, a custom opset) is an operation that an extension library registered by
// the application implements (openvino_tokenizers' string ops, for example), code that is not in
// the file. Layers nested in TensorIterator/Loop/If bodies are layers too: every `<layer>` element
// is read. The XML is read with a small strict reader: comments, the XML declaration, quoted
// attributes and the five predefined entities and character references; a DOCTYPE, CDATA,
// processing instructions, duplicate attributes or mismatched tags are refused rather than read
// in a way pugixml (OpenVINO's reader) might not.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"

namespace modelgate::openvino {

struct Layer {
  std::string type;
  std::string version;
  std::size_t offset = 0;
};

struct Model {
  std::uint64_t ir_version = 0;
  std::uint64_t layers = 0;
  std::vector<Layer> extension_layers;  // layers whose version is not an opsetN (at most 1000 kept)
};

Expected<Model> parse(std::string_view xml, std::uint32_t max_depth);

// The content probe: XML whose root element is <net>.
bool looks_like_ir(std::string_view text);

}  // namespace modelgate::openvino
