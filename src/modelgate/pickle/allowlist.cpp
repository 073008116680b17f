#include "pickle/allowlist.h"

#include <algorithm>

#include "pickle/definition_catalog.h"
#include "pickle/embedded_profiles.h"

namespace modelgate::pickle {

namespace {

const EmbeddedProfile* find_embedded(std::string_view name) {
  for (const auto& p : embedded_profiles())
    if (p.name == name) return &p;
  return nullptr;
}

bool under_prefix(std::string_view full, std::string_view prefix) {
  return full.size() > prefix.size() && full.substr(0, prefix.size()) == prefix &&
         full[prefix.size()] == '.';
}

bool is_dunder_segment(std::string_view part) {
  return part.size() > 4 && part.substr(0, 2) == "__" && part.substr(part.size() - 2) == "__";
}

// Calls fn(segment) for every dotted segment of `name`.
template <class Fn>
void for_each_segment(std::string_view name, Fn fn) {
  while (!name.empty()) {
    auto dot = name.find('.');
    fn(name.substr(0, dot));
    name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
  }
}

// Names that are, in real modules, usually an imported module or a re-exported primitive. A
// wildcard without a catalog cannot tell, so it does not admit them.
bool usually_foreign(std::string_view segment) {
  static constexpr std::string_view k[] = {
      "np", "numpy", "pd", "pandas", "torch", "tf", "jax", "scipy", "sp", "os", "sys", "re", "io",
      "platform", "inspect", "subprocess", "builtins", "importlib", "pickle", "marshal", "shutil",
      "socket", "ctypes", "functools", "operator", "codecs", "types", "warnings", "logging",
      "system", "popen", "Popen", "eval", "exec", "compile", "getattr", "setattr", "open", "load",
      "loads", "import_module", "run", "call", "check_output", "check_call", "spawn", "execv",
      // process, file-system and network primitives a package commonly re-exports
      "getoutput", "getstatusoutput", "execl", "execle", "execlp", "execlpe", "execve", "execvp", "execvpe",
      "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe", "posix_spawn",
      "posix_spawnp", "startfile", "fork", "kill", "rmtree", "remove", "unlink", "rmdir", "removedirs",
      "rename", "chmod", "chown", "copyfile", "urlopen", "urlretrieve", "create_connection", "unsafe_load",
      "full_load", "load_module", "exec_module", "__import__", "globals", "vars", "breakpoint", "CDLL",
      "dlopen"};
  for (auto n : k)
    if (segment == n) return true;
  return false;
}

}  // namespace

std::vector<std::string> Allowlist::available_profiles() {
  std::vector<std::string> out;
  for (const auto& p : embedded_profiles())
    if (p.name.substr(0, 6) == "allow-") out.emplace_back(p.name.substr(6));
  return out;
}

Expected<Allowlist> Allowlist::from_profiles(const std::vector<std::string>& profiles,
                                             const std::vector<std::string>& extra_globals) {
  Allowlist a;
  std::vector<std::string> included;
  bool from_policy = false;
  auto add = [&a, &included, &from_policy](std::string_view entry) {
    if (entry.substr(0, 9) == "@include ") {
      included.emplace_back(trim_profile_text(entry.substr(9)));
    } else if (entry.front() == '!') {
      a.excluded_.emplace_back(trim_profile_text(entry.substr(1)));
    } else if (entry.size() > 2 && entry.substr(entry.size() - 2) == ".*") {
      a.module_wildcards_.push_back(Wildcard{std::string(entry.substr(0, entry.size() - 2)), from_policy});
    } else {
      a.exact_.emplace(entry);
    }
  };
  std::vector<std::string> pending(profiles.begin(), profiles.end());
  std::vector<std::string> loaded;
  for (std::size_t i = 0; i < pending.size(); ++i) {
    const std::string name = pending[i];
    if (std::find(loaded.begin(), loaded.end(), name) != loaded.end()) continue;
    const EmbeddedProfile* p = find_embedded("allow-" + name);
    if (p == nullptr) {
      std::string known;
      for (const auto& k : available_profiles()) known += (known.empty() ? "" : ", ") + k;
      return parse_error(0, "unknown allowlist profile \"" + name + "\" (known: " + known + ")");
    }
    loaded.push_back(name);
    if (i < profiles.size()) a.profiles_.push_back(name);
    for_each_profile_line(p->text, add);
    // A profile names the profiles its files also need (`@include numpy`).
    pending.insert(pending.end(), included.begin(), included.end());
    included.clear();
  }
  from_policy = true;
  for (const auto& g : extra_globals) {
    std::string_view e = trim_profile_text(g);
    if (e.empty() || e.find('.') == std::string_view::npos || e.front() == '!')
      return parse_error(0, "allowed global \"" + g + "\" must be written module.name");
    add(e);
  }
  return a;
}

bool Allowlist::excluded(std::string_view full) const {
  for (const auto& ex : excluded_) {
    if (ex.size() > 2 && ex.substr(ex.size() - 2) == ".*") {
      if (under_prefix(full, std::string_view(ex).substr(0, ex.size() - 2))) return true;
    } else if (full == ex) {
      return true;
    }
  }
  return false;
}

Allowlist::Admission Allowlist::admission(std::string_view module, std::string_view name) const {
  return admission(module, name, 0);
}

Allowlist::Admission Allowlist::admission(std::string_view module, std::string_view name, int depth) const {
  std::string full(module);
  if (!name.empty()) {
    full += '.';
    full += name;
  }
  if (excluded(full)) return Admission::none;
  if (exact_.count(full)) return Admission::call;
  // Under a wildcard, dunder attributes (`__globals__`, `__subclasses__`) reach interpreter
  // internals whatever module they start from: only exact entries may name them.
  bool dunder = false;
  for_each_segment(full, [&](std::string_view part) { dunder = dunder || is_dunder_segment(part); });
  if (dunder || name.empty()) return Admission::none;
  const auto& catalog = DefinitionCatalog::builtin();
  Admission best = Admission::none;
  std::optional<DefinitionCatalog::Resolved> r;
  bool resolved = false;
  for (const auto& [w, from_policy] : module_wildcards_) {
    if (best == Admission::call) break;
    const Admission level = from_policy ? Admission::call : Admission::reference;
    if (catalog.covers(w)) {
      // Resolve the name as find_class + getattr would; it must stay inside what the modules
      // below the wildcard define.
      if (!resolved) {
        r = catalog.resolve(module, name);
        resolved = true;
      }
      if (!r || (r->module != w && !under_prefix(r->module, w))) continue;
      if (!r->defined_in) {
        best = std::max(best, level);
        continue;
      }
      // A re-export counts as what it is: admitted only when its defining module is, and callable
      // when the defining name is.
      if (depth >= 4) continue;
      Admission defined = admission(r->defined_in->first, r->defined_in->second, depth + 1);
      if (defined != Admission::none) best = std::max(best, from_policy ? Admission::call : defined);
      continue;
    }
    // No catalog: only a single name directly in a module under the wildcard, and not one that
    // is usually an imported module or a re-exported primitive. Dotted names could walk anywhere.
    if ((module == w || under_prefix(module, w)) && name.find('.') == std::string_view::npos &&
        !usually_foreign(name))
      best = std::max(best, level);
  }
  return best;
}

const Denylist& Denylist::builtin() {
  static const Denylist d = [] {
    Denylist out;
    const EmbeddedProfile* p = find_embedded("deny");
    if (p == nullptr) return out;
    for_each_profile_line(p->text, [&out](std::string_view line) {
      // <severity> <category> <pattern>, or `exempt <name>`
      if (line.substr(0, 7) == "exempt ") {
        out.exempt_.emplace(trim_profile_text(line.substr(7)));
        return;
      }
      auto sp1 = line.find(' ');
      auto sp2 = line.find(' ', sp1 + 1);
      if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) return;
      std::string_view sev = line.substr(0, sp1);
      Severity s = sev == "critical" ? Severity::critical
                   : sev == "high"   ? Severity::high
                   : sev == "medium" ? Severity::medium
                                     : Severity::low;
      out.entries_.push_back(Entry{s, std::string(line.substr(sp1 + 1, sp2 - sp1 - 1)),
                                   std::string(trim_profile_text(line.substr(sp2 + 1)))});
    });
    for (std::size_t i = 0; i < out.entries_.size(); ++i) {
      const std::string& pattern = out.entries_[i].pattern;
      if (pattern.substr(0, 2) != "*.")
        out.by_pattern_[pattern].push_back(i);
      else if (pattern.size() > 2)
        out.by_segment_[pattern.substr(2)].push_back(i);
    }
    return out;
  }();
  return d;
}

