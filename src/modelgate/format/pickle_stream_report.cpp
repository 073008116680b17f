#include "format/pickle_stream_report.h"

#include <algorithm>
#include <map>

namespace modelgate {

namespace {

using GlobalKey = std::pair<std::string_view, std::string_view>;

// Adds distinct globals with their counts to `into`, whose list stays whole or is dropped.
void merge_globals(PickleImports& into, const std::vector<PickleGlobal>& globals, std::uint64_t max_listed) {
  if (!into.listed) return;
  std::map<GlobalKey, PickleGlobal> merged;
  const std::vector<PickleGlobal>* lists[] = {&into.globals, &globals};
  for (const auto* list : lists)
    for (const auto& g : *list) {
      auto [it, fresh] = merged.try_emplace(GlobalKey(g.module, g.name), g);
      if (fresh) {
        if (merged.size() > max_listed) {
          into.listed = false;
          into.globals.clear();
          return;
        }
        continue;
      }
      it->second.count += g.count;
      it->second.first_offset = std::min(it->second.first_offset, g.first_offset);
    }
  std::vector<PickleGlobal> out;
  out.reserve(merged.size());
  for (auto& entry : merged) out.push_back(std::move(entry.second));
  into.globals = std::move(out);
}

PickleImports& pickle_imports_of(ArtifactReport& report) {
  return report.parsed.pickle_imports ? *report.parsed.pickle_imports : report.parsed.pickle_imports.emplace();
}

}  // namespace

void add_pickle_imports(const PickleImports& imports, std::uint64_t max_listed, ArtifactReport& report) {
  PickleImports& into = pickle_imports_of(report);
  into.count += imports.count;
  if (!imports.listed) {
    into.listed = false;
    into.globals.clear();
  }
  merge_globals(into, imports.globals, max_listed);
}

void add_stream_to_report(pickle::StreamResult&& stream, const Artifact& artifact, NestedScan& ctx,
                          ArtifactReport& report) {
  PickleImports& into = pickle_imports_of(report);
  into.count += stream.imports.size();
  if (into.listed) {
    std::map<GlobalKey, PickleGlobal> distinct;
    for (const auto& i : stream.imports) {
      auto [it, fresh] = distinct.try_emplace(GlobalKey(i.module, i.name), PickleGlobal{i.module, i.name, 0, i.offset});
      ++it->second.count;  // records come in stream order: the first one has the lowest offset
      if (fresh && distinct.size() > ctx.limits().max_listed_imports) {
        into.listed = false;
        into.globals.clear();
        break;
      }
    }
    std::vector<PickleGlobal> globals;
    for (auto& entry : distinct) globals.push_back(std::move(entry.second));
    merge_globals(into, globals, ctx.limits().max_listed_imports);
  }
  for (auto& f : stream.findings) report.add(std::move(f));
  for (auto& p : stream.nested) {
    Artifact child;
    child.origin = artifact.origin + "@" + std::to_string(p.offset) + "!/" + p.via;
    child.bytes = p.bytes->bytes();
    child.owner = p.bytes;
    child.name = p.via;
    child.depth = artifact.depth + 1;
    child.budget = artifact.budget;
    report.children.push_back(ctx.scan(child));
  }
}

}  // namespace modelgate
