#pragma once
// Whether a dotted Python path that a loader resolves by import + getattr (pydoc.locate, fiddle's
// import_symbol) names one of a library's own model, layer or configuration classes and functions.
//
// A package prefix is not enough: getattr walks through any module a package imports
// (`speechbrain.utils.data_utils.os.system` is os.system), large packages re-export the standard
// library (`torch.utils.benchmark.utils.timer.timeit` is the stdlib timeit, which runs a statement)
// and ship helpers that shell out (`torch.utils.collect_env.run`,
// `speechbrain.utils.superpowers.run_shell`). Under torch a path is the library's own only when
// torch_catalog_path lists it (aliases such as `torch.nn.parallel.distributed.dist`, which is
// torch.distributed, are not in it). Elsewhere (libraries not installed where the catalog is made)
// a path is the library's own only when it starts with one of the route's allowed modules (the
// subpackages that hold models, layers, features, optimisers and configurations, and a few named
// functions), and none of the components after it
// is a dunder or private name, a common module alias (F, sb, dist), the name of another package or
// of a standard-library module, or a name (or a word of one) that loads, imports, downloads, runs,
// shells out, times or writes, and at most one component follows the first capitalised one.
#include <string_view>

namespace modelgate {

enum class LibraryRoute {
  hyperpyyaml,  // SpeechBrain's HyperPyYAML tags: speechbrain, torch, torchaudio
  fiddle,       // NeMo 2's fiddle pyrefs: nemo, megatron.core, torch, fiddle, lightning
};

bool library_own_path(std::string_view dotted, LibraryRoute route);

// Whether a path under torch is one the generated catalog (scripts/make-library-catalog: torch
// 1.13's real public modules under torch.nn, torch.optim and torch.distributions, the classes and
// functions they define, those classes' class- and static methods) or a short list of torch's own
// tensor constructors, dtypes and operators names. Every route that admits torch paths uses it.
bool torch_catalog_path(std::string_view dotted);

}  // namespace modelgate
