#include "scan/confined_index_check.h"

#include <map>

#include "core/regular_file.h"
#include "core/rule_catalog.h"
#include "sandbox/parse_worker.h"

namespace modelgate {

namespace {

using Premapped = Expected<std::shared_ptr<const ByteSource>>;

void run_confined(std::size_t index, const std::vector<WalkEntry>& files, const std::vector<WalkNote>& notes,
                  ArtifactReport& report, NestedScan& ctx) {
  const std::string& relative = files[index].relative;
  const std::string dir = relative.find('/') == std::string::npos ? std::string() : relative.substr(0, relative.rfind('/') + 1);
  // Shards are named relative to the index's directory: every file beneath it, mapped now.
  std::map<std::string, Premapped> mapped;
  for (const auto& f : files) {
    if (f.relative.compare(0, dir.size(), dir) != 0) continue;
    auto m = map_walk_entry(f);
    if (m)
      mapped.insert_or_assign(f.relative, Premapped(std::shared_ptr<const ByteSource>(std::move(*m))));
    else
      mapped.insert_or_assign(f.relative, Premapped(m.error()));
  }
  auto fail = [&](RuleId id, const std::string& why) {
    report.add(make_finding(rule(id), report.origin, std::nullopt, "the sharded-checkpoint check: " + why));
  };
  if (auto own = mapped.find(relative); own == mapped.end() || !own->second)
    return;  // the file's own scan already reported it as unreadable
  auto opened = files[index].beneath.empty() ? open_regular_file(files[index].path, FinalLink::refuse)
                                             : open_regular_file_beneath(files[index].base, files[index].beneath);
  if (!opened) return fail("MG-IO-ERROR", "cannot open the index again to pass it to a parse worker: " + opened.error().message());
  sandbox::WorkerJob job = [&](const std::shared_ptr<const ByteSource>&, const std::string& origin, const std::string&) {
    ArtifactReport checked;
    checked.origin = origin;
    check_safetensors_index(index, files, notes, checked, ctx, [&](const WalkEntry& e) -> Premapped {
      auto it = mapped.find(e.relative);
      if (it == mapped.end()) return Error{0, "not mapped before the worker started", {}, e.relative};
      return it->second;
    });
    return sandbox::encode_result(checked);
  };
  auto worker = sandbox::ParseWorker::start(job, sandbox::worker_config(ctx.limits()));
  if (!worker) return fail("MG-SANDBOX-CRASH", "cannot start a parse worker: " + worker.error().message());
  ArtifactReport checked = (*worker)->scan(opened->fd.get(), report.origin, relative, static_cast<std::uint64_t>(opened->st.st_size));
  if (checked.origin != report.origin) return fail("MG-SANDBOX-MALFORMED-RESULT", "the worker answered for another file");
  for (auto& f : checked.findings) report.findings.push_back(std::move(f));
  if (checked.parsed.sharded_checkpoint) report.parsed.sharded_checkpoint = checked.parsed.sharded_checkpoint;
  for (auto& shard : checked.model.shards) report.model.shards.push_back(std::move(shard));
}

}  // namespace

IndexCheckRunner confined_index_check() { return run_confined; }

}  // namespace modelgate
