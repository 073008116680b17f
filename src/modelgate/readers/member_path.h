#pragma once
// Archive member names that a naive extractor would write outside its target directory.
#include <string>
#include <string_view>

namespace modelgate {

// Why `name` is unsafe to extract (NUL, backslash, absolute path, drive letter, a ".."
// component), or an empty string when it is a plain relative path.
std::string unsafe_member_path(std::string_view name);

}  // namespace modelgate
