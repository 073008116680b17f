#pragma once
// Python source bytes as CPython's tokenizer sees them: a UTF-8 BOM is dropped, the PEP 263
// coding cookie (line 1, or line 2 after a comment or blank line) selects the decoding, and
// "\r\n" and lone "\r" both end lines. UTF-8, ASCII and Latin-1 are decoded directly;
// `unicode_escape` and `raw_unicode_escape`, which turn escape sequences (even inside comments)
// into real characters, are decoded the way their codecs do. Any other encoding is an error:
// modelgate will not guess what a codec makes of the bytes.
#include <string>
#include <string_view>

#include "core/expected.h"

namespace modelgate::python {

struct DecodedSource {
  std::string text;      // UTF-8 with "\n" line ends
  std::string encoding;  // the normalized cookie name, or "utf-8" when there is none
  bool transformed = false;  // the text differs from the bytes beyond line ends (offsets are of the text)
};

Expected<DecodedSource> decode_source(std::string_view bytes);

}  // namespace modelgate::python
