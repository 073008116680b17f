#pragma once
// Names are bytes: a file or member name from a model may hold invalid UTF-8, control characters or
// text-reordering code points. This renders any byte string for a terminal, safely and reversibly:
// `\\` for a backslash, `\n` `\r` `\t`, `\xNN` for other C0 controls, DEL and every byte that is not
// part of well-formed UTF-8, `\uNNNN` for C1 controls and for the code points that reorder or hide
// text (bidi controls, line/paragraph separators, BOM, zero-width) (docs/cli.md, "Names are bytes").
#include <string>
#include <string_view>

namespace modelgate {

std::string escape_for_terminal(std::string_view bytes);

}  // namespace modelgate
