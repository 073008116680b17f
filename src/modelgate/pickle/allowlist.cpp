#include "pickle/allowlist.h"

#include <algorithm>

#include "pickle/embedded_profiles.h"

namespace modelgate::pickle {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Calls fn(line) for every non-empty, non-comment line.
template <class Fn>
void for_each_line(std::string_view text, Fn fn) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (!line.empty()) fn(line);
  }
}

const EmbeddedProfile* find_embedded(std::string_view name) {
  for (const auto& p : embedded_profiles())
    if (p.name == name) return &p;
  return nullptr;
}

bool under_prefix(std::string_view full, std::string_view prefix) {
  return full.size() > prefix.size() && full.substr(0, prefix.size()) == prefix &&
         full[prefix.size()] == '.';
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
  auto add = [&a](std::string_view entry) {
    if (entry.front() == '!') {
      a.excluded_.emplace_back(trim(entry.substr(1)));
    } else if (entry.size() > 2 && entry.substr(entry.size() - 2) == ".*") {
      a.module_wildcards_.emplace_back(entry.substr(0, entry.size() - 2));
    } else {
      a.exact_.emplace(entry);
    }
  };
  for (const auto& name : profiles) {
    const EmbeddedProfile* p = find_embedded("allow-" + name);
    if (p == nullptr) {
      std::string known;
      for (const auto& k : available_profiles()) known += (known.empty() ? "" : ", ") + k;
      return parse_error(0, "unknown allowlist profile \"" + name + "\" (known: " + known + ")");
    }
    a.profiles_.push_back(name);
    for_each_line(p->text, add);
  }
  for (const auto& g : extra_globals) {
    std::string_view e = trim(g);
    if (e.empty() || e.find('.') == std::string_view::npos || e.front() == '!')
      return parse_error(0, "allowed global \"" + g + "\" must be written module.name");
    add(e);
  }
  return a;
}

bool Allowlist::allows(std::string_view module, std::string_view name) const {
  std::string full(module);
  if (!name.empty()) {
    full += '.';
    full += name;
  }
  for (const auto& ex : excluded_) {
    if (ex.size() > 2 && ex.substr(ex.size() - 2) == ".*") {
      if (under_prefix(full, std::string_view(ex).substr(0, ex.size() - 2))) return false;
    } else if (full == ex) {
      return false;
    }
  }
  if (exact_.count(full)) return true;
  // Under a wildcard, dunder attributes (`__globals__`, `__subclasses__`) reach interpreter
  // internals whatever module they start from: only exact entries may name them.
  for (std::string_view tail = full; !tail.empty();) {
    auto dot = tail.find('.');
    std::string_view part = tail.substr(0, dot);
    if (part.size() > 4 && part.substr(0, 2) == "__" && part.substr(part.size() - 2) == "__")
      return false;
    tail = dot == std::string_view::npos ? std::string_view{} : tail.substr(dot + 1);
  }
  return std::any_of(module_wildcards_.begin(), module_wildcards_.end(),
                     [&](const std::string& w) { return under_prefix(full, w); });
}

const Denylist& Denylist::builtin() {
  static const Denylist d = [] {
    Denylist out;
    const EmbeddedProfile* p = find_embedded("deny");
    if (p == nullptr) return out;
    for_each_line(p->text, [&out](std::string_view line) {
      // <severity> <category> <pattern>
      auto sp1 = line.find(' ');
      auto sp2 = line.find(' ', sp1 + 1);
      if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) return;
      std::string_view sev = line.substr(0, sp1);
      Severity s = sev == "critical" ? Severity::critical
                   : sev == "high"   ? Severity::high
                   : sev == "medium" ? Severity::medium
                                     : Severity::low;
      out.entries_.push_back(Entry{s, std::string(line.substr(sp1 + 1, sp2 - sp1 - 1)),
                                   std::string(trim(line.substr(sp2 + 1)))});
    });
    return out;
  }();
  return d;
}

std::optional<DenyMatch> Denylist::match_exact(std::string_view qualname) const {
  const Entry* best = nullptr;
  for (const auto& e : entries_) {
    if (qualname == e.pattern || under_prefix(qualname, e.pattern)) {
      if (best == nullptr || e.severity > best->severity ||
          (e.severity == best->severity && e.pattern.size() > best->pattern.size()))
        best = &e;
    }
  }
  if (best == nullptr) return std::nullopt;
  return DenyMatch{best->severity, best->category, best->pattern};
}

std::optional<DenyMatch> Denylist::match(std::string_view module, std::string_view name) const {
  std::string full(module);
  if (!name.empty()) {
    full += '.';
    full += name;
  }
  if (auto m = match_exact(full)) return m;
  // Every suffix of two or more components: `pathlib.os.system` is also `os.system`.
  std::string_view rest = full;
  for (auto dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
    rest = rest.substr(dot + 1);
    if (rest.find('.') == std::string_view::npos) break;
    if (auto m = match_exact(rest)) return m;
  }
  // Dunder traversal (`x.__globals__`, `y.__subclasses__`) reaches arbitrary objects.
  for (std::string_view tail = full; !tail.empty();) {
    auto dot = tail.find('.');
    std::string_view part = tail.substr(0, dot);
    if (part.size() > 4 && part.substr(0, 2) == "__" && part.substr(part.size() - 2) == "__")
      return DenyMatch{Severity::high, "attribute-traversal", std::string(part)};
    tail = dot == std::string_view::npos ? std::string_view{} : tail.substr(dot + 1);
  }
  return std::nullopt;
}

}  // namespace modelgate::pickle
