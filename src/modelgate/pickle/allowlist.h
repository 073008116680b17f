#pragma once
// Allowlists decide; the denylist only grades. Both are data (data/pickle/*.txt).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/expected.h"
#include "modelgate/status.h"

namespace modelgate::pickle {

// The union of the selected allowlist profiles plus policy additions.
class Allowlist {
 public:
  // Profiles are looked up as data/pickle/allow-<name>.txt. An unknown name is an error.
  static Expected<Allowlist> from_profiles(const std::vector<std::string>& profiles,
                                           const std::vector<std::string>& extra_globals);
  static std::vector<std::string> available_profiles();

  // `name` may be dotted (an attribute path from `module`). Exact entries match the whole
  // "module.name". A "prefix.*" wildcard admits only what the modules under the prefix define:
  // with a catalog (DefinitionCatalog) the name is resolved segment by segment and must not
  // leave through an imported module or a re-export from elsewhere; without one, only a single
  // name directly in such a module that is not usually an imported module or primitive.
  bool allows(std::string_view module, std::string_view name) const { return admission(module, name) != Admission::none; }

  // What an admitted name may do while loading. A profile's exact entries are vetted one by one as
  // callables that only rebuild a value; its wildcards admit what the modules define to be
  // referenced (a class instantiated without its constructor, a function kept as a value), since
  // those modules also define functions and constructors that do real work when a pickle calls
  // them. A policy's own entries and wildcards are the user's decision and may be called.
  enum class Admission : std::uint8_t { none, reference, call };
  Admission admission(std::string_view module, std::string_view name) const;
  const std::vector<std::string>& profiles() const { return profiles_; }

 private:
  Admission admission(std::string_view module, std::string_view name, int depth) const;
  bool excluded(std::string_view full) const;

  struct Wildcard {
    std::string prefix;  // "sklearn.linear_model" for "sklearn.linear_model.*"
    bool from_policy;    // an allow_globals entry rather than a profile's
  };
  std::vector<std::string> profiles_;
  std::unordered_set<std::string> exact_;
  std::vector<Wildcard> module_wildcards_;
  std::vector<std::string> excluded_;          // "!" entries: never allowed, even under a wildcard
};

struct DenyMatch {
  Severity severity;
  std::string category;  // "process", "code-execution", "network", ...
  std::string pattern;   // the entry that matched
};

// Known-dangerous globals. Consulted for every name, allowlisted or not: a match always wins.
class Denylist {
 public:
  static const Denylist& builtin();
  // Checks "module.name" and every suffix of it that starts inside the attribute path `name` and
  // has two components or more (so that `pathlib` + `os.system` is seen as `os.system`), and
  // every segment of `name` against the `*.segment` entries (`x.__globals__`). The module path
  // itself is what the loader imports, so `mypkg.code` is not the `code` module. The most
  // severe match is returned.
  std::optional<DenyMatch> match(std::string_view module, std::string_view name) const;

 private:
  struct Entry {
    Severity severity;
    std::string category;
    std::string pattern;
  };
  std::vector<Entry> entries_;
  // Entry indices (in file order) by pattern, and by segment for the `*.segment` entries: a name
  // is matched by looking up each of its dotted prefixes, not by comparing it with every entry.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Index = std::unordered_map<std::string, std::vector<std::size_t>, TextHash, std::equal_to<>>;
  Index by_pattern_, by_segment_;
  std::unordered_set<std::string> exempt_;  // exact names below a pattern that are harmless
  std::optional<DenyMatch> match_exact(std::string_view qualname) const;
};

}  // namespace modelgate::pickle