std::optional<DenyMatch> Denylist::match_exact(std::string_view qualname) const {
  if (exempt_.count(std::string(qualname))) return std::nullopt;
  // The most severe entry that is the name or a dotted prefix of it; of those the longest, and of
  // those the first in the file.
  const Entry* best = nullptr;
  std::size_t best_index = 0;
  auto consider = [&](std::string_view prefix) {
    auto it = by_pattern_.find(prefix);
    if (it == by_pattern_.end()) return;
    for (std::size_t i : it->second) {
      const Entry& e = entries_[i];
      if (best == nullptr || e.severity > best->severity ||
          (e.severity == best->severity && (e.pattern.size() > best->pattern.size() ||
                                            (e.pattern.size() == best->pattern.size() && i < best_index)))) {
        best = &e;
        best_index = i;
      }
    }
  };
  for (std::size_t dot = qualname.find('.'); dot != std::string_view::npos; dot = qualname.find('.', dot + 1))
    consider(qualname.substr(0, dot));
  consider(qualname);
  if (best == nullptr) return std::nullopt;
  return DenyMatch{best->severity, best->category, best->pattern};
}

std::optional<DenyMatch> Denylist::match(std::string_view module, std::string_view name) const {
  std::optional<DenyMatch> best;
  auto consider = [&best](std::optional<DenyMatch> m) {
    if (m && (!best || m->severity > best->severity)) best = std::move(m);
  };
  std::string full(module);
  if (!name.empty()) {
    full += '.';
    full += name;
  }
  consider(match_exact(full));
  // Suffixes that start inside the attribute path: `pathlib.os.system` is also `os.system`.
  for (std::string_view rest = name; rest.find('.') != std::string_view::npos;
       rest = rest.substr(rest.find('.') + 1))
    consider(match_exact(rest));
  // Segments of the attribute path that reach interpreter internals (`*.__globals__`).
  for_each_segment(name, [&](std::string_view part) {
    auto it = by_segment_.find(part);
    if (it == by_segment_.end()) return;
    for (std::size_t i : it->second)
      consider(DenyMatch{entries_[i].severity, entries_[i].category, entries_[i].pattern});
  });
  return best;
}

}  // namespace modelgate::pickle
