#include "scan/scan_file.h"

#include <sys/stat.h>

#include <functional>

#include "core/rule_catalog.h"
#include "core/content_digest.h"
#include "core/regular_file.h"
#include "format/onnx_external_data.h"
#include "modelgate/version.h"
#include "scan/relative_origins.h"

// Test builds define this to act between the open and the analysis (truncate or replace the file);
// the program does not, so the weak reference is null there.
extern "C" void modelgate_test_after_open(const char* path) __attribute__((weak));

namespace modelgate {

Expected<OpenedFile> open_file_to_scan(const FileToScan& file) {
  return file.beneath.empty() ? open_regular_file(file.path, FinalLink::follow)
                              : open_regular_file_beneath(file.base, file.beneath);
}

std::string change_since_open(const FileToScan& file, const OpenedFile& opened, const MappedFile* mapped) {
  if (mapped != nullptr && mapped->truncated_underneath()) return "it shrank while it was read";
  struct stat now {};
  if (::fstat(opened.fd.get(), &now) != 0) return "it can no longer be examined";
  if (std::string change = change_between(opened.st, now); !change.empty()) return change;
  // What the name refers to now, reached as it was opened: the same inode (this process holds it
  // open, so no other file can have it) or not. No second open.
  const struct stat& then = opened.st;
  struct stat named {};
  const bool reached = file.beneath.empty() ? ::stat(file.path.c_str(), &named) == 0
                                            : stat_beneath(file.base, file.beneath, named);
  if (!reached || named.st_dev != then.st_dev || named.st_ino != then.st_ino)
    return "its name now refers to a different file";
  return {};
}

ArtifactReport unreadable_file_report(const std::string& origin, const char* format, RuleId rule_id, std::string message) {
  ArtifactReport r;
  r.origin = origin;
  r.format = format;
  r.add(make_finding(rule(rule_id), origin, std::nullopt, std::move(message)));
  r.finalize();
  return r;
}

StoredVerdict find_stored_verdict(ScanContext& ctx, const std::string& origin, const OpenedFile& opened,
                                  const MappedFile* mapped, const std::string& name) {
  // Hashed here only to look the verdict up; otherwise the scan hashes what it reads (when asked).
  StoredVerdict v;
  ResultCache* cache = ctx.result_cache();
  if (mapped == nullptr || cache == nullptr) return v;
  v.digest = sha256_hex(mapped->bytes());
  v.report = cache->find(ResultKey{v.digest, static_cast<std::uint64_t>(opened.st.st_size), kVersion, ctx.ruleset(), name});
  if (v.report) prefix_origins(*v.report, origin);
  return v;
}

ArtifactReport settle_verdict(ScanContext& ctx, const FileToScan& file, const std::string& origin,
                              const OpenedFile& opened, const MappedFile* mapped, const std::string& name,
                              const StoredVerdict& stored, ArtifactReport report) {
  ResultCache* cache = ctx.result_cache();
  if (!stored.digest.empty()) report.sha256 = stored.digest;
  const std::string change = change_since_open(file, opened, mapped);
  // Only a verdict on bytes that stayed what was hashed is recorded, and without what depends on
  // other files (external data is looked up again on every scan).
  if (change.empty() && cache && !stored.report && !stored.digest.empty()) {
    ArtifactReport relative = report;
    ResultKey key{stored.digest, static_cast<std::uint64_t>(opened.st.st_size), kVersion, ctx.ruleset(), name};
    if (make_origins_relative(relative, origin)) cache->store(key, relative);
  }
  resolve_external_data_reads(report, file.path);
  if (!change.empty()) {
    // The findings stay (a dangerous construct seen is still reported); the verdict is at least refused.
    report.add(make_finding(rule("MG-FILE-CHANGED"), origin, std::nullopt, "changed during scan: " + change));
    report.finalize();
  }
  return report;
}

ArtifactReport judge_opened_file(ScanContext& ctx, const FileToScan& file, const std::string& origin,
                                 const OpenedFile& opened, const MappedFile* mapped, const std::string& name,
                                 const std::function<ArtifactReport(const std::string& digest)>& parse) {
  StoredVerdict stored = find_stored_verdict(ctx, origin, opened, mapped, name);
  ArtifactReport report = stored.report ? *stored.report : parse(stored.digest);
  return settle_verdict(ctx, file, origin, opened, mapped, name, stored, std::move(report));
}

ArtifactReport scan_file(ScanContext& ctx, const FileToScan& file, const std::string& origin) {
  auto opened = open_file_to_scan(file);
  if (!opened) return unreadable_file_report(origin, "unreadable", "MG-IO-ERROR", "cannot read: " + opened.error().message());
  auto mapping = MappedFile::map(opened->fd.get(), static_cast<std::size_t>(opened->st.st_size));
  if (!mapping)
    return unreadable_file_report(origin, "unreadable", "MG-IO-ERROR",
                                  "cannot read: " + file.path.string() + ": " + mapping.error().message());
  const std::shared_ptr<MappedFile>& mapped = *mapping;
  if (modelgate_test_after_open != nullptr) modelgate_test_after_open(file.path.c_str());
  Artifact a;
  a.origin = origin;
  a.bytes = mapped->bytes();
  a.owner = mapped;
  a.path = file.path;
  a.name = file.name.empty() ? file.path.filename().string() : file.name;
  return judge_opened_file(ctx, file, origin, *opened, mapped.get(), a.name, [&](const std::string& digest) {
    a.sha256 = digest;
    return ctx.scan(a);
  });
}

}  // namespace modelgate
