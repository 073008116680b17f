#include "format/pickle_stream_report.h"

#include <algorithm>
#include <map>
#include <utility>

namespace modelgate {

namespace {

using GlobalKey = std::pair<std::string_view, std::string_view>;

GlobalKey key_of(const PickleGlobal& g) { return {g.module, g.name}; }
std::string_view key_of(const PickleCall& c) { return c.callable; }
void combine(PickleGlobal& into, const PickleGlobal& g) {
  into.count += g.count;
  into.first_offset = std::min(into.first_offset, g.first_offset);
}
void combine(PickleCall& into, const PickleCall& c) { into.count += c.count; }

// Adds distinct entries with their counts to a list that stays whole, ordered by name, or is dropped
// (`listed` false) once it would hold more than `max_listed` names.
template <class Entry>
void merge_listed(bool& listed, std::vector<Entry>& into, const std::vector<Entry>& from, std::uint64_t max_listed) {
  if (!listed) return;
  std::map<decltype(key_of(std::declval<const Entry&>())), Entry> merged;
  const std::vector<Entry>* lists[] = {&into, &from};
  for (const auto* list : lists)
    for (const Entry& e : *list) {
      auto [it, fresh] = merged.try_emplace(key_of(e), e);
      if (!fresh) {
        combine(it->second, e);
      } else if (merged.size() > max_listed) {
        listed = false;
        into.clear();
        return;
      }
    }
  std::vector<Entry> out;
  out.reserve(merged.size());
  for (auto& entry : merged) out.push_back(std::move(entry.second));
  into = std::move(out);
}

template <class Facts>
Facts& facts_of(std::optional<Facts>& f) {
  return f ? *f : f.emplace();
}

void add_imports(const std::vector<pickle::ImportRecord>& records, std::uint64_t max_listed, PickleImports& into) {
  into.count += records.size();
  if (!into.listed) return;
  std::map<GlobalKey, PickleGlobal> distinct;
  for (const auto& r : records) {
    // Records come in stream order: the first of each name has the lowest offset.
    auto [it, fresh] = distinct.try_emplace(GlobalKey(r.module, r.name), PickleGlobal{r.module, r.name, 0, r.offset});
    ++it->second.count;
    if (fresh && distinct.size() > max_listed) {
      into.listed = false;
      into.globals.clear();
      return;
    }
  }
  std::vector<PickleGlobal> globals;
  globals.reserve(distinct.size());
  for (auto& entry : distinct) globals.push_back(std::move(entry.second));
  merge_listed(into.listed, into.globals, globals, max_listed);
}

void add_calls(const pickle::StreamResult& stream, std::uint64_t max_listed, PickleCalls& into) {
  std::vector<PickleCall> calls;
  calls.reserve(stream.calls.size());
  into.indirect += stream.indirect_calls;
  into.count += stream.indirect_calls;
  for (const auto& [callable, n] : stream.calls) {
    calls.push_back({callable, n});
    into.count += n;
  }
  merge_listed(into.listed, into.callables, calls, max_listed);
}

}  // namespace

void add_pickle_names(const ParsedFacts& from, std::uint64_t max_listed, ArtifactReport& report) {
  if (from.pickle_imports) {
    PickleImports& into = facts_of(report.parsed.pickle_imports);
    into.count += from.pickle_imports->count;
    if (!from.pickle_imports->listed) {
      into.listed = false;
      into.globals.clear();
    }
    merge_listed(into.listed, into.globals, from.pickle_imports->globals, max_listed);
  }
  if (from.pickle_calls) {
    PickleCalls& into = facts_of(report.parsed.pickle_calls);
    into.count += from.pickle_calls->count;
    into.indirect += from.pickle_calls->indirect;
    if (!from.pickle_calls->listed) {
      into.listed = false;
      into.callables.clear();
    }
    merge_listed(into.listed, into.callables, from.pickle_calls->callables, max_listed);
  }
}

void add_stream_to_report(pickle::StreamResult&& stream, const Artifact& artifact, NestedScan& ctx,
                          ArtifactReport& report) {
  const std::uint64_t max_listed = ctx.limits().max_listed_pickle_names;
  add_imports(stream.imports, max_listed, facts_of(report.parsed.pickle_imports));
  add_calls(stream, max_listed, facts_of(report.parsed.pickle_calls));
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
