#pragma once
// Whether a dotted Python path that a loader resolves by import + getattr (pydoc.locate, fiddle's
// import_symbol, Hydra's _locate) stays inside the named packages' own classes and functions.
// A prefix alone is not enough: getattr walks through any module a package imports, so
// `speechbrain.utils.data_utils.os.system` is os.system and `torch.hub.load` runs code from
// GitHub. A path is the library's own when its first component is one of `packages` and none of
// its components is a dunder name, a standard-library module that runs or loads things, or a
// name that loads, imports, downloads, compiles or executes.
#include <initializer_list>
#include <string_view>

namespace modelgate {

bool library_own_path(std::string_view dotted, std::initializer_list<std::string_view> packages);

}  // namespace modelgate
