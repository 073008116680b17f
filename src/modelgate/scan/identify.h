#pragma once
// Content sniffing: the single entry point that decides which scanner reads an artifact.
// Extensions are never consulted.
#include <string_view>

#include "core/bytes.h"

namespace modelgate {

enum class Format {
  empty,
  pickle,
  text,
  unknown,
  json,           // strict JSON; the scanner classifies configs, tokenizers, weight indexes by keys
  python,         // Python source text
  model_card,     // Markdown with YAML front matter (README.md)
  jinja,          // text with Jinja tags that no other format claims (chat_template.jinja)
};

Format identify(ByteView bytes);
std::string_view format_name(Format f);

}  // namespace modelgate
