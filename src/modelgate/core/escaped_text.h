#pragma once
// Names are bytes: file names, archive members, pickle globals and config keys come from the input
// and may hold invalid UTF-8 or control characters. These functions render any byte string safely,
// and reversibly (docs/cli.md, "Names are bytes"):
//  - for a terminal: modelgate/escaped_text.h;
//  - for JSON: standard JSON escapes; a byte that is not part of well-formed UTF-8 becomes the lone
//    surrogate `\udcNN` (0x80 <= NN <= 0xff), Python's `surrogateescape`, so `os.fsencode()` of the
//    decoded string gives back the original bytes;
//  - for a URI: every byte outside RFC 3986's unreserved set and '/' is percent-encoded.
#include <string>
#include <string_view>

#include "modelgate/escaped_text.h"

namespace modelgate {

void append_json_string(std::string& out, std::string_view bytes);
std::string percent_encode_path(std::string_view bytes);

}  // namespace modelgate
